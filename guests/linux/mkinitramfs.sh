#!/bin/bash
# mkinitramfs.sh - the initramfs of chapter 6's Linux guest.
#
#   guests/linux/mkinitramfs.sh KERNEL_DIR OUT.cpio.gz
#
# KERNEL_DIR is a kernel package unpacked by guests/linux/fetch-kernel.sh.
# The result is the whole root file system the guest ever sees, a
# gzip-compressed "newc" cpio archive (Linux's
# Documentation/driver-api/early-userspace/buffer-format.rst):
#
#   /init            guests/linux/init: mounts, loads modules, reports
#                    what it finds as "kvmbook-init: " lines (the lines
#                    the integration tests assert), then reboots
#   /bin/busybox     Debian's busybox-static, and a symlink per applet
#   /modules/*.ko    the kernel modules below and their dependencies
#   /modules/order   the order to load them in, dependencies first
#
# Why modules: Debian's kernel builds virtio, virtio_ring, virtio_mmio,
# virtio_blk, virtio-rng, ext4 and pvpanic-mmio (the driver of the VMM's
# pvpanic port) as modules, so the guest sees no virtio device, and a
# panic does not reach the VMM, until /init loads them. `modprobe --show-depends` resolves each
# one's dependencies against KERNEL_DIR's modules.dep; the ones that
# come only from a soft dependency (the crc32c implementations ext4
# asks for) are marked "optional", since a CPU without SSE4.2 cannot
# load crc32c-intel. Compressed modules (.ko.xz, .ko.gz, .ko.zst) are
# stored decompressed, which any insmod can load.
#
# Needs busybox-static, cpio and kmod (scripts/deps.sh installs them).
# Runs without root: cpio -R 0:0 makes every file root's in the archive.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 KERNEL_DIR OUT.cpio.gz" >&2; exit 64; }
KERNEL_DIR=$(cd "$1" && pwd)
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
BUSYBOX=/bin/busybox
MODULES="virtio_mmio virtio_blk virtio-rng ext4 pvpanic-mmio"

die() { echo "mkinitramfs: $*" >&2; exit 1; }

moddirs=("$KERNEL_DIR"/lib/modules/*/)
KVER=$(basename "${moddirs[0]}")
MODDIR=$KERNEL_DIR/lib/modules/$KVER
[ -f "$MODDIR/modules.dep" ] ||
	die "no $MODDIR/modules.dep (unpack with guests/linux/fetch-kernel.sh)"
[ -x $BUSYBOX ] || die "no $BUSYBOX: install busybox-static"
# A dynamically linked busybox would find no C library in the guest.
! ldd $BUSYBOX >/dev/null 2>&1 ||
	die "$BUSYBOX is dynamically linked: install busybox-static"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,dev,proc,sys,mnt,modules}

# busybox, reachable under every applet's name, for /init and for the
# reader's shell.
install_busybox() {
	cp $BUSYBOX "$ROOT/bin/busybox"
	for applet in $($BUSYBOX --list); do
		[ "$applet" = busybox ] || ln -s busybox "$ROOT/bin/$applet"
	done
}

# The module files modprobe would insmod for $1, in load order.
module_files() {
	modprobe -d "$KERNEL_DIR" -S "$KVER" --show-depends "$1" |
		awk '$1 == "insmod" { print $2 }'
}

# $1 and its hard dependencies, as modules.dep lists them for $1's file.
hard_dependencies() {
	local rel=${1#"$MODDIR"/}
	echo "$1"
	awk -v key="$rel:" -v dir="$MODDIR/" \
		'$1 == key { for (i = 2; i <= NF; i++) print dir $i }' \
		"$MODDIR/modules.dep"
}

# Copies a module into /modules, decompressed, and prints its new name.
copy_module() {
	local src=$1 name
	name=$(basename "$src")
	case $name in
	*.ko.xz)  name=${name%.xz};  xz -dc "$src" > "$ROOT/modules/$name" ;;
	*.ko.gz)  name=${name%.gz};  gzip -dc "$src" > "$ROOT/modules/$name" ;;
	*.ko.zst) name=${name%.zst}; zstd -qdc "$src" > "$ROOT/modules/$name" ;;
	*.ko)     cp "$src" "$ROOT/modules/$name" ;;
	*)        die "unexpected module file $src" ;;
	esac
	echo "$name"
}

# /modules/order: each module once, dependencies first; "optional" after
# those that only a soft dependency asked for.
install_modules() {
	local mod file name hard
	: > "$ROOT/modules/order"
	: > "$WORK/copied"
	for mod in $MODULES; do
		hard=$(module_files "$mod" | tail -1)
		[ -n "$hard" ] || continue      # built into this kernel
		hard=$(hard_dependencies "$hard")
		for file in $(module_files "$mod"); do
			grep -qxF "$file" "$WORK/copied" && continue
			echo "$file" >> "$WORK/copied"
			name=$(copy_module "$file")
			if grep -qxF "$file" <<< "$hard"; then
				echo "$name" >> "$ROOT/modules/order"
			else
				echo "$name optional" >> "$ROOT/modules/order"
			fi
		done
	done
}

install_busybox
install_modules
cp "$HERE/init" "$ROOT/init"
chmod 755 "$ROOT/init"

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -9n > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
