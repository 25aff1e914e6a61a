/*
 * devices.h - the small PC: which device sits at which port and IRQ.
 */
#ifndef DEVICES_H
#define DEVICES_H

#include "options.h"

struct vm;

int devices_open(struct vm *vm, const struct options *opts);
int devices_setup(struct vm *vm);
void devices_close(struct vm *vm);

#endif
