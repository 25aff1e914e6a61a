#!/bin/bash
# nested-kvm.sh - run a command of kvmbook's on a real KVM, when this
# machine has no usable /dev/kvm.
#
#   scripts/nested-kvm.sh COMMAND [ARGS...]
#
# Many machines a reader meets (cloud instances, laptops' VMs, CI runners)
# offer no /dev/kvm. This script boots a small Linux machine under QEMU's
# software emulation (TCG) with an emulated AMD CPU that has SVM, AMD's
# virtualization extension; inside it, Debian's own kernel loads kvm_amd,
# and /dev/kvm is there: KVM proper, running on (emulated) hardware
# virtualization. COMMAND runs inside, from a copy of the repository's
# built VMMs, guests and integration tests, with stdout and stderr shown
# here; its exit status is ours.
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

[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 64; }
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
echo "NESTED-KVM-STATUS $?" > /dev/ttyS0
poweroff -f
INIT
	chmod 755 "$root/init"
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) |
		gzip -1 > "$work/initrd"
}

main() {
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
	local status
	status=$(tr -d '\r' < "$WORK/console" | sed -n 's/^NESTED-KVM-STATUS \([0-9]*\)$/\1/p')
	if [ -z "$status" ]; then
		say "the machine did not finish (timeout ${TIMEOUT}s?)"
		exit 70
	fi
	exit "$status"
}

main "$@"
