/*
 * virtio_mmio.h - the virtio-mmio transport: a virtio device as a page
 * of registers in guest-physical memory.
 */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "memory.h"
#include "virtqueue.h"

/* Device i sits at BASE + i * SIZE with IRQ FIRST_IRQ + i (appendix A). */
#define VIRTIO_MMIO_BASE      0xd0000000ULL
#define VIRTIO_MMIO_SIZE      0x1000
#define VIRTIO_MMIO_FIRST_IRQ 5
#define VIRTIO_MMIO_MAX_DEVICES 8
#define VIRTIO_MAX_QUEUES 2
#define VIRTIO_MAX_CONFIG 256

struct virtio_device;

/* What a device type adds to the transport (virtio_blk.c, virtio_rng.c). */
struct virtio_device_ops {
	const char *name;
	uint32_t device_id;     /* virtio 1.2, 5: 2 block, 4 entropy, ... */
	unsigned num_queues;
	/* Handle one chain; set *written to the bytes written into its
	 * writable buffers. 0, or -1 with *why if the request is malformed. */
	int (*handle_chain)(struct virtio_device *dev, unsigned queue,
			    const struct virtq_chain *chain, uint32_t *written,
			    const char **why);
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	void *priv;                     /* the device type's own state */
	const struct guest_memory *mem;
	uint64_t device_features;       /* offered: VERSION_1 and the type's */
	uint8_t config[VIRTIO_MAX_CONFIG]; /* device config space, from 0x100 */
	uint32_t config_size;

	/* Transport registers (virtio 1.2, 4.2.2). */
	uint32_t status;
	uint32_t device_features_sel, driver_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t interrupt_status;
	uint32_t config_generation;
	struct virtq queues[VIRTIO_MAX_QUEUES];

	/* Wiring: the IRQ line. */
	void (*set_irq)(void *ctx, int level);
	void *irq_ctx;
	int irq_level;
	unsigned index;                 /* device i: for messages */
};

void virtio_mmio_init(struct virtio_device *dev, const struct virtio_device_ops *ops,
		      void *priv, uint64_t features, const struct guest_memory *mem,
		      void (*set_irq)(void *, int), void *irq_ctx, unsigned index);
void virtio_mmio_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len);
void virtio_mmio_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len);

#endif
