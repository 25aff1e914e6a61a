/*
 * options.c - tests of chapter 6's command line (options.c): --kernel,
 * --initrd and --append, and IMAGE as before.
 */
#include <check.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>
#include <sysexits.h>

#include "options.h"
#include "unit.h"


static bool parse_args(int argc, const char **argv, struct options *o, int *status)
{
	optind = 0; /* glibc's getopt starts afresh only with optind 0 */
	return parse_options(argc, (char **)argv, o, status);
}

#define ARGC(argv) ((int)(sizeof(argv) / sizeof(argv[0])) - 1)

/* Refused with EX_USAGE and one line on stderr. */
static void expect_usage_error(int argc, const char **argv, const char *what)
{
	struct options o;
	int status = 0;
	bool ok;

	stderr_begin();
	ok = parse_args(argc, argv, &o, &status);
	ck_assert_msg(!ok, "%s: accepted", what);
	ck_assert_msg(status == EX_USAGE, "%s: status %d", what, status);
	expect_one_message();
}

START_TEST(test_options_kernel_alone)
{
	const char *argv[] = { "vmm", "--kernel", "bzImage", NULL };
	struct options o;
	int status;

	ck_assert(parse_args(ARGC(argv), argv, &o, &status));
	ck_assert_str_eq(o.kernel, "bzImage");
	ck_assert_ptr_null(o.image);
	ck_assert_ptr_null(o.initrd);
	ck_assert_ptr_null(o.append);
	ck_assert_uint_eq(o.memory_size, 256 * MiB);
	ck_assert_uint_eq(o.device_count, 0);
}
END_TEST

START_TEST(test_options_kernel_everything)
{
	char disk[] = "disk.img,ro";
	const char *argv[] = { "vmm", "--kernel=bz", "--initrd", "initrd.img",
			       "--append", "console=ttyS0 quiet", "-m", "512M",
			       "--disk", disk, "--rng", "-t", NULL };
	struct options o;
	int status;

	ck_assert(parse_args(ARGC(argv), argv, &o, &status));
	ck_assert_str_eq(o.kernel, "bz");
	ck_assert_str_eq(o.initrd, "initrd.img");
	ck_assert_str_eq(o.append, "console=ttyS0 quiet");
	ck_assert_ptr_null(o.image);
	ck_assert_uint_eq(o.memory_size, 512 * MiB);
	ck_assert(o.trace);
	ck_assert_uint_eq(o.device_count, 2);
	ck_assert_int_eq(o.devices[0].kind, DEVICE_DISK);
	ck_assert_str_eq(o.devices[0].path, "disk.img");
	ck_assert(o.devices[0].readonly);
	ck_assert_int_eq(o.devices[1].kind, DEVICE_RNG);
}
END_TEST

START_TEST(test_options_kernel_and_image)
{
	const char *after[] = { "vmm", "--kernel", "bz", "guest.bin", NULL };
	const char *before[] = { "vmm", "guest.bin", "--kernel", "bz", NULL };

	expect_usage_error(ARGC(after), after, "--kernel then IMAGE");
	expect_usage_error(ARGC(before), before, "IMAGE then --kernel");
}
END_TEST

START_TEST(test_options_need_kernel)
{
	const char *initrd[] = { "vmm", "--initrd", "initrd.img", "guest.bin", NULL };
	const char *append[] = { "vmm", "--append", "quiet", "guest.bin", NULL };
	const char *initrd_alone[] = { "vmm", "--initrd", "initrd.img", NULL };

	expect_usage_error(ARGC(initrd), initrd, "--initrd without --kernel");
	expect_usage_error(ARGC(append), append, "--append without --kernel");
	expect_usage_error(ARGC(initrd_alone), initrd_alone, "--initrd alone");
}
END_TEST

START_TEST(test_options_missing_values)
{
	const char *kernel[] = { "vmm", "--kernel", NULL };
	const char *initrd[] = { "vmm", "--kernel", "bz", "--initrd", NULL };
	const char *append[] = { "vmm", "--kernel", "bz", "--append", NULL };
	const char *nothing[] = { "vmm", NULL };

	expect_usage_error(ARGC(kernel), kernel, "--kernel without a file");
	expect_usage_error(ARGC(initrd), initrd, "--initrd without a file");
	expect_usage_error(ARGC(append), append, "--append without a string");
	expect_usage_error(ARGC(nothing), nothing, "neither IMAGE nor --kernel");
}
END_TEST

/* Chapter 5's command lines still mean what they meant. */
START_TEST(test_options_image_alone)
{
	const char *argv[] = { "vmm", "--rng", "guest.bin", NULL };
	const char *two[] = { "vmm", "a.bin", "b.bin", NULL };
	struct options o;
	int status;

	ck_assert(parse_args(ARGC(argv), argv, &o, &status));
	ck_assert_str_eq(o.image, "guest.bin");
	ck_assert_ptr_null(o.kernel);
	ck_assert_ptr_null(o.initrd);
	ck_assert_ptr_null(o.append);
	ck_assert_uint_eq(o.memory_size, 256 * MiB);
	ck_assert_int_eq(o.mode, MODE_LONG);
	ck_assert_uint_eq(o.device_count, 1);
	expect_usage_error(ARGC(two), two, "two IMAGEs");
}
END_TEST

void add_options_tests(Suite *s)
{
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_options_kernel_alone);
	tcase_add_test(tc, test_options_kernel_everything);
	tcase_add_test(tc, test_options_kernel_and_image);
	tcase_add_test(tc, test_options_need_kernel);
	tcase_add_test(tc, test_options_missing_values);
	tcase_add_test(tc, test_options_image_alone);
	suite_add_tcase(s, tc);
}

