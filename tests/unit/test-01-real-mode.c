/*
 * test-01-real-mode.c - unit tests of chapter 1's pieces, compiled with
 * the chapter's own sources: size parsing, options, the guest-memory
 * bounds check, image loading, exit-reason naming, the stats table,
 * flag decoding, CPU modes, and port/MMIO exit handling on a kvm_run
 * laid out in ordinary memory.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "console.h"
#include "crash.h"
#include "exits.h"
#include "loader.h"
#include "memory.h"
#include "mmio.h"
#include "options.h"
#include "portio.h"
#include "x86.h"

#include "suite_main.h"
#include "expect_hint.h"

/* ---- sizes and options ---- */

START_TEST(test_parse_size_suffixes)
{
	uint64_t v;

	ck_assert_int_eq(parse_size("16M", &v), 0);
	ck_assert_uint_eq(v, 16ULL << 20);
	ck_assert_int_eq(parse_size("4k", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse_size("3G", &v), 0);
	ck_assert_uint_eq(v, 3ULL << 30);
	ck_assert_int_eq(parse_size("123", &v), 0);
	ck_assert_uint_eq(v, 123);
}
END_TEST

START_TEST(test_parse_size_rejects)
{
	static const char *const bad[] = {
		"", "12Q", "M", "-1", " 1", "1MB", "1.5G",
		"99999999999999999999", "17179869184G",
	};
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_size(bad[i], &v) == -1, "accepted '%s'", bad[i]);
		ck_assert_uint_eq(v, 7); /* untouched on failure */
	}
}
END_TEST

static bool parse(int argc, const char **argv, struct options *o, int *status)
{
	optind = 0; /* getopt keeps state between calls */
	return parse_options(argc, (char **)argv, o, status);
}

START_TEST(test_options_defaults_and_flags)
{
	struct options o;
	int status;
	const char *plain[] = { "vmm", "guest.bin", NULL };
	const char *full[] = { "vmm", "-t", "--stats", "--memory", "64K", "g.bin", NULL };

	ck_assert(parse(2, plain, &o, &status));
	ck_assert_str_eq(o.image, "guest.bin");
	ck_assert_uint_eq(o.memory_size, DEFAULT_MEMORY_SIZE);
	ck_assert(!o.trace && !o.stats);

	ck_assert(parse(6, full, &o, &status));
	ck_assert(o.trace && o.stats);
	ck_assert_uint_eq(o.memory_size, 64 * 1024);
	ck_assert_str_eq(o.image, "g.bin");
}
END_TEST

START_TEST(test_options_errors)
{
	struct options o;
	int status;
	const char *two_images[] = { "vmm", "a", "b", NULL };
	const char *too_big[] = { "vmm", "-m", "3076M", "a", NULL };
	const char *odd[] = { "vmm", "-m", "65537", "a", NULL };
	const char *help[] = { "vmm", "--help", NULL };

	ck_assert(!parse(3, two_images, &o, &status));
	ck_assert_int_eq(status, EX_USAGE);
	ck_assert(!parse(4, too_big, &o, &status));
	ck_assert_int_eq(status, EX_USAGE);
	ck_assert(!parse(4, odd, &o, &status));
	ck_assert_int_eq(status, EX_USAGE);
	ck_assert(!parse(2, help, &o, &status));
	ck_assert_int_eq(status, 0);
}
END_TEST

/* Stdout, captured: stdout_to_pipe sends it to a fresh pipe (small
 * outputs only: nothing reads the pipe until stdout_back), and
 * stdout_back restores it and puts what was written in `out`. */
struct captured_stdout {
	int fds[2];
	int saved;
};

static void stdout_to_pipe(struct captured_stdout *c)
{
	c->saved = dup(STDOUT_FILENO);
	ck_assert_int_eq(pipe(c->fds), 0);
	fflush(stdout);
	dup2(c->fds[1], STDOUT_FILENO);
}

static void stdout_back(struct captured_stdout *c, char *out, size_t size)
{
	ssize_t n;

	fflush(stdout);
	dup2(c->saved, STDOUT_FILENO);
	close(c->fds[1]);
	n = read(c->fds[0], out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(c->fds[0]);
	close(c->saved);
}

/* Runs parse_options with stdout going to a pipe; returns what it wrote. */
static bool capture_options(int argc, const char **argv, int *status,
			    char *out, size_t size)
{
	struct captured_stdout c;
	struct options o;
	bool run;

	stdout_to_pipe(&c);
	run = parse(argc, argv, &o, status);
	stdout_back(&c, out, size);
	return run;
}

START_TEST(test_options_version)
{
	const char *version[] = { "vmm", "--version", NULL };
	char out[256];
	int status = -1;

	ck_assert(!capture_options(2, version, &status, out, sizeof(out)));
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out, "vmm (kvmbook chapter 01-real-mode) 1.0\n");
}
END_TEST

/* Every option line has its description at the same column, and each
 * exit status its meaning at another: a table, not a paragraph. */
START_TEST(test_options_help_aligned)
{
	const char *help[] = { "vmm", "--help", NULL };
	char out[4096];
	int status = -1, options = 0, statuses = 0;
	enum { NONE, OPTIONS, STATUSES } section = NONE;

	ck_assert(!capture_options(2, help, &status, out, sizeof(out)));
	ck_assert_int_eq(status, 0);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		ck_assert_msg(strlen(line) < 80, "too long: %s", line);
		if (strcmp(line, "Options:") == 0) {
			section = OPTIONS;
		} else if (strcmp(line, "Exit status:") == 0) {
			section = STATUSES;
		} else if (section == OPTIONS) {
			ck_assert_msg(strlen(line) > 24 && line[22] == ' ' &&
				      line[23] == ' ' && line[24] != ' ',
				      "option not aligned: '%s'", line);
			options++;
		} else if (section == STATUSES) {
			ck_assert_msg(strlen(line) > 8 && line[7] == ' ' && line[8] != ' ',
				      "status not aligned: '%s'", line);
			statuses++;
		}
	}
	ck_assert_int_eq(options, 5);   /* -m -t -s -h --version */
	ck_assert_int_eq(statuses, 8);  /* 0, N, 64, 65, 66, 69, 70, 71 */
}
END_TEST

/* ---- the crash report's wrong-mode hint ---- */

static struct kvm_run hint_run;

/* What print_mode_hint says for a guest that stopped after `exits`
 * exits with this state, started in `mode`. */
static char *mode_hint(uint64_t exits, uint64_t cr0, uint64_t efer,
		       uint64_t cs_base, uint64_t rip, uint32_t reason)
{
	struct vm vm = { .vcpu = { .run = &hint_run } };
	struct kvm_sregs s = { .cr0 = cr0, .efer = efer, .cs = { .base = cs_base } };
	struct kvm_regs r = { .rip = rip };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	hint_run.exit_reason = reason;
	vm.stats.count[KVM_EXIT_IO] = exits;
	print_mode_hint(&vm, &s, &r, out);
	fclose(out);
	return text;
}

START_TEST(test_mode_hint)
{
	const char *later = "hint: started in real mode at 0x7c00; a 32-bit or 64-bit "
			    "image needs a later chapter's vmm";

	/* A 32-bit image's first bytes, decoded as 16-bit code. */
	expect_hint(mode_hint(1, 0, 0, 0, 0x7c05, KVM_EXIT_INTERNAL_ERROR), later);
	expect_hint(mode_hint(8, 0, 0, 0, 0x7c3f, KVM_EXIT_SHUTDOWN), later);
	/* AMD reset the vCPU: only the exit count is left to judge by. */
	expect_hint(mode_hint(1, 0x60000010, 0, 0xffff0000, 0xfff0, KVM_EXIT_SHUTDOWN), later);
	/* A guest that printed a line first, or got far, or left real mode. */
	expect_no_hint(mode_hint(9, 0, 0, 0, 0x7c05, KVM_EXIT_SHUTDOWN));
	expect_no_hint(mode_hint(1, 0, 0, 0, 0x7c40, KVM_EXIT_SHUTDOWN));
	expect_no_hint(mode_hint(1, 0, 0, 0, 0x0, KVM_EXIT_INTERNAL_ERROR));
	expect_no_hint(mode_hint(1, X86_CR0_PE, 0, 0, 0x7c05, KVM_EXIT_SHUTDOWN));
}
END_TEST

/* ---- guest memory and loading ---- */

static uint8_t ram[64 * 1024];
static const struct guest_memory mem = { ram, sizeof(ram) };

START_TEST(test_guest_ptr_bounds)
{
	ck_assert_ptr_eq(guest_ptr(&mem, 0, sizeof(ram)), ram);
	ck_assert_ptr_eq(guest_ptr(&mem, sizeof(ram) - 1, 1), ram + sizeof(ram) - 1);
	ck_assert_ptr_eq(guest_ptr(&mem, sizeof(ram), 0), ram + sizeof(ram));
	ck_assert_ptr_null(guest_ptr(&mem, sizeof(ram) - 1, 2));
	ck_assert_ptr_null(guest_ptr(&mem, sizeof(ram), 1));
	ck_assert_ptr_null(guest_ptr(&mem, sizeof(ram) + 1, 0));
	/* gpa + len wraps around to a small number: must still fail */
	ck_assert_ptr_null(guest_ptr(&mem, 16, UINT64_MAX - 8));
	ck_assert_ptr_null(guest_ptr(&mem, UINT64_MAX, 2));
}
END_TEST

/* Writes `len` bytes of `fill` to a fresh temporary file. */
static char *temp_file(size_t len, uint8_t fill)
{
	static char path[64];
	uint8_t *buf = malloc(len + 1);
	int fd;

	strcpy(path, "/tmp/kvmbook-unit-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	memset(buf, fill, len);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
	return path;
}

START_TEST(test_load_image_fits_exactly)
{
	const uint64_t addr = 0x7c00;
	char *path = temp_file(sizeof(ram) - addr, 0xa5);

	memset(ram, 0, sizeof(ram));
	ck_assert_int_eq(load_image(path, &mem, addr), 0);
	ck_assert_uint_eq(ram[addr - 1], 0);
	ck_assert_uint_eq(ram[addr], 0xa5);
	ck_assert_uint_eq(ram[sizeof(ram) - 1], 0xa5);
	unlink(path);
}
END_TEST

START_TEST(test_load_image_one_byte_too_big)
{
	char *path = temp_file(sizeof(ram) - 0x7c00 + 1, 0xa5);

	memset(ram, 0, sizeof(ram));
	ck_assert_int_eq(load_image(path, &mem, 0x7c00), EX_DATAERR);
	ck_assert_uint_eq(ram[0x7c00], 0); /* nothing copied */
	unlink(path);
}
END_TEST

START_TEST(test_load_image_bad_files)
{
	char *path = temp_file(0, 0);

	ck_assert_int_eq(load_image(path, &mem, 0x7c00), EX_DATAERR);
	unlink(path);
	ck_assert_int_eq(load_image("/nonexistent/x.bin", &mem, 0x7c00), EX_NOINPUT);
	ck_assert_int_eq(load_image("/tmp", &mem, 0x7c00), EX_NOINPUT);
	/* a load address past the end of RAM */
	path = temp_file(1, 1);
	ck_assert_int_eq(load_image(path, &mem, sizeof(ram)), EX_DATAERR);
	unlink(path);
}
END_TEST

/* ---- exits, stats, crash report pieces ---- */

START_TEST(test_exit_reason_names)
{
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_IO), "IO");
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_HLT), "HLT");
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_MMIO), "MMIO");
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_SHUTDOWN), "SHUTDOWN");
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_INTERNAL_ERROR), "INTERNAL_ERROR");
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_FAIL_ENTRY), "FAIL_ENTRY");
	ck_assert_str_eq(exit_reason_name(13), "UNKNOWN"); /* s390, unnamed */
	ck_assert_str_eq(exit_reason_name(99999), "UNKNOWN");
}
END_TEST

START_TEST(test_stats_table)
{
	struct exit_stats stats = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	for (int i = 0; i < 22; i++)
		stats_count(&stats, KVM_EXIT_IO);
	stats_count(&stats, KVM_EXIT_HLT);
	stats_count(&stats, 12345); /* counted as unknown, not out of bounds */
	stats_print(&stats, out);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "exit reason"));
	ck_assert_ptr_nonnull(strstr(text, "\nIO                           22\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nHLT                           1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nUNKNOWN                       1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\ntotal                        24\n"));
	ck_assert_ptr_null(strstr(text, "MMIO"));
	free(text);
}
END_TEST

START_TEST(test_format_flags)
{
	char buf[64];

	format_flags(X86_CR0_PE | X86_CR0_ET | X86_CR0_PG, cr0_flags, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PE ET PG");
	format_flags(0, cr0_flags, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	format_flags(EFER_LME | EFER_LMA, efer_flags, buf, sizeof(buf));
	ck_assert_str_eq(buf, "LME LMA");
	format_flags(X86_CR4_PAE | X86_CR4_OSFXSR, cr4_flags, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PAE OSFXSR");
	/* a tiny buffer truncates but stays a string */
	format_flags(~0ULL, cr4_flags, buf, 6);
	ck_assert_uint_lt(strlen(buf), 6);
}
END_TEST

START_TEST(test_cpu_mode_names)
{
	struct kvm_sregs s = { 0 };

	ck_assert_str_eq(cpu_mode_name(&s, 0), "real");
	s.cr0 = X86_CR0_PE;
	ck_assert_str_eq(cpu_mode_name(&s, 0), "protected");
	ck_assert_str_eq(cpu_mode_name(&s, X86_EFLAGS_VM), "virtual-8086");
	s.cr0 |= X86_CR0_PG;
	s.efer = EFER_LME | EFER_LMA;
	ck_assert_str_eq(cpu_mode_name(&s, 0), "long (compatibility)");
	s.cs.l = 1;
	ck_assert_str_eq(cpu_mode_name(&s, 0), "long (64-bit)");
}
END_TEST

/* ---- port I/O and MMIO exits, on a kvm_run in plain memory ---- */

/* A kvm_run page with room for string I/O data after the struct. */
static union {
	struct kvm_run run;
	uint8_t bytes[4096];
} page;
static struct vm vm = { .vcpu = { .run = &page.run } };

static uint8_t *io_exit(uint8_t dir, uint16_t port, uint8_t size, uint32_t count)
{
	memset(&page, 0, sizeof(page));
	page.run.exit_reason = KVM_EXIT_IO;
	page.run.io.direction = dir;
	page.run.io.port = port;
	page.run.io.size = size;
	page.run.io.count = count;
	page.run.io.data_offset = 1024;
	return page.bytes + 1024;
}

/* Runs handle_io with stdout going to a pipe; returns what was written. */
static int capture_io(char *out, size_t size)
{
	struct captured_stdout c;
	int status;

	stdout_to_pipe(&c);
	status = handle_io(&vm);
	stdout_back(&c, out, size);
	return status;
}

START_TEST(test_io_console_string_out)
{
	char out[64];
	uint8_t *data = io_exit(KVM_EXIT_IO_OUT, COM1_BASE, 1, 5);

	memcpy(data, "hello", 5);
	ck_assert_int_eq(capture_io(out, sizeof(out)), VM_RUNNING);
	ck_assert_str_eq(out, "hello");
}
END_TEST

START_TEST(test_io_exit_port)
{
	char out[8];
	uint8_t *data = io_exit(KVM_EXIT_IO_OUT, EXIT_PORT, 1, 1);

	data[0] = 42;
	ck_assert_int_eq(capture_io(out, sizeof(out)), 42);
	data = io_exit(KVM_EXIT_IO_OUT, EXIT_PORT, 1, 1);
	data[0] = 0;
	ck_assert_int_eq(capture_io(out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_io_reads)
{
	char out[8];
	uint8_t *data = io_exit(KVM_EXIT_IO_IN, COM1_BASE + 5, 1, 1);

	ck_assert_int_eq(capture_io(out, sizeof(out)), VM_RUNNING);
	ck_assert_uint_eq(data[0], 0x60); /* THRE | TEMT */

	data = io_exit(KVM_EXIT_IO_IN, 0x300, 2, 3); /* rep insw, unclaimed */
	ck_assert_int_eq(capture_io(out, sizeof(out)), VM_RUNNING);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(data[i], 0xff);
	ck_assert_uint_eq(data[6], 0); /* nothing past count * size */
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_mmio_unbacked)
{
	memset(&page, 0, sizeof(page));
	page.run.exit_reason = KVM_EXIT_MMIO;
	page.run.mmio.phys_addr = 0x20000;
	page.run.mmio.len = 4;
	ck_assert_int_eq(handle_mmio(&vm), VM_RUNNING);
	ck_assert_uint_eq(page.run.mmio.data[0], 0xff);
	ck_assert_uint_eq(page.run.mmio.data[3], 0xff);

	memset(page.run.mmio.data, 0x11, 8);
	page.run.mmio.is_write = 1;
	ck_assert_int_eq(handle_mmio(&vm), VM_RUNNING);
	ck_assert_uint_eq(page.run.mmio.data[0], 0x11); /* dropped, untouched */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("01-real-mode");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_parse_size_suffixes);
	tcase_add_test(tc, test_parse_size_rejects);
	tcase_add_test(tc, test_options_defaults_and_flags);
	tcase_add_test(tc, test_options_errors);
	tcase_add_test(tc, test_options_version);
	tcase_add_test(tc, test_options_help_aligned);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_add_test(tc, test_guest_ptr_bounds);
	tcase_add_test(tc, test_load_image_fits_exactly);
	tcase_add_test(tc, test_load_image_one_byte_too_big);
	tcase_add_test(tc, test_load_image_bad_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("exits");
	tcase_add_test(tc, test_exit_reason_names);
	tcase_add_test(tc, test_stats_table);
	tcase_add_test(tc, test_format_flags);
	tcase_add_test(tc, test_cpu_mode_names);
	tcase_add_test(tc, test_mode_hint);
	tcase_add_test(tc, test_io_console_string_out);
	tcase_add_test(tc, test_io_exit_port);
	tcase_add_test(tc, test_io_reads);
	tcase_add_test(tc, test_mmio_unbacked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
