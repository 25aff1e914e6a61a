/*
 * cpuid.h - the answers the guest's CPUID instruction gets.
 */
#ifndef CPUID_H
#define CPUID_H

int cpuid_setup(int kvm_fd, int vcpu_fd);

#endif
