/*
 * bzimage.h - reading a Linux kernel image (bzImage).
 */
#ifndef BZIMAGE_H
#define BZIMAGE_H

#include <asm/bootparam.h>
#include <stdint.h>

#include "memory.h"

/* boot.rst: "HdrS", the setup header's magic, and the boot sector's. */
#define SETUP_HEADER_MAGIC 0x53726448
#define BOOT_FLAG_MAGIC    0xaa55
/* 2.12 added xloadflags, which says whether the 64-bit entry exists. */
#define BOOT_PROTOCOL_MIN  0x020c
/* setup_sects == 0 means 4, for very old kernels' sake. */
#define SETUP_SECTS_DEFAULT 4
#define SECTOR_SIZE 512
/* The setup header ends at 0x202 + the byte at 0x201 (boot.rst). */
#define SETUP_HEADER_START 0x1f1
#define SETUP_HEADER_JUMP_END 0x202

/* Where the protected-mode kernel goes: 1 MiB, as every loader does. */
#define KERNEL_LOAD_ADDR 0x100000
/* The 64-bit entry point is 0x200 bytes into the loaded kernel. */
#define KERNEL_ENTRY64_OFFSET 0x200

struct linux_kernel {
	struct boot_params header; /* the file's first page: setup header */
	uint64_t load_addr;        /* where its protected-mode part is */
	uint64_t end;              /* the end of the RAM it needs (init_size) */
};

int bzimage_load(const char *path, const struct guest_memory *mem,
		 struct linux_kernel *kernel);
uint64_t setup_header_size(const struct setup_header *hdr);

#endif
