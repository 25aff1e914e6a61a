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

const struct guest_case cases_hostile[] = {
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
	{ .name = NULL },
};
