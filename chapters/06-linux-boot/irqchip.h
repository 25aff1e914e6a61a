/*
 * irqchip.h - KVM's in-kernel interrupt controllers and timer.
 */
#ifndef IRQCHIP_H
#define IRQCHIP_H

#include <stdint.h>

/*
 * Where KVM's in-kernel models answer, the addresses of a PC: the local
 * APIC (SDM Vol. 3A, 11.4.1) and the I/O APIC, whose id KVM sets to 0.
 */
#define LOCAL_APIC_ADDR 0xfee00000
#define IO_APIC_ADDR    0xfec00000
#define IO_APIC_ID      0

int irqchip_create(int vm_fd);
int irq_set_level(int vm_fd, uint32_t irq, int level);

#endif
