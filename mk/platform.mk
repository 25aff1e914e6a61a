# mk/platform.mk - the scripts that adapt kvmbook to the machine it runs
# on, and their tests (included by the top-level Makefile).
#
#   make test-scripts  the tests of scripts/deps.sh (which tools a target
#                      needs, by distribution), scripts/kvm-check.sh
#                      (direct or nested KVM, and why) and
#                      guests/linux/fetch-kernel.sh (where the kernel
#                      comes from), all offline, in fake environments
#   make clean-cache   delete the kernel download cache, which make clean
#                      keeps

KVMBOOK_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kvmbook

test-scripts:
	@failed=""; for t in tests/scripts/test_*.sh; do \
		bash $$t || failed="$$failed $$t"; done; \
	test -z "$$failed" || { echo "FAILED:$$failed"; exit 1; }

clean-cache:
	rm -rf $(KVMBOOK_CACHE)

.PHONY: test-scripts clean-cache
