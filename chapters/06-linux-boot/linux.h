/*
 * linux.h - booting a Linux kernel: the 64-bit boot protocol.
 */
#ifndef LINUX_H
#define LINUX_H

#include <stdint.h>

#include "bzimage.h"
#include "memory.h"
#include "options.h"
#include "vcpu.h"

/* Where the VMM puts what the kernel reads at boot (low RAM, free). */
#define BOOT_PARAMS_ADDR 0x10000  /* the "zero page": struct boot_params */
#define CMDLINE_ADDR     0x20000  /* the command line, NUL-terminated */
#define DEFAULT_CMDLINE  "console=ttyS0"

/* boot.rst, 64-bit boot protocol: the selectors CS and DS must hold. */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

/* type_of_loader: 0xff is "undefined", for loaders without an ID. */
#define LOADER_TYPE_UNDEFINED 0xff

struct vm;

int linux_load(const struct options *opts, const struct vm *vm,
	       struct linux_kernel *kernel);
int linux_enter(const struct vcpu *vcpu, const struct guest_memory *mem,
		const struct linux_kernel *kernel);

#endif
