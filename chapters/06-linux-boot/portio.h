/*
 * portio.h - handling the guest's IN and OUT instructions.
 */
#ifndef PORTIO_H
#define PORTIO_H

#include "vm.h"

int handle_io(struct vm *vm);

#endif
