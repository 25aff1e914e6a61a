/*
 * portio.c - the guest's port I/O: KVM_EXIT_IO.
 *
 * x86 has a second address space beside memory: 65536 I/O ports, reached
 * only with IN and OUT (and their string forms INS/OUTS). When the guest
 * executes one, KVM stops it and hands us the access in kvm_run->io:
 * direction, port, size (1, 2 or 4 bytes) and count. The bytes live in
 * the kvm_run page itself, at data_offset: for OUT the guest's data, for
 * IN the place where we must put what the guest reads. A REP INSB/OUTSB
 * can arrive as one exit with count > 1: count elements of size bytes.
 *
 * This chapter's machine has two devices: the console on COM1 and the
 * exit port. Any other port is "unclaimed": as on a PC, where no device
 * drives the bus, reads see all ones (0xff) and writes vanish.
 *
 * Reference: Intel SDM Vol. 1, chapter 19 (input/output); KVM api.rst
 * section 5 (KVM_EXIT_IO).
 */
#include "portio.h"

#include <linux/kvm.h>
#include <string.h>

#include "console.h"

/* What a read from a port with no device behind it returns. */
#define UNCLAIMED_BYTE 0xff

/*
 * One element of an OUT. Returns VM_RUNNING, or the exit status when
 * the guest wrote to the exit port. Devices here are 8 bits wide, so
 * a wider access reaches them as its low byte.
 */
static int port_write(uint16_t port, const uint8_t *data)
{
	if (port == EXIT_PORT)
		return data[0];
	if (console_claims(port))
		console_write(port, data[0]);
	return VM_RUNNING;
}

/* One IN of `size` bytes: the device's byte, padded with all-ones. */
static void port_read(uint16_t port, uint8_t *data, uint8_t size)
{
	memset(data, UNCLAIMED_BYTE, size);
	if (console_claims(port))
		data[0] = console_read(port);
}

/*
 * handle_io - carries out every element of the exit's access. Returns
 * VM_RUNNING, or the guest's chosen exit status.
 */
int handle_io(struct vm *vm)
{
	struct kvm_run *run = vm->vcpu.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			int status = port_write(run->io.port, data);

			if (status != VM_RUNNING)
				return status;
		} else {
			port_read(run->io.port, data, run->io.size);
		}
	}
	return VM_RUNNING;
}
