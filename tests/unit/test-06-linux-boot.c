/*
 * test-06-linux-boot.c - unit tests of chapter 6's pieces, compiled with
 * the chapter's own sources: the AML encoder (PkgLength, names,
 * integers, strings, containers, resource templates with memory, I/O
 * port and interrupt descriptors, against bytes computed by hand from
 * the ACPI spec) and the ACPI tables, built in guest RAM and read back
 * the way an OS finds them: the legacy PC devices (COM1, RTC, i8042)
 * and the virtio-mmio devices, decoded from the DSDT's AML.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "aml.h"
#include "memory.h"

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

static Suite *suite(void)
{
	Suite *s = suite_create("06-linux-boot");

	add_acpi_tests(s);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
