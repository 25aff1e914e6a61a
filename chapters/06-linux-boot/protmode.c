/*
 * protmode.c - the vCPU's registers for a 32-bit protected-mode guest.
 *
 * A real CPU reaches protected mode in steps (chapter 2's
 * 02-realtoprot guest takes them): load a GDT with LGDT, set CR0.PE,
 * far-jump to load CS from the GDT, reload the data segments. A VMM can
 * skip the steps: it writes the end state straight into the vCPU with
 * KVM_SET_SREGS — CR0.PE set, GDTR pointing at a GDT in guest memory,
 * every segment register loaded with a flat 32-bit segment — and the
 * guest's first instruction already runs as 32-bit code. Paging stays
 * off, so linear addresses are physical addresses.
 *
 * Reference: Intel SDM Vol. 3A, 9.9.1 (switching to protected mode),
 * 2.5 (CR0); KVM api.rst 4.13/4.14 (KVM_GET/SET_SREGS).
 */
#include "protmode.h"

#include "gdt.h"
#include "x86.h"

/*
 * setup_protected_mode - enters the guest at `entry` (a physical
 * address) in flat 32-bit protected mode, ESP at the top of RAM.
 * 0, or -1 after printing.
 */
int setup_protected_mode(const struct vcpu *vcpu,
			 const struct guest_memory *mem, uint32_t entry)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = entry,
		.rsp = mem->size, /* the stack grows down from the end of RAM */
		.rflags = X86_EFLAGS_FIXED, /* interrupts stay disabled */
	};

	if (vcpu_get_sregs(vcpu, &sregs) < 0)
		return -1;
	if (gdt_install(mem, &sregs, GDT_CODE32) < 0)
		return -1;
	sregs.cr0 |= X86_CR0_PE;
	sregs.cr0 &= ~X86_CR0_PG;
	return vcpu_set_state(vcpu, &sregs, &regs);
}
