/*
 * longmode.h - starting the vCPU in 64-bit long mode.
 */
#ifndef LONGMODE_H
#define LONGMODE_H

#include <stdint.h>

#include "memory.h"
#include "vcpu.h"

int setup_long_mode(const struct vcpu *vcpu, const struct guest_memory *mem,
		    uint64_t entry);

#endif
