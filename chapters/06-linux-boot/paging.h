/*
 * paging.h - 4-level page tables that identity-map guest memory.
 */
#ifndef PAGING_H
#define PAGING_H

#include <stdint.h>

#include "memory.h"

/* Page-table entry bits (Intel SDM Vol. 3A, 4.5, tables 4-15 to 4-20). */
#define PTE_PRESENT  (1ULL << 0)
#define PTE_WRITABLE (1ULL << 1)
#define PTE_HUGE     (1ULL << 7) /* in a PD entry: maps a 2 MiB page */
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define PAGE_SIZE_2M  0x200000ULL
#define PAGE_SIZE_1G  0x40000000ULL
#define ENTRIES_PER_TABLE 512

/* Index of `addr` in the table at each level: 9 bits per level. */
#define PML4_INDEX(addr) (((uint64_t)(addr) >> 39) & 0x1ff)
#define PDPT_INDEX(addr) (((uint64_t)(addr) >> 30) & 0x1ff)
#define PD_INDEX(addr)   (((uint64_t)(addr) >> 21) & 0x1ff)
#define PT_INDEX(addr)   (((uint64_t)(addr) >> 12) & 0x1ff)

/* Everything below 4 GiB is mapped: RAM and the 32-bit device window. */
#define IDENTITY_MAP_END 0x100000000ULL

/* Where the VMM builds the tables: low memory that no image uses. */
#define PAGE_TABLES_ADDR 0x1000
/* PML4 + PDPT + one PD per GiB below 4 GiB + one PT for a RAM tail. */
#define PAGE_TABLES_MAX  (2 + IDENTITY_MAP_END / PAGE_SIZE_1G + 1)

int build_identity_map(const struct guest_memory *mem, uint64_t *cr3);

#endif
