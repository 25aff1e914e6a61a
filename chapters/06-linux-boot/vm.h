/*
 * vm.h - everything one virtual machine is made of, in one place.
 */
#ifndef VM_H
#define VM_H

#include <stdbool.h>

#include "exits.h"
#include "i8042.h"
#include "iobus.h"
#include "memory.h"
#include "mmiobus.h"
#include "options.h"
#include "rtc.h"
#include "serial.h"
#include "vcpu.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"
#include "virtio_rng.h"

/* Returned by exit handlers that want the run loop to go on. */
#define VM_RUNNING (-1)

/* Which VM and IRQ a virtio device's interrupt line is wired to. */
struct irq_wire {
	struct vm *vm;
	uint32_t irq;
};

struct vm {
	int kvm_fd;
	int vm_fd;
	struct guest_memory mem;
	struct vcpu vcpu;
	bool trace;               /* --trace */
	struct exit_stats stats;  /* counted always, printed with --stats */
	struct iobus io_bus;      /* the port I/O devices, by port range */
	struct serial com1;       /* 16550A UART at 0x3f8, IRQ 4 */
	struct rtc rtc;           /* CMOS clock at 0x70/0x71 */
	struct i8042 i8042;       /* keyboard controller: the reset line */
	int exit_status;          /* VM_RUNNING until a device ends the VM */
	struct mmiobus mmio_bus;  /* the virtio-mmio devices, by address */
	struct virtio_device virtio[VIRTIO_MMIO_MAX_DEVICES];
	struct virtio_blk disks[VIRTIO_MMIO_MAX_DEVICES]; /* by device index */
	struct virtio_rng rngs[VIRTIO_MMIO_MAX_DEVICES];
	unsigned virtio_count;    /* devices in virtio[] and their slots */
	enum device_kind device_kinds[VIRTIO_MMIO_MAX_DEVICES];
	struct irq_wire virtio_irqs[VIRTIO_MMIO_MAX_DEVICES];
	char virtio_names[VIRTIO_MMIO_MAX_DEVICES][32]; /* "virtio0-blk" */
};

void vm_request_exit(struct vm *vm, int status);

#endif
