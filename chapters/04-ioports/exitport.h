/*
 * exitport.h - the ports that belong to the VMM itself.
 */
#ifndef EXITPORT_H
#define EXITPORT_H

#include "iobus.h"

/* A byte v written here ends the VM with exit status v (appendix A). */
#define EXIT_PORT 0xf4
/* POST codes: firmware and kernels write progress bytes here. */
#define POST_PORT 0x80

struct vm;

int exit_port_register(struct vm *vm);

#endif
