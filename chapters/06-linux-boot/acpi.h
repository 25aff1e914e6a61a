/*
 * acpi.h - the ACPI tables that tell the guest OS about the machine's
 * interrupt controllers and the devices it cannot probe.
 */
#ifndef ACPI_H
#define ACPI_H

#include <asm/e820.h>
#include <stdint.h>

#include "e820.h"
#include "memory.h"

/*
 * The tables live in the old BIOS area below 1 MiB, which the e820 map
 * reports as reserved; the OS looks for the RSDP in 0xe0000-0xfffff.
 */
#define ACPI_TABLES_ADDR BIOS_AREA_START
#define ACPI_TABLES_END  ISA_END_ADDRESS

struct device_slot;

int acpi_build(const struct guest_memory *mem, const struct device_slot *devs,
	       unsigned count, uint64_t *rsdp_addr);

#endif
