#!/bin/sh
# kvm-check.sh - can kvmbook run guests on this machine's /dev/kvm, or
# must it fall back to nested KVM (scripts/nested-kvm.sh)?
#
#   scripts/kvm-check.sh [--linux] [--quiet]
#
# Exit status: 0 /dev/kvm is usable directly; 1 use nested KVM; 64 usage.
#
# Before answering 1 it says why, in one line, and if the fix is the
# reader's to make, the fix comes first: a /dev/kvm that exists but that
# this user cannot open means a missing group membership, which
# `sudo usermod -aG kvm $USER` (then logging in again) repairs, and
# which should not silently cost a minute per test suite. Then one line
# names the fallback and its cost.
#
# --linux asks for booting a Linux kernel (make run-linux, the Linux
# boots of make test). An emulation-backed KVM, recognised by its module
# kvm_pvm, runs guest kernel code in KVM's instruction emulator: a
# small guest runs fine, a distribution kernel would take many minutes,
# so for --linux such a /dev/kvm counts as "use nested KVM"
# (book/appendix-b-kvm.md, "Appendix B: Nested and emulation-backed KVM").
#
# --quiet: the exit status only, no lines.
#
# Environment, for tests: KVMBOOK_DEV_KVM (default /dev/kvm),
# KVMBOOK_SYS_MODULE (default /sys/module).
set -u

DEV=${KVMBOOK_DEV_KVM:-/dev/kvm}
SYS_MODULE=${KVMBOOK_SYS_MODULE:-/sys/module}
DIRECT=0
NESTED=1
EX_USAGE=64

linux=0
quiet=0
for arg in "$@"; do
	case $arg in
	--linux) linux=1 ;;
	--quiet) quiet=1 ;;
	*) echo "usage: $0 [--linux] [--quiet]" >&2; exit $EX_USAGE ;;
	esac
done

say() { [ $quiet = 1 ] || echo "kvm-check: $*"; }

# The cost, measured with scripts/nested-kvm.sh on a 2-core machine:
# chapter 1's hello guest took 9 s end to end (booting the nested
# machine is most of it); a test suite takes about a minute.
fallback() {
	say "falling back to nested KVM under QEMU's software emulation:" \
		"slow (about 10 s to start, about a minute per test suite)"
	exit $NESTED
}

# Opening the device read-write is the test that matters (the VMMs do
# exactly that); permission bits alone mislead for root, for ACLs, and
# for containers whose device cgroup refuses the open.
can_open() { (: <>"$DEV") 2>/dev/null; }

# The group that owns /dev/kvm, when it is one a user can join.
device_group() {
	group=$(stat -c %G "$DEV" 2>/dev/null) || group=kvm
	case $group in root | UNKNOWN | "") group=kvm ;; esac
	echo "$group"
}

# In the group's member list (/etc/group) but not in this session's
# groups: the membership was added after this login.
member_not_in_session() {
	user=$(id -un)
	members=$(getent group "$1" 2>/dev/null | cut -d: -f4)
	case ",$members," in *",$user,"*) ;; *) return 1 ;; esac
	case " $(id -Gn) " in *" $1 "*) return 1 ;; esac
}

if [ ! -e "$DEV" ]; then
	say "no $DEV here: the kvm module is not loaded, virtualization is off" \
		"in the firmware, or this is a VM without nested virtualization"
	fallback
fi

if ! can_open; then
	if [ -r "$DEV" ] && [ -w "$DEV" ]; then
		say "$DEV exists but cannot be opened:" \
			"$( (: <>"$DEV") 2>&1 | sed 's/.*: //')"
	else
		group=$(device_group)
		if member_not_in_session "$group"; then
			say "$DEV: you are in group $group but this session is not;" \
				"log out and in again (or run: newgrp $group)"
		else
			say "$DEV exists but user $(id -un) cannot open it; fix:" \
				"sudo usermod -aG $group \$USER, then log in again"
		fi
	fi
	fallback
fi

if [ $linux = 1 ] && [ -e "$SYS_MODULE/kvm_pvm" ]; then
	say "this $DEV emulates guest kernel code (kvm_pvm): Linux boots go to nested KVM"
	exit $NESTED
fi
exit $DIRECT
