/*
 * pvpanic.c - the pvpanic device: how a guest kernel tells its VMM that
 * it panicked.
 *
 * A kernel that panics prints its last words and then, with panic=-1
 * and reboot=k, resets the machine, which ends our VM with status 0,
 * as if the guest had finished its work. The pvpanic device tells the
 * two apart. It is a single I/O port, 0x505, in QEMU's ISA form:
 *
 *   read   the events the device supports: PVPANIC_PANICKED (bit 0)
 *          and PVPANIC_CRASH_LOADED (bit 1); the driver sends only
 *          those
 *   write  an event: PANICKED from the kernel's panic notifier, or
 *          CRASH_LOADED when a crash kernel (kdump) is about to take
 *          over instead
 *
 * A PANICKED write ends the VM as a crash (status 70, with a line on
 * stderr: devices.c). CRASH_LOADED lets the guest go on: the crash
 * kernel runs next and ends the VM itself. The OS cannot probe a port,
 * so the DSDT announces the device (acpi.c), with the _HID that
 * Linux's pvpanic-mmio driver matches, "QEMU0001".
 *
 * Reference: QEMU docs/specs/pvpanic.rst; Linux
 * include/uapi/misc/pvpanic.h and drivers/misc/pvpanic/ (pvpanic.c,
 * pvpanic-mmio.c).
 */
#include "pvpanic.h"

#include <misc/pvpanic.h>

#define PVPANIC_EVENTS (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

void pvpanic_init(struct pvpanic *dev, void (*panicked)(void *), void *ctx)
{
	*dev = (struct pvpanic){ .panicked = panicked, .ctx = ctx };
}

/* The driver reads the port once, at probe, to learn what it may send. */
uint8_t pvpanic_read(void *opaque, uint16_t offset)
{
	(void)opaque, (void)offset;
	return PVPANIC_EVENTS;
}

/* An event from the guest; only a panic ends the VM. */
void pvpanic_write(void *opaque, uint16_t offset, uint8_t value)
{
	struct pvpanic *dev = opaque;

	(void)offset;
	if (value & PVPANIC_PANICKED)
		dev->panicked(dev->ctx);
}
