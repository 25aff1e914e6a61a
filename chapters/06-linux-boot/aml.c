/*
 * aml.c - a tiny AML encoder: the bytecode the DSDT (acpi.c) is written in.
 *
 * The DSDT is not a table of fixed fields but a program: a tree of named
 * objects that the OS's interpreter loads into its namespace. Firmware
 * writers compile it from ASL with iasl; a VMM emits it directly:
 *
 *   Scope(\_SB_) {                          ScopeOp PkgLength NameString ...
 *     Device(VR00) {                        ExtOpPrefix DeviceOp PkgLength ...
 *       Name(_HID, "LNRO0005")              NameOp NameString StringPrefix ...
 *       Name(_CRS, ResourceTemplate() {...}) NameOp NameString BufferOp ...
 *
 * A package (Scope, Device, Buffer) starts with its PkgLength, which
 * counts everything after the opcode, itself included, so we write the
 * body first and insert the PkgLength before it when the package ends.
 *
 * Reference: ACPI 6.5 chapter 19 (ASL) and 20 (AML: §20.2.2 names,
 * §20.2.3 data objects, §20.2.4 PkgLength, §20.3 opcodes); §6.4
 * (resource descriptors).
 */
#include "aml.h"

#include <string.h>

/* Opcodes and prefixes (§20.3). */
#define AML_NAME_OP       0x08
#define AML_BYTE_PREFIX   0x0a
#define AML_STRING_PREFIX 0x0d
#define AML_SCOPE_OP      0x10
#define AML_BUFFER_OP     0x11
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP     0x82  /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR     '\\'
#define AML_NAME_SEG_SIZE 4

/* Resource descriptors (§6.4): a small item's first byte holds its type
 * and length; a large item's has bit 7 set, and a 16-bit length follows. */
#define RES_IO_PORT        ((0x08 << 3) | 7)  /* §6.4.2.5: type 0x8, 7 bytes */
#define RES_END_TAG        ((0x0f << 3) | 1)  /* §6.4.2.9: type 0xf, 1 byte */
#define RES_MEMORY32_FIXED 0x86               /* §6.4.3.4 */
#define RES_EXTENDED_IRQ   0x89               /* §6.4.3.6 */
#define RES_IO_DECODE16    0x01  /* the device decodes all 16 address bits */
#define RES_READ_WRITE     0x01
#define RES_IRQ_CONSUMER_EDGE 0x03  /* active-high, exclusive: 0 */

/* AML, like x86, stores multi-byte values little-endian. */
#define LE16(v) (uint8_t)(v), (uint8_t)((v) >> 8)
#define LE32(v) LE16(v), LE16((v) >> 16)

/* Puts n bytes at `at`, moving what follows: appending inserts at the end. */
static void insert(struct aml *aml, size_t at, const void *bytes, size_t n)
{
	if (aml->failed || at > aml->len || n > sizeof(aml->bytes) - aml->len) {
		aml->failed = true;
		return;
	}
	memmove(aml->bytes + at + n, aml->bytes + at, aml->len - at);
	memcpy(aml->bytes + at, bytes, n);
	aml->len += n;
}

static void append(struct aml *aml, const void *bytes, size_t n)
{
	insert(aml, aml->len, bytes, n);
}

#define APPEND(aml, ...) append(aml, (const uint8_t[]){ __VA_ARGS__ }, \
				sizeof((const uint8_t[]){ __VA_ARGS__ }))

/*
 * aml_pkglength - encodes the PkgLength (§20.2.4) of a package whose
 * `body` bytes follow it; the length counts the PkgLength's own bytes.
 * Below 64 it is one byte. Otherwise bits 7:6 of the lead byte count the
 * bytes that follow (1-3), its bits 3:0 hold the length's low nibble,
 * and the following bytes the rest, least significant first: 12, 20 or
 * 28 bits in all. Returns its size, or 0 if the length needs more.
 */
size_t aml_pkglength(uint8_t out[AML_PKGLENGTH_MAX], size_t body)
{
	static const unsigned bits[AML_PKGLENGTH_MAX] = { 6, 12, 20, 28 };

	for (size_t n = 1; n <= AML_PKGLENGTH_MAX; n++) {
		size_t len = body + n;

		if (len >= (size_t)1 << bits[n - 1])
			continue;
		if (n == 1) {
			out[0] = (uint8_t)len;
			return 1;
		}
		out[0] = (uint8_t)((n - 1) << 6 | (len & 0x0f));
		for (size_t i = 1; i < n; i++)
			out[i] = (uint8_t)(len >> (8 * i - 4));
		return n;
	}
	return 0;
}

/*
 * A NameString (§20.2.2) of one NameSeg, as our DSDT spells them: "_HID",
 * "VR00", or "\_SB_" with a '\' for the root. A NameSeg is four
 * characters: a capital letter or '_', then capitals, digits or '_'.
 */
static void name_string(struct aml *aml, const char *name)
{
	if (*name == AML_ROOT_CHAR)
		append(aml, name++, 1);
	for (size_t i = 0; i < AML_NAME_SEG_SIZE; i++) {
		char c = name[i];  /* a NUL fails: we never read past it */

		if (!((c >= 'A' && c <= 'Z') || c == '_' ||
		      (i > 0 && c >= '0' && c <= '9'))) {
			aml->failed = true;
			return;
		}
	}
	if (name[AML_NAME_SEG_SIZE] != '\0')
		aml->failed = true;
	append(aml, name, AML_NAME_SEG_SIZE);
}

void aml_name(struct aml *aml, const char *name)
{
	APPEND(aml, AML_NAME_OP);
	name_string(aml, name);
}

/* An integer (§20.2.3) up to 255, all our DSDT needs: ZeroOp and OneOp
 * are the bytes 0 and 1, the rest BytePrefix and a byte. */
static void integer_at(struct aml *aml, size_t at, uint64_t value)
{
	const uint8_t bytes[] = { AML_BYTE_PREFIX, (uint8_t)value };

	if (value > UINT8_MAX)
		aml->failed = true;
	else if (value <= 1)
		insert(aml, at, &bytes[1], 1);
	else
		insert(aml, at, bytes, sizeof(bytes));
}

void aml_integer(struct aml *aml, uint64_t value)
{
	integer_at(aml, aml->len, value);
}

/* A string (§20.2.3): StringPrefix, ASCII, NUL. */
void aml_string(struct aml *aml, const char *str)
{
	APPEND(aml, AML_STRING_PREFIX);
	append(aml, str, strlen(str) + 1);
}

/* After a package's opcode: its body, its name first if it has one. */
static size_t package(struct aml *aml, const char *name)
{
	size_t start = aml->len;

	if (name)
		name_string(aml, name);
	return start;
}

/* Scope(name) { ... }: puts what follows under name. */
size_t aml_scope(struct aml *aml, const char *name)
{
	APPEND(aml, AML_SCOPE_OP);
	return package(aml, name);
}

/* Device(name) { ... }: a device and its objects. */
size_t aml_device(struct aml *aml, const char *name)
{
	APPEND(aml, AML_EXT_OP_PREFIX, AML_DEVICE_OP);
	return package(aml, name);
}

/* aml_end - ends the package whose body starts at `start`: its PkgLength
 * goes there, in front of the body. */
void aml_end(struct aml *aml, size_t start)
{
	uint8_t pkglength[AML_PKGLENGTH_MAX];
	size_t n = aml_pkglength(pkglength, aml->len - start);

	if (n == 0)
		aml->failed = true;
	insert(aml, start, pkglength, n);
}

/* ResourceTemplate() { ... }: a Buffer(size) of resource descriptors. */
size_t aml_resource_template(struct aml *aml)
{
	APPEND(aml, AML_BUFFER_OP);
	return package(aml, NULL);
}

/* The end tag (checksum 0: none), then before the descriptors the
 * buffer's size, and its PkgLength. */
void aml_resource_template_end(struct aml *aml, size_t start)
{
	APPEND(aml, RES_END_TAG, 0);
	integer_at(aml, start, aml->len - start);
	aml_end(aml, start);
}

/* IO(Decode16, base, base, 1, length): fixed ports, min = max base. */
void aml_io(struct aml *aml, uint16_t base, uint8_t length)
{
	APPEND(aml, RES_IO_PORT, RES_IO_DECODE16, LE16(base), LE16(base),
	       1 /* alignment */, length);
}

/* Memory32Fixed(ReadWrite, base, size): a fixed window of address space. */
void aml_memory32_fixed(struct aml *aml, uint32_t base, uint32_t size)
{
	APPEND(aml, RES_MEMORY32_FIXED, LE16(9) /* bytes follow */,
	       RES_READ_WRITE, LE32(base), LE32(size));
}

/* Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) { gsi }: one
 * global system interrupt, wired as KVM_IRQ_LINE drives it. */
void aml_interrupt(struct aml *aml, uint32_t gsi)
{
	APPEND(aml, RES_EXTENDED_IRQ, LE16(6) /* bytes follow */,
	       RES_IRQ_CONSUMER_EDGE, 1 /* interrupt */, LE32(gsi));
}
