#!/bin/bash
# test_fetch_kernel.sh - where guests/linux/fetch-kernel.sh takes the
# kernel from, offline.
#
#   bash tests/scripts/test_fetch_kernel.sh
#
# The kernels are fakes made here: a 4 KiB "bzImage" that has just the
# boot protocol header fields fetch-kernel.sh reads (the HdrS magic at
# 0x202, kernel_version at 0x20e), inside .deb packages built with ar
# and tar (deb(5)). apt-cache and apt-get are stubs that serve those
# packages from a fake package list and record their command lines; the
# "Debian mirror" of the no-apt path is a file:// directory with a
# Packages.xz index, fetched by the real curl. Every case has its own
# cache (KVMBOOK_CACHE) and os-release (KVMBOOK_OS_RELEASE).
set -u
cd "$(dirname "$0")/../.." || exit 1
FETCH=$PWD/guests/linux/fetch-kernel.sh

for tool in ar tar xz curl depmod sha256sum; do
	PATH=$PATH:/usr/sbin:/sbin command -v $tool >/dev/null ||
		{ echo "test_fetch_kernel: needs $tool"; exit 1; }
done

checks=0
failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $CASE: $*"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- fake kernels and packages ----

# bzimage FILE VERSION: zeros, the header magic, the version string.
bzimage() {
	head -c 4096 /dev/zero > "$1"
	printf 'HdrS' | dd of="$1" bs=1 seek=$((0x202)) conv=notrunc 2>/dev/null
	# kernel_version = 0x100: the string is at 0x200 + 0x100.
	printf '\000\001' | dd of="$1" bs=1 seek=$((0x20e)) conv=notrunc 2>/dev/null
	printf '%s (test@kvmbook) #1 SMP\000' "$2" |
		dd of="$1" bs=1 seek=$((0x300)) conv=notrunc 2>/dev/null
}

# A module tree as a package ships it (modules.dep is depmod's job).
module_tree() {
	mkdir -p "$1/kernel/drivers"
	: > "$1/modules.order"
	: > "$1/modules.builtin"
	: > "$1/modules.builtin.modinfo"
}

# mkdeb OUT.deb PACKAGE VERSION [image] [modules]: a package with
# boot/vmlinuz-VERSION and/or lib/modules/VERSION.
mkdeb() {
	local out=$1 pkg=$2 version=$3 work
	shift 3
	work=$(mktemp -d "$TMP/deb.XXXXXX")
	mkdir -p "$work/data" "$work/control"
	for part in "$@"; do
		case $part in
		image) mkdir -p "$work/data/boot"
			bzimage "$work/data/boot/vmlinuz-$version" "$version" ;;
		modules) module_tree "$work/data/lib/modules/$version" ;;
		esac
	done
	printf 'Package: %s\nVersion: 1\nArchitecture: amd64\n' "$pkg" > "$work/control/control"
	echo 2.0 > "$work/debian-binary"
	tar -C "$work/control" -czf "$work/control.tar.gz" .
	tar -C "$work/data" -cJf "$work/data.tar.xz" .
	(cd "$work" && ar rc "$out" debian-binary control.tar.gz data.tar.xz)
	rm -rf "$work"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

DEBS=$TMP/debs
mkdir -p "$DEBS"
mkdeb "$DEBS/linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb" linux-image-6.1.0-57-amd64 \
	6.1.0-57-amd64 image modules
mkdeb "$DEBS/linux-image-6.1.0-60-amd64_6.1.200-1_amd64.deb" linux-image-6.1.0-60-amd64 \
	6.1.0-60-amd64 image modules
mkdeb "$DEBS/linux-image-unsigned-6.8.0-51-generic_6.8.0-51.52_amd64.deb" \
	linux-image-unsigned-6.8.0-51-generic 6.8.0-51-generic image
mkdeb "$DEBS/linux-modules-6.8.0-51-generic_6.8.0-51.52_amd64.deb" \
	linux-modules-6.8.0-51-generic 6.8.0-51-generic modules
mkdeb "$DEBS/linux-image-6.1.0-55-amd64_6.1.180-1_amd64.deb" linux-image-6.1.0-55-amd64 \
	6.1.0-55-amd64 image modules
mkdeb "$DEBS/handout.deb" linux-image-7.0.0-1-amd64 7.0.0-1-amd64 image modules

# ---- stubs: apt-cache, apt-get and sudo serve $APT_LIST ----

STUBS=$TMP/stubs
mkdir -p "$STUBS"
# The package list: "PACKAGE VERSION FILE" lines, FILE in $DEBS.
# shellcheck disable=SC2016
{
printf '#!/bin/bash\n%s\n' 'echo "apt-cache $*" >> "$STUB_LOG"
case $1 in
pkgnames) cut -d" " -f1 "$APT_LIST" ;;
show) pkg=${!#}
	read -r p v f < <(grep "^$pkg " "$APT_LIST") || exit 100
	printf "Package: %s\nVersion: %s\nFilename: pool/main/l/x/%s\nSHA256: %s\n\n" \
		"$p" "$v" "$f" "$(sha256sum "$FAKE_DEBS/$f" | cut -d" " -f1)" ;;
esac' > "$STUBS/apt-cache"
printf '#!/bin/bash\n%s\n' 'echo "apt-get $*" >> "$STUB_LOG"
[ "${!#}" != update ] || exit 0
pkg=${!#}
f=$(grep "^$pkg " "$APT_LIST" | cut -d" " -f3)
[ -n "$f" ] && cp "$FAKE_DEBS/$f" .' > "$STUBS/apt-get"
printf '#!/bin/sh\necho "sudo $*" >> "$STUB_LOG"; exec "$@"\n' > "$STUBS/sudo"
}
chmod +x "$STUBS"/*

DEBIAN='ID=debian'
UBUNTU=$'ID=ubuntu\nID_LIKE=debian'
FEDORA='ID=fedora'

# setup OS-RELEASE-TEXT [APT-LIST-LINES...]: a fresh case.
setup() {
	W=$(mktemp -d "$TMP/case.XXXXXX")
	printf '%s\n' "$1" > "$W/os-release"
	shift
	printf '%s\n' "$@" > "$W/apt-list"
	: > "$W/log"
	DEST=$W/build/linux/kernel
	mkdir -p "$W/mirror"
}

# fetch [VAR=VALUE...]: runs fetch-kernel.sh DEST; sets STATUS and OUT.
fetch() {
	OUT=$(env -u KERNEL -u KERNEL_DEB -u KERNEL_MODULES PATH="$STUBS:$PATH" STUB_LOG="$W/log" APT_LIST="$W/apt-list" FAKE_DEBS="$DEBS" \
		KVMBOOK_OS_RELEASE="$W/os-release" KVMBOOK_CACHE="$W/cache" \
		KVMBOOK_DEBIAN_MIRROR="file://$W/mirror" "$@" \
		bash "$FETCH" "$DEST" 2>&1)
	STATUS=$?
}

expect_status() {
	checks=$((checks + 1))
	[ "$STATUS" = "$1" ] || fail "exit $STATUS, expected $1: $OUT"
}
expect_output() {
	checks=$((checks + 1))
	case $OUT in *"$1"*) ;; *) fail "output lacks '$1': $OUT" ;; esac
}
expect_log() {
	checks=$((checks + 1))
	grep -qF -- "$1" "$W/log" || fail "no '$1' in the stub log: $(cat "$W/log")"
}
expect_not_in_log() {
	checks=$((checks + 1))
	! grep -qF -- "$1" "$W/log" || fail "'$1' ran: $(cat "$W/log")"
}
# The layout scripts/nested-kvm.sh and the Makefile rely on.
expect_kernel() {
	checks=$((checks + 1))
	[ -f "$DEST/boot/vmlinuz-$1" ] || fail "no boot/vmlinuz-$1"
	checks=$((checks + 1))
	[ -f "$DEST/lib/modules/$1/modules.dep" ] || fail "no lib/modules/$1/modules.dep"
	checks=$((checks + 1))
	grep -qx "kernel: $1" "$DEST/.done" 2>/dev/null || fail ".done lacks 'kernel: $1'"
	expect_output "kernel $1, from"
}

# ---- 1. the reader's own kernel ----

CASE="KERNEL_DEB: the handed-out package, no apt"
setup "$DEBIAN" "linux-image-6.1.0-57-amd64 6.1.192-3 linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb"
fetch KERNEL_DEB="$DEBS/handout.deb"
expect_status 0
expect_kernel 7.0.0-1-amd64
expect_output "SHA-256 $(sha "$DEBS/handout.deb")"
expect_not_in_log apt-get

CASE="KERNEL_DEB again: nothing redone"
touch "$DEST/marker"
fetch KERNEL_DEB="$DEBS/handout.deb"
expect_status 0
checks=$((checks + 1))
[ -e "$DEST/marker" ] || fail "unpacked again"

CASE="KERNEL_DEB changed: unpacked again"
fetch KERNEL_DEB="$DEBS/linux-image-6.1.0-60-amd64_6.1.200-1_amd64.deb"
expect_status 0
expect_kernel 6.1.0-60-amd64
checks=$((checks + 1))
[ ! -e "$DEST/marker" ] || fail "the old unpack is still there"

CASE="KERNEL_DEB: Ubuntu's image and modules packages together"
setup "$UBUNTU"
fetch KERNEL_DEB="$DEBS/linux-image-unsigned-6.8.0-51-generic_6.8.0-51.52_amd64.deb $DEBS/linux-modules-6.8.0-51-generic_6.8.0-51.52_amd64.deb"
expect_status 0
expect_kernel 6.8.0-51-generic

CASE="KERNEL_DEB: an image without its modules"
setup "$UBUNTU"
fetch KERNEL_DEB="$DEBS/linux-image-unsigned-6.8.0-51-generic_6.8.0-51.52_amd64.deb"
expect_status 65
expect_output "linux-modules"

CASE="KERNEL_DEB: no such file"
setup "$DEBIAN"
fetch KERNEL_DEB="$TMP/none.deb"
expect_status 66

CASE="KERNEL=bzImage, modules found next to it (DIR/boot, DIR/lib/modules)"
setup "$DEBIAN" "linux-image-6.1.0-57-amd64 6.1.192-3 linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb"
own=$W/own
mkdir -p "$own/boot"
bzimage "$own/boot/vmlinuz-6.9.0-mine" 6.9.0-mine
module_tree "$own/lib/modules/6.9.0-mine"
fetch KERNEL="$own/boot/vmlinuz-6.9.0-mine"
expect_status 0
expect_kernel 6.9.0-mine
expect_not_in_log apt
expect_output "from KERNEL=$own/boot/vmlinuz-6.9.0-mine"

CASE="KERNEL=bzImage whose modules already have modules.dep: linked, not copied"
setup "$DEBIAN"
cp -r "$own" "$W/own2"
depmod -b "$W/own2" 6.9.0-mine 2>/dev/null
fetch KERNEL="$W/own2/boot/vmlinuz-6.9.0-mine"
expect_status 0
expect_kernel 6.9.0-mine
checks=$((checks + 1))
[ -L "$DEST/lib/modules/6.9.0-mine" ] || fail "modules copied, not linked"

CASE="KERNEL=bzImage (a build tree's arch/x86/boot/bzImage) with KERNEL_MODULES"
setup "$DEBIAN"
mkdir -p "$W/src/arch/x86/boot"
bzimage "$W/src/arch/x86/boot/bzImage" 6.9.1
module_tree "$W/staging/lib/modules/6.9.1"
fetch KERNEL="$W/src/arch/x86/boot/bzImage" KERNEL_MODULES="$W/staging/lib/modules/6.9.1"
expect_status 0
expect_kernel 6.9.1

CASE="KERNEL=bzImage without modules"
setup "$DEBIAN"
fetch KERNEL="$W/src/arch/x86/boot/bzImage"
mkdir -p "$W/src/arch/x86/boot"
bzimage "$W/src/arch/x86/boot/bzImage" 6.9.2
fetch KERNEL="$W/src/arch/x86/boot/bzImage"
expect_status 66
expect_output "set KERNEL_MODULES=path/lib/modules/6.9.2"

CASE="KERNEL= a file that is no bzImage"
setup "$DEBIAN"
head -c 4096 /dev/zero > "$W/zeros"
fetch KERNEL="$W/zeros"
expect_status 66
expect_output "is not a bzImage"

CASE="KERNEL and KERNEL_DEB both"
fetch KERNEL="$W/zeros" KERNEL_DEB="$DEBS/handout.deb"
expect_status 64

# ---- 2. the distribution's package ----

PIN57="linux-image-6.1.0-57-amd64 6.1.192-3 linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb"
NEW60="linux-image-6.1.0-60-amd64 6.1.200-1 linux-image-6.1.0-60-amd64_6.1.200-1_amd64.deb"

CASE="Debian, apt offers the pinned version: that one"
setup "$DEBIAN" "$NEW60" "$PIN57"
fetch
expect_status 0
expect_kernel 6.1.0-57-amd64
expect_log "download linux-image-6.1.0-57-amd64"
expect_output "Debian's package linux-image-6.1.0-57-amd64 6.1.192-3 (pinned, apt-get download"
checks=$((checks + 1))
[ -f "$W/cache/debs/linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb" ] || fail "not in the cache"

CASE="Debian, unpacked again from the cache: no download"
rm -rf "$W/build"
: > "$W/log"
fetch
expect_status 0
expect_kernel 6.1.0-57-amd64
expect_not_in_log "apt-get"
expect_output "cached"

CASE="Debian, a corrupt cached package: downloaded again"
rm -rf "$W/build"
echo garbage > "$W/cache/debs/linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb"
: > "$W/log"
fetch
expect_status 0
expect_kernel 6.1.0-57-amd64
expect_log "download linux-image-6.1.0-57-amd64"

CASE="Debian, .done present: nothing at all"
: > "$W/log"
fetch
expect_status 0
checks=$((checks + 1))
[ ! -s "$W/log" ] || fail "apt ran: $(cat "$W/log")"

CASE="Debian, KERNEL names DEST itself (scripts/nested-kvm.sh): no request"
fetch KERNEL="$DEST"
expect_status 0
checks=$((checks + 1))
[ ! -s "$W/log" ] || fail "apt ran: $(cat "$W/log")"

CASE="Debian, the pin gone from apt: the newest"
setup "$DEBIAN" "linux-image-6.1.0-57-amd64 6.1.190-1 linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb" "$NEW60"
fetch
expect_status 0
expect_kernel 6.1.0-60-amd64
expect_log "download linux-image-6.1.0-60-amd64"

CASE="KERNEL_DEB beats the distribution's package"
setup "$DEBIAN" "$PIN57"
fetch KERNEL_DEB="$DEBS/handout.deb"
expect_status 0
expect_not_in_log apt

CASE="Ubuntu: the newest generic image, signed or unsigned, and its modules"
setup "$UBUNTU" \
	"linux-image-6.8.0-50-generic 6.8.0-50.51 linux-image-unsigned-6.8.0-51-generic_6.8.0-51.52_amd64.deb" \
	"linux-image-unsigned-6.8.0-51-generic 6.8.0-51.52 linux-image-unsigned-6.8.0-51-generic_6.8.0-51.52_amd64.deb" \
	"linux-image-6.8.0-9-generic 6.8.0-9.9 linux-image-unsigned-6.8.0-51-generic_6.8.0-51.52_amd64.deb" \
	"linux-modules-6.8.0-51-generic 6.8.0-51.52 linux-modules-6.8.0-51-generic_6.8.0-51.52_amd64.deb" \
	"linux-image-6.1.0-60-amd64 6.1.200-1 linux-image-6.1.0-60-amd64_6.1.200-1_amd64.deb"
fetch
expect_status 0
expect_kernel 6.8.0-51-generic
expect_log "download linux-image-unsigned-6.8.0-51-generic"
expect_log "download linux-modules-6.8.0-51-generic"
expect_not_in_log "download linux-image-6.1.0-60-amd64"

CASE="Debian, no package lists but a cached kernel: offline, no apt-get update"
setup "$DEBIAN" ""
mkdir -p "$W/cache/debs"
cp "$DEBS/linux-image-6.1.0-60-amd64_6.1.200-1_amd64.deb" "$W/cache/debs/"
fetch
expect_status 0
expect_kernel 6.1.0-60-amd64
expect_not_in_log "update"
expect_output "offline"

CASE="Debian, no package lists, no cache, no network: apt-get update, then a clear failure"
setup "$DEBIAN" ""
fetch
expect_status 69
expect_log "apt-get update"
expect_output "set KERNEL=path/to/bzImage or KERNEL_DEB=file.deb"

# ---- 3. no apt: Debian's package over HTTPS (here file://) ----

# index ARCHIVE SUITE "PACKAGE VERSION FILE [SHA]"...: a Packages.xz.
index() {
	local archive=$W/mirror/$1 dir=$W/mirror/$1/dists/$2/main/binary-amd64 entry p v f s
	mkdir -p "$dir" "$archive/pool/main/l/linux-signed-amd64"
	shift 2
	for entry in "$@"; do
		read -r p v f s <<<"$entry"
		cp "$DEBS/$f" "$archive/pool/main/l/linux-signed-amd64/"
		printf 'Package: %s\nVersion: %s\nFilename: pool/main/l/linux-signed-amd64/%s\nSHA256: %s\n\n' \
			"$p" "$v" "$f" "${s:-$(sha "$DEBS/$f")}"
	done | xz > "$dir/Packages.xz"
}

CASE="Fedora: the pin gone from the mirror, the newest from the index"
setup "$FEDORA"
index debian-security bookworm-security "$NEW60"
index debian bookworm "linux-image-6.1.0-55-amd64 6.1.180-1 linux-image-6.1.0-55-amd64_6.1.180-1_amd64.deb"
fetch
expect_status 0
expect_kernel 6.1.0-60-amd64
expect_output "newest Debian 12 package linux-image-6.1.0-60-amd64 6.1.200-1"
expect_not_in_log apt
checks=$((checks + 1))
[ -f "$W/cache/debs/linux-image-6.1.0-60-amd64_6.1.200-1_amd64.deb" ] || fail "not cached"

CASE="Fedora: a download that does not match the index's SHA-256"
setup "$FEDORA"
index debian-security bookworm-security "$NEW60 0000000000000000000000000000000000000000000000000000000000000000"
fetch
expect_status 65
expect_output "SHA-256 mismatch"
checks=$((checks + 1))
[ ! -e "$W/cache/debs/linux-image-6.1.0-60-amd64_6.1.200-1_amd64.deb" ] || fail "kept in the cache"

CASE="Fedora: a cached pin that fails its checksum is not used"
setup "$FEDORA"
index debian-security bookworm-security "$NEW60"
mkdir -p "$W/cache/debs"
cp "$DEBS/linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb" "$W/cache/debs/"
fetch
expect_status 0
expect_output "checksum mismatch"
expect_kernel 6.1.0-60-amd64

CASE="Fedora: a file named like the pin on the mirror, with other content"
setup "$FEDORA"
index debian bookworm "linux-image-6.1.0-57-amd64 6.1.192-3 linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb"
fetch
expect_status 65
expect_output "SHA-256 mismatch (expected 14d219d0"

CASE="Fedora, offline, nothing cached"
setup "$FEDORA"
fetch
expect_status 69
expect_output "offline?"

# Without dpkg-deb (Fedora, Arch): the package unpacked with ar and tar.
CASE="no dpkg-deb: ar and tar"
setup "$FEDORA"
index debian bookworm "$NEW60"
NODPKG=$W/nodpkg
mkdir -p "$NODPKG"
for tool in bash sh env id sha256sum cut mkdir rm mktemp ar grep tar xz ln basename \
	depmod cp dd od tr awk dirname readlink sed sort tail head mv curl cat; do
	real=$(PATH=$PATH:/usr/sbin:/sbin command -v $tool) && ln -s "$real" "$NODPKG/$tool"
done
fetch PATH="$NODPKG"
expect_status 0
expect_kernel 6.1.0-60-amd64

echo "test_fetch_kernel: $checks checks, $failures failures"
[ "$failures" = 0 ]
