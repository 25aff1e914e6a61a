/*
 * vcpu.h - a virtual CPU: the third level of KVM's fd hierarchy.
 */
#ifndef VCPU_H
#define VCPU_H

#include <linux/kvm.h>
#include <stddef.h>

struct vcpu {
	int fd;
	struct kvm_run *run; /* shared with KVM: why it exited, and the data */
	size_t run_size;
};

int vcpu_create(int kvm_fd, int vm_fd, struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);
int vcpu_get_sregs(const struct vcpu *vcpu, struct kvm_sregs *sregs);
int vcpu_set_state(const struct vcpu *vcpu, const struct kvm_sregs *sregs,
		   const struct kvm_regs *regs);

#endif
