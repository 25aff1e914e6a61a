/*
 * aml.c - tests of chapter 6's AML encoder (aml.c): PkgLength, names,
 * integers, strings, containers, and resource templates with memory,
 * I/O port and interrupt descriptors, against bytes computed by hand
 * from the ACPI spec (ACPI 6.5 chapters 19, 20 and §6.4).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aml.h"
#include "unit.h"


/* PkgLength(body): the length counts its own 1-4 bytes (§20.2.4). */
START_TEST(test_aml_pkglength_boundaries)
{
	static const struct {
		size_t body;
		uint8_t bytes[AML_PKGLENGTH_MAX];
		size_t len;
	} cases[] = {
		{ 0, { 0x01 }, 1 },
		{ 62, { 0x3f }, 1 },                          /* 63: still one byte */
		{ 63, { 0x41, 0x04 }, 2 },                    /* 64 would not fit: 65 */
		{ 0x121, { 0x43, 0x12 }, 2 },
		{ 4093, { 0x4f, 0xff }, 2 },                  /* 4095 */
		{ 4094, { 0x81, 0x00, 0x01 }, 3 },            /* 4097 */
		{ 0x12342, { 0x85, 0x34, 0x12 }, 3 },
		{ 0xffffc, { 0x8f, 0xff, 0xff }, 3 },         /* 0xfffff */
		{ 0xffffd, { 0xc1, 0x00, 0x00, 0x01 }, 4 },   /* 0x100001 */
		{ 0xffffffb, { 0xcf, 0xff, 0xff, 0xff }, 4 }, /* 2^28 - 1 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[AML_PKGLENGTH_MAX] = { 0 };

		ck_assert_msg(aml_pkglength(out, cases[i].body) == cases[i].len,
			      "PkgLength of %zu body bytes", cases[i].body);
		ck_assert_mem_eq(out, cases[i].bytes, cases[i].len);
	}
}
END_TEST

/* 2^28 and up do not fit in 28 bits. */
START_TEST(test_aml_pkglength_too_long)
{
	uint8_t out[AML_PKGLENGTH_MAX];

	ck_assert_uint_eq(aml_pkglength(out, 0xffffffc), 0);
	ck_assert_uint_eq(aml_pkglength(out, 1ULL << 30), 0);
}
END_TEST

/*
 * A package's PkgLength is inserted before its body when it ends:
 * Scope(ABCD) { a String } has inner bytes 4 + the string's, and a
 * PkgLength of inner + its own size. One that would outgrow the buffer
 * fails instead, and the failure sticks.
 */
START_TEST(test_aml_package_sizes)
{
	static const struct {
		size_t inner;
		size_t pkglength_size;   /* 0: does not fit in AML_MAX_SIZE */
	} cases[] = {
		{ 62, 1 },
		{ 63, 2 },
		{ 4093, 2 },             /* 1 + 2 + 4093: exactly AML_MAX_SIZE */
		{ 4094, 0 },             /* would need 1 + 3 + 4094 bytes */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* a body of body_len bytes: a String's prefix, letters, NUL */
		size_t body_len = cases[i].inner - 4;
		char *filler = malloc(body_len - 1);
		struct aml *aml = calloc(1, sizeof(*aml));
		struct cursor c;
		size_t scope;

		ck_assert_ptr_nonnull(filler);
		ck_assert_ptr_nonnull(aml);
		memset(filler, 'A', body_len - 2);
		filler[body_len - 2] = '\0';
		scope = aml_scope(aml, "ABCD");
		aml_string(aml, filler);
		ck_assert(!aml->failed);
		ck_assert_uint_eq(aml->len, 1 + cases[i].inner);
		aml_end(aml, scope);
		if (cases[i].pkglength_size == 0) {
			ck_assert(aml->failed);
			ck_assert_uint_le(aml->len, AML_MAX_SIZE);
			aml_integer(aml, 0);
			ck_assert(aml->failed);
		} else {
			ck_assert(!aml->failed);
			ck_assert_uint_eq(aml->len, 1 + cases[i].pkglength_size + cases[i].inner);
			c = (struct cursor){ aml->bytes, aml->bytes + aml->len };
			expect(&c, "\x10", 1);
			ck_assert_uint_eq(read_pkglength(&c),
					  cases[i].pkglength_size + cases[i].inner);
			expect(&c, "ABCD", 4);
			expect(&c, "\x0d", 1);
			ck_assert_uint_eq(c.end - c.p, body_len - 1);
		}
		free(filler);
		free(aml);
	}
}
END_TEST

/* Bytes past AML_MAX_SIZE are refused, and so is everything after. */
START_TEST(test_aml_full)
{
	static struct aml aml;
	size_t n = 0;

	while (!aml.failed && n++ <= AML_MAX_SIZE)
		aml_integer(&aml, 0);
	ck_assert(aml.failed);
	ck_assert_uint_eq(aml.len, AML_MAX_SIZE);
	for (size_t i = 0; i < AML_MAX_SIZE; i++)
		ck_assert_uint_eq(aml.bytes[i], 0x00);
}
END_TEST

/* ---- AML: names, integers, strings ---- */

START_TEST(test_aml_integers)
{
	static const struct {
		uint64_t value;
		uint8_t bytes[2];
		size_t len;
	} cases[] = {
		{ 0, { 0x00 }, 1 },             /* ZeroOp */
		{ 1, { 0x01 }, 1 },             /* OneOp */
		{ 2, { 0x0a, 0x02 }, 2 },       /* BytePrefix */
		{ 0xff, { 0x0a, 0xff }, 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml aml = { 0 };

		aml_integer(&aml, cases[i].value);
		ck_assert_msg(aml.len == cases[i].len, "integer 0x%llx",
			      (unsigned long long)cases[i].value);
		expect_aml(&aml, cases[i].bytes, cases[i].len);
	}
}
END_TEST

/* Our DSDT needs no bigger integer: a larger one is an error, not a guess. */
START_TEST(test_aml_integer_too_big)
{
	struct aml aml = { 0 };

	aml_integer(&aml, 0x100);
	ck_assert(aml.failed);
	ck_assert_uint_eq(aml.len, 0);
}
END_TEST

START_TEST(test_aml_name_hid)
{
	static const uint8_t want[] = {
		0x08,                                            /* NameOp */
		'_', 'H', 'I', 'D',                              /* NameSeg */
		0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0, /* String */
	};
	struct aml aml = { 0 };

	aml_name(&aml, "_HID");
	aml_string(&aml, "LNRO0005");
	expect_aml(&aml, want, sizeof(want));
}
END_TEST

/* Name(name, ...) with one NameSeg, or a root-relative one. */
START_TEST(test_aml_name_strings)
{
	static const struct {
		const char *name;
		const char *bytes;
		size_t len;
	} cases[] = {
		{ "_HID", "\x08_HID", 5 },
		{ "VR0A", "\x08VR0A", 5 },
		{ "\\_SB_", "\x08\\_SB_", 6 },                /* RootChar */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml aml = { 0 };

		aml_name(&aml, cases[i].name);
		ck_assert_msg(aml.len == cases[i].len, "name %s", cases[i].name);
		expect_aml(&aml, cases[i].bytes, cases[i].len);
	}
}
END_TEST

START_TEST(test_aml_bad_names)
{
	static const char *const bad[] = {
		"1ABC", "abcd", "TOOLONG", "_SB", "", "A-BC", "\\\\ABC", "\\_SB_.VR00",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct aml aml = { 0 };

		aml_name(&aml, bad[i]);
		ck_assert_msg(aml.failed, "name %s accepted", bad[i]);
		aml_device(&aml, bad[i]);
		ck_assert(aml.failed);
	}
}
END_TEST

/* A failure is sticky: nothing more is written, and ending packages keeps it. */
START_TEST(test_aml_failure_propagates)
{
	struct aml aml = { 0 };
	size_t device = aml_device(&aml, "DEV0"), len;

	aml_name(&aml, "bad!");
	ck_assert(aml.failed);
	len = aml.len;
	aml_integer(&aml, 7);
	aml_end(&aml, device);
	ck_assert(aml.failed);
	ck_assert_uint_eq(aml.len, len);
}
END_TEST

/* ---- AML: packages and resource templates ---- */

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
	struct aml aml = { 0 };
	size_t scope = aml_scope(&aml, "\\_SB_");
	size_t device = aml_device(&aml, "VR00");

	aml_name(&aml, "_UID");
	aml_integer(&aml, 0);
	aml_end(&aml, device);
	aml_end(&aml, scope);
	expect_aml(&aml, want, sizeof(want));
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
	struct aml aml = { 0 };
	size_t crs = aml_resource_template(&aml);

	aml_memory32_fixed(&aml, 0xd0000000, 0x1000);
	aml_interrupt(&aml, 5);
	aml_resource_template_end(&aml, crs);
	expect_aml(&aml, want, sizeof(want));
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
		struct aml aml = { 0 };

		aml_io(&aml, cases[i].base, cases[i].length);
		ck_assert_msg(aml.len == 8, "IO 0x%x", cases[i].base);
		expect_aml(&aml, cases[i].bytes, sizeof(cases[i].bytes));
	}
}
END_TEST

/*
 * Name(_CRS, ResourceTemplate() { IO(Decode16, 0x3f8, 0x3f8, 1, 8)
 *   Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) { 4 } }):
 * COM1's, by hand. A template with no descriptor is the end tag alone.
 */
START_TEST(test_aml_io_resource_template)
{
	static const uint8_t want[] = {
		0x08, '_', 'C', 'R', 'S',                 /* NameOp, NameSeg */
		0x11, 0x16, 0x0a, 0x13,                   /* BufferOp, PkgLength 22, size 19 */
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x89, 0x06, 0x00, 0x03, 0x01,             /* Interrupt, flags, 1 IRQ */
		0x04, 0x00, 0x00, 0x00,
		0x79, 0x00,                               /* End tag */
	};
	static const uint8_t empty[] = { 0x11, 0x05, 0x0a, 0x02, 0x79, 0x00 };
	struct aml aml = { 0 }, none = { 0 };
	size_t crs;

	aml_name(&aml, "_CRS");
	crs = aml_resource_template(&aml);
	aml_io(&aml, 0x3f8, 8);
	aml_interrupt(&aml, 4);
	aml_resource_template_end(&aml, crs);
	expect_aml(&aml, want, sizeof(want));

	aml_resource_template_end(&none, aml_resource_template(&none));
	expect_aml(&none, empty, sizeof(empty));
}
END_TEST

void add_aml_tests(Suite *s)
{
	TCase *tc = tcase_create("aml");

	tcase_add_test(tc, test_aml_pkglength_boundaries);
	tcase_add_test(tc, test_aml_pkglength_too_long);
	tcase_add_test(tc, test_aml_package_sizes);
	tcase_add_test(tc, test_aml_full);
	tcase_add_test(tc, test_aml_integers);
	tcase_add_test(tc, test_aml_integer_too_big);
	tcase_add_test(tc, test_aml_name_hid);
	tcase_add_test(tc, test_aml_name_strings);
	tcase_add_test(tc, test_aml_bad_names);
	tcase_add_test(tc, test_aml_failure_propagates);
	tcase_add_test(tc, test_aml_scope_device);
	tcase_add_test(tc, test_aml_resource_template);
	tcase_add_test(tc, test_aml_io);
	tcase_add_test(tc, test_aml_io_resource_template);
	suite_add_tcase(s, tc);
}
