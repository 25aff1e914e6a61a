/*
 * fuzz.h - what the fuzz targets in fuzz/ share: how a broken property
 * stops the run, reading a fuzzer's input as a stream of fields, guest
 * RAM of exactly its size, and files in memory.
 *
 * A fuzz target is a function libFuzzer calls with one input at a time
 * (LLVMFuzzerTestOneInput). AddressSanitizer and UBSan catch crashes and
 * undefined behaviour; a target's PROPERTY() checks catch the rest: what
 * the code under test promises but a crash would not show, such as "the
 * device writes only where the driver allowed it".
 *
 * Reference: LLVM's libFuzzer documentation (llvm.org/docs/LibFuzzer.html).
 */
#ifndef FUZZ_H
#define FUZZ_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memory.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A property the code must keep, whatever the input. A violation is a
 * finding: say which, then abort(), which libFuzzer reports as a crash
 * and saves the input for. Written to file descriptor 2 directly: the
 * targets point the C `stderr` at /dev/null (quiet_stdio) so that the
 * VMM's own one-line messages do not flood the run.
 */
__attribute__((format(printf, 1, 2), noreturn))
static inline void property_failed(const char *fmt, ...)
{
	va_list ap;

	dprintf(STDERR_FILENO, "fuzz: property violated: ");
	va_start(ap, fmt);
	vdprintf(STDERR_FILENO, fmt, ap);
	va_end(ap);
	dprintf(STDERR_FILENO, "\n");
	abort();
}

#define PROPERTY(cond, ...) \
	do { if (!(cond)) property_failed(__VA_ARGS__); } while (0)

/*
 * The VMM's messages go to the C streams stdout and stderr; libFuzzer
 * keeps its own copy of stderr's FILE from before we run, and the
 * sanitizers write to descriptor 2. Pointing the two variables at
 * /dev/null silences the VMM and nothing else. FUZZ_VERBOSE=1 keeps
 * them, to read what the VMM says about a reproduced input.
 */
static inline void quiet_stdio(void)
{
	const char *verbose = getenv("FUZZ_VERBOSE");

	if (verbose && *verbose && strcmp(verbose, "0") != 0)
		return;
	FILE *null = fopen("/dev/null", "w");
	if (!null)
		property_failed("cannot open /dev/null");
	stdout = null;
	stderr = null;
}

/* ---- the input, read front to back; past its end every field is 0 ---- */

struct input {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->p++, in->left--)
		v |= (uint64_t)*in->p << (8 * i);   /* little-endian, as x86 */
	return v;
}

static inline uint8_t take8(struct input *in)   { return (uint8_t)take(in, 1); }
static inline uint16_t take16(struct input *in) { return (uint16_t)take(in, 2); }
static inline uint32_t take32(struct input *in) { return (uint32_t)take(in, 4); }

/* Up to `want` bytes of the input, in place; *got says how many. */
static inline const uint8_t *take_bytes(struct input *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p;

	*got = want < in->left ? want : in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

/* ---- guest RAM ---- */

/*
 * Guest RAM as one malloc of exactly `size` bytes, not the VMM's mmap
 * (memory.c), whose page rounding would leave slack after the end:
 * AddressSanitizer then reports an access one byte past the guest's RAM.
 */
static inline struct guest_memory ram_alloc(uint64_t size)
{
	struct guest_memory mem = { .host = malloc(size), .size = size };

	if (!mem.host)
		property_failed("cannot allocate %llu bytes of guest RAM",
				(unsigned long long)size);
	return mem;
}

static inline void ram_free(struct guest_memory *mem)
{
	free(mem->host);
	mem->host = NULL;
	mem->size = 0;
}

/* ---- files in memory, for the loaders and the disk ---- */

/*
 * A memfd holds the file; the VMM opens it by the name /proc/self/fd/N,
 * as it would open any path, and sees a regular file.
 */
struct memfile {
	int fd;
	char path[32];
};

static inline struct memfile memfile_create(const char *name)
{
	struct memfile f = { .fd = memfd_create(name, MFD_CLOEXEC) };

	if (f.fd < 0)
		property_failed("memfd_create failed");
	snprintf(f.path, sizeof(f.path), "/proc/self/fd/%d", f.fd);
	return f;
}

/* The file's whole content becomes `len` bytes of `data`. */
static inline void memfile_set(const struct memfile *f, const void *data, size_t len)
{
	const uint8_t *p = data;
	off_t off = 0;

	if (ftruncate(f->fd, 0) < 0 || ftruncate(f->fd, (off_t)len) < 0)
		property_failed("ftruncate of a memfd failed");
	while (len > 0) {
		ssize_t n = pwrite(f->fd, p, len, off);

		if (n <= 0)
			property_failed("pwrite to a memfd failed");
		p += n;
		off += n;
		len -= (size_t)n;
	}
}

#endif
