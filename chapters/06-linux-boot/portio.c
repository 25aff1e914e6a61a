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
 * The accesses go to the port bus (iobus.c), where each device model
 * has claimed its range of ports; the bus also answers for unclaimed
 * ports (all ones on reads, writes dropped). A device may end the VM
 * (the exit port, the i8042 reset line): then we stop at that element.
 *
 * Reference: Intel SDM Vol. 1, chapter 19 (input/output); KVM api.rst
 * section 5 (KVM_EXIT_IO).
 */
#include "portio.h"

#include <linux/kvm.h>

/*
 * handle_io - carries out every element of the exit's access. Returns
 * VM_RUNNING, or the exit status a device asked for.
 */
int handle_io(struct vm *vm)
{
	struct kvm_run *run = vm->vcpu.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		iobus_access(&vm->io_bus, run->io.port, is_write, data,
			     run->io.size);
		if (vm->exit_status != VM_RUNNING)
			return vm->exit_status;
	}
	return VM_RUNNING;
}
