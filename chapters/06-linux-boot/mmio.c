/*
 * mmio.c - memory-mapped I/O: KVM_EXIT_MMIO.
 *
 * A guest-physical address that no memory slot covers is not RAM. When
 * the guest loads from or stores to one, KVM decodes the instruction and
 * exits with kvm_run->mmio: the address, the width (1 to 8 bytes), and
 * for a store the data; for a load we fill mmio.data before the next
 * KVM_RUN, which completes the instruction. The access goes to the MMIO
 * bus (mmiobus.c), where the virtio devices have their register pages;
 * addresses nobody claims read all ones and drop writes.
 *
 * Reference: KVM api.rst section 5 (KVM_EXIT_MMIO).
 */
#include "mmio.h"

#include <linux/kvm.h>

/* The width KVM reports, never more than mmio.data holds. */
static uint32_t access_len(const struct kvm_run *run)
{
	return run->mmio.len <= sizeof(run->mmio.data) ? run->mmio.len
						       : sizeof(run->mmio.data);
}

int handle_mmio(struct vm *vm)
{
	struct kvm_run *run = vm->vcpu.run;

	mmiobus_access(&vm->mmio_bus, run->mmio.phys_addr, run->mmio.is_write,
		       run->mmio.data, access_len(run));
	return VM_RUNNING;
}
