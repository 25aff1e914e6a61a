/*
 * virtqueue.c - split virtqueues: how a virtio driver and device trade
 * buffers through guest memory.
 *
 * A split virtqueue is three areas in guest RAM, all set up by the
 * driver (virtio 1.2, 2.7):
 *
 *   descriptor table  size entries of {addr, len, flags, next}: each
 *                     names one buffer in guest memory, device-readable
 *                     or device-writable (WRITE), maybe chained to the
 *                     next (NEXT) or pointing at a table of its own
 *                     (INDIRECT);
 *   available ring    {flags, idx, ring[size]}: the driver puts the head
 *                     of each chain it offers in ring[idx % size], then
 *                     increments idx;
 *   used ring         {flags, idx, ring[size] of {id, len}}: the device
 *                     returns each finished chain's head, with how many
 *                     bytes it wrote, then increments idx.
 *
 * Everything here is written by the guest, so nothing can be trusted:
 * every address and length goes through guest_ptr(), which refuses any
 * range not wholly inside guest RAM (overflow included), chains are
 * bounded by the queue size (so a loop of NEXT links ends), and an
 * available index that runs ahead by more than the queue size is
 * refused. A broken queue is reported, never followed.
 *
 * Memory ordering: the driver writes a descriptor, then the ring entry,
 * then idx; we read idx with acquire semantics, so the entries it
 * covers are seen complete. We write the used element, then used->idx
 * with release semantics, so the driver never sees the index before
 * the element (virtio 1.2, 2.7.13 and 2.7.14).
 *
 * Reference: virtio 1.2, 2.7 Split Virtqueues (2.7.5 descriptor table,
 * 2.7.5.3 indirect descriptors, 2.7.6 available ring, 2.7.8 used ring);
 * <linux/virtio_ring.h> for the layouts.
 */
#include "virtqueue.h"

#include <linux/virtio_ring.h>
#include <stddef.h>
#include <string.h>

/* Alignment the spec requires of each area (virtio 1.2, 2.7, table). */
#define DESC_ALIGN  16
#define AVAIL_ALIGN 2
#define USED_ALIGN  4

static uint64_t desc_table_size(uint32_t size)
{
	return (uint64_t)size * sizeof(struct vring_desc);
}

static uint64_t avail_ring_size(uint32_t size)
{
	return offsetof(struct vring_avail, ring) + (uint64_t)size * sizeof(__virtio16);
}

static uint64_t used_ring_size(uint32_t size)
{
	return offsetof(struct vring_used, ring) +
	       (uint64_t)size * sizeof(struct vring_used_elem);
}

/*
 * virtq_check_layout - called when the driver says QueueReady: is the
 * size a power of 2 within our limit, is each area aligned and inside
 * RAM? NULL if so, else what is wrong.
 */
const char *virtq_check_layout(const struct guest_memory *mem, const struct virtq *vq)
{
	if (vq->size == 0 || vq->size > VIRTQ_MAX_SIZE || (vq->size & (vq->size - 1)))
		return "queue size is not a power of 2 up to QueueNumMax";
	if (vq->desc_addr % DESC_ALIGN || vq->avail_addr % AVAIL_ALIGN ||
	    vq->used_addr % USED_ALIGN)
		return "a queue area is misaligned";
	if (!guest_ptr(mem, vq->desc_addr, desc_table_size(vq->size)) ||
	    !guest_ptr(mem, vq->avail_addr, avail_ring_size(vq->size)) ||
	    !guest_ptr(mem, vq->used_addr, used_ring_size(vq->size)))
		return "a queue area is outside guest RAM";
	return NULL;
}

/* The rings, as pointers into guest RAM; the layout was checked. */
static struct vring_avail *avail_ring(const struct guest_memory *mem, const struct virtq *vq)
{
	return guest_ptr(mem, vq->avail_addr, avail_ring_size(vq->size));
}

static struct vring_used *used_ring(const struct guest_memory *mem, const struct virtq *vq)
{
	return guest_ptr(mem, vq->used_addr, used_ring_size(vq->size));
}

/* Adds one buffer to the chain, checking it against RAM and the bound. */
static int add_buffer(const struct guest_memory *mem, struct virtq_chain *chain,
		      const struct vring_desc *d, const char **why)
{
	if (chain->count == VIRTQ_MAX_BUFFERS) {
		*why = "descriptor chain longer than the queue (a loop?)";
		return -1;
	}
	if (!guest_ptr(mem, d->addr, d->len)) {
		*why = "a buffer lies outside guest RAM";
		return -1;
	}
	chain->buf[chain->count++] = (struct virtq_buffer){
		.addr = d->addr, .len = d->len,
		.writable = d->flags & VRING_DESC_F_WRITE,
	};
	return 0;
}

/*
 * Follows an indirect table: a descriptor whose buffer is itself an
 * array of descriptors, chained by index from entry 0 (2.7.5.3). It may
 * not nest, and its chain is bounded by its own length. Unlike the
 * queue's own table it may lie at any address (2.7's alignments are the
 * queue areas'), so it is read as bytes: each entry memcpy'd out, never
 * through a struct pointer that an odd address would make misaligned.
 */
static int walk_indirect(const struct guest_memory *mem, struct virtq_chain *chain,
			 const struct vring_desc *table_desc, const char **why)
{
	uint32_t entries = table_desc->len / sizeof(struct vring_desc);
	const uint8_t *table;
	uint32_t i = 0;

	if (table_desc->len == 0 || table_desc->len % sizeof(struct vring_desc) ||
	    entries > VIRTQ_MAX_BUFFERS) {
		*why = "bad indirect table length";
		return -1;
	}
	table = guest_ptr(mem, table_desc->addr, table_desc->len);
	if (!table) {
		*why = "indirect table outside guest RAM";
		return -1;
	}
	for (uint32_t steps = 0;; steps++) {
		struct vring_desc d;

		if (steps == entries) {
			*why = "indirect chain longer than its table (a loop?)";
			return -1;
		}
		memcpy(&d, table + (uint64_t)i * sizeof(d), sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			*why = "nested indirect table";
			return -1;
		}
		if (add_buffer(mem, chain, &d, why) < 0)
			return -1;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= entries) {
			*why = "indirect descriptor index out of range";
			return -1;
		}
		i = d.next;
	}
}

/* Walks the chain that starts at descriptor `head`. */
static int walk_chain(const struct guest_memory *mem, const struct virtq *vq,
		      uint16_t head, struct virtq_chain *chain, const char **why)
{
	const struct vring_desc *table = guest_ptr(mem, vq->desc_addr, desc_table_size(vq->size));
	uint16_t i = head;

	chain->head = head;
	chain->count = 0;
	for (unsigned steps = 0;; steps++) {
		struct vring_desc d;

		if (i >= vq->size) {
			*why = "descriptor index out of range";
			return -1;
		}
		if (steps == vq->size) {
			*why = "descriptor chain longer than the queue (a loop?)";
			return -1;
		}
		memcpy(&d, &table[i], sizeof(d)); /* one snapshot of what the guest wrote */
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect_allowed) {
				*why = "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC";
				return -1;
			}
			/* An indirect descriptor ends the chain: direct ones may
			 * come before it, none after (2.7.5.3.1, 2.7.5.3.2). */
			if (d.flags & VRING_DESC_F_NEXT) {
				*why = "indirect descriptor with NEXT";
				return -1;
			}
			return walk_indirect(mem, chain, &d, why);
		}
		if (add_buffer(mem, chain, &d, why) < 0)
			return -1;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

/*
 * virtq_pop - takes the next chain the driver made available. Returns
 * VIRTQ_GOT_CHAIN with *chain filled, VIRTQ_EMPTY, or VIRTQ_BROKEN with
 * *why saying what rule the driver broke.
 */
int virtq_pop(const struct guest_memory *mem, struct virtq *vq,
	      struct virtq_chain *chain, const char **why)
{
	struct vring_avail *avail = avail_ring(mem, vq);
	uint16_t avail_idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail_idx);

	if (pending == 0)
		return VIRTQ_EMPTY;
	if (pending > vq->size) {
		*why = "available index ran ahead of the queue";
		return VIRTQ_BROKEN;
	}
	uint16_t head = avail->ring[vq->last_avail_idx % vq->size];
	if (walk_chain(mem, vq, head, chain, why) < 0)
		return VIRTQ_BROKEN;
	vq->last_avail_idx++;
	return VIRTQ_GOT_CHAIN;
}

/*
 * virtq_push - returns a finished chain to the driver: its head and the
 * bytes written into its device-writable buffers. 0, or -1 with *why.
 */
int virtq_push(const struct guest_memory *mem, struct virtq *vq,
	       uint16_t head, uint32_t written, const char **why)
{
	struct vring_used *used = used_ring(mem, vq);

	if (!used) {
		*why = "used ring outside guest RAM";
		return -1;
	}
	used->ring[vq->used_idx % vq->size] =
		(struct vring_used_elem){ .id = head, .len = written };
	vq->used_idx++;
	/* The element first, then the index that publishes it. */
	__atomic_store_n(&used->idx, vq->used_idx, __ATOMIC_RELEASE);
	return 0;
}

/*
 * virtq_wants_interrupt - false when the driver has asked not to be
 * interrupted for this queue (VRING_AVAIL_F_NO_INTERRUPT, 2.7.7).
 */
bool virtq_wants_interrupt(const struct guest_memory *mem, const struct virtq *vq)
{
	const struct vring_avail *avail = avail_ring(mem, vq);

	return !(__atomic_load_n(&avail->flags, __ATOMIC_ACQUIRE) & VRING_AVAIL_F_NO_INTERRUPT);
}
