# mk/labs.mk - one chapter's tests, lab handouts and their grader.
# Included by the top-level Makefile (it defines CHAPTERS, SANITIZE,
# STRICT, CHECK_CFLAGS, CHECK_LIBS and the build rules used here).
#
#   make test-NN                 chapter NN alone: its plain and ASan/UBSan
#                                builds, its unit tests, every integration
#                                case that runs on it (earlier chapters'
#                                guests too); never the book check. As in
#                                make test, cases this KVM skips (an
#                                emulation-backed KVM, appendix B) run
#                                again on nested KVM; KVMBOOK_NESTED=0
#                                leaves them skipped
#   make lab-NN [DIR=...]        a student workspace: chapter NN with its
#                                lab tasks as stubs (default labs/NN-name;
#                                FORCE=1 overwrites an existing one)
#   make grade-NN [DIR=...]      build and score a workspace; FORMAT=json
#                                prints Gradescope's results.json on stdout
#   make test-labs               the grader's own tests (tests/labs/)
#
# The labs are described by book/labs/NN-name.lab; book/tools/lab.py
# makes and grades them.

LAB := python3 book/tools/lab.py
LAB_ENV = SANITIZE="$(SANITIZE)" STRICT="$(STRICT)" CHECK_CFLAGS="$(CHECK_CFLAGS)" \
	CHECK_LIBS="$(CHECK_LIBS)"
FORMAT ?= table

# What the grader runs a workspace against: the integration runner and
# the guests (the unit tests it compiles itself, against the workspace).
LAB_TEST_BUILDS := build/tests/integration guests

# Chapter 6's tests boot Debian's kernel: they need the Linux guest.
lab_extra_06 := linux-guest

# lab_rules NN, NN-name: test-NN, lab-NN, grade-NN.
define lab_rules
test-$(1):
	@scripts/deps.sh test
	@start=$$$$(date +%s%N); \
	$$(MAKE) --no-print-directory vmm-$(2) asan-$(2) build/tests/unit-$(2) \
		$(LAB_TEST_BUILDS) $(lab_extra_$(1)) && \
	$(LAB) test $(1); status=$$$$?; \
	ms=$$$$(( ($$$$(date +%s%N) - start) / 1000000 )); \
	echo "test-$(1): $$$$((ms / 1000)).$$$$((ms % 1000 / 100)) s (builds included)"; \
	exit $$$$status

lab-$(1):
	@$(LAB) lab $(1) $$(if $$(DIR),--dir "$$(DIR)") $$(if $$(FORCE),--force)

# All of the builds' output goes to stderr: with FORMAT=json, stdout
# carries results.json and nothing else.
grade-$(1):
	@scripts/deps.sh test >&2
	@$$(MAKE) --no-print-directory $(LAB_TEST_BUILDS) >&2
	@$(LAB_ENV) $(LAB) grade $(1) $$(if $$(DIR),--dir "$$(DIR)") --format $$(FORMAT)

.PHONY: test-$(1) lab-$(1) grade-$(1)
endef

$(foreach c,$(CHAPTERS),$(eval $(call lab_rules,$(firstword $(subst -, ,$(c))),$(c))))

# The grader's own tests: every chapter's lab compiles (gcc and clang,
# warnings are errors), grades to at most 10% out of the box, the
# reference chapter grades to full marks, and the reference with one
# task's stub restored loses exactly that task's points.
test-labs:
	@scripts/deps.sh test >&2
	@$(MAKE) --no-print-directory $(LAB_TEST_BUILDS) >&2
	@$(LAB_ENV) python3 tests/labs/test_labs.py $(LABS)

.PHONY: test-labs
