#!/bin/sh
# bench.sh - measurements, not tests: what a VM exit costs, how much
# host CPU an idle (halted) guest burns, and how long Linux takes to
# boot on chapter 6, phase by phase. Numbers vary with the machine;
# the book quotes them as examples. Needs /dev/kvm; without one, the
# measurements run on nested KVM under QEMU (scripts/nested-kvm.sh),
# where they describe that machine, not yours. On a KVM that emulates
# guest kernel code (kvm_pvm, book appendix B) the exit and idle costs are
# measured directly and the Linux boot on nested KVM: a distribution
# kernel would take many minutes there. KVMBOOK_BENCH_ONLY_LINUX=1
# measures only the Linux boot.
set -u
cd "$(dirname "$0")/.." || exit 1

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	if [ "${KVMBOOK_NESTED:-1}" = 0 ] || [ -n "${KVMBOOK_IN_NESTED:-}" ]; then
		echo "bench: /dev/kvm is not usable here; nothing to measure"
		exit 0
	fi
	echo "bench: no usable /dev/kvm here: measuring on nested KVM under QEMU"
	exec scripts/nested-kvm.sh env KVMBOOK_IN_NESTED=1 sh scripts/bench.sh
fi

# What one VM exit costs: a guest that does nothing but OUT.
exit_costs() {
	echo "== cost of VM exits (01-exitloop: 100000 OUTs to an unclaimed port)"
	for vmm in chapters/*/vmm; do
		ch=$(basename "$(dirname "$vmm")")
		mode=""
		[ "$ch" != 01-real-mode ] && mode="--mode real"
		# shellcheck disable=SC2086
		build/bench/cputime "$ch" $vmm $mode build/guests/01-exitloop.bin
	done
	echo "(divide the wall time by 100000 for the cost of one exit)"
}

# What a halted guest costs: chapter 4's HLT sleeps in the kernel.
idle_cost() {
	[ -x chapters/04-ioports/vmm ] && [ -f build/guests/04-idle.bin ] || return 0
	echo "== host CPU used by a guest halted for 5 s (04-idle: 500 timer ticks)"
	for vmm in chapters/0[4-9]*/vmm; do
		ch=$(basename "$(dirname "$vmm")")
		build/bench/cputime "$ch" "$vmm" build/guests/04-idle.bin
	done
}

if [ "${KVMBOOK_BENCH_ONLY_LINUX:-0}" != 1 ]; then
	exit_costs
	idle_cost
fi

# Hundredths of a second since boot, from /proc/uptime ("12.34 ...").
uptime_cs() {
	read -r up _ < /proc/uptime
	echo $(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

# Runs a command and prints when each boot phase's console line first
# appears, in seconds since the command started.
boot_phases() {
	start=$(uptime_cs)
	"$@" 2>&1 | while IFS= read -r line; do
		case "$line" in
		*"Linux version"*) phase="first kernel line" ;;
		*"Run /init as init process"*) phase="/init starts" ;;
		*"kvmbook-init: done"*) phase="/init done" ;;
		*"reboot: Restarting system"*) phase="reboot" ;;
		*) continue ;;
		esac
		t=$(( $(uptime_cs) - start ))
		printf '  %-18s %d.%02d s\n' "$phase" $((t / 100)) $((t % 100))
	done
}

if [ -e /sys/module/kvm_pvm ] && [ -z "${KVMBOOK_IN_NESTED:-}" ]; then
	if [ "${KVMBOOK_NESTED:-1}" = 0 ]; then
		echo "== Linux boot: not measured (this KVM emulates guest kernel code)"
		exit 0
	fi
	echo "== this KVM emulates guest kernel code: the Linux boot is measured on nested KVM"
	exec scripts/nested-kvm.sh env KVMBOOK_IN_NESTED=1 KVMBOOK_BENCH_ONLY_LINUX=1 sh scripts/bench.sh
fi

if [ -x chapters/06-linux-boot/vmm ] && [ -f build/linux/vmlinuz ]; then
	echo "== booting Debian's kernel on 06-linux-boot (256M, a disk, an rng)"
	cp build/linux/disk.img /tmp/kvmbook-bench-disk.img
	boot_phases chapters/06-linux-boot/vmm --kernel build/linux/vmlinuz \
		--initrd build/linux/initramfs.cpio.gz --disk /tmp/kvmbook-bench-disk.img \
		--rng --append "console=ttyS0 reboot=k panic=-1"
	rm -f /tmp/kvmbook-bench-disk.img
fi
