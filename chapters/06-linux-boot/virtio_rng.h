/*
 * virtio_rng.h - a virtio entropy device.
 */
#ifndef VIRTIO_RNG_H
#define VIRTIO_RNG_H

#include "virtio_mmio.h"

struct virtio_rng {
	unsigned long long bytes;  /* handed out so far */
};

extern const struct virtio_device_ops virtio_rng_ops;

#endif
