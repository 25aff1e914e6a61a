/*
 * gdt.h - segment descriptors and the global descriptor table.
 */
#ifndef GDT_H
#define GDT_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "memory.h"

/* The access byte: bits 40-47 of a descriptor (Intel SDM Vol. 3A, 3.4.5). */
#define SEG_PRESENT       0x80  /* P: the segment is in memory */
#define SEG_DPL_SHIFT     5     /* DPL: privilege level 0-3 */
#define SEG_CODE_OR_DATA  0x10  /* S: a code/data segment, not a system one */
#define SEG_TYPE_CODE     0x08  /* executable */
#define SEG_TYPE_READABLE 0x02  /* code: may also be read */
#define SEG_TYPE_WRITABLE 0x02  /* data: may also be written */
#define SEG_TYPE_ACCESSED 0x01  /* set by the CPU on first use, or by us */
#define SEG_TYPE_CONFORMING  0x04 /* code: callable from lower privilege */
#define SEG_TYPE_EXPAND_DOWN 0x04 /* data: a stack that grows down */

/* System segment types (S = 0) a segment register or TR may show. */
#define SYS_TYPE_LDT        0x2
#define SYS_TYPE_TSS16_BUSY 0x3
#define SYS_TYPE_TSS_BUSY   0xb

/* The flags nibble: bits 52-55 of a descriptor. */
#define SEG_FLAG_G   0x8  /* granularity: limit counts 4 KiB pages */
#define SEG_FLAG_DB  0x4  /* default operand size 32 bits (D/B) */
#define SEG_FLAG_L   0x2  /* 64-bit code segment (long mode) */

/* A segment's limit field is 20 bits wide. */
#define SEG_LIMIT_MAX 0xfffff

/* Where the VMM puts the GDT: low memory that no guest image uses. */
#define GDT_ADDR 0x500

/* The selectors of our GDT: the entry's byte offset, TI = 0, RPL = 0. */
enum {
	GDT_NULL = 0,
	GDT_CODE32 = 0x08,
	GDT_DATA32 = 0x10,
	GDT_CODE64 = 0x18,
	GDT_ENTRIES = 4,
};

/* The access bytes of flat code and data segments (gdt.c). */
extern const uint8_t flat_code_access;
extern const uint8_t flat_data_access;

uint64_t gdt_descriptor(uint32_t base, uint32_t limit, uint8_t access,
			uint8_t flags);
void segment_from_descriptor(uint16_t selector, uint64_t descriptor,
			     struct kvm_segment *seg);
int gdt_load(const struct guest_memory *mem, struct kvm_sregs *sregs,
	     const uint64_t *gdt, size_t count, uint16_t code_selector,
	     uint16_t data_selector);
int gdt_install(const struct guest_memory *mem, struct kvm_sregs *sregs,
		uint16_t code_selector);

#endif
