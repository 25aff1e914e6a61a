#!/bin/bash
# test_nested_watchdog.sh - scripts/nested-kvm.sh notices a frozen
# machine within its stall time, says so in one line, and runs the
# command once more in a fresh machine; with no retry left it fails
# with status 70.
#
#   bash tests/scripts/test_nested_watchdog.sh
#
# The freeze is made on purpose: SIGSTOP to the first QEMU once the
# command inside has started. A stopped QEMU prints nothing, exactly as
# a machine whose kernel halted and never woke. Boots real machines
# under QEMU (about two minutes); needs what nested-kvm.sh needs.
set -u
cd "$(dirname "$0")/../.." || exit 1
# Where this KVM boots Linux itself, make test never goes nested.
if scripts/kvm-check.sh --linux --quiet; then
	echo "test_nested_watchdog: skipped: this machine needs no nested KVM"
	exit 0
fi

STALL=30
# Room for the heartbeat period (STALL/6) and the watchdog's 1 s poll.
DETECT_SLACK=10
checks=0
failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $CASE: $*"; }
check() {
	checks=$((checks + 1))
	if ! eval "$1"; then fail "$2"; fi
}

TMP=$(mktemp -d)
runner=""
trap '[ -z "$runner" ] || kill "$runner" 2>/dev/null; rm -rf "$TMP"' EXIT

# The command inside: a start line, then long enough (past the stall
# time) in silence but for the heartbeat, then an end line.
INNER="echo watchdog-start; sleep $((STALL + 5)); echo watchdog-done"

# first_qemu PID: the pid of the QEMU that nested-kvm.sh (PID) started.
first_qemu() { pgrep -P "$1" -f qemu-system-x86_64 | head -n 1; }

# freeze_once RETRY: runs nested-kvm.sh, stops its first QEMU once the
# command has printed its start line (in the console file, which the
# script's own output only shows at the end: so we watch QEMU's file),
# and sets STATUS, DETECT_S (seconds from the stop to the freeze line).
freeze_once() {
	: > "$TMP/err"
	KVMBOOK_NESTED_STALL=$STALL KVMBOOK_NESTED_RETRY=$1 KVMBOOK_NESTED_LOG="$TMP/log" \
		KVMBOOK_NESTED_TIMEOUT=600 TMPDIR="$TMP" \
		scripts/nested-kvm.sh sh -c "$INNER" > "$TMP/out" 2> "$TMP/err" &
	runner=$!
	local qemu="" stopped_at="" waited=0
	while [ $waited -lt 300 ] && kill -0 "$runner" 2>/dev/null; do
		[ -n "$qemu" ] || qemu=$(first_qemu "$runner")
		if [ -n "$qemu" ] && grep -qs watchdog-start "$TMP"/tmp.*/out; then
			kill -STOP "$qemu"
			stopped_at=$SECONDS
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	DETECT_S=""
	while [ -n "$stopped_at" ] && kill -0 "$runner" 2>/dev/null; do
		if grep -q 'nested machine froze' "$TMP/err"; then
			DETECT_S=$((SECONDS - stopped_at))
			break
		fi
		sleep 1
	done
	# With no retry left the script may end between two looks.
	if [ -n "$stopped_at" ] && [ -z "$DETECT_S" ] && grep -q 'nested machine froze' "$TMP/err"; then
		DETECT_S=$((SECONDS - stopped_at))
	fi
	wait "$runner"
	STATUS=$?
	runner=""
	[ -n "$stopped_at" ] || fail "the command never started (stderr: $(cat "$TMP/err"))"
	echo "$CASE: QEMU stopped; the freeze was seen ${DETECT_S:-never} s later (stall time $STALL s); status $STATUS"
}

CASE="a freeze, then a retry that passes"
rm -f "$TMP/log"
freeze_once 1
check '[ "$STATUS" = 0 ]' "exit $STATUS, expected 0: $(cat "$TMP/err")"
check '[ -n "$DETECT_S" ] && [ "$DETECT_S" -le $((STALL + DETECT_SLACK)) ]' \
	"freeze seen after ${DETECT_S:-never} s, expected within $STALL + $DETECT_SLACK s"
check '[ "$(grep -c "nested machine froze" "$TMP/err")" = 1 ]' \
	"expected one freeze line: $(cat "$TMP/err")"
check 'grep -q "froze (no output for $STALL s) running: sh -c $INNER; its last line: watchdog-start; running it again in a fresh machine" "$TMP/err"' \
	"the freeze line does not say what and where: $(cat "$TMP/err")"
check '[ "$(grep -c "" "$TMP/log")" = 1 ]' "expected one line in KVMBOOK_NESTED_LOG"
check '[ "$(cat "$TMP/out")" = "$(printf "watchdog-start\nwatchdog-done")" ]' \
	"the retry's output, once, expected: $(cat "$TMP/out")"
check '[ -z "$(pgrep -f "qemu-system-x86_64.*$TMP")" ]' "a QEMU was left running"

CASE="a freeze with no retry left: status 70"
rm -f "$TMP/log"
freeze_once 0
check '[ "$STATUS" = 70 ]' "exit $STATUS, expected 70: $(cat "$TMP/err")"
check '[ -n "$DETECT_S" ] && [ "$DETECT_S" -le $((STALL + DETECT_SLACK)) ]' \
	"freeze seen after ${DETECT_S:-never} s, expected within $STALL + $DETECT_SLACK s"
check 'tail -n 1 "$TMP/err" | grep -q "nested-kvm: the nested machine froze .*; giving up$"' \
	"the last line is not the freeze: $(cat "$TMP/err")"
check '[ "$(grep -c "" "$TMP/log")" = 1 ]' "expected one line in KVMBOOK_NESTED_LOG"
check '! grep -q watchdog-done "$TMP/out"' "the frozen command's output was shown as if it ended"
check '[ -z "$(pgrep -f "qemu-system-x86_64.*$TMP")" ]' "a QEMU was left running"

echo "test_nested_watchdog: $checks checks, $failures failures"
[ "$failures" = 0 ]
