/*
 * mmiobus.c - the MMIO bus: which device answers which guest-physical
 * addresses that are not RAM.
 *
 * Memory-mapped I/O puts device registers in the physical address
 * space: the guest uses ordinary loads and stores, and since no memory
 * slot covers those addresses, KVM stops with KVM_EXIT_MMIO and hands us
 * the address, the width (1, 2, 4 or 8 bytes) and the data. As on the
 * port bus (iobus.c), devices claim ranges, overlaps are refused, and an
 * access nobody claims reads all ones and is otherwise dropped. Unlike
 * the ISA port bus, an access is not split: a device sees the width the
 * CPU used, because MMIO registers care (virtio's are 32 bits wide). An
 * access must lie wholly inside one device's range.
 *
 * Reference: KVM api.rst section 5 (KVM_EXIT_MMIO); kvmtool's mmio.c.
 */
#include "mmiobus.h"

#include <string.h>

#define MMIO_FLOATING 0xff

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * mmiobus_register - adds a device. Refuses an empty or wrapping range,
 * an overlap and a full bus, each with a one-line message and -1.
 */
int mmiobus_register(struct mmiobus *bus, const struct mmio_device *dev)
{
	if (dev->len == 0 || dev->base + dev->len < dev->base) {
		fprintf(stderr, "vmm: bad MMIO range for %s\n", dev->name);
		return -1;
	}
	for (int i = 0; i < bus->count; i++) {
		const struct mmio_device *other = &bus->devices[i];

		if (overlaps(dev->base, dev->len, other->base, other->len)) {
			fprintf(stderr, "vmm: MMIO range of %s overlaps %s\n",
				dev->name, other->name);
			return -1;
		}
	}
	if (bus->count == MMIOBUS_MAX_DEVICES) {
		fprintf(stderr, "vmm: no room on the MMIO bus for %s\n", dev->name);
		return -1;
	}
	bus->devices[bus->count++] = *dev;
	return 0;
}

static int find_index(const struct mmiobus *bus, uint64_t addr, uint32_t len)
{
	for (int i = 0; i < bus->count; i++) {
		const struct mmio_device *dev = &bus->devices[i];

		if (addr >= dev->base && addr - dev->base < dev->len &&
		    len <= dev->len - (addr - dev->base))
			return i;
	}
	return -1;
}

/* mmiobus_find - the device whose range holds all of [addr, addr+len). */
const struct mmio_device *mmiobus_find(const struct mmiobus *bus, uint64_t addr, uint32_t len)
{
	int i = find_index(bus, addr, len);

	return i < 0 ? NULL : &bus->devices[i];
}

/* mmiobus_access - one load or store of `len` bytes at `addr`. */
void mmiobus_access(struct mmiobus *bus, uint64_t addr, bool is_write,
		    uint8_t *data, uint32_t len)
{
	int i = find_index(bus, addr, len);

	if (i < 0) {
		bus->unclaimed_accesses++;
		if (!is_write)
			memset(data, MMIO_FLOATING, len);
		return;
	}
	const struct mmio_device *dev = &bus->devices[i];
	bus->accesses[i]++;
	if (is_write)
		dev->write(dev->opaque, addr - dev->base, data, len);
	else
		dev->read(dev->opaque, addr - dev->base, data, len);
}

/* mmiobus_device_name - who has the access, for --trace. */
const char *mmiobus_device_name(const struct mmiobus *bus, uint64_t addr, uint32_t len)
{
	const struct mmio_device *dev = mmiobus_find(bus, addr, len);

	return dev ? dev->name : "unclaimed";
}

/* mmiobus_stats_print - the --stats rows of MMIO accesses per device. */
void mmiobus_stats_print(const struct mmiobus *bus, FILE *out)
{
	fprintf(out, "%-20s %10s\n", "mmio device", "accesses");
	for (int i = 0; i < bus->count; i++)
		if (bus->accesses[i])
			fprintf(out, "mmio:%-15s %10llu\n", bus->devices[i].name,
				bus->accesses[i]);
	if (bus->unclaimed_accesses)
		fprintf(out, "mmio:%-15s %10llu\n", "unclaimed", bus->unclaimed_accesses);
}
