/*
 * test-06-linux-boot.c - unit tests of chapter 6's pieces, compiled with
 * the chapter's own sources: the AML encoder (PkgLength, names,
 * integers, strings, containers, resource templates with memory, I/O
 * port and interrupt descriptors, against bytes computed by hand from
 * the ACPI spec) and the ACPI tables, built in guest RAM and read back
 * the way an OS finds them: the legacy PC devices (COM1, RTC, i8042)
 * and the virtio-mmio devices, decoded from the DSDT's AML. Then the
 * Linux loader's pieces: the e820 map, bzImage loading and its header
 * checks, linux_load's zero page, initrd and command line (on synthetic
 * kernel files), the MP table (read back as Linux's mpparse.c reads
 * it, beside the ACPI tables), the --kernel options and the file
 * loader.
 */
#define _GNU_SOURCE
#include <asm/bootparam.h>
#include <asm/e820.h>
#include <check.h>
#include <dirent.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "acpi.h"
#include "aml.h"
#include "bzimage.h"
#include "e820.h"
#include "linux.h"
#include "loader.h"
#include "memory.h"
#include "mptable.h"
#include "options.h"

#include "suite_main.h"

/* ==== acpi: the AML encoder (aml.c) and the ACPI tables (acpi.c) ==== */

/* Little-endian fields, as the tables store them. */
static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t byte_sum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

/* The encoder must have produced exactly `want`. */
static void expect_aml(const struct aml *aml, const void *want, size_t len)
{
	ck_assert(!aml->failed);
	ck_assert_uint_eq(aml->len, len);
	ck_assert_mem_eq(aml->bytes, want, len);
}

/*
 * Reading AML back. This decoder is written apart from aml.c, from the
 * spec, so the two check each other.
 */
struct cursor {
	const uint8_t *p;
	const uint8_t *end;
};

static void expect(struct cursor *c, const void *bytes, size_t len)
{
	ck_assert_uint_ge(c->end - c->p, len);
	ck_assert_mem_eq(c->p, bytes, len);
	c->p += len;
}

/* §20.2.4. Returns the PkgLength and leaves the cursor after it. */
static size_t read_pkglength(struct cursor *c)
{
	unsigned follow;
	size_t value;

	ck_assert(c->p < c->end);
	follow = c->p[0] >> 6;
	if (follow == 0)
		return *c->p++ & 0x3f;
	ck_assert_uint_eq(c->p[0] & 0x30, 0);   /* reserved bits */
	ck_assert_uint_ge(c->end - c->p, 1 + follow);
	value = c->p[0] & 0x0f;
	for (unsigned i = 0; i < follow; i++)
		value |= (size_t)c->p[1 + i] << (4 + 8 * i);
	c->p += 1 + follow;
	return value;
}

/* The end of a package whose PkgLength starts at the cursor. */
static const uint8_t *read_package_end(struct cursor *c)
{
	const uint8_t *start = c->p;
	size_t len = read_pkglength(c);

	ck_assert_uint_le(len, c->end - start);
	ck_assert_uint_ge(len, c->p - start);
	return start + len;
}

static uint64_t read_integer(struct cursor *c)
{
	static const unsigned sizes[] = { [0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8 };
	uint8_t op;
	uint64_t value = 0;

	ck_assert(c->p < c->end);
	op = *c->p++;
	if (op == 0x00 || op == 0x01)
		return op;
	ck_assert_msg(op < sizeof(sizes) / sizeof(sizes[0]) && sizes[op], "op 0x%x", op);
	ck_assert_uint_ge(c->end - c->p, sizes[op]);
	for (unsigned i = 0; i < sizes[op]; i++)
		value |= (uint64_t)c->p[i] << (8 * i);
	c->p += sizes[op];
	return value;
}

/* ---- AML: PkgLength ---- */

START_TEST(test_aml_pkglength_boundaries)
{
	static const struct {
		size_t value;
		uint8_t bytes[4];
		size_t len;
	} cases[] = {
		{ 0, { 0x00 }, 1 },
		{ 1, { 0x01 }, 1 },
		{ 63, { 0x3f }, 1 },
		{ 64, { 0x40, 0x04 }, 2 },
		{ 65, { 0x41, 0x04 }, 2 },
		{ 0x123, { 0x43, 0x12 }, 2 },
		{ 4095, { 0x4f, 0xff }, 2 },
		{ 4096, { 0x80, 0x00, 0x01 }, 3 },
		{ 0x12345, { 0x85, 0x34, 0x12 }, 3 },
		{ 0xfffff, { 0x8f, 0xff, 0xff }, 3 },
		{ 0x100000, { 0xc0, 0x00, 0x00, 0x01 }, 4 },
		{ 0xfffffff, { 0xcf, 0xff, 0xff, 0xff }, 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml aml = AML_INIT;

		aml_pkglength(&aml, cases[i].value);
		ck_assert_msg(aml.len == cases[i].len, "PkgLength %zu", cases[i].value);
		expect_aml(&aml, cases[i].bytes, cases[i].len);
		aml_free(&aml);
	}
}
END_TEST

START_TEST(test_aml_pkglength_too_long)
{
	struct aml aml = AML_INIT;

	aml_pkglength(&aml, AML_PKGLENGTH_MAX + 1);
	ck_assert(aml.failed);
	aml_free(&aml);
}
END_TEST

/*
 * A container's PkgLength counts itself, so a body near a boundary
 * tips it into the next size: Scope(ABCD) { n bytes } has inner bytes
 * 4 + n, and a PkgLength of inner + its own size.
 */
START_TEST(test_aml_package_sizes)
{
	static const struct {
		size_t inner;
		size_t pkglength_size;
	} cases[] = {
		{ 62, 1 },              /* 63: still one byte */
		{ 63, 2 },              /* 64 would not fit one byte: 65 */
		{ 4093, 2 },            /* 4095 */
		{ 4094, 3 },            /* 4096 does not fit two: 4097 */
		{ (1 << 20) - 4, 3 },   /* 0xfffff */
		{ (1 << 20) - 3, 4 },   /* 0x100001 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t body_len = cases[i].inner - 4;
		struct aml body = AML_INIT, scope = AML_INIT;
		uint8_t *filler = calloc(1, body_len);
		struct cursor c;

		ck_assert_ptr_nonnull(filler);
		aml_append(&body, filler, body_len);
		aml_scope(&scope, "ABCD", &body);
		ck_assert(!scope.failed);
		ck_assert_uint_eq(scope.len, 1 + cases[i].pkglength_size + cases[i].inner);
		c = (struct cursor){ scope.bytes, scope.bytes + scope.len };
		expect(&c, "\x10", 1);
		ck_assert_uint_eq(read_pkglength(&c), cases[i].pkglength_size + cases[i].inner);
		expect(&c, "ABCD", 4);
		free(filler);
		aml_free(&body);
		aml_free(&scope);
	}
}
END_TEST

/* ---- AML: names, integers, strings ---- */

START_TEST(test_aml_integers)
{
	static const struct {
		uint64_t value;
		uint8_t bytes[9];
		size_t len;
	} cases[] = {
		{ 0, { 0x00 }, 1 },
		{ 1, { 0x01 }, 1 },
		{ 2, { 0x0a, 0x02 }, 2 },
		{ 0xff, { 0x0a, 0xff }, 2 },
		{ 0x100, { 0x0b, 0x00, 0x01 }, 3 },
		{ 0xffff, { 0x0b, 0xff, 0xff }, 3 },
		{ 0x10000, { 0x0c, 0x00, 0x00, 0x01, 0x00 }, 5 },
		{ 0xd0000000, { 0x0c, 0x00, 0x00, 0x00, 0xd0 }, 5 },
		{ 0xffffffff, { 0x0c, 0xff, 0xff, 0xff, 0xff }, 5 },
		{ 1ULL << 32, { 0x0e, 0, 0, 0, 0, 0x01, 0, 0, 0 }, 9 },
		{ UINT64_MAX, { 0x0e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml aml = AML_INIT;

		aml_integer(&aml, cases[i].value);
		ck_assert_msg(aml.len == cases[i].len, "integer 0x%llx",
			      (unsigned long long)cases[i].value);
		expect_aml(&aml, cases[i].bytes, cases[i].len);
		aml_free(&aml);
	}
}
END_TEST

START_TEST(test_aml_name_hid)
{
	static const uint8_t want[] = {
		0x08,                                            /* NameOp */
		'_', 'H', 'I', 'D',                              /* NameSeg */
		0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0, /* String */
	};
	struct aml aml = AML_INIT;

	aml_name(&aml, "_HID");
	aml_string(&aml, "LNRO0005");
	expect_aml(&aml, want, sizeof(want));
	aml_free(&aml);
}
END_TEST

START_TEST(test_aml_name_strings)
{
	static const struct {
		const char *name;
		const char *bytes;
		size_t len;
	} cases[] = {
		{ "_HID", "_HID", 4 },
		{ "_SB", "_SB_", 4 },                         /* padded with '_' */
		{ "\\_SB_", "\\_SB_", 5 },                    /* RootChar */
		{ "\\_SB_.VR0A", "\\\x2e_SB_VR0A", 10 },      /* DualNamePrefix */
		{ "A.B2.C", "\x2f\x03" "A___B2__C___", 14 }, /* MultiNamePrefix */
		{ "\\", "\\\0", 2 },                          /* the root: NullName */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml aml = AML_INIT;

		aml_name_string(&aml, cases[i].name);
		ck_assert_msg(aml.len == cases[i].len, "name %s", cases[i].name);
		expect_aml(&aml, cases[i].bytes, cases[i].len);
		aml_free(&aml);
	}
}
END_TEST

START_TEST(test_aml_bad_names)
{
	static const char *const bad[] = {
		"1ABC", "abcd", "TOOLONG", "A..B", ".ABC", "ABC.", "A-B", "\\\\A",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct aml aml = AML_INIT;

		aml_name_string(&aml, bad[i]);
		ck_assert_msg(aml.failed, "name %s accepted", bad[i]);
		aml_free(&aml);
	}
}
END_TEST

START_TEST(test_aml_string_rejects_non_ascii)
{
	struct aml aml = AML_INIT;

	aml_string(&aml, "caf\xc3\xa9");
	ck_assert(aml.failed);
	aml_free(&aml);
}
END_TEST

/* A failure is sticky, and spreads to whatever wraps the failed part. */
START_TEST(test_aml_failure_propagates)
{
	struct aml body = AML_INIT, outer = AML_INIT;

	aml_name(&body, "bad!");
	ck_assert(body.failed);
	aml_integer(&body, 7);
	aml_device(&outer, "DEV0", &body);
	ck_assert(outer.failed);
	aml_free(&body);
	aml_free(&outer);
}
END_TEST

/* ---- AML: containers and resource templates ---- */

/* Scope(\_SB_) { Device(VR00) { Name(_UID, 0) } }, encoded by hand. */
START_TEST(test_aml_scope_device)
{
	static const uint8_t want[] = {
		0x10, 0x13,                    /* ScopeOp, PkgLength 19 */
		'\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x0b,              /* DeviceOp, PkgLength 11 */
		'V', 'R', '0', '0',
		0x08, '_', 'U', 'I', 'D', 0x00,
	};
	struct aml uid = AML_INIT, device = AML_INIT, scope = AML_INIT;

	aml_name(&uid, "_UID");
	aml_integer(&uid, 0);
	aml_device(&device, "VR00", &uid);
	aml_scope(&scope, "\\_SB_", &device);
	expect_aml(&scope, want, sizeof(want));
	aml_free(&uid);
	aml_free(&device);
	aml_free(&scope);
}
END_TEST

/*
 * ResourceTemplate() { Memory32Fixed(ReadWrite, 0xd0000000, 0x1000)
 *   Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) { 5 } },
 * encoded by hand (and what iasl emits for it).
 */
START_TEST(test_aml_resource_template)
{
	static const uint8_t want[] = {
		0x11, 0x1a, 0x0a, 0x17,                   /* BufferOp, PkgLength 26, size 23 */
		0x86, 0x09, 0x00, 0x01,                   /* Memory32Fixed, RW */
		0x00, 0x00, 0x00, 0xd0, 0x00, 0x10, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x03, 0x01,             /* Interrupt, flags, 1 IRQ */
		0x05, 0x00, 0x00, 0x00,
		0x79, 0x00,                               /* End tag */
	};
	struct aml resources = AML_INIT, buffer = AML_INIT;

	aml_memory32_fixed(&resources, true, 0xd0000000, 0x1000);
	aml_interrupt(&resources, AML_IRQ_CONSUMER | AML_IRQ_EDGE, 5);
	aml_end_tag(&resources);
	aml_buffer(&buffer, &resources);
	expect_aml(&buffer, want, sizeof(want));
	aml_free(&resources);
	aml_free(&buffer);
}
END_TEST

/*
 * IO(Decode16, base, base, 1, length): the small I/O port descriptor
 * (§6.4.2.5), tag 0x47 (type 0x8, 7 bytes), by hand.
 */
START_TEST(test_aml_io)
{
	static const struct {
		uint16_t base;
		uint8_t length;
		uint8_t bytes[8];
	} cases[] = {
		{ 0x3f8, 8, { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08 } },
		{ 0x70, 2, { 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02 } },
		{ 0x1234, 0x56, { 0x47, 0x01, 0x34, 0x12, 0x34, 0x12, 0x01, 0x56 } },
		{ 0xffff, 0xff, { 0x47, 0x01, 0xff, 0xff, 0xff, 0xff, 0x01, 0xff } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml aml = AML_INIT;

		aml_io(&aml, cases[i].base, cases[i].length);
		ck_assert_msg(aml.len == 8, "IO 0x%x", cases[i].base);
		expect_aml(&aml, cases[i].bytes, sizeof(cases[i].bytes));
		aml_free(&aml);
	}
}
END_TEST

/*
 * ResourceTemplate() { IO(Decode16, 0x60, 0x60, 1, 1)
 *   IO(Decode16, 0x64, 0x64, 1, 1)
 *   Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) { 1 } }:
 * the keyboard controller's, by hand.
 */
START_TEST(test_aml_io_resource_template)
{
	static const uint8_t want[] = {
		0x11, 0x1e, 0x0a, 0x1b,                   /* BufferOp, PkgLength 30, size 27 */
		0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01,
		0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x01, 0x01,
		0x89, 0x06, 0x00, 0x03, 0x01,             /* Interrupt, flags, 1 IRQ */
		0x01, 0x00, 0x00, 0x00,
		0x79, 0x00,                               /* End tag */
	};
	struct aml resources = AML_INIT, buffer = AML_INIT;

	aml_io(&resources, 0x60, 1);
	aml_io(&resources, 0x64, 1);
	aml_interrupt(&resources, AML_IRQ_CONSUMER | AML_IRQ_EDGE, 1);
	aml_end_tag(&resources);
	aml_buffer(&buffer, &resources);
	expect_aml(&buffer, want, sizeof(want));
	aml_free(&resources);
	aml_free(&buffer);
}
END_TEST

/* ---- ACPI tables, read back as an OS would ---- */

#define ACPI_RAM_SIZE (2ULL << 20)

static struct guest_memory acpi_mem;

static void acpi_setup(void)
{
	ck_assert_int_eq(memory_alloc(ACPI_RAM_SIZE, &acpi_mem), 0);
}

static void acpi_teardown(void)
{
	memory_destroy(&acpi_mem);
}

/* Chapter 5's virtio-mmio layout: device i at 0xd0000000 + i*0x1000, IRQ 5+i. */
static void make_devices(struct acpi_mmio_device *devs, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		devs[i] = (struct acpi_mmio_device){
			.base = 0xd0000000 + i * 0x1000ULL, .size = 0x1000, .irq = 5 + i,
		};
}

/* What the walk found: each table's address and bytes. */
struct acpi_view {
	uint64_t rsdp_addr, xsdt_addr, fadt_addr, madt_addr, dsdt_addr;
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
};

/* The OS's search (ACPI 6.5 §5.2.5.1): "RSD PTR " on a 16-byte boundary. */
static uint64_t find_rsdp(void)
{
	for (uint64_t addr = 0xe0000; addr < 0x100000; addr += 16) {
		const uint8_t *p = guest_ptr(&acpi_mem, addr, 20);

		if (p && memcmp(p, "RSD PTR ", 8) == 0 && byte_sum(p, 20) == 0)
			return addr;
	}
	return 0;
}

/* A table at `addr`: right signature, inside the area, aligned, checksum 0. */
static const uint8_t *table_at(uint64_t addr, const char *signature)
{
	const uint8_t *header = guest_ptr(&acpi_mem, addr, 36);
	const uint8_t *table;
	uint32_t length;

	ck_assert_ptr_nonnull(header);
	ck_assert_msg(memcmp(header, signature, 4) == 0, "no %s at 0x%llx",
		      signature, (unsigned long long)addr);
	length = le32(header + 4);
	ck_assert_uint_ge(length, 36);
	ck_assert_uint_ge(addr, ACPI_TABLES_ADDR);
	ck_assert_uint_le(addr + length, ACPI_TABLES_END);
	ck_assert_uint_eq(addr % 8, 0);
	table = guest_ptr(&acpi_mem, addr, length);
	ck_assert_ptr_nonnull(table);
	ck_assert_msg(byte_sum(table, length) == 0, "%s checksum", signature);
	ck_assert_mem_eq(table + 10, "KVMBK ", 6);     /* OEM ID */
	ck_assert_mem_eq(table + 16, "KVMBOOK ", 8);   /* OEM table ID */
	return table;
}

/* RSDP -> XSDT -> FADT -> DSDT, and XSDT -> MADT. */
static struct acpi_view walk_tables(uint64_t rsdp_addr)
{
	struct acpi_view v = { 0 };

	v.rsdp_addr = find_rsdp();
	ck_assert_uint_eq(v.rsdp_addr, ACPI_TABLES_ADDR);
	ck_assert_uint_eq(v.rsdp_addr, rsdp_addr);
	v.rsdp = guest_ptr(&acpi_mem, v.rsdp_addr, 36);
	ck_assert_uint_eq(v.rsdp[15], 2);                  /* revision */
	ck_assert_uint_eq(le32(v.rsdp + 16), 0);           /* no RSDT */
	ck_assert_uint_eq(le32(v.rsdp + 20), 36);          /* length */
	ck_assert_uint_eq(byte_sum(v.rsdp, 36), 0);        /* extended checksum */
	ck_assert_mem_eq(v.rsdp + 9, "KVMBK ", 6);

	v.xsdt_addr = le64(v.rsdp + 24);
	v.xsdt = table_at(v.xsdt_addr, "XSDT");
	ck_assert_uint_eq((le32(v.xsdt + 4) - 36) % 8, 0);
	for (uint32_t off = 36; off < le32(v.xsdt + 4); off += 8) {
		uint64_t addr = le64(v.xsdt + off);
		const uint8_t *sig = guest_ptr(&acpi_mem, addr, 4);

		ck_assert_ptr_nonnull(sig);
		if (memcmp(sig, "FACP", 4) == 0) {
			ck_assert_uint_eq(v.fadt_addr, 0);
			v.fadt_addr = addr;
		} else if (memcmp(sig, "APIC", 4) == 0) {
			ck_assert_uint_eq(v.madt_addr, 0);
			v.madt_addr = addr;
		} else {
			ck_abort_msg("unexpected table %.4s in the XSDT", (const char *)sig);
		}
	}
	v.fadt = table_at(v.fadt_addr, "FACP");
	v.madt = table_at(v.madt_addr, "APIC");
	v.dsdt_addr = le64(v.fadt + 140);                  /* X_DSDT */
	v.dsdt = table_at(v.dsdt_addr, "DSDT");
	return v;
}

/* No two tables share a byte. */
static void check_no_overlap(const struct acpi_view *v)
{
	const uint64_t start[] = { v->rsdp_addr, v->xsdt_addr, v->fadt_addr,
				   v->madt_addr, v->dsdt_addr };
	const uint64_t end[] = { v->rsdp_addr + 36, v->xsdt_addr + le32(v->xsdt + 4),
				 v->fadt_addr + le32(v->fadt + 4),
				 v->madt_addr + le32(v->madt + 4),
				 v->dsdt_addr + le32(v->dsdt + 4) };

	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			ck_assert(end[i] <= start[j] || end[j] <= start[i]);
}

/* acpi_build touched nothing outside its area. */
static void check_untouched_outside_area(void)
{
	uint64_t a = 0;

	while (a < ACPI_RAM_SIZE && acpi_mem.host[a] == 0)
		a = a + 1 == ACPI_TABLES_ADDR ? ACPI_TABLES_END : a + 1;
	ck_assert_msg(a == ACPI_RAM_SIZE, "byte at 0x%llx written", (unsigned long long)a);
}

static void check_fadt(const struct acpi_view *v)
{
	const uint8_t *f = v->fadt;

	ck_assert_uint_eq(le32(f + 4), 276);               /* length, revision 6 */
	ck_assert_uint_eq(f[8], 6);
	ck_assert_uint_eq(le32(f + 36), 0);                /* FIRMWARE_CTRL: no FACS */
	ck_assert_uint_eq(le32(f + 40), v->dsdt_addr);     /* DSDT */
	ck_assert_uint_eq(le32(f + 48), 0);                /* SMI_CMD: ACPI always on */
	ck_assert_uint_eq(le16(f + 109), 0x3);             /* LEGACY_DEVICES | 8042 */
	ck_assert_uint_eq(le32(f + 112), 1U << 20);        /* HW_REDUCED_ACPI */
	ck_assert_uint_eq(le64(f + 132), 0);               /* X_FIRMWARE_CTRL */
	ck_assert_uint_eq(le64(f + 140), v->dsdt_addr);    /* X_DSDT */
	ck_assert_mem_eq(f + 268, "KVMBOOK", 8);
}

static void check_madt(const struct acpi_view *v)
{
	const uint8_t *m = v->madt;
	uint32_t length = le32(m + 4);
	int lapics = 0, ioapics = 0;

	ck_assert_uint_eq(le32(m + 36), 0xfee00000);       /* local APIC address */
	ck_assert_uint_eq(le32(m + 40), 1);                /* PCAT_COMPAT */
	for (uint32_t off = 44; off < length; off += m[off + 1]) {
		const uint8_t *e = m + off;

		ck_assert_uint_le(off + 2, length);
		ck_assert_uint_ge(e[1], 2);
		ck_assert_uint_le(off + e[1], length);
		switch (e[0]) {
		case 0:  /* Processor Local APIC */
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], 0);        /* processor UID */
			ck_assert_uint_eq(e[3], 0);        /* APIC id */
			ck_assert_uint_eq(le32(e + 4), 1); /* enabled */
			lapics++;
			break;
		case 1:  /* I/O APIC */
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(e[2], 0);        /* I/O APIC id */
			ck_assert_uint_eq(le32(e + 4), 0xfec00000);
			ck_assert_uint_eq(le32(e + 8), 0); /* GSI base */
			ioapics++;
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	ck_assert_int_eq(lapics, 1);
	ck_assert_int_eq(ioapics, 1);
}

/*
 * What the DSDT declares, device by device, in order: the legacy PC
 * devices first, then one VRnn per virtio-mmio window. The legacy
 * devices' ports and IRQs are the PC's fixed ones, written here as
 * numbers rather than taken from the chapter's headers.
 */
#define MAX_RANGES 4

struct io_range {
	uint16_t base;
	uint8_t length;
};

struct acpi_device {
	char name[5];
	char hid[16];
	bool has_uid;
	uint64_t uid;
	struct io_range io[MAX_RANGES];
	unsigned io_count;
	uint32_t mem_base[MAX_RANGES], mem_size[MAX_RANGES];
	unsigned mem_count;
	uint32_t irq[MAX_RANGES];
	uint8_t irq_flags[MAX_RANGES];
	unsigned irq_count;
};

#define IRQ_CONSUMER_EDGE_HIGH 0x03  /* consumer, edge, active-high, exclusive */

static const struct acpi_device legacy_want[] = {
	{ .name = "COM1", .hid = "PNP0501",
	  .io = { { 0x3f8, 8 } }, .io_count = 1,
	  .irq = { 4 }, .irq_flags = { IRQ_CONSUMER_EDGE_HIGH }, .irq_count = 1 },
	{ .name = "RTC_", .hid = "PNP0B00",
	  .io = { { 0x70, 2 } }, .io_count = 1 },
	{ .name = "KBD_", .hid = "PNP0303",
	  .io = { { 0x60, 1 }, { 0x64, 1 } }, .io_count = 2,
	  .irq = { 1 }, .irq_flags = { IRQ_CONSUMER_EDGE_HIGH }, .irq_count = 1 },
};

#define LEGACY_DEVICES (sizeof(legacy_want) / sizeof(legacy_want[0]))

/* Device(VRnn) { Name(_HID, "LNRO0005") Name(_UID, n) Name(_CRS, ...) } */
static struct acpi_device virtio_want(unsigned index, const struct acpi_mmio_device *dev)
{
	struct acpi_device d = {
		.hid = "LNRO0005", .has_uid = true, .uid = index,
		.mem_base = { (uint32_t)dev->base }, .mem_size = { dev->size }, .mem_count = 1,
		.irq = { dev->irq }, .irq_flags = { IRQ_CONSUMER_EDGE_HIGH }, .irq_count = 1,
	};

	snprintf(d.name, sizeof(d.name), "VR%02X", index & 0xff);
	return d;
}

/* The resource descriptors of one _CRS buffer, decoded into `d` (§6.4). */
static void read_resources(struct cursor *c, struct acpi_device *d)
{
	for (;;) {
		uint8_t tag;
		size_t len;
		const uint8_t *p;

		ck_assert(c->p < c->end);
		tag = *c->p;
		if (tag & 0x80) {                            /* large item */
			ck_assert_uint_ge(c->end - c->p, 3);
			len = le16(c->p + 1);
			p = c->p + 3;
		} else {                                     /* small item */
			len = tag & 0x07;
			p = c->p + 1;
		}
		ck_assert_uint_le(len, c->end - p);
		c->p = p + len;
		if (tag == 0x79) {                           /* End tag */
			ck_assert_uint_eq(len, 1);
			ck_assert_uint_eq(p[0], 0);          /* no checksum */
			break;
		} else if (tag == 0x47) {                    /* I/O port (§6.4.2.5) */
			ck_assert_uint_eq(len, 7);
			ck_assert_uint_eq(p[0], 0x01);       /* Decode16 */
			ck_assert_uint_eq(le16(p + 1), le16(p + 3)); /* fixed: min = max */
			ck_assert_uint_eq(p[5], 1);          /* alignment */
			ck_assert_uint_lt(d->io_count, MAX_RANGES);
			d->io[d->io_count++] = (struct io_range){ le16(p + 1), p[6] };
		} else if (tag == 0x86) {                    /* Memory32Fixed */
			ck_assert_uint_eq(len, 9);
			ck_assert_uint_eq(p[0], 1);          /* read-write */
			ck_assert_uint_lt(d->mem_count, MAX_RANGES);
			d->mem_base[d->mem_count] = le32(p + 1);
			d->mem_size[d->mem_count++] = le32(p + 5);
		} else if (tag == 0x89) {                    /* Extended Interrupt */
			ck_assert_uint_eq(len, 6);
			ck_assert_uint_eq(p[1], 1);          /* one interrupt */
			ck_assert_uint_lt(d->irq_count, MAX_RANGES);
			d->irq_flags[d->irq_count] = p[0];
			d->irq[d->irq_count++] = le32(p + 2);
		} else {
			ck_abort_msg("%s: unexpected resource descriptor 0x%x", d->name, tag);
		}
	}
	ck_assert_ptr_eq(c->p, c->end);                 /* End tag comes last */
}

/* String := 0x0d, ASCII, NUL (§20.2.3). */
static void read_string(struct cursor *c, char *out, size_t size)
{
	const uint8_t *nul;

	expect(c, "\x0d", 1);
	nul = memchr(c->p, 0, c->end - c->p);
	ck_assert_ptr_nonnull(nul);
	ck_assert_uint_lt(nul - c->p, size);
	memcpy(out, c->p, nul - c->p + 1);
	c->p = nul + 1;
}

/*
 * Device(name) { Name(...) ... }, as an OS loads it: the named objects
 * in any order, each at most once. We declare only _HID, _UID and _CRS;
 * _HID and _CRS are required.
 */
static struct acpi_device read_device(struct cursor *c)
{
	struct acpi_device d = { 0 };
	struct cursor device;
	bool has_hid = false, has_crs = false;

	expect(c, "\x5b\x82", 2);                           /* DeviceOp */
	device.end = read_package_end(c);
	device.p = c->p;
	c->p = device.end;
	ck_assert_uint_ge(device.end - device.p, 4);
	memcpy(d.name, device.p, 4);
	device.p += 4;
	while (device.p < device.end) {
		char seg[5] = { 0 };

		expect(&device, "\x08", 1);                 /* NameOp */
		ck_assert_uint_ge(device.end - device.p, 4);
		memcpy(seg, device.p, 4);
		device.p += 4;
		if (strcmp(seg, "_HID") == 0) {
			ck_assert_msg(!has_hid, "%s: two _HIDs", d.name);
			read_string(&device, d.hid, sizeof(d.hid));
			has_hid = true;
		} else if (strcmp(seg, "_UID") == 0) {
			ck_assert_msg(!d.has_uid, "%s: two _UIDs", d.name);
			d.uid = read_integer(&device);
			d.has_uid = true;
		} else if (strcmp(seg, "_CRS") == 0) {
			struct cursor crs;

			ck_assert_msg(!has_crs, "%s: two _CRSs", d.name);
			expect(&device, "\x11", 1);         /* BufferOp */
			crs.end = read_package_end(&device);
			crs.p = device.p;
			ck_assert_uint_eq(read_integer(&crs), crs.end - crs.p);
			device.p = crs.end;
			read_resources(&crs, &d);
			has_crs = true;
		} else {
			ck_abort_msg("%s: unexpected object %s", d.name, seg);
		}
	}
	ck_assert_ptr_eq(device.p, device.end);
	ck_assert_msg(has_hid, "%s: no _HID", d.name);
	ck_assert_msg(has_crs, "%s: no _CRS", d.name);
	return d;
}

static void check_device(const struct acpi_device *got, const struct acpi_device *want)
{
	const char *n = want->name;

	ck_assert_str_eq(got->name, want->name);
	ck_assert_msg(strcmp(got->hid, want->hid) == 0, "%s: _HID %s", n, got->hid);
	ck_assert_msg(got->has_uid == want->has_uid, "%s: _UID present: %d", n, got->has_uid);
	if (want->has_uid)
		ck_assert_msg(got->uid == want->uid, "%s: _UID %llu", n,
			      (unsigned long long)got->uid);
	ck_assert_msg(got->io_count == want->io_count, "%s: %u I/O ranges", n, got->io_count);
	for (unsigned i = 0; i < want->io_count; i++)
		ck_assert_msg(got->io[i].base == want->io[i].base &&
			      got->io[i].length == want->io[i].length,
			      "%s: I/O range %u is 0x%x+%u", n, i, got->io[i].base,
			      got->io[i].length);
	ck_assert_msg(got->mem_count == want->mem_count, "%s: %u memory windows", n,
		      got->mem_count);
	for (unsigned i = 0; i < want->mem_count; i++)
		ck_assert_msg(got->mem_base[i] == want->mem_base[i] &&
			      got->mem_size[i] == want->mem_size[i],
			      "%s: memory window 0x%x+0x%x", n, got->mem_base[i],
			      got->mem_size[i]);
	ck_assert_msg(got->irq_count == want->irq_count, "%s: %u interrupts", n,
		      got->irq_count);
	for (unsigned i = 0; i < want->irq_count; i++)
		ck_assert_msg(got->irq[i] == want->irq[i] &&
			      got->irq_flags[i] == want->irq_flags[i],
			      "%s: interrupt %u flags 0x%x", n, got->irq[i], got->irq_flags[i]);
}

static size_t count_occurrences(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = 0, nlen = strlen(needle);
	const uint8_t *p = hay, *end = hay + len;

	while ((p = memmem(p, end - p, needle, nlen)) != NULL) {
		n++;
		p += nlen;
	}
	return n;
}

/*
 * The DSDT: Scope(\_SB_) holding exactly the legacy devices, then one
 * Device per entry of devs.
 */
static void check_dsdt(const struct acpi_view *v, const struct acpi_mmio_device *devs,
		       unsigned count)
{
	uint32_t length = le32(v->dsdt + 4);
	struct cursor c = { v->dsdt + 36, v->dsdt + length };
	struct cursor scope;

	ck_assert_uint_eq(v->dsdt[8], 2);                  /* revision: 64-bit integers */
	ck_assert_uint_eq(count_occurrences(v->dsdt, length, "LNRO0005"), count);
	for (size_t i = 0; i < LEGACY_DEVICES; i++)
		ck_assert_uint_eq(count_occurrences(v->dsdt, length, legacy_want[i].hid), 1);
	expect(&c, "\x10", 1);                              /* ScopeOp */
	scope.end = read_package_end(&c);
	scope.p = c.p;
	ck_assert_ptr_eq(scope.end, c.end);                 /* the scope is the whole AML */
	expect(&scope, "\\_SB_", 5);
	for (size_t i = 0; i < LEGACY_DEVICES; i++) {
		struct acpi_device got = read_device(&scope);

		check_device(&got, &legacy_want[i]);
	}
	for (unsigned i = 0; i < count; i++) {
		struct acpi_device got = read_device(&scope), want = virtio_want(i, &devs[i]);

		check_device(&got, &want);
	}
	ck_assert_ptr_eq(scope.p, scope.end);
}

static void build_and_check(unsigned count)
{
	struct acpi_mmio_device *devs = calloc(count + 1, sizeof(*devs));
	uint64_t rsdp_addr = 0;
	struct acpi_view v;

	ck_assert_ptr_nonnull(devs);
	make_devices(devs, count);
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, count, &rsdp_addr), 0);
	v = walk_tables(rsdp_addr);
	check_no_overlap(&v);
	check_untouched_outside_area();
	check_fadt(&v);
	check_madt(&v);
	check_dsdt(&v, devs, count);
	free(devs);
}

START_TEST(test_acpi_no_devices)
{
	build_and_check(0);
}
END_TEST

START_TEST(test_acpi_one_device)
{
	build_and_check(1);
}
END_TEST

START_TEST(test_acpi_three_devices)
{
	build_and_check(3);
}
END_TEST

/* VR00 ... VRFF: the \_SB_ scope's PkgLength takes three bytes. */
START_TEST(test_acpi_most_devices)
{
	build_and_check(ACPI_MAX_DEVICES);
}
END_TEST

/* The end of the last table: how much RAM the tables need. */
static uint64_t tables_end(const struct acpi_view *v)
{
	const uint64_t ends[] = { v->rsdp_addr + 36, v->xsdt_addr + le32(v->xsdt + 4),
				  v->fadt_addr + le32(v->fadt + 4),
				  v->madt_addr + le32(v->madt + 4),
				  v->dsdt_addr + le32(v->dsdt + 4) };
	uint64_t end = 0;

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		end = ends[i] > end ? ends[i] : end;
	return end;
}

/*
 * A failed build leaves no RSDP for the OS to find, and does not touch
 * *rsdp_addr.
 */
static void build_fails_cleanly(uint64_t ram_size, const struct acpi_mmio_device *dev)
{
	struct guest_memory small;
	uint64_t rsdp_addr = 0x1234;

	ck_assert_int_eq(memory_alloc(ram_size, &small), 0);
	ck_assert_msg(acpi_build(&small, dev, 1, &rsdp_addr) == -1,
		      "built in 0x%llx bytes of RAM", (unsigned long long)ram_size);
	ck_assert_uint_eq(rsdp_addr, 0x1234);
	ck_assert_ptr_null(memmem(small.host, small.size, "RSD PTR ", 8));
	memory_destroy(&small);
}

/*
 * Sizes from the tables' own layout (the DSDT grows with the devices it
 * declares): RAM that ends before the area, at its start, after the
 * RSDP only, one byte into the DSDT's place, one byte short of the DSDT,
 * one byte short of the last table. Exactly enough RAM works.
 */
START_TEST(test_acpi_ram_too_small)
{
	struct acpi_mmio_device dev;
	struct guest_memory exact;
	uint64_t rsdp_addr = 0, dsdt_end, end;
	struct acpi_view v;

	make_devices(&dev, 1);
	ck_assert_int_eq(acpi_build(&acpi_mem, &dev, 1, &rsdp_addr), 0);
	v = walk_tables(rsdp_addr);
	dsdt_end = v.dsdt_addr + le32(v.dsdt + 4);
	end = tables_end(&v);
	ck_assert_uint_gt(v.dsdt_addr, ACPI_TABLES_ADDR + 36);
	ck_assert_uint_gt(end, dsdt_end);

	const uint64_t sizes[] = {
		64 << 10, ACPI_TABLES_ADDR, ACPI_TABLES_ADDR + 36, v.dsdt_addr,
		v.dsdt_addr + 1, dsdt_end - 1, end - 1,
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		build_fails_cleanly(sizes[i], &dev);

	ck_assert_int_eq(memory_alloc(end, &exact), 0);
	rsdp_addr = 0;
	ck_assert_int_eq(acpi_build(&exact, &dev, 1, &rsdp_addr), 0);
	ck_assert_uint_eq(rsdp_addr, ACPI_TABLES_ADDR);
	ck_assert_mem_eq(exact.host + ACPI_TABLES_ADDR, "RSD PTR ", 8);
	memory_destroy(&exact);
}
END_TEST

START_TEST(test_acpi_bad_devices)
{
	struct acpi_mmio_device devs[ACPI_MAX_DEVICES + 1];
	uint64_t rsdp_addr = 0x1234;

	make_devices(devs, ACPI_MAX_DEVICES + 1);
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, ACPI_MAX_DEVICES + 1, &rsdp_addr), -1);
	devs[0].base = 0x100000000ULL;                      /* above 4 GiB */
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, 1, &rsdp_addr), -1);
	devs[0].base = 0xfffff000;                          /* ends at 4 GiB: fine */
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, 1, &rsdp_addr), 0);
	devs[0].base = 0xfffff001;                          /* crosses it */
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, 1, &rsdp_addr), -1);
}
END_TEST

static void add_acpi_tests(Suite *s)
{
	TCase *tc = tcase_create("acpi");

	tcase_add_checked_fixture(tc, acpi_setup, acpi_teardown);
	tcase_add_test(tc, test_aml_pkglength_boundaries);
	tcase_add_test(tc, test_aml_pkglength_too_long);
	tcase_add_test(tc, test_aml_package_sizes);
	tcase_add_test(tc, test_aml_integers);
	tcase_add_test(tc, test_aml_name_hid);
	tcase_add_test(tc, test_aml_name_strings);
	tcase_add_test(tc, test_aml_bad_names);
	tcase_add_test(tc, test_aml_string_rejects_non_ascii);
	tcase_add_test(tc, test_aml_failure_propagates);
	tcase_add_test(tc, test_aml_scope_device);
	tcase_add_test(tc, test_aml_resource_template);
	tcase_add_test(tc, test_aml_io);
	tcase_add_test(tc, test_aml_io_resource_template);
	tcase_add_test(tc, test_acpi_no_devices);
	tcase_add_test(tc, test_acpi_one_device);
	tcase_add_test(tc, test_acpi_three_devices);
	tcase_add_test(tc, test_acpi_most_devices);
	tcase_add_test(tc, test_acpi_ram_too_small);
	tcase_add_test(tc, test_acpi_bad_devices);
	suite_add_tcase(s, tc);
}

/* ==== end of acpi ==== */

/* ==== shared by the loader tests: temporary files, stderr, bytes ==== */

/*
 * Each TCase that reads files gets a temporary directory, made in the
 * parent before its tests fork and emptied after them, so that files
 * a failed test leaves behind are removed too.
 */
static char temp_dir[64];

static void temp_dir_setup(void)
{
	strcpy(temp_dir, "/tmp/kvmbook-06-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(temp_dir));
}

static void temp_dir_teardown(void)
{
	DIR *dir = opendir(temp_dir);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir)) != NULL) {
		char path[sizeof(temp_dir) + sizeof(e->d_name) + 1];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", temp_dir, e->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(temp_dir);
}

/* A new file in temp_dir holding `len` bytes of `data`: its path. */
static const char *temp_file(const void *data, size_t len)
{
	static char paths[8][sizeof(temp_dir) + 16];
	static unsigned next;
	char *path = paths[next++ % 8];
	const uint8_t *p = data;
	int fd;

	snprintf(path, sizeof(paths[0]), "%s/f-XXXXXX", temp_dir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		ck_assert_int_gt(n, 0);
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}

/* stderr into a temporary file, to read what the code under test said. */
static FILE *err_capture;
static int err_saved = -1;

static void stderr_begin(void)
{
	fflush(stderr);
	err_capture = tmpfile();
	ck_assert_ptr_nonnull(err_capture);
	err_saved = dup(STDERR_FILENO);
	ck_assert_int_ge(err_saved, 0);
	ck_assert_int_ge(dup2(fileno(err_capture), STDERR_FILENO), 0);
}

/* Ends the capture; what was written, NUL-terminated, in text. */
static void stderr_end(char *text, size_t size)
{
	size_t n;

	fflush(stderr);
	dup2(err_saved, STDERR_FILENO);
	close(err_saved);
	err_saved = -1;
	rewind(err_capture);
	n = fread(text, 1, size - 1, err_capture);
	text[n] = '\0';
	fclose(err_capture);
}

/* CONVENTIONS.md: a failure says why in exactly one line, "vmm: ...". */
static void expect_one_message(void)
{
	char text[1024];
	const char *nl;

	stderr_end(text, sizeof(text));
	nl = strchr(text, '\n');
	ck_assert_msg(strncmp(text, "vmm: ", 5) == 0 && nl && nl[1] == '\0',
		      "stderr: '%s'", text);
}

/*
 * Ends the capture of a call that must fail: its status first (so that
 * a call that succeeded says so), then its one line of explanation.
 */
static void expect_failure(int got, int want, int line)
{
	char text[1024];
	const char *nl;

	stderr_end(text, sizeof(text));
	ck_assert_msg(got == want, "line %d: status %d, not %d", line, got, want);
	nl = strchr(text, '\n');
	ck_assert_msg(strncmp(text, "vmm: ", 5) == 0 && nl && nl[1] == '\0',
		      "line %d: stderr: '%s'", line, text);
}

#define EXPECT_FAILURE(got, want) expect_failure(got, want, __LINE__)

/* Success is silent. */
static void expect_no_message(void)
{
	char text[1024];

	stderr_end(text, sizeof(text));
	ck_assert_msg(text[0] == '\0', "stderr: '%s'", text);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* got == want, or the first offset where they differ. */
static void expect_bytes(const uint8_t *got, const uint8_t *want, size_t len,
			 const char *what)
{
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])  /* ck_assert per byte would be slow */
			ck_abort_msg("%s: byte 0x%zx is 0x%02x, not 0x%02x", what, i,
				     got[i], want[i]);
}

/* Guest RAM [addr, addr + len) is all zero bytes. */
static void expect_ram_zero(const struct guest_memory *mem, uint64_t addr,
			    uint64_t len)
{
	const uint8_t *p = guest_ptr(mem, addr, len);

	ck_assert_ptr_nonnull(p);
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != 0)
			ck_abort_msg("RAM at 0x%llx is 0x%02x",
				     (unsigned long long)(addr + i), p[i]);
}

/* ==== end of shared loader helpers ==== */

/* ==== e820: the memory map (e820.c) ==== */

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

static void add_e820_tests(Suite *s)
{
	TCase *tc = tcase_create("e820");

	tcase_add_test(tc, test_e820_256m);
	tcase_add_test(tc, test_e820_128m);
	tcase_add_test(tc, test_e820_tiny);
	tcase_add_test(tc, test_e820_well_formed);
	tcase_add_test(tc, test_e820_max_entries);
	suite_add_tcase(s, tc);
}

/* ==== end of e820 ==== */

/* ==== bzimage: reading and loading a kernel image (bzimage.c) ==== */

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

/*
 * A well-formed protocol 2.15 kernel with a 0x66 jump (header to 0x268),
 * that runs where it is loaded: its pref_address and kernel_alignment
 * are 1 MiB, so it needs [1 MiB, 1 MiB + init_size) by any reading.
 */
static struct kernel_spec good_kernel(void)
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
static uint8_t pm_byte(size_t i)
{
	return (uint8_t)(i * 13 + (i >> 9) + 1);
}

static struct test_kernel make_kernel(const struct kernel_spec *spec)
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

static void free_kernel(struct test_kernel *k)
{
	free(k->bytes);
	k->bytes = NULL;
}

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

static void add_bzimage_tests(Suite *s)
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

/* ==== end of bzimage ==== */

/* ==== linux_load: initrd, command line, zero page (linux.c) ==== */

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

static uint8_t initrd_byte(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 12) + 0x31);
}

static const char *make_initrd(size_t size)
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

/* The VMM's options for --kernel, with a disk and an rng (2 devices). */
static struct options linux_options(const char *kernel, const char *initrd,
				    const char *append)
{
	struct options o = {
		.kernel = kernel, .initrd = initrd, .append = append,
		.memory_size = LINUX_RAM_SIZE, .mode = MODE_LONG, .device_count = 2,
	};

	o.devices[0] = (struct device_option){ .kind = DEVICE_DISK, .path = "disk.img" };
	o.devices[1] = (struct device_option){ .kind = DEVICE_RNG };
	return o;
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

static void expect_initrd_in_ram(const struct guest_memory *mem, uint64_t addr,
				 size_t size)
{
	const uint8_t *p = guest_ptr(mem, addr, size);

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < size; i++)
		if (p[i] != initrd_byte(i))
			ck_abort_msg("initrd byte 0x%zx is 0x%02x", i, p[i]);
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
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
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
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
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

	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
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
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
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
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.ramdisk_image, 0x9000000 - 0x3000);
	expect_initrd_in_ram(&linux_mem, 0x9000000 - 0x3000, 0x3000);
	free_kernel(&k);

	/* a limit above RAM: RAM's end decides; a page-sized initrd ends there */
	spec.initrd_addr_max = 0xffffffff;
	k = make_kernel(&spec);
	initrd = make_initrd(0x3000);
	o = linux_options(k.path, initrd, NULL);
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
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
	ck_assert_int_eq(linux_load(&o, &small, &kernel), 0);
	ck_assert_uint_eq(kernel.end, 2 * MiB);
	ck_assert_uint_eq(zero_page(&small)->hdr.ramdisk_image, 2 * MiB);
	expect_initrd_in_ram(&small, 2 * MiB, 2 * MiB);
	ck_assert_mem_eq(guest_ptr(&small, 0x100000, TEST_PM_SIZE), k.bytes + k.offset,
			 TEST_PM_SIZE);

	memset(small.host, 0, small.size);
	o.initrd = make_initrd(2 * MiB + 1);
	stderr_begin();
	status = linux_load(&o, &small, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	expect_ram_zero(&small, 2 * MiB, 2 * MiB);     /* not loaded over anything */

	o.initrd = make_initrd(5 * MiB);               /* more than all of RAM */
	stderr_begin();
	status = linux_load(&o, &small, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	free_kernel(&k);

	/* a kernel ending one byte into a page keeps the initrd off that page */
	spec.init_size = 0x100001;
	k = make_kernel(&spec);
	o.kernel = k.path;
	o.initrd = make_initrd(2 * MiB);
	stderr_begin();
	status = linux_load(&o, &small, &kernel);
	EXPECT_FAILURE(status, EX_DATAERR);
	o.initrd = make_initrd(2 * MiB - 4096);
	ck_assert_int_eq(linux_load(&o, &small, &kernel), 0);
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
	ck_assert_int_eq(linux_load(&o, &ram, &kernel), 0);
	ck_assert_uint_eq(zero_page(&ram)->hdr.ramdisk_image, 20 * MiB);

	o.initrd = make_initrd(4 * MiB + 1);    /* would start a page below 20 MiB */
	stderr_begin();
	status = linux_load(&o, &ram, &kernel);
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
	status = linux_load(&o, &linux_mem, &kernel);
	EXPECT_FAILURE(status, EX_NOINPUT);

	o.initrd = temp_file("", 0);
	stderr_begin();
	status = linux_load(&o, &linux_mem, &kernel);
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
	status = linux_load(&o, &linux_mem, &kernel);
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
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
	ck_assert_str_eq(cmdline_in_ram(&linux_mem), "root=/dev/vda rw console=ttyS0");
	ck_assert_uint_eq(zero_page(&linux_mem)->hdr.cmd_line_ptr, CMDLINE_ADDR);

	o.append = xs(text, 40);
	dirty_cmdline_area(&linux_mem);
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
	ck_assert_str_eq(cmdline_in_ram(&linux_mem), text);

	o.append = xs(text, 41);
	stderr_begin();
	status = linux_load(&o, &linux_mem, &kernel);
	EXPECT_FAILURE(status, EX_USAGE);

	o.append = "";
	dirty_cmdline_area(&linux_mem);
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
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
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
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
	ck_assert_int_eq(linux_load(&o, &linux_mem, &kernel), 0);
	ck_assert_mem_eq(area, "RSD PTR ", 8);
	ck_assert_uint_eq(zero_page(&linux_mem)->acpi_rsdp_addr, 0xe0000);
	ck_assert_uint_eq(count_occurrences(area, 0x20000, "LNRO0005"), 0);
	free_kernel(&k);
}
END_TEST

static void add_linux_load_tests(Suite *s)
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

/* ==== end of linux_load ==== */

/* ==== mptable: the MultiProcessor table (mptable.c) ==== */

/*
 * The table read back the way Linux's arch/x86/kernel/mpparse.c reads
 * it (smp_scan_config, smp_check_mpc, smp_read_mpc). Offsets and values
 * are the MultiProcessor Specification 1.4's (§4.1 the floating
 * pointer, §4.2 the configuration table header, §4.3 the entries),
 * written as numbers here rather than taken from mptable.c's structs,
 * so that a layout mistake on either side shows.
 */
#define MP_RAM_SIZE (16 * MiB)

static struct guest_memory mp_mem;

static void mptable_setup(void)
{
	ck_assert_int_eq(memory_alloc(MP_RAM_SIZE, &mp_mem), 0);
}

static void mptable_teardown(void)
{
	memory_destroy(&mp_mem);
}

/* What the walk found. */
struct mp_view {
	uint64_t fp_addr;        /* the floating pointer */
	uint64_t table_addr;     /* the configuration table */
	uint16_t length;         /* its base length: header and entries */
	unsigned processors, buses, ioapics, io_ints, local_ints;
	uint32_t isa_irqs;       /* bit n: ISA IRQ n has an I/O interrupt entry */
	bool extint_lint0, nmi_lint1;
};

/*
 * smp_scan_config: "_MP_" on a 16-byte boundary, length 1 (in 16-byte
 * units), the 16 bytes summing to 0, revision 1.1 or 1.4. How many
 * there are in [start, start + len), and where the first is.
 */
static unsigned mp_scan(const struct guest_memory *mem, uint64_t start, uint64_t len,
			uint64_t *first)
{
	unsigned found = 0;

	for (uint64_t addr = start; addr < start + len; addr += 16) {
		const uint8_t *p = guest_ptr(mem, addr, 16);

		if (p && memcmp(p, "_MP_", 4) == 0 && p[8] == 1 && byte_sum(p, 16) == 0 &&
		    (p[9] == 1 || p[9] == 4) && found++ == 0)
			*first = addr;
	}
	return found;
}

/* §4.3.1, 20 bytes: our one CPU, the boot processor. */
static void mp_processor(const uint8_t *e, struct mp_view *v)
{
	ck_assert_uint_eq(e[1], 0);                      /* local APIC id */
	ck_assert_uint_eq(e[2], 0x14);                   /* KVM's local APIC version */
	ck_assert_uint_eq(e[3], 0x03);                   /* CPU flags: EN | BP */
	v->processors++;
}

/* §4.3.2, 8 bytes: bus 0 is ISA, blank-padded. */
static void mp_bus(const uint8_t *e, struct mp_view *v)
{
	ck_assert_uint_eq(e[1], 0);                      /* bus id */
	ck_assert_mem_eq(e + 2, "ISA   ", 6);
	v->buses++;
}

/* §4.3.3, 8 bytes: KVM's I/O APIC. */
static void mp_ioapic(const uint8_t *e, struct mp_view *v)
{
	ck_assert_uint_eq(e[1], 1);                      /* I/O APIC id */
	ck_assert_uint_eq(e[2], 0x11);                   /* KVM's I/O APIC version */
	ck_assert_uint_eq(e[3], 0x01);                   /* flags: EN */
	ck_assert_uint_eq(le32(e + 4), 0xfec00000);
	v->ioapics++;
}

/*
 * §4.3.4, 8 bytes: ISA IRQ n on pin n of I/O APIC 1, a vectored
 * interrupt (INT, 0) with the bus's own polarity and trigger (flags 0).
 * Each IRQ at most once; never 2, the PICs' cascade.
 */
static void mp_io_interrupt(const uint8_t *e, struct mp_view *v)
{
	uint8_t irq = e[5];

	ck_assert_msg(e[1] == 0, "IRQ %u: interrupt type %u", irq, e[1]);
	ck_assert_msg(le16(e + 2) == 0, "IRQ %u: flags 0x%x", irq, le16(e + 2));
	ck_assert_msg(e[4] == 0, "IRQ %u: source bus %u", irq, e[4]);
	ck_assert_msg(irq < 16 && irq != 2, "I/O interrupt for IRQ %u", irq);
	ck_assert_msg(!(v->isa_irqs & 1U << irq), "IRQ %u twice", irq);
	ck_assert_msg(e[6] == 1, "IRQ %u: to I/O APIC %u", irq, e[6]);
	ck_assert_msg(e[7] == irq, "IRQ %u: on pin %u", irq, e[7]);
	v->isa_irqs |= 1U << irq;
	v->io_ints++;
}

/* §4.3.5, 8 bytes: ExtINT (3) on LINT0 and NMI (1) on LINT1, of every local APIC. */
static void mp_local_interrupt(const uint8_t *e, struct mp_view *v)
{
	ck_assert_uint_eq(le16(e + 2), 0);               /* flags: as the bus says */
	ck_assert_uint_eq(e[4], 0);                      /* source bus: ISA */
	ck_assert_uint_eq(e[6], 0xff);                   /* all local APICs */
	if (e[1] == 3 && e[7] == 0) {
		ck_assert(!v->extint_lint0);
		v->extint_lint0 = true;
	} else if (e[1] == 1 && e[7] == 1) {
		ck_assert(!v->nmi_lint1);
		v->nmi_lint1 = true;
	} else {
		ck_abort_msg("local interrupt type %u to LINT%u", e[1], e[7]);
	}
	v->local_ints++;
}

/*
 * The floating pointer in 0xf0000-0xfffff, its configuration table,
 * and every entry in it, checked; the whole of it lies inside the BIOS
 * area, [0xf0000, 0x100000).
 */
static struct mp_view mp_read(const struct guest_memory *mem)
{
	struct mp_view v = { 0 };
	const uint8_t *fp, *t;
	unsigned entries = 0;
	uint8_t last_type = 0;
	uint32_t off;

	ck_assert_uint_eq(mp_scan(mem, 0xf0000, 0x10000, &v.fp_addr), 1);
	ck_assert_uint_eq(v.fp_addr, 0xf0000);
	fp = guest_ptr(mem, v.fp_addr, 16);
	ck_assert_uint_eq(fp[9], 4);                     /* spec revision 1.4 */
	ck_assert_uint_eq(fp[11], 0);                    /* feature 1: a table follows */
	ck_assert_uint_eq(fp[12] & 0x80, 0);             /* no IMCR: virtual wire mode */
	ck_assert_uint_eq(fp[13] | fp[14] | fp[15], 0);  /* reserved */

	v.table_addr = le32(fp + 4);
	t = guest_ptr(mem, v.table_addr, 44);
	ck_assert_msg(t != NULL, "table at 0x%llx", (unsigned long long)v.table_addr);
	ck_assert_mem_eq(t, "PCMP", 4);
	v.length = le16(t + 4);
	ck_assert_uint_ge(v.length, 44);
	ck_assert_msg(v.table_addr >= 0xf0000 + 16 &&
		      v.table_addr + v.length + le16(t + 40) <= 0x100000,
		      "table 0x%llx+0x%x outside the BIOS area or over the pointer",
		      (unsigned long long)v.table_addr, v.length);
	t = guest_ptr(mem, v.table_addr, v.length);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(byte_sum(t, v.length), 0);     /* checksum */
	ck_assert_uint_eq(t[6], 4);                      /* spec revision 1.4 */
	ck_assert_uint_eq(le32(t + 28), 0);              /* no OEM table */
	ck_assert_uint_eq(le16(t + 32), 0);
	ck_assert_uint_eq(le32(t + 36), 0xfee00000);     /* local APIC address */
	ck_assert_uint_eq(le16(t + 40), 0);              /* no extended entries */
	ck_assert_uint_eq(t[42], 0);                     /* and their checksum 0 */

	/* smp_read_mpc: entry by entry, sorted by type (§4.3) */
	for (off = 44; off < v.length; entries++) {
		const uint8_t *e = t + off;
		uint32_t size = e[0] == 0 ? 20 : 8;

		ck_assert_msg(e[0] <= 4, "entry type %u at offset %u", e[0], off);
		ck_assert_msg(e[0] >= last_type, "entry type %u after %u", e[0], last_type);
		ck_assert_msg(off + size <= v.length, "entry at %u past the end", off);
		last_type = e[0];
		switch (e[0]) {
		case 0: mp_processor(e, &v); break;
		case 1: mp_bus(e, &v); break;
		case 2: mp_ioapic(e, &v); break;
		case 3: mp_io_interrupt(e, &v); break;
		case 4: mp_local_interrupt(e, &v); break;
		}
		off += size;
	}
	ck_assert_uint_eq(off, v.length);                /* the length is the entries' */
	ck_assert_uint_eq(le16(t + 34), entries);        /* entry count */

	ck_assert_uint_eq(v.processors, 1);
	ck_assert_uint_eq(v.buses, 1);
	ck_assert_uint_eq(v.ioapics, 1);
	ck_assert_uint_eq(v.io_ints, 15);
	ck_assert_uint_eq(v.isa_irqs, 0xffff & ~(1U << 2));
	ck_assert_uint_eq(v.local_ints, 2);
	ck_assert(v.extint_lint0 && v.nmi_lint1);
	return v;
}

START_TEST(test_mptable_as_linux_reads_it)
{
	struct mp_view v;

	stderr_begin();
	ck_assert_int_eq(mptable_build(&mp_mem), 0);
	expect_no_message();
	v = mp_read(&mp_mem);
	/* header 44, processor 20, bus 8, I/O APIC 8, 15 + 2 interrupts 8 each */
	ck_assert_uint_eq(v.length, 44 + 20 + 8 + 8 + 17 * 8);
	ck_assert_uint_eq(v.table_addr, 0xf0010);        /* right after the pointer */
	/* and nothing else written */
	expect_ram_zero(&mp_mem, 0, 0xf0000);
	expect_ram_zero(&mp_mem, v.table_addr + v.length,
			MP_RAM_SIZE - v.table_addr - v.length);

	/* built again over itself, or over garbage in the area: the same */
	memset(mp_mem.host + 0xf0000, 0x5a, 0x10000);
	ck_assert_int_eq(mptable_build(&mp_mem), 0);
	mp_read(&mp_mem);
}
END_TEST

/* Not enough RAM: -1 after one line, and not one byte written. */
static void mptable_fails_cleanly(uint64_t ram_size)
{
	struct guest_memory small;
	int status;

	ck_assert_int_eq(memory_alloc(ram_size, &small), 0);
	stderr_begin();
	status = mptable_build(&small);
	ck_assert_msg(status == -1, "built in 0x%llx bytes of RAM",
		      (unsigned long long)ram_size);
	expect_one_message();
	expect_ram_zero(&small, 0, ram_size);
	memory_destroy(&small);
}

/*
 * RAM that ends before the pointer, right after it, and one byte short
 * of the table's end; exactly enough works.
 */
START_TEST(test_mptable_ram_too_small)
{
	struct guest_memory exact;
	struct mp_view v;
	uint64_t end;

	ck_assert_int_eq(mptable_build(&mp_mem), 0);
	v = mp_read(&mp_mem);
	end = v.table_addr + v.length;

	mptable_fails_cleanly(64 * KiB);
	mptable_fails_cleanly(0xf0000);
	mptable_fails_cleanly(0xf0000 + 16);
	mptable_fails_cleanly(end - 1);

	ck_assert_int_eq(memory_alloc(end, &exact), 0);
	ck_assert_int_eq(mptable_build(&exact), 0);
	mp_read(&exact);
	memory_destroy(&exact);
}
END_TEST

/*
 * The ACPI tables and the MP table side by side in the BIOS area, with
 * the most devices ACPI can name, built in either order: neither
 * overwrites the other, and the ACPI tables end below 0xf0000.
 */
START_TEST(test_mptable_beside_acpi)
{
	struct acpi_mmio_device *devs = calloc(ACPI_MAX_DEVICES, sizeof(*devs));
	uint64_t rsdp_addr = 0;
	struct acpi_view a;

	/* acpi_build's bound keeps it below the MP area, however many devices */
	ck_assert_uint_le(ACPI_TABLES_END, 0xf0000);
	ck_assert_ptr_nonnull(devs);
	make_devices(devs, ACPI_MAX_DEVICES);
	acpi_mem = mp_mem;                               /* where walk_tables reads */
	for (int mp_first = 0; mp_first <= 1; mp_first++) {
		memset(mp_mem.host, 0, 1 * MiB);
		if (mp_first)
			ck_assert_int_eq(mptable_build(&mp_mem), 0);
		ck_assert_int_eq(acpi_build(&mp_mem, devs, ACPI_MAX_DEVICES, &rsdp_addr), 0);
		if (!mp_first)
			ck_assert_int_eq(mptable_build(&mp_mem), 0);
		a = walk_tables(rsdp_addr);
		check_dsdt(&a, devs, ACPI_MAX_DEVICES);
		ck_assert_uint_le(tables_end(&a), 0xf0000);
		mp_read(&mp_mem);
	}
	free(devs);
}
END_TEST

/*
 * linux_load leaves both for the kernel: the RSDP at 0xe0000 that the
 * zero page points at, the MP floating pointer at 0xf0000, and the ACPI
 * tables clear of the MP area.
 */
START_TEST(test_mptable_from_linux_load)
{
	struct kernel_spec spec = good_kernel();
	struct test_kernel k = make_kernel(&spec);
	struct options o = linux_options(k.path, NULL, NULL);
	struct linux_kernel kernel;
	struct acpi_view a;
	struct mp_view v;

	o.memory_size = MP_RAM_SIZE;
	stderr_begin();
	ck_assert_int_eq(linux_load(&o, &mp_mem, &kernel), 0);
	expect_no_message();
	ck_assert_uint_eq(zero_page(&mp_mem)->acpi_rsdp_addr, 0xe0000);
	acpi_mem = mp_mem;                               /* where walk_tables reads */
	a = walk_tables(0xe0000);
	check_dsdt(&a, (struct acpi_mmio_device[]){
			   { .base = 0xd0000000, .size = 0x1000, .irq = 5 },
			   { .base = 0xd0001000, .size = 0x1000, .irq = 6 } }, 2);
	v = mp_read(&mp_mem);
	ck_assert_uint_le(tables_end(&a), v.fp_addr);
	ck_assert_uint_le(tables_end(&a), 0xf0000);
	free_kernel(&k);
}
END_TEST

static void add_mptable_tests(Suite *s)
{
	TCase *tc = tcase_create("mptable");

	tcase_add_unchecked_fixture(tc, temp_dir_setup, temp_dir_teardown);
	tcase_add_checked_fixture(tc, mptable_setup, mptable_teardown);
	tcase_add_test(tc, test_mptable_as_linux_reads_it);
	tcase_add_test(tc, test_mptable_ram_too_small);
	tcase_add_test(tc, test_mptable_beside_acpi);
	tcase_add_test(tc, test_mptable_from_linux_load);
	suite_add_tcase(s, tc);
}

/* ==== end of mptable ==== */

/* ==== options: --kernel, --initrd, --append (options.c) ==== */

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

static void add_options_tests(Suite *s)
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

/* ==== end of options ==== */

/* ==== loader: files into guest RAM (loader.c) ==== */

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

static void add_loader_tests(Suite *s)
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

/* ==== end of loader ==== */

static Suite *suite(void)
{
	Suite *s = suite_create("06-linux-boot");

	add_acpi_tests(s);
	add_e820_tests(s);
	add_bzimage_tests(s);
	add_linux_load_tests(s);
	add_mptable_tests(s);
	add_options_tests(s);
	add_loader_tests(s);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
