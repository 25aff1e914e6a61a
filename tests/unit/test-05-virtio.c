/*
 * test-05-virtio.c - unit tests of chapter 5's virtio pieces, compiled
 * with the chapter's own sources: split virtqueues laid out in a plain
 * calloc'd "guest RAM" (layout checks, chain walking, every way a
 * driver can break a queue, index wraparound, the used ring), the
 * virtio-mmio transport driven through its register page (identity,
 * feature negotiation, status, queues, interrupts, config space,
 * NEEDS_RESET), virtio-blk against a temporary file, virtio-rng, and
 * the MMIO bus.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "memory.h"
#include "mmiobus.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"
#include "virtio_rng.h"
#include "virtqueue.h"

#include "suite_main.h"

/* ---- guest RAM and a queue laid out in it ---- */

#define RAM_SIZE    (1ULL << 20)
#define DESC_ADDR   0x1000ULL
#define AVAIL_ADDR  0x2000ULL
#define USED_ADDR   0x3000ULL
#define TABLE_ADDR  0x8000ULL   /* an indirect table */
#define BUF_ADDR    0x10000ULL  /* data buffers */
#define HDR_ADDR    0x20000ULL  /* a virtio-blk request header */
#define STATUS_ADDR 0x21000ULL  /* a virtio-blk status byte */
#define QSIZE       8

static uint8_t *ram;
static struct guest_memory mem;

static void ram_setup(void)
{
	ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	mem = (struct guest_memory){ .host = ram, .size = RAM_SIZE };
}

static void ram_teardown(void)
{
	free(ram);
	ram = NULL;
}

static struct vring_desc *desc_at(uint64_t addr)
{
	return (struct vring_desc *)(ram + addr);
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL_ADDR);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(ram + USED_ADDR);
}

static void set_desc(struct vring_desc *table, unsigned i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	table[i] = (struct vring_desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

/* Puts a chain head in the available ring and publishes it. */
static void offer(uint16_t size, uint16_t head)
{
	avail()->ring[avail()->idx % size] = head;
	avail()->idx++;
}

static struct virtq make_vq(uint16_t size)
{
	return (struct virtq){
		.size = size, .ready = true,
		.desc_addr = DESC_ADDR, .avail_addr = AVAIL_ADDR, .used_addr = USED_ADDR,
		.indirect_allowed = true, /* as if VIRTIO_RING_F_INDIRECT_DESC was agreed */
	};
}

/* Pops one chain that must be refused, leaving the queue where it was. */
static void expect_broken(struct virtq *vq)
{
	static struct virtq_chain chain;
	const char *why = NULL;
	uint16_t before = vq->last_avail_idx;

	ck_assert_int_eq(virtq_pop(&mem, vq, &chain, &why), VIRTQ_BROKEN);
	ck_assert_ptr_nonnull(why);
	ck_assert_uint_eq(vq->last_avail_idx, before);
}

/* ---- virtqueue: layout ---- */

START_TEST(test_layout_good)
{
	struct virtq vq = make_vq(QSIZE);

	ck_assert_ptr_null(virtq_check_layout(&mem, &vq));
	vq.size = 1;
	ck_assert_ptr_null(virtq_check_layout(&mem, &vq));
	vq.size = VIRTQ_MAX_SIZE;
	ck_assert_ptr_null(virtq_check_layout(&mem, &vq));
	/* The used ring may end exactly at the end of RAM. */
	vq.size = QSIZE;
	vq.used_addr = RAM_SIZE - (4 + QSIZE * sizeof(struct vring_used_elem));
	ck_assert_ptr_null(virtq_check_layout(&mem, &vq));
}
END_TEST

START_TEST(test_layout_bad_sizes)
{
	static const uint16_t bad[] = { 0, 3, 6, 100, 255, 257, 512, 1024, 32768, 65535 };
	struct virtq vq = make_vq(QSIZE);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vq.size = bad[i];
		ck_assert_msg(virtq_check_layout(&mem, &vq) != NULL, "size %u accepted", bad[i]);
	}
}
END_TEST

START_TEST(test_layout_misaligned)
{
	struct virtq vq = make_vq(QSIZE);

	vq.desc_addr = DESC_ADDR + 8;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	vq = make_vq(QSIZE);
	vq.avail_addr = AVAIL_ADDR + 1;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	vq = make_vq(QSIZE);
	vq.used_addr = USED_ADDR + 2;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	/* the weakest alignments that are allowed */
	vq = make_vq(QSIZE);
	vq.desc_addr = DESC_ADDR + 16;
	vq.avail_addr = AVAIL_ADDR + 2;
	vq.used_addr = USED_ADDR + 4;
	ck_assert_ptr_null(virtq_check_layout(&mem, &vq));
}
END_TEST

START_TEST(test_layout_outside_ram)
{
	struct virtq vq = make_vq(QSIZE);

	vq.desc_addr = RAM_SIZE - QSIZE * 16 + 16;   /* last entry sticks out */
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	vq = make_vq(QSIZE);
	vq.avail_addr = RAM_SIZE - 2;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	vq = make_vq(QSIZE);
	vq.used_addr = RAM_SIZE - (4 + QSIZE * 8) + 4;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	vq = make_vq(QSIZE);
	vq.used_addr = RAM_SIZE;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	/* addr + len wraps around to a small number */
	vq = make_vq(QSIZE);
	vq.desc_addr = UINT64_MAX - 15;              /* 16-aligned */
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	vq = make_vq(QSIZE);
	vq.avail_addr = UINT64_MAX - 1;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
	vq = make_vq(QSIZE);
	vq.used_addr = UINT64_MAX - 3;
	ck_assert_ptr_nonnull(virtq_check_layout(&mem, &vq));
}
END_TEST

/* ---- virtqueue: popping chains ---- */

START_TEST(test_pop_empty)
{
	struct virtq vq = make_vq(QSIZE);
	struct virtq_chain chain;
	const char *why = NULL;

	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_EMPTY);
	ck_assert_uint_eq(vq.last_avail_idx, 0);
	ck_assert_ptr_null(why);
}
END_TEST

START_TEST(test_pop_single)
{
	struct virtq vq = make_vq(QSIZE);
	struct virtq_chain chain;
	const char *why = NULL;

	set_desc(desc_at(DESC_ADDR), 3, BUF_ADDR, 100, 0, 0);
	offer(QSIZE, 3);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.count, 1);
	ck_assert_uint_eq(chain.buf[0].addr, BUF_ADDR);
	ck_assert_uint_eq(chain.buf[0].len, 100);
	ck_assert(!chain.buf[0].writable);
	ck_assert_uint_eq(vq.last_avail_idx, 1);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_EMPTY);
}
END_TEST

START_TEST(test_pop_three_buffers)
{
	struct virtq vq = make_vq(QSIZE);
	struct vring_desc *t = desc_at(DESC_ADDR);
	struct virtq_chain chain;
	const char *why = NULL;

	set_desc(t, 2, BUF_ADDR, 16, VRING_DESC_F_NEXT, 5);
	set_desc(t, 5, BUF_ADDR + 0x100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(t, 1, BUF_ADDR + 0x400, 1, VRING_DESC_F_WRITE, 7); /* next ignored */
	offer(QSIZE, 2);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.head, 2);
	ck_assert_uint_eq(chain.count, 3);
	ck_assert_uint_eq(chain.buf[0].addr, BUF_ADDR);
	ck_assert_uint_eq(chain.buf[0].len, 16);
	ck_assert(!chain.buf[0].writable);
	ck_assert_uint_eq(chain.buf[1].addr, BUF_ADDR + 0x100);
	ck_assert_uint_eq(chain.buf[1].len, 512);
	ck_assert(chain.buf[1].writable);
	ck_assert_uint_eq(chain.buf[2].addr, BUF_ADDR + 0x400);
	ck_assert_uint_eq(chain.buf[2].len, 1);
	ck_assert(chain.buf[2].writable);
}
END_TEST

START_TEST(test_pop_full_length_chain)
{
	/* A chain using every descriptor of the queue is legal. */
	struct virtq vq = make_vq(4);
	struct vring_desc *t = desc_at(DESC_ADDR);
	struct virtq_chain chain;
	const char *why = NULL;

	for (unsigned i = 0; i < 4; i++)
		set_desc(t, i, BUF_ADDR + i * 0x10, 0x10, i < 3 ? VRING_DESC_F_NEXT : 0, i + 1);
	offer(4, 0);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.count, 4);
	ck_assert_uint_eq(chain.buf[3].addr, BUF_ADDR + 0x30);
}
END_TEST

START_TEST(test_pop_indirect)
{
	struct virtq vq = make_vq(QSIZE);
	struct vring_desc *table = desc_at(TABLE_ADDR);
	struct virtq_chain chain;
	const char *why = NULL;

	/* WRITE on the descriptor naming the table is ignored (2.7.5.3.2) */
	set_desc(desc_at(DESC_ADDR), 4, TABLE_ADDR, 3 * sizeof(struct vring_desc),
		 VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	set_desc(table, 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, 2);
	set_desc(table, 2, BUF_ADDR + 0x200, 1024, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(table, 1, BUF_ADDR + 0x800, 1, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 4);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.head, 4);
	ck_assert_uint_eq(chain.count, 3);
	ck_assert_uint_eq(chain.buf[0].addr, BUF_ADDR);
	ck_assert(!chain.buf[0].writable);
	ck_assert_uint_eq(chain.buf[1].addr, BUF_ADDR + 0x200);
	ck_assert_uint_eq(chain.buf[1].len, 1024);
	ck_assert(chain.buf[1].writable);
	ck_assert_uint_eq(chain.buf[2].addr, BUF_ADDR + 0x800);
	ck_assert(chain.buf[2].writable);
	ck_assert_uint_eq(vq.last_avail_idx, 1);
}
END_TEST

START_TEST(test_pop_loop)
{
	struct virtq vq = make_vq(QSIZE);
	struct vring_desc *t = desc_at(DESC_ADDR);

	set_desc(t, 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF_ADDR, 16, VRING_DESC_F_NEXT, 0);
	offer(QSIZE, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_self_loop)
{
	struct virtq vq = make_vq(QSIZE);

	set_desc(desc_at(DESC_ADDR), 6, BUF_ADDR, 16, VRING_DESC_F_NEXT, 6);
	offer(QSIZE, 6);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_longer_than_queue)
{
	/* Every descriptor of a 4-entry queue, and then back to the start. */
	struct virtq vq = make_vq(4);
	struct vring_desc *t = desc_at(DESC_ADDR);

	for (unsigned i = 0; i < 4; i++)
		set_desc(t, i, BUF_ADDR, 16, VRING_DESC_F_NEXT, (i + 1) % 4);
	offer(4, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_next_out_of_range)
{
	struct virtq vq = make_vq(QSIZE);

	set_desc(desc_at(DESC_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, QSIZE);
	offer(QSIZE, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_head_out_of_range)
{
	struct virtq vq = make_vq(QSIZE);

	offer(QSIZE, QSIZE);
	expect_broken(&vq);
	avail()->ring[0] = 0xffff;
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_buffer_outside_ram)
{
	struct virtq vq = make_vq(QSIZE);
	struct vring_desc *t = desc_at(DESC_ADDR);

	set_desc(t, 0, RAM_SIZE - 10, 11, 0, 0);
	offer(QSIZE, 0);
	expect_broken(&vq);
	set_desc(t, 0, RAM_SIZE, 1, 0, 0);
	expect_broken(&vq);
	/* ...and the second buffer of a chain is checked too */
	set_desc(t, 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, 0x4000000000ULL, 16, VRING_DESC_F_WRITE, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_buffer_overflow)
{
	struct virtq vq = make_vq(QSIZE);

	set_desc(desc_at(DESC_ADDR), 0, UINT64_MAX - 4, 16, 0, 0);
	offer(QSIZE, 0);
	expect_broken(&vq);
	set_desc(desc_at(DESC_ADDR), 0, 16, UINT32_MAX, 0, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_avail_idx_ahead)
{
	struct virtq vq = make_vq(QSIZE);
	struct virtq_chain chain;
	const char *why = NULL;

	for (unsigned i = 0; i < QSIZE; i++)
		set_desc(desc_at(DESC_ADDR), i, BUF_ADDR, 16, 0, 0);
	/* exactly a queue's worth is fine */
	avail()->idx = QSIZE;
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	vq.last_avail_idx = 0;
	avail()->idx = QSIZE + 1;
	expect_broken(&vq);
	avail()->idx = 0x8000;
	expect_broken(&vq);
	avail()->idx = 0xffff; /* "behind" is ahead by 65535 */
	expect_broken(&vq);
}
END_TEST

/* An indirect descriptor at entry 0 of the queue, offered. */
static struct virtq indirect_vq(uint32_t table_len, uint16_t flags)
{
	set_desc(desc_at(DESC_ADDR), 0, TABLE_ADDR, table_len, VRING_DESC_F_INDIRECT | flags, 1);
	set_desc(desc_at(DESC_ADDR), 1, BUF_ADDR, 16, 0, 0);
	offer(QSIZE, 0);
	return make_vq(QSIZE);
}

/* Without VIRTIO_RING_F_INDIRECT_DESC, an indirect descriptor is refused. */
START_TEST(test_pop_indirect_not_negotiated)
{
	struct virtq vq = indirect_vq(32, 0);

	vq.indirect_allowed = false;
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_indirect_bad_len)
{
	struct virtq vq = indirect_vq(20, 0);

	set_desc(desc_at(TABLE_ADDR), 0, BUF_ADDR, 16, 0, 0);
	expect_broken(&vq);
	desc_at(DESC_ADDR)->len = 0;
	expect_broken(&vq);
	desc_at(DESC_ADDR)->len = 8;
	expect_broken(&vq);
	desc_at(DESC_ADDR)->len = 16;    /* the fix: one whole entry */
	struct virtq_chain chain;
	const char *why = NULL;
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.count, 1);
}
END_TEST

START_TEST(test_pop_indirect_nested)
{
	struct virtq vq = indirect_vq(32, 0);

	set_desc(desc_at(TABLE_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(desc_at(TABLE_ADDR), 1, TABLE_ADDR + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(desc_at(TABLE_ADDR + 0x100), 0, BUF_ADDR, 16, 0, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_indirect_with_next)
{
	struct virtq vq = indirect_vq(16, VRING_DESC_F_NEXT);

	set_desc(desc_at(TABLE_ADDR), 0, BUF_ADDR, 16, 0, 0);
	expect_broken(&vq);
}
END_TEST

/* "The device MUST handle the case of zero or more normal chained
 * descriptors followed by a single descriptor with
 * flags&VIRTQ_DESC_F_INDIRECT" (2.7.5.3.2): the chain is the direct
 * buffers, then the table's. */
START_TEST(test_pop_indirect_after_direct)
{
	struct virtq vq = make_vq(QSIZE);
	struct virtq_chain chain;
	const char *why = NULL;

	set_desc(desc_at(DESC_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(desc_at(DESC_ADDR), 1, TABLE_ADDR, 2 * sizeof(struct vring_desc),
		 VRING_DESC_F_INDIRECT, 0);
	set_desc(desc_at(TABLE_ADDR), 0, BUF_ADDR + 0x100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(desc_at(TABLE_ADDR), 1, BUF_ADDR + 0x800, 1, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.count, 3);
	ck_assert_uint_eq(chain.buf[0].addr, BUF_ADDR);
	ck_assert(!chain.buf[0].writable);
	ck_assert_uint_eq(chain.buf[1].addr, BUF_ADDR + 0x100);
	ck_assert(chain.buf[1].writable);
	ck_assert_uint_eq(chain.buf[2].addr, BUF_ADDR + 0x800);
}
END_TEST

START_TEST(test_pop_indirect_loop)
{
	struct virtq vq = indirect_vq(32, 0);

	set_desc(desc_at(TABLE_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(desc_at(TABLE_ADDR), 1, BUF_ADDR, 16, VRING_DESC_F_NEXT, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_indirect_next_out_of_range)
{
	struct virtq vq = indirect_vq(32, 0);

	set_desc(desc_at(TABLE_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_NEXT, 2);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_indirect_table_placement)
{
	struct virtq vq = indirect_vq(32, 0);

	desc_at(DESC_ADDR)->addr = RAM_SIZE - 16;       /* half outside */
	expect_broken(&vq);
	desc_at(DESC_ADDR)->addr = UINT64_MAX - 15;     /* wraps */
	expect_broken(&vq);
	desc_at(DESC_ADDR)->addr = RAM_SIZE - 31;       /* odd, and one byte out */
	expect_broken(&vq);
	/* more entries than a chain may have */
	desc_at(DESC_ADDR)->addr = TABLE_ADDR;
	desc_at(DESC_ADDR)->len = (VIRTQ_MAX_BUFFERS + 1) * sizeof(struct vring_desc);
	expect_broken(&vq);
}
END_TEST

/*
 * An indirect table may lie at any address: 2.7's alignments are for
 * the queue's own areas, and 2.7.5.3 asks none of a table. (Written
 * here with memcpy: a struct vring_desc pointer at an odd address is
 * itself undefined behaviour, which UBSan would report in this test.)
 */
START_TEST(test_pop_indirect_any_alignment)
{
	static const uint64_t offsets[] = { 1, 2, 4, 8, 15 };

	for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
		uint64_t at = TABLE_ADDR + offsets[k];
		struct vring_desc entries[2] = {
			{ .addr = BUF_ADDR, .len = 16, .flags = VRING_DESC_F_NEXT, .next = 1 },
			{ .addr = BUF_ADDR + 0x200, .len = 512, .flags = VRING_DESC_F_WRITE },
		};
		struct virtq vq = indirect_vq(sizeof(entries), 0);
		struct virtq_chain chain;
		const char *why = NULL;

		desc_at(DESC_ADDR)->addr = at;
		memcpy(ram + at, entries, sizeof(entries));
		ck_assert_msg(virtq_pop(&mem, &vq, &chain, &why) == VIRTQ_GOT_CHAIN,
			      "table at TABLE_ADDR + %llu: %s", (unsigned long long)offsets[k],
			      why ? why : "");
		ck_assert_uint_eq(chain.count, 2);
		ck_assert_uint_eq(chain.buf[0].addr, BUF_ADDR);
		ck_assert(!chain.buf[0].writable);
		ck_assert_uint_eq(chain.buf[1].addr, BUF_ADDR + 0x200);
		ck_assert_uint_eq(chain.buf[1].len, 512);
		ck_assert(chain.buf[1].writable);
		memset(ram, 0, RAM_SIZE);
	}
}
END_TEST

START_TEST(test_pop_indirect_buffer_outside_ram)
{
	struct virtq vq = indirect_vq(16, 0);

	set_desc(desc_at(TABLE_ADDR), 0, UINT64_MAX - 4, 16, VRING_DESC_F_WRITE, 0);
	expect_broken(&vq);
}
END_TEST

START_TEST(test_pop_avail_wraparound)
{
	struct virtq vq = make_vq(QSIZE);
	struct virtq_chain chain;
	const char *why = NULL;

	set_desc(desc_at(DESC_ADDR), 1, BUF_ADDR, 16, 0, 0);
	set_desc(desc_at(DESC_ADDR), 2, BUF_ADDR + 16, 32, VRING_DESC_F_WRITE, 0);
	vq.last_avail_idx = 65535;
	avail()->idx = 65535;
	offer(QSIZE, 1);                        /* ring[65535 % 8 = 7], idx -> 0 */
	ck_assert_uint_eq(avail()->idx, 0);
	ck_assert_uint_eq(avail()->ring[7], 1);
	offer(QSIZE, 2);                        /* ring[0], idx -> 1 */
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.head, 1);
	ck_assert_uint_eq(vq.last_avail_idx, 0);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_GOT_CHAIN);
	ck_assert_uint_eq(chain.head, 2);
	ck_assert_uint_eq(chain.buf[0].len, 32);
	ck_assert_uint_eq(vq.last_avail_idx, 1);
	ck_assert_int_eq(virtq_pop(&mem, &vq, &chain, &why), VIRTQ_EMPTY);
}
END_TEST

/* ---- virtqueue: the used ring ---- */

START_TEST(test_push)
{
	struct virtq vq = make_vq(4);
	const char *why = NULL;

	ck_assert_int_eq(virtq_push(&mem, &vq, 3, 77, &why), 0);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 3);
	ck_assert_uint_eq(used()->ring[0].len, 77);
	for (uint16_t i = 1; i < 4; i++)
		ck_assert_int_eq(virtq_push(&mem, &vq, i, i * 10, &why), 0);
	ck_assert_uint_eq(used()->idx, 4);
	/* the fifth element goes back to ring[0] */
	ck_assert_int_eq(virtq_push(&mem, &vq, 2, 555, &why), 0);
	ck_assert_uint_eq(used()->idx, 5);
	ck_assert_uint_eq(used()->ring[0].id, 2);
	ck_assert_uint_eq(used()->ring[0].len, 555);
	ck_assert_uint_eq(used()->ring[3].id, 3);
	ck_assert_uint_eq(used()->ring[3].len, 30);
	ck_assert_uint_eq(vq.used_idx, 5);
}
END_TEST

START_TEST(test_push_index_wraps)
{
	struct virtq vq = make_vq(QSIZE);
	const char *why = NULL;

	vq.used_idx = 65535;
	used()->idx = 65535;
	ck_assert_int_eq(virtq_push(&mem, &vq, 5, 1, &why), 0);
	ck_assert_uint_eq(used()->idx, 0);
	ck_assert_uint_eq(used()->ring[7].id, 5);
	ck_assert_int_eq(virtq_push(&mem, &vq, 6, 2, &why), 0);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 6);
}
END_TEST

START_TEST(test_push_used_outside_ram)
{
	struct virtq vq = make_vq(QSIZE);
	const char *why = NULL;

	vq.used_addr = RAM_SIZE - 8;
	ck_assert_int_eq(virtq_push(&mem, &vq, 0, 0, &why), -1);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_wants_interrupt)
{
	struct virtq vq = make_vq(QSIZE);

	ck_assert(virtq_wants_interrupt(&mem, &vq));
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	ck_assert(!virtq_wants_interrupt(&mem, &vq));
	avail()->flags = 0;
	ck_assert(virtq_wants_interrupt(&mem, &vq));
}
END_TEST

/* ---- the virtio-mmio transport ---- */

/* The IRQ line, as the fake interrupt controller saw it. */
struct irq_line {
	int level;
	int changes;
};

static void fake_set_irq(void *ctx, int level)
{
	struct irq_line *line = ctx;

	line->level = level;
	line->changes++;
}

static struct virtio_device dev;
static struct virtio_rng rng;
static struct irq_line irq;

static void rng_setup(void)
{
	ram_setup();
	memset(&irq, 0, sizeof(irq));
	memset(&rng, 0, sizeof(rng));
	virtio_mmio_init(&dev, &virtio_rng_ops, &rng, 0, &mem, fake_set_irq, &irq, 0);
}

static uint32_t reg_read(struct virtio_device *d, uint64_t offset)
{
	uint32_t value;

	virtio_mmio_read(d, offset, (uint8_t *)&value, sizeof(value));
	return value;
}

static void reg_write(struct virtio_device *d, uint64_t offset, uint32_t value)
{
	virtio_mmio_write(d, offset, (const uint8_t *)&value, sizeof(value));
}

static const uint32_t S_ACK = VIRTIO_CONFIG_S_ACKNOWLEDGE;
static const uint32_t S_DRV = VIRTIO_CONFIG_S_DRIVER;
static const uint32_t S_FOK = VIRTIO_CONFIG_S_FEATURES_OK;
static const uint32_t S_DOK = VIRTIO_CONFIG_S_DRIVER_OK;

/* Driver features: word 0 and word 1. Returns the status read back. */
static uint32_t negotiate(struct virtio_device *d, uint32_t low, uint32_t high)
{
	reg_write(d, VIRTIO_MMIO_STATUS, 0);
	reg_write(d, VIRTIO_MMIO_STATUS, S_ACK);
	reg_write(d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, low);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, high);
	reg_write(d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	return reg_read(d, VIRTIO_MMIO_STATUS);
}

static void setup_queue(struct virtio_device *d, uint32_t size)
{
	reg_write(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	reg_write(d, VIRTIO_MMIO_QUEUE_NUM, size);
	reg_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_ADDR);
	reg_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	reg_write(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL_ADDR);
	reg_write(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	reg_write(d, VIRTIO_MMIO_QUEUE_USED_LOW, USED_ADDR);
	reg_write(d, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	reg_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* The whole of 3.1.1: reset to DRIVER_OK with one queue of QSIZE. */
static void bring_up(struct virtio_device *d, uint32_t features_low)
{
	ck_assert_uint_eq(negotiate(d, features_low, 1) & S_FOK, S_FOK);
	setup_queue(d, QSIZE);
	ck_assert_uint_eq(reg_read(d, VIRTIO_MMIO_QUEUE_READY), 1);
	reg_write(d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(reg_read(d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK | S_DOK);
}

/* stderr into a temporary file, to count the messages. */
static FILE *captured;
static int saved_stderr;

static void stderr_capture(void)
{
	fflush(stderr);
	captured = tmpfile();
	ck_assert_ptr_nonnull(captured);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured), STDERR_FILENO);
}

/* Ends the capture; returns the number of lines written. */
static int stderr_lines(void)
{
	int lines = 0, c;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(captured);
	while ((c = fgetc(captured)) != EOF)
		lines += c == '\n';
	fclose(captured);
	return lines;
}

START_TEST(test_mmio_identity)
{
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_VENDOR_ID), 0x4b564d42);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* identity registers are read-only */
	reg_write(&dev, VIRTIO_MMIO_MAGIC_VALUE, 0);
	reg_write(&dev, VIRTIO_MMIO_DEVICE_ID, 9);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
}
END_TEST

START_TEST(test_mmio_device_features)
{
	reg_write(&dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	reg_write(&dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_FEATURES),
			  1u << (VIRTIO_F_VERSION_1 - 32));
	reg_write(&dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	reg_write(&dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}
END_TEST

START_TEST(test_mmio_features_ok_needs_version_1)
{
	/* legacy driver: no VERSION_1 */
	ck_assert_uint_eq(negotiate(&dev, 0, 0), S_ACK | S_DRV);
	/* a feature we did not offer (word 0 bit 5), with VERSION_1 */
	ck_assert_uint_eq(negotiate(&dev, 1u << 5, 1), S_ACK | S_DRV);
	/* a feature in word 1 we did not offer */
	ck_assert_uint_eq(negotiate(&dev, 0, 1 | 1u << 3), S_ACK | S_DRV);
	/* just VERSION_1 */
	ck_assert_uint_eq(negotiate(&dev, 0, 1), S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(dev.driver_features, 1ULL << VIRTIO_F_VERSION_1);
	/* after FEATURES_OK the features are fixed */
	reg_write(&dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(&dev, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	ck_assert_uint_eq(dev.driver_features, 1ULL << VIRTIO_F_VERSION_1);
}
END_TEST

START_TEST(test_mmio_features_ok_retry)
{
	/* Refused once, then the driver tries again with fewer features. */
	ck_assert_uint_eq(negotiate(&dev, 1u << 7, 1), S_ACK | S_DRV);
	reg_write(&dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(&dev, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	reg_write(&dev, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
}
END_TEST

START_TEST(test_mmio_status_bits_accumulate)
{
	/* "0 resets; otherwise bits only accumulate" (write_status). */
	ck_assert_uint_eq(negotiate(&dev, 0, 1), S_ACK | S_DRV | S_FOK);
	reg_write(&dev, VIRTIO_MMIO_STATUS, S_DOK);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK | S_DOK);
}
END_TEST

START_TEST(test_mmio_needs_reset_not_driver_settable)
{
	reg_write(&dev, VIRTIO_MMIO_STATUS, S_ACK | VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), S_ACK);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_mmio_queue_num_max)
{
	reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	ck_assert_uint_eq(VIRTQ_MAX_SIZE, 256);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, 1);     /* rng has one queue */
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 0);
	/* writes to a queue that does not exist go nowhere */
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, 8);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(dev.queues[1].size, 0);
	ck_assert(!dev.queues[1].ready);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, 1000);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, 8);     /* no crash, no effect */
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(test_mmio_queue_registers)
{
	ck_assert_uint_eq(negotiate(&dev, 0, 1) & S_FOK, S_FOK);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, 16);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x12345670);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x9);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0xaaaa0002);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0xb);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_USED_LOW, 0xcccc0004);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_USED_HIGH, 0xd);
	ck_assert_uint_eq(dev.queues[0].size, 16);
	ck_assert_uint_eq(dev.queues[0].desc_addr, 0x912345670ULL);
	ck_assert_uint_eq(dev.queues[0].avail_addr, 0xbaaaa0002ULL);
	ck_assert_uint_eq(dev.queues[0].used_addr, 0xdcccc0004ULL);
	/* the low half can be rewritten without touching the high half */
	reg_write(&dev, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_ADDR);
	ck_assert_uint_eq(dev.queues[0].desc_addr, 0x900000000ULL | DESC_ADDR);
}
END_TEST

START_TEST(test_mmio_queue_locked_when_ready)
{
	bring_up(&dev, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, 4);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 1);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_USED_LOW, 0);
	ck_assert_uint_eq(dev.queues[0].size, QSIZE);
	ck_assert_uint_eq(dev.queues[0].desc_addr, DESC_ADDR);
	ck_assert_uint_eq(dev.queues[0].avail_addr, AVAIL_ADDR);
	ck_assert_uint_eq(dev.queues[0].used_addr, USED_ADDR);
	/* QueueReady = 0 unlocks them again */
	reg_write(&dev, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, 4);
	ck_assert_uint_eq(dev.queues[0].size, 4);
}
END_TEST

START_TEST(test_mmio_bad_layout_needs_reset)
{
	ck_assert_uint_eq(negotiate(&dev, 0, 1) & S_FOK, S_FOK);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, 3);      /* not a power of 2 */
	reg_write(&dev, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_ADDR);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL_ADDR);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_USED_LOW, USED_ADDR);
	stderr_capture();
	reg_write(&dev, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_int_eq(stderr_lines(), 1);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS),
			  S_ACK | S_DRV | S_FOK | VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(VIRTIO_CONFIG_S_NEEDS_RESET, 0x40);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 1);
	/* the driver writing status again does not clear NEEDS_RESET */
	reg_write(&dev, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET,
			  VIRTIO_CONFIG_S_NEEDS_RESET);
	/* only a reset does */
	reg_write(&dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

/*
 * QueueNum is a 32-bit register. A size above QueueNumMax breaks
 * 4.2.2.2 and is refused at QueueReady, whatever its low 16 bits say:
 * 0x10008 is not 8, and 0x10000 is not 0.
 */
START_TEST(test_mmio_queue_num_above_max_needs_reset)
{
	static const uint32_t sizes[] = { 0x10000 | QSIZE, 0x10000, VIRTQ_MAX_SIZE * 2,
					  0xffffffff };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_uint_eq(negotiate(&dev, 0, 1) & S_FOK, S_FOK);
		stderr_capture();
		setup_queue(&dev, sizes[i]);
		ck_assert_int_eq(stderr_lines(), 1);
		ck_assert_msg(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY) == 0,
			      "QueueNum 0x%x taken", sizes[i]);
		ck_assert(reg_read(&dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	}
	/* after a reset, QueueNumMax itself is fine */
	ck_assert_uint_eq(negotiate(&dev, 0, 1) & S_FOK, S_FOK);
	setup_queue(&dev, VIRTQ_MAX_SIZE);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 1);
}
END_TEST

START_TEST(test_mmio_layout_outside_ram_needs_reset)
{
	ck_assert_uint_eq(negotiate(&dev, 0, 1) & S_FOK, S_FOK);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_ADDR);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL_ADDR);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_USED_LOW, 0xfffffffc);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_USED_HIGH, 0xffffffff);
	stderr_capture();
	reg_write(&dev, VIRTIO_MMIO_QUEUE_READY, 1);
	stderr_lines();
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(reg_read(&dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_int_eq(irq.level, 1);
}
END_TEST

START_TEST(test_mmio_rng_request)
{
	static const uint8_t zeros[64];

	bring_up(&dev, 0);
	set_desc(desc_at(DESC_ADDR), 0, BUF_ADDR, 64, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 0);
	ck_assert_uint_eq(used()->ring[0].len, 64);
	ck_assert(memcmp(ram + BUF_ADDR, zeros, 64) != 0);
	ck_assert_uint_eq(rng.bytes, 64);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	ck_assert_int_eq(irq.level, 1);
	/* acknowledging another bit changes nothing */
	reg_write(&dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 1);
	reg_write(&dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_int_eq(irq.changes, 2);
	/* a notify with nothing new: no interrupt */
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(used()->idx, 1);
}
END_TEST

START_TEST(test_mmio_notify_handles_every_chain)
{
	bring_up(&dev, 0);
	for (uint16_t i = 0; i < 3; i++) {
		set_desc(desc_at(DESC_ADDR), i, BUF_ADDR + i * 0x100, 8 + i, VRING_DESC_F_WRITE, 0);
		offer(QSIZE, i);
	}
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 3);
	for (uint16_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(used()->ring[i].id, i);
		ck_assert_uint_eq(used()->ring[i].len, 8 + i);
	}
	ck_assert_int_eq(irq.level, 1);
	ck_assert_int_eq(irq.changes, 1);
}
END_TEST

START_TEST(test_mmio_no_interrupt_flag)
{
	bring_up(&dev, 0);
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	set_desc(desc_at(DESC_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_int_eq(irq.changes, 0);
}
END_TEST

START_TEST(test_mmio_notify_ignored)
{
	set_desc(desc_at(DESC_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	/* ready queue, but no DRIVER_OK yet */
	ck_assert_uint_eq(negotiate(&dev, 0, 1) & S_FOK, S_FOK);
	setup_queue(&dev, QSIZE);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 0);
	/* DRIVER_OK, but a queue that does not exist */
	reg_write(&dev, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	ck_assert_uint_eq(used()->idx, 0);
	ck_assert_int_eq(irq.level, 0);
	/* and queue 0 works */
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 1);
}
END_TEST

START_TEST(test_mmio_reset)
{
	bring_up(&dev, 0);
	set_desc(desc_at(DESC_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(irq.level, 1);
	reg_write(&dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(dev.driver_features, 0);
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		ck_assert(!dev.queues[q].ready);
		ck_assert_uint_eq(dev.queues[q].size, 0);
		ck_assert_uint_eq(dev.queues[q].desc_addr, 0);
		ck_assert_uint_eq(dev.queues[q].last_avail_idx, 0);
		ck_assert_uint_eq(dev.queues[q].used_idx, 0);
	}
	/* the device offers the same again, and comes back up from scratch */
	reg_write(&dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_FEATURES), 1);
	memset(ram, 0, RAM_SIZE);
	bring_up(&dev, 0);
	set_desc(desc_at(DESC_ADDR), 0, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 1);
}
END_TEST

START_TEST(test_mmio_narrow_accesses)
{
	uint8_t data[8];

	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, data, 1);
	ck_assert_uint_eq(data[0], 0);
	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, data, 2);
	ck_assert_uint_eq(data[0], 0);
	ck_assert_uint_eq(data[1], 0);
	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, data, 8);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(data[i], 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_MAGIC_VALUE + 1), 0); /* misaligned */
	ck_assert_uint_eq(reg_read(&dev, 0x0f8), 0);                       /* reserved */
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_QUEUE_NOTIFY), 0);    /* write-only */

	/* narrow and misaligned writes are ignored */
	data[0] = S_ACK;
	virtio_mmio_write(&dev, VIRTIO_MMIO_STATUS, data, 1);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
	uint16_t half = S_ACK;
	virtio_mmio_write(&dev, VIRTIO_MMIO_STATUS, (uint8_t *)&half, 2);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
	uint64_t wide = S_ACK;
	virtio_mmio_write(&dev, VIRTIO_MMIO_STATUS, (uint8_t *)&wide, 8);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
	reg_write(&dev, VIRTIO_MMIO_STATUS + 2, S_ACK);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), 0);
	reg_write(&dev, VIRTIO_MMIO_STATUS, S_ACK);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_STATUS), S_ACK);
}
END_TEST

START_TEST(test_mmio_config_empty)
{
	uint8_t data[4] = { 0xee, 0xee, 0xee, 0xee };

	/* rng has no config space: reads give zeros */
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG, data, 4);
	ck_assert_uint_eq(data[0] | data[1] | data[2] | data[3], 0);
	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, 0xffc, data, 4);
	ck_assert_uint_eq(data[0] | data[1] | data[2] | data[3], 0);
}
END_TEST

START_TEST(test_mmio_malformed_chain)
{
	struct vring_desc *t = desc_at(DESC_ADDR);

	bring_up(&dev, 0);
	set_desc(t, 0, BUF_ADDR, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(t, 1, BUF_ADDR, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	stderr_capture();
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(stderr_lines(), 1);           /* said once */
	ck_assert_uint_eq(used()->idx, 0);
	ck_assert(reg_read(&dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 1);

	/* fixed chain, but the device stays broken until reset */
	set_desc(t, 0, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 0);
	ck_assert_uint_eq(rng.bytes, 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);

	reg_write(&dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(irq.level, 0);
	memset(ram, 0, RAM_SIZE);
	bring_up(&dev, 0);
	set_desc(t, 0, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(rng.bytes, 16);
}
END_TEST

START_TEST(test_mmio_good_then_bad_chain)
{
	/* The chains before the broken one are returned; then it stops. */
	struct vring_desc *t = desc_at(DESC_ADDR);

	bring_up(&dev, 0);
	set_desc(t, 0, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	set_desc(t, 1, RAM_SIZE, 16, VRING_DESC_F_WRITE, 0);
	set_desc(t, 2, BUF_ADDR, 16, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	offer(QSIZE, 1);
	offer(QSIZE, 2);
	stderr_capture();
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	stderr_lines();
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 0);
	ck_assert(reg_read(&dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 1);
}
END_TEST

/* ---- virtio-rng ---- */

START_TEST(test_rng_fills_writable_only)
{
	static const uint8_t zeros[64];
	struct virtq_chain chain = {
		.head = 0, .count = 3,
		.buf = {
			{ BUF_ADDR, 32, false },
			{ BUF_ADDR + 0x100, 64, true },
			{ BUF_ADDR + 0x200, 16, true },
		},
	};
	const char *why = NULL;
	uint32_t written = 12345;

	memset(ram + BUF_ADDR, 0x5a, 32);
	ck_assert_int_eq(virtio_rng_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(written, 80);
	for (int i = 0; i < 32; i++)
		ck_assert_uint_eq(ram[BUF_ADDR + i], 0x5a);
	ck_assert(memcmp(ram + BUF_ADDR + 0x100, zeros, 64) != 0);
	ck_assert_uint_eq(ram[BUF_ADDR + 0x200 + 16], 0);  /* nothing past the end */
	ck_assert_uint_eq(rng.bytes, 80);
	ck_assert_uint_eq(virtio_rng_ops.device_id, VIRTIO_ID_RNG);
	ck_assert_uint_eq(virtio_rng_ops.num_queues, 1);
}
END_TEST

START_TEST(test_rng_readable_only)
{
	struct virtq_chain chain = {
		.count = 1, .buf = { { BUF_ADDR, 32, false } },
	};
	const char *why = NULL;
	uint32_t written = 7;

	ck_assert_int_eq(virtio_rng_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(written, 0);
	ck_assert_uint_eq(ram[BUF_ADDR], 0);
}
END_TEST

/*
 * A request gets at most RNG_MAX_REQUEST bytes (5.4.7.2: the device may
 * fill less than it is offered), in order, so that one notify does
 * bounded work: here a 512 KiB buffer, then the cap reached across
 * buffers, then a chain of a queue's worth of buffers.
 */
START_TEST(test_rng_request_is_bounded)
{
	static const uint8_t zeros[64];
	struct virtq_chain chain = {
		.count = 1, .buf = { { BUF_ADDR, 512 * 1024, true } },
	};
	const char *why = NULL;
	uint32_t written = 0;

	ck_assert_uint_le(BUF_ADDR + 512 * 1024, RAM_SIZE);
	ck_assert_int_eq(virtio_rng_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(written, RNG_MAX_REQUEST);
	ck_assert(memcmp(ram + BUF_ADDR + RNG_MAX_REQUEST - 64, zeros, 64) != 0);
	ck_assert(memcmp(ram + BUF_ADDR + RNG_MAX_REQUEST, zeros, 64) == 0);

	/* a readable buffer, a writable one short of the cap, the rest */
	memset(ram + BUF_ADDR, 0, 512 * 1024);
	chain = (struct virtq_chain){
		.count = 3,
		.buf = {
			{ BUF_ADDR, 32, false },
			{ BUF_ADDR + 0x1000, RNG_MAX_REQUEST - 100, true },
			{ BUF_ADDR + 0x40000, 4096, true },
		},
	};
	ck_assert_int_eq(virtio_rng_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(written, RNG_MAX_REQUEST);
	ck_assert(memcmp(ram + BUF_ADDR + 0x40000 + 100 - 64, zeros, 64) != 0);
	ck_assert(memcmp(ram + BUF_ADDR + 0x40000 + 100, zeros, 64) == 0);

	/* a chain as long as a queue, 1 MiB of buffers in all: still the cap */
	chain.count = VIRTQ_MAX_BUFFERS;
	for (unsigned i = 0; i < chain.count; i++)
		chain.buf[i] = (struct virtq_buffer){ BUF_ADDR, 4096, true };
	ck_assert_int_eq(virtio_rng_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(written, RNG_MAX_REQUEST);
}
END_TEST

/* ---- virtio-blk against a temporary file ---- */

#define DISK_SECTORS 64

static char disk_path[64];
static struct virtio_blk blk;

/* Sector s holds the byte 0x40 + s throughout. */
static uint8_t sector_byte(uint64_t s)
{
	return (uint8_t)(0x40 + s);
}

static void make_disk(size_t extra)
{
	uint8_t sector[SECTOR_SIZE];
	int fd;

	strcpy(disk_path, "/tmp/kvmbook-blk-XXXXXX");
	fd = mkstemp(disk_path);
	ck_assert_int_ge(fd, 0);
	for (uint64_t s = 0; s < DISK_SECTORS; s++) {
		memset(sector, sector_byte(s), sizeof(sector));
		ck_assert_int_eq(write(fd, sector, sizeof(sector)), SECTOR_SIZE);
	}
	memset(sector, 0x99, sizeof(sector));
	ck_assert_int_eq(write(fd, sector, extra), (ssize_t)extra);
	close(fd);
}

static void blk_open(bool readonly)
{
	ck_assert_int_eq(virtio_blk_open(&blk, disk_path, readonly), 0);
	virtio_mmio_init(&dev, &virtio_blk_ops, &blk, virtio_blk_features(&blk), &mem,
			 fake_set_irq, &irq, 0);
	virtio_blk_fill_config(&blk, &dev);
}

static void blk_setup(void)
{
	ram_setup();
	memset(&irq, 0, sizeof(irq));
	make_disk(0);
	blk_open(false);
}

static void blk_teardown(void)
{
	virtio_blk_close(&blk);
	unlink(disk_path);
	ram_teardown();
}

/* One sector of the file, as it is now. */
static void file_sector(uint64_t s, uint8_t *out)
{
	int fd = open(disk_path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, out, SECTOR_SIZE, (off_t)(s * SECTOR_SIZE)), SECTOR_SIZE);
	close(fd);
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t value)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != value)
			return false;
	return true;
}

/* A header in guest RAM: type and sector. */
static void put_header(uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .ioprio = 0, .sector = sector };

	memcpy(ram + HDR_ADDR, &h, sizeof(h));
}

/*
 * One request through handle_chain: header, one data buffer (if
 * data_len), status byte. Returns the status byte; *written as set.
 */
static int blk_request(uint32_t type, uint64_t sector, uint32_t data_len,
		       bool data_writable, uint32_t *written)
{
	struct virtq_chain chain = { .head = 0 };
	const char *why = NULL;

	put_header(type, sector);
	ram[STATUS_ADDR] = 0xff;
	chain.buf[chain.count++] = (struct virtq_buffer){ HDR_ADDR, 16, false };
	if (data_len)
		chain.buf[chain.count++] = (struct virtq_buffer){ BUF_ADDR, data_len, data_writable };
	chain.buf[chain.count++] = (struct virtq_buffer){ STATUS_ADDR, 1, true };
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, written, &why), 0);
	return ram[STATUS_ADDR];
}

START_TEST(test_blk_open_missing)
{
	struct virtio_blk b;

	stderr_capture();
	ck_assert_int_eq(virtio_blk_open(&b, "/nonexistent/disk.img", false), EX_NOINPUT);
	ck_assert_int_eq(virtio_blk_open(&b, "/nonexistent/disk.img", true), EX_NOINPUT);
	ck_assert_int_eq(virtio_blk_open(&b, "/tmp", true), EX_NOINPUT);
	ck_assert_int_eq(stderr_lines(), 3);
	ck_assert_int_eq(b.fd, -1);
}
END_TEST

START_TEST(test_blk_features)
{
	uint64_t f = virtio_blk_features(&blk);
	struct virtio_blk ro = blk;

	ck_assert(f & 1ULL << VIRTIO_BLK_F_FLUSH);
	ck_assert(f & 1ULL << VIRTIO_BLK_F_BLK_SIZE);
	ck_assert(f & 1ULL << VIRTIO_BLK_F_SEG_MAX);
	ck_assert(!(f & 1ULL << VIRTIO_BLK_F_RO));
	ro.readonly = true;
	ck_assert(virtio_blk_features(&ro) & 1ULL << VIRTIO_BLK_F_RO);
	/* as the driver sees them */
	reg_write(&dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)f);
	reg_write(&dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_FEATURES),
			  (uint32_t)(f >> 32) | 1u << (VIRTIO_F_VERSION_1 - 32));
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	/* all of them together are accepted */
	ck_assert_uint_eq(negotiate(&dev, (uint32_t)f, 1) & S_FOK, S_FOK);
}
END_TEST

START_TEST(test_blk_config)
{
	uint64_t capacity = 0;
	uint32_t blk_size = 0, seg_max = 0;
	uint8_t data[8];

	ck_assert_uint_eq(blk.capacity, DISK_SECTORS);
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG, (uint8_t *)&capacity, 8);
	ck_assert_uint_eq(capacity, DISK_SECTORS);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_CONFIG), DISK_SECTORS);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_CONFIG + 4), 0);
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_blk_config, blk_size),
			 (uint8_t *)&blk_size, 4);
	ck_assert_uint_eq(blk_size, SECTOR_SIZE);
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_blk_config, seg_max),
			 (uint8_t *)&seg_max, 4);
	ck_assert_uint_ge(seg_max, 1);
	ck_assert_uint_le(seg_max, VIRTQ_MAX_SIZE - 2);
	/* a byte at a time works too */
	data[0] = 0;
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG, data, 1);
	ck_assert_uint_eq(data[0], DISK_SECTORS);

	/* past the end of config space: zeros, whole or straddling */
	ck_assert_uint_ge(dev.config_size, 8);
	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG + dev.config_size, data, 4);
	ck_assert(all_bytes(data, 4, 0));
	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG + dev.config_size - 2, data, 4);
	ck_assert(all_bytes(data, 4, 0));
	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, 0xff8, data, 8);
	ck_assert(all_bytes(data, 8, 0));
	/* the last whole word is still readable */
	memset(data, 0xee, sizeof(data));
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG + dev.config_size - 4, data, 4);
	ck_assert(!all_bytes(data, 4, 0xee));

	/* config space is read-only */
	reg_write(&dev, VIRTIO_MMIO_CONFIG, 12345);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_CONFIG), DISK_SECTORS);
}
END_TEST

/*
 * size_max and seg_max bound a request (5.2.3): BLK_MAX_REQUEST bytes,
 * so that one exit moves at most that much. A request that carries
 * more completes with IOERR and moves nothing, in either direction,
 * even on a disk big enough for it. (Guest RAM is 1 MiB here, so the
 * data buffers overlap; reads into one place are still reads.)
 */
START_TEST(test_blk_request_is_bounded)
{
	/* above the header and the status byte, below the end of RAM */
	const uint64_t data_at = STATUS_ADDR + 0x1000;
	const uint32_t half = (uint32_t)(BLK_MAX_REQUEST / 2);
	struct virtq_chain chain = {
		.count = 4,
		.buf = {
			{ HDR_ADDR, 16, false },
			{ data_at, half, true },
			{ data_at, half, true },
			{ STATUS_ADDR, 1, true },
		},
	};
	const char *why = NULL;
	uint32_t written = 0, size_max = 0;
	uint8_t sector[SECTOR_SIZE];

	ck_assert(virtio_blk_features(&blk) & 1ULL << VIRTIO_BLK_F_SIZE_MAX);
	virtio_mmio_read(&dev, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_blk_config, size_max),
			 (uint8_t *)&size_max, 4);
	ck_assert_uint_eq(size_max, BLK_SIZE_MAX);
	ck_assert_uint_eq(BLK_MAX_REQUEST, (uint64_t)BLK_SEG_MAX * BLK_SIZE_MAX);
	ck_assert_uint_eq(BLK_MAX_REQUEST % (2 * SECTOR_SIZE), 0);
	ck_assert_uint_le(data_at + half, RAM_SIZE);
	/* a disk of 4 MiB: the sizes below fit on it */
	virtio_blk_close(&blk);
	ck_assert_int_eq(truncate(disk_path, 4 << 20), 0);
	blk_open(false);

	/* exactly the bound: done */
	put_header(VIRTIO_BLK_T_IN, 0);
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(ram[STATUS_ADDR], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, BLK_MAX_REQUEST + 1);

	/* a sector more: IOERR, and nothing read */
	chain.count = 5;
	chain.buf[3] = (struct virtq_buffer){ data_at, SECTOR_SIZE, true };
	chain.buf[4] = (struct virtq_buffer){ STATUS_ADDR, 1, true };
	memset(ram + data_at, 0xee, half);
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(ram[STATUS_ADDR], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(written, 1);
	ck_assert(all_bytes(ram + data_at, half, 0xee));

	/* and nothing written */
	for (unsigned i = 1; i <= 3; i++)
		chain.buf[i].writable = false;
	put_header(VIRTIO_BLK_T_OUT, 0);
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(ram[STATUS_ADDR], VIRTIO_BLK_S_IOERR);
	file_sector(0, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, sector_byte(0)));
}
END_TEST

START_TEST(test_blk_partial_tail)
{
	/* a trailing partial sector is not part of the disk */
	virtio_blk_close(&blk);
	unlink(disk_path);
	make_disk(100);
	blk_open(false);
	ck_assert_uint_eq(blk.capacity, DISK_SECTORS);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_CONFIG), DISK_SECTORS);
}
END_TEST

START_TEST(test_blk_read)
{
	uint32_t written = 0;

	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, 5, SECTOR_SIZE, true, &written),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, SECTOR_SIZE + 1);
	ck_assert(all_bytes(ram + BUF_ADDR, SECTOR_SIZE, sector_byte(5)));
	ck_assert_uint_eq(ram[BUF_ADDR + SECTOR_SIZE], 0);
	/* the last two sectors */
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, DISK_SECTORS - 2, 2 * SECTOR_SIZE, true,
				     &written), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, 2 * SECTOR_SIZE + 1);
	ck_assert(all_bytes(ram + BUF_ADDR, SECTOR_SIZE, sector_byte(DISK_SECTORS - 2)));
	ck_assert(all_bytes(ram + BUF_ADDR + SECTOR_SIZE, SECTOR_SIZE,
			    sector_byte(DISK_SECTORS - 1)));
}
END_TEST

START_TEST(test_blk_read_scattered)
{
	/* one request, three data buffers of 1024, 512 and 512 bytes */
	struct virtq_chain chain = {
		.count = 5,
		.buf = {
			{ HDR_ADDR, 16, false },
			{ BUF_ADDR, 1024, true },
			{ BUF_ADDR + 0x1000, 512, true },
			{ BUF_ADDR + 0x2000, 512, true },
			{ STATUS_ADDR, 1, true },
		},
	};
	const char *why = NULL;
	uint32_t written = 0;

	put_header(VIRTIO_BLK_T_IN, 10);
	ram[STATUS_ADDR] = 0xff;
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(ram[STATUS_ADDR], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, 4 * SECTOR_SIZE + 1);
	ck_assert(all_bytes(ram + BUF_ADDR, 512, sector_byte(10)));
	ck_assert(all_bytes(ram + BUF_ADDR + 512, 512, sector_byte(11)));
	ck_assert(all_bytes(ram + BUF_ADDR + 0x1000, 512, sector_byte(12)));
	ck_assert(all_bytes(ram + BUF_ADDR + 0x2000, 512, sector_byte(13)));
}
END_TEST

START_TEST(test_blk_write)
{
	uint8_t sector[SECTOR_SIZE];
	uint32_t written = 0;

	memset(ram + BUF_ADDR, 0xab, SECTOR_SIZE);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_OUT, 7, SECTOR_SIZE, false, &written),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, 1);          /* only the status byte */
	file_sector(7, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, 0xab));
	file_sector(6, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, sector_byte(6)));
	file_sector(8, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, sector_byte(8)));
	/* and reads back through the device */
	memset(ram + BUF_ADDR, 0, SECTOR_SIZE);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, 7, SECTOR_SIZE, true, &written),
			 VIRTIO_BLK_S_OK);
	ck_assert(all_bytes(ram + BUF_ADDR, SECTOR_SIZE, 0xab));
}
END_TEST

START_TEST(test_blk_flush)
{
	uint32_t written = 0;

	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_FLUSH, 0, 0, false, &written), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, 1);
}
END_TEST

START_TEST(test_blk_get_id)
{
	char expect[VIRTIO_BLK_ID_BYTES] = { 0 };
	char copy[sizeof(disk_path)];
	uint32_t written = 0;

	strcpy(copy, disk_path);
	strncpy(expect, basename(copy), sizeof(expect));
	memset(ram + BUF_ADDR, 0xee, 64);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true, &written),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, VIRTIO_BLK_ID_BYTES + 1);
	ck_assert_mem_eq(ram + BUF_ADDR, expect, VIRTIO_BLK_ID_BYTES);
	ck_assert(strncmp((char *)ram + BUF_ADDR, "kvmbook-blk-", 12) == 0);
	ck_assert_uint_eq(ram[BUF_ADDR + VIRTIO_BLK_ID_BYTES], 0xee);
	/* a shorter buffer gets what fits */
	memset(ram + BUF_ADDR, 0xee, 64);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_GET_ID, 0, 4, true, &written), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(written, 5);
	ck_assert_mem_eq(ram + BUF_ADDR, "kvmb", 4);
	ck_assert_uint_eq(ram[BUF_ADDR + 4], 0xee);
	/* a readable buffer cannot take the answer */
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_GET_ID, 0, 20, false, &written),
			 VIRTIO_BLK_S_IOERR);
}
END_TEST

START_TEST(test_blk_past_end)
{
	uint8_t sector[SECTOR_SIZE];
	uint32_t written = 0;

	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, DISK_SECTORS, SECTOR_SIZE, true, &written),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(written, 1);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 2 * SECTOR_SIZE, true,
				     &written), VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, UINT64_MAX, SECTOR_SIZE, true, &written),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, UINT64_MAX / SECTOR_SIZE + 1, SECTOR_SIZE,
				     true, &written), VIRTIO_BLK_S_IOERR);
	memset(ram + BUF_ADDR, 0x11, 2 * SECTOR_SIZE);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, 2 * SECTOR_SIZE, false,
				     &written), VIRTIO_BLK_S_IOERR);
	file_sector(DISK_SECTORS - 1, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, sector_byte(DISK_SECTORS - 1)));
	/* the last sector itself is fine */
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, SECTOR_SIZE, true,
				     &written), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_blk_readonly)
{
	uint8_t sector[SECTOR_SIZE];
	uint32_t written = 0;

	virtio_blk_close(&blk);
	blk_open(true);
	ck_assert(virtio_blk_features(&blk) & 1ULL << VIRTIO_BLK_F_RO);
	memset(ram + BUF_ADDR, 0xcd, SECTOR_SIZE);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_OUT, 3, SECTOR_SIZE, false, &written),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(written, 1);
	file_sector(3, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, sector_byte(3)));
	/* reads and flushes still work */
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, 3, SECTOR_SIZE, true, &written),
			 VIRTIO_BLK_S_OK);
	ck_assert(all_bytes(ram + BUF_ADDR, SECTOR_SIZE, sector_byte(3)));
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_FLUSH, 0, 0, false, &written), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_blk_unsupported)
{
	uint32_t written = 0;

	ck_assert_int_eq(blk_request(99, 0, 0, false, &written), VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(written, 1);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_DISCARD, 0, 16, false, &written),
			 VIRTIO_BLK_S_UNSUPP);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, &written),
			 VIRTIO_BLK_S_UNSUPP);
}
END_TEST

START_TEST(test_blk_bad_lengths)
{
	uint8_t sector[SECTOR_SIZE];
	uint32_t written = 0;

	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, 0, 100, true, &written), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(written, 1);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, 0, SECTOR_SIZE + 1, true, &written),
			 VIRTIO_BLK_S_IOERR);
	memset(ram + BUF_ADDR, 0x22, 1024);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_OUT, 0, SECTOR_SIZE - 1, false, &written),
			 VIRTIO_BLK_S_IOERR);
	file_sector(0, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, sector_byte(0)));
}
END_TEST

START_TEST(test_blk_wrong_direction)
{
	uint8_t sector[SECTOR_SIZE];
	uint32_t written = 0;

	/* IN into a device-readable buffer, OUT from a device-writable one */
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_IN, 0, SECTOR_SIZE, false, &written),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(ram[BUF_ADDR], 0);
	memset(ram + BUF_ADDR, 0x33, SECTOR_SIZE);
	ck_assert_int_eq(blk_request(VIRTIO_BLK_T_OUT, 0, SECTOR_SIZE, true, &written),
			 VIRTIO_BLK_S_IOERR);
	file_sector(0, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, sector_byte(0)));
}
END_TEST

/* A hand-built chain that is not a block request at all. */
static void expect_not_a_request(const struct virtq_chain *chain)
{
	const char *why = NULL;
	uint32_t written = 0;

	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, chain, &written, &why), -1);
	ck_assert_ptr_nonnull(why);
}

START_TEST(test_blk_malformed_chains)
{
	struct virtq_chain chain = { 0 };

	put_header(VIRTIO_BLK_T_IN, 0);
	/* status buffer not writable */
	chain.count = 3;
	chain.buf[0] = (struct virtq_buffer){ HDR_ADDR, 16, false };
	chain.buf[1] = (struct virtq_buffer){ BUF_ADDR, 512, true };
	chain.buf[2] = (struct virtq_buffer){ STATUS_ADDR, 1, false };
	expect_not_a_request(&chain);
	/* header writable */
	chain.buf[0].writable = true;
	chain.buf[2] = (struct virtq_buffer){ STATUS_ADDR, 1, true };
	expect_not_a_request(&chain);
	/* header too short */
	chain.buf[0] = (struct virtq_buffer){ HDR_ADDR, 8, false };
	expect_not_a_request(&chain);
	/* a lone buffer */
	chain.count = 1;
	chain.buf[0] = (struct virtq_buffer){ HDR_ADDR, 16, false };
	expect_not_a_request(&chain);
	chain.buf[0] = (struct virtq_buffer){ STATUS_ADDR, 17, true };
	expect_not_a_request(&chain);
}
END_TEST

/* Any split of a request over buffers is legal (2.6.4): header and data
 * may share a buffer, and so may data and status. */
START_TEST(test_blk_any_layout)
{
	struct virtq_chain chain = { 0 };
	const char *why = NULL;
	uint32_t written = 0;
	uint8_t sector[SECTOR_SIZE];

	/* OUT: header and data in one readable buffer, then the status */
	put_header(VIRTIO_BLK_T_OUT, 5);
	memset(ram + HDR_ADDR + 16, 0x5a, SECTOR_SIZE);
	ram[STATUS_ADDR] = 0xff;
	chain.count = 2;
	chain.buf[0] = (struct virtq_buffer){ HDR_ADDR, 16 + SECTOR_SIZE, false };
	chain.buf[1] = (struct virtq_buffer){ STATUS_ADDR, 1, true };
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(ram[STATUS_ADDR], VIRTIO_BLK_S_OK);
	file_sector(5, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, 0x5a));

	/* IN: the header, then one writable buffer for data and status */
	put_header(VIRTIO_BLK_T_IN, 5);
	memset(ram + BUF_ADDR, 0, SECTOR_SIZE + 1);
	chain.buf[0] = (struct virtq_buffer){ HDR_ADDR, 16, false };
	chain.buf[1] = (struct virtq_buffer){ BUF_ADDR, SECTOR_SIZE + 1, true };
	written = 0;
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(written, SECTOR_SIZE + 1);
	ck_assert(all_bytes(ram + BUF_ADDR, SECTOR_SIZE, 0x5a));
	ck_assert_uint_eq(ram[BUF_ADDR + SECTOR_SIZE], VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_blk_status_is_last_byte)
{
	/* The status is the last byte of the last buffer (5.2.6). */
	struct virtq_chain chain = {
		.count = 2,
		.buf = {
			{ HDR_ADDR, 16, false },
			{ STATUS_ADDR, 4, true },
		},
	};
	const char *why = NULL;
	uint32_t written = 0;

	put_header(VIRTIO_BLK_T_FLUSH, 0);
	memset(ram + STATUS_ADDR, 0xff, 4);
	ck_assert_int_eq(virtio_blk_ops.handle_chain(&dev, 0, &chain, &written, &why), 0);
	ck_assert_uint_eq(ram[STATUS_ADDR + 3], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ram[STATUS_ADDR], 0xff);
}
END_TEST

START_TEST(test_blk_through_transport)
{
	struct vring_desc *t = desc_at(DESC_ADDR);
	struct vring_desc *table = desc_at(TABLE_ADDR);
	uint8_t sector[SECTOR_SIZE];

	bring_up(&dev, 1u << VIRTIO_BLK_F_FLUSH | 1u << VIRTIO_RING_F_INDIRECT_DESC);
	/* a direct chain: read sector 9 */
	put_header(VIRTIO_BLK_T_IN, 9);
	ram[STATUS_ADDR] = 0xff;
	set_desc(t, 0, HDR_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF_ADDR, SECTOR_SIZE, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(t, 2, STATUS_ADDR, 1, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 0);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 0);
	ck_assert_uint_eq(used()->ring[0].len, SECTOR_SIZE + 1);
	ck_assert_uint_eq(ram[STATUS_ADDR], VIRTIO_BLK_S_OK);
	ck_assert(all_bytes(ram + BUF_ADDR, SECTOR_SIZE, sector_byte(9)));
	ck_assert_int_eq(irq.level, 1);
	reg_write(&dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_int_eq(irq.level, 0);

	/* an indirect chain: write sector 20 */
	memset(ram + HDR_ADDR + 0x100, 0, 16);
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_OUT, .sector = 20 };
	memcpy(ram + HDR_ADDR + 0x100, &h, sizeof(h));
	memset(ram + BUF_ADDR + 0x1000, 0x77, SECTOR_SIZE);
	ram[STATUS_ADDR + 1] = 0xff;
	set_desc(t, 3, TABLE_ADDR, 3 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	set_desc(table, 0, HDR_ADDR + 0x100, 16, VRING_DESC_F_NEXT, 1);
	set_desc(table, 1, BUF_ADDR + 0x1000, SECTOR_SIZE, VRING_DESC_F_NEXT, 2);
	set_desc(table, 2, STATUS_ADDR + 1, 1, VRING_DESC_F_WRITE, 0);
	offer(QSIZE, 3);
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used()->idx, 2);
	ck_assert_uint_eq(used()->ring[1].id, 3);
	ck_assert_uint_eq(used()->ring[1].len, 1);
	ck_assert_uint_eq(ram[STATUS_ADDR + 1], VIRTIO_BLK_S_OK);
	file_sector(20, sector);
	ck_assert(all_bytes(sector, SECTOR_SIZE, 0x77));
	ck_assert_int_eq(irq.level, 1);
}
END_TEST

START_TEST(test_blk_no_status_breaks_device)
{
	struct vring_desc *t = desc_at(DESC_ADDR);

	bring_up(&dev, 0);
	put_header(VIRTIO_BLK_T_IN, 0);
	set_desc(t, 0, HDR_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF_ADDR, SECTOR_SIZE, 0, 0);   /* nothing writable */
	offer(QSIZE, 0);
	stderr_capture();
	reg_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(stderr_lines(), 1);
	ck_assert_uint_eq(used()->idx, 0);
	ck_assert(reg_read(&dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(reg_read(&dev, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 1);
}
END_TEST

/* ---- the MMIO bus ---- */

/* A device that records its last access and answers reads with 0x5a. */
struct fake_mmio {
	uint64_t offset;
	uint32_t len;
	int reads, writes;
	uint8_t last_write;
};

static void fake_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct fake_mmio *f = opaque;

	f->offset = offset;
	f->len = len;
	f->reads++;
	memset(data, 0x5a, len);
}

static void fake_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct fake_mmio *f = opaque;

	f->offset = offset;
	f->len = len;
	f->writes++;
	f->last_write = data[0];
}

static struct mmio_device fake_dev(const char *name, uint64_t base, uint64_t len,
				   struct fake_mmio *f)
{
	return (struct mmio_device){
		.name = name, .base = base, .len = len,
		.read = fake_read, .write = fake_write, .opaque = f,
	};
}

START_TEST(test_mmiobus_register)
{
	static struct mmiobus bus;
	struct fake_mmio f = { 0 };
	struct mmio_device d;

	memset(&bus, 0, sizeof(bus));
	d = fake_dev("a", 0x1000, 0x1000, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), 0);
	d = fake_dev("b", 0x3000, 0x1000, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), 0);
	stderr_capture();
	d = fake_dev("overlap-middle", 0x1800, 0x100, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), -1);
	d = fake_dev("overlap-start", 0x0, 0x1001, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), -1);
	d = fake_dev("overlap-end", 0x1fff, 0x1, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), -1);
	d = fake_dev("cover-both", 0x0, 0x10000, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), -1);
	d = fake_dev("empty", 0x8000, 0, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), -1);
	d = fake_dev("wraps", UINT64_MAX - 10, 100, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), -1);
	ck_assert_int_eq(stderr_lines(), 6);
	ck_assert_int_eq(bus.count, 2);
	/* exactly between the two */
	d = fake_dev("between", 0x2000, 0x1000, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), 0);
	ck_assert_int_eq(bus.count, 3);
}
END_TEST

START_TEST(test_mmiobus_full)
{
	static struct mmiobus bus;
	struct fake_mmio f = { 0 };
	struct mmio_device d;

	memset(&bus, 0, sizeof(bus));
	for (int i = 0; i < MMIOBUS_MAX_DEVICES; i++) {
		d = fake_dev("dev", 0x10000 + (uint64_t)i * 0x1000, 0x1000, &f);
		ck_assert_int_eq(mmiobus_register(&bus, &d), 0);
	}
	d = fake_dev("one-too-many", 0x100000, 0x1000, &f);
	stderr_capture();
	ck_assert_int_eq(mmiobus_register(&bus, &d), -1);
	ck_assert_int_eq(stderr_lines(), 1);
	ck_assert_int_eq(bus.count, MMIOBUS_MAX_DEVICES);
}
END_TEST

START_TEST(test_mmiobus_access)
{
	static struct mmiobus bus;
	struct fake_mmio a = { 0 }, b = { 0 };
	struct mmio_device d;
	uint8_t data[8];

	memset(&bus, 0, sizeof(bus));
	d = fake_dev("a", 0xd0000000, 0x1000, &a);
	ck_assert_int_eq(mmiobus_register(&bus, &d), 0);
	d = fake_dev("b", 0xd0001000, 0x1000, &b);
	ck_assert_int_eq(mmiobus_register(&bus, &d), 0);

	/* a read inside a: offset relative to its base, width kept */
	memset(data, 0, sizeof(data));
	mmiobus_access(&bus, 0xd0000ffc, false, data, 4);
	ck_assert_int_eq(a.reads, 1);
	ck_assert_uint_eq(a.offset, 0xffc);
	ck_assert_uint_eq(a.len, 4);
	ck_assert(all_bytes(data, 4, 0x5a));
	/* a write inside b */
	data[0] = 0x42;
	mmiobus_access(&bus, 0xd0001008, true, data, 2);
	ck_assert_int_eq(b.writes, 1);
	ck_assert_uint_eq(b.offset, 8);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_uint_eq(b.last_write, 0x42);

	/* unclaimed: reads all ones, writes dropped */
	memset(data, 0, sizeof(data));
	mmiobus_access(&bus, 0xe0000000, false, data, 8);
	ck_assert(all_bytes(data, 8, 0xff));
	mmiobus_access(&bus, 0xe0000000, true, data, 4);
	/* straddling a and b: not wholly inside either, so unclaimed */
	memset(data, 0, sizeof(data));
	mmiobus_access(&bus, 0xd0000ffe, false, data, 4);
	ck_assert(all_bytes(data, 4, 0xff));
	/* straddling the end of b into nothing */
	mmiobus_access(&bus, 0xd0001ffc, true, data, 8);
	/* just below a */
	mmiobus_access(&bus, 0xcffffffc, false, data, 8);
	ck_assert_int_eq(a.reads + a.writes, 1);
	ck_assert_int_eq(b.reads + b.writes, 1);

	ck_assert_uint_eq(bus.accesses[0], 1);
	ck_assert_uint_eq(bus.accesses[1], 1);
	ck_assert_uint_eq(bus.unclaimed_accesses, 5);

	ck_assert_str_eq(mmiobus_device_name(&bus, 0xd0001000, 4), "b");
	ck_assert_str_eq(mmiobus_device_name(&bus, 0xd0000ffe, 4), "unclaimed");
	ck_assert_ptr_null(mmiobus_find(&bus, 0xd0002000, 1));
	ck_assert_ptr_eq(mmiobus_find(&bus, 0xd0000000, 1), &bus.devices[0]);
}
END_TEST

START_TEST(test_mmiobus_stats)
{
	static struct mmiobus bus;
	struct fake_mmio f = { 0 };
	struct mmio_device d;
	uint8_t data[4];
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	memset(&bus, 0, sizeof(bus));
	d = fake_dev("virtio-blk", 0xd0000000, 0x1000, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), 0);
	d = fake_dev("idle", 0xd0001000, 0x1000, &f);
	ck_assert_int_eq(mmiobus_register(&bus, &d), 0);
	for (int i = 0; i < 3; i++)
		mmiobus_access(&bus, 0xd0000000, false, data, 4);
	mmiobus_access(&bus, 0x1, false, data, 1);
	out = open_memstream(&text, &len);
	mmiobus_stats_print(&bus, out);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "mmio:virtio-blk"));
	ck_assert_ptr_nonnull(strstr(text, "mmio:unclaimed"));
	ck_assert_ptr_null(strstr(text, "idle"));       /* unused: no row */
	free(text);
}
END_TEST

/* ---- the suite ---- */

static void rng_teardown(void)
{
	ram_teardown();
}

static Suite *suite(void)
{
	Suite *s = suite_create("05-virtio");
	TCase *tc = tcase_create("virtqueue");

	tcase_add_checked_fixture(tc, ram_setup, ram_teardown);
	tcase_add_test(tc, test_layout_good);
	tcase_add_test(tc, test_layout_bad_sizes);
	tcase_add_test(tc, test_layout_misaligned);
	tcase_add_test(tc, test_layout_outside_ram);
	tcase_add_test(tc, test_pop_empty);
	tcase_add_test(tc, test_pop_single);
	tcase_add_test(tc, test_pop_three_buffers);
	tcase_add_test(tc, test_pop_full_length_chain);
	tcase_add_test(tc, test_pop_indirect);
	tcase_add_test(tc, test_pop_loop);
	tcase_add_test(tc, test_pop_self_loop);
	tcase_add_test(tc, test_pop_longer_than_queue);
	tcase_add_test(tc, test_pop_next_out_of_range);
	tcase_add_test(tc, test_pop_head_out_of_range);
	tcase_add_test(tc, test_pop_buffer_outside_ram);
	tcase_add_test(tc, test_pop_buffer_overflow);
	tcase_add_test(tc, test_pop_avail_idx_ahead);
	tcase_add_test(tc, test_pop_indirect_not_negotiated);
	tcase_add_test(tc, test_pop_indirect_bad_len);
	tcase_add_test(tc, test_pop_indirect_nested);
	tcase_add_test(tc, test_pop_indirect_with_next);
	tcase_add_test(tc, test_pop_indirect_after_direct);
	tcase_add_test(tc, test_pop_indirect_loop);
	tcase_add_test(tc, test_pop_indirect_next_out_of_range);
	tcase_add_test(tc, test_pop_indirect_table_placement);
	tcase_add_test(tc, test_pop_indirect_any_alignment);
	tcase_add_test(tc, test_pop_indirect_buffer_outside_ram);
	tcase_add_test(tc, test_pop_avail_wraparound);
	tcase_add_test(tc, test_push);
	tcase_add_test(tc, test_push_index_wraps);
	tcase_add_test(tc, test_push_used_outside_ram);
	tcase_add_test(tc, test_wants_interrupt);
	suite_add_tcase(s, tc);

	tc = tcase_create("transport");
	tcase_add_checked_fixture(tc, rng_setup, rng_teardown);
	tcase_add_test(tc, test_mmio_identity);
	tcase_add_test(tc, test_mmio_device_features);
	tcase_add_test(tc, test_mmio_features_ok_needs_version_1);
	tcase_add_test(tc, test_mmio_features_ok_retry);
	tcase_add_test(tc, test_mmio_status_bits_accumulate);
	tcase_add_test(tc, test_mmio_needs_reset_not_driver_settable);
	tcase_add_test(tc, test_mmio_queue_num_max);
	tcase_add_test(tc, test_mmio_queue_registers);
	tcase_add_test(tc, test_mmio_queue_locked_when_ready);
	tcase_add_test(tc, test_mmio_bad_layout_needs_reset);
	tcase_add_test(tc, test_mmio_queue_num_above_max_needs_reset);
	tcase_add_test(tc, test_mmio_layout_outside_ram_needs_reset);
	tcase_add_test(tc, test_mmio_rng_request);
	tcase_add_test(tc, test_mmio_notify_handles_every_chain);
	tcase_add_test(tc, test_mmio_no_interrupt_flag);
	tcase_add_test(tc, test_mmio_notify_ignored);
	tcase_add_test(tc, test_mmio_reset);
	tcase_add_test(tc, test_mmio_narrow_accesses);
	tcase_add_test(tc, test_mmio_config_empty);
	tcase_add_test(tc, test_mmio_malformed_chain);
	tcase_add_test(tc, test_mmio_good_then_bad_chain);
	suite_add_tcase(s, tc);

	tc = tcase_create("rng");
	tcase_add_checked_fixture(tc, rng_setup, rng_teardown);
	tcase_add_test(tc, test_rng_fills_writable_only);
	tcase_add_test(tc, test_rng_readable_only);
	tcase_add_test(tc, test_rng_request_is_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("blk");
	tcase_add_checked_fixture(tc, blk_setup, blk_teardown);
	tcase_add_test(tc, test_blk_open_missing);
	tcase_add_test(tc, test_blk_features);
	tcase_add_test(tc, test_blk_config);
	tcase_add_test(tc, test_blk_partial_tail);
	tcase_add_test(tc, test_blk_request_is_bounded);
	tcase_add_test(tc, test_blk_read);
	tcase_add_test(tc, test_blk_read_scattered);
	tcase_add_test(tc, test_blk_write);
	tcase_add_test(tc, test_blk_flush);
	tcase_add_test(tc, test_blk_get_id);
	tcase_add_test(tc, test_blk_past_end);
	tcase_add_test(tc, test_blk_readonly);
	tcase_add_test(tc, test_blk_unsupported);
	tcase_add_test(tc, test_blk_bad_lengths);
	tcase_add_test(tc, test_blk_wrong_direction);
	tcase_add_test(tc, test_blk_malformed_chains);
	tcase_add_test(tc, test_blk_any_layout);
	tcase_add_test(tc, test_blk_status_is_last_byte);
	tcase_add_test(tc, test_blk_through_transport);
	tcase_add_test(tc, test_blk_no_status_breaks_device);
	suite_add_tcase(s, tc);

	tc = tcase_create("mmiobus");
	tcase_add_test(tc, test_mmiobus_register);
	tcase_add_test(tc, test_mmiobus_full);
	tcase_add_test(tc, test_mmiobus_access);
	tcase_add_test(tc, test_mmiobus_stats);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
