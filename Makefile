# kvmbook - build, run and test every chapter's VMM and guest.
#
#   make          every chapter's vmm and every guest
#   make run      build, then run chapter 1 on its hello guest
#   make test     build everything, then run every suite (what CI runs)
#   make deps     install what every target needs (scripts/deps.sh)
#   make linux    chapter 6's Linux guest: Debian's kernel, an initramfs
#                 and a disk image, in build/linux/
#   make run-linux  boot it on chapter 6's VMM, to a shell
#   make book     render the book to build/book/
#   make bench    measurements (exit costs, idle CPU), never timed tests
#   make clean    remove every build product
#
# Each target first checks for the tools it needs (scripts/deps.sh: apt
# installs what is missing on Debian and Ubuntu, other distributions get
# the exact command), so each works as the first command on a fresh
# machine; with everything present no package manager runs.

CHAPTERS := $(notdir $(patsubst %/Makefile,%,$(wildcard chapters/*/Makefile)))
GUESTS := $(patsubst guests/%.asm,build/guests/%.bin,$(wildcard guests/*.asm))
UNIT_TESTS := $(patsubst tests/unit/test-%.c,build/tests/unit-%,$(wildcard tests/unit/test-*.c))
# Chapter 6 carries chapter 5's virtio files unchanged, so chapter 5's
# suite runs on chapter 6's copies too: a fix that reaches one copy only
# shows (the unit tests' compatibility matrix).
UNIT_TESTS += build/tests/unit-05-virtio-on-06-linux-boot
BOOKQUOTE := python3 book/tools/bookquote.py

# The test build: AddressSanitizer and UBSan, any finding is fatal.
SANITIZE := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
STRICT := -std=gnu11 -Wall -Wextra -Werror
# Deferred (=): pkg-config may only exist once deps.sh has run.
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)

all:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory vmms guests

RUN_HELLO := chapters/01-real-mode/vmm build/guests/01-hello.bin

# Without a usable /dev/kvm, the hello guest runs on nested KVM inside
# an emulated machine (scripts/nested-kvm.sh): slower, but real KVM.
# scripts/kvm-check.sh says why first, and the fix when it is the
# reader's to make (joining the kvm group).
run:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory vmms guests
	@if scripts/kvm-check.sh; then $(RUN_HELLO); \
	else scripts/deps.sh nested && scripts/nested-kvm.sh $(RUN_HELLO); fi

# Chapter 6 boots Debian's kernel with a disk and an entropy source. With
# /dev/kvm it ends in a shell on the console (exit it, or run reboot, to
# end the VM). On nested KVM (no /dev/kvm, or an emulation-backed one)
# the same shell reaches this terminal through QEMU's serial port
# (scripts/nested-kvm.sh --interactive). The disk is a copy, so
# build/linux/disk.img stays as built.
LINUX_ARGS := --kernel build/linux/vmlinuz --initrd build/linux/initramfs.cpio.gz \
	--disk build/linux/run-disk.img --rng
LINUX_CMDLINE := console=ttyS0 reboot=k panic=-1

run-linux:
	@scripts/deps.sh linux
	@$(MAKE) --no-print-directory vmms guests linux-guest
	@cp build/linux/disk.img build/linux/run-disk.img
	@if scripts/kvm-check.sh --linux; then \
		chapters/06-linux-boot/vmm $(LINUX_ARGS) \
			--append "$(LINUX_CMDLINE) kvmbook.shell"; \
	else scripts/deps.sh nested && \
		scripts/nested-kvm.sh --interactive chapters/06-linux-boot/vmm \
			$(LINUX_ARGS) --append "$(LINUX_CMDLINE) kvmbook.shell"; fi

# scripts/run-tests.sh decides, suite by suite, between direct and
# nested KVM; QEMU is only needed when something goes nested.
test:
	@scripts/deps.sh test
	@scripts/kvm-check.sh --linux --quiet || scripts/deps.sh nested
	@$(MAKE) --no-print-directory vmms guests test-builds
	@scripts/run-tests.sh

deps:
	scripts/deps.sh all

# ---- the chapters' VMMs, as a reader builds them ----

vmms: $(CHAPTERS:%=vmm-%)

vmm-%:
	@$(MAKE) --no-print-directory -C chapters/$*

# ---- guests ----

guests: $(GUESTS)

build/guests/%.bin: guests/%.asm $(wildcard guests/include/*.inc)
	@mkdir -p $(@D)
	nasm -f bin -I guests/include/ -o $@ $<

# ---- chapter 6's Linux guest (guests/linux/) ----
# A distribution kernel, downloaded once into a cache outside build/
# (${XDG_CACHE_HOME:-~/.cache}/kvmbook, kept by make clean) and unpacked
# here, never installed; or your own: make linux KERNEL=path/to/bzImage
# or KERNEL_DEB=file.deb (guests/linux/fetch-kernel.sh). Then an
# initramfs with busybox, the virtio and ext4 modules and
# guests/linux/init; an ext4 disk image for virtio-blk.

LINUX_GUEST := build/linux/vmlinuz build/linux/initramfs.cpio.gz build/linux/disk.img
LINUX_KERNEL := build/linux/kernel

linux:
	@scripts/deps.sh linux
	@$(MAKE) --no-print-directory linux-guest

linux-guest: $(LINUX_GUEST)

# The stamp fetch-kernel.sh leaves after a complete unpack.
$(LINUX_KERNEL)/.done:
	guests/linux/fetch-kernel.sh $(LINUX_KERNEL)

build/linux/vmlinuz: $(LINUX_KERNEL)/.done
	cp $(LINUX_KERNEL)/boot/vmlinuz-* $@

build/linux/initramfs.cpio.gz: $(LINUX_KERNEL)/.done guests/linux/mkinitramfs.sh \
		guests/linux/init
	guests/linux/mkinitramfs.sh $(LINUX_KERNEL) $@

build/linux/disk.img: guests/linux/mkdisk.sh
	guests/linux/mkdisk.sh $@

# ---- the test build ----

test-builds: $(CHAPTERS:%=asan-%) $(CHAPTERS:%=clang-%) $(UNIT_TESTS) \
	build/tests/integration $(LINUX_GUEST)

# Every chapter again with sanitizers: the integration tests run these.
asan-%:
	@$(MAKE) --no-print-directory -C chapters/$* O=$(CURDIR)/build/asan/$* \
		CC=gcc CFLAGS="$(SANITIZE)"

# And with clang, so its warnings count too.
clang-%:
	@$(MAKE) --no-print-directory -C chapters/$* O=$(CURDIR)/build/clang/$* \
		CC=clang

# A chapter's unit tests compile the chapter's own sources (not main.c),
# found in UNIT_SRC: tests/unit/test-NN-name.c, and with it the files of
# tests/unit/NN-name/ when the chapter has them (one per concept).
UNIT_SRC = chapters/$*
.SECONDEXPANSION:
build/tests/unit-%: tests/unit/test-%.c tests/lib/suite_main.c \
		$$(wildcard tests/unit/$$*/*.c tests/unit/$$*/*.h) \
		$$(filter-out $$(UNIT_SRC)/main.c,$$(wildcard $$(UNIT_SRC)/*.c)) \
		$$(wildcard $$(UNIT_SRC)/*.h)
	@mkdir -p $(@D)
	gcc $(STRICT) -pthread $(SANITIZE) $(CHECK_CFLAGS) -I $(UNIT_SRC) -I tests/lib \
		-I tests/unit/$* -o $@ $(filter %.c,$^) $(CHECK_LIBS)

VIRTIO_ON_06 := chapters/06-linux-boot
build/tests/unit-05-virtio-on-06-linux-boot: tests/unit/test-05-virtio.c tests/lib/suite_main.c \
		$(filter-out $(VIRTIO_ON_06)/main.c,$(wildcard $(VIRTIO_ON_06)/*.c)) \
		$(wildcard $(VIRTIO_ON_06)/*.h)
	@mkdir -p $(@D)
	gcc $(STRICT) -pthread $(SANITIZE) $(CHECK_CFLAGS) -I $(VIRTIO_ON_06) -I tests/lib \
		-o $@ $(filter %.c,$^) $(CHECK_LIBS)

build/tests/integration: $(wildcard tests/integration/*.c tests/integration/*.h) \
		tests/lib/vmm_run.c tests/lib/vmm_run.h
	@mkdir -p $(@D)
	gcc $(STRICT) $(SANITIZE) $(CHECK_CFLAGS) -I tests/lib -I tests/integration \
		-o $@ $(filter %.c,$^) $(CHECK_LIBS)

# ---- a chapter's story: its diff against the chapter before ----
# make diff-03-long-mode shows what chapter 3 adds to chapter 2, without
# the build products that a build leaves in the folders.
diff-%:
	@prev=$$(ls -d chapters/*/ | sed 's|chapters/||; s|/||' | \
		grep -B1 -x '$*' | head -1); \
	test -n "$$prev" && test "$$prev" != '$*' || \
		{ echo "no chapter before $*"; exit 1; }; \
	diff -ruN -x '*.o' -x '*.d' -x vmm chapters/$$prev chapters/$*; true

# ---- the book ----

# Quotes in the book come from the chapters' files (book/tools/bookquote.py).
book-check:
	$(BOOKQUOTE) check

book-sync:
	$(BOOKQUOTE) sync

book:
	@scripts/deps.sh book
	$(BOOKQUOTE) render --out build/book

bench:
	@scripts/deps.sh build linux
	@scripts/kvm-check.sh --linux --quiet || scripts/deps.sh nested
	@$(MAKE) --no-print-directory vmms guests build/bench/cputime linux-guest
	@scripts/bench.sh

build/bench/cputime: tests/bench/cputime.c
	@mkdir -p $(@D)
	gcc $(STRICT) -O2 -o $@ $<

# The kernel download cache is not a build product: it stays (drop it
# with make clean-cache, mk/platform.mk).
clean:
	rm -rf build
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory -C chapters/$$c clean; done

.PHONY: all run run-linux test deps vmms guests linux linux-guest test-builds book \
	book-check book-sync bench clean

include mk/labs.mk
include mk/platform.mk
include mk/fuzz.mk
