#!/bin/bash
# nested-kvm.sh - run a command of kvmbook's on a real KVM, when this
# machine has no usable /dev/kvm, or an emulation-backed one that cannot
# run every guest (book appendix B).
#
#   scripts/nested-kvm.sh [--interactive] [--copy-out FILE] COMMAND [ARGS...]
#
# Many machines a reader meets (cloud instances, laptops' VMs, CI runners)
# offer no /dev/kvm. This script boots a small Linux machine under QEMU's
# software emulation (TCG) with an emulated AMD CPU that has SVM, AMD's
# virtualization extension; inside it, Debian's own kernel loads kvm_amd,
# and /dev/kvm is there: KVM proper, running on (emulated) hardware
# virtualization. COMMAND runs inside, from a copy of the repository's
# built VMMs, guests and integration tests, with stdout and stderr shown
# here; its exit status is ours. With --copy-out FILE (a path relative
# to the repository, a text file), what COMMAND wrote to FILE inside the
# machine is brought back out to FILE here: the machine prints it on its
# control port (its second serial port, ttyS1) between marker lines, the
# one channel out of it.
#
# With --interactive, this terminal is connected to COMMAND: QEMU joins
# our stdin and stdout to the machine's first serial port (ttyS0), and
# COMMAND runs on that port as its controlling terminal, so that a VMM
# inside sees a terminal (it puts it in raw mode) and Ctrl-C reaches it.
# While QEMU runs, this terminal is in raw mode (every key, Ctrl-C
# included, goes to the machine); afterwards it is restored as it was,
# once input still on its way (a terminal's answer to a query the guest
# sent, such as the cursor position report to ESC[6n) has been read and
# dropped, so that none of it reaches the shell this was started from.
#
# What it needs: QEMU, a static busybox, cpio and kmod (scripts/deps.sh
# nested installs what is missing, or names the command to), and a linux-image-*-amd64 package, which guests/linux/fetch-kernel.sh
# only downloads and unpacks into build/linux/kernel, never installs:
# the same kernel chapter 6 boots, one download for both.
#
# A machine under QEMU's software emulation with nested SVM has been
# seen to freeze: the nested kernel halts and never wakes, QEMU idles,
# nothing more comes out (book appendix B). So the machine's init
# prints a heartbeat on the control port every STALL/6 seconds, and a
# watchdog here watches both serial ports: when neither has shown
# anything for KVMBOOK_NESTED_STALL seconds, it kills that QEMU, says so
# in one line, and runs COMMAND once more in a fresh machine. A second
# freeze ends the script with status 70. Each freeze also appends one
# line to the file KVMBOOK_NESTED_LOG names, if it is set (the test
# runner counts them, so that a flaky machine cannot pass unseen).
#
# Environment:
#   KVMBOOK_NESTED_TIMEOUT  seconds for the whole run (default 1800)
#   KVMBOOK_NESTED_STALL    seconds of silence that mean a freeze (default 60)
#   KVMBOOK_NESTED_RETRY    runs after a freeze (default 1; 0: fail at once)
#   KVMBOOK_NESTED_LOG      a file to append a line to per freeze
#   KVMBOOK_NESTED_MEM      MiB of memory (default 2048)
# and, for scripts/nested-freeze-rate.sh, which tries them one at a time:
#   KVMBOOK_NESTED_CPU      QEMU's -cpu (default qemu64,+svm,+npt)
#   KVMBOOK_NESTED_SMP      QEMU's -smp (default 1)
#   KVMBOOK_NESTED_APPEND   the nested kernel's extra command line
#                           (default: the periodic tick, see TICK below)
#   KVMBOOK_NESTED_KVM_AMD  kvm_amd's parameters, such as "avic=0 npt=0"
#   KVMBOOK_NESTED_DUMP     a file: on a freeze, QEMU's view of the frozen
#                           CPU (registers, LAPIC, PIC) is written there
#
# Exit status: the command's; 70 when the machine froze twice; 75
# (EX_TEMPFAIL) when it did not finish within the timeout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=$ROOT/build/linux/kernel
TIMEOUT=${KVMBOOK_NESTED_TIMEOUT:-1800}
STALL=${KVMBOOK_NESTED_STALL:-60}
RETRY=${KVMBOOK_NESTED_RETRY:-1}
MEM=${KVMBOOK_NESTED_MEM:-2048}
CPU=${KVMBOOK_NESTED_CPU:-qemu64,+svm,+npt}
SMP=${KVMBOOK_NESTED_SMP:-1}
KVM_AMD_PARAMS=${KVMBOOK_NESTED_KVM_AMD:-}
EX_SOFTWARE=70
EX_TEMPFAIL=75
# What is copied into the machine, relative to the repository.
PAYLOAD_GLOBS="chapters/*/vmm build/asan/*/vmm build/guests/*.bin build/tests/integration
	build/bench/cputime scripts/bench.sh
	build/linux/vmlinuz build/linux/initramfs.cpio.gz build/linux/disk.img
	build/linux/run-disk.img"

usage() { echo "usage: $0 [--interactive] [--copy-out FILE] COMMAND [ARGS...]" >&2; exit 64; }
COPY_OUT=""
INTERACTIVE=0
while [ $# -ge 1 ]; do
	case "$1" in
	--interactive) INTERACTIVE=1; shift ;;
	--copy-out)
		[ $# -ge 2 ] || usage
		COPY_OUT=$2
		shift 2
		case "$COPY_OUT" in
		/* | *..* | "") echo "nested-kvm: --copy-out wants a path inside the repository, like build/x.txt" >&2
			exit 64 ;;
		esac ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
[ "$(uname -m)" = x86_64 ] || { echo "nested-kvm: needs an x86_64 host" >&2; exit 69; }

say() { echo "nested-kvm: $*" >&2; }

install_tools() {
	"$ROOT/scripts/deps.sh" nested >&2 || exit 69
}

# The newest amd64 kernel package Debian offers, unpacked (once).
fetch_kernel() {
	"$ROOT/guests/linux/fetch-kernel.sh" "$KERNEL"
}

# The kernel version directory under lib/modules.
kernel_version() {
	local moddirs=("$KERNEL"/lib/modules/*/)
	basename "${moddirs[0]}"
}

# A file of the repository, copied to $1/kvmbook/FILE, and the shared
# libraries it needs, copied to their own paths under $1.
copy_with_libs() {
	local root=$1 file=$2
	mkdir -p "$root/kvmbook/$(dirname "$file")"
	cp -L "$file" "$root/kvmbook/$file"
	{ ldd "$file" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

build_initramfs() {
	local work=$1 kver
	shift
	kver=$(kernel_version)
	local root=$work/root
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,kvmbook}

	cp /bin/busybox "$root/bin/busybox"
	for applet in sh mount insmod poweroff cat echo env ls basename dd printf od head tail cp rm mkdir grep sed tr cmp sleep kill true false test timeout setsid stty strings; do
		ln -s busybox "$root/bin/$applet"
	done
	# kvm_amd and what it depends on, in load order.
	modprobe -d "$KERNEL" -S "$kver" --show-depends kvm-amd |
		awk '$1 == "insmod" { print $2 }' > "$work/modules"
	while read -r ko; do
		cp "$ko" "$root/modules/"
		basename "$ko" >> "$root/modules/order"
	done < "$work/modules"

	(cd "$ROOT" && for f in $PAYLOAD_GLOBS; do
		if [ -e "$f" ]; then copy_with_libs "$root" "$f"; fi
	done)

	printf '%q ' "$@" > "$root/command"
	if [ -n "$COPY_OUT" ]; then
		printf '%s\n' "$COPY_OUT" > "$root/copy-out"
		mkdir -p "$root/kvmbook/$(dirname "$COPY_OUT")"
	fi
	[ "$INTERACTIVE" = 0 ] || : > "$root/interactive"
	echo $(( STALL / 6 > 0 ? STALL / 6 : 1 )) > "$root/heartbeat"
	for p in $KVM_AMD_PARAMS; do echo "$p"; done > "$root/kvm_amd.params"
	# Two serial ports: ttyS0 is COMMAND's (its output, to a file; with
	# --interactive, this terminal), ttyS1 the control port (the kernel's
	# console, the heartbeat and the markers, to a file). With
	# --interactive, `setsid -c` gives COMMAND a session of its own with
	# ttyS0 as its controlling terminal: that is what lets Ctrl-C (typed
	# here, a byte on the serial line) become SIGINT inside. Afterwards
	# ttyS0 stops echoing, so input still arriving is not sent back out.
	cat > "$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
for m in $(cat /modules/order); do
	params=""
	[ "$m" = kvm-amd.ko ] && params=$(cat /kvm_amd.params)
	insmod /modules/$m $params
done
cd /kvmbook
control=/dev/ttyS1
echo "NESTED-KVM-INFO $(ls /dev/kvm 2>&1) inside" > $control
# The heartbeat: the watchdog outside takes silence for a freeze.
while :; do
	echo "NESTED-KVM-HEARTBEAT $(cut -d' ' -f1 /proc/uptime)"
	sleep "$(cat /heartbeat)"
done > $control &
heartbeat=$!
if [ -f /interactive ]; then
	setsid -c sh -c "$(cat /command)" <> /dev/ttyS0 >&0 2>&0
	status=$?
	stty -echo < /dev/ttyS0
else
	sh -c "$(cat /command)" > /dev/ttyS0 2>&1 < /dev/null
	status=$?
fi
kill $heartbeat
if [ -f /copy-out ] && [ -f "$(cat /copy-out)" ]; then
	echo "NESTED-KVM-FILE-BEGIN"
	sed 's/^/NESTED-KVM-FILE /' "$(cat /copy-out)"
	echo "NESTED-KVM-FILE-END"
fi > $control
echo "NESTED-KVM-STATUS $status" > $control
poweroff -f
INIT
	chmod 755 "$root/init"
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) |
		gzip -1 > "$work/initrd"
}

# Writes the file the machine printed between its NESTED-KVM-FILE
# markers to $COPY_OUT, if the machine got to the end marker.
copy_out() {
	local console=$1
	if ! tr -d '\r' < "$console" | grep -qx NESTED-KVM-FILE-END; then
		say "the machine did not bring $COPY_OUT back out"
		return 0
	fi
	mkdir -p "$ROOT/$(dirname "$COPY_OUT")"
	tr -d '\r' < "$console" | sed -n 's/^NESTED-KVM-FILE //p' > "$ROOT/$COPY_OUT"
}

# ---- --interactive: this terminal, raw while QEMU runs ----

SAVED_TTY=""

# Raw mode, no echo: every byte typed goes to the machine, which echoes
# what it should. QEMU's stdio chardev sets much the same, but restores
# what it found when it exits; finding raw mode, it leaves raw mode, so
# nothing that arrives before drain_terminal is echoed here.
terminal_raw() {
	[ -t 0 ] || return 0
	SAVED_TTY=$(stty -g) || return 0
	stty raw -echo
}

# Input that arrives after QEMU has gone (a reply to the guest's last
# cursor position query, ESC[6n, is the usual one: ";12R" at the next
# prompt) would be read by the shell that started us. Read and drop
# input until the terminal has been quiet for a moment (bounded: at
# most 50 chunks), then restore the terminal as we found it.
QUIET_S=0.3
drain_terminal() {
	[ -n "$SAVED_TTY" ] || return 0
	for _ in $(seq 1 50); do
		IFS= read -r -s -d '' -n 256 -t "$QUIET_S" _ || break
	done
	stty "$SAVED_TTY"
	SAVED_TTY=""
}

# ---- one machine, watched ----

# The inner kernel ticks periodically (nohz=off highres=off): under TCG
# with nested SVM the machine was seen to freeze now and then, QEMU idle,
# no timer waking the inner kernel, as when a one-shot timer interrupt
# is lost; a periodic tick comes again.
TICK="nohz=off highres=off"
APPEND=${KVMBOOK_NESTED_APPEND-$TICK}
QEMU_PID=""

# QEMU in the background, its pid in QEMU_PID: ttyS0 on the file
# $WORK/out or, with --interactive, on this terminal (stdin joined
# explicitly: a background job's stdin is /dev/null otherwise); ttyS1,
# the control port, on $WORK/console. Staying in our process group
# keeps QEMU in the terminal's foreground group, where it may read it.
start_qemu() {
	local kver
	kver=$(kernel_version)
	# shellcheck disable=SC2054 # the commas are QEMU's
	local qemu=(qemu-system-x86_64 -accel tcg -machine pc
		-cpu "$CPU" -smp "$SMP" -m "$MEM" -nodefaults
		-display none -no-reboot
		-kernel "$KERNEL/boot/vmlinuz-$kver" -initrd "$WORK/initrd"
		-append "console=ttyS1 loglevel=1 panic=-1 $APPEND rdinit=/init")
	[ -z "${KVMBOOK_NESTED_DUMP:-}" ] ||
		qemu+=(-monitor "unix:$WORK/monitor,server=on,wait=off")
	: > "$WORK/out"
	: > "$WORK/console"
	if [ "$INTERACTIVE" = 0 ]; then
		"${qemu[@]}" -serial "file:$WORK/out" -serial "file:$WORK/console" \
			< /dev/null > /dev/null 2> "$WORK/qemu.log" &
	else
		"${qemu[@]}" -chardev stdio,id=s0,signal=off -serial chardev:s0 \
			-serial "file:$WORK/console" 0<&0 2> "$WORK/qemu.log" &
	fi
	QEMU_PID=$!
}

# Bytes that have come out of the machine so far, on both ports.
output_size() {
	echo $(( $(stat -c %s "$WORK/out") + $(stat -c %s "$WORK/console") ))
}

# QEMU's view of a frozen machine, from its monitor, for the record.
dump_frozen() {
	[ -n "${KVMBOOK_NESTED_DUMP:-}" ] && [ -S "$WORK/monitor" ] || return 0
	python3 - "$WORK/monitor" >> "$KVMBOOK_NESTED_DUMP" 2>&1 <<'PY' || true
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
for cmd in ("info registers", "info lapic", "info pic", "info irq"):
    s.sendall((cmd + "\n").encode())
    time.sleep(1)
out = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
except socket.timeout:
    pass
print("==== frozen machine, %s" % time.strftime("%Y-%m-%d %H:%M:%S"))
print(out.decode(errors="replace").replace("\r", ""))
PY
}

stop_qemu() {
	[ -n "$QEMU_PID" ] || return 0
	kill -KILL "$QEMU_PID" 2>/dev/null || true
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID=""
}

# Runs one machine to its end, watching it. Returns 0 when QEMU ended by
# itself, 1 when the machine froze (STALL s of silence), 2 at TIMEOUT.
watch_qemu() {
	local started=$SECONDS quiet_since=$SECONDS size last=-1
	start_qemu
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		size=$(output_size)
		if [ "$size" != "$last" ]; then
			last=$size
			quiet_since=$SECONDS
		elif (( SECONDS - quiet_since >= STALL )); then
			dump_frozen
			stop_qemu
			return 1
		fi
		if (( SECONDS - started >= TIMEOUT )); then
			stop_qemu
			return 2
		fi
		sleep 1
	done
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID=""
	return 0
}

# One line about a freeze: where COMMAND had got to (its last line of
# output; with --interactive that went to the terminal, above).
froze_line() {
	local where
	where=$(tr -d '\r' < "$WORK/out" | grep -v '^$' | tail -n 1 | cut -c1-120)
	[ -n "$where" ] || where="(no output yet)"
	[ "$INTERACTIVE" = 0 ] || where="(see above)"
	printf 'the nested machine froze (no output for %s s) running: %s; its last line: %s' \
		"$STALL" "$COMMAND_LINE" "$where"
}

# The machine's last words on the control port, heartbeats left out.
last_words() {
	tr -d '\r' < "$WORK/console" | grep -v '^NESTED-KVM-' | tail -n 20 >&2
}

# ---- --interactive: this terminal, raw while QEMU runs ----

SAVED_TTY=""

# Raw mode, no echo: every byte typed goes to the machine, which echoes
# what it should. QEMU's stdio chardev sets much the same, but restores
# what it found when it exits; finding raw mode, it leaves raw mode, so
# nothing that arrives before drain_terminal is echoed here.
terminal_raw() {
	[ -t 0 ] || return 0
	SAVED_TTY=$(stty -g) || return 0
	stty raw -echo
}

# Input that arrives after QEMU has gone (a reply to the guest's last
# cursor position query, ESC[6n, is the usual one: ";12R" at the next
# prompt) would be read by the shell that started us. Read and drop
# input until the terminal has been quiet for a moment (bounded: at
# most 50 chunks), then restore the terminal as we found it.
QUIET_S=0.3
drain_terminal() {
	[ -n "$SAVED_TTY" ] || return 0
	for _ in $(seq 1 50); do
		IFS= read -r -s -d '' -n 256 -t "$QUIET_S" _ || break
	done
	stty "$SAVED_TTY"
	SAVED_TTY=""
}

# One machine: 0 when it finished, 1 froze, 2 timed out.
run_machine() {
	local result=0
	[ "$INTERACTIVE" = 0 ] || terminal_raw
	watch_qemu || result=$?
	[ "$INTERACTIVE" = 0 ] || drain_terminal
	if [ -s "$WORK/qemu.log" ]; then
		sed 's/^/nested-kvm: qemu: /' "$WORK/qemu.log" >&2
	fi
	return "$result"
}

main() {
	[ -z "$COPY_OUT" ] || rm -f "$ROOT/$COPY_OUT"
	COMMAND_LINE="$*"
	install_tools
	fetch_kernel
	WORK=$(mktemp -d)
	trap 'stop_qemu; if [ -n "$SAVED_TTY" ]; then stty "$SAVED_TTY"; fi; rm -rf "$WORK"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	build_initramfs "$WORK" "$@"
	local runs=0 result
	while :; do
		say "booting a nested-KVM machine under QEMU (software emulation; slow)"
		result=0
		run_machine || result=$?
		runs=$((runs + 1))
		[ "$result" = 1 ] || break
		if [ -n "${KVMBOOK_NESTED_LOG:-}" ]; then
			printf '%s\tfroze\t%s\n' "$(date -u +%FT%TZ)" "$(froze_line)" >> "$KVMBOOK_NESTED_LOG"
		fi
		if (( runs > RETRY )); then
			say "$(froze_line); giving up"
			exit "$EX_SOFTWARE"
		fi
		say "$(froze_line); running it again in a fresh machine"
	done
	# ttyS0 carried the command's output (stdout and stderr together;
	# with --interactive that went to the terminal), ttyS1 our markers
	# and the kernel's last words.
	[ "$INTERACTIVE" = 1 ] || tr -d '\r' < "$WORK/out"
	tr -d '\r' < "$WORK/console" | sed -n 's/^NESTED-KVM-INFO /nested-kvm: /p' >&2
	[ -n "$COPY_OUT" ] && copy_out "$WORK/console"
	local status
	status=$(tr -d '\r' < "$WORK/console" | sed -n 's/^NESTED-KVM-STATUS \([0-9]*\)$/\1/p')
	if [ -z "$status" ]; then
		last_words
		if [ "$result" = 2 ]; then
			say "the machine did not finish within ${TIMEOUT} s"
		else
			say "the machine ended before the command did"
		fi
		exit "$EX_TEMPFAIL"
	fi
	exit "$status"
}

main "$@"
