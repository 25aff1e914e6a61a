/*
 * cpuid.c - the answers the guest's CPUID instruction gets.
 *
 * CPUID is how software asks a CPU what it can do, and long mode itself
 * is one of its answers: leaf 0x80000001, EDX bit 29 (LM). A new vCPU
 * starts with an empty CPUID table, and KVM checks that table: a guest
 * that sets EFER.LME by itself (with wrmsr, as every boot loader does)
 * gets #GP unless its CPUID says LM. So before a vCPU runs, the VMM
 * decides what CPU the guest sees. The usual recipe, and ours: ask KVM
 * what it can virtualize on this host and give the vCPU all of it, plus
 * the one bit that says "you are running on a hypervisor".
 *
 * Reference: api.rst, KVM_GET_SUPPORTED_CPUID and KVM_SET_CPUID2;
 * Intel SDM Vol. 2A, CPUID.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cpuid.h"

/* Leaf 1, ECX bit 31: reserved on real CPUs, set by every hypervisor. */
#define CPUID_LEAF_FEATURES 1
#define CPUID_1_ECX_HYPERVISOR (1U << 31)

/* KVM says E2BIG until the table is big enough; we double from here. */
#define CPUID_FIRST_GUESS 64
#define CPUID_MOST_ENTRIES 4096

/* KVM's supported CPUID table, in a buffer that fits it; NULL on failure. */
static struct kvm_cpuid2 *supported_cpuid(int kvm_fd)
{
	for (unsigned nent = CPUID_FIRST_GUESS; nent <= CPUID_MOST_ENTRIES; nent *= 2) {
		struct kvm_cpuid2 *cpuid =
			calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));

		if (!cpuid) {
			fprintf(stderr, "vmm: out of memory for the CPUID table\n");
			return NULL;
		}
		cpuid->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			return cpuid;
		int err = errno;
		free(cpuid);
		if (err != E2BIG) {
			fprintf(stderr, "vmm: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(err));
			return NULL;
		}
	}
	fprintf(stderr, "vmm: KVM_GET_SUPPORTED_CPUID: more than %d entries\n",
		CPUID_MOST_ENTRIES);
	return NULL;
}

/*
 * cpuid_setup - give the vCPU every CPUID feature KVM supports here,
 * and tell the guest it is virtualized.
 * Must happen before the vCPU first runs. 0, or -1 with a message.
 */
int cpuid_setup(int kvm_fd, int vcpu_fd)
{
	struct kvm_cpuid2 *cpuid = supported_cpuid(kvm_fd);
	int ret = 0;

	if (!cpuid)
		return -1;
	for (unsigned i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == CPUID_LEAF_FEATURES)
			cpuid->entries[i].ecx |= CPUID_1_ECX_HYPERVISOR;
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid) < 0) {
		fprintf(stderr, "vmm: KVM_SET_CPUID2: %s\n", strerror(errno));
		ret = -1;
	}
	free(cpuid);
	return ret;
}
