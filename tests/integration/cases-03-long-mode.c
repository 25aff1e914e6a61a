/*
 * cases-03-long-mode.c - chapter 3's guests and bad inputs.
 *
 * Chapter 3's default mode is long; the runner adds --mode real or
 * --mode protected for earlier chapters' guests (the compatibility
 * matrix) and for 03-bootpath, which starts in real mode.
 */
#include <stddef.h>

#include "cases.h"

const struct guest_case cases_03[] = {
	{
		.name = "hello64", .chapter = 3, .guest = "03-hello64",
		.mode = "long", .needs_kvm = true,
		.out = "Hello from long mode!\nrax=0123456789abcdef\n", .status = 0,
	},
	{
		.name = "hello64 --trace --stats", .chapter = 3,
		.guest = "03-hello64", .mode = "long", .needs_kvm = true,
		.args = { "--trace", "--stats" },
		.out = "Hello from long mode!\nrax=0123456789abcdef\n", .status = 0,
		.err = { "exit IO out port=0x03f8 size=1 count=1 data=48 rip=0x1000",
			 "exit IO out port=0x00f4 size=1 count=1 data=00 rip=0x1000",
			 "exit reason", "total" },
		.trace_matches_stats = true,
		/* 22 + 4 + 16 + 1 console bytes, then the exit port */
		.stats = { { "IO", 44 } },
	},
	{
		.name = "real to long mode by the guest", .chapter = 3,
		.guest = "03-bootpath", .mode = "real", .needs_kvm = true,
		.out = "real mode\nprotected mode\nlong mode: efer.lma=1\n",
		.status = 0,
	},
	{
		.name = "page fault: CR2 and error code", .chapter = 3,
		.guest = "03-pagefault", .mode = "long", .needs_kvm = true,
		.out = "page fault at cr2=0000100000000000 error code=00000002\n"
		       "back from the handler\n",
		.status = 0,
	},
	{
		.name = "CPUID from KVM_SET_CPUID2", .chapter = 3,
		.guest = "03-cpuid", .mode = "long", .needs_kvm = true,
		.out_has = "\nlong mode: yes\nhypervisor: yes\n", .status = 0,
		.err = { NULL },
	},
	{
		.name = "long-mode crash report", .chapter = 3,
		.guest = "03-triplefault64", .mode = "long", .needs_kvm = true,
		.out = "about to triple fault in long mode\n", .status = 70,
		.err = { "vmm: guest crashed: SHUTDOWN", "efer=", "mode: ",
			 "code at" },
		.err_unless_reset = { "rax=00000000000000bd",
				      "mode: long (64-bit)", "LME", "LMA",
				      "cs  sel=0018",
				      "[code 64-bit readable dpl=0]", ": 0f 0b" },
	},
	{
		/* A 16-bit guest run in long mode: a #PF on its third
		 * instruction, and no IDT: a triple fault. */
		.name = "16-bit image in long mode: the hint", .chapter = 3,
		.guest = "01-exitcode", .mode = "long", .needs_kvm = true,
		.out = "", .status = 70,
		.err = { "vmm: guest crashed: SHUTDOWN",
			 "  hint: it stopped in its first instructions",
			 "  hint: started in long mode at 0x100000; a 16-bit image "
			 "needs --mode real, a 32-bit one --mode protected\n" },
	},

	/* Bad input. */
	{
		.name = "--mode with an empty value", .chapter = 3,
		.args = { "--mode=", "@EMPTY" }, .out = "", .status = 64,
		.err = { "unknown mode ''" }, .one_line_err = true,
	},
	{ .name = NULL },
};
