#!/bin/bash
# nested-freeze-rate.sh - how often does the nested-KVM machine freeze?
#
#   scripts/nested-freeze-rate.sh [-n SESSIONS] [-m BOOTS] [-l LABEL] [-o FILE]
#
# Runs SESSIONS machines of scripts/nested-kvm.sh one after the other
# (default 10), each booting Debian's kernel on chapter 6 BOOTS times in
# a row (default 6), with the watchdog on and no retry
# (KVMBOOK_NESTED_RETRY=0): a machine that falls silent for
# KVMBOOK_NESTED_STALL seconds counts as frozen. It prints one line per
# session and then the rate, and appends a row per session to FILE
# (default build/freeze-rate.tsv): label, session, boots done, froze,
# seconds. The levers to try are nested-kvm.sh's environment variables
# (KVMBOOK_NESTED_APPEND, _CPU, _SMP, _KVM_AMD), set around this script,
# and KVMBOOK_FREEZE_GUEST_APPEND, added to the inner Linux's command
# line (nox2apic, lapic=notscdeadline, no-kvmclock: what the inner
# kernel uses of what the VMM's CPUID offers). KVMBOOK_NESTED_DUMP, if
# set, collects QEMU's view of each frozen CPU (book appendix B).
#
# Needs `make vmms guests linux` done. Takes about 2 minutes per session
# on a 2-core machine. A measurement, not a test: make test never runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

SESSIONS=10
BOOTS=6
LABEL=${KVMBOOK_NESTED_APPEND-default}
OUT=build/freeze-rate.tsv
while getopts n:m:l:o: opt; do
	case $opt in
	n) SESSIONS=$OPTARG ;;
	m) BOOTS=$OPTARG ;;
	l) LABEL=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-n SESSIONS] [-m BOOTS] [-l LABEL] [-o FILE]" >&2; exit 64 ;;
	esac
done
for f in chapters/06-linux-boot/vmm build/linux/vmlinuz build/linux/initramfs.cpio.gz \
	build/linux/disk.img; do
	[ -e "$f" ] || { echo "nested-freeze-rate: $f is missing: run make vmms linux" >&2; exit 66; }
done

# Inside the machine: BOOTS boots of the first integration case's kind
# (disk, rng, /init, reboot), each one's status on a line of its own.
CMDLINE="console=ttyS0 reboot=k panic=-1 ${KVMBOOK_FREEZE_GUEST_APPEND:-}"
# shellcheck disable=SC2016 # expanded inside the machine
INNER='i=1; while [ $i -le '"$BOOTS"' ]; do
	chapters/06-linux-boot/vmm --kernel build/linux/vmlinuz \
		--initrd build/linux/initramfs.cpio.gz --disk build/linux/disk.img \
		--rng --append "'"$CMDLINE"'" > /tmp/boot.log 2>&1
	echo "FREEZE-RATE boot $i status $?"; i=$((i + 1))
done'

mkdir -p "$(dirname "$OUT")"
frozen=0 boots=0
for s in $(seq 1 "$SESSIONS"); do
	start=$SECONDS
	log=$(mktemp)
	status=0
	KVMBOOK_NESTED_RETRY=0 scripts/nested-kvm.sh sh -c "$INNER" > "$log" 2>&1 || status=$?
	done_boots=$(grep -c '^FREEZE-RATE boot [0-9]* status 0$' "$log" || true)
	froze=0
	grep -q 'the nested machine froze' "$log" && froze=1
	boots=$((boots + done_boots + froze))
	frozen=$((frozen + froze))
	printf '%s\t%d\t%d\t%d\t%d\n' "$LABEL" "$s" "$done_boots" "$froze" \
		$((SECONDS - start)) >> "$OUT"
	echo "session $s: $done_boots of $BOOTS boots, $( [ $froze = 1 ] && echo froze || echo "no freeze") (status $status, $((SECONDS - start)) s)"
	if [ "$froze" = 0 ] && [ "$done_boots" != "$BOOTS" ]; then
		grep -v '^FREEZE-RATE' "$log" | tail -n 5 | sed 's/^/  /'
	fi
	rm -f "$log"
done
echo "$LABEL: $frozen of $SESSIONS sessions froze; $frozen freezes in $boots boots"
