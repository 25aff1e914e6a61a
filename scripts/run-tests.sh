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
# The integration tests run guests on KVM. Without a usable /dev/kvm
# here they run inside a machine with nested KVM under QEMU
# (scripts/nested-kvm.sh); KVMBOOK_NESTED=0 skips their KVM cases instead.
integration="env KVMBOOK_VMM_DIR=build/asan KVMBOOK_GUESTS=build/guests build/tests/integration"
nested_ok() { [ "${KVMBOOK_NESTED:-1}" != 0 ] && [ "$(uname -m)" = x86_64 ]; }
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	run integration $integration
	# An emulation-backed KVM (kvm_pvm, KVM-HERE.md) skips the Linux
	# boots: a distribution kernel takes many minutes there and its user
	# space cannot make system calls. They run on nested KVM instead.
	if [ -e /sys/module/kvm_pvm ] && nested_ok; then
		echo "this KVM emulates guest kernel code: the Linux boots run on nested KVM"
		run "Linux boots (nested KVM)" scripts/nested-kvm.sh \
			env KVMBOOK_ONLY_LINUX_BOOTS=1 $integration
	fi
elif nested_ok; then
	echo "no usable /dev/kvm here: the integration tests run on nested KVM"
	run "integration (nested KVM)" scripts/nested-kvm.sh $integration
else
	run integration $integration
fi
run "book quotes" python3 book/tools/bookquote.py check
run "book tool self-test" bash tests/book/test_bookquote.sh

echo
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all suites passed"
