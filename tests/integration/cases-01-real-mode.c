/*
 * cases-01-real-mode.c - chapter 1's guests and bad inputs.
 *
 * Guests of chapter 1 end with HLT (status 0 in chapters 1-3) or through
 * the exit port. From chapter 4 on, HLT waits for an interrupt, as on
 * hardware (appendix A), so a guest that ends with `cli; hlt` stops at
 * chapter 3.
 */
#include <stddef.h>

#include "cases.h"

#define HLT_ENDS_VM 3 /* the last chapter where HLT ends the VM */

const struct guest_case cases_01[] = {
	{
		.name = "hello", .chapter = 1, .last_chapter = HLT_ENDS_VM,
		.guest = "01-hello", .mode = "real", .needs_kvm = true,
		.out = "Hello from real mode!\n", .status = 0,
	},
	{
		.name = "hello --trace --stats", .chapter = 1,
		.last_chapter = HLT_ENDS_VM, .guest = "01-hello",
		.mode = "real", .needs_kvm = true,
		.args = { "--trace", "--stats" },
		.out = "Hello from real mode!\n", .status = 0,
		.err = { "exit IO out port=0x03f8 size=1 count=1 data=48 rip=0x",
			 "exit HLT rip=0x", "exit reason", "total" },
		.trace_matches_stats = true,
		.stats = { { "IO", 22 }, { "HLT", 1 } },
	},
	{
		.name = "exit code", .chapter = 1, .guest = "01-exitcode",
		.mode = "real", .needs_kvm = true,
		.out = "exiting with status 42\n", .status = 42,
	},
	{
		.name = "rep outsb", .chapter = 1, .guest = "01-outsb",
		.mode = "real", .needs_kvm = true,
		.args = { "-t" },
		.out = "rep outsb: sixteen+ bytes in one instruction\n",
		.status = 0, .err = { "exit IO out port=0x03f8 size=1" },
	},
	{
		.name = "mmio to unbacked address", .chapter = 1,
		.guest = "01-mmio", .mode = "real", .needs_kvm = true,
		.args = { "-m", "64K", "--trace" },
		.out = "mmio read: ff\nafter write: ff\n", .status = 0,
		.err = { "exit MMIO read addr=0x20000 size=1 data=ff",
			 "exit MMIO write addr=0x20000 size=1 data=42" },
	},
	{
		.name = "console status and unclaimed port", .chapter = 1,
		.guest = "01-portstatus", .mode = "real", .needs_kvm = true,
		.out = "lsr=60\nport 0x300=ff\npolled ok\n", .status = 0,
	},
	{
		.name = "triple fault crash report", .chapter = 1,
		.guest = "01-triplefault", .mode = "real", .needs_kvm = true,
		.args = { "--stats" },
		.out = "about to triple fault\n", .status = 70,
		.err = { "vmm: guest crashed: SHUTDOWN (triple fault",
			 "rip=", "cr0=", "efer=", "mode: ", "cs  sel=", "code at" },
		.err_unless_reset = { "rax=00000000000000bd", "mode: real",
				      "cs  sel=0000" },
		.stats = { { "SHUTDOWN", 1 } },
		.emulated_kvm_cannot = "an emulation-backed KVM does not check the "
			"real-mode IDT limit: the #UD is delivered through the table at "
			"its base instead of ending in a triple fault (book appendix B)",
	},

	/* Bad input: a one-line message and the status of appendix A. */
	{
		.name = "missing image", .chapter = 1,
		.args = { "/nonexistent/guest.bin" }, .out = "", .status = 66,
		.err = { "cannot open image /nonexistent/guest.bin" },
		.one_line_err = true,
	},
	{
		.name = "empty image", .chapter = 1, .args = { "@EMPTY" },
		.out = "", .status = 65, .err = { "is empty" },
		.one_line_err = true,
	},
	{
		.name = "directory as image", .chapter = 1, .args = { "@DIR" },
		.out = "", .status = 66, .err = { "is not a regular file" },
		.one_line_err = true,
	},
	{
		/* Opening a FIFO for reading waits for a writer; none comes. */
		.name = "FIFO as image", .chapter = 1, .args = { "@FIFO" },
		.out = "", .status = 66, .err = { "image", "is not a regular file" },
		.one_line_err = true, .timeout_s = BAD_INPUT_TIMEOUT_S,
	},
	{
		.name = "image larger than RAM", .chapter = 1,
		.args = { "-m", "1M", "@BIG" }, .out = "", .status = 65,
		.err = { "does not fit" }, .one_line_err = true,
	},
	{
		.name = "-m 0", .chapter = 1, .args = { "-m", "0", "@EMPTY" },
		.out = "", .status = 64, .err = { "out of range" },
		.one_line_err = true,
	},
	{
		.name = "-m 12Q", .chapter = 1, .args = { "-m", "12Q", "@EMPTY" },
		.out = "", .status = 64, .err = { "bad memory size '12Q'" },
		.one_line_err = true,
	},
	{
		.name = "huge -m", .chapter = 1,
		.args = { "--memory", "4096G", "@EMPTY" }, .out = "",
		.status = 64, .err = { "out of range" }, .one_line_err = true,
	},
	{
		.name = "overflowing -m", .chapter = 1,
		.args = { "-m", "99999999999999999999G", "@EMPTY" }, .out = "",
		.status = 64, .err = { "bad memory size" }, .one_line_err = true,
	},
	{
		.name = "-m not a page multiple", .chapter = 1,
		.args = { "-m", "65537", "@EMPTY" }, .out = "",
		.status = 64, .err = { "not a multiple of 4K" },
		.one_line_err = true,
	},
	{
		.name = "unknown option", .chapter = 1,
		.args = { "--frobnicate", "@EMPTY" }, .out = "", .status = 64,
		.err = { "unknown option --frobnicate" }, .one_line_err = true,
	},
	{
		.name = "no image", .chapter = 1, .args = { "-t" }, .out = "",
		.status = 64, .err = { "expected exactly one IMAGE" },
		.one_line_err = true,
	},
	{
		.name = "--help", .chapter = 1, .args = { "--help" },
		.out_has = "usage: vmm [options]", .status = 0,
	},
	{
		/* Options in one column, descriptions in the next; the exit
		 * statuses listed, 71 among them. */
		.name = "--help is aligned", .chapter = 1, .args = { "--help" },
		.status = 0,
		.out_has_all = { "\nOptions:\n",
				 "\n  -m, --memory SIZE     guest RAM",
				 "\n  -t, --trace           one line per VM exit",
				 "\n  -h, --help            show this help and exit\n",
				 "\n      --version         show the chapter and version",
				 "\nExit status:\n",
				 "\n  70    the guest crashed",
				 "\n  71    a host system call failed while setting up the VM\n" },
	},
	{
		.name = "--version", .chapter = 1, .args = { "--version" },
		.out_like = "vmm (kvmbook chapter 0[1-6]-*) 1.0\n", .status = 0,
	},
	{
		.name = "--version wins over a bad IMAGE", .chapter = 1,
		.args = { "--version", "/nonexistent/guest.bin" },
		.out_like = "vmm (kvmbook chapter *) 1.0\n", .status = 0,
	},
	{ .name = NULL },
};
