/*
 * longmode.c - the vCPU's registers for a 64-bit long-mode guest.
 *
 * A CPU enters long mode from protected mode in a fixed order (the
 * 03-bootpath guest does it itself): enable PAE in CR4, point CR3 at
 * 4-level page tables, set EFER.LME, then set CR0.PG — at that moment
 * the CPU sets EFER.LMA, "long mode active" — and far-jump to a code
 * segment whose L bit is set. As in chapter 2, the VMM writes the end
 * state directly: page tables and GDT in guest memory, then all the
 * registers at once with KVM_SET_SREGS.
 *
 * Because a KVM may accept KVM_SET_SREGS but quietly drop a paging
 * mode it cannot run (book appendix B has one), we read the registers
 * back and say so clearly instead of letting the guest crash
 * mysteriously.
 *
 * Reference: Intel SDM Vol. 3A, 9.8.5 (initializing IA-32e mode), 2.2.1
 * (EFER), 2.5 (CR0, CR4); KVM api.rst 4.13/4.14 (KVM_GET/SET_SREGS).
 */
#include "longmode.h"

#include <stdio.h>

#include "gdt.h"
#include "paging.h"
#include "x86.h"

/* Reads the registers back: did KVM really enter long mode? */
static int check_long_mode_stuck(const struct vcpu *vcpu)
{
	struct kvm_sregs sregs;

	if (vcpu_get_sregs(vcpu, &sregs) < 0)
		return -1;
	if (!(sregs.cr0 & X86_CR0_PG) || !(sregs.efer & EFER_LMA)) {
		fprintf(stderr, "vmm: KVM accepted long mode but dropped it "
			"(cr0=%llx efer=%llx): this KVM cannot run 64-bit guests\n",
			sregs.cr0, sregs.efer);
		return -1;
	}
	return 0;
}

/*
 * setup_long_mode - enters the guest at `entry` in 64-bit mode, with
 * the first 4 GiB identity-mapped and RSP at the top of RAM. 0, or -1
 * after printing.
 */
int setup_long_mode(const struct vcpu *vcpu, const struct guest_memory *mem,
		    uint64_t entry)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = entry,
		.rsp = mem->size, /* the stack grows down from the end of RAM */
		.rflags = X86_EFLAGS_FIXED, /* interrupts stay disabled */
	};
	uint64_t cr3;

	if (vcpu_get_sregs(vcpu, &sregs) < 0)
		return -1;
	if (gdt_install(mem, &sregs, GDT_CODE64) < 0 ||
	    build_identity_map(mem, &cr3) < 0)
		return -1;
	sregs.cr3 = cr3;
	sregs.cr4 |= X86_CR4_PAE;
	sregs.efer |= EFER_LME | EFER_LMA;
	sregs.cr0 |= X86_CR0_PE | X86_CR0_PG;
	if (vcpu_set_state(vcpu, &sregs, &regs) < 0)
		return -1;
	return check_long_mode_stuck(vcpu);
}
