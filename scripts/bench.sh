#!/bin/sh
# bench.sh - measurements, not tests: what a VM exit costs, and how much
# host CPU an idle (halted) guest burns. Numbers vary with the machine;
# the book quotes them as examples. Needs /dev/kvm.
set -u
cd "$(dirname "$0")/.." || exit 1

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "bench: /dev/kvm is not usable here; nothing to measure"
	exit 0
fi

echo "== cost of one VM exit (01-exitloop: 100000 OUTs to an unclaimed port)"
for vmm in chapters/*/vmm; do
	ch=$(basename "$(dirname "$vmm")")
	mode=""
	[ "$ch" != 01-real-mode ] && mode="--mode real"
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	$vmm $mode build/guests/01-exitloop.bin >/dev/null
	end=$(date +%s%N)
	us=$(( (end - start) / 100000 / 1000 ))
	echo "$ch: $(( (end - start) / 1000000 )) ms total, about ${us} us per exit"
done

if [ -x chapters/04-ioports/vmm ] && [ -f build/guests/04-idle.bin ]; then
	echo "== host CPU used by a guest halted for 5 s (04-idle)"
	for vmm in chapters/0[4-9]*/vmm; do
		ch=$(basename "$(dirname "$vmm")")
		/usr/bin/time -f "$ch: %e s wall, %U s user + %S s system = CPU %P" \
			"$vmm" build/guests/04-idle.bin >/dev/null
	done
fi
