#!/bin/sh
# deps.sh - install the Debian packages kvmbook needs, if any are missing.
#
#   scripts/deps.sh     packages to build, run and test, and pandoc,
#                       which renders the book (its tool's self-test too)
#
# busybox-static, cpio, kmod and e2fsprogs build chapter 6's Linux guest
# (guests/linux/): its initramfs, its kernel modules' load order and its
# ext4 disk image.
#
# Runs apt-get through sudo when not root. Does nothing when all is there,
# so `make run` and `make test` can call it every time.
set -eu

packages="make gcc clang nasm check pkg-config python3 linux-libc-dev pandoc
	busybox-static cpio kmod e2fsprogs"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "kvmbook: installing:$missing"
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || {
		echo "kvmbook: need root or sudo to install:$missing" >&2
		exit 1
	}
	sudo=sudo
fi
$sudo apt-get update -q
# $missing is a list of package names: split it on purpose.
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
