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
