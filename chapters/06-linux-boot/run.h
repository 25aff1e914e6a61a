/*
 * run.h - the run loop.
 */
#ifndef RUN_H
#define RUN_H

#include "vm.h"

int run_vm(struct vm *vm);

#endif
