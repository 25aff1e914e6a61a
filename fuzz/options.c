/*
 * options.c - fuzz target: chapter 6's command line (options.c):
 * parse_options(), parse_size() and parse_mode() on any argv.
 *
 * The input is the arguments after argv[0] ("vmm"), each ended by a NUL
 * byte (a C string cannot hold one, so no argument is lost), at most
 * MAX_ARGS of them. parse_options() never exits: it returns whether the
 * VM should run and, when not, the exit status; so it can be called
 * again and again in one process. getopt_long(3) keeps its place in
 * globals; optind = 0 makes glibc's start afresh, as a new process would.
 *
 * The properties:
 *
 *   - an accepted command line names one guest, an IMAGE or a --kernel
 *     (with --initrd and --append only beside --kernel, and --mode only
 *     beside an IMAGE); a RAM size from 64 KiB to 3 GiB in whole pages;
 *     at most MAX_DEVICES devices, each disk with a non-empty file name;
 *     every string one of the arguments (or a piece of one); and it says
 *     nothing;
 *   - a refused one prints one line, "vmm: ...", on stderr (more only
 *     when it quotes an argument that holds a newline), nothing on
 *     stdout, and status 64; --help and --version print on stdout,
 *     nothing on stderr, and status 0 (appendix A);
 *   - parsing the same arguments twice gives the same answer: nothing
 *     is left over from one parse to the next;
 *   - parse_size() of each argument agrees with a plain reading of
 *     "digits, then K, M or G" without overflow, and parse_mode() with
 *     the three names.
 *
 * Reference: appendix A (the command line, exit statuses); getopt(3);
 * sysexits.h.
 */
#include "fuzz.h"

#include <getopt.h>
#include <stdbool.h>
#include <sysexits.h>

#include "options.h"

#define MAX_ARGS 32
#define MAX_ARG_BYTES 4096   /* the input's length bounds them anyway */

/* One parse: its arguments (writable: --disk FILE,ro is cut in place),
 * its answer and what it printed. */
struct parse {
	char text[MAX_ARG_BYTES + MAX_ARGS + 1];
	char *argv[MAX_ARGS + 2];
	int argc;
	struct options opts;
	bool run;
	int status;
	char *out, *err;
	size_t out_len, err_len;
};

static struct parse first, second;

static void split_args(struct parse *p, const uint8_t *data, size_t size)
{
	size_t len = size < MAX_ARG_BYTES ? size : MAX_ARG_BYTES;
	char *at = p->text;

	memcpy(p->text, data, len);
	p->text[len] = '\0';
	p->argc = 0;
	p->argv[p->argc++] = "vmm";
	while (at < p->text + len && p->argc <= MAX_ARGS) {
		p->argv[p->argc++] = at;
		at += strlen(at) + 1;
	}
	p->argv[p->argc] = NULL;
}

static void parse(struct parse *p)
{
	FILE *quiet_out = stdout, *quiet_err = stderr;

	stdout = open_memstream(&p->out, &p->out_len);
	stderr = open_memstream(&p->err, &p->err_len);
	PROPERTY(stdout && stderr, "open_memstream failed");
	optind = 0;     /* glibc: start afresh, as in a new process */
	p->status = -1;
	p->run = parse_options(p->argc, p->argv, &p->opts, &p->status);
	fclose(stdout);
	fclose(stderr);
	stdout = quiet_out;
	stderr = quiet_err;
}

/* Does s lie inside the parse's own argument text? */
static bool from_args(const struct parse *p, const char *s)
{
	return s >= p->text && s < p->text + sizeof(p->text);
}

static void check_accepted(const struct parse *p)
{
	const struct options *o = &p->opts;

	PROPERTY(p->out_len == 0 && p->err_len == 0, "an accepted command line printed "
		 "\"%.*s\" \"%.*s\"", (int)p->out_len, p->out, (int)p->err_len, p->err);
	PROPERTY(!o->image != !o->kernel, "image %s and kernel %s", o->image ? "set" : "unset",
		 o->kernel ? "set" : "unset");
	if (o->image)
		PROPERTY(!o->initrd && !o->append, "--initrd or --append with an IMAGE");
	if (o->kernel)
		PROPERTY(o->mode == DEFAULT_MODE, "--mode with --kernel");
	PROPERTY(o->memory_size >= MIN_MEMORY_SIZE && o->memory_size <= MAX_MEMORY_SIZE &&
		 o->memory_size % PAGE_SIZE == 0,
		 "accepted %llu bytes of RAM", (unsigned long long)o->memory_size);
	PROPERTY(o->mode == MODE_REAL || o->mode == MODE_PROTECTED || o->mode == MODE_LONG,
		 "mode %d", o->mode);
	PROPERTY(o->device_count <= MAX_DEVICES, "%u devices", o->device_count);
	for (unsigned i = 0; i < o->device_count; i++) {
		const struct device_option *d = &o->devices[i];

		if (d->kind == DEVICE_RNG) {
			PROPERTY(!d->path && !d->readonly, "an rng with a file");
			continue;
		}
		PROPERTY(d->kind == DEVICE_DISK, "device %u of kind %d", i, d->kind);
		PROPERTY(d->path && from_args(p, d->path) && d->path[0],
			 "disk %u without a file name of its own", i);
	}
	const char *strings[] = { o->image, o->kernel, o->initrd, o->append };
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		PROPERTY(!strings[i] || from_args(p, strings[i]),
			 "an option's value is not one of the arguments");
}

/* A message that quotes an argument with a newline in it has two lines. */
static bool args_have_newline(const struct parse *p)
{
	for (int i = 1; i < p->argc; i++)
		if (strchr(p->argv[i], '\n'))
			return true;
	return false;
}

static void check_refused(const struct parse *p)
{
	if (p->status == 0) {
		PROPERTY(p->out_len > 0 && p->out[p->out_len - 1] == '\n' && p->err_len == 0,
			 "--help or --version: stdout \"%.*s\", stderr \"%.*s\"",
			 (int)p->out_len, p->out, (int)p->err_len, p->err);
		return;
	}
	PROPERTY(p->status == EX_USAGE, "refused with status %d", p->status);
	PROPERTY(p->out_len == 0, "a refusal printed on stdout");
	PROPERTY(p->err_len > 5 && strncmp(p->err, "vmm: ", 5) == 0 &&
		 p->err[p->err_len - 1] == '\n' &&
		 (args_have_newline(p) ||
		  memchr(p->err, '\n', p->err_len) == p->err + p->err_len - 1),
		 "refused with \"%.*s\", not one line", (int)p->err_len, p->err);
}

/* Two strings the same, each NULL or equal. */
static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_same(const struct parse *a, const struct parse *b)
{
	const struct options *x = &a->opts, *y = &b->opts;

	PROPERTY(a->run == b->run && a->status == b->status &&
		 a->out_len == b->out_len && a->err_len == b->err_len &&
		 memcmp(a->out, b->out, a->out_len) == 0 &&
		 memcmp(a->err, b->err, a->err_len) == 0,
		 "a second parse of the same arguments answered differently");
	if (!a->run)
		return;
	PROPERTY(same(x->image, y->image) && same(x->kernel, y->kernel) &&
		 same(x->initrd, y->initrd) && same(x->append, y->append) &&
		 x->memory_size == y->memory_size && x->trace == y->trace &&
		 x->stats == y->stats && x->mode == y->mode &&
		 x->device_count == y->device_count,
		 "a second parse of the same arguments gave other options");
	for (unsigned i = 0; i < x->device_count; i++)
		PROPERTY(x->devices[i].kind == y->devices[i].kind &&
			 x->devices[i].readonly == y->devices[i].readonly &&
			 same(x->devices[i].path, y->devices[i].path),
			 "a second parse gave other devices");
}

/* ---- parse_size and parse_mode, against plain readings ---- */

static void check_size(const char *text)
{
	unsigned __int128 value = 0;
	bool ok = text[0] >= '0' && text[0] <= '9';
	const char *p = text;
	uint64_t got = 0xdeadbeef;

	for (; *p >= '0' && *p <= '9'; p++) {
		value = value * 10 + (unsigned)(*p - '0');
		if (value > UINT64_MAX)
			ok = false;
		if (value > UINT64_MAX)
			value = (unsigned __int128)UINT64_MAX + 1; /* stays too big */
	}
	switch (*p) {
	case 'k': case 'K': value *= KiB; p++; break;
	case 'm': case 'M': value *= MiB; p++; break;
	case 'g': case 'G': value *= GiB; p++; break;
	}
	ok = ok && *p == '\0' && value <= UINT64_MAX;
	int status = parse_size(text, &got);
	PROPERTY((status == 0) == ok, "parse_size(\"%s\") %s", text,
		 status == 0 ? "accepted" : "refused");
	if (ok)
		PROPERTY(got == (uint64_t)value, "parse_size(\"%s\") = %llu", text,
			 (unsigned long long)got);
}

static void check_mode(const char *text)
{
	enum cpu_mode mode = (enum cpu_mode)-1;
	int want = strcmp(text, "real") == 0 ? MODE_REAL :
		   strcmp(text, "protected") == 0 ? MODE_PROTECTED :
		   strcmp(text, "long") == 0 ? MODE_LONG : -1;
	int status = parse_mode(text, &mode);

	PROPERTY(want < 0 ? status != 0 : status == 0 && (int)mode == want,
		 "parse_mode(\"%s\")", text);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	quiet_stdio();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	split_args(&first, data, size);
	split_args(&second, data, size);
	for (int i = 1; i < first.argc; i++) {
		check_size(first.argv[i]);
		check_mode(first.argv[i]);
	}
	parse(&first);
	parse(&second);
	if (first.run)
		check_accepted(&first);
	else
		check_refused(&first);
	check_same(&first, &second);
	free(first.out);
	free(first.err);
	free(second.out);
	free(second.err);
	return 0;
}
