/*
 * cases-05-virtio.c - chapter 5's guests: virtio-mmio, virtio-blk and
 * virtio-rng.
 *
 * The disk guests run on "@DISK", a fresh 64-sector disk.img per run
 * whose sector 0 begins "kvmbook test disk\n" (integration.c). The four
 * 05-bad-* guests each break one virtqueue rule: the device must mark
 * itself DEVICE_NEEDS_RESET, say so in exactly one stderr line, and
 * leave the VM running (the guest checks the status bits and exits 0).
 * 05-flush is killed with SIGKILL the moment it says "flushed": what it
 * wrote before the FLUSH must then be in the host file.
 */
#include <stddef.h>

#include "cases.h"

#define HEX4 "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
#define HEX32 HEX4 HEX4 HEX4 HEX4 HEX4 HEX4 HEX4 HEX4

/* Sector 1 as 05-blk writes it: the alphabet, over and over. */
#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define SECTOR_SIZE 512

#define NEEDS_RESET(why) "vmm: virtio-blk (device 0): " why "; device needs reset\n"

const struct guest_case cases_05[] = {
	{
		.name = "virtio-blk: read, write, flush, GET_ID, past the end",
		.chapter = 5, .guest = "05-blk", .mode = "long", .needs_kvm = true,
		.args = { "--disk", "@DISK" },
		.out = "virtio device 0: id 2\n"
		       "capacity: 64 sectors\n"
		       "sector 0: kvmbook test disk\n"
		       "sector 1 verified\n"
		       "id: disk.img\n"
		       "past end: ioerr\n",
		.status = 0,
		.disk_has = ALPHABET ALPHABET, .disk_at = SECTOR_SIZE,
	},
	{
		/* Devices take slots in command-line order. */
		.name = "virtio-blk after virtio-rng: device 1",
		.chapter = 5, .guest = "05-blk", .mode = "long", .needs_kvm = true,
		.args = { "--rng", "--disk", "@DISK" },
		.out = "virtio device 0: id 4\n"
		       "virtio device 1: id 2\n"
		       "capacity: 64 sectors\n"
		       "sector 0: kvmbook test disk\n"
		       "sector 1 verified\n"
		       "id: disk.img\n"
		       "past end: ioerr\n",
		.status = 0,
	},
	{
		.name = "virtio-blk read-only: the write fails with IOERR",
		.chapter = 5, .guest = "05-blk", .mode = "long", .needs_kvm = true,
		.args = { "--disk", "@DISK,ro" },
		.out = "virtio device 0: id 2\n"
		       "capacity: 64 sectors\n"
		       "sector 0: kvmbook test disk\n"
		       "read-only disk: write refused\n"
		       "id: disk.img\n"
		       "past end: ioerr\n",
		.status = 0,
	},
	{
		.name = "virtio-rng: 16 random bytes",
		.chapter = 5, .guest = "05-rng", .mode = "long", .needs_kvm = true,
		.args = { "--rng" },
		.out_like = "random: " HEX32 "\n", .status = 0,
	},
	{
		.name = "virtio-rng guest without the device",
		.chapter = 5, .guest = "05-rng", .mode = "long", .needs_kvm = true,
		.out = "no virtio-rng device\n", .status = 1,
	},
	{
		/* SIGKILL as soon as the FLUSH is answered: the sector must be
		 * in the host file (status 137 = 128 + SIGKILL). */
		.name = "virtio-blk FLUSH: data survive a SIGKILL",
		.chapter = 5, .guest = "05-flush", .mode = "long", .needs_kvm = true,
		.args = { "--disk", "@DISK" }, .kill_on_output = "flushed\n",
		.out = "flushed\n", .status = 137,
		.disk_has = "durable: written by 05-flush\n", .disk_at = 2 * SECTOR_SIZE,
	},

	/* A driver that breaks the rules: the device needs a reset, the VM
	 * runs on. */
	{
		.name = "virtio: a descriptor loop", .chapter = 5,
		.guest = "05-bad-loop", .mode = "long", .needs_kvm = true,
		.args = { "--disk", "@DISK" },
		.out = "device needs reset: yes\n", .status = 0,
		.err = { NEEDS_RESET("descriptor chain longer than the queue (a loop?)") },
		.one_line_err = true,
	},
	{
		.name = "virtio: an indirect chain longer than its table", .chapter = 5,
		.guest = "05-bad-long", .mode = "long", .needs_kvm = true,
		.args = { "--disk", "@DISK" },
		.out = "device needs reset: yes\n", .status = 0,
		.err = { NEEDS_RESET("indirect chain longer than its table (a loop?)") },
		.one_line_err = true,
	},
	{
		.name = "virtio: a buffer outside RAM, then reset", .chapter = 5,
		.guest = "05-bad-addr", .mode = "long", .needs_kvm = true,
		.args = { "--disk", "@DISK" },
		.out = "device needs reset: yes\nafter reset: ok\n", .status = 0,
		.err = { NEEDS_RESET("a buffer lies outside guest RAM") },
		.one_line_err = true,
	},
	{
		.name = "virtio: avail idx ahead by more than the queue", .chapter = 5,
		.guest = "05-bad-index", .mode = "long", .needs_kvm = true,
		.args = { "--disk", "@DISK" },
		.out = "device needs reset: yes\n", .status = 0,
		.err = { NEEDS_RESET("available index ran ahead of the queue") },
		.one_line_err = true,
	},

	/* Bad input: a one-line message and the status of appendix A, before
	 * KVM is opened. */
	{
		.name = "--disk /nonexistent", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", "/nonexistent" }, .out = "", .status = 66,
		.err = { "cannot open disk /nonexistent" }, .one_line_err = true,
	},
	{
		.name = "--disk a directory", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", "@DIR" }, .out = "", .status = 66,
		.err = { "cannot open disk" }, .one_line_err = true,
	},
	{
		.name = "--disk /dev/null", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", "/dev/null" }, .out = "", .status = 66,
		.err = { "disk /dev/null is not a regular file" }, .one_line_err = true,
	},
	{
		.name = "--disk a FIFO", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", "@FIFO" }, .out = "", .status = 66,
		.err = { "disk", "is not a regular file" }, .one_line_err = true,
		.timeout_s = BAD_INPUT_TIMEOUT_S,
	},
	{
		/* Read-only: opened for reading, which waits for a writer. */
		.name = "--disk a FIFO,ro", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", "@FIFO,ro" }, .out = "", .status = 66,
		.err = { "disk", "is not a regular file" }, .one_line_err = true,
		.timeout_s = BAD_INPUT_TIMEOUT_S,
	},
	{
		.name = "--disk x,rw", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", "x,rw" }, .out = "", .status = 64,
		.err = { "bad --disk 'x,rw'" }, .one_line_err = true,
	},
	{
		.name = "--disk ''", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", "" }, .out = "", .status = 64,
		.err = { "--disk needs a file name" }, .one_line_err = true,
	},
	{
		.name = "--disk ,ro", .chapter = 5, .guest = "05-blk",
		.args = { "--disk", ",ro" }, .out = "", .status = 64,
		.err = { "--disk needs a file name" }, .one_line_err = true,
	},
	{ .name = NULL },
};
