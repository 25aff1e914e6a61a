/*
 * kvm.c - opening /dev/kvm and creating a VM.
 *
 * KVM is a three-level hierarchy of file descriptors: /dev/kvm answers
 * system-wide questions and creates VMs; a VM fd owns guest memory and
 * creates vCPUs; a vCPU fd runs guest code. This file handles the first
 * two levels, and says what to do when KVM is not there.
 *
 * Reference: Documentation/virt/kvm/api.rst, sections 4.1
 * (KVM_GET_API_VERSION) and 4.2 (KVM_CREATE_VM).
 */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"

/* Prints one line saying why KVM is unusable and what to do about it. */
static void explain_open_failure(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		fprintf(stderr, "vmm: %s not found: load the module "
			"(modprobe kvm_intel or kvm_amd), enable virtualization "
			"in the firmware, or in a VM enable nested virtualization\n",
			KVM_DEVICE);
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr, "vmm: permission denied on %s: join the kvm "
			"group (sudo usermod -aG kvm $USER, then log in again)\n",
			KVM_DEVICE);
		break;
	default:
		fprintf(stderr, "vmm: cannot open %s: %s\n", KVM_DEVICE,
			strerror(err));
	}
}

/*
 * kvm_open - opens /dev/kvm and checks that it speaks the stable API
 * (version 12, unchanged since Linux 2.6.22). Returns the fd, or -1
 * after printing why.
 */
int kvm_open(void)
{
	int kvm_fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
	int version;

	if (kvm_fd < 0) {
		explain_open_failure(errno);
		return -1;
	}
	version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		fprintf(stderr, "vmm: %s speaks KVM API %d, this VMM needs %d\n",
			KVM_DEVICE, version, KVM_API_VERSION);
		close(kvm_fd);
		return -1;
	}
	return kvm_fd;
}

/*
 * kvm_create_vm - asks KVM for a new, empty VM: no memory, no vCPUs.
 * Returns its fd, or -1 after printing why.
 */
int kvm_create_vm(int kvm_fd)
{
	int vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);

	if (vm_fd < 0)
		fprintf(stderr, "vmm: KVM_CREATE_VM failed: %s (is another "
			"hypervisor holding the CPU's virtualization extensions?)\n",
			strerror(errno));
	return vm_fd;
}
