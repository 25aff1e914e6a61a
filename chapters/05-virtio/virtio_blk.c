/*
 * virtio_blk.c - a virtio block device backed by a host file.
 *
 * The guest sees a disk of 512-byte sectors; we keep it in a file. Each
 * request is one descriptor chain (virtio 1.2, 5.2.6):
 *
 *   header   device-readable: type (IN, OUT, FLUSH, GET_ID, ...), a
 *            reserved word, and the first sector;
 *   data     zero or more buffers: device-writable for IN and GET_ID,
 *            device-readable for OUT;
 *   status   device-writable, one byte we fill in: OK, IOERR or UNSUPP.
 *
 * Linux's driver gives the header, each data piece and the status
 * byte a buffer of their own, but any split is legal, so we read the
 * chain as one stream of bytes (parse_request). The data go between
 * guest RAM and the file with preadv/pwritev, straight into the guest's
 * buffers. A FLUSH reaches the disk (fdatasync) before its status says
 * OK: that is the promise a journaling file system in the guest builds
 * on. Requests past the end of the disk, writes to a read-only disk, and
 * requests larger than seg_max buffers of size_max bytes could carry
 * complete with IOERR; unknown types with UNSUPP. A chain with no room
 * for a header or a status is not a request at all: the transport then
 * marks the device broken.
 *
 * Features offered: VIRTIO_BLK_F_SEG_MAX and VIRTIO_BLK_F_SIZE_MAX
 * (together they bound a request), VIRTIO_BLK_F_BLK_SIZE,
 * VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_RO for a read-only disk,
 * VIRTIO_RING_F_INDIRECT_DESC (the walker follows indirect tables), and
 * the transport's VIRTIO_F_VERSION_1.
 * Everything else (GEOMETRY, TOPOLOGY, MQ, DISCARD, WRITE_ZEROES,
 * CONFIG_WCE, EVENT_IDX, ...) is refused by not offering it.
 *
 * Reference: virtio 1.2, 5.2 Block Device; <linux/virtio_blk.h>.
 */
#include "virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sysexits.h>
#include <unistd.h>

/*
 * virtio_blk_open - opens the backing file. 0, or EX_NOINPUT (66) with a
 * one-line message when it cannot be opened or is not a regular file.
 */
int virtio_blk_open(struct virtio_blk *blk, const char *path, bool readonly)
{
	struct stat st;

	*blk = (struct virtio_blk){ .fd = -1, .readonly = readonly };
	/* O_NONBLOCK, as for the image (loader.c): a FIFO opens at once,
	 * and fstat refuses it. */
	blk->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC);
	if (blk->fd < 0) {
		fprintf(stderr, "vmm: cannot open disk %s: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	if (fstat(blk->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "vmm: disk %s is not a regular file\n", path);
		virtio_blk_close(blk);
		return EX_NOINPUT;
	}
	blk->capacity = (uint64_t)st.st_size / SECTOR_SIZE; /* a partial tail is unused */
	/* The ID is the file's name: 20 bytes, NUL-padded, and need not
	 * end in NUL (5.2.6). */
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	memcpy(blk->id, name, strnlen(name, sizeof(blk->id)));
	return 0;
}

void virtio_blk_close(struct virtio_blk *blk)
{
	if (blk->fd >= 0)
		close(blk->fd);
	blk->fd = -1;
}

/* virtio_blk_features - the feature bits this disk offers. */
uint64_t virtio_blk_features(const struct virtio_blk *blk)
{
	uint64_t features = 1ULL << VIRTIO_BLK_F_SEG_MAX |
			    1ULL << VIRTIO_BLK_F_SIZE_MAX |
			    1ULL << VIRTIO_BLK_F_BLK_SIZE |
			    1ULL << VIRTIO_BLK_F_FLUSH |
			    1ULL << VIRTIO_RING_F_INDIRECT_DESC;

	if (blk->readonly)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	return features;
}

/* virtio_blk_fill_config - the config space the driver reads (5.2.4). */
void virtio_blk_fill_config(const struct virtio_blk *blk, struct virtio_device *dev)
{
	struct virtio_blk_config config = {
		.capacity = blk->capacity,
		.size_max = BLK_SIZE_MAX,
		.seg_max = BLK_SEG_MAX,
		.blk_size = SECTOR_SIZE,
	};

	memcpy(dev->config, &config, sizeof(config));
	dev->config_size = sizeof(config);
}

/*
 * A request as we found it. The driver may split a request over its
 * buffers any way it likes (2.6.4: the device must not assume a
 * layout), so we read the chain as one stream of bytes: the header is
 * its first 16 bytes, the status its last byte, and the data whatever
 * lies between, as pieces of the guest's buffers.
 */
struct blk_request {
	struct virtio_blk_outhdr header;
	struct iovec data[VIRTQ_MAX_BUFFERS]; /* pieces of guest RAM */
	unsigned data_count;
	uint64_t data_len;
	bool data_writable;     /* every data byte is device-writable */
	bool data_readable;     /* every data byte is device-readable */
	uint8_t *status;
};

#define HEADER_SIZE sizeof(struct virtio_blk_outhdr)

static uint64_t chain_bytes(const struct virtq_chain *chain)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < chain->count; i++)
		total += chain->buf[i].len;
	return total;
}

/* Takes the piece [off, off + n) of buffer b as data. */
static void add_data(struct blk_request *req, const struct virtq_buffer *b,
		     uint8_t *p, uint64_t off, uint64_t n)
{
	req->data[req->data_count++] = (struct iovec){ .iov_base = p + off, .iov_len = n };
	req->data_len += n;
	if (b->writable)
		req->data_readable = false;
	else
		req->data_writable = false;
}

/*
 * Splits the chain's bytes into header, data and status. 0, or -1 with
 * *why when the chain cannot be a request at all.
 */
static int parse_request(const struct virtio_device *dev, const struct virtq_chain *chain,
			 struct blk_request *req, const char **why)
{
	uint64_t total = chain_bytes(chain), pos = 0;

	if (total < HEADER_SIZE + 1 || total > UINT32_MAX) {
		*why = "block request without room for a header and a status byte";
		return -1;
	}
	*req = (struct blk_request){ .data_writable = true, .data_readable = true };
	for (unsigned i = 0; i < chain->count; i++) {
		const struct virtq_buffer *b = &chain->buf[i];
		uint8_t *p = guest_ptr(dev->mem, b->addr, b->len);

		for (uint64_t off = 0; off < b->len;) {
			uint64_t at = pos + off, n;

			if (at < HEADER_SIZE) {
				if (b->writable) {
					*why = "block request header in a device-writable buffer";
					return -1;
				}
				n = b->len - off < HEADER_SIZE - at ? b->len - off : HEADER_SIZE - at;
				memcpy((uint8_t *)&req->header + at, p + off, n);
			} else if (at < total - 1) {
				n = b->len - off < total - 1 - at ? b->len - off : total - 1 - at;
				add_data(req, b, p, off, n);
			} else {
				if (!b->writable) {
					*why = "block request status in a device-readable buffer";
					return -1;
				}
				req->status = p + off;
				n = 1;
			}
			off += n;
		}
		pos += b->len;
	}
	return 0;
}

/* Does [sector, sector + len bytes) lie on the disk? Overflow-safe. */
static bool within_disk(const struct virtio_blk *blk, uint64_t sector, uint64_t len)
{
	uint64_t sectors = len / SECTOR_SIZE;

	return len % SECTOR_SIZE == 0 && sector <= blk->capacity &&
	       sectors <= blk->capacity - sector;
}

/* IN and OUT: move the data, all of it, or fail. */
static uint8_t read_write(struct virtio_device *dev, const struct blk_request *req,
			  bool is_read, uint32_t *written)
{
	struct virtio_blk *blk = dev->priv;
	ssize_t done;

	if (!is_read && blk->readonly)
		return VIRTIO_BLK_S_IOERR;
	/* Every data byte must go the request's way. */
	if (is_read ? !req->data_writable : !req->data_readable)
		return VIRTIO_BLK_S_IOERR;
	/* More than the driver was told it may send (size_max, seg_max):
	 * refused, so that no request holds the vCPU for long. */
	if (req->data_len > BLK_MAX_REQUEST)
		return VIRTIO_BLK_S_IOERR;
	if (!within_disk(blk, req->header.sector, req->data_len))
		return VIRTIO_BLK_S_IOERR;
	off_t offset = (off_t)(req->header.sector * SECTOR_SIZE);
	done = is_read ? preadv(blk->fd, req->data, (int)req->data_count, offset)
		       : pwritev(blk->fd, req->data, (int)req->data_count, offset);
	if (done < 0 || (uint64_t)done != req->data_len)
		return VIRTIO_BLK_S_IOERR;
	if (is_read)
		*written += (uint32_t)done;
	return VIRTIO_BLK_S_OK;
}

/* GET_ID: up to 20 bytes of identification, spread over the data. */
static uint8_t get_id(struct virtio_device *dev, const struct blk_request *req,
		      uint32_t *written)
{
	const struct virtio_blk *blk = dev->priv;
	size_t copied = 0;

	if (req->data_len == 0 || !req->data_writable)
		return VIRTIO_BLK_S_IOERR;
	for (unsigned i = 0; i < req->data_count && copied < sizeof(blk->id); i++) {
		size_t n = req->data[i].iov_len < sizeof(blk->id) - copied
				   ? req->data[i].iov_len : sizeof(blk->id) - copied;
		memcpy(req->data[i].iov_base, blk->id + copied, n);
		copied += n;
	}
	*written += (uint32_t)copied;
	return VIRTIO_BLK_S_OK;
}

/* One request: do it and write its status byte. */
static int blk_handle_chain(struct virtio_device *dev, unsigned queue,
			    const struct virtq_chain *chain, uint32_t *written,
			    const char **why)
{
	struct virtio_blk *blk = dev->priv;
	struct blk_request req;
	uint8_t status;

	(void)queue;
	if (parse_request(dev, chain, &req, why) < 0)
		return -1;
	*written = 0;
	switch (req.header.type) {
	case VIRTIO_BLK_T_IN:
		status = read_write(dev, &req, true, written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = read_write(dev, &req, false, written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		/* On the disk before we say so. */
		status = fdatasync(blk->fd) == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		status = get_id(dev, &req, written);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
	}
	*req.status = status;
	*written += 1;
	return 0;
}

const struct virtio_device_ops virtio_blk_ops = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.handle_chain = blk_handle_chain,
};
