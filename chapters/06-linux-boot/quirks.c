/*
 * quirks.c - emulation quirks: what booting Linux takes on a KVM that
 * emulates guest kernel code instead of running it on VT-x or AMD-V.
 *
 * Some machines (nested or paravirtual setups, such as a "PVM" KVM that
 * runs inside a cloud VM without hardware virtualization) serve
 * /dev/kvm by running the guest's kernel code through KVM's instruction
 * emulator. The emulator does not know every instruction, and a kernel
 * uses many: on hardware KVM none of this file runs. Where the kvm_pvm
 * module is loaded, the VMM
 *
 *   - hides CMPXCHG16B (CX16) from the guest's CPUID, and adds
 *     QUIRKS_CMDLINE to the kernel's command line, so the kernel does
 *     not use instructions the emulator lacks;
 *   - turns an emulation failure on INT3 (the kernel uses it for self-
 *     tests and live patching) into the #BP exception the CPU would
 *     have raised: RIP past the instruction, vector 3 injected with
 *     KVM_SET_VCPU_EVENTS;
 *   - steps over an FWAIT the emulator refuses: with no x87 exception
 *     pending, it does nothing anyway.
 *
 * This is an aside, not part of the boot protocol: read linux.c first.
 *
 * Reference: KVM-HERE.md in this project's shared notes; KVM api.rst
 * 4.31/4.32 (KVM_GET/SET_VCPU_EVENTS), section 5 (KVM_EXIT_INTERNAL_ERROR);
 * Intel SDM Vol. 2 (INT3, FWAIT), Vol. 3A 6.15 (#BP is a trap: the
 * saved RIP is the next instruction).
 */
#include "quirks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "crash.h"
#include "vm.h"

#define PVM_MODULE "/sys/module/kvm_pvm"

#define CPUID_LEAF_FEATURES 1
#define CPUID_1_ECX_CX16 (1U << 13)

#define OPCODE_INT3  0xcc
#define OPCODE_FWAIT 0x9b
#define VECTOR_BP    3

/* quirks_needed - is this KVM the emulation-backed kind? */
bool quirks_needed(void)
{
	return access(PVM_MODULE, F_OK) == 0;
}

/* quirks_cpuid - takes CX16 out of the CPUID table the guest will see. */
void quirks_cpuid(struct kvm_cpuid2 *cpuid)
{
	for (unsigned i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == CPUID_LEAF_FEATURES)
			cpuid->entries[i].ecx &= ~CPUID_1_ECX_CX16;
}

/* The instruction byte at RIP, or -1 if it cannot be read. */
static int opcode_at_rip(struct vm *vm, struct kvm_regs *regs)
{
	struct kvm_sregs sregs;
	uint64_t phys;
	const uint8_t *byte;

	if (ioctl(vm->vcpu.fd, KVM_GET_REGS, regs) < 0 ||
	    ioctl(vm->vcpu.fd, KVM_GET_SREGS, &sregs) < 0 ||
	    !guest_physical(vm, &sregs, sregs.cs.base + regs->rip, &phys) ||
	    !(byte = guest_ptr(&vm->mem, phys, 1)))
		return -1;
	return *byte;
}

/* Moves RIP past a one-byte instruction. */
static int skip_instruction(struct vm *vm, struct kvm_regs *regs)
{
	regs->rip += 1;
	return ioctl(vm->vcpu.fd, KVM_SET_REGS, regs);
}

/* What the CPU would have done at INT3: a #BP trap, RIP after it. */
static int inject_breakpoint(struct vm *vm, struct kvm_regs *regs)
{
	struct kvm_vcpu_events events;

	if (skip_instruction(vm, regs) < 0 ||
	    ioctl(vm->vcpu.fd, KVM_GET_VCPU_EVENTS, &events) < 0)
		return -1;
	events.exception.injected = 1;
	events.exception.nr = VECTOR_BP;
	events.exception.has_error_code = 0;
	return ioctl(vm->vcpu.fd, KVM_SET_VCPU_EVENTS, &events);
}

/*
 * quirks_emulation_failure - after KVM_EXIT_INTERNAL_ERROR (emulation),
 * finishes an instruction the emulator could not. Returns VM_RUNNING
 * when the guest can go on, or -2 when this is a real crash.
 */
int quirks_emulation_failure(struct vm *vm)
{
	struct kvm_regs regs;
	int ret;

	switch (opcode_at_rip(vm, &regs)) {
	case OPCODE_INT3:
		ret = inject_breakpoint(vm, &regs);
		break;
	case OPCODE_FWAIT:
		ret = skip_instruction(vm, &regs);
		break;
	default:
		return -2;
	}
	if (ret < 0) {
		fprintf(stderr, "vmm: emulation quirk: %s\n", strerror(errno));
		return -2;
	}
	return VM_RUNNING;
}
