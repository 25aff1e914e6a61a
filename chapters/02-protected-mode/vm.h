/*
 * vm.h - everything one virtual machine is made of, in one place.
 */
#ifndef VM_H
#define VM_H

#include <stdbool.h>

#include "exits.h"
#include "memory.h"
#include "options.h"
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
};

#endif
