/*
 * kvm.h - the first two levels of KVM's file-descriptor hierarchy:
 * /dev/kvm (the system) and a VM.
 */
#ifndef KVM_H
#define KVM_H

int kvm_open(void);
int kvm_create_vm(int kvm_fd);

#endif
