/*
 * loader.c - tests of chapter 6's file loader (loader.c): a flat image,
 * and files read piece by piece.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include "loader.h"
#include "memory.h"
#include "options.h"
#include "unit.h"


#define LOADER_RAM_SIZE (1 * MiB)

static struct guest_memory loader_mem;

static void loader_setup(void)
{
	ck_assert_int_eq(memory_alloc(LOADER_RAM_SIZE, &loader_mem), 0);
}

static void loader_teardown(void)
{
	memory_destroy(&loader_mem);
}

/* A file of `size` bytes of the initrd pattern. */
START_TEST(test_load_image_exact)
{
	const char *path = make_initrd(1000);

	stderr_begin();
	ck_assert_int_eq(load_image(path, &loader_mem, 0x7c00), 0);
	expect_no_message();
	expect_initrd_in_ram(&loader_mem, 0x7c00, 1000);
	expect_ram_zero(&loader_mem, 0, 0x7c00);
	expect_ram_zero(&loader_mem, 0x7c00 + 1000, LOADER_RAM_SIZE - 0x7c00 - 1000);
}
END_TEST

/* Up to RAM's last byte, and not one byte further. */
START_TEST(test_load_image_end_of_ram)
{
	const char *path = make_initrd(4096);
	int status;

	ck_assert_int_eq(load_image(path, &loader_mem, LOADER_RAM_SIZE - 4096), 0);
	expect_initrd_in_ram(&loader_mem, LOADER_RAM_SIZE - 4096, 4096);

	memset(loader_mem.host, 0, LOADER_RAM_SIZE);
	stderr_begin();
	status = load_image(path, &loader_mem, LOADER_RAM_SIZE - 4095);
	EXPECT_FAILURE(status, EX_DATAERR);
	stderr_begin();
	status = load_image(path, &loader_mem, UINT64_MAX - 100);   /* wraps */
	EXPECT_FAILURE(status, EX_DATAERR);
	expect_ram_zero(&loader_mem, 0, LOADER_RAM_SIZE);
}
END_TEST

START_TEST(test_load_image_bad_files)
{
	char missing[sizeof(temp_dir) + 16];
	int status;

	snprintf(missing, sizeof(missing), "%s/missing", temp_dir);
	stderr_begin();
	status = load_image(missing, &loader_mem, 0);
	EXPECT_FAILURE(status, EX_NOINPUT);
	stderr_begin();
	status = load_image(temp_dir, &loader_mem, 0);
	EXPECT_FAILURE(status, EX_NOINPUT);
	stderr_begin();
	status = load_image("/dev/null", &loader_mem, 0);   /* opens, but is no file */
	EXPECT_FAILURE(status, EX_NOINPUT);
	stderr_begin();
	status = load_image(temp_file("", 0), &loader_mem, 0);
	EXPECT_FAILURE(status, EX_DATAERR);
}
END_TEST

/* input_open, input_read and input_load, piece by piece. */
START_TEST(test_input_pieces)
{
	const char *path = make_initrd(3000);
	struct input_file f;
	uint8_t buf[64];
	int status;

	ck_assert_int_eq(input_open(&f, "initrd", path), 0);
	ck_assert_uint_eq(f.size, 3000);
	ck_assert_str_eq(f.what, "initrd");
	ck_assert_str_eq(f.path, path);
	ck_assert_int_ge(f.fd, 0);

	ck_assert_int_eq(input_read(&f, 100, buf, 50), 0);
	for (size_t i = 0; i < 50; i++)
		if (buf[i] != initrd_byte(100 + i))
			ck_abort_msg("input_read: byte %zu", i);
	ck_assert_int_eq(input_read(&f, 2990, buf, 10), 0);  /* to the last byte */

	stderr_begin();
	status = input_read(&f, 2990, buf, 11);              /* one byte past it */
	EXPECT_FAILURE(status, EX_DATAERR);

	ck_assert_int_eq(input_load(&f, 512, 256, &loader_mem, 0x2000), 0);
	for (size_t i = 0; i < 256; i++)
		if (loader_mem.host[0x2000 + i] != initrd_byte(512 + i))
			ck_abort_msg("input_load: byte %zu", i);
	ck_assert_uint_eq(loader_mem.host[0x2000 + 256], 0);
	ck_assert_uint_eq(loader_mem.host[0x1fff], 0);

	stderr_begin();
	status = input_load(&f, 0, 3000, &loader_mem, LOADER_RAM_SIZE - 2999);
	EXPECT_FAILURE(status, EX_DATAERR);

	input_close(&f);
	ck_assert_int_eq(f.fd, -1);
	input_close(&f);                                     /* twice is harmless */
	ck_assert_int_eq(f.fd, -1);
}
END_TEST

void add_loader_tests(Suite *s)
{
	TCase *tc = tcase_create("loader");

	tcase_add_unchecked_fixture(tc, temp_dir_setup, temp_dir_teardown);
	tcase_add_checked_fixture(tc, loader_setup, loader_teardown);
	tcase_add_test(tc, test_load_image_exact);
	tcase_add_test(tc, test_load_image_end_of_ram);
	tcase_add_test(tc, test_load_image_bad_files);
	tcase_add_test(tc, test_input_pieces);
	suite_add_tcase(s, tc);
}

