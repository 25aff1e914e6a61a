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
 * The work happens on the vCPU's thread, inside the exit of the
 * driver's notify, so it is bounded: at most RNG_MAX_REQUEST bytes per
 * request, which the device may give (5.4.7.2: it "MAY use less than
 * the entire buffer length"; the driver reads the used length).
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

/*
 * The chain's writable buffers, filled in order up to RNG_MAX_REQUEST
 * bytes in all; readable ones are skipped. *written says how far.
 */
static int rng_handle_chain(struct virtio_device *dev, unsigned queue,
			    const struct virtq_chain *chain, uint32_t *written,
			    const char **why)
{
	struct virtio_rng *rng = dev->priv;

	(void)queue;
	*written = 0;
	for (unsigned i = 0; i < chain->count && *written < RNG_MAX_REQUEST; i++) {
		const struct virtq_buffer *b = &chain->buf[i];
		uint32_t room = RNG_MAX_REQUEST - *written;
		uint32_t n = b->len < room ? b->len : room;

		if (!b->writable)
			continue;
		if (fill_random(guest_ptr(dev->mem, b->addr, n), n) < 0) {
			*why = "getrandom failed";
			return -1;
		}
		*written += n;
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
