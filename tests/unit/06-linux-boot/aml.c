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
		/* a body of body_len bytes: a String's prefix, letters, NUL */
		size_t body_len = cases[i].inner - 4;
		struct aml body = AML_INIT, scope = AML_INIT;
		char *filler = malloc(body_len - 1);
		struct cursor c;

		ck_assert_ptr_nonnull(filler);
		memset(filler, 'A', body_len - 2);
		filler[body_len - 2] = '\0';
		aml_string(&body, filler);
		ck_assert_uint_eq(body.len, body_len);
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

/* Our DSDT needs no bigger integer: a larger one is an error, not a guess. */
START_TEST(test_aml_integer_too_big)
{
	struct aml aml = AML_INIT;

	aml_integer(&aml, 0x10000);
	ck_assert(aml.failed);
	aml_free(&aml);
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
		struct aml aml = AML_INIT;

		aml_name(&aml, cases[i].name);
		ck_assert_msg(aml.len == cases[i].len, "name %s", cases[i].name);
		expect_aml(&aml, cases[i].bytes, cases[i].len);
		aml_free(&aml);
	}
}
END_TEST

START_TEST(test_aml_bad_names)
{
	static const char *const bad[] = {
		"1ABC", "abcd", "TOOLONG", "_SB", "", "A-BC", "\\\\ABC", "\\_SB_.VR00",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct aml aml = AML_INIT;

		aml_name(&aml, bad[i]);
		ck_assert_msg(aml.failed, "name %s accepted", bad[i]);
		aml_free(&aml);
	}
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

	aml_memory32_fixed(&resources, 0xd0000000, 0x1000);
	aml_interrupt(&resources, 5);
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
 * ResourceTemplate() { IO(Decode16, 0x3f8, 0x3f8, 1, 8)
 *   Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) { 4 } }:
 * COM1's, by hand.
 */
START_TEST(test_aml_io_resource_template)
{
	static const uint8_t want[] = {
		0x11, 0x16, 0x0a, 0x13,                   /* BufferOp, PkgLength 22, size 19 */
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x89, 0x06, 0x00, 0x03, 0x01,             /* Interrupt, flags, 1 IRQ */
		0x04, 0x00, 0x00, 0x00,
		0x79, 0x00,                               /* End tag */
	};
	struct aml resources = AML_INIT, buffer = AML_INIT;

	aml_io(&resources, 0x3f8, 8);
	aml_interrupt(&resources, 4);
	aml_end_tag(&resources);
	aml_buffer(&buffer, &resources);
	expect_aml(&buffer, want, sizeof(want));
	aml_free(&resources);
	aml_free(&buffer);
}
END_TEST

/* ---- ACPI tables, read back as an OS would ---- */

void add_aml_tests(Suite *s)
{
	TCase *tc = tcase_create("aml");

	tcase_add_test(tc, test_aml_pkglength_boundaries);
	tcase_add_test(tc, test_aml_pkglength_too_long);
	tcase_add_test(tc, test_aml_package_sizes);
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
