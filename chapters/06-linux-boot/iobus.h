/*
 * iobus.h - the port I/O bus: which device answers which port.
 */
#ifndef IOBUS_H
#define IOBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define IOBUS_MAX_DEVICES 16
/* All ones: what a read finds when no device drives the bus. */
#define IOBUS_FLOATING 0xff

/*
 * A device model on the bus: a range of ports and what happens when the
 * guest reads or writes one of them. `offset` is the port minus `base`.
 */
struct io_device {
	const char *name;   /* for --trace and --stats */
	uint16_t base;
	uint16_t len;       /* number of ports */
	uint8_t (*read)(void *opaque, uint16_t offset);
	void (*write)(void *opaque, uint16_t offset, uint8_t value);
	void *opaque;       /* the device's own state */
};

struct iobus {
	struct io_device devices[IOBUS_MAX_DEVICES];
	int count;
	unsigned long long exits[IOBUS_MAX_DEVICES]; /* accesses per device */
	unsigned long long unclaimed_exits;
};

int iobus_register(struct iobus *bus, const struct io_device *dev);
const struct io_device *iobus_find(const struct iobus *bus, uint16_t port);
void iobus_access(struct iobus *bus, uint16_t port, bool is_write,
		  uint8_t *data, uint8_t size);
const char *iobus_device_name(const struct iobus *bus, uint16_t port);
void iobus_stats_print(const struct iobus *bus, FILE *out);

#endif
