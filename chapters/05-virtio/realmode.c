/*
 * realmode.c - the vCPU's registers for a 16-bit real-mode guest.
 *
 * A vCPU starts as an x86 CPU leaves reset: in real mode, CS:IP at
 * f000:fff0, where a PC's firmware would be. We have no firmware, so we
 * set up the state a BIOS leaves when it jumps to a boot sector: all
 * segments 0, CS:IP = 0000:7c00, the stack growing down from just below
 * the code (SS:SP = 0000:7c00).
 *
 * In real mode a linear address is segment * 16 + offset. The CPU keeps
 * that "segment * 16" in the segment's hidden base field, and KVM lets
 * us set selector and base together with KVM_SET_SREGS.
 *
 * Reference: Intel SDM Vol. 3A, 9.1.4 (first instruction executed: the
 * reset vector) and 20.1 (real-address mode); KVM api.rst 4.13/4.14
 * (KVM_GET/SET_SREGS) and 4.11/4.12 (KVM_GET/SET_REGS).
 */
#include "realmode.h"

#include "x86.h"

/* A real-mode segment whose selector is `selector`. */
static void set_real_segment(struct kvm_segment *seg, uint16_t selector)
{
	seg->selector = selector;
	seg->base = (uint64_t)selector << 4;
	seg->limit = 0xffff; /* 64 KiB segments */
}

/*
 * setup_real_mode - points the vCPU at `entry` in segment 0 with the
 * stack just below it. Returns 0, or -1 after printing.
 */
int setup_real_mode(const struct vcpu *vcpu, uint16_t entry)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = entry,
		.rsp = entry,
		.rflags = X86_EFLAGS_FIXED, /* bit 1 is always 1; IF clear */
	};

	if (vcpu_get_sregs(vcpu, &sregs) < 0)
		return -1;
	set_real_segment(&sregs.cs, 0);
	set_real_segment(&sregs.ds, 0);
	set_real_segment(&sregs.es, 0);
	set_real_segment(&sregs.fs, 0);
	set_real_segment(&sregs.gs, 0);
	set_real_segment(&sregs.ss, 0);
	return vcpu_set_state(vcpu, &sregs, &regs);
}
