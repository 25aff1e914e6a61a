/*
 * cases-02-protected-mode.c - chapter 2's guests and bad inputs.
 *
 * Chapter 2's default mode is protected; its guests also run on every
 * later chapter with --mode protected (added by the runner), and the
 * chapter-1 guests run here with --mode real.
 */
#include <stddef.h>

#include "cases.h"

const struct guest_case cases_02[] = {
	{
		.name = "hello32", .chapter = 2, .guest = "02-hello32",
		.mode = "protected", .needs_kvm = true,
		.out = "Hello from protected mode!\ncr0.pe=1\n", .status = 0,
	},
	{
		.name = "hello32 --trace shows the 32-bit RIP", .chapter = 2,
		.guest = "02-hello32", .mode = "protected", .needs_kvm = true,
		.args = { "--trace" },
		.out = "Hello from protected mode!\ncr0.pe=1\n", .status = 0,
		.err = { "exit IO out port=0x03f8 size=1 count=1 data=48 rip=0x1000" },
	},
	{
		.name = "real to protected by the guest", .chapter = 2,
		.guest = "02-realtoprot", .mode = "real", .needs_kvm = true,
		.out = "real mode: switching\nprotected mode: cr0.pe=1, 32-bit code\n",
		.status = 0,
	},
	{
		.name = "IDT catches #DE and #GP", .chapter = 2,
		.guest = "02-idt32", .mode = "protected", .needs_kvm = true,
		.out = "caught #DE: vector 00\n"
		       "caught #GP: vector 0d, error code 000000f8\n"
		       "both faults handled\n",
		.status = 0,
		.emulated_kvm_cannot = "an emulation-backed KVM cannot run a 32-bit "
			"iret, the handlers' way back (book appendix B)",
	},
	{
		.name = "32-bit paging with 4 KiB pages", .chapter = 2,
		.guest = "02-paging32", .mode = "protected", .needs_kvm = true,
		.out = "cr0.pg=1\nread through 0x40000000: hello from a remapped page\n",
		.status = 0,
		.emulated_kvm_cannot = "an emulation-backed KVM cannot run 32-bit "
			"paging: setting CR0.PG without long mode faults (book appendix B)",
	},
	{
		.name = "protected-mode crash report", .chapter = 2,
		.guest = "02-triplefault32", .mode = "protected",
		.needs_kvm = true,
		.out = "about to triple fault in protected mode\n", .status = 70,
		.err = { "vmm: guest crashed: SHUTDOWN", "cr0=", "mode: ",
			 "cs  sel=" },
		.err_unless_reset = { "rax=00000000000000bd", "[PE",
				      "mode: protected", "cs  sel=0008",
				      "[code 32-bit readable dpl=0]",
				      "ds  sel=0010" },
	},

	/* Bad input. */
	{
		.name = "--mode banana", .chapter = 2,
		.args = { "--mode", "banana", "@EMPTY" }, .out = "",
		.status = 64, .err = { "unknown mode 'banana'" },
		.one_line_err = true,
	},
	{
		.name = "--mode without a value", .chapter = 2,
		.args = { "--mode" }, .out = "", .status = 64,
		.one_line_err = true,
	},
	{
		.name = "image past the end of RAM at 1 MiB", .chapter = 2,
		.guest = "02-hello32", .mode = "protected",
		.args = { "-m", "1M" }, .out = "", .status = 65,
		.err = { "at 0x100000) does not fit" }, .one_line_err = true,
	},
	{
		/* A 16-bit guest run in protected mode: its bytes decode as
		 * 32-bit code that writes to its code segment (#GP, no IDT:
		 * a triple fault) after a few unbacked accesses. */
		.name = "16-bit image in protected mode: the hint", .chapter = 2,
		.guest = "01-portstatus", .mode = "protected", .needs_kvm = true,
		.out = "", .status = 70,
		.err = { "vmm: guest crashed: SHUTDOWN",
			 "  hint: it stopped in its first instructions, as an image "
			 "run in the wrong mode does\n",
			 "  hint: started in protected mode at 0x100000; a 16-bit "
			 "image needs --mode real" },
	},
	{ .name = NULL },
};
