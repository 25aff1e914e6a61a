/*
 * vcpu.c - creating a vCPU and mapping its kvm_run page.
 *
 * KVM_RUN takes no arguments and returns no data. Instead each vCPU has
 * a shared memory area, struct kvm_run, that we mmap from the vCPU fd:
 * after KVM_RUN returns, kvm_run says why the guest stopped (exit_reason)
 * and carries the details (the port and bytes of an OUT, the address of
 * an MMIO access); before the next KVM_RUN we write our answers there
 * (the bytes an IN should read). Its size is a property of the KVM
 * module, so we ask for it.
 *
 * The vCPU's registers come in two sets: the general registers
 * (KVM_GET/SET_REGS: rax..r15, rip, rflags) and the "special" ones
 * (KVM_GET/SET_SREGS: segment registers with their hidden parts,
 * control registers, EFER, the descriptor-table registers).
 *
 * Reference: Documentation/virt/kvm/api.rst, sections 4.7
 * (KVM_CREATE_VCPU), 4.5 (KVM_GET_VCPU_MMAP_SIZE), 4.11-4.14
 * (KVM_GET/SET_REGS, KVM_GET/SET_SREGS) and 5 (kvm_run).
 */
#include "vcpu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define BOOT_VCPU_ID 0

/* vcpu_create - creates vCPU 0 and maps its kvm_run. 0, or -1 after printing. */
int vcpu_create(int kvm_fd, int vm_fd, struct vcpu *vcpu)
{
	int run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	void *run;

	if (run_size < (int)sizeof(struct kvm_run)) {
		fprintf(stderr, "vmm: KVM_GET_VCPU_MMAP_SIZE failed: %s\n",
			strerror(errno));
		return -1;
	}
	vcpu->fd = ioctl(vm_fd, KVM_CREATE_VCPU, BOOT_VCPU_ID);
	if (vcpu->fd < 0) {
		fprintf(stderr, "vmm: KVM_CREATE_VCPU failed: %s\n",
			strerror(errno));
		return -1;
	}
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		fprintf(stderr, "vmm: cannot map kvm_run: %s\n", strerror(errno));
		close(vcpu->fd);
		return -1;
	}
	vcpu->run = run;
	vcpu->run_size = (size_t)run_size;
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

/* vcpu_get_sregs - reads the special registers. 0, or -1 after printing. */
int vcpu_get_sregs(const struct vcpu *vcpu, struct kvm_sregs *sregs)
{
	if (ioctl(vcpu->fd, KVM_GET_SREGS, sregs) < 0) {
		fprintf(stderr, "vmm: KVM_GET_SREGS failed: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * vcpu_set_state - loads both register sets, special ones first (they
 * decide how the general ones are interpreted). 0, or -1 after printing.
 */
int vcpu_set_state(const struct vcpu *vcpu, const struct kvm_sregs *sregs,
		   const struct kvm_regs *regs)
{
	if (ioctl(vcpu->fd, KVM_SET_SREGS, sregs) < 0) {
		fprintf(stderr, "vmm: KVM_SET_SREGS failed: %s\n", strerror(errno));
		return -1;
	}
	if (ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0) {
		fprintf(stderr, "vmm: KVM_SET_REGS failed: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
