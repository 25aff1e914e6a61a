/*
 * mptable.h - the MultiProcessor table: the interrupt wiring for a
 * kernel without ACPI.
 */
#ifndef MPTABLE_H
#define MPTABLE_H

#include <stdint.h>

#include "memory.h"

/* In the BIOS ROM area, 0xf0000-0xfffff, where a kernel looks for it. */
#define MPTABLE_ADDR 0xf0000
#define MPTABLE_END  0x100000

int mptable_build(const struct guest_memory *mem);

#endif
