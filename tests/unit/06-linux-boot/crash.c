/*
 * crash.c - tests of the crash report's wrong-mode hint in chapter 6: as
 * in chapter 3 for a flat IMAGE, and never for a Linux kernel, which is
 * not one.
 */
#include <check.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "unit.h"
#include "vm.h"
#include "x86.h"
#include "expect_hint.h"

/* ---- the crash report's wrong-mode hint ---- */

static struct kvm_run hint_run;

/* What print_mode_hint says for a guest started in `mode` that stopped
 * after `exits` exits with this state. */
static char *mode_hint(bool linux_guest, enum cpu_mode mode, uint64_t exits, uint64_t cr0,
		       uint64_t efer, uint64_t rip, uint32_t reason)
{
	struct vm vm = { .vcpu = { .run = &hint_run }, .mode = mode, .linux_guest = linux_guest };
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

START_TEST(test_mode_hint_flat_image)
{
	expect_hint(mode_hint(false, MODE_LONG, 1, X86_CR0_PE | X86_CR0_PG, EFER_LME | EFER_LMA, 0x100005,
			      KVM_EXIT_SHUTDOWN),
		    "hint: started in long mode at 0x100000; a 16-bit image needs "
		    "--mode real");
}
END_TEST

START_TEST(test_mode_hint_not_for_linux)
{
	/* Linux dying in its first instructions is not a --mode problem;
	 * AMD's reset state would otherwise look like one. */
	expect_no_hint(mode_hint(true, MODE_LONG, 1, X86_CR0_PE | X86_CR0_PG, EFER_LME | EFER_LMA, 0x100005,
				 KVM_EXIT_SHUTDOWN));
	expect_no_hint(mode_hint(true, MODE_LONG, 1, 0x60000010, 0, 0xfff0,
				 KVM_EXIT_SHUTDOWN));
}
END_TEST

void add_crash_tests(Suite *s)
{
	TCase *tc = tcase_create("crash");

	tcase_add_test(tc, test_mode_hint_flat_image);
	tcase_add_test(tc, test_mode_hint_not_for_linux);
	suite_add_tcase(s, tc);
}
