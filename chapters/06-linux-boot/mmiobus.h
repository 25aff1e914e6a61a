/*
 * mmiobus.h - the MMIO bus: which device answers which guest-physical
 * addresses that are not RAM.
 */
#ifndef MMIOBUS_H
#define MMIOBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MMIOBUS_MAX_DEVICES 16

/* A device model claiming [base, base + len) of guest-physical space. */
struct mmio_device {
	const char *name;
	uint64_t base;
	uint64_t len;
	void (*read)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len);
	void (*write)(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len);
	void *opaque;
};

struct mmiobus {
	struct mmio_device devices[MMIOBUS_MAX_DEVICES];
	int count;
	unsigned long long accesses[MMIOBUS_MAX_DEVICES];
	unsigned long long unclaimed_accesses;
};

int mmiobus_register(struct mmiobus *bus, const struct mmio_device *dev);
const struct mmio_device *mmiobus_find(const struct mmiobus *bus, uint64_t addr, uint32_t len);
void mmiobus_access(struct mmiobus *bus, uint64_t addr, bool is_write,
		    uint8_t *data, uint32_t len);
const char *mmiobus_device_name(const struct mmiobus *bus, uint64_t addr, uint32_t len);
void mmiobus_stats_print(const struct mmiobus *bus, FILE *out);

#endif
