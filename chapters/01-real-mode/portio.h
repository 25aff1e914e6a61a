/*
 * portio.h - handling the guest's IN and OUT instructions.
 */
#ifndef PORTIO_H
#define PORTIO_H

#include "vm.h"

/* A byte v written here ends the VM with exit status v (appendix A). */
#define EXIT_PORT 0xf4

int handle_io(struct vm *vm);

#endif
