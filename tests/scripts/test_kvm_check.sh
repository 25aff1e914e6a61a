#!/bin/bash
# test_kvm_check.sh - scripts/kvm-check.sh diagnoses /dev/kvm first,
# then names the fallback; its exit status picks direct or nested KVM.
#
#   bash tests/scripts/test_kvm_check.sh
#
# The device is a file made here (KVMBOOK_DEV_KVM), /sys/module a
# directory made here (KVMBOOK_SYS_MODULE). "Cannot open it" needs a
# user the permission bits apply to: as root, those cases run the
# script as nobody (setpriv); as any other user, directly.
set -u
cd "$(dirname "$0")/../.." || exit 1
CHECK=$PWD/scripts/kvm-check.sh

checks=0
failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $CASE: $*"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# nobody must reach the fake device.
chmod 755 "$TMP"
mkdir "$TMP/sys" "$TMP/sys-pvm" "$TMP/sys-pvm/kvm_pvm" "$TMP/bin"
: > "$TMP/kvm"
chmod 666 "$TMP/kvm"

# as_user CMD...: runs CMD as a user without root's override.
if [ "$(id -u)" = 0 ]; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	command -v setpriv >/dev/null || { echo "test_kvm_check: needs setpriv as root"; exit 1; }
else
	as_user() { "$@"; }
fi

# check [ENV=VALUE...] -- ARGS: sets STATUS, OUT, and LINES (line count).
check() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	OUT=$(env KVMBOOK_DEV_KVM="$TMP/kvm" KVMBOOK_SYS_MODULE="$TMP/sys" \
		"${envs[@]}" sh "$CHECK" "$@" 2>&1)
	STATUS=$?
	LINES=$(printf '%s' "$OUT" | grep -c '')
}

expect() {
	checks=$((checks + 1))
	[ "$STATUS" = "$1" ] || fail "exit $STATUS, expected $1 (output: $OUT)"
	checks=$((checks + 1))
	[ "$LINES" = "$2" ] || fail "$LINES lines, expected $2: $OUT"
}
# expect_line N TEXT: line N of the output contains TEXT.
expect_line() {
	checks=$((checks + 1))
	local line
	line=$(printf '%s\n' "$OUT" | sed -n "$1p")
	case $line in *"$2"*) ;; *) fail "line $1 lacks '$2': $OUT" ;; esac
}

FALLBACK="falling back to nested KVM under QEMU's software emulation: slow"

CASE="a usable /dev/kvm: direct, silent"
check -- ; expect 0 0
CASE="a usable /dev/kvm, for Linux"
check -- --linux; expect 0 0

CASE="no /dev/kvm"
check KVMBOOK_DEV_KVM="$TMP/none" --
expect 1 2
expect_line 1 "no $TMP/none here"
expect_line 2 "$FALLBACK"

CASE="no /dev/kvm, quiet"
check KVMBOOK_DEV_KVM="$TMP/none" -- --quiet
expect 1 0

CASE="kvm_pvm, a small guest: direct"
check KVMBOOK_SYS_MODULE="$TMP/sys-pvm" --
expect 0 0

CASE="kvm_pvm, a Linux boot: nested, and why"
check KVMBOOK_SYS_MODULE="$TMP/sys-pvm" -- --linux
expect 1 1
expect_line 1 "this $TMP/kvm emulates guest kernel code (kvm_pvm): Linux boots go to nested KVM"

CASE="kvm_pvm, Linux, quiet"
check KVMBOOK_SYS_MODULE="$TMP/sys-pvm" -- --linux --quiet
expect 1 0

CASE="a /dev/kvm that exists but does not open (a directory)"
check KVMBOOK_DEV_KVM="$TMP/sys" --
expect 1 2
expect_line 1 "exists but cannot be opened"
expect_line 2 "$FALLBACK"

# The user's own fix first, then the fallback.
CASE="a /dev/kvm of root's only"
chmod 600 "$TMP/kvm"
OUT=$(as_user env KVMBOOK_DEV_KVM="$TMP/kvm" KVMBOOK_SYS_MODULE="$TMP/sys" sh "$CHECK" 2>&1)
STATUS=$?
LINES=$(printf '%s' "$OUT" | grep -c '')
expect 1 2
expect_line 1 "cannot open it; fix: sudo usermod -aG kvm \$USER, then log in again"
expect_line 2 "$FALLBACK"

CASE="a /dev/kvm of root's only, for Linux on kvm_pvm: still the fix first"
OUT=$(as_user env KVMBOOK_DEV_KVM="$TMP/kvm" KVMBOOK_SYS_MODULE="$TMP/sys-pvm" \
	sh "$CHECK" --linux 2>&1)
STATUS=$?
LINES=$(printf '%s' "$OUT" | grep -c '')
expect 1 2
expect_line 1 "sudo usermod -aG kvm \$USER"

# A device whose group is a real, joinable one: that group is named.
group=$(id -gn daemon 2>/dev/null || echo daemon)
if [ "$(id -u)" = 0 ] && getent group "$group" >/dev/null; then
	CASE="a /dev/kvm of group $group"
	chgrp "$group" "$TMP/kvm"
	chmod 660 "$TMP/kvm"
	OUT=$(as_user env KVMBOOK_DEV_KVM="$TMP/kvm" sh "$CHECK" 2>&1)
	STATUS=$?
	LINES=$(printf '%s' "$OUT" | grep -c '')
	expect 1 2
	expect_line 1 "sudo usermod -aG $group \$USER, then log in again"

	# Already added to the group, but this login predates it: getent
	# (a stub here) lists the user, the session's groups do not.
	CASE="in group $group since the last login"
	# shellcheck disable=SC2016
	printf '#!/bin/sh\necho "%s:x:1:someone,$(id -un)"\n' "$group" > "$TMP/bin/getent"
	chmod 755 "$TMP/bin/getent"
	OUT=$(as_user env PATH="$TMP/bin:$PATH" KVMBOOK_DEV_KVM="$TMP/kvm" sh "$CHECK" 2>&1)
	STATUS=$?
	LINES=$(printf '%s' "$OUT" | grep -c '')
	expect 1 2
	expect_line 1 "you are in group $group but this session is not"
	expect_line 2 "$FALLBACK"
fi

CASE="usage"
check -- --bogus
expect 64 1

echo "test_kvm_check: $checks checks, $failures failures"
[ "$failures" = 0 ]
