/*
 * virtqueue.h - split virtqueues: how a virtio driver and device trade
 * buffers through guest memory.
 */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "memory.h"

/* The largest queue we offer (QueueNumMax); sizes are powers of 2. */
#define VIRTQ_MAX_SIZE 256
/* A chain never has more buffers than the queue has descriptors; an
 * indirect table is held to the same bound. */
#define VIRTQ_MAX_BUFFERS VIRTQ_MAX_SIZE

/* One queue's state as the driver set it up through the transport. */
struct virtq {
	uint32_t size;          /* descriptors in the table: QueueNum, all 32
				   bits as written, checked at QueueReady */
	bool ready;             /* QueueReady */
	uint64_t desc_addr;     /* guest-physical: descriptor table */
	uint64_t avail_addr;    /* guest-physical: available ring */
	uint64_t used_addr;     /* guest-physical: used ring */
	uint16_t last_avail_idx; /* the next available entry we will take */
	uint16_t used_idx;      /* our copy of used->idx */
	bool indirect_allowed;  /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
};

/* One buffer of a chain, checked to lie inside guest RAM. */
struct virtq_buffer {
	uint64_t addr;
	uint32_t len;
	bool writable;          /* device-writable (VRING_DESC_F_WRITE) */
};

/* A descriptor chain, flattened: indirect tables are followed. */
struct virtq_chain {
	uint16_t head;          /* descriptor index to return in the used ring */
	unsigned count;
	struct virtq_buffer buf[VIRTQ_MAX_BUFFERS];
};

enum virtq_pop_result {
	VIRTQ_BROKEN = -1,      /* the driver broke the rules; *why says how */
	VIRTQ_EMPTY = 0,        /* nothing new in the available ring */
	VIRTQ_GOT_CHAIN = 1,
};

const char *virtq_check_layout(const struct guest_memory *mem, const struct virtq *vq);
int virtq_pop(const struct guest_memory *mem, struct virtq *vq,
	      struct virtq_chain *chain, const char **why);
int virtq_push(const struct guest_memory *mem, struct virtq *vq,
	       uint16_t head, uint32_t written, const char **why);
bool virtq_wants_interrupt(const struct guest_memory *mem, const struct virtq *vq);

#endif
