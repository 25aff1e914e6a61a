#!/bin/bash
# test_deps.sh - scripts/deps.sh chooses by need and by distribution.
#
#   bash tests/scripts/test_deps.sh
#
# Each case runs deps.sh in a fake world: an os-release file written
# here (KVMBOOK_OS_RELEASE), a PATH holding only stub commands, a fake
# include directory (KVMBOOK_INCLUDE) and no sbin (KVMBOOK_SBIN). The
# stubs of apt-get, sudo, dnf, pacman, zypper and yum append their
# command line to a log, so a case can assert exactly which package
# manager ran with which packages, or that none ran. The apt-get stub
# "installs" a package by creating the stubs that package provides, so
# deps.sh's check after installing sees the result, as on a real machine.
set -u
cd "$(dirname "$0")/../.." || exit 1
DEPS=$PWD/scripts/deps.sh

checks=0
failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }
pass() { :; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- the fake world ----

# The world's helpers, in a file the apt-get stub sources too (it finds
# the world through FAKE_WORLD): stub NAME [BODY] writes a command that
# exits 0 (or runs BODY), provide PACKAGE writes what PACKAGE installs.
world_lib() {
	cat <<'LIB'
BIN=$FAKE_WORLD/bin
stub() {
	printf '#!/bin/sh\n%s\n' "${2:-exit 0}" > "$BIN/$1"
	chmod +x "$BIN/$1"
}
provide() {
	case $1 in
	linux-libc-dev)
		mkdir -p "$FAKE_WORLD/include/linux"
		: > "$FAKE_WORLD/include/linux/kvm.h" ;;
	# pkg-config knows check once check's .pc file is "installed".
	pkg-config) stub pkg-config \
		'[ "$*" = "--exists check" ] && [ -e "$FAKE_WORLD/check.pc" ]' ;;
	check) : > "$FAKE_WORLD/check.pc" ;;
	# clang links a fuzz target once libFuzzer is "installed".
	clang) stub clang \
		'case "$*" in *-fsanitize=fuzzer*) [ -e "$FAKE_WORLD/libfuzzer" ] ;; esac' ;;
	libclang-rt-dev) : > "$FAKE_WORLD/libfuzzer" ;;
	busybox-static) stub busybox; rm -f "$FAKE_WORLD/dynamic-busybox" ;;
	kmod) stub modprobe; stub depmod ;;
	e2fsprogs) stub mke2fs; stub debugfs ;;
	qemu-system-x86) stub qemu-system-x86_64 ;;
	*) stub "$1" ;;
	esac
}
LIB
}

ALL_PACKAGES="make gcc nasm linux-libc-dev pkg-config check clang libclang-rt-dev python3 pandoc
	busybox-static cpio kmod e2fsprogs curl qemu-system-x86"

# A fresh world: os-release content $1, everything installed.
world() {
	WORLD=$(mktemp -d "$TMP/world.XXXXXX")
	BIN=$WORLD/bin
	mkdir -p "$BIN"
	printf '%s\n' "$1" > "$WORLD/os-release"
	LOG=$WORLD/log
	: > "$LOG"
	export FAKE_WORLD=$WORLD
	world_lib > "$WORLD/lib.sh"
	# shellcheck disable=SC1091
	. "$WORLD/lib.sh"
	# The one real tool deps.sh runs besides the stubs.
	ln -s "$(command -v env)" "$BIN/env"
	# shellcheck disable=SC2016
	{
	stub id 'echo "${FAKE_UID:-0}"'
	# ldd succeeds only on a dynamically linked busybox.
	stub ldd '[ -e "$FAKE_WORLD/dynamic-busybox" ]'
	for pm in dnf pacman zypper yum; do
		stub $pm "echo \"$pm \$*\" >> \"\$FAKE_WORLD/log\""
	done
	stub sudo 'echo "sudo $*" >> "$FAKE_WORLD/log"; exec "$@"'
	stub apt-get 'echo "apt-get $*" >> "$FAKE_WORLD/log"
[ "$1" = install ] || exit 0
PATH=/usr/bin:/bin
. "$FAKE_WORLD/lib.sh"
for p in "$@"; do case $p in -*|install) ;; *) provide "$p" ;; esac; done'
	}
	for p in $ALL_PACKAGES; do provide "$p"; done
}

# Removes what a package provides.
without() {
	for p in "$@"; do
		case $p in
		linux-libc-dev) rm -f "$WORLD/include/linux/kvm.h" ;;
		check) rm -f "$WORLD/check.pc" ;;
		libclang-rt-dev) rm -f "$WORLD/libfuzzer" ;;
		busybox-static) rm -f "$BIN/busybox" ;;
		kmod) rm -f "$BIN/modprobe" "$BIN/depmod" ;;
		e2fsprogs) rm -f "$BIN/mke2fs" "$BIN/debugfs" ;;
		qemu-system-x86) rm -f "$BIN/qemu-system-x86_64" ;;
		*) rm -f "$BIN/$p" ;;
		esac
	done
}

# Runs deps.sh in the world; sets STATUS and OUT (stdout and stderr).
deps() {
	OUT=$(env -i PATH="$BIN" FAKE_WORLD="$WORLD" FAKE_UID="${FAKE_UID:-0}" \
		KVMBOOK_OS_RELEASE="$WORLD/os-release" \
		KVMBOOK_INCLUDE="$WORLD/include" KVMBOOK_SBIN= \
		/bin/sh "$DEPS" "$@" 2>&1)
	STATUS=$?
}

# ---- assertions ----

expect_status() {
	checks=$((checks + 1))
	[ "$STATUS" = "$1" ] || fail "$2: exit $STATUS, expected $1 (output: $OUT)"
}
expect_log() {
	checks=$((checks + 1))
	local want
	want=$(printf '%s\n' "$@")
	[ "$(cat "$LOG")" = "$want" ] ||
		fail "$CASE: package managers ran:
$(cat "$LOG")
expected:
$want"
}
expect_no_package_manager() {
	checks=$((checks + 1))
	[ ! -s "$LOG" ] || fail "$CASE: expected no package manager, ran: $(cat "$LOG")"
}
expect_output() {
	checks=$((checks + 1))
	case $OUT in *"$1"*) ;; *) fail "$CASE: output lacks '$1': $OUT" ;; esac
}
expect_quiet() {
	checks=$((checks + 1))
	[ -z "$OUT" ] || fail "$CASE: expected no output, got: $OUT"
}

DEBIAN='PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
ID=debian
VERSION_ID="12"'
UBUNTU='NAME="Ubuntu"
ID=ubuntu
ID_LIKE=debian
VERSION_ID="24.04"'
MINT='NAME="Linux Mint"
ID=linuxmint
ID_LIKE="ubuntu debian"'
FEDORA='NAME="Fedora Linux"
ID=fedora
VERSION_ID=41'
RHEL='NAME="Rocky Linux"
ID="rocky"
ID_LIKE="rhel centos fedora"'
ARCH='NAME="Arch Linux"
ID=arch'
TUMBLEWEED='NAME="openSUSE Tumbleweed"
ID="opensuse-tumbleweed"
ID_LIKE="opensuse suse"'
ALPINE='NAME="Alpine Linux"
ID=alpine'

# ---- everything present: nothing runs, nothing is said ----

for os in DEBIAN UBUNTU FEDORA ARCH TUMBLEWEED ALPINE; do
	for need in build test book linux nested all "build linux"; do
		CASE="all present on $os, deps.sh $need"
		world "${!os}"
		# shellcheck disable=SC2086
		deps $need
		expect_status 0 "$CASE"
		expect_no_package_manager
		expect_quiet
	done
done

# ---- a need asks only for its own tools ----

CASE="build on Debian without pandoc, clang or check"
world "$DEBIAN"
without pandoc clang check busybox-static
deps build
expect_status 0 "$CASE"
expect_no_package_manager

CASE="book on Debian without gcc or nasm"
world "$DEBIAN"
without gcc nasm
deps book
expect_status 0 "$CASE"
expect_no_package_manager

# ---- Debian and Ubuntu: apt-get installs exactly what is missing ----

CASE="build on Debian as root, nasm missing"
world "$DEBIAN"
without nasm
deps build
expect_status 0 "$CASE"
expect_log "apt-get update -q" \
	"apt-get install -y -q --no-install-recommends nasm"
expect_output "installing with apt-get: nasm"

CASE="test on Debian as root, several missing"
world "$DEBIAN"
without gcc check clang busybox-static e2fsprogs pandoc qemu-system-x86
deps test
expect_status 0 "$CASE"
expect_log "apt-get update -q" \
	"apt-get install -y -q --no-install-recommends gcc check clang libclang-rt-dev busybox-static e2fsprogs"

CASE="test on Debian: clang without libFuzzer (make test runs the fuzz targets)"
world "$DEBIAN"
without libclang-rt-dev
deps test
expect_status 0 "$CASE"
expect_log "apt-get update -q" \
	"apt-get install -y -q --no-install-recommends libclang-rt-dev"

CASE="build on Debian needs no libFuzzer"
world "$DEBIAN"
without libclang-rt-dev
deps build
expect_status 0 "$CASE"
expect_no_package_manager

CASE="test on Debian: a dynamically linked busybox counts as missing"
world "$DEBIAN"
touch "$WORLD/dynamic-busybox"
deps linux
expect_status 0 "$CASE"
expect_log "apt-get update -q" \
	"apt-get install -y -q --no-install-recommends busybox-static"

CASE="build on Ubuntu as a user, gcc and linux/kvm.h missing"
world "$UBUNTU"
without gcc linux-libc-dev
FAKE_UID=1000 deps build
expect_status 0 "$CASE"
expect_log "sudo apt-get update -q" "apt-get update -q" \
	"sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gcc linux-libc-dev" \
	"apt-get install -y -q --no-install-recommends gcc linux-libc-dev"

CASE="linux on Linux Mint (ID_LIKE ubuntu), kmod and cpio missing"
world "$MINT"
without kmod cpio curl
deps linux
expect_status 0 "$CASE"
expect_log "apt-get update -q" \
	"apt-get install -y -q --no-install-recommends cpio kmod"

CASE="nested on Debian: QEMU"
world "$DEBIAN"
without qemu-system-x86
deps nested
expect_status 0 "$CASE"
expect_log "apt-get update -q" \
	"apt-get install -y -q --no-install-recommends qemu-system-x86"

CASE="Debian as a user without sudo"
world "$DEBIAN"
without nasm
rm "$BIN/sudo"
FAKE_UID=1000 deps build
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "as root, run: apt-get install nasm"

CASE="Debian, apt-get installs but the tool is still not there"
world "$DEBIAN"
without nasm
# shellcheck disable=SC2016
stub apt-get 'echo "apt-get $*" >> "$FAKE_WORLD/log"'
deps build
expect_status 69 "$CASE"
expect_output "still missing: nasm"

# ---- elsewhere: the exact command, nothing run, non-zero ----

CASE="book on Fedora, pandoc missing"
world "$FEDORA"
without pandoc
deps book
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "sudo dnf install -y pandoc"

CASE="test on Fedora, several missing"
world "$FEDORA"
without pkg-config check linux-libc-dev busybox-static curl
deps test
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "sudo dnf install -y kernel-headers pkgconf-pkg-config check-devel busybox curl"

CASE="test on Fedora, libFuzzer missing"
world "$FEDORA"
without libclang-rt-dev
deps test
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "sudo dnf install -y compiler-rt"

CASE="build on Rocky Linux (ID_LIKE rhel): dnf, and a word on EPEL"
world "$RHEL"
without nasm
deps build
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "sudo dnf install -y nasm"
expect_output "EPEL"

CASE="test on Arch, several missing"
world "$ARCH"
without pkg-config check python3 kmod
deps test
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "sudo pacman -S --needed pkgconf check python kmod"

CASE="all on Arch, pandoc and the headers missing"
world "$ARCH"
without pandoc linux-libc-dev
deps all
expect_status 69 "$CASE"
expect_output "sudo pacman -S --needed linux-api-headers pandoc-cli"

CASE="nested on openSUSE Tumbleweed, a dynamic busybox and no QEMU"
world "$TUMBLEWEED"
touch "$WORLD/dynamic-busybox"
without qemu-system-x86 e2fsprogs
deps nested
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "sudo zypper install qemu-x86 busybox-static e2fsprogs"

CASE="test on openSUSE, the headers and check missing"
world "$TUMBLEWEED"
without linux-libc-dev check
deps test
expect_status 69 "$CASE"
expect_output "sudo zypper install linux-glibc-devel check-devel"

CASE="unknown distribution: a list of what is missing"
world "$ALPINE"
without nasm check
deps test
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "unknown distribution"
expect_output "  nasm"
expect_output "the check unit-test library"

CASE="no os-release at all: unknown"
world ""
rm "$WORLD/os-release"
without gcc
deps build
expect_status 69 "$CASE"
expect_no_package_manager
expect_output "unknown distribution"

# ---- usage ----

CASE="no need named"
world "$DEBIAN"
deps
expect_status 64 "$CASE"
CASE="an unknown need"
deps build typo
expect_status 64 "$CASE"
expect_no_package_manager

echo "test_deps: $checks checks, $failures failures"
[ "$failures" = 0 ]
