/*
 * cases-hostile.c - guests that attack the machine: the hostile-guest
 * suite.
 *
 * Each guests/hostile-*.asm breaks the rules of one part of the machine
 * (its opening comment says which rules, and what the VMM must do), and
 * its rows here say what must come out: the exit status, the one line
 * on stderr when the VMM has something to say (exactly that line, with
 * one_line_err), or none (no_err), and, on stdout, the guest's own
 * findings, which end with proof that the VM ran on after the attack.
 * The harness's timeout catches a VMM that hangs, its sanitizers one
 * that misbehaves in memory.
 *
 * A guest that breaks a rule in several ways is told on stdin which way
 * to take in this run (guests/include/variant.inc), so that each row has
 * one verdict and at most one line on stderr. Expected behaviour comes
 * from the virtio 1.2 specification and the machine contract (book
 * appendix A); where neither says, from what the VMM documents.
 *
 * Each row's chapter is the first that has what it attacks: the port
 * bus and string I/O from chapter 4, virtio from 5, the Linux boot
 * protocol in 6. The virtio guests run with -m 16M, so that RAM ends at
 * the same place on chapter 6 (whose default is 256M).
 */
#include <stddef.h>

#include "cases.h"

/* ---- queue set-up at the edges (hostile-queue-layout) ---- */

#define RNG_NEEDS_RESET(why) "vmm: virtio-rng (device 0): " why "; device needs reset\n"
#define LAYOUT_ARGS { "--rng", "-m", "16M" }
/* The device took the layout: two requests through it. */
#define LAYOUT_TAKEN "QueueReady: 1\nrequests: ok\n"
/* It refused: broken, then working again after a reset. */
#define LAYOUT_REFUSED "QueueReady: 0\ndevice needs reset: yes\nafter reset: ok\n"
#define NOT_POW2 "queue size is not a power of 2 up to QueueNumMax"
#define OUTSIDE_RAM "a queue area is outside guest RAM"
#define MISALIGNED "a queue area is misaligned"

#define LAYOUT_OK(variant, what) { \
	.name = "hostile: queue layout " variant ": " what, .chapter = 5, \
	.guest = "hostile-queue-layout", .mode = "long", .needs_kvm = true, \
	.args = LAYOUT_ARGS, .input = variant "\n", \
	.out = LAYOUT_TAKEN, .status = 0, .no_err = true }
#define LAYOUT_BAD(variant, what, why) { \
	.name = "hostile: queue layout " variant ": " what, .chapter = 5, \
	.guest = "hostile-queue-layout", .mode = "long", .needs_kvm = true, \
	.args = LAYOUT_ARGS, .input = variant "\n", \
	.out = LAYOUT_REFUSED, .status = 0, .err = { RNG_NEEDS_RESET(why) }, \
	.one_line_err = true }

/* ---- descriptor framing (hostile-framing) ---- */

#define BLK_NEEDS_RESET(why) "vmm: virtio-blk (device 0): " why "; device needs reset\n"
#define BLK_ARGS { "--disk", "@DISK", "-m", "16M" }
#define PLAIN_READ "then a plain read: ok\n"
#define LABEL_READ "status: ok\ndata: kvmbook test disk\n"
#define UNTOUCHED "status: ioerr\ndevice-readable bytes untouched: yes\n"
#define NO_ROOM "block request without room for a header and a status byte"
/* hostile-mmio's verdict on one device status */
#define MMIO_STATE(status) "status " status ": reads as specified, before and " \
	"after ignored writes\n"

/* A request the device completes; out: what the guest found before the
 * plain read that shows the device still works. */
#define FRAMING_OK(variant, what, found) { \
	.name = "hostile: framing " variant ": " what, .chapter = 5, \
	.guest = "hostile-framing", .mode = "long", .needs_kvm = true, \
	.args = BLK_ARGS, .input = variant "\n", \
	.out = found PLAIN_READ, .status = 0, .no_err = true }
/* A chain that breaks the device: NEEDS_RESET, then a reset and a
 * plain read. */
#define FRAMING_BAD(variant, what, why) { \
	.name = "hostile: framing " variant ": " what, .chapter = 5, \
	.guest = "hostile-framing", .mode = "long", .needs_kvm = true, \
	.args = BLK_ARGS, .input = variant "\n", \
	.out = "device needs reset: yes\n" PLAIN_READ, .status = 0, \
	.err = { BLK_NEEDS_RESET(why) }, .one_line_err = true }

/* ---- malformed boot inputs (chapter 6) ---- */

/* What hostile-bzimage-ok's kernel prints when the VMM enters it. */
#define ENTERED(cmdline, initrd) "kernel entered with the zero page at 0x10000; " \
	"command line: " cmdline " bytes; initrd: " initrd " bytes\n"
/* A crafted kernel refused before KVM is opened: status 65 and the one
 * line "vmm: kernel DIR/hostile-bzimage-NAME.bin REASON". */
#define BZIMAGE_BAD(variant, what, reason) { \
	.name = "hostile: --kernel hostile-bzimage-" variant ": " what, \
	.chapter = 6, .args = { "--kernel", "@GUEST/hostile-bzimage-" variant }, \
	.out = "", .status = 65, \
	.err = { "vmm: kernel ", "/hostile-bzimage-" variant ".bin " reason "\n" }, \
	.one_line_err = true }
/* 64 KiB of command line: the most hostile-bzimage-ok's cmdline_size
 * allows, 32 times Linux's 2047 bytes. */
#define C64   "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define C1K   C64 C64 C64 C64 C64 C64 C64 C64 C64 C64 C64 C64 C64 C64 C64 C64
#define C16K  C1K C1K C1K C1K C1K C1K C1K C1K C1K C1K C1K C1K C1K C1K C1K C1K
#define C64K  C16K C16K C16K C16K

const struct guest_case cases_hostile[] = {
	/* ---- the port bus (chapter 4 on) ---- */
	{
		/* 393216 accesses, most of them VM exits */
		.name = "hostile: every port read and written at 1, 2 and 4 bytes",
		.chapter = 4, .guest = "hostile-ports", .mode = "long",
		.needs_kvm = true,
		.out = "port reads: 196608, of which 196487 where no device is: "
		       "each all ones\n"
		       "port writes: 196587\n"
		       "COM1 after the sweep: still prints\n",
		.status = 0, .no_err = true,
	},
	{
		.name = "hostile: rep ins and outs across the end of RAM",
		.chapter = 4, .guest = "hostile-string-io", .mode = "long",
		.needs_kvm = true, .args = { "-m", "16M" },
		.out = "outsb across the end of RAM: RAM END!"
		       "\xff\xff\xff\xff\xff\xff\xff\xff\n"
		       "insb across the end of RAM: 8 bytes landed\n"
		       "insw across the end of RAM, unaligned: 3 bytes landed\n"
		       "outsd across the end of RAM: done\n"
		       "8 KiB insb and outsb, half past the end of RAM: 4096 bytes landed\n"
		       "backwards insb into the end of RAM: 8 bytes landed\n",
		.status = 0, .no_err = true,
	},

	LAYOUT_BAD("num-0", "QueueNum 0", NOT_POW2),
	LAYOUT_OK("num-1", "QueueNum 1 carries requests"),
	LAYOUT_BAD("num-3", "QueueNum 3, not a power of 2", NOT_POW2),
	LAYOUT_OK("num-max", "QueueNum = QueueNumMax"),
	LAYOUT_BAD("num-max+1", "QueueNumMax + 1", NOT_POW2),
	/* 32 bits taken whole: not 8 */
	LAYOUT_BAD("num-0x10008", "QueueNum 0x10008", NOT_POW2),
	LAYOUT_OK("desc-at-end", "descriptor table ends at RAM's end"),
	LAYOUT_OK("avail-at-end", "available ring ends at RAM's end"),
	LAYOUT_OK("used-at-end", "used ring ends at RAM's end"),
	LAYOUT_BAD("desc-past-end", "descriptor table runs past RAM", OUTSIDE_RAM),
	LAYOUT_BAD("avail-past-end", "available ring runs past RAM", OUTSIDE_RAM),
	LAYOUT_BAD("used-past-end", "used ring runs past RAM", OUTSIDE_RAM),
	LAYOUT_BAD("desc-unaligned", "descriptor table 8-aligned", MISALIGNED),
	LAYOUT_BAD("avail-unaligned", "available ring at an odd address", MISALIGNED),
	LAYOUT_BAD("used-unaligned", "used ring 2-aligned", MISALIGNED),
	/* + its length wraps past 2^64 */
	LAYOUT_BAD("desc-2^64-16", "descriptor table at 2^64 - 16", OUTSIDE_RAM),
	LAYOUT_BAD("desc-2^64-1", "descriptor table at 2^64 - 1", MISALIGNED),
	LAYOUT_BAD("avail-2^64-2", "available ring at 2^64 - 2", OUTSIDE_RAM),
	LAYOUT_BAD("used-2^64-4", "used ring at 2^64 - 4", OUTSIDE_RAM),
	LAYOUT_BAD("desc-above-4g", "QueueDescHigh 1", OUTSIDE_RAM),
	/* no rule the device can check: it serves them */
	LAYOUT_OK("avail-is-used", "both rings at one address"),

	/* ---- a queue switched off and on, a reset with a request offered ---- */
	{
		.name = "hostile: QueueReady toggled, reset during I/O, stray notifies",
		.chapter = 5, .guest = "hostile-queue-ready", .mode = "long",
		.needs_kvm = true, .args = LAYOUT_ARGS,
		.out = "request 1: used\n"
		       "QueueReady after writing 0: 0\n"
		       "request 2 while the queue is not ready: not used\n"
		       "request 2 after QueueReady 1: used\n"
		       "request 3 after layout writes while ready: used\n"
		       "queues 1 and 0xffffffff: QueueNumMax 0, QueueReady 0\n"
		       "request 4 notified on queues 1, 0x10000, 0xffffffff: not used\n"
		       "request 4 notified on queue 0: used\n"
		       "reset with request 5 offered: Status 0, QueueReady 0, "
		       "InterruptStatus 0\n"
		       "request 5 after the reset: not used\n"
		       "request 6 before DRIVER_OK: not used\n"
		       "request 6 after DRIVER_OK: used\n",
		.status = 0, .no_err = true,
	},

	/* ---- index wrap-around and work per request ---- */
	{
		.name = "hostile: avail and used idx wrap past 65535",
		.chapter = 5, .guest = "hostile-wrap", .mode = "long",
		.needs_kvm = true, .args = LAYOUT_ARGS,
		.out = "requests: 65580\n"
		       "used idx: 44 after the wrap, every element as offered\n",
		.status = 0, .no_err = true,
	},
	{
		/* 120 GiB asked for in all: a device that fills every byte
		 * runs into the timeout (5.4.7.2: it MAY use less) */
		.name = "hostile: 256 entropy requests of 480 MiB each",
		.chapter = 5, .guest = "hostile-rng-huge", .mode = "long",
		.needs_kvm = true, .args = { "--rng", "-m", "64M" },
		.out = "256 requests of 480 MiB: each answered with 1 byte or more, "
		       "no more than asked\n",
		.status = 0, .no_err = true,
	},

	/* ---- the register page ---- */
	{
		/* SHMBaseLow/High of a region that does not exist must read
		 * all ones (4.2.2: "a base address of 0xffffffffffffffff"),
		 * as SHMLen does */
		.name = "hostile: virtio-mmio registers at every offset and width, "
			"in every status",
		.chapter = 5, .guest = "hostile-mmio", .mode = "long",
		.needs_kvm = true, .args = { "--disk", "@DISK", "--rng", "-m", "16M" },
		.out = MMIO_STATE("00") MMIO_STATE("01") MMIO_STATE("03")
		       MMIO_STATE("0b") MMIO_STATE("0f")
		       "request after the writes: ok\n"
		       "0x200-0xfff: reads 0, writes ignored; across into the next "
		       "page: each page's part; past the devices and the window: "
		       "all ones\n"
		       MMIO_STATE("4f")
		       "after all ones into every register and a reset: request ok\n"
		       MMIO_STATE("83"),
		.status = 0, .err = { BLK_NEEDS_RESET("a buffer lies outside guest RAM") },
		.one_line_err = true,
	},

	/* ---- descriptor framing ---- */
	FRAMING_OK("zero-length", "zero-length buffers around the data", LABEL_READ),
	FRAMING_OK("zero-length-at-end", "zero-length buffers at RAM's end", LABEL_READ),
	FRAMING_OK("header-split", "the header in 3 + 13 bytes", LABEL_READ),
	FRAMING_OK("status-in-data", "data and status in one buffer",
		   LABEL_READ "used len: 513\n"),
	{
		.name = "hostile: framing header-with-data: header and data in one buffer",
		.chapter = 5, .guest = "hostile-framing", .mode = "long",
		.needs_kvm = true, .args = BLK_ARGS, .input = "header-with-data\n",
		.out = "status: ok\n" PLAIN_READ, .status = 0, .no_err = true,
		.disk_has = "header and data in one buffer\n", .disk_at = 512,
	},
	FRAMING_OK("chain-of-8", "a chain as long as the queue", LABEL_READ),
	/* 2.7.5: the device MUST NOT write to a device-readable buffer */
	FRAMING_OK("in-readable-data", "IN into a readable buffer", UNTOUCHED),
	FRAMING_OK("getid-readable", "GET_ID into a readable buffer", UNTOUCHED),
	FRAMING_OK("in-mixed-data", "IN into half-readable data", UNTOUCHED),
	{
		/* the plain read finds sector 0 as it was */
		.name = "hostile: framing out-writable-data: OUT from a writable buffer",
		.chapter = 5, .guest = "hostile-framing", .mode = "long",
		.needs_kvm = true, .args = BLK_ARGS, .input = "out-writable-data\n",
		.out = "status: ioerr\n" PLAIN_READ, .status = 0, .no_err = true,
		.disk_has = "kvmbook test disk\n", .disk_at = 0,
	},
	FRAMING_OK("unknown-type", "type 0x7fffffff", "status: unsupp\n"),
	FRAMING_OK("sector-2^55", "a byte offset that wraps 64 bits", "status: ioerr\n"),
	FRAMING_OK("in-partial-sector", "IN of 100 bytes", "status: ioerr\n"),
	FRAMING_BAD("header-writable", "the header device-writable",
		    "block request header in a device-writable buffer"),
	FRAMING_BAD("status-readable", "the status device-readable",
		    "block request status in a device-readable buffer"),
	FRAMING_BAD("no-status", "a header alone", NO_ROOM),
	FRAMING_BAD("short-header", "8 header bytes and a status", NO_ROOM),
	FRAMING_BAD("next-out-of-range", "next past the table",
		    "descriptor index out of range"),
	FRAMING_BAD("head-out-of-range", "the ring offers descriptor 8 of 8",
		    "descriptor index out of range"),
	FRAMING_BAD("self-loop", "a descriptor chained to itself",
		    "descriptor chain longer than the queue (a loop?)"),
	FRAMING_BAD("buffer-past-end", "a buffer across RAM's end",
		    "a buffer lies outside guest RAM"),
	FRAMING_BAD("buffer-len-4g", "a buffer of 4 GiB - 1",
		    "a buffer lies outside guest RAM"),
	FRAMING_BAD("buffer-at-2^64", "a buffer whose end wraps past 2^64",
		    "a buffer lies outside guest RAM"),

	/* ---- indirect tables (2.7.5.3) ---- */
	FRAMING_OK("indirect", "a whole request in a table", LABEL_READ),
	/* "The device MUST ignore the write-only flag" of the table's descriptor */
	FRAMING_OK("indirect-write-flag", "the table's descriptor device-writable",
		   LABEL_READ),
	/* a table may lie at any address */
	FRAMING_OK("indirect-unaligned-8", "a table 8-aligned", LABEL_READ),
	FRAMING_OK("indirect-unaligned-1", "a table at an odd address", LABEL_READ),
	/* "The device MUST handle the case of zero or more normal chained
	 * descriptors followed by a single descriptor with
	 * flags&VIRTQ_DESC_F_INDIRECT" */
	FRAMING_OK("indirect-after-direct", "a direct header, then a table",
		   LABEL_READ),
	FRAMING_OK("indirect-16-entries", "a table twice the queue's size", LABEL_READ),
	FRAMING_BAD("indirect-with-next", "INDIRECT and NEXT in one descriptor",
		    "indirect descriptor with NEXT"),
	FRAMING_BAD("indirect-nested", "a table inside a table", "nested indirect table"),
	FRAMING_BAD("indirect-no-feature", "a table, the feature not accepted",
		    "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC"),
	FRAMING_BAD("indirect-len-0", "a table of 0 bytes", "bad indirect table length"),
	FRAMING_BAD("indirect-len-24", "a table of 24 bytes", "bad indirect table length"),
	FRAMING_BAD("indirect-next-out-of-range", "next past the table",
		    "indirect descriptor index out of range"),
	FRAMING_BAD("indirect-past-end", "a table across RAM's end",
		    "indirect table outside guest RAM"),
	/* 256 buffers of all 16 MiB of RAM: 2^32 bytes, more than a chain
	 * may hold (2.7.5) */
	FRAMING_BAD("indirect-4g", "a chain of 2^32 bytes", NO_ROOM),

	/* ---- malformed boot inputs (chapter 6) ---- */
	{
		.name = "hostile: --kernel hostile-bzimage-ok: the yardstick boots",
		.chapter = 6, .needs_kvm = true,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok" },
		.out = ENTERED("13", "0"), .status = 0, .no_err = true,
	},
	{
		/* "setup_sects 0 means 4" (boot.rst) */
		.name = "hostile: --kernel hostile-bzimage-setup-sects-0: 4 setup sectors",
		.chapter = 6, .needs_kvm = true,
		.args = { "--kernel", "@GUEST/hostile-bzimage-setup-sects-0" },
		.out = ENTERED("13", "0"), .status = 0, .no_err = true,
	},
	{
		.name = "hostile: a 64 KiB command line, all of it in guest RAM",
		.chapter = 6, .needs_kvm = true,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "--append", C64K },
		.out = ENTERED("65536", "0"), .status = 0, .no_err = true,
	},
	{
		.name = "hostile: a command line one byte past cmdline_size",
		.chapter = 6,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "--append", C64K "c" },
		.out = "", .status = 64,
		.err = { "vmm: the command line is 65537 bytes; this kernel takes at "
			 "most 65536\n" },
		.one_line_err = true,
	},
	{
		.name = "hostile: a 2 MiB initrd beside a crafted kernel",
		.chapter = 6, .needs_kvm = true,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "--initrd", "@BIG" },
		.out = ENTERED("13", "2097152"), .status = 0, .no_err = true,
	},
	{
		/* the kernel needs RAM up to 16 MiB + init_size; 2 MiB more
		 * is not room for it and the initrd */
		.name = "hostile: --initrd too big for the RAM beside the kernel",
		.chapter = 6,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "--initrd", "@BIG",
			  "-m", "18M" },
		.out = "", .status = 65,
		.err = { "vmm: initrd ", "/BIG (2097152 bytes) does not fit in RAM "
			 "beside the kernel\n" },
		.one_line_err = true,
	},
	{
		.name = "hostile: --kernel hostile-bzimage-ok with -m 16M",
		.chapter = 6,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "-m", "16M" },
		.out = "", .status = 65,
		.err = { "vmm: kernel ", "/hostile-bzimage-ok.bin needs 17 MiB of RAM, "
			 "more than -m gives\n" },
		.one_line_err = true,
	},
	BZIMAGE_BAD("magic", "\"HdrT\"", "is not a bzImage (no HdrS header)"),
	BZIMAGE_BAD("bootflag", "boot_flag 0", "is not a bzImage (no HdrS header)"),
	BZIMAGE_BAD("short", "cut off after \"HdrS\"",
		    "has no 64-bit entry point (boot protocol 0.00; 2.12 and x86-64 needed)"),
	BZIMAGE_BAD("old", "boot protocol 2.11",
		    "has no 64-bit entry point (boot protocol 2.11; 2.12 and x86-64 needed)"),
	BZIMAGE_BAD("no64", "no XLF_KERNEL_64",
		    "has no 64-bit entry point (boot protocol 2.15; 2.12 and x86-64 needed)"),
	BZIMAGE_BAD("truncated", "syssize 4 KiB past the file's end", "is truncated"),
	BZIMAGE_BAD("setup-sects", "255 setup sectors in 1.5 KiB", "is truncated"),
	BZIMAGE_BAD("syssize0", "syssize 0",
		    "has no code at its 64-bit entry point (syssize 0)"),
	BZIMAGE_BAD("pref-wrap", "pref_address + init_size wraps past 2^64",
		    "runs at 0xfffffffffff00000, beyond any RAM"),
	BZIMAGE_BAD("init-size", "init_size 4 GiB - 1",
		    "needs 4112 MiB of RAM, more than -m gives"),
	{
		.name = "hostile: --kernel a directory", .chapter = 6,
		.args = { "--kernel", "@DIR" }, .out = "", .status = 66,
		.err = { "vmm: kernel ", "/DIR is not a regular file\n" },
		.one_line_err = true,
	},
	{
		.name = "hostile: --kernel /dev/null", .chapter = 6,
		.args = { "--kernel", "/dev/null" }, .out = "", .status = 66,
		.err = { "vmm: kernel /dev/null is not a regular file\n" },
		.one_line_err = true,
	},
	{
		.name = "hostile: --initrd a directory", .chapter = 6,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "--initrd", "@DIR" },
		.out = "", .status = 66,
		.err = { "vmm: initrd ", "/DIR is not a regular file\n" },
		.one_line_err = true,
	},
	{
		.name = "hostile: --initrd an empty file", .chapter = 6,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "--initrd", "@EMPTY" },
		.out = "", .status = 65,
		.err = { "vmm: initrd ", "/EMPTY is empty\n" }, .one_line_err = true,
	},
	{
		.name = "hostile: --initrd /dev/null", .chapter = 6,
		.args = { "--kernel", "@GUEST/hostile-bzimage-ok", "--initrd", "/dev/null" },
		.out = "", .status = 66,
		.err = { "vmm: initrd /dev/null is not a regular file\n" },
		.one_line_err = true,
	},
	{ .name = NULL },
};
