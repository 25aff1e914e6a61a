#!/bin/bash
# mkdisk.sh - the disk image chapter 6's Linux guest finds on /dev/vda.
#
#   guests/linux/mkdisk.sh OUT.img
#
# An 8 MiB ext4 file system holding one file, hello.txt, whose line
# "hello from the virtio disk" the guest's /init prints as
#   kvmbook-init: disk says: hello from the virtio disk
# and a test can read back the guest's /written.txt from it afterwards
# (debugfs -R 'cat /written.txt' OUT.img). The guest reaches it through
# the VMM's virtio-blk device (--disk OUT.img) and Debian's ext4 module.
#
# mke2fs -d copies a directory into the new file system, so making it
# needs no root, no loop device and no mount; debugfs then gives the
# file to root. 256-byte inodes keep timestamps good past 2038 (and the
# kernel quiet about it). Needs e2fsprogs (scripts/deps.sh installs it).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT.img" >&2; exit 64; }
OUT=$1
SIZE=8M

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/files"
echo "hello from the virtio disk" > "$WORK/files/hello.txt"

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT.tmp"
truncate -s $SIZE "$OUT.tmp"
mke2fs -q -t ext4 -I 256 -L kvmbook -E root_owner=0:0 \
	-d "$WORK/files" -F "$OUT.tmp" $SIZE
# mke2fs -d keeps the files' owner, whoever ran this; the guest's root
# should own them.
printf 'set_inode_field /hello.txt %s 0\n' uid gid |
	debugfs -w -f - "$OUT.tmp" > /dev/null 2>&1
mv "$OUT.tmp" "$OUT"
