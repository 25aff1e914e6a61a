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
# console between marker lines, the one channel out of it.
#
# With --interactive, this terminal is connected to COMMAND: QEMU joins
# our stdin and stdout to the machine's first serial port (ttyS0), and
# COMMAND runs on that port as its controlling terminal, so that a VMM
# inside sees a terminal (it puts it in raw mode) and Ctrl-C reaches it.
# The kernel's console, the markers and the exit status then travel on
# the second serial port (ttyS1), to a file, as without --interactive.
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
# Environment: KVMBOOK_NESTED_TIMEOUT (seconds, default 1800),
# KVMBOOK_NESTED_MEM (MiB, default 2048).
#
# Exit status: the command's; 75 (EX_TEMPFAIL) when the machine did not
# finish, e.g. it was still running at the timeout. A run under QEMU's
# software emulation has been seen to freeze on a loaded host, so a
# caller may try once more.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=$ROOT/build/linux/kernel
TIMEOUT=${KVMBOOK_NESTED_TIMEOUT:-1800}
MEM=${KVMBOOK_NESTED_MEM:-2048}
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
	# The control port carries the markers (and the kernel's console);
	# with --interactive, ttyS0 is the terminal and ttyS1 the control
	# port. `setsid -c` gives COMMAND a session of its own with ttyS0 as
	# its controlling terminal: that is what lets Ctrl-C (typed here, a
	# byte on the serial line) become SIGINT inside. Afterwards ttyS0
	# stops echoing, so input still arriving is not sent back out.
	cat > "$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
for m in $(cat /modules/order); do insmod /modules/$m; done
cd /kvmbook
control=/dev/ttyS0
[ -f /interactive ] && control=/dev/ttyS1
echo "NESTED-KVM-INFO $(ls /dev/kvm 2>&1) inside" > $control
if [ -f /interactive ]; then
	setsid -c sh -c "$(cat /command)" <> /dev/ttyS0 >&0 2>&0
	status=$?
	stty -echo < /dev/ttyS0
else
	sh -c "$(cat /command)" > /dev/ttyS0 2>&1
	status=$?
fi
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

# QEMU, with its output on a file (the console) or, with --interactive,
# ttyS0 on this terminal and the control port (ttyS1) on that file.
# `timeout --foreground` keeps QEMU in our process group, the terminal's
# foreground group: plain timeout runs it in a group of its own, in the
# background, where reading the terminal stops it (SIGTTIN).
# The inner kernel ticks periodically (nohz=off highres=off): under TCG
# with nested SVM the machine was seen to freeze now and then, QEMU idle,
# no timer waking the inner kernel, as when a one-shot timer interrupt
# is lost; a periodic tick comes again.
TICK="nohz=off highres=off"
run_qemu() {
	local kver
	kver=$(kernel_version)
	# shellcheck disable=SC2054 # the commas are QEMU's
	local qemu=(qemu-system-x86_64 -accel tcg -machine pc
		-cpu qemu64,+svm,+npt -smp 1 -m "$MEM" -nodefaults
		-display none -no-reboot
		-kernel "$KERNEL/boot/vmlinuz-$kver" -initrd "$WORK/initrd")
	if [ "$INTERACTIVE" = 0 ]; then
		timeout "$TIMEOUT" "${qemu[@]}" \
			-append "console=ttyS0 loglevel=1 panic=-1 $TICK rdinit=/init" \
			-serial "file:$WORK/console" < /dev/null > /dev/null 2>&1 || true
		return
	fi
	terminal_raw
	timeout --foreground "$TIMEOUT" "${qemu[@]}" \
		-append "console=ttyS1 loglevel=1 panic=-1 $TICK rdinit=/init" \
		-chardev stdio,id=s0,signal=off -serial chardev:s0 \
		-serial "file:$WORK/console" 2> "$WORK/qemu.log" || true
	drain_terminal
	if [ -s "$WORK/qemu.log" ]; then
		sed 's/^/nested-kvm: qemu: /' "$WORK/qemu.log" >&2
	fi
}

main() {
	[ -z "$COPY_OUT" ] || rm -f "$ROOT/$COPY_OUT"
	install_tools
	fetch_kernel
	WORK=$(mktemp -d)
	trap 'if [ -n "$SAVED_TTY" ]; then stty "$SAVED_TTY"; fi; rm -rf "$WORK"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	build_initramfs "$WORK" "$@"
	say "booting a nested-KVM machine under QEMU (software emulation; slow)"
	run_qemu
	# The console carries the command's output (stdout and stderr
	# together; with --interactive that went to the terminal), our
	# markers, and the kernel's last words.
	if [ "$INTERACTIVE" = 0 ]; then
		tr -d '\r' < "$WORK/console" | sed -n '/^NESTED-KVM-INFO /,$p' |
			grep -v -e '^NESTED-KVM-' -e '^\[ *[0-9]*\.[0-9]*\] reboot: ' || true
	fi
	tr -d '\r' < "$WORK/console" | sed -n 's/^NESTED-KVM-INFO /nested-kvm: /p' >&2
	[ -n "$COPY_OUT" ] && copy_out "$WORK/console"
	local status
	status=$(tr -d '\r' < "$WORK/console" | sed -n 's/^NESTED-KVM-STATUS \([0-9]*\)$/\1/p')
	if [ -z "$status" ]; then
		if [ "$INTERACTIVE" = 1 ]; then
			tr -d '\r' < "$WORK/console" | tail -n 20 >&2
		fi
		say "the machine did not finish (timeout ${TIMEOUT}s?)"
		exit "$EX_TEMPFAIL"
	fi
	exit "$status"
}

main "$@"
