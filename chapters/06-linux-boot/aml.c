/*
 * aml.c - a tiny AML encoder: the bytecode the DSDT is written in.
 *
 * A PC has devices that no bus can enumerate: nothing on the board
 * answers "what is at 0xd0000000?". The firmware tells the OS instead,
 * in ACPI tables (acpi.c), and the richest of them, the DSDT, is not a
 * fixed layout but a program in AML: a tree of named objects that the
 * OS's interpreter loads into its namespace. Ours declares one Device
 * per virtio-mmio window, with a hardware id that Linux's driver knows
 * and a resource template saying where its registers and IRQ are.
 *
 * Firmware writers compile AML from ASL source with iasl; a VMM emits
 * it directly. We need a small corner of the grammar, and this file
 * encodes no more than that:
 *
 *   Scope(\_SB_) {                          ScopeOp PkgLength NameString ...
 *     Device(VR00) {                        ExtOpPrefix DeviceOp PkgLength ...
 *       Name(_HID, "LNRO0005")              NameOp NameString StringPrefix ...
 *       Name(_CRS, ResourceTemplate() {...}) NameOp NameString BufferOp ...
 *
 * A construct that contains others starts with its PkgLength, the
 * length of everything after the opcode, PkgLength included. Since its
 * size depends on the body, we build a body first (into a struct aml of
 * its own) and then wrap it.
 *
 * Reference: ACPI 6.5, chapter 19 (ASL, for what each construct means)
 * and chapter 20 (AML grammar: §20.2.2 names, §20.2.3 data objects,
 * §20.2.4 PkgLength, §20.2.5 named objects, §20.3 opcode values);
 * §6.4 (resource descriptors).
 */
#include "aml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Opcodes and prefixes (ACPI 6.5 §20.3). */
#define AML_ZERO_OP          0x00
#define AML_ONE_OP           0x01
#define AML_NAME_OP          0x08
#define AML_BYTE_PREFIX      0x0a
#define AML_WORD_PREFIX      0x0b
#define AML_STRING_PREFIX    0x0d
#define AML_SCOPE_OP         0x10
#define AML_BUFFER_OP        0x11
#define AML_EXT_OP_PREFIX    0x5b
#define AML_DEVICE_OP        0x82  /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR        '\\'

#define AML_NAME_SEG_SIZE 4

/*
 * Resource descriptors (ACPI 6.5 §6.4). A small item packs its type and
 * length into one byte; a large item has bit 7 set, a 7-bit type and a
 * 16-bit length of what follows.
 */
#define RES_LARGE_ITEM        0x80
#define RES_MEMORY32_FIXED    (RES_LARGE_ITEM | 0x06)  /* §6.4.3.4 */
#define RES_MEMORY32_FIXED_LEN 9
#define RES_EXTENDED_IRQ      (RES_LARGE_ITEM | 0x09)  /* §6.4.3.6 */
#define RES_EXTENDED_IRQ_LEN  6   /* flags, count, one 32-bit interrupt */
#define RES_END_TAG           ((0x0f << 3) | 1)        /* §6.4.2.9: type 0xf, 1 byte */
#define RES_IO_PORT           ((0x08 << 3) | 7)        /* §6.4.2.5: type 0x8, 7 bytes */
#define RES_IO_DECODE16       0x01  /* the device decodes all 16 address bits */
#define RES_MEMORY_WRITABLE   0x01
/* Extended Interrupt flags (§6.4.3.6): the device consumes the
 * interrupt, edge-triggered (active-high and exclusive are 0). */
#define RES_IRQ_CONSUMER      (1U << 0)
#define RES_IRQ_EDGE          (1U << 1)

void aml_free(struct aml *aml)
{
	free(aml->bytes);
	*aml = (struct aml)AML_INIT;
}

/* Appends raw bytes, growing the buffer as needed. */
static void aml_append(struct aml *aml, const void *bytes, size_t len)
{
	if (aml->failed || len == 0)
		return;
	if (len > SIZE_MAX / 2 - aml->len) {
		aml->failed = true;
		return;
	}
	if (aml->len + len > aml->cap) {
		size_t cap = aml->cap ? aml->cap : 64;
		uint8_t *grown;

		while (cap < aml->len + len)
			cap *= 2;
		grown = realloc(aml->bytes, cap);
		if (!grown) {
			aml->failed = true;
			return;
		}
		aml->bytes = grown;
		aml->cap = cap;
	}
	memcpy(aml->bytes + aml->len, bytes, len);
	aml->len += len;
}

static void append_byte(struct aml *aml, uint8_t byte)
{
	aml_append(aml, &byte, 1);
}

/* AML, like x86, stores multi-byte values little-endian. */
static void append_le(struct aml *aml, uint64_t value, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		append_byte(aml, (uint8_t)(value >> (8 * i)));
}

/* Appends another run of AML, and its failure if it failed. */
static void append_aml(struct aml *aml, const struct aml *other)
{
	if (other->failed)
		aml->failed = true;
	aml_append(aml, other->bytes, other->len);
}

/*
 * aml_pkglength - encodes a PkgLength (§20.2.4). Below 64 it is one
 * byte. Otherwise bits 7:6 of the lead byte count the bytes that follow
 * (1-3), its bits 3:0 hold the length's low nibble, and the following
 * bytes the rest, least significant first: 12, 20 or 28 bits in all.
 */
void aml_pkglength(struct aml *aml, size_t pkglength)
{
	unsigned follow;

	if (pkglength > AML_PKGLENGTH_MAX) {
		aml->failed = true;
		return;
	}
	if (pkglength < 0x40) {
		append_byte(aml, (uint8_t)pkglength);
		return;
	}
	follow = pkglength < (1U << 12) ? 1 : pkglength < (1U << 20) ? 2 : 3;
	append_byte(aml, (uint8_t)(follow << 6 | (pkglength & 0x0f)));
	append_le(aml, pkglength >> 4, follow);
}

/* How long the PkgLength of a `body`-byte package is: it counts itself. */
static size_t pkglength_size(size_t body)
{
	if (body + 1 < 0x40)
		return 1;
	if (body + 2 < (1U << 12))
		return 2;
	if (body + 3 < (1U << 20))
		return 3;
	return 4;
}

/* `op` (1 or 2 bytes), a PkgLength, then `inner`: every container's shape. */
static void package(struct aml *aml, const uint8_t *op, size_t op_len,
		    const struct aml *inner)
{
	aml_append(aml, op, op_len);
	aml_pkglength(aml, inner->len + pkglength_size(inner->len));
	append_aml(aml, inner);
}

/*
 * A NameString (§20.2.2) of one NameSeg, as our DSDT spells them:
 * "_HID", "VR00", or "\_SB_" with a '\' for the root. A NameSeg is four
 * characters: a capital letter or '_' first, then capitals, digits or
 * '_'.
 */
static void name_string(struct aml *aml, const char *name)
{
	if (*name == AML_ROOT_CHAR) {
		append_byte(aml, AML_ROOT_CHAR);
		name++;
	}
	if (strlen(name) != AML_NAME_SEG_SIZE) {
		aml->failed = true;
		return;
	}
	for (size_t i = 0; i < AML_NAME_SEG_SIZE; i++) {
		char c = name[i];
		bool lead = (c >= 'A' && c <= 'Z') || c == '_';

		if (!lead && !(i > 0 && c >= '0' && c <= '9')) {
			aml->failed = true;
			return;
		}
	}
	aml_append(aml, name, AML_NAME_SEG_SIZE);
}

/*
 * aml_integer - an integer constant in its smallest form (§20.2.3):
 * 0 and 1 have opcodes of their own, the rest a prefix and 1 or 2
 * bytes. Our DSDT needs no more (a _UID, a buffer's size).
 */
void aml_integer(struct aml *aml, uint64_t value)
{
	if (value == 0) {
		append_byte(aml, AML_ZERO_OP);
	} else if (value == 1) {
		append_byte(aml, AML_ONE_OP);
	} else if (value <= UINT8_MAX) {
		append_byte(aml, AML_BYTE_PREFIX);
		append_le(aml, value, 1);
	} else if (value <= UINT16_MAX) {
		append_byte(aml, AML_WORD_PREFIX);
		append_le(aml, value, 2);
	} else {
		aml->failed = true;
	}
}

/* aml_string - a NUL-terminated ASCII string (§20.2.3): our ids. */
void aml_string(struct aml *aml, const char *str)
{
	append_byte(aml, AML_STRING_PREFIX);
	aml_append(aml, str, strlen(str) + 1);
}

/*
 * aml_buffer - Buffer(size) { bytes }: BufferOp, PkgLength, the size as
 * an integer, then the bytes. ASL's ResourceTemplate() is a buffer of
 * resource descriptors.
 */
void aml_buffer(struct aml *aml, const struct aml *contents)
{
	static const uint8_t op[] = { AML_BUFFER_OP };
	struct aml inner = AML_INIT;

	aml_integer(&inner, contents->len);
	append_aml(&inner, contents);
	package(aml, op, sizeof(op), &inner);
	aml_free(&inner);
}

/* aml_name - Name(name, ...): the caller appends the object that follows. */
void aml_name(struct aml *aml, const char *name)
{
	append_byte(aml, AML_NAME_OP);
	name_string(aml, name);
}

/* A container: op, PkgLength, the name, then the body's objects. */
static void named_package(struct aml *aml, const uint8_t *op, size_t op_len,
			  const char *name, const struct aml *body)
{
	struct aml inner = AML_INIT;

	name_string(&inner, name);
	append_aml(&inner, body);
	package(aml, op, op_len, &inner);
	aml_free(&inner);
}

/* aml_scope - Scope(name) { body }: adds body's objects under name. */
void aml_scope(struct aml *aml, const char *name, const struct aml *body)
{
	static const uint8_t op[] = { AML_SCOPE_OP };

	named_package(aml, op, sizeof(op), name, body);
}

/* aml_device - Device(name) { body }: a device and its objects. */
void aml_device(struct aml *aml, const char *name, const struct aml *body)
{
	static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_DEVICE_OP };

	named_package(aml, op, sizeof(op), name, body);
}

/*
 * aml_memory32_fixed - Memory32Fixed(ReadWrite, base, size): a fixed
 * window of physical address space (§6.4.3.4).
 */
void aml_memory32_fixed(struct aml *aml, uint32_t base, uint32_t size)
{
	append_byte(aml, RES_MEMORY32_FIXED);
	append_le(aml, RES_MEMORY32_FIXED_LEN, 2);
	append_byte(aml, RES_MEMORY_WRITABLE);
	append_le(aml, base, 4);
	append_le(aml, size, 4);
}

/*
 * aml_io - IO(Decode16, base, base, 1, length): a fixed range of I/O
 * ports (§6.4.2.5), the small descriptor legacy devices use.
 */
void aml_io(struct aml *aml, uint16_t base, uint8_t length)
{
	append_byte(aml, RES_IO_PORT);
	append_byte(aml, RES_IO_DECODE16);
	append_le(aml, base, 2);  /* minimum base */
	append_le(aml, base, 2);  /* maximum base: the same, it cannot move */
	append_byte(aml, 1);      /* alignment */
	append_byte(aml, length);
}

/*
 * aml_interrupt - Interrupt(ResourceConsumer, Edge, ActiveHigh,
 * Exclusive) { gsi }: the Extended Interrupt descriptor (§6.4.3.6) with
 * one global system interrupt, wired as KVM_IRQ_LINE drives it.
 */
void aml_interrupt(struct aml *aml, uint32_t gsi)
{
	append_byte(aml, RES_EXTENDED_IRQ);
	append_le(aml, RES_EXTENDED_IRQ_LEN, 2);
	append_byte(aml, RES_IRQ_CONSUMER | RES_IRQ_EDGE);
	append_byte(aml, 1);  /* interrupt table length */
	append_le(aml, gsi, 4);
}

/*
 * aml_end_tag - ends a resource template (§6.4.2.9). A checksum of 0
 * tells the OS not to check one.
 */
void aml_end_tag(struct aml *aml)
{
	append_byte(aml, RES_END_TAG);
	append_byte(aml, 0);
}
