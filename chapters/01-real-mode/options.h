/*
 * options.h - the VMM's command line.
 *
 * The contract (appendix A): vmm [options] IMAGE, with -m/--memory SIZE,
 * -t/--trace, -s/--stats, --help and --version. Exit statuses follow
 * sysexits.h.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "memory.h"

/* Which VMM this is: --version prints both. */
#define VMM_CHAPTER "01-real-mode"
#define VMM_VERSION "1.0"

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

#define DEFAULT_MEMORY_SIZE (16 * MiB)
/* Small enough for the 16-bit guests and their stack below 0x7c00. */
#define MIN_MEMORY_SIZE (64 * KiB)
/* Guest RAM stays below the 32-bit device window that later chapters use. */
#define MAX_MEMORY_SIZE (3 * GiB)

struct options {
	const char *image;    /* the flat binary to run */
	uint64_t memory_size; /* guest RAM in bytes */
	bool trace;           /* one line per VM exit on stderr */
	bool stats;           /* exit-reason table on stderr at the end */
};

int parse_size(const char *text, uint64_t *bytes);
bool parse_options(int argc, char **argv, struct options *opts, int *status);

#endif
