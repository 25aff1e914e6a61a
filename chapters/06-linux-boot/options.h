/*
 * options.h - the VMM's command line.
 *
 * The contract (appendix A): vmm [options] IMAGE, or vmm [options]
 * --kernel FILE [--initrd FILE] [--append STR] to boot Linux, with
 * -m/--memory SIZE, -t/--trace, -s/--stats, --mode MODE, --disk
 * FILE[,ro], --rng, --help and --version. Exit statuses follow
 * sysexits.h.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "memory.h"

/* Which VMM this is: --version prints both. */
#define VMM_CHAPTER "06-linux-boot"
#define VMM_VERSION "1.0"

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

/* Room for a distribution kernel, its initramfs and its first user space. */
#define DEFAULT_MEMORY_SIZE (256 * MiB)
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

/* The virtio devices on the command line, in order (appendix A). */
#define MAX_DEVICES 8

enum device_kind { DEVICE_DISK, DEVICE_RNG };

struct device_option {
	enum device_kind kind;
	const char *path;     /* --disk FILE */
	bool readonly;        /* --disk FILE,ro */
};

struct options {
	const char *image;    /* the flat binary to run, or NULL with --kernel */
	const char *kernel;   /* --kernel: a Linux bzImage to boot */
	const char *initrd;   /* --initrd: its initial RAM disk, or NULL */
	const char *append;   /* --append: the kernel's command line, or NULL */
	uint64_t memory_size; /* guest RAM in bytes */
	bool trace;           /* one line per VM exit on stderr */
	bool stats;           /* exit-reason table on stderr at the end */
	enum cpu_mode mode;   /* how the vCPU starts */
	struct device_option devices[MAX_DEVICES];
	unsigned device_count;
};

int parse_size(const char *text, uint64_t *bytes);
int parse_mode(const char *text, enum cpu_mode *mode);
bool parse_options(int argc, char **argv, struct options *opts, int *status);

#endif
