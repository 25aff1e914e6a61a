/*
 * virtio_rng.h - a virtio entropy device.
 */
#ifndef VIRTIO_RNG_H
#define VIRTIO_RNG_H

#include "virtio_mmio.h"

/*
 * The most bytes one request gets (virtio_rng.c). Unbounded, a single
 * 3 GiB buffer held the vCPU in getrandom for seconds, inside one exit.
 * Linux's driver asks for 64 bytes at a time; a notify that finds a
 * whole queue of requests fills at most VIRTQ_MAX_SIZE x 64 KiB =
 * 16 MiB, tens of milliseconds.
 */
#define RNG_MAX_REQUEST (64 * 1024)

struct virtio_rng {
	unsigned long long bytes;  /* handed out so far */
};

extern const struct virtio_device_ops virtio_rng_ops;

#endif
