/*
 * test-03-long-mode.c - unit tests of chapter 3's new pieces: the
 * identity-mapping page tables, checked by walking them the way the
 * CPU does, for sample addresses including the last byte of RAM and
 * the first byte past it; the 64-bit code segment; --mode long.
 */
#define _GNU_SOURCE
#include <check.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash.h"
#include "gdt.h"
#include "options.h"
#include "paging.h"
#include "vm.h"
#include "x86.h"

#include "suite_main.h"
#include "expect_hint.h"

/* One level of the walk: the entry for `index` in the table at `table_gpa`. */
static uint64_t entry(const struct guest_memory *mem, uint64_t table_gpa,
		      uint64_t index)
{
	const uint64_t *table = guest_ptr(mem, table_gpa, PAGE_SIZE);

	ck_assert_ptr_nonnull(table); /* tables must lie inside RAM */
	return table[index];
}

/*
 * walk - translates `va` as the CPU would with these tables: returns
 * false if it is not mapped, else the physical address and page size.
 */
static bool walk(const struct guest_memory *mem, uint64_t cr3, uint64_t va,
		 uint64_t *pa, uint64_t *page_size)
{
	uint64_t e = entry(mem, cr3, PML4_INDEX(va));

	if (!(e & PTE_PRESENT))
		return false;
	e = entry(mem, e & PTE_ADDR_MASK, PDPT_INDEX(va));
	if (!(e & PTE_PRESENT))
		return false;
	ck_assert(!(e & PTE_HUGE)); /* no 1 GiB pages: they fail on some KVMs */
	e = entry(mem, e & PTE_ADDR_MASK, PD_INDEX(va));
	if (!(e & PTE_PRESENT))
		return false;
	if (e & PTE_HUGE) {
		*page_size = PAGE_SIZE_2M;
		*pa = (e & PTE_ADDR_MASK & ~(PAGE_SIZE_2M - 1)) | (va & (PAGE_SIZE_2M - 1));
		return true;
	}
	e = entry(mem, e & PTE_ADDR_MASK, PT_INDEX(va));
	if (!(e & PTE_PRESENT))
		return false;
	*page_size = PAGE_SIZE;
	*pa = (e & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1));
	return true;
}

static struct guest_memory make_ram(uint64_t size)
{
	struct guest_memory mem = { calloc(1, size), size };

	ck_assert_ptr_nonnull(mem.host);
	return mem;
}

/* Asserts that va maps to itself with pages of `size`. */
static void assert_identity(const struct guest_memory *mem, uint64_t cr3,
			    uint64_t va, uint64_t size)
{
	uint64_t pa = 0, page = 0;

	ck_assert_msg(walk(mem, cr3, va, &pa, &page), "0x%llx unmapped",
		      (unsigned long long)va);
	ck_assert_uint_eq(pa, va);
	ck_assert_uint_eq(page, size);
}

START_TEST(test_identity_map_aligned_ram)
{
	const uint64_t ram = 16 << 20;
	struct guest_memory mem = make_ram(ram);
	uint64_t cr3, pa, page;

	ck_assert_int_eq(build_identity_map(&mem, &cr3), 0);
	ck_assert_uint_eq(cr3, PAGE_TABLES_ADDR);
	assert_identity(&mem, cr3, 0, PAGE_SIZE_2M);
	assert_identity(&mem, cr3, 0x100000, PAGE_SIZE_2M);
	assert_identity(&mem, cr3, ram - 1, PAGE_SIZE_2M);     /* last byte */
	assert_identity(&mem, cr3, ram, PAGE_SIZE_2M);         /* one past */
	assert_identity(&mem, cr3, 0xd0000000, PAGE_SIZE_2M);  /* virtio */
	assert_identity(&mem, cr3, 0xffffffff, PAGE_SIZE_2M);  /* last of 4G */
	ck_assert(!walk(&mem, cr3, 0x100000000ULL, &pa, &page));
	ck_assert(!walk(&mem, cr3, 0x4000000000ULL, &pa, &page));
	free(mem.host);
}
END_TEST

START_TEST(test_identity_map_unaligned_ram)
{
	const uint64_t ram = (16 << 20) + 3 * PAGE_SIZE;
	struct guest_memory mem = make_ram(ram);
	uint64_t cr3;

	ck_assert_int_eq(build_identity_map(&mem, &cr3), 0);
	assert_identity(&mem, cr3, (16 << 20) - 1, PAGE_SIZE_2M);
	/* the 2 MiB page holding the end of RAM is split into 4 KiB pages */
	assert_identity(&mem, cr3, 16 << 20, PAGE_SIZE);
	assert_identity(&mem, cr3, ram - 1, PAGE_SIZE);        /* last byte */
	assert_identity(&mem, cr3, ram, PAGE_SIZE);            /* one past */
	assert_identity(&mem, cr3, (18 << 20) - 1, PAGE_SIZE);
	assert_identity(&mem, cr3, 18 << 20, PAGE_SIZE_2M);
	free(mem.host);
}
END_TEST

START_TEST(test_tables_stay_below_image)
{
	const uint64_t ram = (16 << 20) + PAGE_SIZE;
	struct guest_memory mem = make_ram(ram);
	uint64_t cr3, end = PAGE_TABLES_ADDR + PAGE_TABLES_MAX * PAGE_SIZE;

	ck_assert_int_eq(build_identity_map(&mem, &cr3), 0);
	ck_assert_uint_le(end, 0x100000); /* images load at 1 MiB */
	/* nothing written past the last table page */
	for (uint64_t a = end; a < end + PAGE_SIZE; a++)
		ck_assert_uint_eq(mem.host[a], 0);
	/* the GDT (0x500) is below the tables and untouched */
	ck_assert_uint_le(GDT_ADDR + GDT_ENTRIES * 8, PAGE_TABLES_ADDR);
	free(mem.host);
}
END_TEST

START_TEST(test_no_room_for_tables)
{
	struct guest_memory mem = make_ram(PAGE_TABLES_ADDR + 3 * PAGE_SIZE);
	uint64_t cr3;

	ck_assert_int_eq(build_identity_map(&mem, &cr3), -1);
	free(mem.host);
}
END_TEST

START_TEST(test_code64_segment)
{
	struct guest_memory mem = make_ram(1 << 20);
	struct kvm_sregs sregs;

	memset(&sregs, 0, sizeof(sregs));
	ck_assert_int_eq(gdt_install(&mem, &sregs, GDT_CODE64), 0);
	ck_assert_uint_eq(sregs.cs.selector, GDT_CODE64);
	ck_assert(sregs.cs.l && !sregs.cs.db); /* L=1 requires D/B=0 */
	ck_assert_uint_eq(sregs.ds.selector, GDT_DATA32);
	ck_assert_int_eq(gdt_install(&mem, &sregs, GDT_CODE32), 0);
	ck_assert(!sregs.cs.l && sregs.cs.db);
	free(mem.host);
}
END_TEST

START_TEST(test_mode_long)
{
	struct options o;
	int status;
	enum cpu_mode mode;
	const char *dflt[] = { "vmm", "g", NULL };

	ck_assert_int_eq(parse_mode("long", &mode), 0);
	ck_assert_int_eq(mode, MODE_LONG);
	ck_assert_int_eq(parse_mode("real", &mode), 0);
	ck_assert_int_eq(mode, MODE_REAL);
	optind = 0;
	ck_assert(parse_options(2, (char **)dflt, &o, &status));
	ck_assert_int_eq(o.mode, MODE_LONG);
}
END_TEST

/* ---- the crash report's wrong-mode hint ---- */

static struct kvm_run hint_run;

/* What print_mode_hint says for a guest started in `mode` that stopped
 * after `exits` exits with this state. */
static char *mode_hint(enum cpu_mode mode, uint64_t exits, uint64_t cr0,
		       uint64_t efer, uint64_t rip, uint32_t reason)
{
	struct vm vm = { .vcpu = { .run = &hint_run }, .mode = mode };
	struct kvm_sregs s = { .cr0 = cr0, .efer = efer };
	struct kvm_regs r = { .rip = rip };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	if (rip == 0xfff0)
		s.cs.base = 0xffff0000; /* the power-on state, F000:FFF0 */
	hint_run.exit_reason = reason;
	vm.stats.count[KVM_EXIT_MMIO] = exits;
	print_mode_hint(&vm, &s, &r, out);
	fclose(out);
	return text;
}

START_TEST(test_mode_hint)
{
	/* A 16-bit image in long mode, a 64-bit one in real mode. */
	expect_hint(mode_hint(MODE_LONG, 1, X86_CR0_PE | X86_CR0_PG, EFER_LME | EFER_LMA, 0x100005, KVM_EXIT_SHUTDOWN),
		    "hint: started in long mode at 0x100000; a 16-bit image needs "
		    "--mode real, a 32-bit one --mode protected\n");
	expect_hint(mode_hint(MODE_REAL, 0, 0, 0, 0x7c36, KVM_EXIT_INTR),
		    "hint: started in real mode at 0x7c00; a 32-bit or 64-bit image "
		    "needs --mode protected or --mode long\n");
	expect_hint(mode_hint(MODE_PROTECTED, 6, X86_CR0_PE, 0, 0x100018, KVM_EXIT_SHUTDOWN),
		    "hint: started in protected mode at 0x100000; a 16-bit image "
		    "needs --mode real, a 64-bit one --mode long\n");
	/* AMD reset the vCPU: only the exit count is left to judge by. */
	expect_hint(mode_hint(MODE_LONG, 1, 0x60000010, 0, 0xfff0, KVM_EXIT_SHUTDOWN),
		    "started in long mode");
	/* Too many exits, too far in, or no longer in the mode it started in
	 * (03-bootpath's kind of guest, switching modes itself). */
	expect_no_hint(mode_hint(MODE_LONG, 9, X86_CR0_PE | X86_CR0_PG, EFER_LME | EFER_LMA, 0x100005, KVM_EXIT_SHUTDOWN));
	expect_no_hint(mode_hint(MODE_LONG, 1, X86_CR0_PE | X86_CR0_PG, EFER_LME | EFER_LMA, 0x100040, KVM_EXIT_SHUTDOWN));
	expect_no_hint(mode_hint(MODE_LONG, 1, X86_CR0_PE | X86_CR0_PG, EFER_LME | EFER_LMA, 0xfffff, KVM_EXIT_SHUTDOWN));
	expect_no_hint(mode_hint(MODE_REAL, 1, X86_CR0_PE, 0, 0x7c10, KVM_EXIT_SHUTDOWN));
	expect_no_hint(mode_hint(MODE_PROTECTED, 1, X86_CR0_PE | X86_CR0_PG, EFER_LME | EFER_LMA, 0x100005, KVM_EXIT_SHUTDOWN));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("03-long-mode");
	TCase *tc = tcase_create("paging");

	tcase_add_test(tc, test_identity_map_aligned_ram);
	tcase_add_test(tc, test_identity_map_unaligned_ram);
	tcase_add_test(tc, test_tables_stay_below_image);
	tcase_add_test(tc, test_no_room_for_tables);
	suite_add_tcase(s, tc);
	tc = tcase_create("modes");
	tcase_add_test(tc, test_code64_segment);
	tcase_add_test(tc, test_mode_long);
	tcase_add_test(tc, test_mode_hint);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
