#!/bin/bash
# fetch-kernel.sh - Debian's own x86-64 kernel, unpacked, never installed.
#
#   guests/linux/fetch-kernel.sh DEST_DIR
#
# Chapter 6 boots a real distribution kernel, the one a Debian machine
# runs: the newest linux-image-<version>-amd64 package the package
# registry offers. This script downloads that package with apt-get
# download and unpacks it into DEST_DIR with dpkg-deb -x, so DEST_DIR
# holds boot/vmlinuz-VERSION (the bzImage chapter 6 loads) and
# lib/modules/VERSION/ (the modules the guest's initramfs needs:
# Debian builds virtio and ext4 as modules). Nothing is installed: the
# host's own kernel and boot loader are untouched.
#
# scripts/nested-kvm.sh uses the same kernel for its nested-KVM machine,
# so one download serves both.
#
# Idempotent: DEST_DIR/.done marks a complete unpack, and then this does
# nothing. Runs `apt-get update` (as root, through sudo when needed) only
# when no such package is known yet. Needs apt-get and dpkg-deb, which
# every Debian machine has, and depmod (package kmod, scripts/deps.sh),
# which writes the modules.dep that Debian's package leaves to its
# install script.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DEST_DIR" >&2; exit 64; }
DEST=$1

say() { echo "fetch-kernel: $*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The newest linux-image-VERSION-ABI-amd64 the package lists know of
# (not the linux-image-amd64 meta-package, nor signed/cloud/rt variants).
newest_kernel_package() {
	apt-cache pkgnames linux-image- |
		grep -E '^linux-image-[0-9.]+-[0-9]+-amd64$' | sort -V | tail -1
}

[ -f "$DEST/.done" ] && exit 0

pkg=$(newest_kernel_package)
if [ -z "$pkg" ]; then
	as_root apt-get update -q >&2
	pkg=$(newest_kernel_package)
fi
[ -n "$pkg" ] || { say "no linux-image-*-amd64 package found"; exit 69; }

say "downloading $pkg (unpacked into $DEST, not installed)"
rm -rf "$DEST"
mkdir -p "$DEST"
deb=$(mktemp -d "$(dirname "$DEST")/.fetch-kernel.XXXXXX")
trap 'rm -rf "$deb"' EXIT
(cd "$deb" && apt-get download -q "$pkg" >&2)
dpkg-deb -x "$deb"/*.deb "$DEST"
# The package leaves modules.dep to its install script; make it here, so
# `modprobe -d DEST` can resolve a module's dependencies.
for moddir in "$DEST"/lib/modules/*/; do
	depmod -b "$DEST" "$(basename "$moddir")"
done
echo "$pkg" > "$DEST/.done"
