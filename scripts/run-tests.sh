#!/bin/sh
# run-tests.sh - run every test suite, keep going past failures, and
# exit non-zero if any failed. Called by `make test` after the builds.
#
# Each check suite prints its own summary line ("100%: Checks: N, ...").
set -u
cd "$(dirname "$0")/.." || exit 1

failed=""
run() {
	name=$1
	shift
	echo "==> $name"
	"$@" || failed="$failed $name"
}

for unit in build/tests/unit-*; do
	run "unit ${unit#build/tests/unit-}" "$unit"
done
KVMBOOK_VMM_DIR=build/asan KVMBOOK_GUESTS=build/guests \
	run integration build/tests/integration
run "book quotes" python3 book/tools/bookquote.py check
run "book tool self-test" bash tests/book/test_bookquote.sh

echo
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all suites passed"
