/*
 * irqchip.c - interrupt controllers and the PIT, inside KVM.
 *
 * A PC delivers device interrupts through interrupt controllers: two
 * cascaded 8259A PICs (IRQ 0-15, the original design), an I/O APIC (the
 * same lines, routed as messages), and one local APIC per CPU, which
 * finally interrupts the core. The 8254 PIT drives IRQ 0, the timer.
 *
 * All of them could be device models in this VMM, but they sit on the
 * hottest path there is: every interrupt, every end-of-interrupt, every
 * timer tick would be a VM exit to user space. So KVM offers to model
 * them in the kernel (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2), and every
 * serious VMM accepts. What is left to us is one call: raising or
 * lowering an interrupt line with KVM_IRQ_LINE, as a device's wire
 * would. With the local APIC in the kernel, HLT is handled there too:
 * the vCPU sleeps in KVM until an interrupt arrives, as on hardware.
 *
 * Reference: KVM api.rst, sections KVM_CREATE_IRQCHIP, KVM_IRQ_LINE,
 * KVM_SET_TSS_ADDR, KVM_SET_IDENTITY_MAP_ADDR and KVM_CREATE_PIT2;
 * Intel SDM Vol. 3A, chapter 11 (APIC).
 */
#include "irqchip.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

/*
 * Intel VT-x without "unrestricted guest" runs real-mode code with the
 * help of a TSS and an identity-mapped page table that KVM keeps in
 * guest-physical memory. They need three pages and one page, somewhere
 * no RAM or device is: just below the 4 GiB boundary. 0xfffbc000 is
 * KVM's own default for the identity map; the TSS goes right above it.
 */
#define KVM_TSS_ADDR          0xfffbd000
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000

/* Runs one VM ioctl; on failure prints its name and returns -1. */
static int vm_ioctl(int vm_fd, unsigned long request, const char *name,
		    void *arg)
{
	if (ioctl(vm_fd, request, arg) < 0) {
		fprintf(stderr, "vmm: %s failed: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * irqchip_create - gives the VM a PIC pair, an IOAPIC, local APICs and
 * a PIT, all in the kernel. Must run before the vCPU is created.
 * 0, or -1 after printing.
 */
int irqchip_create(int vm_fd)
{
	uint64_t identity_map = KVM_IDENTITY_MAP_ADDR;
	/* The PIT also answers port 0x61 (speaker gate), which Linux's
	 * timer calibration reads. */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0) {
		fprintf(stderr, "vmm: KVM_SET_TSS_ADDR failed: %s\n", strerror(errno));
		return -1;
	}
	if (vm_ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, "KVM_SET_IDENTITY_MAP_ADDR",
		     &identity_map) < 0 ||
	    vm_ioctl(vm_fd, KVM_CREATE_IRQCHIP, "KVM_CREATE_IRQCHIP", NULL) < 0 ||
	    vm_ioctl(vm_fd, KVM_CREATE_PIT2, "KVM_CREATE_PIT2", &pit) < 0)
		return -1;
	return 0;
}

/*
 * irq_set_level - drives interrupt line `irq` (a GSI: IRQ n of the PIC
 * and pin n of the IOAPIC) high (1) or low (0). Safe from any thread.
 */
int irq_set_level(int vm_fd, uint32_t irq, int level)
{
	struct kvm_irq_level line = { .irq = irq, .level = (uint32_t)level };

	return vm_ioctl(vm_fd, KVM_IRQ_LINE, "KVM_IRQ_LINE", &line);
}
