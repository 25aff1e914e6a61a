/*
 * realmode.h - starting the vCPU in real mode, like a PC after its BIOS.
 */
#ifndef REALMODE_H
#define REALMODE_H

#include <stdint.h>

#include "vcpu.h"

/* Where a PC BIOS loads the boot sector and jumps to it. */
#define REAL_MODE_LOAD_ADDR 0x7c00

int setup_real_mode(const struct vcpu *vcpu, uint16_t entry);

#endif
