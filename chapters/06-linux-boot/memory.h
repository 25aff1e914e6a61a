/*
 * memory.h - guest physical memory: one block of host memory that KVM
 * shows to the guest as its RAM, starting at guest-physical address 0.
 */
#ifndef MEMORY_H
#define MEMORY_H

#include <stdint.h>

/* KVM maps guest memory in whole pages, the x86's smallest: 4 KiB. */
#define PAGE_SIZE 4096ULL

struct guest_memory {
	uint8_t *host;  /* where guest-physical 0 lives in our address space */
	uint64_t size;  /* bytes of guest RAM */
};

int memory_alloc(uint64_t size, struct guest_memory *mem);
int memory_register(int vm_fd, const struct guest_memory *mem);
void memory_destroy(struct guest_memory *mem);
void *guest_ptr(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

#endif
