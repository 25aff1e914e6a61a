#!/bin/sh
# bench.sh - measurements, not tests: what a VM exit costs, and how much
# host CPU an idle (halted) guest burns. Numbers vary with the machine;
# the book quotes them as examples. Needs /dev/kvm; without one, the
# measurements run on nested KVM under QEMU (scripts/nested-kvm.sh),
# where they describe that machine, not yours.
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

echo "== cost of VM exits (01-exitloop: 100000 OUTs to an unclaimed port)"
for vmm in chapters/*/vmm; do
	ch=$(basename "$(dirname "$vmm")")
	mode=""
	[ "$ch" != 01-real-mode ] && mode="--mode real"
	# shellcheck disable=SC2086
	build/bench/cputime "$ch" $vmm $mode build/guests/01-exitloop.bin
done
echo "(divide the wall time by 100000 for the cost of one exit)"

if [ -x chapters/04-ioports/vmm ] && [ -f build/guests/04-idle.bin ]; then
	echo "== host CPU used by a guest halted for 5 s (04-idle: 500 timer ticks)"
	for vmm in chapters/0[4-9]*/vmm; do
		ch=$(basename "$(dirname "$vmm")")
		build/bench/cputime "$ch" "$vmm" build/guests/04-idle.bin
	done
fi
