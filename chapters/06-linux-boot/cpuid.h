/*
 * cpuid.h - the answers the guest's CPUID instruction gets.
 */
#ifndef CPUID_H
#define CPUID_H

#include <stdbool.h>

int cpuid_setup(int kvm_fd, int vcpu_fd, bool emulation_quirks);

#endif
