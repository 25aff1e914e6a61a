/*
 * devices.h - the small PC: which device sits at which port and IRQ.
 */
#ifndef DEVICES_H
#define DEVICES_H

struct vm;

int devices_setup(struct vm *vm);

#endif
