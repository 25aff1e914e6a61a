/*
 * main.c - chapter 5: paravirtual devices, virtio over MMIO.
 *
 *   1. make sure fds 0, 1 and 2 are open, so that no file opened later
 *      (the disk) can become stdout; parse the command line;
 *   2. prepare guest RAM, draw the map of virtio devices and open the
 *      disk files, and load the image into RAM, at 0x100000 for a long-
 *      or protected-mode guest, 0x7c00 for a real-mode one (bad input is
 *      caught here, before KVM is touched);
 *   3. open /dev/kvm, create a VM and hand it the RAM;
 *   4. give the VM its interrupt controllers and timer (in KVM), and put
 *      the device models on the port bus: COM1, the clock, the keyboard
 *      controller, the exit port; and the virtio devices (--disk, --rng)
 *      on the MMIO bus (devices.c has the map);
 *   5. create a vCPU, tell it which CPU features to report (CPUID: long
 *      mode is one of them), and put it in the guest's mode: for long
 *      mode, page tables and a GDT in guest memory, PAE, EFER.LME, paging;
 *   6. feed stdin to COM1 from a thread of its own, and run the vCPU,
 *      handling exits, until the guest is done, or until Ctrl-C or
 *      SIGTERM stops it (signals.c); then stop that thread, before the
 *      machine it feeds is taken down.
 *
 * Reference: Documentation/virt/kvm/api.rst (the KVM API); open(2) (which
 * fd a file gets).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cpuid.h"
#include "devices.h"
#include "exits.h"
#include "irqchip.h"
#include "kvm.h"
#include "loader.h"
#include "longmode.h"
#include "memory.h"
#include "options.h"
#include "protmode.h"
#include "realmode.h"
#include "run.h"
#include "signals.h"
#include "terminal.h"
#include "vcpu.h"
#include "vm.h"

/*
 * guard_std_fds - makes sure fds 0, 1 and 2 are open, reopening a closed
 * one onto /dev/null. 0, or EX_OSERR (71) with a message.
 *
 * open(2) hands out the lowest free fd. Started with stdout closed
 * (`vmm --disk disk.img guest.bin >&-`), the VMM would open the disk as
 * fd 1, and the guest's console output, written to stdout, would land on
 * the disk's first sectors; a closed stderr would send error messages
 * and --stats there, and a closed stdin would feed the disk to COM1 as
 * typed input. Programs that open files for writing make this check
 * before they open anything: glibc for set-user-ID programs
 * (csu/check_fds.c), OpenSSH (sanitise_stdfd), Go's runtime for every
 * program. Taking the fds in order keeps every lower one open, so open
 * returns exactly the one that was closed.
 */
static int guard_std_fds(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue; /* open */
		if (open("/dev/null", O_RDWR) != fd) {
			fprintf(stderr, "vmm: cannot open /dev/null: %s\n", strerror(errno));
			return EX_OSERR;
		}
	}
	return 0;
}

/* Where each mode's image goes (appendix A). */
static uint64_t load_address(enum cpu_mode mode)
{
	return mode == MODE_REAL ? REAL_MODE_LOAD_ADDR : PROTECTED_MODE_LOAD_ADDR;
}

/* Puts the vCPU in the guest's mode, at its first instruction. 0 or -1. */
static int setup_cpu_mode(struct vm *vm, enum cpu_mode mode)
{
	switch (mode) {
	case MODE_REAL:
		return setup_real_mode(&vm->vcpu, REAL_MODE_LOAD_ADDR);
	case MODE_PROTECTED:
		return setup_protected_mode(&vm->vcpu, &vm->mem,
					    PROTECTED_MODE_LOAD_ADDR);
	case MODE_LONG:
		/* long-mode images go where protected-mode ones do */
		return setup_long_mode(&vm->vcpu, &vm->mem,
				       PROTECTED_MODE_LOAD_ADDR);
	}
	return -1;
}

/* Creates the VM around the loaded RAM, with one vCPU. 0, or an exit status. */
static int create_machine(struct vm *vm)
{
	vm->kvm_fd = kvm_open();
	if (vm->kvm_fd < 0)
		return EX_UNAVAILABLE;
	vm->vm_fd = kvm_create_vm(vm->kvm_fd);
	if (vm->vm_fd < 0)
		return EX_UNAVAILABLE;
	if (memory_register(vm->vm_fd, &vm->mem) < 0)
		return EX_OSERR;
	/* The interrupt controllers must exist before the vCPU does: KVM
	 * gives each vCPU its local APIC when it is created. */
	if (irqchip_create(vm->vm_fd) < 0)
		return EX_OSERR;
	if (devices_setup(vm) < 0)
		return EX_SOFTWARE;
	if (vcpu_create(vm->kvm_fd, vm->vm_fd, &vm->vcpu) < 0)
		return EX_OSERR;
	if (cpuid_setup(vm->kvm_fd, vm->vcpu.fd) < 0)
		return EX_OSERR;
	return 0;
}

static void destroy_machine(struct vm *vm)
{
	/* The stop signals' handler writes to the kvm_run page: hold them
	 * back before the page is unmapped (signals.c). */
	signals_release();
	vcpu_destroy(&vm->vcpu);
	memory_destroy(&vm->mem);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

int main(int argc, char **argv)
{
	struct options opts;
	struct vm vm = { .kvm_fd = -1, .vm_fd = -1, .vcpu = { .fd = -1 },
			 .exit_status = VM_RUNNING };
	int status = guard_std_fds(); /* before anything is opened */

	if (status != 0)
		return status;
	if (!parse_options(argc, argv, &opts, &status))
		return status;
	/* A closed stdout must not kill us mid-run; the write just fails. */
	signal(SIGPIPE, SIG_IGN);
	vm.trace = opts.trace;
	vm.mode = opts.mode;

	status = memory_alloc(opts.memory_size, &vm.mem) < 0 ? EX_OSERR : 0;
	if (status == 0)
		status = devices_open(&vm, &opts);
	if (status == 0)
		status = load_image(opts.image, &vm.mem, load_address(opts.mode));
	if (status == 0)
		status = create_machine(&vm);
	if (status == 0 && setup_cpu_mode(&vm, opts.mode) < 0)
		status = EX_OSERR;
	if (status == 0 && signals_catch(vm.vcpu.run) < 0)
		status = EX_OSERR;
	if (status == 0 && terminal_start(&vm.com1) < 0)
		status = EX_OSERR;
	if (status == 0) {
		status = run_vm(&vm);
		if (opts.stats) {
			stats_print(&vm.stats, stderr);
			iobus_stats_print(&vm.io_bus, stderr);
			mmiobus_stats_print(&vm.mmio_bus, stderr);
		}
	}
	terminal_stop(); /* no other thread touches the VM after this */
	destroy_machine(&vm);
	devices_close(&vm);
	return status;
}
