/*
 * mmio.c - memory-mapped I/O: KVM_EXIT_MMIO.
 *
 * A guest-physical address that no memory slot covers is not RAM. When
 * the guest loads from or stores to one, KVM decodes the instruction and
 * exits with kvm_run->mmio: the address, the width (1 to 8 bytes), and
 * for a store the data. That is how devices with memory-mapped registers
 * are emulated (chapter 5 puts virtio devices there). This chapter has
 * none, so it behaves like an empty bus: reads return all ones, writes
 * are dropped, and the guest runs on.
 *
 * Reference: KVM api.rst section 5 (KVM_EXIT_MMIO).
 */
#include "mmio.h"

#include <linux/kvm.h>
#include <string.h>

/* What a read from an address with nothing behind it returns. */
#define UNBACKED_BYTE 0xff

int handle_mmio(struct vm *vm)
{
	struct kvm_run *run = vm->vcpu.run;

	if (!run->mmio.is_write)
		memset(run->mmio.data, UNBACKED_BYTE, sizeof(run->mmio.data));
	return VM_RUNNING;
}
