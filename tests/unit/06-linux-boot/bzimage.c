/*
 * bzimage.c - tests of chapter 6's kernel loader (bzimage.c): what it
 * copies where, and every header check, on synthetic kernels.
 */
#include <asm/bootparam.h>
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include "bzimage.h"
#include "memory.h"
#include "options.h"
#include "unit.h"


#define BZ_RAM_SIZE (16 * MiB)

static struct guest_memory bz_mem;

static void bz_setup(void)
{
	ck_assert_int_eq(memory_alloc(BZ_RAM_SIZE, &bz_mem), 0);
}

static void bz_teardown(void)
{
	memory_destroy(&bz_mem);
}

/* The protected-mode part is at 1 MiB, byte for byte, and nothing else. */
static void expect_kernel_in_ram(const struct guest_memory *mem, size_t pm_size)
{
	const uint8_t *ram = guest_ptr(mem, 0x100000, pm_size + 1);

	ck_assert_ptr_nonnull(ram);
	for (size_t i = 0; i < pm_size; i++)
		if (ram[i] != pm_byte(i))
			ck_abort_msg("byte 0x%zx at 1 MiB is 0x%02x, not 0x%02x", i, ram[i],
				     pm_byte(i));
	ck_assert_uint_eq(ram[pm_size], 0);      /* no further */
	expect_ram_zero(mem, 0, 0x100000);      /* the setup code stays out */
}

START_TEST(test_bzimage_loads_protected_mode_part)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k = make_kernel(&spec);
	struct linux_kernel kernel;

	stderr_begin();
	ck_assert_int_eq(bzimage_load(k.path, &bz_mem, &kernel), 0);
	expect_no_message();
	ck_assert_uint_eq(kernel.load_addr, 0x100000);
	ck_assert_uint_eq(kernel.end, 0x100000 + TEST_INIT_SIZE);
	expect_kernel_in_ram(&bz_mem, TEST_PM_SIZE);
	/* the header is the file's first page, as it is */
	ck_assert_mem_eq(&kernel.header, k.bytes, ZP_SIZE);
	ck_assert_uint_eq(kernel.header.hdr.version, 0x020f);
	ck_assert_uint_eq(kernel.header.hdr.init_size, TEST_INIT_SIZE);
	ck_assert_uint_eq(kernel.header.hdr.kernel_version, TEST_KERNEL_VERSION);
	free_kernel(&k);
}
END_TEST

/* The protected-mode part starts after (setup_sects + 1) sectors; 0 means 4. */
START_TEST(test_bzimage_setup_sects)
{
	static const uint8_t sects[] = { 0, 1, 4, 39, 64 };

	for (size_t i = 0; i < sizeof(sects) / sizeof(sects[0]); i++) {
		struct kernel_spec spec = good_kernel();
		struct test_kernel k;
		struct linux_kernel kernel;

		spec.setup_sects = sects[i];
		k = make_kernel(&spec);
		ck_assert_uint_eq(k.offset, (sects[i] ? sects[i] + 1U : 5U) * 512);
		memset(bz_mem.host, 0, 2 * MiB);
		stderr_begin();
		ck_assert_msg(bzimage_load(k.path, &bz_mem, &kernel) == 0,
			      "setup_sects %u", sects[i]);
		expect_no_message();
		expect_kernel_in_ram(&bz_mem, TEST_PM_SIZE);
		free_kernel(&k);
	}
}
END_TEST

/* A whole kernel shorter than the page the loader reads its header from. */
START_TEST(test_bzimage_smaller_than_a_page)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct linux_kernel kernel;

	spec.setup_sects = 1;
	spec.pm_size = 0x400;
	spec.syssize = 0x400 / 16;
	spec.init_size = 0x1000;
	k = make_kernel(&spec);
	ck_assert_uint_eq(k.size, 0x800);
	memset(&kernel, 0xcc, sizeof(kernel));
	stderr_begin();
	ck_assert_int_eq(bzimage_load(k.path, &bz_mem, &kernel), 0);
	expect_no_message();
	expect_kernel_in_ram(&bz_mem, 0x400);
	ck_assert_uint_eq(kernel.end, 0x100000 + 0x1000);
	ck_assert_mem_eq(&kernel.header, k.bytes, k.size);
	for (size_t i = k.size; i < ZP_SIZE; i++)   /* zeros past the file's end */
		if (((const uint8_t *)&kernel.header)[i] != 0)
			ck_abort_msg("header byte 0x%zx past the file's end", i);
	free_kernel(&k);
}
END_TEST

/* Bytes after syssize (a signed kernel's signature) are allowed. */
START_TEST(test_bzimage_trailing_bytes)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct linux_kernel kernel;

	spec.pm_size = TEST_PM_SIZE + 1472;
	k = make_kernel(&spec);
	stderr_begin();
	ck_assert_int_eq(bzimage_load(k.path, &bz_mem, &kernel), 0);
	expect_no_message();
	expect_bytes(guest_ptr(&bz_mem, 0x100000, TEST_PM_SIZE), k.bytes + k.offset,
		     TEST_PM_SIZE, "kernel at 1 MiB");
	free_kernel(&k);
}
END_TEST

/* kernel->end: RAM to 1 MiB + init_size, or the file's part if bigger. */
START_TEST(test_bzimage_init_size)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct linux_kernel kernel;

	spec.init_size = 0x1000;                /* less than the file's part */
	k = make_kernel(&spec);
	ck_assert_int_eq(bzimage_load(k.path, &bz_mem, &kernel), 0);
	ck_assert_uint_eq(kernel.end, 0x100000 + TEST_PM_SIZE);
	free_kernel(&k);

	spec.init_size = BZ_RAM_SIZE - 0x100000;  /* exactly the RAM there is */
	k = make_kernel(&spec);
	ck_assert_int_eq(bzimage_load(k.path, &bz_mem, &kernel), 0);
	ck_assert_uint_eq(kernel.end, BZ_RAM_SIZE);
	free_kernel(&k);
}
END_TEST

/* A load that fails says so once and puts nothing in RAM. */
static void expect_bzimage_fails(const char *path, int status, const char *what)
{
	struct linux_kernel kernel;
	int got;

	memset(bz_mem.host + 0x100000, 0, 0x10000);
	stderr_begin();
	got = bzimage_load(path, &bz_mem, &kernel);
	ck_assert_msg(got == status, "%s: status %d, not %d", what, got, status);
	expect_one_message();
	expect_ram_zero(&bz_mem, 0x100000, 0x10000);
}

static void expect_spec_fails(const struct kernel_spec *spec, int status, const char *what)
{
	struct test_kernel k = make_kernel(spec);

	expect_bzimage_fails(k.path, status, what);
	free_kernel(&k);
}

START_TEST(test_bzimage_init_size_beyond_ram)
{
	struct kernel_spec spec = good_kernel();

	spec.init_size = BZ_RAM_SIZE - 0x100000 + 1;
	expect_spec_fails(&spec, EX_DATAERR, "init_size one byte past RAM");
	spec.init_size = 0xffffffff;
	expect_spec_fails(&spec, EX_DATAERR, "init_size 4 GiB");
}
END_TEST

/*
 * Where init_size counts from. boot.rst ("init_size"): the kernel runs
 * at align_up(max(load address, pref_address), kernel_alignment) when it
 * is relocatable, else at pref_address; its decompressor moves itself
 * there first. Debian's kernel: relocatable, pref_address 16 MiB,
 * kernel_alignment 2 MiB, so it needs [16 MiB, 16 MiB + init_size).
 */
START_TEST(test_bzimage_runtime_start)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct guest_memory big;
	struct linux_kernel kernel;

	ck_assert_int_eq(memory_alloc(32 * MiB, &big), 0);
	spec.pref_address = 16 * MiB;            /* Debian's */
	spec.kernel_alignment = 2 * MiB;
	k = make_kernel(&spec);
	ck_assert_int_eq(bzimage_load(k.path, &big, &kernel), 0);
	ck_assert_uint_eq(kernel.load_addr, 0x100000);
	ck_assert_msg(kernel.end == 16 * MiB + TEST_INIT_SIZE,
		      "pref_address 16 MiB: end 0x%llx, not 0x%llx",
		      (unsigned long long)kernel.end,
		      (unsigned long long)(16 * MiB + TEST_INIT_SIZE));
	free_kernel(&k);
	/* in 16 MiB it does not fit at all */
	k = make_kernel(&spec);
	expect_bzimage_fails(k.path, EX_DATAERR, "pref_address 16 MiB in 16 MiB of RAM");
	free_kernel(&k);

	spec.pref_address = 0;                   /* the load address, aligned up */
	k = make_kernel(&spec);
	ck_assert_int_eq(bzimage_load(k.path, &big, &kernel), 0);
	ck_assert_msg(kernel.end == 2 * MiB + TEST_INIT_SIZE,
		      "kernel_alignment 2 MiB: end 0x%llx, not 0x%llx",
		      (unsigned long long)kernel.end,
		      (unsigned long long)(2 * MiB + TEST_INIT_SIZE));
	free_kernel(&k);
	memory_destroy(&big);
}
END_TEST

/*
 * pref_address is the file's to choose, up to 2^64 - 1. Where the
 * kernel runs plus init_size must not wrap past 2^64 to a small end
 * that seems to fit: non-relocatable, it runs at pref_address itself;
 * relocatable, never below it.
 */
START_TEST(test_bzimage_pref_address_wraps)
{
	struct kernel_spec spec = good_kernel();

	spec.relocatable = 0;
	spec.pref_address = UINT64_MAX - TEST_INIT_SIZE + 0x1000;
	expect_spec_fails(&spec, EX_DATAERR, "pref_address + init_size wraps to 0xfff");
	spec.pref_address = UINT64_MAX;
	expect_spec_fails(&spec, EX_DATAERR, "pref_address 2^64 - 1");
	spec.relocatable = 1;
	spec.kernel_alignment = 2 * MiB;
	spec.pref_address = UINT64_MAX - 2 * MiB + 1;
	expect_spec_fails(&spec, EX_DATAERR, "relocatable, pref_address near 2^64");
	spec.pref_address = 1ULL << 63;          /* no wrap: just too far */
	expect_spec_fails(&spec, EX_DATAERR, "pref_address 2^63");
}
END_TEST

/*
 * A kernel that is not relocatable runs at pref_address, wherever that
 * is. Below the load address (1 MiB) lie the zero page, the command
 * line and the ACPI tables: it would unpack itself over them.
 */
START_TEST(test_bzimage_runs_below_1mib)
{
	struct kernel_spec spec = good_kernel();

	spec.relocatable = 0;
	spec.pref_address = 0;
	expect_spec_fails(&spec, EX_DATAERR, "non-relocatable, pref_address 0");
	spec.pref_address = 0x100000 - 0x1000;
	expect_spec_fails(&spec, EX_DATAERR, "non-relocatable, pref_address 1 MiB - 4 KiB");
}
END_TEST

/*
 * The 64-bit entry point is KERNEL_ENTRY64_OFFSET (0x200) bytes into
 * the protected-mode part: a part that ends at or before it (syssize 0
 * and nothing after the setup sectors, say) has no code to run there,
 * and the vCPU would execute the zeros of empty RAM.
 */
START_TEST(test_bzimage_no_protected_mode_part)
{
	struct kernel_spec spec = good_kernel();
	struct linux_kernel kernel;
	struct test_kernel k;

	spec.syssize = 0;
	spec.pm_size = 0;
	expect_spec_fails(&spec, EX_DATAERR, "syssize 0, nothing after the setup sectors");
	spec.pm_size = TEST_PM_SIZE;             /* bytes there, but syssize says none */
	expect_spec_fails(&spec, EX_DATAERR, "syssize 0, bytes after the setup sectors");
	spec.syssize = 0x200 / 16;
	expect_spec_fails(&spec, EX_DATAERR, "a part that ends at the entry point");
	spec.syssize = 0x210 / 16;               /* one paragraph past it: loads */
	k = make_kernel(&spec);
	ck_assert_int_eq(bzimage_load(k.path, &bz_mem, &kernel), 0);
	free_kernel(&k);
}
END_TEST

START_TEST(test_bzimage_missing_file)
{
	char path[sizeof(temp_dir) + 16];

	snprintf(path, sizeof(path), "%s/missing", temp_dir);
	expect_bzimage_fails(path, EX_NOINPUT, "missing file");
	expect_bzimage_fails(temp_dir, EX_NOINPUT, "a directory");
}
END_TEST

START_TEST(test_bzimage_empty_file)
{
	expect_bzimage_fails(temp_file("", 0), EX_DATAERR, "empty file");
}
END_TEST

START_TEST(test_bzimage_no_hdrs)
{
	struct kernel_spec spec = good_kernel();

	spec.magic = 0;
	expect_spec_fails(&spec, EX_DATAERR, "no HdrS");
	spec.magic = 0x54726448;                /* "HdrT" */
	expect_spec_fails(&spec, EX_DATAERR, "HdrT");
}
END_TEST

START_TEST(test_bzimage_bad_boot_flag)
{
	struct kernel_spec spec = good_kernel();

	spec.boot_flag = 0x55aa;
	expect_spec_fails(&spec, EX_DATAERR, "boot_flag 0x55aa");
	spec.boot_flag = 0;
	expect_spec_fails(&spec, EX_DATAERR, "boot_flag 0");
}
END_TEST

/* 2.12 is the first protocol with xloadflags: older ones are refused. */
START_TEST(test_bzimage_old_protocol)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct linux_kernel kernel;

	spec.version = 0x020b;
	expect_spec_fails(&spec, EX_DATAERR, "protocol 2.11");
	spec.version = 0x0200;
	expect_spec_fails(&spec, EX_DATAERR, "protocol 2.00");
	spec.version = 0x020c;
	k = make_kernel(&spec);
	ck_assert_int_eq(bzimage_load(k.path, &bz_mem, &kernel), 0);
	free_kernel(&k);
}
END_TEST

START_TEST(test_bzimage_not_64bit)
{
	struct kernel_spec spec = good_kernel();

	spec.xloadflags = XLF_CAN_BE_LOADED_ABOVE_4G | XLF_EFI_HANDOVER_32;
	expect_spec_fails(&spec, EX_DATAERR, "no XLF_KERNEL_64");
	spec.xloadflags = 0;
	expect_spec_fails(&spec, EX_DATAERR, "xloadflags 0");
}
END_TEST

/* Files that end inside the boot sector or the header. */
START_TEST(test_bzimage_shorter_than_header)
{
	static const size_t lengths[] = { 1, 0x1f0, 0x200, 0x206, 600 };

	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct kernel_spec spec = good_kernel();
		char what[32];

		spec.truncate_to = lengths[i];
		snprintf(what, sizeof(what), "%zu-byte file", lengths[i]);
		expect_spec_fails(&spec, EX_DATAERR, what);
	}
}
END_TEST

/* The protected-mode part is shorter than syssize says. */
START_TEST(test_bzimage_truncated)
{
	struct kernel_spec spec = good_kernel();

	spec.syssize = TEST_PM_SIZE / 16 + 1;
	expect_spec_fails(&spec, EX_DATAERR, "syssize one paragraph too many");
	spec = good_kernel();
	spec.truncate_to = 5 * 512 + TEST_PM_SIZE - 1;
	expect_spec_fails(&spec, EX_DATAERR, "file one byte short");
	spec.truncate_to = 5 * 512;
	expect_spec_fails(&spec, EX_DATAERR, "no protected-mode part");
	spec.truncate_to = ZP_SIZE;
	expect_spec_fails(&spec, EX_DATAERR, "one page");
}
END_TEST

/* The header runs from 0x1f1 to 0x202 + the jump's byte (boot.rst). */
START_TEST(test_setup_header_size)
{
	static const struct {
		uint8_t jump;
		uint64_t size;
	} cases[] = {
		{ 0x00, 0x202 - 0x1f1 },
		{ 0x66, 0x268 - 0x1f1 },   /* protocol 2.12 to 2.14 */
		{ 0x6a, 0x26c - 0x1f1 },   /* 2.15: all of struct setup_header */
		{ 0xff, 0x301 - 0x1f1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct setup_header hdr;

		memset(&hdr, 0xcc, sizeof(hdr));
		hdr.jump = (uint16_t)(0xeb | cases[i].jump << 8);
		ck_assert_msg(setup_header_size(&hdr) == cases[i].size, "jump byte 0x%x",
			      cases[i].jump);
	}
	ck_assert_uint_eq(sizeof(struct setup_header), 0x26c - 0x1f1);
}
END_TEST

void add_bzimage_tests(Suite *s)
{
	TCase *tc = tcase_create("bzimage");

	tcase_add_unchecked_fixture(tc, temp_dir_setup, temp_dir_teardown);
	tcase_add_checked_fixture(tc, bz_setup, bz_teardown);
	tcase_add_test(tc, test_bzimage_loads_protected_mode_part);
	tcase_add_test(tc, test_bzimage_setup_sects);
	tcase_add_test(tc, test_bzimage_smaller_than_a_page);
	tcase_add_test(tc, test_bzimage_trailing_bytes);
	tcase_add_test(tc, test_bzimage_init_size);
	tcase_add_test(tc, test_bzimage_init_size_beyond_ram);
	tcase_add_test(tc, test_bzimage_runtime_start);
	tcase_add_test(tc, test_bzimage_pref_address_wraps);
	tcase_add_test(tc, test_bzimage_runs_below_1mib);
	tcase_add_test(tc, test_bzimage_no_protected_mode_part);
	tcase_add_test(tc, test_bzimage_missing_file);
	tcase_add_test(tc, test_bzimage_empty_file);
	tcase_add_test(tc, test_bzimage_no_hdrs);
	tcase_add_test(tc, test_bzimage_bad_boot_flag);
	tcase_add_test(tc, test_bzimage_old_protocol);
	tcase_add_test(tc, test_bzimage_not_64bit);
	tcase_add_test(tc, test_bzimage_shorter_than_header);
	tcase_add_test(tc, test_bzimage_truncated);
	tcase_add_test(tc, test_setup_header_size);
	suite_add_tcase(s, tc);
}

