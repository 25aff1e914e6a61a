/*
 * options.c - parsing the command line.
 *
 * getopt_long(3) does the work; this file turns its results into a
 * struct options and rejects anything else with a one-line message and
 * EX_USAGE (64), as appendix A's command-line contract says.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const char version_text[] =
	"vmm (kvmbook chapter " VMM_CHAPTER ") " VMM_VERSION "\n";

static const char usage_text[] =
	"usage: vmm [options] IMAGE\n"
	"       vmm [options] --kernel FILE [--initrd FILE] [--append STR]\n"
	"Run IMAGE, a flat binary, in 64-bit long mode at 0x100000 (or in\n"
	"32-bit protected mode there, or in 16-bit real mode at 0000:7c00);\n"
	"or boot a Linux kernel (bzImage) by the 64-bit boot protocol.\n"
	"\n"
	"Options:\n"
	"      --kernel FILE     the Linux kernel to boot (a bzImage)\n"
	"      --initrd FILE     its initial RAM disk (initramfs)\n"
	"      --append STR      its command line (default: console=ttyS0)\n"
	"  -m, --memory SIZE     guest RAM, with K/M/G suffix (default 256M)\n"
	"      --mode MODE       real | protected | long (default long)\n"
	"  -t, --trace           one line per VM exit on stderr\n"
	"  -s, --stats           a table of VM exit reasons on stderr at the end\n"
	"      --disk FILE[,ro]  a virtio-blk disk backed by FILE (repeatable)\n"
	"      --rng             a virtio-rng device fed from getrandom(2)\n"
	"  -h, --help            show this help and exit\n"
	"      --version         show the chapter and version, and exit\n"
	"\n"
	"Exit status:\n"
	"  0     the guest reset the machine (pulse reset, port 0x64)\n"
	"  N     the guest wrote the byte N to port 0xf4\n"
	"  64    a bad command line\n"
	"  65    a bad image or kernel (wrong format, or too big for RAM)\n"
	"  66    an input file cannot be opened\n"
	"  69    KVM is unavailable\n"
	"  70    the guest crashed (crash report on stderr) or its kernel panicked\n"
	"  71    a host system call failed while setting up the VM\n"
	"  129   stopped by a hangup (SIGHUP): a report says where the guest was\n"
	"  130   stopped by Ctrl-C (SIGINT): the same report\n"
	"  143   stopped by SIGTERM: the same report\n";

/*
 * parse_size - "16M" -> 16777216. A bare number is bytes; K, M and G
 * (either case) multiply by powers of 1024. Returns 0, or -1 when the
 * text is not a size or overflows 64 bits.
 */
int parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	unsigned long long value;
	uint64_t unit = 1;

	if (text[0] < '0' || text[0] > '9')
		return -1; /* strtoull would accept "-1" and " 1" */
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K': unit = KiB; end++; break;
	case 'm': case 'M': unit = MiB; end++; break;
	case 'g': case 'G': unit = GiB; end++; break;
	default:
		return -1;
	}
	if (*end != '\0')
		return -1;
	if (value > UINT64_MAX / unit)
		return -1;
	*bytes = value * unit;
	return 0;
}

/* parse_mode - "real", "protected" or "long". 0, or -1 for anything else. */
int parse_mode(const char *text, enum cpu_mode *mode)
{
	static const struct { const char *name; enum cpu_mode mode; } modes[] = {
		{ "real", MODE_REAL },
		{ "protected", MODE_PROTECTED },
		{ "long", MODE_LONG },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(text, modes[i].name) == 0) {
			*mode = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

/* Checks a guest RAM size against what this VMM can map. */
static bool memory_size_ok(const char *text, uint64_t size)
{
	if (size < MIN_MEMORY_SIZE || size > MAX_MEMORY_SIZE) {
		fprintf(stderr, "vmm: memory size %s out of range (64K to 3G)\n",
			text);
		return false;
	}
	if (size % PAGE_SIZE != 0) {
		fprintf(stderr, "vmm: memory size %s is not a multiple of 4K\n",
			text);
		return false;
	}
	return true;
}

/* Adds a virtio device; they get MMIO slots in command-line order. */
static bool add_device(struct options *opts, struct device_option dev)
{
	if (opts->device_count == MAX_DEVICES) {
		fprintf(stderr, "vmm: too many devices (at most %d)\n", MAX_DEVICES);
		return false;
	}
	opts->devices[opts->device_count++] = dev;
	return true;
}

/* --disk FILE or --disk FILE,ro. */
static bool parse_disk(char *spec, struct options *opts)
{
	struct device_option dev = { .kind = DEVICE_DISK, .path = spec };
	char *comma = strrchr(spec, ',');

	if (comma) {
		if (strcmp(comma + 1, "ro") != 0) {
			fprintf(stderr, "vmm: bad --disk '%s' (FILE or FILE,ro)\n", spec);
			return false;
		}
		*comma = '\0';
		dev.readonly = true;
	}
	if (spec[0] == '\0') {
		fprintf(stderr, "vmm: --disk needs a file name\n");
		return false;
	}
	return add_device(opts, dev);
}

/* What to run: one IMAGE, or a --kernel (with its --initrd and --append). */
static bool take_guest(int argc, char **argv, struct options *opts,
		       bool mode_given)
{
	if (opts->kernel) {
		if (optind != argc) {
			fprintf(stderr, "vmm: give IMAGE or --kernel, not both (see --help)\n");
			return false;
		}
		if (mode_given) {
			fprintf(stderr, "vmm: --mode is for an IMAGE; Linux boots in long mode\n");
			return false;
		}
		return true;
	}
	if (opts->initrd || opts->append) {
		fprintf(stderr, "vmm: --initrd and --append need --kernel (see --help)\n");
		return false;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vmm: expected exactly one IMAGE (see --help)\n");
		return false;
	}
	opts->image = argv[optind];
	return true;
}

/*
 * parse_options - fills *opts from argv. Returns true when the VM should
 * run; otherwise false with *status set (0 after --help, EX_USAGE after
 * an error, whose one-line message is already on stderr).
 */
bool parse_options(int argc, char **argv, struct options *opts, int *status)
{
	/* long-only options: beyond any char */
	enum { OPT_VERSION = 256, OPT_MODE, OPT_DISK, OPT_RNG, OPT_KERNEL, OPT_INITRD,
	       OPT_APPEND };
	static const struct option long_options[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "trace",  no_argument,       NULL, 't' },
		{ "stats",  no_argument,       NULL, 's' },
		{ "mode",   required_argument, NULL, OPT_MODE },
		{ "disk",   required_argument, NULL, OPT_DISK },
		{ "rng",    no_argument,       NULL, OPT_RNG },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "help",   no_argument,       NULL, 'h' },
		{ "version", no_argument,      NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	bool mode_given = false;
	int opt;

	*opts = (struct options){
		.memory_size = DEFAULT_MEMORY_SIZE,
		.mode = DEFAULT_MODE,
	};
	*status = EX_USAGE;
	opterr = 0; /* we print our own one-line messages */
	while ((opt = getopt_long(argc, argv, ":m:tsh", long_options, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_size(optarg, &opts->memory_size) != 0) {
				fprintf(stderr, "vmm: bad memory size '%s' (try 16M)\n",
					optarg);
				return false;
			}
			if (!memory_size_ok(optarg, opts->memory_size))
				return false;
			break;
		case OPT_MODE:
			mode_given = true;
			if (parse_mode(optarg, &opts->mode) != 0) {
				fprintf(stderr, "vmm: unknown mode '%s' (real, protected or long)\n",
					optarg);
				return false;
			}
			break;
		case OPT_DISK:
			if (!parse_disk(optarg, opts))
				return false;
			break;
		case OPT_RNG:
			if (!add_device(opts, (struct device_option){ .kind = DEVICE_RNG }))
				return false;
			break;
		case OPT_KERNEL:
			opts->kernel = optarg;
			break;
		case OPT_INITRD:
			opts->initrd = optarg;
			break;
		case OPT_APPEND:
			opts->append = optarg;
			break;
		case 't':
			opts->trace = true;
			break;
		case 's':
			opts->stats = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			*status = 0;
			return false;
		case OPT_VERSION:
			fputs(version_text, stdout);
			*status = 0;
			return false;
		case ':':
			fprintf(stderr, "vmm: option %s needs a value (see --help)\n",
				argv[optind - 1]);
			return false;
		default:
			/* optopt names a short option; a long one is in argv */
			if (optopt)
				fprintf(stderr, "vmm: unknown option -%c (see --help)\n",
					optopt);
			else
				fprintf(stderr, "vmm: unknown option %s (see --help)\n",
					argv[optind - 1]);
			return false;
		}
	}
	return take_guest(argc, argv, opts, mode_given);
}
