/*
 * run.c - the heart of every VMM: the run loop.
 *
 * KVM_RUN enters the guest and runs it on the real CPU (or, for what the
 * CPU cannot run directly, in KVM's emulator) until something needs the
 * VMM: a port access, an access to a non-RAM address, a HLT, a crash.
 * Then the ioctl returns, we handle the exit, and we go around again.
 * Everything a device model does happens inside one of these exits.
 *
 * Reference: Documentation/virt/kvm/api.rst, 4.10 (KVM_RUN) and 5.
 */
#include "run.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sysexits.h>

#include "crash.h"
#include "mmio.h"
#include "portio.h"
#include "signals.h"

/*
 * handle_exit - what to do about one exit. Returns VM_RUNNING to enter
 * the guest again, or the VMM's exit status.
 */
static int handle_exit(struct vm *vm)
{
	switch (vm->vcpu.run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(vm);
	case KVM_EXIT_MMIO:
		return handle_mmio(vm);
	/*
	 * No KVM_EXIT_HLT any more: with the local APIC in the kernel, KVM
	 * keeps a halted vCPU asleep until an interrupt wakes it.
	 */
	default:
		/* SHUTDOWN, INTERNAL_ERROR, FAIL_ENTRY, and anything unknown. */
		return crash_report(vm, stderr);
	}
}

/* vm_request_exit - a device's way to end the VM with `status`. */
void vm_request_exit(struct vm *vm, int status)
{
	vm->exit_status = status;
}

/* The port bus device an IO exit went to, for --trace; NULL for others. */
static const char *exit_device(const struct vm *vm)
{
	if (vm->vcpu.run->exit_reason != KVM_EXIT_IO)
		return NULL;
	return iobus_device_name(&vm->io_bus, vm->vcpu.run->io.port);
}

/* run_vm - runs the guest until it ends. Returns the VMM's exit status. */
int run_vm(struct vm *vm)
{
	int status = VM_RUNNING;

	while (status == VM_RUNNING) {
		if (ioctl(vm->vcpu.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && stop_signal())
				return stop_report(vm, stop_signal(), stderr);
			if (errno == EINTR || errno == EAGAIN)
				continue; /* a signal interrupted the guest */
			fprintf(stderr, "vmm: KVM_RUN failed: %s\n", strerror(errno));
			return EX_SOFTWARE;
		}
		stats_count(&vm->stats, vm->vcpu.run->exit_reason);
		status = handle_exit(vm);
		if (vm->trace)
			trace_exit(&vm->vcpu, exit_device(vm), stderr);
	}
	return status;
}
