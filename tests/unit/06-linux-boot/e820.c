/*
 * e820.c - tests of chapter 6's memory map (e820.c).
 */
#include <asm/e820.h>
#include <check.h>
#include <stdint.h>

#include "e820.h"
#include "options.h"
#include "unit.h"


#define ENTRY(a, s, t) { .addr = (a), .size = (s), .type = (t) }

/*
 * e820_build's table for ram_size is exactly want[0..n), and it wrote
 * nothing past its last entry.
 */
static void expect_e820(uint64_t ram_size, const struct boot_e820_entry *want,
			unsigned n)
{
	struct boot_e820_entry table[E820_MAX_ENTRIES_ZEROPAGE];
	unsigned count;

	memset(table, 0xa5, sizeof(table));
	count = e820_build(ram_size, table, E820_MAX_ENTRIES_ZEROPAGE);
	ck_assert_msg(count == n, "RAM 0x%llx: %u entries, not %u",
		      (unsigned long long)ram_size, count, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_msg(table[i].addr == want[i].addr && table[i].size == want[i].size &&
			      table[i].type == want[i].type,
			      "RAM 0x%llx: entry %u is 0x%llx+0x%llx type %u",
			      (unsigned long long)ram_size, i,
			      (unsigned long long)table[i].addr,
			      (unsigned long long)table[i].size, table[i].type);
	ck_assert_uint_eq(table[n].type, 0xa5a5a5a5);   /* untouched */
}

START_TEST(test_e820_256m)
{
	static const struct boot_e820_entry want[] = {
		ENTRY(0, 0x9fc00, E820_RAM),
		ENTRY(0x9fc00, 0x400, E820_RESERVED),
		ENTRY(0xe0000, 0x20000, E820_RESERVED),
		ENTRY(0x100000, 0xff00000, E820_RAM),
	};

	expect_e820(256 * MiB, want, 4);
}
END_TEST

START_TEST(test_e820_128m)
{
	static const struct boot_e820_entry want[] = {
		ENTRY(0, 0x9fc00, E820_RAM),
		ENTRY(0x9fc00, 0x400, E820_RESERVED),
		ENTRY(0xe0000, 0x20000, E820_RESERVED),
		ENTRY(0x100000, 0x7f00000, E820_RAM),
	};

	expect_e820(128 * MiB, want, 4);
}
END_TEST

/* Entries are clipped to the RAM there is; empty ones are left out. */
START_TEST(test_e820_tiny)
{
	static const struct boot_e820_entry k64[] = {
		ENTRY(0, 0x10000, E820_RAM),
	};
	static const struct boot_e820_entry k512[] = {
		ENTRY(0, 0x80000, E820_RAM),
	};
	static const struct boot_e820_entry ebda_part[] = {
		ENTRY(0, 0x9fc00, E820_RAM),
		ENTRY(0x9fc00, 0x200, E820_RESERVED),
	};
	static const struct boot_e820_entry k640[] = {
		ENTRY(0, 0x9fc00, E820_RAM),
		ENTRY(0x9fc00, 0x400, E820_RESERVED),
	};
	static const struct boot_e820_entry bios_part[] = {
		ENTRY(0, 0x9fc00, E820_RAM),
		ENTRY(0x9fc00, 0x400, E820_RESERVED),
		ENTRY(0xe0000, 0x10000, E820_RESERVED),
	};
	static const struct boot_e820_entry m1[] = {
		ENTRY(0, 0x9fc00, E820_RAM),
		ENTRY(0x9fc00, 0x400, E820_RESERVED),
		ENTRY(0xe0000, 0x20000, E820_RESERVED),
	};
	static const struct boot_e820_entry m1k4[] = {
		ENTRY(0, 0x9fc00, E820_RAM),
		ENTRY(0x9fc00, 0x400, E820_RESERVED),
		ENTRY(0xe0000, 0x20000, E820_RESERVED),
		ENTRY(0x100000, 0x1000, E820_RAM),
	};

	expect_e820(64 * KiB, k64, 1);
	expect_e820(512 * KiB, k512, 1);
	expect_e820(0x9fc00, k640, 1);            /* low RAM only, to the EBDA */
	expect_e820(0x9fe00, ebda_part, 2);
	expect_e820(0xa0000, k640, 2);
	expect_e820(0xc0000, k640, 2);            /* ends in the hole: nothing more */
	expect_e820(0xe0000, k640, 2);
	expect_e820(0xf0000, bios_part, 3);
	expect_e820(1 * MiB, m1, 3);
	expect_e820(1 * MiB + 4 * KiB, m1k4, 4);
}
END_TEST

/*
 * For any size: entries non-empty, sorted, apart, inside RAM, of the
 * two types used; RAM exactly [0, EBDA) and [1 MiB, end), clipped.
 */
START_TEST(test_e820_well_formed)
{
	static const uint64_t sizes[] = {
		64 * KiB, 0x9f000, 0x9fc00, 0xa0000, 0xd0000, 0xe0000, 0xe1000,
		1 * MiB, 1 * MiB + 4 * KiB, 2 * MiB, 16 * MiB, 256 * MiB, 1 * GiB, 3 * GiB,
	};

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct boot_e820_entry table[E820_MAX_ENTRIES_ZEROPAGE];
		uint64_t ram = sizes[s], ram_bytes = 0;
		uint64_t want_ram = (ram < 0x9fc00 ? ram : 0x9fc00) +
				    (ram > 1 * MiB ? ram - 1 * MiB : 0);
		unsigned n = e820_build(ram, table, E820_MAX_ENTRIES_ZEROPAGE);

		ck_assert_uint_ge(n, 1);
		for (unsigned i = 0; i < n; i++) {
			const struct boot_e820_entry *e = &table[i];

			ck_assert_msg(e->size > 0, "RAM 0x%llx: empty entry %u",
				      (unsigned long long)ram, i);
			ck_assert_msg(e->addr + e->size <= ram, "RAM 0x%llx: entry %u past the end",
				      (unsigned long long)ram, i);
			ck_assert(e->type == E820_RAM || e->type == E820_RESERVED);
			if (i > 0)
				ck_assert_msg(table[i - 1].addr + table[i - 1].size <= e->addr,
					      "RAM 0x%llx: entry %u overlaps or is out of order",
					      (unsigned long long)ram, i);
			if (e->type == E820_RAM) {
				/* RAM lies below the EBDA or from 1 MiB up */
				ck_assert(e->addr + e->size <= 0x9fc00 || e->addr >= 1 * MiB);
				ram_bytes += e->size;
			}
		}
		ck_assert_msg(ram_bytes == want_ram, "RAM 0x%llx: 0x%llx bytes of RAM listed",
			      (unsigned long long)ram, (unsigned long long)ram_bytes);
	}
}
END_TEST

/* A short table gets the first entries, and nothing is written past it. */
START_TEST(test_e820_max_entries)
{
	struct boot_e820_entry full[E820_MAX_ENTRIES_ZEROPAGE];
	unsigned n = e820_build(256 * MiB, full, E820_MAX_ENTRIES_ZEROPAGE);

	ck_assert_uint_eq(n, 4);
	for (unsigned max = 0; max <= 5; max++) {
		struct boot_e820_entry table[8];
		unsigned count, want = max < n ? max : n;

		memset(table, 0xa5, sizeof(table));
		count = e820_build(256 * MiB, table, max);
		ck_assert_msg(count == want, "max %u: %u entries", max, count);
		ck_assert_mem_eq(table, full, count * sizeof(table[0]));
		for (unsigned i = count; i < 8; i++)
			ck_assert_msg(table[i].type == 0xa5a5a5a5 &&
				      table[i].addr == 0xa5a5a5a5a5a5a5a5ULL,
				      "max %u: entry %u written", max, i);
	}
}
END_TEST

void add_e820_tests(Suite *s)
{
	TCase *tc = tcase_create("e820");

	tcase_add_test(tc, test_e820_256m);
	tcase_add_test(tc, test_e820_128m);
	tcase_add_test(tc, test_e820_tiny);
	tcase_add_test(tc, test_e820_well_formed);
	tcase_add_test(tc, test_e820_max_entries);
	suite_add_tcase(s, tc);
}

