/*
 * options.h - the VMM's command line.
 *
 * The contract (appendix A): vmm [options] IMAGE, with -m/--memory SIZE,
 * -t/--trace, -s/--stats, --mode MODE, --help and --version. Exit
 * statuses follow sysexits.h.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "memory.h"

/* Which VMM this is: --version prints both. */
#define VMM_CHAPTER "03-long-mode"
#define VMM_VERSION "1.0"

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

#define DEFAULT_MEMORY_SIZE (16 * MiB)
/* Small enough for the 16-bit guests and their stack below 0x7c00. */
#define MIN_MEMORY_SIZE (64 * KiB)
/* Guest RAM stays below the 32-bit device window that later chapters use. */
#define MAX_MEMORY_SIZE (3 * GiB)

/* The CPU mode the guest starts in (--mode). */
enum cpu_mode {
	MODE_REAL,       /* 16-bit, at 0000:7c00 (chapter 1) */
	MODE_PROTECTED,  /* 32-bit, flat segments, at 0x100000 */
	MODE_LONG,       /* 64-bit, identity-mapped, at 0x100000 */
};

#define DEFAULT_MODE MODE_LONG

struct options {
	const char *image;    /* the flat binary to run */
	uint64_t memory_size; /* guest RAM in bytes */
	bool trace;           /* one line per VM exit on stderr */
	bool stats;           /* exit-reason table on stderr at the end */
	enum cpu_mode mode;   /* how the vCPU starts */
};

int parse_size(const char *text, uint64_t *bytes);
int parse_mode(const char *text, enum cpu_mode *mode);
bool parse_options(int argc, char **argv, struct options *opts, int *status);

#endif
