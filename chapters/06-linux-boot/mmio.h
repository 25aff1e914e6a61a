/*
 * mmio.h - guest accesses to physical addresses that are not RAM.
 */
#ifndef MMIO_H
#define MMIO_H

#include "vm.h"

int handle_mmio(struct vm *vm);

#endif
