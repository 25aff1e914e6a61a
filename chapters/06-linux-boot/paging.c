/*
 * paging.c - page tables for a 64-bit guest.
 *
 * Long mode cannot run without paging: every address the CPU uses is
 * virtual and goes through a 4-level tree of tables, each a 4 KiB page
 * of 512 eight-byte entries. 48 bits of a virtual address pick one
 * entry per level and the offset in the page:
 *
 *   47     39 38     30 29     21 20     12 11          0
 *  +---------+---------+---------+---------+-------------+
 *  |  PML4   |  PDPT   |   PD    |   PT    |   offset    |
 *  +---------+---------+---------+---------+-------------+
 *
 * CR3 holds the physical address of the PML4. An entry with PS (bit 7)
 * set in the PD maps a whole 2 MiB page and ends the walk early.
 *
 * We build an identity map (virtual = physical) of the first 4 GiB, so
 * the guest sees RAM where it is and can reach device windows below
 * 4 GiB (chapter 5 puts virtio at 0xd0000000). 2 MiB pages keep the
 * tables small: 4 GiB takes a PML4, a PDPT and four PDs. Where RAM ends
 * inside a 2 MiB page, that page is split into 4 KiB pages, so no large
 * page straddles RAM and device space: hardware may give the two
 * different memory types, and a large page must have just one (SDM Vol.
 * 3A, 11.11.9). 1 GiB pages would be smaller still, but not every CPU
 * (or KVM) supports them.
 *
 * Reference: Intel SDM Vol. 3A, 4.5 (4-level paging) and 11.11.9.
 */
#include "paging.h"

#include <stdio.h>
#include <string.h>

/* The next free page for a table, handed out in order. */
struct table_allocator {
	const struct guest_memory *mem;
	uint64_t next;
};

/* A zeroed 4 KiB table in guest memory; its guest address in *gpa. */
static uint64_t *alloc_table(struct table_allocator *alloc, uint64_t *gpa)
{
	uint64_t *table = guest_ptr(alloc->mem, alloc->next, PAGE_SIZE);

	if (!table)
		return NULL;
	memset(table, 0, PAGE_SIZE);
	*gpa = alloc->next;
	alloc->next += PAGE_SIZE;
	return table;
}

/* Maps the 2 MiB region at `base` with 512 4 KiB pages, via a new PT. */
static int map_with_4k_pages(struct table_allocator *alloc, uint64_t *pd_entry,
			     uint64_t base)
{
	uint64_t pt_gpa;
	uint64_t *pt = alloc_table(alloc, &pt_gpa);

	if (!pt)
		return -1;
	for (uint64_t i = 0; i < ENTRIES_PER_TABLE; i++)
		pt[i] = (base + i * PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;
	*pd_entry = pt_gpa | PTE_PRESENT | PTE_WRITABLE;
	return 0;
}

/*
 * build_identity_map - builds the tables at PAGE_TABLES_ADDR and
 * returns the PML4's address (the value for CR3) in *cr3. 0, or -1 if
 * guest RAM cannot hold them.
 */
int build_identity_map(const struct guest_memory *mem, uint64_t *cr3)
{
	struct table_allocator alloc = { mem, PAGE_TABLES_ADDR };
	uint64_t pml4_gpa, pdpt_gpa, pd_gpa;
	uint64_t *pml4 = alloc_table(&alloc, &pml4_gpa);
	uint64_t *pdpt = alloc_table(&alloc, &pdpt_gpa);
	uint64_t *pd = NULL;

	if (!pml4 || !pdpt)
		goto no_room;
	pml4[PML4_INDEX(0)] = pdpt_gpa | PTE_PRESENT | PTE_WRITABLE;
	for (uint64_t addr = 0; addr < IDENTITY_MAP_END; addr += PAGE_SIZE_2M) {
		if (PD_INDEX(addr) == 0) { /* a new GiB: a new page directory */
			pd = alloc_table(&alloc, &pd_gpa);
			if (!pd)
				goto no_room;
			pdpt[PDPT_INDEX(addr)] = pd_gpa | PTE_PRESENT | PTE_WRITABLE;
		}
		if (addr < mem->size && mem->size < addr + PAGE_SIZE_2M) {
			/* RAM ends inside this 2 MiB page: split it */
			if (map_with_4k_pages(&alloc, &pd[PD_INDEX(addr)], addr) < 0)
				goto no_room;
		} else {
			pd[PD_INDEX(addr)] = addr | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE;
		}
	}
	*cr3 = pml4_gpa;
	return 0;

no_room:
	fprintf(stderr, "vmm: no room for page tables in guest RAM\n");
	return -1;
}
