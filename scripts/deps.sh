#!/bin/sh
# deps.sh - make sure the tools a kvmbook target needs are there.
#
#   scripts/deps.sh NEED...
#
# NEED is what the caller is about to do:
#   build    compile the VMMs and assemble the guests: make, gcc, nasm
#            and the kernel's <linux/kvm.h> (every target needs these)
#   test     build, plus check (found through pkg-config), clang with
#            libFuzzer (make test runs the fuzz targets of fuzz/, built
#            with -fsanitize=fuzzer), python3 and everything `linux`
#            needs (make test boots it)
#   book     render the book: python3 and pandoc
#   linux    chapter 6's Linux guest: a statically linked busybox, cpio,
#            kmod (modprobe, depmod), e2fsprogs (mke2fs, debugfs); off
#            Debian and Ubuntu also curl, which fetches the kernel
#   nested   nested KVM (scripts/nested-kvm.sh): QEMU, and the `linux` tools
#   all      build, test and book (what `make deps` asks for)
#
# Presence is decided by what a target actually runs (command -v gcc,
# pkg-config --exists check, the header file), not by asking a package
# database, so tools built from source or installed any other way count.
# When everything is there this prints nothing, installs nothing and
# runs no package manager: `make run` calls it every time.
#
# When something is missing, the distribution named in /etc/os-release
# (ID and ID_LIKE) decides what happens:
#   Debian, Ubuntu and their derivatives: apt-get installs the missing
#     packages (through sudo when not root);
#   Fedora/RHEL, Arch, openSUSE: the exact dnf, pacman or zypper command
#     for the missing packages is printed, and nothing is run;
#   anything else: the missing commands and files are listed.
#
# Exit status: 0 everything present (or now installed), 64 usage,
# 69 something is still missing.
#
# Environment, for tests: KVMBOOK_OS_RELEASE (the os-release file),
# KVMBOOK_INCLUDE (where <linux/kvm.h> is looked for, default /usr/include),
# KVMBOOK_SBIN (directories searched after PATH for modprobe, depmod,
# mke2fs and debugfs, default /usr/sbin:/sbin: a normal user's PATH on
# Debian leaves them out).
set -u

# os-release(5): /etc/os-release, else /usr/lib/os-release.
OS_RELEASE=/etc/os-release
[ -e $OS_RELEASE ] || OS_RELEASE=/usr/lib/os-release
OS_RELEASE=${KVMBOOK_OS_RELEASE:-$OS_RELEASE}
INCLUDE=${KVMBOOK_INCLUDE:-/usr/include}
SBIN=${KVMBOOK_SBIN-/usr/sbin:/sbin}

EX_USAGE=64
EX_UNAVAILABLE=69

say() { echo "kvmbook deps: $*" >&2; }

usage() {
	echo "usage: $0 build|test|book|linux|nested|all..." >&2
	exit $EX_USAGE
}

# ---- which distribution: one of apt, dnf, pacman, zypper, unknown ----

# ID and ID_LIKE, read in a subshell: os-release is a shell fragment by
# definition (os-release(5)), but it must not set our variables.
os_ids() {
	[ -r "$OS_RELEASE" ] || return 0
	# shellcheck disable=SC1090
	(. "$OS_RELEASE" && echo "${ID:-} ${ID_LIKE:-}")
}

family() {
	for id in $(os_ids); do
		case $id in
		debian | ubuntu) echo apt; return ;;
		fedora | rhel | centos) echo dnf; return ;;
		arch | archlinux) echo pacman; return ;;
		suse | opensuse | opensuse-*) echo zypper; return ;;
		esac
	done
	echo unknown
}

# ---- the pieces a need consists of, and how to tell each is there ----

# One word per piece; `present` tests it, `package` names it.
pieces_of() {
	case $1 in
	build) echo make gcc nasm kvm-header ;;
	test) echo make gcc nasm kvm-header pkg-config check clang libfuzzer python3 \
		"$(pieces_of linux)" ;;
	book) echo python3 pandoc ;;
	linux)
		echo busybox cpio kmod e2fsprogs
		# Without apt-get download the kernel comes over HTTPS.
		[ "$FAMILY" = apt ] || echo curl ;;
	nested) echo qemu "$(pieces_of linux)" ;;
	all) echo "$(pieces_of build) $(pieces_of test) $(pieces_of book)" ;;
	*) return 1 ;;
	esac
}

have() { command -v "$1" >/dev/null 2>&1; }

# A command that may live in sbin, which is not on every user's PATH.
have_sbin() { PATH=$PATH${SBIN:+:$SBIN} have "$1"; }

# libFuzzer is part of clang's runtime (compiler-rt), packaged apart from
# clang itself on most distributions: the test is that clang can link a
# fuzz target with it, the way mk/fuzz.mk does. clang reads the program
# from stdin and writes nothing but /dev/null.
libfuzzer_links() {
	have clang || return 1
	printf '%s\n' 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)' \
		'{ (void)d; (void)n; return 0; }' |
		clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1
}

# The guest's initramfs needs a busybox that runs without a C library:
# ldd fails on a statically linked program.
static_busybox() {
	have busybox || return 1
	! ldd "$(command -v busybox)" >/dev/null 2>&1
}

present() {
	case $1 in
	kvm-header) [ -f "$INCLUDE/linux/kvm.h" ] ;;
	check) have pkg-config && pkg-config --exists check ;;
	libfuzzer) libfuzzer_links ;;
	busybox) static_busybox ;;
	kmod) have_sbin modprobe && have_sbin depmod ;;
	e2fsprogs) have_sbin mke2fs && have_sbin debugfs ;;
	qemu) have qemu-system-x86_64 ;;
	*) have "$1" ;;
	esac
}

# What a reader is told is missing, when no package name can be given.
describe() {
	case $1 in
	kvm-header) echo "the header $INCLUDE/linux/kvm.h" ;;
	check) echo "the check unit-test library (pkg-config check)" ;;
	libfuzzer) echo "libFuzzer, clang's fuzzing runtime (clang -fsanitize=fuzzer)" ;;
	busybox) echo "a statically linked busybox" ;;
	kmod) echo "modprobe and depmod (kmod)" ;;
	e2fsprogs) echo "mke2fs and debugfs (e2fsprogs)" ;;
	qemu) echo "qemu-system-x86_64" ;;
	*) echo "$1" ;;
	esac
}

# The package that provides a piece, in a family's naming.
package() {
	case $2:$1 in
	*:make | *:gcc | *:nasm | *:clang | *:cpio | *:kmod | *:e2fsprogs | *:curl)
		echo "$1" ;;
	apt:kvm-header) echo linux-libc-dev ;;
	dnf:kvm-header) echo kernel-headers ;;
	pacman:kvm-header) echo linux-api-headers ;;
	zypper:kvm-header) echo linux-glibc-devel ;;
	apt:pkg-config) echo pkg-config ;;
	pacman:pkg-config) echo pkgconf ;;
	dnf:pkg-config | zypper:pkg-config) echo pkgconf-pkg-config ;;
	# Debian's metapackage for the default clang's runtime (libclang-rt-N-dev).
	apt:libfuzzer) echo libclang-rt-dev ;;
	dnf:libfuzzer | pacman:libfuzzer) echo compiler-rt ;;
	zypper:libfuzzer) echo clang ;;
	apt:check | pacman:check) echo check ;;
	dnf:check | zypper:check) echo check-devel ;;
	pacman:python3) echo python ;;
	*:python3) echo python3 ;;
	apt:pandoc | dnf:pandoc) echo pandoc ;;
	pacman:pandoc | zypper:pandoc) echo pandoc-cli ;;
	# Fedora's and Arch's busybox are statically linked already.
	apt:busybox | zypper:busybox) echo busybox-static ;;
	dnf:busybox | pacman:busybox) echo busybox ;;
	apt:qemu | dnf:qemu | pacman:qemu) echo qemu-system-x86 ;;
	zypper:qemu) echo qemu-x86 ;;
	esac
}

# ---- what is missing ----

missing_pieces() {
	seen=" "
	for need in "$@"; do
		for piece in $(pieces_of "$need"); do
			case $seen in *" $piece "*) continue ;; esac
			seen="$seen$piece "
			present "$piece" || printf '%s ' "$piece"
		done
	done
}

packages_for() {
	for piece in $1; do
		printf '%s ' "$(package "$piece" "$FAMILY")"
	done
}

# ---- installing, or saying how ----

install_apt() {
	pkgs=$1
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		if ! have sudo; then
			say "missing: $pkgs"
			say "as root, run: apt-get install $pkgs"
			exit $EX_UNAVAILABLE
		fi
		sudo=sudo
	fi
	say "installing with apt-get: $pkgs"
	# A fresh machine's package lists may be absent or stale.
	$sudo apt-get update -q || say "apt-get update failed; trying the install anyway"
	# $pkgs is a list of package names: split it on purpose.
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $pkgs
}

print_command() {
	case $FAMILY in
	dnf) cmd="sudo dnf install -y $1" ;;
	pacman) cmd="sudo pacman -S --needed $1" ;;
	zypper) cmd="sudo zypper install $1" ;;
	esac
	say "missing: $1"
	say "install them with:"
	echo "  $cmd" >&2
	# os_ids starts with ID: Fedora itself, or a RHEL-like.
	ids=$(os_ids)
	if [ "$FAMILY" = dnf ] && [ "${ids%% *}" != fedora ]; then
		say "(on RHEL and its rebuilds, check-devel and pandoc come from EPEL)"
	fi
}

# ---- main ----

[ $# -ge 1 ] || usage
FAMILY=$(family)
for need in "$@"; do
	pieces_of "$need" >/dev/null || usage
done

missing=$(missing_pieces "$@")
[ -n "$missing" ] || exit 0

case $FAMILY in
apt)
	install_apt "$(packages_for "$missing")"
	still=$(missing_pieces "$@")
	[ -z "$still" ] && exit 0
	for piece in $still; do say "still missing: $(describe "$piece")"; done
	;;
dnf | pacman | zypper)
	print_command "$(packages_for "$missing")"
	;;
*)
	say "unknown distribution (see $OS_RELEASE); install these yourself:"
	for piece in $missing; do echo "  $(describe "$piece")" >&2; done
	;;
esac
exit $EX_UNAVAILABLE
