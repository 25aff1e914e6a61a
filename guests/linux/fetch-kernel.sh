#!/bin/bash
# fetch-kernel.sh - a distribution's x86-64 kernel and its modules,
# unpacked, never installed.
#
#   guests/linux/fetch-kernel.sh DEST_DIR
#
# DEST_DIR ends up holding boot/vmlinuz-VERSION (the bzImage chapter 6
# loads, Linux's boot protocol, Documentation/arch/x86/boot.rst) and
# lib/modules/VERSION/ with its modules.dep (the modules the guest's
# initramfs needs: distribution kernels build virtio and ext4 as
# modules), and DEST_DIR/.done once complete. The host's own kernel and
# boot loader are untouched. scripts/nested-kvm.sh boots the same kernel
# for its nested-KVM machine, so one download serves both.
#
# Where the kernel comes from, first match wins:
#  1. your own:
#     KERNEL=path/to/bzImage    with its modules from KERNEL_MODULES=
#                               path/lib/modules/VERSION, or found next
#                               to it (DIR/boot/vmlinuz-V -> DIR/lib/modules/V,
#                               so KERNEL=/boot/vmlinuz-$(uname -r) works)
#     KERNEL_DEB="file.deb..."  kernel package(s) handed out, e.g. at a
#                               workshop (Ubuntu's needs linux-image-* and
#                               linux-modules-*)
#  2. the distribution's own package, with apt-get download (which checks
#     it against the signed Release and Packages files): on Debian the
#     pinned package below if apt offers it, else the newest
#     linux-image-N-amd64; on Ubuntu the newest linux-image-N-generic or
#     linux-image-unsigned-N-generic, with its linux-modules-N-generic;
#  3. elsewhere (no apt): Debian's package over HTTPS, the pinned version
#     known to boot, or if the mirror no longer has it, the newest
#     bookworm kernel in Debian's Packages index. Its SHA-256 is checked
#     against the pin, or against the index.
#
# Downloads go to a cache outside build/, ${XDG_CACHE_HOME:-~/.cache}/kvmbook
# (KVMBOOK_CACHE overrides it), which make clean keeps: unpacking again
# downloads nothing, and a cached package is used when the machine is
# offline. Copying that directory to another machine pre-fetches it.
# KVMBOOK_DEBIAN_MIRROR (default https://deb.debian.org) points step 3
# at a local mirror.
#
# If DEST_DIR/.done exists this does nothing, unless KERNEL or
# KERNEL_DEB asks for something other than what was unpacked.
#
# Exit status: 0 done, 64 usage, 65 a download failed its checksum,
# 66 KERNEL/KERNEL_DEB/KERNEL_MODULES not usable, 69 no kernel to be had.
#
# Needs depmod (kmod, scripts/deps.sh linux), which writes the
# modules.dep that a package leaves to its install script; apt-get for
# step 2, curl and xz for step 3, and dpkg-deb or else ar and tar to
# unpack a package.
set -euo pipefail

# The kernel known to boot chapter 6 and the nested-KVM machine
# (Debian 12's, measured 2026-12-03): package, version, file, SHA-256.
PIN_PACKAGE=linux-image-6.1.0-57-amd64
PIN_VERSION=6.1.192-3
PIN_FILE=${PIN_PACKAGE}_${PIN_VERSION}_amd64.deb
# Its directories on a Debian mirror: the security archive first, then
# the main archive, where a point release moves it.
PIN_DIRS="debian-security/pool/updates/main/l/linux-signed-amd64
	debian/pool/main/l/linux-signed-amd64"
PIN_SHA256=14d219d01e1283261817d961dbb3895cb5b4288d0de10e0ba0632a0d993e15bf
# Where Debian 12's kernels are, for step 3: archive, suite.
DEBIAN_ARCHIVES="debian-security:bookworm-security debian:bookworm"

EX_USAGE=64
EX_DATAERR=65
EX_NOINPUT=66
EX_UNAVAILABLE=69

[ $# -eq 1 ] || { echo "usage: $0 DEST_DIR" >&2; exit $EX_USAGE; }
DEST=$1
CACHE=${KVMBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvmbook}
DEBS=$CACHE/debs
MIRROR=${KVMBOOK_DEBIAN_MIRROR:-https://deb.debian.org}
OS_RELEASE=${KVMBOOK_OS_RELEASE:-/etc/os-release}
# depmod lives in sbin, which a normal user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

say() { echo "fetch-kernel: $*" >&2; }
die() { local status=$1; shift; say "$*"; exit "$status"; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# debian, ubuntu or other, from os-release's ID and ID_LIKE.
distribution() {
	local ids
	# shellcheck disable=SC1090
	ids=$( [ -r "$OS_RELEASE" ] && . "$OS_RELEASE" && echo " ${ID:-} ${ID_LIKE:-} ")
	case ${ids:-} in
	*" ubuntu "*) echo ubuntu ;;
	*" debian "*) echo debian ;;
	*) echo other ;;
	esac
}

# ---- unpacking ----

# A .deb is an ar archive whose data.tar.* holds the files (deb(5)).
unpack_deb() {
	local deb=$1 dest=$2
	if have dpkg-deb; then
		dpkg-deb -x "$deb" "$dest"
		return
	fi
	local tmp member
	tmp=$(mktemp -d)
	member=$(ar t "$deb" | grep '^data\.tar') ||
		{ rm -rf "$tmp"; die $EX_DATAERR "$deb: not a Debian package"; }
	(cd "$tmp" && ar x "$deb" "$member")
	tar -xf "$tmp/$member" -C "$dest"
	rm -rf "$tmp"
}

# Newer packages put the modules under usr/lib/modules; the layout this
# script promises has lib/modules.
normalise_layout() {
	if [ ! -d "$DEST/lib/modules" ] && [ -d "$DEST/usr/lib/modules" ]; then
		mkdir -p "$DEST/lib"
		ln -s ../usr/lib/modules "$DEST/lib/modules"
	fi
}

# modules.dep for every module tree that lacks one.
run_depmod() {
	local moddir
	for moddir in "$DEST"/lib/modules/*/; do
		[ -d "$moddir" ] || continue
		[ -f "$moddir/modules.dep" ] || depmod -b "$DEST" "$(basename "$moddir")"
	done
}

# The kernel version in DEST, and a check that the layout is complete.
unpacked_version() {
	local images=("$DEST"/boot/vmlinuz-*) moddirs=("$DEST"/lib/modules/*/)
	[ -f "${images[0]}" ] || die $EX_DATAERR "no boot/vmlinuz-* in the package(s)"
	[ -d "${moddirs[0]}" ] ||
		die $EX_DATAERR "no lib/modules/VERSION in the package(s) (Ubuntu: add linux-modules-VERSION)"
	basename "${moddirs[0]%/}"
}

# Unpacks packages $@ into a fresh DEST.
unpack_debs() {
	rm -rf "$DEST"
	mkdir -p "$DEST"
	local deb
	for deb in "$@"; do unpack_deb "$deb" "$DEST"; done
	normalise_layout
	run_depmod
}

# Writes the stamp: the first line names the package (or file), the
# second how it was chosen, the third the kernel version.
finish() {
	local what=$1 source=$2 version
	version=$(unpacked_version)
	printf '%s\nsource: %s\nkernel: %s\n' "$what" "$source" "$version" > "$DEST/.done"
	say "kernel $version, from $source"
}

# ---- 1. the reader's own kernel ----

# The version string a bzImage carries (boot protocol 2.00+: the 16-bit
# kernel_version field at 0x20e is an offset from 0x200 to a
# NUL-terminated string such as "6.1.0-57-amd64 (debian-kernel@...) #1").
bzimage_version() {
	local image=$1 magic offset
	magic=$(dd if="$image" bs=1 skip=$((0x202)) count=4 2>/dev/null)
	[ "$magic" = HdrS ] || return 1
	offset=$(od -An -tu2 -j $((0x20e)) -N2 "$image" | tr -d ' ')
	[ -n "$offset" ] && [ "$offset" -gt 0 ] || return 1
	dd if="$image" bs=1 skip=$((0x200 + offset)) count=256 2>/dev/null |
		tr '\0' '\n' | awk 'NR == 1 { print $1 }'
}

# KERNEL_MODULES, or the modules directory that goes with the image.
find_modules() {
	local image=$1 version=$2 dir
	if [ -n "${KERNEL_MODULES:-}" ]; then
		[ -d "$KERNEL_MODULES" ] || die $EX_NOINPUT "KERNEL_MODULES=$KERNEL_MODULES: no such directory"
		echo "$KERNEL_MODULES"
		return
	fi
	dir=$(cd "$(dirname "$image")" && pwd)
	for candidate in "$dir/../lib/modules/$version" "$dir/lib/modules/$version" \
		"$dir/../usr/lib/modules/$version" "/lib/modules/$version"; do
		[ -d "$candidate" ] && { (cd "$candidate" && pwd); return; }
	done
	die $EX_NOINPUT "no modules for $version next to $image: set KERNEL_MODULES=path/lib/modules/$version"
}

from_bzimage() {
	local image=$1 version modules
	[ -f "$image" ] || die $EX_NOINPUT "KERNEL=$image: no such file (a bzImage)"
	version=$(bzimage_version "$image") ||
		die $EX_NOINPUT "KERNEL=$image is not a bzImage (no HdrS header)"
	modules=$(find_modules "$image" "$version")
	[ "$(basename "$modules")" = "$version" ] ||
		say "warning: $image is $version but its modules are $(basename "$modules")"
	rm -rf "$DEST"
	mkdir -p "$DEST/boot" "$DEST/lib/modules"
	cp "$image" "$DEST/boot/vmlinuz-$version"
	if [ -f "$modules/modules.dep" ]; then
		# Read-only use: link, do not copy a few hundred MB.
		ln -s "$modules" "$DEST/lib/modules/$(basename "$modules")"
	else
		cp -a "$modules" "$DEST/lib/modules/"
		run_depmod
	fi
	finish "$(basename "$image")" "KERNEL=$KERNEL"
}

from_debs() {
	local deb
	for deb in "$@"; do
		[ -f "$deb" ] || die $EX_NOINPUT "KERNEL_DEB: $deb: no such file"
		say "$deb: SHA-256 $(sha256 "$deb")"
	done
	unpack_debs "$@"
	finish "$(basename "$1" | cut -d_ -f1)" "KERNEL_DEB=$KERNEL_DEB"
}

# What the reader asked for, as .done's "source:" line records it.
requested_source() {
	if [ -n "${KERNEL:-}" ]; then echo "KERNEL=$KERNEL"
	elif [ -n "${KERNEL_DEB:-}" ]; then echo "KERNEL_DEB=$KERNEL_DEB"
	fi
}

# ---- 2. the distribution's package, through apt ----

# The candidate version's field $2 (Version, Filename, SHA256) for
# package $1, from the local package lists: no network.
apt_field() {
	{ apt-cache show --no-all-versions "$1" 2>/dev/null || true; } |
		sed -n "s/^$2: //p" | head -1
}

# The newest package whose name matches the extended regex $1.
apt_newest() {
	{ apt-cache pkgnames 2>/dev/null || true; } |
		{ grep -E "^$1\$" || true; } | sort -V | tail -1
}

# The packages to fetch on this distribution, one line.
apt_choice() {
	case $1 in
	debian)
		if [ "$(apt_field $PIN_PACKAGE Version)" = $PIN_VERSION ]; then
			echo $PIN_PACKAGE
		else
			apt_newest 'linux-image-[0-9.]+-[0-9]+-amd64'
		fi ;;
	ubuntu)
		# Signed and unsigned images hold the same kernel; either with
		# the modules package of its version.
		local image version
		image=$({ apt-cache pkgnames 2>/dev/null || true; } |
			{ grep -E '^linux-image-(unsigned-)?[0-9.]+-[0-9]+-generic$' || true; } |
			sed -E 's/^linux-image-(unsigned-)?(.*)$/\2 &/' | sort -V -k1,1 | tail -1)
		[ -n "$image" ] || return 0
		version=${image%% *}
		echo "${image#* } linux-modules-$version" ;;
	esac
}

# The cached file of package $1 (verified), downloading it if needed.
apt_fetch() {
	local pkg=$1 file sum cached tmp
	file=$(basename "$(apt_field "$pkg" Filename)")
	sum=$(apt_field "$pkg" SHA256)
	[ -n "$file" ] || die $EX_UNAVAILABLE "apt knows no $pkg"
	cached=$DEBS/$file
	if [ -f "$cached" ] && [ "$(sha256 "$cached")" = "$sum" ]; then
		say "$pkg: cached ($cached)"
		echo "$cached"
		return
	fi
	say "downloading $pkg with apt-get into $DEBS"
	mkdir -p "$DEBS"
	tmp=$(mktemp -d "$DEBS/.partial.XXXXXX")
	local sandbox=()
	# apt-get drops privileges to _apt, which cannot write here.
	[ "$(id -u)" != 0 ] || sandbox=(-o APT::Sandbox::User=root)
	if ! (cd "$tmp" && apt-get "${sandbox[@]}" download "$pkg" >&2); then
		rm -rf "$tmp"
		die $EX_UNAVAILABLE "apt-get download $pkg failed"
	fi
	mv "$tmp"/*.deb "$cached"
	rm -rf "$tmp"
	echo "$cached"
}

# The newest cached package of this distribution's kind, for offline use.
cached_newest() {
	local pattern
	case $1 in
	debian) pattern='linux-image-[0-9.]+-[0-9]+-amd64_.*\.deb' ;;
	ubuntu) pattern='linux-image-(unsigned-)?[0-9.]+-[0-9]+-generic_.*\.deb' ;;
	esac
	local deb
	for deb in "$DEBS"/*.deb; do basename "$deb"; done |
		{ grep -E "^$pattern\$" || true; } | sort -V | tail -1
}

# Fetches and unpacks through apt; returns 1 when apt offers no kernel.
from_apt() {
	local dist=$1 pkgs deb debs=()
	pkgs=$(apt_choice "$dist")
	if [ -z "$pkgs" ]; then
		deb=$(cached_newest "$dist")
		if [ -n "$deb" ] && [ "$dist" = debian ]; then
			say "apt knows no kernel package (no package lists?); using the cached $deb"
			unpack_debs "$DEBS/$deb"
			finish "${deb%%_*}" "cached $DEBS/$deb (offline)"
			return 0
		fi
		say "apt knows no kernel package yet: apt-get update"
		as_root apt-get update -q >&2 || true
		pkgs=$(apt_choice "$dist")
		[ -n "$pkgs" ] || return 1
	fi
	for pkg in $pkgs; do
		deb=$(apt_fetch "$pkg") || exit $?
		debs+=("$deb")
	done
	unpack_debs "${debs[@]}"
	local image=${pkgs%% *} name=Debian pinned=""
	[ "$dist" = debian ] || name=Ubuntu
	[ "$image" != $PIN_PACKAGE ] || pinned="pinned, "
	finish "$image" "$name's package $image $(apt_field "$image" Version) (${pinned}apt-get download, verified by apt)"
}

# ---- 3. Debian's package over HTTPS ----

# Downloads URL $1 to $2, with a progress bar on a terminal.
download() {
	local progress=(-sS)
	[ ! -t 2 ] || progress=(--progress-bar)
	have curl || die $EX_UNAVAILABLE "need curl to download $1 (scripts/deps.sh linux)"
	curl -fL --retry 2 "${progress[@]}" -o "$2" "$1"
}

# Fetches URL $1 into the cache as file $2 unless a file with SHA-256 $3
# is there; prints the cached path. Fails on a download error.
fetch_verified() {
	local url=$1 cached=$DEBS/$2 sum=$3 tmp
	if [ -f "$cached" ]; then
		if [ "$(sha256 "$cached")" = "$sum" ]; then
			say "cached: $cached"
			echo "$cached"
			return
		fi
		say "$cached: checksum mismatch, fetching it again"
	fi
	mkdir -p "$DEBS"
	tmp=$(mktemp "$DEBS/.partial.XXXXXX")
	say "downloading $url"
	download "$url" "$tmp" || { rm -f "$tmp"; return 1; }
	if [ "$(sha256 "$tmp")" != "$sum" ]; then
		rm -f "$tmp"
		die $EX_DATAERR "$url: SHA-256 mismatch (expected $sum): not used"
	fi
	mv "$tmp" "$cached"
	echo "$cached"
}

# "ABI Version Filename SHA256 BASE" for every linux-image-N-amd64 in
# Debian 12's Packages indexes (deb822 records, blank-line separated).
index_kernels() {
	local entry archive suite tmp
	tmp=$(mktemp)
	for entry in $DEBIAN_ARCHIVES; do
		archive=${entry%%:*}
		suite=${entry#*:}
		download "$MIRROR/$archive/dists/$suite/main/binary-amd64/Packages.xz" "$tmp" \
			2>/dev/null || continue
		xz -dc "$tmp" | awk -v base="$MIRROR/$archive" '
			/^Package: / { p = $2 } /^Version: / { v = $2 }
			/^Filename: / { f = $2 } /^SHA256: / { s = $2 }
			/^$/ { if (p ~ /^linux-image-[0-9.]+-[0-9]+-amd64$/) print p, v, f, s, base
			       p = v = f = s = "" }
			END { if (p ~ /^linux-image-[0-9.]+-[0-9]+-amd64$/) print p, v, f, s, base }'
	done
	rm -f "$tmp"
}

from_debian_https() {
	local deb line pkg version file sum base
	# The pin: from the cache, else its pool path (security archive first).
	local status
	for dir in $PIN_DIRS; do
		deb=$(fetch_verified "$MIRROR/$dir/$PIN_FILE" "$PIN_FILE" $PIN_SHA256) && {
			unpack_debs "$deb"
			finish $PIN_PACKAGE "pinned Debian package $PIN_PACKAGE $PIN_VERSION ($MIRROR, SHA-256 pinned)"
			return
		}
		status=$?
		# A corrupt or forged download is an error, not a reason to go on.
		[ $status != $EX_DATAERR ] || exit $status
	done
	say "the pinned $PIN_PACKAGE $PIN_VERSION is gone from $MIRROR; taking the newest Debian 12 kernel"
	line=$(index_kernels | sort -V -k1,1 -k2,2 | tail -1)
	[ -n "$line" ] || die $EX_UNAVAILABLE "no kernel from $MIRROR (offline?):" \
		"set KERNEL=path/to/bzImage or KERNEL_DEB=file.deb, or copy a kvmbook cache to $CACHE"
	read -r pkg version file sum base <<<"$line"
	deb=$(fetch_verified "$base/$file" "$(basename "$file")" "$sum") || {
		status=$?
		[ $status = $EX_DATAERR ] && exit $status
		die $EX_UNAVAILABLE "could not download $base/$file"
	}
	unpack_debs "$deb"
	finish "$pkg" "newest Debian 12 package $pkg $version ($MIRROR, SHA-256 from its Packages index)"
}

# ---- which ----

request=$(requested_source)
if [ -n "${KERNEL:-}" ] && [ -n "${KERNEL_DEB:-}" ]; then
	die $EX_USAGE "set KERNEL or KERNEL_DEB, not both"
fi
# KERNEL may hold the default DEST itself (scripts/nested-kvm.sh names
# its kernel directory so); that is no request.
if [ -n "${KERNEL:-}" ] && [ "$(readlink -f "$KERNEL")" = "$(readlink -f "$DEST")" ]; then
	request=""
	KERNEL=""
fi
if [ -f "$DEST/.done" ]; then
	[ -z "$request" ] && exit 0
	grep -qxF "source: $request" "$DEST/.done" && exit 0
fi

if [ -n "${KERNEL:-}" ]; then
	from_bzimage "$KERNEL"
elif [ -n "${KERNEL_DEB:-}" ]; then
	# A list of files: split on purpose.
	# shellcheck disable=SC2086
	from_debs $KERNEL_DEB
else
	dist=$(distribution)
	if [ "$dist" != other ] && have apt-get && from_apt "$dist"; then
		exit 0
	fi
	from_debian_https
fi
