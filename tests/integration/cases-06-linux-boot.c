/*
 * cases-06-linux-boot.c - chapter 6: Debian's own kernel boots on our
 * VMM, finds its devices and runs the Linux guest's /init.
 *
 * "@LINUX/FILE" are the files guests/linux/ builds into build/linux/:
 * Debian's vmlinuz, an initramfs whose /init (guests/linux/init) prints
 * "kvmbook-init: " lines, and an ext4 disk holding hello.txt. The boot
 * case asserts the kernel's own console lines for each thing the VMM
 * built (command line, e820 map, ACPI tables, COM1, the virtio disk),
 * then /init's findings, then the reboot that ends the VM with status 0.
 */
#include <stddef.h>

#include "cases.h"

#define LINUX_ARGS(cmdline) \
	"--kernel", "@LINUX/vmlinuz", "--initrd", "@LINUX/initramfs.cpio.gz", \
	"--append", cmdline
#define CMDLINE "console=ttyS0 reboot=k panic=-1"
/* A distribution kernel under nested KVM boots in seconds; give it room. */
#define LINUX_TIMEOUT_S 600
/* Why a Linux boot is skipped on an emulation-backed KVM (and runs on
 * nested KVM instead). */
#define EMULATED_KERNEL "an emulation-backed KVM runs a distribution " \
	"kernel's code in its instruction emulator: it takes many minutes to " \
	"boot, and its user space cannot make system calls (book appendix B)"

const struct guest_case cases_06[] = {
	{
		.name = "Linux boots to /init: virtio-blk, virtio-rng, COM1, RTC",
		.chapter = 6, .needs_kvm = true, .emulated_kvm_cannot = EMULATED_KERNEL,
		.args = { LINUX_ARGS(CMDLINE), "--disk", "@DISK", "--rng" },
		.disk_image = "disk.img", .timeout_s = LINUX_TIMEOUT_S,
		/* what /init wrote to /written.txt reached the host file */
		.disk_has = "written by kvmbook-init\n", .disk_at = DISK_ANYWHERE,
		.out_has_all = {
			"Command line: " CMDLINE,
			"BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable",
			"ACPI: RSDP 0x00000000000E0000",
			"ttyS0 at I/O 0x3f8 (irq = ",
			"is a 16550A",
			"rtc_cmos 00:01: registered as rtc0",
			"virtio_blk virtio0: [vda]",
			"Run /init as init process",
			"kvmbook-init: virtio device virtio0 id 0x0002",
			"kvmbook-init: virtio device virtio1 id 0x0004",
			"kvmbook-init: /dev/vda mounted",
			"kvmbook-init: disk says: hello from the virtio disk",
			"kvmbook-init: disk written",
			"kvmbook-init: hwrng source: virtio_rng.0",
			"kvmbook-init: done, rebooting",
			"reboot: Restarting system",
		},
		.status = 0,
	},
	{
		.name = "Linux with a read-only disk and -m 128M",
		.chapter = 6, .needs_kvm = true, .emulated_kvm_cannot = EMULATED_KERNEL,
		.args = { LINUX_ARGS(CMDLINE), "-m", "128M", "--disk", "@DISK,ro" },
		.disk_image = "disk.img", .timeout_s = LINUX_TIMEOUT_S,
		.out_has_all = {
			"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable",
			"kvmbook-init: /dev/vda mounted read-only",
			"kvmbook-init: disk says: hello from the virtio disk",
			"kvmbook-init: disk is read-only: not writing",
			"kvmbook-init: done, rebooting",
		},
		.status = 0,
	},
	{
		/* stdin -> COM1 -> the kernel's tty -> a shell, and back; then
		 * the shell's own `reboot` ends the VM. The
		 * blank lines go first: the 8250 driver clears the UART's FIFO
		 * when the console is opened, and what was in it is lost. The
		 * shell's answer, kvm42book, is not in the echo of the command. */
		.name = "Linux runs a shell on the console, fed from stdin",
		.chapter = 6, .needs_kvm = true, .emulated_kvm_cannot = EMULATED_KERNEL,
		.args = { LINUX_ARGS(CMDLINE " kvmbook.shell") },
		.input = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
			 "echo kvm$((6*7))book\nreboot\n",
		.timeout_s = LINUX_TIMEOUT_S,
		.out_has_all = {
			"kvmbook-init: starting a shell; exit it to reboot",
			"kvm42book",
			/* the shell's reboot asks PID 1, /init, to do it */
			"kvmbook-init: reboot requested",
		},
		.status = 0,
	},
	{
		/* /init exits, so the kernel panics; its pvpanic driver
		 * writes PANICKED to port 0x505 and the VMM ends the VM as a
		 * crash, before panic=-1 can reboot it to a status of 0. */
		.name = "Linux panics: pvpanic ends the VM with status 70",
		.chapter = 6, .needs_kvm = true, .emulated_kvm_cannot = EMULATED_KERNEL,
		.args = { LINUX_ARGS(CMDLINE " kvmbook.panic") },
		.timeout_s = LINUX_TIMEOUT_S,
		.out_has_all = {
			"kvmbook-init: loaded pvpanic-mmio.ko",
			"kvmbook-init: panicking on purpose",
			"Kernel panic - not syncing: Attempted to kill init!",
		},
		.err = { "vmm: the guest kernel panicked" }, .one_line_err = true,
		.status = 70,
	},
	/* Bad input: a one-line message and the status of appendix A, before
	 * KVM is opened. */
	{
		.name = "--kernel /nonexistent", .chapter = 6,
		.args = { "--kernel", "/nonexistent" }, .out = "", .status = 66,
		.err = { "cannot open kernel /nonexistent" }, .one_line_err = true,
	},
	{
		.name = "--kernel an empty file", .chapter = 6,
		.args = { "--kernel", "@EMPTY" }, .out = "", .status = 65,
		.err = { "is empty" }, .one_line_err = true,
	},
	{
		.name = "--kernel a FIFO", .chapter = 6,
		.args = { "--kernel", "@FIFO" }, .out = "", .status = 66,
		.err = { "kernel", "is not a regular file" }, .one_line_err = true,
		.timeout_s = BAD_INPUT_TIMEOUT_S,
	},
	{
		.name = "--kernel not a bzImage", .chapter = 6,
		.args = { "--kernel", "@BIG" }, .out = "", .status = 65,
		.err = { "is not a bzImage" }, .one_line_err = true,
	},
	{
		.name = "--kernel too big for -m 16M", .chapter = 6,
		.args = { "--kernel", "@LINUX/vmlinuz", "-m", "16M" }, .out = "",
		.status = 65, .err = { "MiB of RAM, more than -m gives" },
		.one_line_err = true,
	},
	{
		.name = "--initrd /nonexistent", .chapter = 6,
		.args = { "--kernel", "@LINUX/vmlinuz", "--initrd", "/nonexistent" },
		.out = "", .status = 66, .err = { "cannot open initrd /nonexistent" },
		.one_line_err = true,
	},
	{
		.name = "--initrd a FIFO", .chapter = 6,
		.args = { "--kernel", "@LINUX/vmlinuz", "--initrd", "@FIFO" },
		.out = "", .status = 66, .err = { "initrd", "is not a regular file" },
		.one_line_err = true, .timeout_s = BAD_INPUT_TIMEOUT_S,
	},
	{
		.name = "--initrd without --kernel", .chapter = 6, .guest = "03-hello64",
		.args = { "--initrd", "/nonexistent" }, .out = "", .status = 64,
		.err = { "--initrd and --append need --kernel" }, .one_line_err = true,
	},
	{
		.name = "IMAGE and --kernel", .chapter = 6, .guest = "03-hello64",
		.args = { "--kernel", "@LINUX/vmlinuz" }, .out = "", .status = 64,
		.err = { "give IMAGE or --kernel, not both" }, .one_line_err = true,
	},
	{
		.name = "--mode with --kernel", .chapter = 6,
		.args = { "--kernel", "@LINUX/vmlinuz", "--mode", "long" }, .out = "",
		.status = 64, .err = { "--mode is for an IMAGE" }, .one_line_err = true,
	},
	{
		.name = "--append longer than the kernel takes", .chapter = 6,
		.args = { "--kernel", "@LINUX/vmlinuz", "--append",
			  /* 64 x 40 = 2560 bytes, past 6.1's 2047 */
#define X40 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X320 X40 X40 X40 X40 X40 X40 X40 X40
			  X320 X320 X320 X320 X320 X320 X320 X320 },
		.out = "", .status = 64, .err = { "this kernel takes at most" },
		.one_line_err = true,
	},
	{ .name = NULL },
};
