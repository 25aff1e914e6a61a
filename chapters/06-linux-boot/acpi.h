/*
 * acpi.h - the ACPI tables that tell the guest OS about the machine's
 * interrupt controllers and its virtio-mmio devices.
 */
#ifndef ACPI_H
#define ACPI_H

#include <stdint.h>

#include "memory.h"

/*
 * The tables live in the old BIOS area below 1 MiB, which the e820 map
 * reports as reserved; the OS looks for the RSDP in 0xe0000-0xfffff.
 */
#define ACPI_TABLES_ADDR 0xe0000
#define ACPI_TABLES_END  0xf0000   /* the MP table (mptable.c) follows */

/* Most devices acpi_build can name (VR00 ... VRFF). */
#define ACPI_MAX_DEVICES 256

/* A virtio-mmio device: its register window and its interrupt (GSI). */
struct acpi_mmio_device {
	uint64_t base;
	uint32_t size;
	uint32_t irq;
};

int acpi_build(const struct guest_memory *mem, const struct acpi_mmio_device *devs,
	       unsigned count, uint64_t *rsdp_addr);

#endif
