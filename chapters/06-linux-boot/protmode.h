/*
 * protmode.h - starting the vCPU in 32-bit protected mode.
 */
#ifndef PROTMODE_H
#define PROTMODE_H

#include <stdint.h>

#include "memory.h"
#include "vcpu.h"

/* Where protected- and long-mode images go: 1 MiB, above the PC's
 * legacy holes, as Linux and multiboot kernels are loaded. */
#define PROTECTED_MODE_LOAD_ADDR 0x100000

int setup_protected_mode(const struct vcpu *vcpu,
			 const struct guest_memory *mem, uint32_t entry);

#endif
