/*
 * kernel.c - synthetic bzImages and initrds for the loader tests: a
 * setup header with chosen fields, and a protected-mode part (or an
 * initrd) of known bytes, in a temporary file.
 */
#include <asm/bootparam.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/*
 * A well-formed protocol 2.15 kernel with a 0x66 jump (header to 0x268),
 * that runs where it is loaded: its pref_address and kernel_alignment
 * are 1 MiB, so it needs [1 MiB, 1 MiB + init_size) by any reading.
 */
struct kernel_spec good_kernel(void)
{
	return (struct kernel_spec){
		.boot_flag = 0xaa55, .magic = 0x53726448, .version = 0x020f,
		.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G,
		.jump = 0x66, .setup_sects = 4, .syssize = TEST_PM_SIZE / 16,
		.init_size = TEST_INIT_SIZE, .cmdline_size = 2047,
		.initrd_addr_max = 0x7fffffff, .pref_address = 0x100000,
		.kernel_alignment = 0x100000, .relocatable = 1, .pm_size = TEST_PM_SIZE,
	};
}

/* The protected-mode part's bytes: no period of 512, so a wrong offset shows. */
uint8_t pm_byte(size_t i)
{
	return (uint8_t)(i * 13 + (i >> 9) + 1);
}

struct test_kernel make_kernel(const struct kernel_spec *spec)
{
	unsigned sects = spec->setup_sects ? spec->setup_sects : 4;
	struct test_kernel k = { .offset = (size_t)(sects + 1) * 512 };
	size_t full = k.offset + spec->pm_size;
	uint8_t *b = malloc(full);

	ck_assert_ptr_nonnull(b);
	memset(b, SETUP_FILLER, k.offset);
	memset(b + HDR_SETUP_SECTS, 0, HDR_END_2_15 - HDR_SETUP_SECTS);
	b[HDR_SETUP_SECTS] = spec->setup_sects;
	put32(b + HDR_SYSSIZE, spec->syssize);
	put16(b + HDR_BOOT_FLAG, spec->boot_flag);
	b[HDR_JUMP] = 0xeb;                          /* jmp short */
	b[HDR_JUMP + 1] = spec->jump;
	put32(b + HDR_HEADER, spec->magic);
	put16(b + HDR_VERSION, spec->version);
	put16(b + HDR_KERNEL_VERSION, TEST_KERNEL_VERSION);
	/* the loader's to write: garbage in the file */
	b[HDR_TYPE_OF_LOADER] = SETUP_FILLER;
	put32(b + HDR_RAMDISK_IMAGE, 0x5a5a5a5a);
	put32(b + HDR_RAMDISK_SIZE, 0x5a5a5a5a);
	put32(b + HDR_CMD_LINE_PTR, 0x5a5a5a5a);
	put32(b + HDR_INITRD_ADDR_MAX, spec->initrd_addr_max);
	put16(b + HDR_XLOADFLAGS, spec->xloadflags);
	put32(b + HDR_CMDLINE_SIZE, spec->cmdline_size);
	put32(b + HDR_KERNEL_ALIGNMENT, spec->kernel_alignment);
	b[HDR_RELOCATABLE_KERNEL] = spec->relocatable;
	put64(b + HDR_PREF_ADDRESS, spec->pref_address);
	put32(b + HDR_INIT_SIZE, spec->init_size);
	put32(b + HDR_HANDOVER_OFFSET, TEST_HANDOVER);
	put32(b + HDR_KERNEL_INFO_OFFSET, TEST_KERNEL_INFO);
	for (size_t i = 0; i < spec->pm_size; i++)
		b[k.offset + i] = pm_byte(i);
	k.bytes = b;
	k.size = spec->truncate_to ? spec->truncate_to : full;
	k.path = temp_file(b, k.size);
	return k;
}

void free_kernel(struct test_kernel *k)
{
	free(k->bytes);
	k->bytes = NULL;
}

/* An initrd's bytes: no short period either. */
uint8_t initrd_byte(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 12) + 0x31);
}

const char *make_initrd(size_t size)
{
	uint8_t *bytes = malloc(size ? size : 1);
	const char *path;

	ck_assert_ptr_nonnull(bytes);
	for (size_t i = 0; i < size; i++)
		bytes[i] = initrd_byte(i);
	path = temp_file(bytes, size);
	free(bytes);
	return path;
}

void expect_initrd_in_ram(const struct guest_memory *mem, uint64_t addr,
			  size_t size)
{
	const uint8_t *p = guest_ptr(mem, addr, size);

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < size; i++)
		if (p[i] != initrd_byte(i))
			ck_abort_msg("initrd byte 0x%zx is 0x%02x", i, p[i]);
}
