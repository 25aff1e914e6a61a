/*
 * virtio_mmio.c - the virtio-mmio transport: a virtio device as a page
 * of registers in guest-physical memory.
 *
 * A virtio device is the same whatever bus carries it: feature bits, a
 * status byte, some virtqueues and a config space. The transport is how
 * the driver reaches those. virtio-mmio, the simplest, is a 4 KiB page
 * of 32-bit registers (virtio 1.2, 4.2.2) that the driver finds by
 * probing for the magic value "virt", plus one interrupt line.
 *
 * The driver brings the device up in a fixed order (3.1.1): reset
 * (status 0), ACKNOWLEDGE, DRIVER, read the device's feature bits and
 * write the subset it accepts, FEATURES_OK (which the device may refuse:
 * the driver reads status back), set up each queue (size, the three area
 * addresses, QueueReady), DRIVER_OK. From then on a write to
 * QueueNotify says "look at queue n", and the device answers through
 * the used ring and an interrupt, which the driver acknowledges by
 * writing the bits of InterruptStatus it saw to InterruptACK.
 *
 * We require VIRTIO_F_VERSION_1: a legacy (pre-1.0) driver is refused
 * at FEATURES_OK. When the driver breaks a queue's rules, the device
 * sets DEVICE_NEEDS_RESET, raises a configuration-change interrupt, says
 * so once on stderr, and processes nothing more until the driver resets
 * it (2.1.2); the VM itself runs on.
 *
 * Registers are 32 bits wide and accessed as such; in config space a
 * driver uses each field's own width (4.2.2.2), and we serve any width
 * inside the config. Other register widths and unknown offsets read
 * zero and are ignored on writes.
 *
 * Reference: virtio 1.2, 2.1 device status, 2.2 feature bits, 3.1 device
 * initialization, 4.2 virtio over MMIO; <linux/virtio_mmio.h> and
 * <linux/virtio_config.h> for the names.
 */
#include "virtio_mmio.h"

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <string.h>

#define VIRTIO_MMIO_MAGIC  0x74726976 /* "virt", little-endian */
#define VIRTIO_MMIO_MODERN 2          /* version 2: virtio 1.x registers */
#define VIRTIO_VENDOR_ID   0x4b564d42 /* "BMVK": kvmbook's own */
#define REGISTER_WIDTH     4

/* virtio_mmio_init - a device after power-on, wired to its IRQ line. */
void virtio_mmio_init(struct virtio_device *dev, const struct virtio_device_ops *ops,
		      void *priv, uint64_t features, const struct guest_memory *mem,
		      void (*set_irq)(void *, int), void *irq_ctx, unsigned index)
{
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->priv = priv;
	dev->mem = mem;
	dev->device_features = features | (1ULL << VIRTIO_F_VERSION_1);
	dev->set_irq = set_irq;
	dev->irq_ctx = irq_ctx;
	dev->index = index;
}

/* The line is high while any interrupt status bit is set (level). */
static void update_irq(struct virtio_device *dev)
{
	int level = dev->interrupt_status != 0;

	if (level != dev->irq_level) {
		dev->irq_level = level;
		dev->set_irq(dev->irq_ctx, level);
	}
}

/* Writing 0 to Status resets the device: queues, features, interrupts. */
static void reset(struct virtio_device *dev)
{
	dev->status = 0;
	dev->driver_features = 0;
	dev->device_features_sel = dev->driver_features_sel = 0;
	dev->queue_sel = 0;
	dev->interrupt_status = 0;
	memset(dev->queues, 0, sizeof(dev->queues));
	update_irq(dev);
}

/*
 * The driver broke a rule: stop processing, tell it (NEEDS_RESET plus a
 * configuration-change interrupt) and tell the user, once.
 */
static void device_error(struct virtio_device *dev, const char *why)
{
	if (!(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		fprintf(stderr, "vmm: virtio-%s (device %u): %s; device needs reset\n",
			dev->ops->name, dev->index, why);
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	dev->interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
	update_irq(dev);
}

static struct virtq *selected_queue(struct virtio_device *dev)
{
	return dev->queue_sel < dev->ops->num_queues ? &dev->queues[dev->queue_sel] : NULL;
}

/* The driver wrote QueueNotify: handle every chain it made available. */
static void notify(struct virtio_device *dev, uint32_t queue)
{
	struct virtq_chain chain;
	const char *why = NULL;
	bool used_any = false;

	/* Only a driver that finished negotiating (3.1.1) gets service. */
	if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) ||
	    !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET) ||
	    queue >= dev->ops->num_queues || !dev->queues[queue].ready)
		return;
	struct virtq *vq = &dev->queues[queue];
	for (;;) {
		int got = virtq_pop(dev->mem, vq, &chain, &why);
		uint32_t written = 0;

		if (got == VIRTQ_EMPTY)
			break;
		if (got == VIRTQ_BROKEN ||
		    dev->ops->handle_chain(dev, queue, &chain, &written, &why) < 0 ||
		    virtq_push(dev->mem, vq, chain.head, written, &why) < 0) {
			device_error(dev, why);
			return;
		}
		used_any = true;
	}
	if (used_any && virtq_wants_interrupt(dev->mem, vq)) {
		dev->interrupt_status |= VIRTIO_MMIO_INT_VRING;
		update_irq(dev);
	}
}

/*
 * The driver wrote Status. 0 resets; otherwise bits only accumulate.
 * FEATURES_OK sticks only if the accepted features are a subset of
 * ours that includes VERSION_1 (3.1.1 step 5-6).
 */
static void write_status(struct virtio_device *dev, uint32_t value)
{
	if (value == 0) {
		reset(dev);
		return;
	}
	if ((value & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		bool subset = !(dev->driver_features & ~dev->device_features);
		bool modern = dev->driver_features & (1ULL << VIRTIO_F_VERSION_1);

		if (!subset || !modern)
			value &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	/* NEEDS_RESET is the device's to set, not the driver's. */
	dev->status |= value & ~VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* QueueReady = 1: the queue's layout must hold up before we use it. */
static void write_queue_ready(struct virtio_device *dev, struct virtq *vq, uint32_t value)
{
	if (!value) {
		vq->ready = false;
		return;
	}
	const char *why = virtq_check_layout(dev->mem, vq);
	if (why) {
		device_error(dev, why);
		return;
	}
	/* Indirect tables only if both sides agreed to them (2.7.5.3). */
	vq->indirect_allowed = dev->driver_features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->ready = true;
}

/* Half of a 64-bit register pair: low or high 32 bits. */
static void set_half(uint64_t *reg, bool high, uint32_t value)
{
	if (high)
		*reg = (*reg & 0xffffffffULL) | (uint64_t)value << 32;
	else
		*reg = (*reg & ~0xffffffffULL) | value;
}

static uint32_t read_register(struct virtio_device *dev, uint64_t offset)
{
	struct virtq *vq = selected_queue(dev);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:	return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:	return VIRTIO_MMIO_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:	return dev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:	return VIRTIO_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return dev->device_features_sel > 1 ? 0 :
		       (uint32_t)(dev->device_features >> (32 * dev->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:	return vq ? VIRTQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY:	return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return dev->interrupt_status;
	case VIRTIO_MMIO_STATUS:	return dev->status;
	case VIRTIO_MMIO_CONFIG_GENERATION: return dev->config_generation;
	/* No shared memory regions: a region that does not exist has
	 * length and base -1 (4.2.2). */
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:	return 0xffffffff;
	default:			return 0; /* write-only or reserved */
	}
}

static void write_queue_register(struct virtio_device *dev, uint64_t offset, uint32_t value)
{
	struct virtq *vq = selected_queue(dev);

	/* The layout is fixed once the queue is ready (4.2.2.3). */
	if (!vq || vq->ready)
		return;
	switch (offset) {
	/* Kept whole: 0x10008 cut to 16 bits would pass as 8, a size the
	 * driver never asked for. A size above QueueNumMax breaks 4.2.2.2,
	 * and QueueReady refuses it: the device needs a reset, as the
	 * rust-vmm virtio-queue refuses such a queue when it is activated.
	 * (QEMU ignores the write instead, keeping the old size.) */
	case VIRTIO_MMIO_QUEUE_NUM:	   vq->size = value; break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:   set_half(&vq->desc_addr, false, value); break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:  set_half(&vq->desc_addr, true, value); break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:  set_half(&vq->avail_addr, false, value); break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: set_half(&vq->avail_addr, true, value); break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:   set_half(&vq->used_addr, false, value); break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:  set_half(&vq->used_addr, true, value); break;
	}
}

static void write_register(struct virtio_device *dev, uint64_t offset, uint32_t value)
{
	struct virtq *vq = selected_queue(dev);

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: dev->device_features_sel = value; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: dev->driver_features_sel = value; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Only before FEATURES_OK; words past the second are ignored. */
		if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) && dev->driver_features_sel < 2)
			set_half(&dev->driver_features, dev->driver_features_sel == 1, value);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:	dev->queue_sel = value; break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (vq)
			write_queue_ready(dev, vq, value);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:	notify(dev, value); break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev->interrupt_status &= ~value;
		update_irq(dev);
		break;
	case VIRTIO_MMIO_STATUS:	write_status(dev, value); break;
	default:			write_queue_register(dev, offset, value); break;
	}
}

/* Config space: any width, bounded by the device's config size. */
static bool config_range(const struct virtio_device *dev, uint64_t offset, uint32_t len)
{
	return offset >= VIRTIO_MMIO_CONFIG &&
	       offset - VIRTIO_MMIO_CONFIG <= dev->config_size &&
	       len <= dev->config_size - (offset - VIRTIO_MMIO_CONFIG);
}

/* virtio_mmio_read - a guest read of `len` bytes at `offset` in the page. */
void virtio_mmio_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct virtio_device *dev = opaque;
	uint32_t value;

	memset(data, 0, len);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (config_range(dev, offset, len))
			memcpy(data, dev->config + (offset - VIRTIO_MMIO_CONFIG), len);
		return;
	}
	if (len != REGISTER_WIDTH || offset % REGISTER_WIDTH)
		return;
	value = read_register(dev, offset);
	memcpy(data, &value, sizeof(value));
}

/* virtio_mmio_write - a guest write of `len` bytes at `offset`. */
void virtio_mmio_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct virtio_device *dev = opaque;
	uint32_t value;

	if (offset >= VIRTIO_MMIO_CONFIG)
		return; /* our devices' config spaces are read-only */
	if (len != REGISTER_WIDTH || offset % REGISTER_WIDTH)
		return;
	memcpy(&value, data, sizeof(value));
	write_register(dev, offset, value);
}
