/*
 * linux.c - tests of chapter 6's boot loader (linux.c): linux_load's
 * zero page, initrd and command line on synthetic kernels, and the
 * ACPI windows it writes from the device map.
 */
#define _GNU_SOURCE
#include <asm/bootparam.h>
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "devices.h"
#include "e820.h"
#include "linux.h"
#include "memory.h"
#include "options.h"
#include "unit.h"
#include "vm.h"


#define LINUX_RAM_SIZE DEFAULT_MEMORY_SIZE   /* 256 MiB, as the VMM's default */
#define TEST_INITRD_SIZE 10000

static struct guest_memory linux_mem;

static void linux_setup(void)
{
	ck_assert_int_eq(memory_alloc(LINUX_RAM_SIZE, &linux_mem), 0);
}

static void linux_teardown(void)
{
	memory_destroy(&linux_mem);
}

/* The VMM's options for --kernel, with a disk and an rng (2 devices). */
static struct options linux_options(const char *kernel, const char *initrd,
				    const char *append)
{
	static const uint8_t sector[512];
	struct options o = {
		.kernel = kernel, .initrd = initrd, .append = append,
		.memory_size = LINUX_RAM_SIZE, .mode = MODE_LONG, .device_count = 2,
	};

	o.devices[0] = (struct device_option){ .kind = DEVICE_DISK,
					       .path = temp_file(sector, sizeof(sector)) };
	o.devices[1] = (struct device_option){ .kind = DEVICE_RNG };
	return o;
}

/* linux_load, on a VM whose device map devices_open drew from *o. */
static int load(const struct options *o, const struct guest_memory *mem,
		struct linux_kernel *kernel)
{
	static struct vm vm;
	int status;

	vm = (struct vm){ .mem = *mem, .kvm_fd = -1, .vm_fd = -1 };
	status = devices_open(&vm, o);
	if (status == 0)
		status = linux_load(o, &vm, kernel);
	devices_close(&vm);
	return status;
}

static const struct boot_params *zero_page(const struct guest_memory *mem)
{
	const struct boot_params *bp = guest_ptr(mem, BOOT_PARAMS_ADDR, sizeof(*bp));

	ck_assert_ptr_nonnull(bp);
	return bp;
}

static const char *cmdline_in_ram(const struct guest_memory *mem)
{
	const char *p = guest_ptr(mem, CMDLINE_ADDR, 1);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Garbage where the command line goes, so a missing NUL shows. */
static void dirty_cmdline_area(const struct guest_memory *mem)
{
	memset(guest_ptr(mem, CMDLINE_ADDR, 4096), 0xff, 4096);
}

/*
 * The whole zero page: the file's header (0x1f1 to 0x202 + jump), the
 * loader's answers in it, e820, the RSDP address; every other byte 0.
 */
START_TEST(test_linux_zero_page)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k = make_kernel(&spec);
	const char *initrd = make_initrd(TEST_INITRD_SIZE);
	struct options o = linux_options(k.path, initrd, NULL);
	struct linux_kernel kernel;
	struct boot_e820_entry e820[E820_MAX_ENTRIES_ZEROPAGE];
	unsigned n = e820_build(LINUX_RAM_SIZE, e820, E820_MAX_ENTRIES_ZEROPAGE);
	const uint64_t initrd_addr = 0xfffd000;   /* (256M - 10000) rounded down to 4K */
	const struct boot_params *bp;
	static uint8_t want[ZP_SIZE];

	dirty_cmdline_area(&linux_mem);
	/* boot.rst: the loader clears the whole zero page, whatever was there */
	memset(guest_ptr(&linux_mem, BOOT_PARAMS_ADDR, ZP_SIZE), 0xee, ZP_SIZE);
	stderr_begin();
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	expect_no_message();
	bp = zero_page(&linux_mem);

	/* the kernel's header, from the file */
	ck_assert_uint_eq(bp->hdr.version, 0x020f);
	ck_assert_uint_eq(bp->hdr.kernel_version, TEST_KERNEL_VERSION);
	ck_assert_uint_eq(bp->hdr.pref_address, 0x100000);
	ck_assert_uint_eq(bp->hdr.kernel_alignment, 0x100000);
	ck_assert_uint_eq(bp->hdr.init_size, TEST_INIT_SIZE);
	ck_assert_uint_eq(bp->hdr.handover_offset, TEST_HANDOVER);
	ck_assert_uint_eq(bp->hdr.kernel_info_offset, 0);  /* past its end: not copied */
	/* the loader's answers */
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, CMDLINE_ADDR);
	ck_assert_str_eq(cmdline_in_ram(&linux_mem), "console=ttyS0");
	ck_assert_uint_eq(bp->hdr.ramdisk_image, initrd_addr);
	ck_assert_uint_eq(bp->hdr.ramdisk_image % 4096, 0);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, TEST_INITRD_SIZE);
	ck_assert_uint_le(bp->hdr.ramdisk_image + TEST_INITRD_SIZE, LINUX_RAM_SIZE);
	ck_assert_uint_gt(bp->hdr.ramdisk_image + TEST_INITRD_SIZE + 4096, LINUX_RAM_SIZE);
	expect_initrd_in_ram(&linux_mem, initrd_addr, TEST_INITRD_SIZE);
	ck_assert_uint_eq(bp->e820_entries, n);
	ck_assert_mem_eq(bp->e820_table, e820, n * sizeof(e820[0]));
	ck_assert_uint_eq(bp->acpi_rsdp_addr, 0xe0000);
	ck_assert_mem_eq(guest_ptr(&linux_mem, 0xe0000, 8), "RSD PTR ", 8);
	ck_assert_uint_eq(bp->sentinel, 0);
	/* the kernel is still whole at 1 MiB */
	ck_assert_uint_eq(kernel.load_addr, 0x100000);
	ck_assert_mem_eq(guest_ptr(&linux_mem, 0x100000, TEST_PM_SIZE),
			 k.bytes + k.offset, TEST_PM_SIZE);

	/* and nothing else: byte by byte */
	memset(want, 0, sizeof(want));
	memcpy(want + HDR_SETUP_SECTS, k.bytes + HDR_SETUP_SECTS, 0x202 + 0x66 - 0x1f1);
	want[HDR_TYPE_OF_LOADER] = 0xff;
	put32(want + HDR_CMD_LINE_PTR, CMDLINE_ADDR);
	put32(want + HDR_RAMDISK_IMAGE, (uint32_t)initrd_addr);
	put32(want + HDR_RAMDISK_SIZE, TEST_INITRD_SIZE);
	put64(want + ZP_ACPI_RSDP_ADDR, 0xe0000);
	want[ZP_E820_ENTRIES] = (uint8_t)n;
	memcpy(want + ZP_E820_TABLE, e820, n * sizeof(e820[0]));
	expect_bytes((const uint8_t *)bp, want, ZP_SIZE, "zero page");
	free_kernel(&k);
}
END_TEST

/* With a 0x6a jump (protocol 2.15) the header includes kernel_info_offset. */
START_TEST(test_linux_header_to_its_end)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct options o;
	struct linux_kernel kernel;
	const uint8_t *page;

	spec.jump = 0x6a;
	k = make_kernel(&spec);
	o = linux_options(k.path, NULL, NULL);
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.kernel_info_offset, TEST_KERNEL_INFO);
	page = (const uint8_t *)zero_page(&linux_mem);
	expect_bytes(page + HDR_SETUP_SECTS, k.bytes + HDR_SETUP_SECTS,
		     HDR_TYPE_OF_LOADER - HDR_SETUP_SECTS, "header start");
	expect_bytes(page + HDR_INITRD_ADDR_MAX, k.bytes + HDR_INITRD_ADDR_MAX,
		     HDR_END_2_15 - HDR_INITRD_ADDR_MAX, "header end");
	expect_ram_zero(&linux_mem, BOOT_PARAMS_ADDR + HDR_END_2_15,
			ZP_E820_TABLE - HDR_END_2_15);
	free_kernel(&k);
}
END_TEST

/* No --initrd: no ramdisk, whatever the file's fields held. */
START_TEST(test_linux_no_initrd)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k = make_kernel(&spec);
	struct options o = linux_options(k.path, NULL, NULL);
	struct linux_kernel kernel;

	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.ramdisk_image, 0);
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.ramdisk_size, 0);
	expect_ram_zero(&linux_mem, LINUX_RAM_SIZE - 64 * KiB, 64 * KiB);
	free_kernel(&k);
}
END_TEST

/* The initrd goes under initrd_addr_max + 1 when that is below RAM's end. */
START_TEST(test_linux_initrd_addr_max)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	const char *initrd = make_initrd(0x2345);
	struct options o;
	struct linux_kernel kernel;

	spec.initrd_addr_max = 0x8fff7ff;          /* top 0x8fff800, not page-aligned */
	k = make_kernel(&spec);
	o = linux_options(k.path, initrd, NULL);
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	/* 0x8fff800 - 0x2345 = 0x8ffd4bb, rounded down */
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.ramdisk_image, 0x8ffd000);
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.ramdisk_size, 0x2345);
	expect_initrd_in_ram(&linux_mem, 0x8ffd000, 0x2345);
	expect_ram_zero(&linux_mem, 0x8fff800, 0x800);  /* nothing above the limit */
	free_kernel(&k);

	/* the usual kind of limit, 2^n - 1: a page-sized initrd ends at 2^n */
	spec.initrd_addr_max = 0x8ffffff;
	k = make_kernel(&spec);
	initrd = make_initrd(0x3000);
	o = linux_options(k.path, initrd, NULL);
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.ramdisk_image, 0x9000000 - 0x3000);
	expect_initrd_in_ram(&linux_mem, 0x9000000 - 0x3000, 0x3000);
	free_kernel(&k);

	/* a limit above RAM: RAM's end decides; a page-sized initrd ends there */
	spec.initrd_addr_max = 0xffffffff;
	k = make_kernel(&spec);
	initrd = make_initrd(0x3000);
	o = linux_options(k.path, initrd, NULL);
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.ramdisk_image, LINUX_RAM_SIZE - 0x3000);
	expect_initrd_in_ram(&linux_mem, LINUX_RAM_SIZE - 0x3000, 0x3000);
	free_kernel(&k);
}
END_TEST

/*
 * In 4 MiB of RAM with a kernel that needs 1 MiB to 2 MiB: an initrd
 * of 2 MiB just fits, right after the kernel; one byte more does not.
 */
START_TEST(test_linux_initrd_too_big)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct guest_memory small;
	struct options o;
	struct linux_kernel kernel;
	int status;

	spec.init_size = 0x100000;
	k = make_kernel(&spec);
	ck_assert_int_eq(memory_alloc(4 * MiB, &small), 0);
	o = linux_options(k.path, make_initrd(2 * MiB), NULL);
	ck_assert_int_eq(load(&o, &small, &kernel), 0);
	ck_assert_uint_eq(kernel.end, 2 * MiB);
	ck_assert_uint_eq(zero_page(&small)->hdr.ramdisk_image, 2 * MiB);
	expect_initrd_in_ram(&small, 2 * MiB, 2 * MiB);
	ck_assert_mem_eq(guest_ptr(&small, 0x100000, TEST_PM_SIZE), k.bytes + k.offset,
			 TEST_PM_SIZE);

	memset(small.host, 0, small.size);
	o.initrd = make_initrd(2 * MiB + 1);
	stderr_begin();
	status = load(&o, &small, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	expect_ram_zero(&small, 2 * MiB, 2 * MiB);     /* not loaded over anything */

	o.initrd = make_initrd(5 * MiB);               /* more than all of RAM */
	stderr_begin();
	status = load(&o, &small, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	free_kernel(&k);

	/* a kernel ending one byte into a page keeps the initrd off that page */
	spec.init_size = 0x100001;
	k = make_kernel(&spec);
	o.kernel = k.path;
	o.initrd = make_initrd(2 * MiB);
	stderr_begin();
	status = load(&o, &small, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	o.initrd = make_initrd(2 * MiB - 4096);
	ck_assert_int_eq(load(&o, &small, &kernel), 0);
	ck_assert_uint_eq(kernel.end, 2 * MiB + 1);
	ck_assert_uint_eq(zero_page(&small)->hdr.ramdisk_image, 2 * MiB + 4096);
	memory_destroy(&small);
	free_kernel(&k);
}
END_TEST

/*
 * The initrd must stay clear of where the kernel runs, not only of
 * where it is loaded: a Debian-like kernel (pref_address 16 MiB) with
 * init_size 4 MiB uses [16 MiB, 20 MiB) while it decompresses.
 */
START_TEST(test_linux_initrd_clear_of_runtime_kernel)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct guest_memory ram;
	struct options o;
	struct linux_kernel kernel;
	int status;

	spec.pref_address = 16 * MiB;
	spec.kernel_alignment = 2 * MiB;
	spec.init_size = 4 * MiB;
	k = make_kernel(&spec);
	ck_assert_int_eq(memory_alloc(24 * MiB, &ram), 0);
	o = linux_options(k.path, make_initrd(4 * MiB), NULL);
	ck_assert_int_eq(load(&o, &ram, &kernel), 0);
	ck_assert_uint_eq(zero_page(&ram)->hdr.ramdisk_image, 20 * MiB);

	o.initrd = make_initrd(4 * MiB + 1);    /* would start a page below 20 MiB */
	stderr_begin();
	status = load(&o, &ram, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	memory_destroy(&ram);
	free_kernel(&k);
}
END_TEST

START_TEST(test_linux_initrd_missing)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k = make_kernel(&spec);
	char missing[sizeof(temp_dir) + 16];
	struct options o;
	struct linux_kernel kernel;
	int status;

	snprintf(missing, sizeof(missing), "%s/no-initrd", temp_dir);
	o = linux_options(k.path, missing, NULL);
	stderr_begin();
	status = load(&o, &linux_mem, &kernel);
	EXPECT_FAILURE(status, EX_NOINPUT);

	o.initrd = temp_file("", 0);
	stderr_begin();
	status = load(&o, &linux_mem, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	free_kernel(&k);
}
END_TEST

START_TEST(test_linux_kernel_missing)
{
	char missing[sizeof(temp_dir) + 16];
	struct options o;
	struct linux_kernel kernel;
	int status;

	snprintf(missing, sizeof(missing), "%s/no-kernel", temp_dir);
	o = linux_options(missing, NULL, NULL);
	stderr_begin();
	status = load(&o, &linux_mem, &kernel);
	EXPECT_FAILURE(status, EX_NOINPUT);
	expect_ram_zero(&linux_mem, BOOT_PARAMS_ADDR, ZP_SIZE);  /* no zero page */
}
END_TEST

/* A string of n 'x's, NUL-terminated, in buf. */
static const char *xs(char *buf, size_t n)
{
	memset(buf, 'x', n);
	buf[n] = '\0';
	return buf;
}

/* --append as given; it may be cmdline_size bytes long, not more. */
START_TEST(test_linux_cmdline)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k;
	struct options o;
	struct linux_kernel kernel;
	char text[64];
	int status;

	spec.cmdline_size = 40;
	k = make_kernel(&spec);
	o = linux_options(k.path, NULL, "root=/dev/vda rw console=ttyS0");
	dirty_cmdline_area(&linux_mem);
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_str_eq(cmdline_in_ram(&linux_mem), "root=/dev/vda rw console=ttyS0");
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.cmd_line_ptr, CMDLINE_ADDR);

	o.append = xs(text, 40);
	dirty_cmdline_area(&linux_mem);
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_str_eq(cmdline_in_ram(&linux_mem), text);

	o.append = xs(text, 41);
	stderr_begin();
	status = load(&o, &linux_mem, &kernel);
	EXPECT_FAILURE(status, EX_USAGE);

	o.append = "";
	dirty_cmdline_area(&linux_mem);
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_str_eq(cmdline_in_ram(&linux_mem), "");
	free_kernel(&k);
}
END_TEST

/* Memory32Fixed(ReadWrite, base, size) and Interrupt(...) { irq }, as AML. */
static bool has_window(const struct guest_memory *mem, uint32_t base, uint32_t irq)
{
	const uint8_t *area = guest_ptr(mem, 0xe0000, 0x20000);
	uint8_t window[12] = { 0x86, 0x09, 0x00, 0x01 };
	uint8_t interrupt[9] = { 0x89, 0x06, 0x00, 0x03, 0x01 };
	const uint8_t *w;

	put32(window + 4, base);
	put32(window + 8, 0x1000);
	put32(interrupt + 5, irq);
	w = memmem(area, 0x20000, window, sizeof(window));
	return w && memmem(w, area + 0x20000 - w, interrupt, sizeof(interrupt));
}

/* The ACPI tables declare the --disk and --rng devices where devices.c puts them. */
START_TEST(test_linux_acpi_devices)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k = make_kernel(&spec);
	struct options o = linux_options(k.path, NULL, NULL);
	struct linux_kernel kernel;
	const uint8_t *area;

	o.devices[2] = (struct device_option){ .kind = DEVICE_RNG };
	o.device_count = 3;
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_uint_eq(zero_page(&linux_mem)->acpi_rsdp_addr, 0xe0000);
	area = guest_ptr(&linux_mem, 0xe0000, 0x20000);
	ck_assert_mem_eq(area, "RSD PTR ", 8);
	ck_assert_uint_eq(count_occurrences(area, 0x20000, "LNRO0005"), 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_msg(has_window(&linux_mem, 0xd0000000 + i * 0x1000, 5 + i),
			      "no window for device %u", i);
	ck_assert(!has_window(&linux_mem, 0xd0003000, 8));

	memset(linux_mem.host + 0xe0000, 0, 0x20000);
	o.device_count = 0;
	ck_assert_int_eq(load(&o, &linux_mem, &kernel), 0);
	ck_assert_mem_eq(area, "RSD PTR ", 8);
	ck_assert_uint_eq(zero_page(&linux_mem)->acpi_rsdp_addr, 0xe0000);
	ck_assert_uint_eq(count_occurrences(area, 0x20000, "LNRO0005"), 0);
	free_kernel(&k);
}
END_TEST

void add_linux_load_tests(Suite *s)
{
	TCase *tc = tcase_create("linux_load");

	tcase_add_unchecked_fixture(tc, temp_dir_setup, temp_dir_teardown);
	tcase_add_checked_fixture(tc, linux_setup, linux_teardown);
	tcase_add_test(tc, test_linux_zero_page);
	tcase_add_test(tc, test_linux_header_to_its_end);
	tcase_add_test(tc, test_linux_no_initrd);
	tcase_add_test(tc, test_linux_initrd_addr_max);
	tcase_add_test(tc, test_linux_initrd_too_big);
	tcase_add_test(tc, test_linux_initrd_clear_of_runtime_kernel);
	tcase_add_test(tc, test_linux_initrd_missing);
	tcase_add_test(tc, test_linux_kernel_missing);
	tcase_add_test(tc, test_linux_cmdline);
	tcase_add_test(tc, test_linux_acpi_devices);
	suite_add_tcase(s, tc);
}

