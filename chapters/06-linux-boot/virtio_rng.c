/*
 * virtio_rng.c - a virtio entropy device.
 *
 * The simplest virtio device there is: one queue, and every buffer the
 * driver offers is device-writable; the device fills it with random
 * bytes and hands it back (virtio 1.2, 5.4). A guest kernel feeds them
 * to its own random pool, which otherwise starts starved in a VM with no
 * disks spinning and no keyboard. Ours come from the host's getrandom(2).
 * No features beyond the transport's; no config space.
 *
 * Reference: virtio 1.2, 5.4 Entropy Device; getrandom(2).
 */
#include "virtio_rng.h"

#include <linux/virtio_ids.h>
#include <stdint.h>
#include <sys/random.h>

/* Fills `len` bytes; getrandom may return fewer than asked. */
static int fill_random(uint8_t *buf, uint32_t len)
{
	while (len > 0) {
		ssize_t got = getrandom(buf, len, 0);

		if (got <= 0)
			return -1;
		buf += got;
		len -= (uint32_t)got;
	}
	return 0;
}

/* Every writable buffer of the chain, filled. Readable ones are skipped. */
static int rng_handle_chain(struct virtio_device *dev, unsigned queue,
			    const struct virtq_chain *chain, uint32_t *written,
			    const char **why)
{
	struct virtio_rng *rng = dev->priv;

	(void)queue;
	*written = 0;
	for (unsigned i = 0; i < chain->count; i++) {
		const struct virtq_buffer *b = &chain->buf[i];

		if (!b->writable)
			continue;
		if (b->len > UINT32_MAX - *written) {
			*why = "entropy request larger than 4 GiB";
			return -1;
		}
		if (fill_random(guest_ptr(dev->mem, b->addr, b->len), b->len) < 0) {
			*why = "getrandom failed";
			return -1;
		}
		*written += b->len;
	}
	rng->bytes += *written;
	return 0;
}

const struct virtio_device_ops virtio_rng_ops = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.num_queues = 1,
	.handle_chain = rng_handle_chain,
};
