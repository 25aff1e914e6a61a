/*
 * pvpanic.h - the pvpanic device: the guest kernel reports its panic.
 */
#ifndef PVPANIC_H
#define PVPANIC_H

#include <stdint.h>

#define PVPANIC_PORT  0x505   /* QEMU's ISA pvpanic device, one port */
#define PVPANIC_PORTS 1
#define PVPANIC_HID   "QEMU0001"

struct pvpanic {
	void (*panicked)(void *ctx);  /* the guest kernel panicked */
	void *ctx;
};

void pvpanic_init(struct pvpanic *dev, void (*panicked)(void *), void *ctx);
uint8_t pvpanic_read(void *opaque, uint16_t offset);
void pvpanic_write(void *opaque, uint16_t offset, uint8_t value);

#endif
