#!/bin/sh
# test_summary.sh - tests of tests/integration/summary.py on crafted
# results files: each check gives the files, the exit status expected
# and a line the output must hold. Exit status 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
SUMMARY="python3 tests/integration/summary.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
tab=$(printf '\t')

# results FILE LINE...: a results file, "|" standing for a tab.
results() {
	file=$1
	shift
	: > "$T/$file"
	for line; do
		printf '%s\n' "$line" | sed "s/|/$tab/g" >> "$T/$file"
	done
}

# expect STATUS TEXT ARGS...: summary.py ARGS exits STATUS and prints TEXT.
expect() {
	want=$1 text=$2
	shift 2
	$SUMMARY "$@" > "$T/out" 2>&1
	got=$?
	if [ "$got" != "$want" ] || ! grep -qF -- "$text" "$T/out"; then
		echo "FAIL: summary.py $* exited $got (want $want), output lacks '$text' or not:"
		sed 's/^/    /' "$T/out"
		failures=$((failures + 1))
	else
		echo "ok: $text (status $got)"
	fi
}

results all-pass "PASS|01-real-mode|hello|ok" "PASS|02-protected-mode|hello|ok"
expect 0 "2 runs: 2 passed on direct KVM, 0 passed on nested KVM only, 0 skipped on both, 0 failed" \
	--direct "$T/all-pass"

results direct "PASS|01-real-mode|hello|ok" "SKIP|01-real-mode|triple fault|no IDT limit check"
results nested "PASS|01-real-mode|hello|ok" "PASS|01-real-mode|triple fault|ok"
expect 0 "2 runs: 1 passed on direct KVM, 1 passed on nested KVM only, 0 skipped on both" \
	--direct "$T/direct" --nested "$T/nested"
expect 0 "triple fault SP" --direct "$T/direct" --nested "$T/nested"

results nested-skip "PASS|01-real-mode|hello|ok" "SKIP|01-real-mode|triple fault|again"
expect 1 "1 skipped on both" --direct "$T/direct" --nested "$T/nested-skip"
expect 1 "PASSED NOWHERE: triple fault on 01-real-mode" --direct "$T/direct" --nested "$T/nested-skip"
expect 0 "1 skipped on both" --direct "$T/direct" --nested "$T/nested-skip" --skips-ok

# The nested machine died before the case ran: no line there.
results nested-short "PASS|01-real-mode|hello|ok"
expect 1 "1 skipped on both" --direct "$T/direct" --nested "$T/nested-short"

results nested-fail "FAIL|01-real-mode|hello|integration.c:300: status 1" \
	"PASS|01-real-mode|triple fault|ok"
expect 1 "FAIL: hello on 01-real-mode (nested KVM): integration.c:300: status 1" \
	--direct "$T/direct" --nested "$T/nested-fail"
expect 1 "0 skipped on both, 1 failed" --direct "$T/direct" --nested "$T/nested-fail"

results malformed "PASS|01-real-mode|hello"
expect 1 "malformed:1: not VERDICT" --direct "$T/malformed"
results twice "PASS|01-real-mode|hello|ok" "FAIL|01-real-mode|hello|x"
expect 1 "a second line for 'hello'" --direct "$T/twice"
expect 1 "No such file" --direct "$T/absent"
expect 2 "give --direct FILE" --skips-ok

[ "$failures" = 0 ] || { echo "summary.py: $failures checks failed"; exit 1; }
echo "summary.py: all checks passed"
