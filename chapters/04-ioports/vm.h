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
#include "options.h"
#include "rtc.h"
#include "serial.h"
#include "vcpu.h"

/* Returned by exit handlers that want the run loop to go on. */
#define VM_RUNNING (-1)

struct vm {
	int kvm_fd;
	int vm_fd;
	struct guest_memory mem;
	struct vcpu vcpu;
	bool trace;               /* --trace */
	struct exit_stats stats;  /* counted always, printed with --stats */
	enum cpu_mode mode;       /* the mode the image started in (--mode) */
	struct iobus io_bus;      /* the port I/O devices, by port range */
	struct serial com1;       /* 16550A UART at 0x3f8, IRQ 4 */
	struct rtc rtc;           /* CMOS clock at 0x70/0x71 */
	struct i8042 i8042;       /* keyboard controller: the reset line */
	int exit_status;          /* VM_RUNNING until a device ends the VM */
};

void vm_request_exit(struct vm *vm, int status);

#endif
