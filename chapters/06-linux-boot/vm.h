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
#include "pvpanic.h"
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
	uint32_t irq;   /* the GSI KVM_IRQ_LINE drives: ISA IRQ n is GSI n */
};

/*
 * One virtio device of the machine's map, filled in once by
 * devices_open (devices.c): what it is, where its registers are, which
 * line it interrupts on, and the device model itself.
 */
struct device_slot {
	enum device_kind kind;          /* --disk or --rng */
	char name[32];                  /* "virtio0-blk" */
	uint64_t base;                  /* its register page (appendix A) */
	struct irq_wire irq;            /* IRQ 5 + its index */
	struct virtio_device transport; /* the virtio-mmio registers */
	union {                         /* the device behind them */
		struct virtio_blk blk;
		struct virtio_rng rng;
	} device;
};

struct vm {
	int kvm_fd;
	int vm_fd;
	struct guest_memory mem;
	struct vcpu vcpu;
	bool trace;               /* --trace */
	struct exit_stats stats;  /* counted always, printed with --stats */
	enum cpu_mode mode;       /* the mode the image started in (--mode) */
	bool linux_guest;         /* --kernel: Linux, not a flat image */
	struct iobus io_bus;      /* the port I/O devices, by port range */
	struct serial com1;       /* 16550A UART at 0x3f8, IRQ 4 */
	struct rtc rtc;           /* CMOS clock at 0x70/0x71 */
	struct i8042 i8042;       /* keyboard controller: the reset line */
	struct pvpanic pvpanic;   /* the guest kernel's panic report, 0x505 */
	int exit_status;          /* VM_RUNNING until a device ends the VM */
	struct mmiobus mmio_bus;  /* the virtio-mmio devices, by address */
	struct device_slot virtio[VIRTIO_MMIO_MAX_DEVICES]; /* in option order */
	unsigned virtio_count;    /* slots in use */
};

void vm_request_exit(struct vm *vm, int status);

#endif
