# mk/fuzz.mk - the fuzz targets of fuzz/: libFuzzer, with AddressSanitizer
# and UBSan, on chapter 6's own sources (included by the top-level
# Makefile, which defines STRICT).
#
#   make fuzz [FUZZ_SECONDS=N]   build every target, then run each for N
#                                seconds (default 60), one after another,
#                                on its corpus; new inputs land in
#                                build/fuzz/corpus/TARGET, findings in
#                                build/fuzz/findings/TARGET
#   make fuzz-smoke              every target for FUZZ_SMOKE_RUNS inputs
#                                from its committed corpus, seed 1: the
#                                same run every time (make test runs it)
#   make fuzz-build              only build them: build/fuzz/TARGET
#   make fuzz-merge              fold build/fuzz/corpus/TARGET into the
#                                committed fuzz/corpus/TARGET, keeping only
#                                inputs that reach code it did not reach
#                                (-merge=1 by edges alone, -use_counters=0:
#                                the committed corpus stays small)
#
# fuzz/README.md says what each target checks and how to run one alone.
# The chapter's files are compiled again here, into build/fuzz/obj/, with
# libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link), and
# put in one archive, all but main.c, as the unit tests take them; each
# target links the pieces of it that it uses.

FUZZ_CHAPTER := 06-linux-boot
FUZZ_CC := clang
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := $(STRICT) -pthread -O1 -g -fno-omit-frame-pointer $(FUZZ_SANITIZE)
FUZZ_TARGETS := $(basename $(notdir $(wildcard fuzz/*.c)))
FUZZ_BINS := $(FUZZ_TARGETS:%=build/fuzz/%)
FUZZ_OBJ := build/fuzz/obj/$(FUZZ_CHAPTER)
FUZZ_CHAPTER_OBJS := $(patsubst chapters/$(FUZZ_CHAPTER)/%.c,$(FUZZ_OBJ)/%.o, \
	$(filter-out %/main.c,$(wildcard chapters/$(FUZZ_CHAPTER)/*.c)))
FUZZ_CHAPTER_LIB := build/fuzz/obj/$(FUZZ_CHAPTER).a

FUZZ_SECONDS ?= 60
# Enough to replay the corpus and take thousands of mutations of it: a
# few seconds per target.
FUZZ_SMOKE_RUNS ?= 20000
# An input may be a kernel image: the bzImage target takes up to 64 KiB.
FUZZ_MAX_LEN_linux_load := 65536
FUZZ_MAX_LEN = $(or $(FUZZ_MAX_LEN_$(1)),4096)
# -timeout: a single input that takes this long is a finding (a hang).
FUZZ_RUN_FLAGS = -max_len=$(call FUZZ_MAX_LEN,$(1)) -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1

fuzz-build:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

$(FUZZ_OBJ)/%.o: chapters/$(FUZZ_CHAPTER)/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_CHAPTER_LIB): $(FUZZ_CHAPTER_OBJS)
	rm -f $@
	ar rcs $@ $^

build/fuzz/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_CHAPTER_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -I chapters/$(FUZZ_CHAPTER) -I fuzz \
		-o $@ $< $(FUZZ_CHAPTER_LIB)

-include $(FUZZ_CHAPTER_OBJS:.o=.d)
# Kept between builds: make would delete them as intermediate files.
.SECONDARY: $(FUZZ_CHAPTER_OBJS)

# The committed corpus is only read: libFuzzer writes what it finds to the
# first directory it is given, here one under build/.
fuzz: fuzz-build
	@failed=""; for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus/$$t build/fuzz/findings/$$t; \
		echo "==> fuzz $$t for $(FUZZ_SECONDS) s"; \
		build/fuzz/$$t $(call FUZZ_RUN_FLAGS,$$t) -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=build/fuzz/findings/$$t/ \
			build/fuzz/corpus/$$t fuzz/corpus/$$t || failed="$$failed $$t"; \
	done; \
	test -z "$$failed" || { echo "FUZZ FINDINGS:$$failed (see build/fuzz/findings/)"; exit 1; }

# Deterministic: a fresh scratch corpus, the committed one, seed 1, no
# rereading of the corpus on a timer (-reload=0), and no address-space
# randomization (setarch -R, where the system allows it), since
# libFuzzer's comparison tracing sees pointer values too, and they steer
# its mutations.
FUZZ_NO_ASLR := $(shell setarch $$(uname -m) -R true >/dev/null 2>&1 && \
	echo setarch $$(uname -m) -R)

fuzz-smoke: fuzz-build
	@failed=""; for t in $(FUZZ_TARGETS); do \
		rm -rf build/fuzz/smoke/$$t; mkdir -p build/fuzz/smoke/$$t/new; \
		if $(FUZZ_NO_ASLR) build/fuzz/$$t $(call FUZZ_RUN_FLAGS,$$t) \
			-runs=$(FUZZ_SMOKE_RUNS) -seed=1 -reload=0 \
			-artifact_prefix=build/fuzz/smoke/$$t/ \
			build/fuzz/smoke/$$t/new fuzz/corpus/$$t \
			> build/fuzz/smoke/$$t/log 2>&1; then \
			echo "fuzz $$t: $$(grep -o 'Done [0-9]* runs' build/fuzz/smoke/$$t/log)"; \
		else \
			cat build/fuzz/smoke/$$t/log; echo "fuzz $$t: FAILED"; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	test -z "$$failed" || { echo "FAILED:$$failed"; exit 1; }

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus/$$t; \
		build/fuzz/$$t -merge=1 -use_counters=0 -max_len=$(call FUZZ_MAX_LEN,$$t) \
			fuzz/corpus/$$t build/fuzz/corpus/$$t || exit 1; \
	done

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-merge
