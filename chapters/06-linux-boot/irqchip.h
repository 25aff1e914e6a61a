/*
 * irqchip.h - KVM's in-kernel interrupt controllers and timer.
 */
#ifndef IRQCHIP_H
#define IRQCHIP_H

#include <stdint.h>

int irqchip_create(int vm_fd);
int irq_set_level(int vm_fd, uint32_t irq, int level);

#endif
