/*
 * virtio.c - fuzz target: chapter 6's virtio-mmio transport, its split
 * virtqueues, virtio-blk and virtio-rng, driven by a hostile driver.
 *
 * The input is what a guest controls: the contents of its RAM and the
 * register accesses it makes. It is read as
 *
 *   byte 0        flags: bit 0 the disk is read-only; bits 1-2 how the
 *                 entropy source behaves (0 in full, 1 a few bytes per
 *                 call, 2 it fails)
 *   u16 n, n bytes  the first n bytes of the guest's 64 KiB of RAM (the
 *                 rest is 0): descriptor tables, rings, buffers
 *   then 7-byte operations: u8 kind, u16 where, u32 value
 *     kind bits 0-1  0 or 3: a store to guest-physical VIRTIO_MMIO_BASE +
 *                    where (the disk's register page, then the entropy
 *                    device's, then nothing); 1: a load from there;
 *                    2: the guest's CPU stores to its RAM at `where`
 *     kind bits 2-3  the width: 1, 2, 4 or 8 bytes
 *
 * A store of the queue's index to QueueNotify makes the device walk the
 * available ring. The devices sit on chapter 6's MMIO bus as in the VMM
 * (devices.c), the disk is a 64 KiB memfd rewritten for every input, and
 * the entropy source is this file's getrandom(), which overrides the C
 * library's so that a run is reproducible.
 *
 * The properties, checked after every operation and around every notify:
 *
 *   - a notify the device must ignore (driver not ready, NEEDS_RESET,
 *     queue not ready) changes nothing;
 *   - after a notify, every request made available has completed, or the
 *     device is in NEEDS_RESET;
 *   - the device writes guest RAM only inside the device-writable
 *     buffers of the chains it took, and the used ring's index and the
 *     elements it published; each chain's writes stay in its own buffers;
 *   - every buffer of a chain is one the driver described, with the
 *     driver's direction, in the descriptor table or the chain's indirect
 *     table;
 *   - the used index moves forward, by exactly the chains completed, and
 *     never by more than the chains made available; each used element
 *     carries its chain's head and the bytes written, no more than the
 *     chain's device-writable room;
 *   - virtio-blk answers as virtio 1.2, 5.2.6 says: the request that
 *     cannot be one breaks the device; otherwise the status byte is OK,
 *     IOERR or UNSUPP as the request deserves, the data read are the
 *     disk's, the data written reach the disk; virtio-rng fills the
 *     writable buffers in order, up to its per-request bound;
 *   - the transport: FEATURES_OK only for a subset of the offered
 *     features with VERSION_1, NEEDS_RESET stays until the driver
 *     resets, QueueReady only for a layout inside RAM and a QueueNum no
 *     larger than QueueNumMax, the IRQ line follows InterruptStatus, a
 *     load fills exactly its width, the config space is read-only.
 *
 * Reference: virtio 1.2, 2.1 (status), 2.7 (split virtqueues), 3.1
 * (initialization), 4.2 (virtio over MMIO), 5.2 (block), 5.4 (entropy).
 */
#include "fuzz.h"

#include <errno.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <sys/types.h>

#include "mmiobus.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"
#include "virtio_rng.h"
#include "virtqueue.h"

#define RAM_SIZE  0x10000ULL           /* 64 KiB: a u16 reaches every byte */
#define DISK_SIZE (128 * SECTOR_SIZE)  /* 64 KiB */
#define OP_SIZE   7                    /* u8 kind, u16 where, u32 value */
#define MAX_OPS   4096
#define MAX_WIDTH 8                    /* KVM's widest MMIO access */
#define CANARY    0xa5                 /* past a load's width: untouched */
#define SHORT_ENTROPY 7                /* bytes per getrandom() call */
#define MAX_RECORDED 1024              /* chains per notify we keep details of */
#define MAX_CHECKED_BUFFERS 64         /* longer chains: fewer descriptor checks */
#define VIRTIO_MMIO_MAGIC_VIRT 0x74726976 /* "virt" (4.2.2) */

#define FLAG_DISK_RO  0x01
#define ENTROPY_SHIFT 1
#define ENTROPY_MASK  0x03

enum { DEV_BLK, DEV_RNG, NUM_DEVS };
enum { OP_MMIO_WRITE, OP_MMIO_READ, OP_RAM_POKE, OP_MMIO_WRITE_TOO };
enum entropy_mode { ENTROPY_FULL, ENTROPY_SHORT, ENTROPY_FAILS };

#define BLK_HEADER_SIZE sizeof(struct virtio_blk_outhdr)
#define USED_ELEMENTS_OFFSET offsetof(struct vring_used, ring)

/* ---- the machine: RAM, a disk, two devices on the MMIO bus ---- */

struct irq_line {
	int level;
};

static struct {
	struct guest_memory mem;
	struct mmiobus bus;
	struct virtio_device dev[NUM_DEVS];
	struct virtio_blk blk;
	struct virtio_rng rng;
	struct irq_line irq[NUM_DEVS];
	uint8_t config[NUM_DEVS][VIRTIO_MAX_CONFIG];  /* as the device set it up */
	uint32_t queue_num[NUM_DEVS][VIRTIO_MAX_QUEUES]; /* what QueueNum was given */
} m;

static struct memfile disk;
static uint8_t disk_image[DISK_SIZE];
static enum entropy_mode entropy_mode;
static uint8_t entropy_next;

/* Each device's operations, with handle_chain wrapped by the checks. */
static struct virtio_device_ops checked_ops[NUM_DEVS];
static const struct virtio_device_ops *const real_ops[NUM_DEVS] = {
	&virtio_blk_ops, &virtio_rng_ops,
};

/* Snapshots of RAM, and who may write which byte (by stamp, never cleared). */
static uint8_t ram_before_notify[RAM_SIZE], ram_before_chain[RAM_SIZE];
static uint32_t notify_may_write[RAM_SIZE], chain_may_write[RAM_SIZE];
static uint32_t notify_stamp, chain_stamp;

/* What the chain handler saw during one notify. */
static struct {
	bool active;
	unsigned dev, queue;
	unsigned taken;                 /* chains handed to the device */
	unsigned completed;             /* ... that it finished */
	uint16_t head[MAX_RECORDED];
	uint32_t written[MAX_RECORDED];
} watch;

/*
 * The entropy source: overrides the C library's getrandom(2), which
 * virtio_rng.c calls, with a counter, so that a run is reproducible;
 * and short reads and failures on demand, which the device must cope
 * with (it loops on short reads; a failure breaks the device).
 */
ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	uint8_t *p = buf;

	(void)flags;
	if (entropy_mode == ENTROPY_FAILS) {
		errno = EIO;
		return -1;
	}
	if (entropy_mode == ENTROPY_SHORT && len > SHORT_ENTROPY)
		len = SHORT_ENTROPY;
	for (size_t i = 0; i < len; i++)
		p[i] = entropy_next++;
	return (ssize_t)len;
}

/* A device's interrupt line: it must only ever change. */
static void set_irq(void *ctx, int level)
{
	struct irq_line *line = ctx;

	PROPERTY(level != line->level, "IRQ line set to %d, the level it had", level);
	line->level = level;
}

static unsigned device_index(const struct virtio_device *dev)
{
	return dev == &m.dev[DEV_BLK] ? DEV_BLK : DEV_RNG;
}

static uint64_t load_le(const uint8_t *p, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool in_ram(uint64_t addr, uint64_t len)
{
	return addr <= RAM_SIZE && len <= RAM_SIZE - addr;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* ---- every buffer is one the driver described ---- */

static struct vring_desc read_desc(uint64_t addr)
{
	struct vring_desc d;

	memcpy(&d, m.mem.host + addr, sizeof(d));
	return d;
}

static bool desc_matches(const struct vring_desc *d, const struct virtq_buffer *b)
{
	return !(d->flags & VRING_DESC_F_INDIRECT) && d->addr == b->addr &&
	       d->len == b->len && !!(d->flags & VRING_DESC_F_WRITE) == b->writable;
}

/* Is b one of the `count` descriptors at `table`? */
static bool described_in(uint64_t table, uint64_t count, const struct virtq_buffer *b)
{
	for (uint64_t i = 0; i < count; i++) {
		struct vring_desc d = read_desc(table + i * sizeof(d));

		if (desc_matches(&d, b))
			return true;
	}
	return false;
}

/* Is b in the queue's table, or in a table an indirect descriptor of
 * it points to (a chain may go on into one, 2.7.5.3)? */
static bool described_by_queue(const struct virtq *vq, const struct virtq_buffer *b)
{
	if (described_in(vq->desc_addr, vq->size, b))
		return true;
	for (uint64_t i = 0; i < vq->size; i++) {
		struct vring_desc d = read_desc(vq->desc_addr + i * sizeof(d));
		uint64_t count = d.len / sizeof(struct vring_desc);

		if ((d.flags & VRING_DESC_F_INDIRECT) &&
		    in_ram(d.addr, count * sizeof(struct vring_desc)) &&
		    described_in(d.addr, count, b))
			return true;
	}
	return false;
}

/*
 * The chain starts at descriptor `head`. If that one is indirect, every
 * buffer comes from its table; otherwise from the queue's own table or
 * one of the indirect tables it points to.
 */
static void check_chain_described(const struct virtq *vq, const struct virtq_chain *chain)
{
	PROPERTY(chain->head < vq->size, "chain head %u outside a queue of %u",
		 chain->head, vq->size);
	PROPERTY(chain->count >= 1 && chain->count <= VIRTQ_MAX_BUFFERS,
		 "a chain of %u buffers", chain->count);
	struct vring_desc head = read_desc(vq->desc_addr + chain->head * sizeof(head));
	uint64_t table = vq->desc_addr, count = vq->size;

	if (head.flags & VRING_DESC_F_INDIRECT) {
		table = head.addr;
		count = head.len / sizeof(struct vring_desc);
		PROPERTY(vq->indirect_allowed, "indirect table followed without the feature");
		PROPERTY(in_ram(table, count * sizeof(struct vring_desc)),
			 "indirect table outside RAM was followed");
	}
	for (unsigned i = 0; i < chain->count && i < MAX_CHECKED_BUFFERS; i++) {
		const struct virtq_buffer *b = &chain->buf[i];

		PROPERTY(in_ram(b->addr, b->len), "buffer 0x%llx+%u outside RAM",
			 (unsigned long long)b->addr, b->len);
		PROPERTY(table == vq->desc_addr ? described_by_queue(vq, b)
						: described_in(table, count, b),
			 "buffer %u (0x%llx+%u, %s) of the chain at %u is no descriptor "
			 "the driver wrote", i, (unsigned long long)b->addr, b->len,
			 b->writable ? "writable" : "readable", chain->head);
	}
}

/* ---- what virtio-blk must answer (virtio 1.2, 5.2.6) ---- */

/* A request, as the spec reads the chain: one stream of bytes. */
struct blk_expect {
	int handled;            /* 0, or -1: not a request, the device breaks */
	uint32_t type;
	uint64_t sector;
	uint64_t data_len;
	bool data_writable, data_readable;
	uint64_t status_addr;
};

static uint64_t chain_total(const struct virtq_chain *chain)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < chain->count; i++)
		total += chain->buf[i].len;
	return total;
}

/* Reads the header from the RAM as it was when the device got the chain. */
static struct blk_expect blk_expectation(const struct virtq_chain *chain)
{
	struct blk_expect e = { .data_writable = true, .data_readable = true };
	uint64_t total = chain_total(chain), pos = 0;
	uint8_t header[BLK_HEADER_SIZE];

	if (total < BLK_HEADER_SIZE + 1) {
		e.handled = -1;
		return e;
	}
	e.data_len = total - BLK_HEADER_SIZE - 1;
	for (unsigned i = 0; i < chain->count; i++) {
		const struct virtq_buffer *b = &chain->buf[i];

		for (uint64_t off = 0; off < b->len; off++, pos++) {
			if (pos < BLK_HEADER_SIZE) {
				if (b->writable)
					e.handled = -1;
				header[pos] = ram_before_chain[b->addr + off];
			} else if (pos < total - 1) {
				if (b->writable)
					e.data_readable = false;
				else
					e.data_writable = false;
			} else {
				if (!b->writable)
					e.handled = -1;
				e.status_addr = b->addr + off;
			}
		}
	}
	e.type = (uint32_t)load_le(header, 4);
	e.sector = load_le(header + 8, 8);
	return e;
}

static bool within_disk(uint64_t sector, uint64_t len)
{
	uint64_t sectors = m.blk.capacity;

	return len % SECTOR_SIZE == 0 && sector <= sectors &&
	       len / SECTOR_SIZE <= sectors - sector;
}

/* Do any two device-writable buffers share a byte? Then order decides. */
static bool writable_overlap(const struct virtq_chain *chain)
{
	for (unsigned i = 0; i < chain->count; i++)
		for (unsigned j = i + 1; j < chain->count; j++)
			if (chain->buf[i].writable && chain->buf[j].writable &&
			    overlaps(chain->buf[i].addr, chain->buf[i].len,
				     chain->buf[j].addr, chain->buf[j].len))
				return true;
	return false;
}

/*
 * The data part of the stream, byte by byte, against `want` (the disk
 * at the request's sector, or the ID), as RAM is now or was before.
 */
static bool data_equals(const struct virtq_chain *chain, const uint8_t *ram,
			const uint8_t *want, uint64_t len)
{
	uint64_t pos = 0;

	for (unsigned i = 0; i < chain->count; i++) {
		const struct virtq_buffer *b = &chain->buf[i];

		for (uint64_t off = 0; off < b->len; off++, pos++) {
			if (pos < BLK_HEADER_SIZE)
				continue;
			if (pos - BLK_HEADER_SIZE >= len)
				return true;
			if (ram[b->addr + off] != want[pos - BLK_HEADER_SIZE])
				return false;
		}
	}
	return true;
}

static void read_disk(uint8_t *buf, uint64_t offset, uint64_t len)
{
	PROPERTY(pread(disk.fd, buf, len, (off_t)offset) == (ssize_t)len,
		 "cannot read the disk back");
}

static void check_blk_answer(const struct virtq_chain *chain, int handled,
			     uint32_t written)
{
	static uint8_t disk_now[DISK_SIZE];
	struct blk_expect e = blk_expectation(chain);

	PROPERTY(handled == e.handled, "virtio-blk %s a chain the spec %s",
		 handled ? "refused" : "took", e.handled ? "refuses" : "allows");
	if (handled < 0)
		return;
	uint8_t status = m.mem.host[e.status_addr];
	uint8_t want = VIRTIO_BLK_S_UNSUPP;
	uint32_t want_written = 1;
	bool ok;

	switch (e.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		bool is_read = e.type == VIRTIO_BLK_T_IN;

		/* BLK_MAX_REQUEST: seg_max buffers of size_max, the most the
		 * driver was told a request may carry */
		ok = (is_read ? e.data_writable : e.data_readable && !m.blk.readonly) &&
		     e.data_len <= BLK_MAX_REQUEST && within_disk(e.sector, e.data_len);
		want = ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		if (ok && is_read)
			want_written += (uint32_t)e.data_len;
		/* two writable buffers on one byte: which write wins is not ours to say */
		if (!ok || (is_read && writable_overlap(chain)))
			break;
		read_disk(disk_now, e.sector * SECTOR_SIZE, e.data_len);
		if (is_read) {
			PROPERTY(data_equals(chain, m.mem.host, disk_now, e.data_len),
				 "virtio-blk read of sector %llu: the data are not the disk's",
				 (unsigned long long)e.sector);
		} else {
			PROPERTY(data_equals(chain, ram_before_chain, disk_now, e.data_len),
				 "virtio-blk write of sector %llu: the disk does not hold the data",
				 (unsigned long long)e.sector);
		}
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		want = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t id_len = e.data_len < VIRTIO_BLK_ID_BYTES ? e.data_len
								  : VIRTIO_BLK_ID_BYTES;

		ok = e.data_len > 0 && e.data_writable;
		want = ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		if (ok)
			want_written += (uint32_t)id_len;
		if (!ok || writable_overlap(chain))
			break;
		PROPERTY(data_equals(chain, m.mem.host, (const uint8_t *)m.blk.id, id_len),
			 "virtio-blk GET_ID: the data are not the disk's id");
		break;
	}
	}
	PROPERTY(status == want, "virtio-blk request type %u answered status %u, not %u",
		 e.type, status, want);
	PROPERTY(written == want_written, "virtio-blk request type %u: used length %u, not %u",
		 e.type, written, want_written);
}

/* ---- the wrapped chain handler ---- */

/* Stamps the chain's device-writable bytes; returns how many there are. */
static uint64_t mark_writable(const struct virtq_chain *chain)
{
	uint64_t room = 0;

	chain_stamp++;
	for (unsigned i = 0; i < chain->count; i++) {
		const struct virtq_buffer *b = &chain->buf[i];

		PROPERTY(in_ram(b->addr, b->len), "buffer outside RAM handed to the device");
		if (!b->writable)
			continue;
		room += b->len;
		for (uint64_t a = b->addr; a < b->addr + b->len; a++) {
			chain_may_write[a] = chain_stamp;
			notify_may_write[a] = notify_stamp;
		}
	}
	return room;
}

static int checked_handle_chain(struct virtio_device *dev, unsigned queue,
				const struct virtq_chain *chain, uint32_t *written,
				const char **why)
{
	unsigned d = device_index(dev);

	PROPERTY(watch.active && watch.dev == d && watch.queue == queue,
		 "a chain of device %u queue %u handled outside its notify", d, queue);
	check_chain_described(&dev->queues[queue], chain);
	uint64_t room = mark_writable(chain);

	memcpy(ram_before_chain, m.mem.host, RAM_SIZE);
	int handled = real_ops[d]->handle_chain(dev, queue, chain, written, why);

	for (uint64_t a = 0; a < RAM_SIZE; a++)
		PROPERTY(ram_before_chain[a] == m.mem.host[a] || chain_may_write[a] == chain_stamp,
			 "device %u wrote RAM at 0x%llx, outside the device-writable "
			 "buffers of the chain at %u", d, (unsigned long long)a, chain->head);
	PROPERTY(handled == 0 || handled == -1, "handle_chain returned %d", handled);
	PROPERTY(handled == 0 || *why, "a refused chain without a reason");
	if (handled == 0)
		PROPERTY(*written <= room, "used length %u, but the chain has %llu "
			 "device-writable bytes", *written, (unsigned long long)room);
	if (d == DEV_BLK)
		check_blk_answer(chain, handled, *written);
	else if (handled == 0)
		PROPERTY(*written == (room < RNG_MAX_REQUEST ? room : RNG_MAX_REQUEST),
			 "virtio-rng filled %u of %llu bytes (it may stop at %u)",
			 *written, (unsigned long long)room, RNG_MAX_REQUEST);
	else
		PROPERTY(entropy_mode == ENTROPY_FAILS, "virtio-rng refused a chain: %s", *why);
	if (handled == 0) {
		if (watch.completed < MAX_RECORDED) {
			watch.head[watch.completed] = chain->head;
			watch.written[watch.completed] = *written;
		}
		watch.completed++;
	}
	watch.taken++;
	return handled;
}

/* ---- the transport's invariants, after every operation ---- */

static bool power_of_2(uint32_t n)
{
	return n && !(n & (n - 1));
}

static void check_device(unsigned d, uint32_t status_before, bool reset_now)
{
	const struct virtio_device *dev = &m.dev[d];

	if (dev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		PROPERTY(!(dev->driver_features & ~dev->device_features),
			 "FEATURES_OK with features the device did not offer");
		PROPERTY(dev->driver_features & (1ULL << VIRTIO_F_VERSION_1),
			 "FEATURES_OK without VIRTIO_F_VERSION_1");
	}
	if ((status_before & VIRTIO_CONFIG_S_NEEDS_RESET) && !reset_now)
		PROPERTY(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET,
			 "NEEDS_RESET cleared without a reset");
	PROPERTY(m.irq[d].level == (dev->interrupt_status != 0),
		 "IRQ line %d with InterruptStatus 0x%x", m.irq[d].level,
		 dev->interrupt_status);
	PROPERTY(memcmp(dev->config, m.config[d], sizeof(m.config[d])) == 0,
		 "the read-only config space changed");
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		const struct virtq *vq = &dev->queues[q];

		if (!vq->ready)
			continue;
		PROPERTY(q < dev->ops->num_queues, "queue %u of %u is ready", q,
			 dev->ops->num_queues);
		PROPERTY(m.queue_num[d][q] <= VIRTQ_MAX_SIZE,
			 "QueueReady accepted QueueNum %u, above QueueNumMax %u",
			 m.queue_num[d][q], VIRTQ_MAX_SIZE);
		PROPERTY(power_of_2(vq->size) && vq->size <= VIRTQ_MAX_SIZE,
			 "a ready queue of size %u", vq->size);
		PROPERTY(in_ram(vq->desc_addr, (uint64_t)vq->size * sizeof(struct vring_desc)) &&
			 in_ram(vq->avail_addr, offsetof(struct vring_avail, ring) +
				2ULL * vq->size) &&
			 in_ram(vq->used_addr, USED_ELEMENTS_OFFSET +
				(uint64_t)vq->size * sizeof(struct vring_used_elem)),
			 "a ready queue's areas leave RAM");
	}
}

/* ---- a notify, watched ---- */

static bool serviced(const struct virtio_device *dev, uint32_t queue)
{
	uint32_t needed = VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;

	return (dev->status & needed) == needed &&
	       !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	       queue < dev->ops->num_queues && dev->queues[queue].ready;
}

/* May the notify have changed RAM at `a`? The used ring's index and
 * the elements it published, or a buffer the device was given. */
static bool notify_may_change(const struct virtq *before, uint16_t published, uint64_t a)
{
	uint64_t used = before->used_addr;

	if (notify_may_write[a] == notify_stamp)
		return true;
	if (a >= used + offsetof(struct vring_used, idx) &&
	    a < used + offsetof(struct vring_used, idx) + sizeof(uint16_t))
		return published > 0;
	if (a < used + USED_ELEMENTS_OFFSET)
		return false;
	uint64_t slot = (a - used - USED_ELEMENTS_OFFSET) / sizeof(struct vring_used_elem);
	if (slot >= before->size)
		return false;
	if (published >= before->size)
		return true;
	/* slots used_idx, used_idx + 1, ... (mod size) were written */
	return (uint16_t)(slot - before->used_idx) % before->size < published;
}

static uint16_t ram16(uint64_t addr)
{
	return (uint16_t)load_le(m.mem.host + addr, sizeof(uint16_t));
}

/* Which slot of the used ring element k of this notify went to. */
static uint64_t used_elem_addr(const struct virtq *vq, uint16_t used_idx)
{
	return vq->used_addr + USED_ELEMENTS_OFFSET +
	       (uint64_t)(used_idx % vq->size) * sizeof(struct vring_used_elem);
}

static bool stamped_by_notify(uint64_t addr, uint64_t len)
{
	for (uint64_t a = addr; a < addr + len; a++)
		if (notify_may_write[a] == notify_stamp)
			return true;
	return false;
}

static void check_used_elements(const struct virtq *before, const struct virtq *vq,
				uint16_t published)
{
	for (unsigned k = 0; k < published && k < MAX_RECORDED; k++) {
		uint16_t idx = (uint16_t)(before->used_idx + k);
		uint64_t addr = used_elem_addr(vq, idx);
		struct vring_used_elem e;

		/* later elements, or a device's data, may have overwritten it */
		if (published - k > vq->size ||
		    stamped_by_notify(addr, sizeof(e)))
			continue;
		memcpy(&e, m.mem.host + addr, sizeof(e));
		PROPERTY(e.id == watch.head[k] && e.len == watch.written[k],
			 "used element %u is {%u, %u}, not {%u, %u}", idx, e.id, e.len,
			 watch.head[k], watch.written[k]);
	}
}

static void notify(unsigned d, uint64_t addr, uint8_t *data, uint32_t queue)
{
	struct virtio_device *dev = &m.dev[d];
	bool will_serve = serviced(dev, queue);
	struct virtq before = { 0 };

	if (queue < VIRTIO_MAX_QUEUES)
		before = dev->queues[queue];
	memcpy(ram_before_notify, m.mem.host, RAM_SIZE);
	notify_stamp++;
	watch.active = true;
	watch.dev = d;
	watch.queue = queue;
	watch.taken = watch.completed = 0;
	uint16_t pending = will_serve ? (uint16_t)(ram16(before.avail_addr +
					offsetof(struct vring_avail, idx)) - before.last_avail_idx)
				      : 0;

	mmiobus_access(&m.bus, addr, true, data, sizeof(uint32_t));
	watch.active = false;

	if (!will_serve) {
		PROPERTY(memcmp(ram_before_notify, m.mem.host, RAM_SIZE) == 0,
			 "a notify the device must ignore changed guest RAM");
		PROPERTY(watch.taken == 0, "a notify the device must ignore took chains");
		return;
	}
	const struct virtq *vq = &dev->queues[queue];
	uint16_t taken = (uint16_t)(vq->last_avail_idx - before.last_avail_idx);
	uint16_t published = (uint16_t)(vq->used_idx - before.used_idx);
	bool broken = dev->status & VIRTIO_CONFIG_S_NEEDS_RESET;
	uint64_t avail_idx_addr = before.avail_addr + offsetof(struct vring_avail, idx);
	/* the driver's index, overwritten by the device: by a buffer the
	 * driver gave it, or by a used ring the driver laid over it */
	bool avail_rewritten = stamped_by_notify(avail_idx_addr, sizeof(uint16_t)) ||
		overlaps(avail_idx_addr, sizeof(uint16_t), before.used_addr,
			 USED_ELEMENTS_OFFSET + (uint64_t)before.size *
			 sizeof(struct vring_used_elem));

	PROPERTY(taken == (uint16_t)watch.taken, "last_avail_idx moved by %u for %u chains",
		 taken, watch.taken);
	PROPERTY(published == (uint16_t)watch.completed,
		 "the used index moved by %u for %u completed chains", published,
		 watch.completed);
	PROPERTY(watch.taken - watch.completed <= (broken ? 1u : 0u),
		 "%u chains taken, %u completed, device %s", watch.taken,
		 watch.completed, broken ? "broken" : "fine");
	if (!avail_rewritten)
		PROPERTY(watch.taken <= pending && pending <= vq->size ? true :
			 broken && watch.taken == 0,
			 "%u chains taken with %u available in a queue of %u",
			 watch.taken, pending, vq->size);
	if (!broken) {
		PROPERTY(ram16(avail_idx_addr) == vq->last_avail_idx,
			 "requests left in the available ring (idx %u, taken up to %u) "
			 "and no NEEDS_RESET", ram16(avail_idx_addr), vq->last_avail_idx);
		/* the guest may write the index too; the device, when it publishes */
		if (published && !stamped_by_notify(before.used_addr +
						    offsetof(struct vring_used, idx),
						    sizeof(uint16_t)))
			PROPERTY(ram16(before.used_addr + offsetof(struct vring_used, idx)) ==
				 vq->used_idx, "used->idx in RAM is not the device's");
		bool quiet = ram16(before.avail_addr) & VRING_AVAIL_F_NO_INTERRUPT;
		if (published && !quiet)
			PROPERTY(dev->interrupt_status & VIRTIO_MMIO_INT_VRING,
				 "used buffers and no interrupt");
	} else {
		PROPERTY(dev->interrupt_status & VIRTIO_MMIO_INT_CONFIG,
			 "NEEDS_RESET without a configuration-change interrupt");
	}
	for (uint64_t a = 0; a < RAM_SIZE; a++)
		PROPERTY(ram_before_notify[a] == m.mem.host[a] ||
			 notify_may_change(&before, published, a),
			 "device %u wrote RAM at 0x%llx, outside the buffers it took "
			 "and the used ring", d, (unsigned long long)a);
	check_used_elements(&before, vq, published);
}

/* ---- one MMIO access or RAM store ---- */

static int page_device(uint64_t where)
{
	return where < NUM_DEVS * VIRTIO_MMIO_SIZE ? (int)(where / VIRTIO_MMIO_SIZE) : -1;
}

static void mmio_load(uint64_t where, unsigned width)
{
	uint8_t data[2 * MAX_WIDTH];
	int d = page_device(where);
	uint64_t offset = where % VIRTIO_MMIO_SIZE;

	memset(data, CANARY, sizeof(data));
	mmiobus_access(&m.bus, VIRTIO_MMIO_BASE + where, false, data, width);
	for (unsigned i = width; i < sizeof(data); i++)
		PROPERTY(data[i] == CANARY, "a %u-byte load wrote byte %u", width, i);
	if (d < 0)
		return;
	if (width == sizeof(uint32_t) && offset == VIRTIO_MMIO_MAGIC_VALUE)
		PROPERTY(load_le(data, 4) == VIRTIO_MMIO_MAGIC_VIRT, "MagicValue is not \"virt\"");
	if (offset >= VIRTIO_MMIO_CONFIG &&
	    offset - VIRTIO_MMIO_CONFIG + width <= m.dev[d].config_size)
		PROPERTY(memcmp(data, m.config[d] + (offset - VIRTIO_MMIO_CONFIG), width) == 0,
			 "a config load does not read the config space");
}

static void mmio_store(uint64_t where, unsigned width, uint32_t value)
{
	uint8_t data[MAX_WIDTH] = { 0 };
	int d = page_device(where);
	uint64_t offset = where % VIRTIO_MMIO_SIZE;
	bool reg = d >= 0 && width == sizeof(uint32_t) && offset % sizeof(uint32_t) == 0;

	memcpy(data, &value, sizeof(value));
	if (!reg) {
		mmiobus_access(&m.bus, VIRTIO_MMIO_BASE + where, true, data, width);
		return;
	}
	struct virtio_device *dev = &m.dev[d];
	if (offset == VIRTIO_MMIO_QUEUE_NOTIFY) {
		notify((unsigned)d, VIRTIO_MMIO_BASE + where, data, value);
		return;
	}
	if (offset == VIRTIO_MMIO_QUEUE_NUM && dev->queue_sel < dev->ops->num_queues &&
	    !dev->queues[dev->queue_sel].ready)
		m.queue_num[d][dev->queue_sel] = value;
	if (offset == VIRTIO_MMIO_STATUS && value == 0)
		memset(m.queue_num[d], 0, sizeof(m.queue_num[d]));
	mmiobus_access(&m.bus, VIRTIO_MMIO_BASE + where, true, data, width);
}

static void ram_poke(uint64_t where, unsigned width, uint32_t value)
{
	for (unsigned i = 0; i < width && where + i < RAM_SIZE; i++)
		m.mem.host[where + i] = i < sizeof(value) ? (uint8_t)(value >> (8 * i)) : 0;
}

static void run_op(uint8_t kind, uint16_t where, uint32_t value)
{
	unsigned width = 1u << ((kind >> 2) & 3);
	int d = page_device(where);
	uint32_t status_before[NUM_DEVS] = { m.dev[0].status, m.dev[1].status };
	bool reset_now = false;

	switch (kind & 3) {
	case OP_MMIO_READ:
		mmio_load(where, width);
		break;
	case OP_RAM_POKE:
		ram_poke(where, width, value);
		break;
	default:
		reset_now = d >= 0 && width == sizeof(uint32_t) &&
			    where % VIRTIO_MMIO_SIZE == VIRTIO_MMIO_STATUS && value == 0;
		mmio_store(where, width, value);
		break;
	}
	for (unsigned i = 0; i < NUM_DEVS; i++)
		check_device(i, status_before[i], reset_now && (int)i == d);
}

/* ---- the machine, fresh for each input ---- */

static void machine_setup(bool disk_ro)
{
	struct mmio_device pages[NUM_DEVS];

	memset(&m, 0, sizeof(m));
	m.mem = ram_alloc(RAM_SIZE);
	memset(m.mem.host, 0, RAM_SIZE);
	memfile_set(&disk, disk_image, sizeof(disk_image));
	PROPERTY(virtio_blk_open(&m.blk, disk.path, disk_ro) == 0, "cannot open the disk");
	virtio_mmio_init(&m.dev[DEV_BLK], &checked_ops[DEV_BLK], &m.blk,
			 virtio_blk_features(&m.blk), &m.mem, set_irq, &m.irq[DEV_BLK], DEV_BLK);
	virtio_blk_fill_config(&m.blk, &m.dev[DEV_BLK]);
	virtio_mmio_init(&m.dev[DEV_RNG], &checked_ops[DEV_RNG], &m.rng, 0, &m.mem,
			 set_irq, &m.irq[DEV_RNG], DEV_RNG);
	for (unsigned i = 0; i < NUM_DEVS; i++) {
		memcpy(m.config[i], m.dev[i].config, sizeof(m.config[i]));
		pages[i] = (struct mmio_device){
			.name = real_ops[i]->name,
			.base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE,
			.len = VIRTIO_MMIO_SIZE,
			.read = virtio_mmio_read, .write = virtio_mmio_write,
			.opaque = &m.dev[i],
		};
		PROPERTY(mmiobus_register(&m.bus, &pages[i]) == 0, "cannot register a page");
	}
}

static void machine_teardown(void)
{
	virtio_blk_close(&m.blk);
	ram_free(&m.mem);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	quiet_stdio();
	disk = memfile_create("fuzz-disk");
	for (size_t i = 0; i < sizeof(disk_image); i++)
		disk_image[i] = (uint8_t)(i * 7 + i / SECTOR_SIZE); /* each sector differs */
	for (unsigned i = 0; i < NUM_DEVS; i++) {
		checked_ops[i] = *real_ops[i];
		checked_ops[i].handle_chain = checked_handle_chain;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	uint8_t flags = take8(&in);
	size_t ram_len;
	const uint8_t *ram = take_bytes(&in, take16(&in), &ram_len);

	entropy_mode = (flags >> ENTROPY_SHIFT) & ENTROPY_MASK;
	entropy_next = 0;
	machine_setup(flags & FLAG_DISK_RO);
	memcpy(m.mem.host, ram, ram_len);
	for (unsigned n = 0; n < MAX_OPS && in.left >= OP_SIZE; n++) {
		uint8_t kind = take8(&in);
		uint16_t where = take16(&in);

		run_op(kind, where, take32(&in));
	}
	machine_teardown();
	return 0;
}
