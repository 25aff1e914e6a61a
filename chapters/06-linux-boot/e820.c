/*
 * e820.c - the memory map: which physical addresses are RAM.
 *
 * A kernel cannot probe for RAM (reading a hole may hang a real bus), so
 * on a PC it asks the BIOS: INT 15h, AX=E820h, returns one region per
 * call, with a type. The setup code of a bzImage makes those calls and
 * stores the answers in boot_params.e820_table. A VMM that enters the
 * kernel at its 64-bit entry skips that code, so it writes the table
 * itself, describing the machine it built:
 *
 *   0         - 0x9fc00    RAM (conventional memory)
 *   0x9fc00   - 0xa0000    reserved: where a BIOS keeps its EBDA
 *   0xa0000   - 0xe0000    (nothing: the VGA window and option ROMs)
 *   0xe0000   - 0x100000   reserved: the BIOS area, our ACPI tables
 *   0x100000  - RAM end    RAM (the kernel, the initrd, everything else)
 *
 * Our RAM is one flat block, so the holes are really RAM too; marking
 * them keeps the kernel from using what a PC would not let it use.
 *
 * Reference: ACPI 6.5 §15 (System Address Map Interfaces, INT 15h E820h);
 * Linux boot.rst (e820_table in the zero page); asm/e820.h.
 */
#include "e820.h"

#include <asm/e820.h>

/* Appends [start, end) with `type` if it is not empty and there is room. */
static void add_region(struct boot_e820_entry *table, unsigned max_entries,
		       unsigned *count, uint64_t start, uint64_t end,
		       uint32_t type)
{
	if (end <= start || *count == max_entries)
		return;
	table[*count] = (struct boot_e820_entry){
		.addr = start, .size = end - start, .type = type,
	};
	(*count)++;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * e820_build - fills `table` with the map of a guest with ram_size bytes
 * of RAM; returns the number of entries.
 */
unsigned e820_build(uint64_t ram_size, struct boot_e820_entry *table,
		    unsigned max_entries)
{
	unsigned count = 0;

	add_region(table, max_entries, &count, 0, min_u64(ram_size, EBDA_START),
		   E820_RAM);
	add_region(table, max_entries, &count, EBDA_START,
		   min_u64(ram_size, ISA_START_ADDRESS), E820_RESERVED);
	add_region(table, max_entries, &count, BIOS_AREA_START,
		   min_u64(ram_size, ISA_END_ADDRESS), E820_RESERVED);
	add_region(table, max_entries, &count, ISA_END_ADDRESS, ram_size,
		   E820_RAM);
	return count;
}
