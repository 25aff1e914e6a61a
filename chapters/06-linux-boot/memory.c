/*
 * memory.c - guest RAM.
 *
 * Guest RAM is ordinary anonymous memory in the VMM's address space.
 * KVM_SET_USER_MEMORY_REGION tells KVM that a range of guest-physical
 * addresses (a "memory slot") is backed by it; the guest's loads and
 * stores then reach it directly, with no VM exit. Guest-physical
 * addresses that no slot covers are MMIO: touching them exits to us.
 *
 * Every time the VMM itself touches guest memory it goes through
 * guest_ptr(), which refuses ranges outside RAM: the guest controls the
 * addresses it hands us, and a hostile one must never steer the VMM
 * into its own memory.
 *
 * Reference: Documentation/virt/kvm/api.rst, section 4.35
 * (KVM_SET_USER_MEMORY_REGION).
 */
#include "memory.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define RAM_SLOT 0

/*
 * memory_alloc - maps `size` bytes of zeroed host memory to be guest RAM.
 * MAP_NORESERVE: the host commits pages only as they are touched, so a
 * large guest costs nothing until it uses its memory. 0, or -1 after
 * printing.
 */
int memory_alloc(uint64_t size, struct guest_memory *mem)
{
	void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (host == MAP_FAILED) {
		fprintf(stderr, "vmm: cannot map %llu bytes of guest RAM: %s\n",
			(unsigned long long)size, strerror(errno));
		return -1;
	}
	mem->host = host;
	mem->size = size;
	return 0;
}

/*
 * memory_register - tells KVM that guest-physical [0, size) is this
 * memory (memory slot 0). 0, or -1 after printing.
 */
int memory_register(int vm_fd, const struct guest_memory *mem)
{
	struct kvm_userspace_memory_region region = {
		.slot = RAM_SLOT,
		.guest_phys_addr = 0,
		.memory_size = mem->size,
		.userspace_addr = (uint64_t)(uintptr_t)mem->host,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		fprintf(stderr, "vmm: KVM_SET_USER_MEMORY_REGION failed: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

void memory_destroy(struct guest_memory *mem)
{
	if (mem->host)
		munmap(mem->host, mem->size);
	mem->host = NULL;
	mem->size = 0;
}

/*
 * guest_ptr - the host address of guest-physical [gpa, gpa + len), or
 * NULL unless the whole range is RAM. Written so that gpa + len cannot
 * overflow: a guest can pass any 64-bit values.
 */
void *guest_ptr(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	if (gpa > mem->size || len > mem->size - gpa)
		return NULL;
	return mem->host + gpa;
}
