/*
 * e820.h - the guest's physical memory map, as a BIOS would report it.
 */
#ifndef E820_H
#define E820_H

#include <asm/bootparam.h>
#include <stdint.h>

/* A PC's low memory ends at 640 KiB; its last KiB is the BIOS's EBDA. */
#define EBDA_START 0x9fc00
/* ISA_START_ADDRESS/ISA_END_ADDRESS (asm/e820.h): the legacy hole, 640K-1M. */
#define BIOS_AREA_START 0xe0000 /* read-only BIOS area: our ACPI tables */

unsigned e820_build(uint64_t ram_size, struct boot_e820_entry *table,
		    unsigned max_entries);

#endif
