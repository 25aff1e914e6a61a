#!/bin/bash
# nested-kvm.sh - run a command of kvmbook's on a real KVM, when this
# machine has no usable /dev/kvm, or an emulation-backed one that cannot
# run every guest (book appendix B).
#
#   scripts/nested-kvm.sh [--copy-out FILE] COMMAND [ARGS...]
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
# What it needs, from Debian's package registry: qemu-system-x86,
# busybox-static, cpio and kmod (installed like scripts/deps.sh does),
# and a linux-image-*-amd64 package, which guests/linux/fetch-kernel.sh
# only downloads and unpacks into build/linux/kernel, never installs:
# the same kernel chapter 6 boots, one download for both.
#
# Environment: KVMBOOK_NESTED_TIMEOUT (seconds, default 1800),
# KVMBOOK_NESTED_MEM (MiB, default 2048).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=$ROOT/build/linux/kernel
TIMEOUT=${KVMBOOK_NESTED_TIMEOUT:-1800}
MEM=${KVMBOOK_NESTED_MEM:-2048}
# What is copied into the machine, relative to the repository.
PAYLOAD_GLOBS="chapters/*/vmm build/asan/*/vmm build/guests/*.bin build/tests/integration
	build/bench/cputime scripts/bench.sh
	build/linux/vmlinuz build/linux/initramfs.cpio.gz build/linux/disk.img
	build/linux/run-disk.img"

usage() { echo "usage: $0 [--copy-out FILE] COMMAND [ARGS...]" >&2; exit 64; }
COPY_OUT=""
if [ "${1:-}" = --copy-out ]; then
	[ $# -ge 2 ] || usage
	COPY_OUT=$2
	shift 2
	case "$COPY_OUT" in
	/* | *..* | "") echo "nested-kvm: --copy-out wants a path inside the repository, like build/x.txt" >&2
		exit 64 ;;
	esac
fi
[ $# -ge 1 ] || usage
[ "$(uname -m)" = x86_64 ] || { echo "nested-kvm: needs an x86_64 host" >&2; exit 69; }

say() { echo "nested-kvm: $*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_tools() {
	local missing=""
	for p in qemu-system-x86 busybox-static cpio kmod; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	as_root apt-get update -q >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q \
		--no-install-recommends $missing >&2
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
	for applet in sh mount insmod poweroff cat echo env ls basename dd printf od head tail cp rm mkdir grep sed tr cmp sleep kill true false test timeout; do
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
	cat > "$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
for m in $(cat /modules/order); do insmod /modules/$m; done
cd /kvmbook
echo "NESTED-KVM-INFO $(ls /dev/kvm 2>&1) inside" > /dev/ttyS0
sh -c "$(cat /command)" > /dev/ttyS0 2>&1
status=$?
if [ -f /copy-out ] && [ -f "$(cat /copy-out)" ]; then
	echo "NESTED-KVM-FILE-BEGIN"
	sed 's/^/NESTED-KVM-FILE /' "$(cat /copy-out)"
	echo "NESTED-KVM-FILE-END"
fi > /dev/ttyS0
echo "NESTED-KVM-STATUS $status" > /dev/ttyS0
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

main() {
	[ -z "$COPY_OUT" ] || rm -f "$ROOT/$COPY_OUT"
	install_tools
	fetch_kernel
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
	build_initramfs "$WORK" "$@"
	say "booting a nested-KVM machine under QEMU (software emulation; slow)"
	local kver
	kver=$(kernel_version)
	timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -machine pc \
		-cpu qemu64,+svm,+npt -smp 1 -m "$MEM" -nodefaults \
		-display none -no-reboot \
		-kernel "$KERNEL/boot/vmlinuz-$kver" -initrd "$WORK/initrd" \
		-append "console=ttyS0 loglevel=1 panic=-1 rdinit=/init" \
		-serial "file:$WORK/console" < /dev/null > /dev/null 2>&1 || true
	# The console carries the command's output (stdout and stderr
	# together), our markers, and the kernel's last words.
	tr -d '\r' < "$WORK/console" | sed -n '/^NESTED-KVM-INFO /,$p' |
		grep -v -e '^NESTED-KVM-' -e '^\[ *[0-9]*\.[0-9]*\] reboot: ' || true
	tr -d '\r' < "$WORK/console" | sed -n 's/^NESTED-KVM-INFO /nested-kvm: /p' >&2
	[ -n "$COPY_OUT" ] && copy_out "$WORK/console"
	local status
	status=$(tr -d '\r' < "$WORK/console" | sed -n 's/^NESTED-KVM-STATUS \([0-9]*\)$/\1/p')
	if [ -z "$status" ]; then
		say "the machine did not finish (timeout ${TIMEOUT}s?)"
		exit 70
	fi
	exit "$status"
}

main "$@"
