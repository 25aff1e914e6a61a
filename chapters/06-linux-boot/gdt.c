/*
 * gdt.c - segment descriptors and the global descriptor table (GDT).
 *
 * In protected mode a segment register holds a selector: an index into
 * a table of 8-byte descriptors, the GDT. Each descriptor gives the
 * segment's base, limit (its size) and attributes (code or data, 16 or
 * 32 bit, privilege). Loading a selector makes the CPU fetch the
 * descriptor into the register's hidden part (the "descriptor cache"),
 * which is what every memory access then uses.
 *
 * The bits of a descriptor are scattered for historical reasons (the
 * 80286 had 24-bit bases and 16-bit limits; the 80386 added the rest in
 * the spare bytes):
 *
 *   63      56 55  52 51    48 47     40 39         16 15          0
 *  +----------+------+--------+---------+-------------+-------------+
 *  |base 31:24| G DB | limit  | P DPL S |  base 23:0  | limit 15:0  |
 *  |          | L AVL| 19:16  |  type   |             |             |
 *  +----------+------+--------+---------+-------------+-------------+
 *
 * KVM_SET_SREGS does not read the GDT: it sets selectors and hidden
 * parts directly. We still build a real GDT in guest memory, because the
 * guest may reload a segment register (and any interrupt does), and
 * then the CPU reads the table. segment_from_descriptor() derives the
 * hidden part from the same descriptor, so the two always agree.
 *
 * Reference: Intel SDM Vol. 3A, 3.4.2 (segment selectors), 3.4.3
 * (segment registers), 3.4.5 (segment descriptors), 3.5.1 (descriptor
 * tables).
 */
#include "gdt.h"

#include <stdio.h>
#include <string.h>

/*
 * gdt_descriptor - encodes a code or data segment descriptor. `limit`
 * is the 20-bit limit field (in 4 KiB units when flags has G).
 */
uint64_t gdt_descriptor(uint32_t base, uint32_t limit, uint8_t access,
			uint8_t flags)
{
	return ((uint64_t)(base & 0xff000000) << (56 - 24)) |
	       ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(limit & 0xf0000) << (48 - 16)) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)(base & 0x00ffffff) << 16) |
	       (uint64_t)(limit & 0x0ffff);
}

/*
 * segment_from_descriptor - what the CPU puts in a segment register's
 * hidden part when it loads `selector` and finds `descriptor`.
 */
void segment_from_descriptor(uint16_t selector, uint64_t descriptor,
			     struct kvm_segment *seg)
{
	uint8_t access = (uint8_t)(descriptor >> 40);
	uint8_t flags = (uint8_t)(descriptor >> 52) & 0xf;
	uint32_t limit = (uint32_t)(((descriptor >> 32) & 0xf0000) |
				    (descriptor & 0xffff));

	*seg = (struct kvm_segment){
		.selector = selector,
		.base = ((descriptor >> 16) & 0xffffff) |
			((descriptor >> 32) & 0xff000000),
		/* with G, the limit counts pages: the last byte is limit*4K+4095 */
		.limit = (flags & SEG_FLAG_G) ? (limit << 12) | 0xfff : limit,
		.type = access & 0xf,
		.s = !!(access & SEG_CODE_OR_DATA),
		.dpl = (access >> SEG_DPL_SHIFT) & 3,
		.present = !!(access & SEG_PRESENT),
		.avl = flags & 1,
		.l = !!(flags & SEG_FLAG_L),
		.db = !!(flags & SEG_FLAG_DB),
		.g = !!(flags & SEG_FLAG_G),
	};
}

/* book:begin flat-gdt */
/*
 * The flat model every modern OS uses: code and data both start at 0
 * and span all 4 GiB, so segmentation translates nothing and paging (or
 * nothing at all) does the rest. The accessed bit is preset so the CPU
 * never needs to write the table.
 */
const uint8_t flat_code_access = SEG_PRESENT | SEG_CODE_OR_DATA |
	SEG_TYPE_CODE | SEG_TYPE_READABLE | SEG_TYPE_ACCESSED;
const uint8_t flat_data_access = SEG_PRESENT | SEG_CODE_OR_DATA |
	SEG_TYPE_WRITABLE | SEG_TYPE_ACCESSED;
/* book:end flat-gdt */

/*
 * gdt_load - writes a GDT of `count` descriptors to GDT_ADDR in guest
 * memory and fills sregs: GDTR, CS from `code_selector`, and
 * DS/ES/FS/GS/SS from `data_selector`, all with their hidden parts. 0,
 * or -1 if RAM is too small to hold it.
 */
int gdt_load(const struct guest_memory *mem, struct kvm_sregs *sregs,
	     const uint64_t *gdt, size_t count, uint16_t code_selector,
	     uint16_t data_selector)
{
	void *dest = guest_ptr(mem, GDT_ADDR, count * sizeof(gdt[0]));

	if (!dest) {
		fprintf(stderr, "vmm: no room for the GDT in guest RAM\n");
		return -1;
	}
	memcpy(dest, gdt, count * sizeof(gdt[0]));
	sregs->gdt.base = GDT_ADDR;
	sregs->gdt.limit = count * sizeof(gdt[0]) - 1;
	segment_from_descriptor(code_selector, gdt[code_selector / 8], &sregs->cs);
	segment_from_descriptor(data_selector, gdt[data_selector / 8], &sregs->ds);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	return 0;
}

/*
 * gdt_install - loads the flat GDT of the VMM's own guests, with CS from
 * `code_selector` (32- or 64-bit code) and 32-bit data in the rest.
 */
int gdt_install(const struct guest_memory *mem, struct kvm_sregs *sregs,
		uint16_t code_selector)
{
	uint64_t gdt[GDT_ENTRIES] = {
		[GDT_NULL / 8] = 0,
		[GDT_CODE32 / 8] = gdt_descriptor(0, SEG_LIMIT_MAX, flat_code_access,
						  SEG_FLAG_G | SEG_FLAG_DB),
		[GDT_DATA32 / 8] = gdt_descriptor(0, SEG_LIMIT_MAX, flat_data_access,
						  SEG_FLAG_G | SEG_FLAG_DB),
		/* 64-bit code: L set, and D/B must then be clear */
		[GDT_CODE64 / 8] = gdt_descriptor(0, SEG_LIMIT_MAX, flat_code_access,
						  SEG_FLAG_G | SEG_FLAG_L),
	};

	return gdt_load(mem, sregs, gdt, GDT_ENTRIES, code_selector, GDT_DATA32);
}
