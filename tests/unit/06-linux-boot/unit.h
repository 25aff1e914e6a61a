/*
 * unit.h - what chapter 6's unit tests share: one file per concept in
 * tests/unit/06-linux-boot/, assembled into one suite by
 * tests/unit/test-06-linux-boot.c.
 */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "memory.h"

/* The suites, one per concept. */
void add_aml_tests(Suite *s);
void add_acpi_tests(Suite *s);
void add_e820_tests(Suite *s);
void add_bzimage_tests(Suite *s);
void add_linux_load_tests(Suite *s);
void add_options_tests(Suite *s);
void add_loader_tests(Suite *s);
void add_pvpanic_tests(Suite *s);
void add_devices_tests(Suite *s);
void add_crash_tests(Suite *s);

/* ---- reading ACPI tables and AML back (aml-reader.c) ---- */

uint16_t le16(const uint8_t *p);
uint32_t le32(const uint8_t *p);
uint64_t le64(const uint8_t *p);
uint8_t byte_sum(const uint8_t *p, size_t len);

struct aml;
void expect_aml(const struct aml *aml, const void *want, size_t len);

/* A position in AML being read, and where it ends. */
struct cursor {
	const uint8_t *p;
	const uint8_t *end;
};

void expect(struct cursor *c, const void *bytes, size_t len);
size_t read_pkglength(struct cursor *c);
const uint8_t *read_package_end(struct cursor *c);
uint64_t read_integer(struct cursor *c);
size_t count_occurrences(const uint8_t *hay, size_t len, const char *needle);

/* ---- temporary files, stderr, bytes (helpers.c) ---- */

extern char temp_dir[64];
void temp_dir_setup(void);
void temp_dir_teardown(void);
const char *temp_file(const void *data, size_t len);
void stderr_begin(void);
void stderr_end(char *text, size_t size);
void expect_one_message(void);
void expect_failure(int got, int want, int line);
#define EXPECT_FAILURE(got, want) expect_failure(got, want, __LINE__)
void expect_no_message(void);
void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
void put64(uint8_t *p, uint64_t v);
void expect_bytes(const uint8_t *got, const uint8_t *want, size_t len,
		  const char *what);
void expect_ram_zero(const struct guest_memory *mem, uint64_t addr,
		     uint64_t len);

/* ---- synthetic kernels (kernel.c) ---- */

/*
 * Synthetic bzImages. Field offsets are boot.rst's ("The real-mode
 * kernel header"), written byte by byte rather than through struct
 * setup_header, so that a layout mistake on either side shows.
 */
#define HDR_SETUP_SECTS        0x1f1
#define HDR_SYSSIZE            0x1f4
#define HDR_BOOT_FLAG          0x1fe
#define HDR_JUMP               0x200
#define HDR_HEADER             0x202
#define HDR_VERSION            0x206
#define HDR_KERNEL_VERSION     0x20e
#define HDR_TYPE_OF_LOADER     0x210
#define HDR_RAMDISK_IMAGE      0x218
#define HDR_RAMDISK_SIZE       0x21c
#define HDR_CMD_LINE_PTR       0x228
#define HDR_INITRD_ADDR_MAX    0x22c
#define HDR_KERNEL_ALIGNMENT   0x230
#define HDR_RELOCATABLE_KERNEL 0x234
#define HDR_XLOADFLAGS         0x236
#define HDR_CMDLINE_SIZE       0x238
#define HDR_PREF_ADDRESS       0x258
#define HDR_INIT_SIZE          0x260
#define HDR_HANDOVER_OFFSET    0x264
#define HDR_KERNEL_INFO_OFFSET 0x268
#define HDR_END_2_15           0x26c   /* the end of protocol 2.15's header */
/* zero-page.rst: the loader's fields outside the header */
#define ZP_ACPI_RSDP_ADDR      0x070
#define ZP_E820_ENTRIES        0x1e8
#define ZP_E820_TABLE          0x2d0
#define ZP_SIZE                4096

#define TEST_PM_SIZE           0x3000      /* the protected-mode part */
#define TEST_INIT_SIZE         0x200000
#define TEST_KERNEL_VERSION    0x0123
#define TEST_HANDOVER          0x00c0ffee
#define TEST_KERNEL_INFO       0x6b6b6b6b  /* past a 0x66 jump's header end */
#define SETUP_FILLER           0x5a        /* the setup code, and garbage */

struct kernel_spec {
	uint16_t boot_flag;
	uint32_t magic;
	uint16_t version;
	uint16_t xloadflags;
	uint8_t jump;            /* the byte at 0x201: the header ends at 0x202 + it */
	uint8_t setup_sects;     /* as stored: 0 means 4 */
	uint32_t syssize;        /* the protected-mode part in 16-byte paragraphs */
	uint32_t init_size;
	uint32_t cmdline_size;
	uint32_t initrd_addr_max;
	/* where the kernel runs (boot.rst, init_size): align_up(max(load
	 * address, pref_address), kernel_alignment) when relocatable */
	uint64_t pref_address;
	uint32_t kernel_alignment;
	uint8_t relocatable;
	size_t pm_size;          /* bytes of protected-mode part in the file */
	size_t truncate_to;      /* 0, or a shorter length for the file */
};

struct test_kernel {
	uint8_t *bytes;          /* the whole image, as built */
	size_t size;             /* the file's length */
	size_t offset;           /* where the protected-mode part starts */
	const char *path;
};

struct kernel_spec good_kernel(void);
uint8_t pm_byte(size_t i);
struct test_kernel make_kernel(const struct kernel_spec *spec);
void free_kernel(struct test_kernel *k);
uint8_t initrd_byte(size_t i);
const char *make_initrd(size_t size);
void expect_initrd_in_ram(const struct guest_memory *mem, uint64_t addr,
			  size_t size);

#endif
