/*
 * virtio_blk.h - a virtio block device backed by a host file.
 */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include <linux/virtio_blk.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio_mmio.h"

#define SECTOR_SIZE 512
/* Data buffers per request (seg_max): the queue, less header and status. */
#define BLK_SEG_MAX (VIRTQ_MAX_SIZE - 2)
/*
 * The most one data buffer may hold (size_max, VIRTIO_BLK_F_SIZE_MAX):
 * a page. A request then moves at most BLK_MAX_REQUEST bytes, under
 * 1 MiB, and one notify (a queue of requests) under 256 MiB. The I/O is
 * done on the vCPU's thread, inside the exit of the notify, and before
 * this bound one 4 GiB request could hold it there for seconds.
 */
#define BLK_SIZE_MAX 4096
#define BLK_MAX_REQUEST ((uint64_t)BLK_SEG_MAX * BLK_SIZE_MAX)

struct virtio_blk {
	int fd;
	bool readonly;
	uint64_t capacity;              /* in 512-byte sectors */
	char id[VIRTIO_BLK_ID_BYTES];   /* GET_ID's answer */
};

extern const struct virtio_device_ops virtio_blk_ops;

int virtio_blk_open(struct virtio_blk *blk, const char *path, bool readonly);
uint64_t virtio_blk_features(const struct virtio_blk *blk);
void virtio_blk_fill_config(const struct virtio_blk *blk, struct virtio_device *dev);
void virtio_blk_close(struct virtio_blk *blk);

#endif
