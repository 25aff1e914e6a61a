/*
 * aml-reader.c - reading ACPI tables and AML back, as the tests of
 * aml.c and acpi.c do: little-endian fields, checksums, PkgLengths and
 * integers. Written apart from the chapter's encoder, from the spec
 * (ACPI 6.5 §20.2.3, §20.2.4), so that the two check each other.
 */
#define _GNU_SOURCE
#include <check.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>

#include "aml.h"
#include "unit.h"


/* Little-endian fields, as the tables store them. */
uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

uint8_t byte_sum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

/* The encoder must have produced exactly `want`. */
void expect_aml(const struct aml *aml, const void *want, size_t len)
{
	ck_assert(!aml->failed);
	ck_assert_uint_eq(aml->len, len);
	ck_assert_mem_eq(aml->bytes, want, len);
}

/*
 * Reading AML back. This decoder is written apart from aml.c, from the
 * spec, so the two check each other.
 */
void expect(struct cursor *c, const void *bytes, size_t len)
{
	ck_assert_uint_ge(c->end - c->p, len);
	ck_assert_mem_eq(c->p, bytes, len);
	c->p += len;
}

/* §20.2.4. Returns the PkgLength and leaves the cursor after it. */
size_t read_pkglength(struct cursor *c)
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
const uint8_t *read_package_end(struct cursor *c)
{
	const uint8_t *start = c->p;
	size_t len = read_pkglength(c);

	ck_assert_uint_le(len, c->end - start);
	ck_assert_uint_ge(len, c->p - start);
	return start + len;
}

uint64_t read_integer(struct cursor *c)
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

/* How many times `needle` occurs in the bytes: a table's ids, say. */
size_t count_occurrences(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = 0, nlen = strlen(needle);
	const uint8_t *p = hay, *end = hay + len;

	while ((p = memmem(p, end - p, needle, nlen)) != NULL) {
		n++;
		p += nlen;
	}
	return n;
}
