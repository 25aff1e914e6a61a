/*
 * iobus.c - the port I/O bus: which device answers which port.
 *
 * On a PC, the CPU puts a port number on the bus and whichever device
 * decodes that port answers; if none does, the data lines float high
 * and a read finds all ones. Our bus does the same in software: device
 * models register a range of ports with a read and a write handler, and
 * KVM_EXIT_IO is dispatched to the device whose range holds the port.
 * Two devices must never claim the same port, so registration refuses
 * overlapping ranges.
 *
 * Every device here is an 8-bit ISA device (the UART, the CMOS clock,
 * the keyboard controller), so the bus splits a 16- or 32-bit access
 * into byte accesses to consecutive ports, as the ISA bus does: `in ax,
 * dx` at 0x70 reads port 0x70 and port 0x71.
 *
 * Reference: Intel SDM Vol. 1, 19.2 I/O Port Addressing; kvmtool's
 * ioport.c does the same job with a tree of ranges.
 */
#include "iobus.h"

#include <stddef.h>

/* The end of a range, one past its last port: in 32 bits, since it may
 * be 0x10000. */
static uint32_t range_end(uint16_t base, uint16_t len)
{
	return (uint32_t)base + len;
}

/*
 * iobus_register - adds a device. Refuses an empty range, a range past
 * port 0xffff, a range overlapping a registered one, and a full bus:
 * each with a one-line message and -1. Returns 0 on success.
 */
int iobus_register(struct iobus *bus, const struct io_device *dev)
{
	if (dev->len == 0 || range_end(dev->base, dev->len) > 0x10000) {
		fprintf(stderr, "vmm: bad port range for %s\n", dev->name);
		return -1;
	}
	for (int i = 0; i < bus->count; i++) {
		const struct io_device *other = &bus->devices[i];

		if (dev->base < range_end(other->base, other->len) &&
		    other->base < range_end(dev->base, dev->len)) {
			fprintf(stderr, "vmm: ports 0x%x-0x%x of %s overlap %s\n",
				dev->base, range_end(dev->base, dev->len) - 1,
				dev->name, other->name);
			return -1;
		}
	}
	if (bus->count == IOBUS_MAX_DEVICES) {
		fprintf(stderr, "vmm: no room on the port bus for %s\n", dev->name);
		return -1;
	}
	bus->devices[bus->count++] = *dev;
	return 0;
}

/* The index of the device that has `port`, or -1. */
static int find_index(const struct iobus *bus, uint16_t port)
{
	for (int i = 0; i < bus->count; i++) {
		const struct io_device *dev = &bus->devices[i];

		if (port >= dev->base && port < range_end(dev->base, dev->len))
			return i;
	}
	return -1;
}

/* iobus_find - the device that has `port`, or NULL. */
const struct io_device *iobus_find(const struct iobus *bus, uint16_t port)
{
	int i = find_index(bus, port);

	return i < 0 ? NULL : &bus->devices[i];
}

/* One byte to or from one port. */
static void access_byte(const struct iobus *bus, uint16_t port, bool is_write,
			uint8_t *byte)
{
	const struct io_device *dev = iobus_find(bus, port);

	if (!dev) {
		if (!is_write)
			*byte = IOBUS_FLOATING; /* unclaimed: writes vanish */
		return;
	}
	if (is_write)
		dev->write(dev->opaque, port - dev->base, *byte);
	else
		*byte = dev->read(dev->opaque, port - dev->base);
}

/*
 * iobus_access - one IN or OUT of `size` bytes at `port`: byte i goes to
 * port + i (wrapping at 0xffff, as the CPU's port space does). The
 * access is counted for the device at `port`, for --stats.
 */
void iobus_access(struct iobus *bus, uint16_t port, bool is_write,
		  uint8_t *data, uint8_t size)
{
	int i = find_index(bus, port);

	if (i < 0)
		bus->unclaimed_exits++;
	else
		bus->exits[i]++;
	for (uint8_t b = 0; b < size; b++)
		access_byte(bus, (uint16_t)(port + b), is_write, &data[b]);
}

/* iobus_device_name - who has `port`, for --trace: a name or "unclaimed". */
const char *iobus_device_name(const struct iobus *bus, uint16_t port)
{
	const struct io_device *dev = iobus_find(bus, port);

	return dev ? dev->name : "unclaimed";
}

/* iobus_stats_print - the --stats rows of port accesses per device. */
void iobus_stats_print(const struct iobus *bus, FILE *out)
{
	fprintf(out, "%-20s %10s\n", "port device", "accesses");
	for (int i = 0; i < bus->count; i++)
		if (bus->exits[i])
			fprintf(out, "io:%-17s %10llu\n", bus->devices[i].name,
				bus->exits[i]);
	if (bus->unclaimed_exits)
		fprintf(out, "io:%-17s %10llu\n", "unclaimed", bus->unclaimed_exits);
}
