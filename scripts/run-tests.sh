#!/bin/sh
# run-tests.sh - run every test suite, keep going past failures, and
# exit non-zero if any failed. Called by `make test` after the builds.
#
# Each check suite prints its own summary line ("100%: Checks: N, ...").
set -u
cd "$(dirname "$0")/.." || exit 1

failed=""
run() {
	name=$1
	shift
	echo "==> $name"
	"$@" || failed="$failed $name"
}

for unit in build/tests/unit-*; do
	run "unit ${unit#build/tests/unit-}" "$unit"
done
# The integration tests run guests on KVM, and each run writes its
# results file (PASS/FAIL/SKIP per case and chapter) for the summary.
# scripts/kvm-check.sh decides where, and says why when it is not here
# (with the fix first, such as joining the kvm group). Without a usable
# /dev/kvm they run inside a machine with nested KVM under QEMU
# (scripts/nested-kvm.sh). On an emulation-backed KVM (kvm_pvm; book
# appendix B), which `kvm-check.sh --linux` sends to nested KVM, they
# run here, skipping the cases such a KVM cannot run, and then all of
# them again on nested KVM. The summary then fails if any run failed
# anywhere or passed nowhere.
# KVMBOOK_NESTED=0 turns nested KVM off: what cannot run here is skipped.
integration="env KVMBOOK_VMM_DIR=build/asan KVMBOOK_GUESTS=build/guests build/tests/integration"
# The results files of this run (of its own: other runs may share build/).
results=build/test-results/run-$$
direct=$results/direct.tsv
nested=$results/nested.tsv
rm -rf "$results"
mkdir -p "$results"
nested_ok() { [ "${KVMBOOK_NESTED:-1}" != 0 ] && [ "$(uname -m)" = x86_64 ]; }
no_nested() {
	echo "KVMBOOK_NESTED=0 (or not x86_64): no nested KVM; $1"
}
# The whole suite takes a few minutes on nested KVM. nested-kvm.sh
# watches its machine: one that falls silent has frozen (seen under
# QEMU's software emulation, book appendix B), and the command runs once
# more in a fresh machine. Each freeze is a line in $freezes, and the
# end of this run says how many there were: a pass that needed a retry
# is never silent.
NESTED_TIMEOUT=900
freezes=$results/nested-freezes.log
export KVMBOOK_NESTED_LOG="$PWD/$freezes"
nested_suite() {
	KVMBOOK_NESTED_TIMEOUT=$NESTED_TIMEOUT scripts/nested-kvm.sh \
		--copy-out "$nested" env KVMBOOK_RESULTS="$nested" $integration
}
run_nested() {
	start=$(date +%s)
	run "integration (nested KVM)" nested_suite
	echo "the nested KVM run took $(( $(date +%s) - start )) s"
	summary="$summary --nested $nested"
}
summary=""
if scripts/kvm-check.sh; then
	run integration env KVMBOOK_RESULTS="$direct" $integration
	summary="--direct $direct"
	if ! scripts/kvm-check.sh --linux; then
		if nested_ok; then
			echo "the integration tests run again on nested KVM"
			run_nested
		else
			no_nested "what this KVM cannot run is skipped"
			summary="$summary --skips-ok"
		fi
	fi
elif nested_ok; then
	run_nested
else
	no_nested "the KVM cases are skipped"
	run integration env KVMBOOK_RESULTS="$direct" $integration
	summary="--direct $direct --skips-ok"
fi
# shellcheck disable=SC2086
run "integration summary" python3 tests/integration/summary.py $summary
run "integration summary self-test" sh tests/integration/test_summary.sh

# Chapter 6's shell at a terminal (a pty): directly where this KVM
# boots Linux, else on nested KVM (nested-kvm.sh --interactive). About
# a minute on nested KVM; the timeout leaves room for a loaded machine.
# The session's transcript is kept after a success.
shell="Linux shell through a pty"
if scripts/kvm-check.sh --linux --quiet || nested_ok; then
	run "$shell" timeout 900 python3 tests/integration/test_shell_pty.py \
		--vmm build/asan/06-linux-boot/vmm \
		--transcript build/test-results/shell-transcript.txt
else
	echo "==> $shell"
	no_nested "skipped: this KVM cannot boot Linux directly"
fi

# The fuzz targets (fuzz/, mk/fuzz.mk), each for a bounded number of
# runs from its committed corpus, seed 1: the same run every time.
run "fuzz smoke" make --no-print-directory fuzz-smoke

# Faults from the host side (tests/faults): a full filesystem under the
# disk, the disk file truncated, stdout gone, stop signals at any moment.
run "host-side faults" python3 tests/faults/test_faults.py --vmm-dir build/asan --guests build/guests

# The scripts' own tests (deps.sh, kvm-check.sh, fetch-kernel.sh, ...).
for t in tests/scripts/test_*.sh; do
	run "script test ${t##*/}" bash "$t"
done
# The lab grader's own tests (mk/labs.mk): every chapter's lab builds,
# grades low out of the box, the reference grades full marks, and one
# stub restored costs exactly its task's points.
run "lab grader" make --no-print-directory test-labs
run "book quotes" python3 book/tools/bookquote.py check
run "book tool self-test" bash tests/book/test_bookquote.sh

echo
if [ -s "$freezes" ]; then
	echo "nested KVM froze $(grep -c '' "$freezes") time(s) in this run, each run again once:"
	cut -f1,3 "$freezes" | sed 's/^/  /'
else
	echo "nested KVM froze 0 times in this run"
fi
if [ -n "$failed" ]; then
	echo "the integration results files are kept in $results"
	echo "FAILED:$failed"
	exit 1
fi
rm -rf "$results"
echo "all suites passed"
