/*
 * linux.c - booting Linux: what a boot loader does, done by the VMM.
 *
 * A boot loader (GRUB, say) hands the kernel four things, and so do we:
 *
 *   1. the kernel itself, loaded at 1 MiB (bzimage.c);
 *   2. the initrd, an archive the kernel unpacks as its first root file
 *      system, loaded as high in RAM as the kernel allows;
 *   3. the command line, a string in guest memory;
 *   4. the "zero page", struct boot_params: a copy of the kernel's own
 *      setup header with the loader's answers filled in (where the
 *      command line and the initrd are), the memory map (e820.c), and
 *      where the ACPI tables start (acpi.c), which list the devices the
 *      kernel cannot find by probing: our virtio-mmio devices and the
 *      pvpanic port, from the machine's device map (devices.c).
 *
 * Then it enters the kernel by the 64-bit boot protocol: long mode,
 * paging on with the kernel identity-mapped, a GDT with flat 64-bit code
 * at __BOOT_CS (0x10) and data at __BOOT_DS (0x18), interrupts off, and
 * RSI pointing at the zero page.
 *
 * Reference: Linux Documentation/arch/x86/boot.rst ("Details of header
 * fields", "The kernel command line", "64-bit boot protocol");
 * Documentation/arch/x86/zero-page.rst; asm/bootparam.h.
 */
#include "linux.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "acpi.h"
#include "e820.h"
#include "gdt.h"
#include "loader.h"
#include "longmode.h"
#include "vm.h"
#include "x86.h"

/*
 * Loads the initrd as high as it may go: below the end of RAM and below
 * initrd_addr_max, page-aligned, above the kernel. Sets *addr; 0 or an
 * exit status after a one-line message.
 */
static int load_initrd(const char *path, const struct guest_memory *mem,
		       const struct linux_kernel *kernel, uint64_t *addr,
		       uint64_t *size)
{
	struct input_file f;
	uint64_t top = mem->size;
	int status = input_open(&f, "initrd", path);

	if (status != 0)
		return status;
	if (top > (uint64_t)kernel->header.hdr.initrd_addr_max + 1)
		top = (uint64_t)kernel->header.hdr.initrd_addr_max + 1;
	if (f.size > top || ((top - f.size) & ~(PAGE_SIZE - 1)) < kernel->end) {
		fprintf(stderr, "vmm: initrd %s (%llu bytes) does not fit in RAM "
			"beside the kernel\n", path, (unsigned long long)f.size);
		input_close(&f);
		return EX_DATAERR;
	}
	*addr = (top - f.size) & ~(PAGE_SIZE - 1);
	*size = f.size;
	status = input_load(&f, 0, f.size, mem, *addr);
	input_close(&f);
	return status;
}

/* Copies the command line to CMDLINE_ADDR; it must fit cmdline_size. */
static int write_cmdline(const char *cmdline, const struct guest_memory *mem,
			 const struct setup_header *hdr)
{
	size_t len = strlen(cmdline);
	char *dest = guest_ptr(mem, CMDLINE_ADDR, len + 1); /* with its NUL */

	if (len > hdr->cmdline_size) {
		fprintf(stderr, "vmm: the command line is %zu bytes; this kernel "
			"takes at most %u\n", len, hdr->cmdline_size);
		return EX_USAGE;
	}
	if (!dest) {
		fprintf(stderr, "vmm: no room for the command line in RAM\n");
		return EX_DATAERR;
	}
	memcpy(dest, cmdline, len + 1);
	return 0;
}

/*
 * The zero page: the kernel's setup header, with the loader's fields
 * filled in, plus the memory map and the ACPI root pointer.
 */
static int write_boot_params(const struct guest_memory *mem,
			     const struct linux_kernel *kernel,
			     uint64_t initrd_addr, uint64_t initrd_size,
			     uint64_t rsdp)
{
	struct boot_params *bp = guest_ptr(mem, BOOT_PARAMS_ADDR, sizeof(*bp));
	/* A newer kernel's header may be longer than the one we know. */
	uint64_t header_size = setup_header_size(&kernel->header.hdr);

	if (header_size > sizeof(bp->hdr))
		header_size = sizeof(bp->hdr);
	if (!bp) {
		fprintf(stderr, "vmm: no room for boot_params in RAM\n");
		return EX_DATAERR;
	}
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &kernel->header.hdr, header_size);
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.cmd_line_ptr = CMDLINE_ADDR;
	bp->hdr.ramdisk_image = (uint32_t)initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)initrd_size;
	bp->e820_entries = (uint8_t)e820_build(mem->size, bp->e820_table,
					       E820_MAX_ENTRIES_ZEROPAGE);
	bp->acpi_rsdp_addr = rsdp;
	return 0;
}

/*
 * linux_load - puts the kernel, initrd, command line, ACPI tables and
 * zero page into guest RAM. 0, or an exit status after a message.
 */
int linux_load(const struct options *opts, const struct vm *vm,
	       struct linux_kernel *kernel)
{
	const struct guest_memory *mem = &vm->mem;
	uint64_t initrd_addr = 0, initrd_size = 0, rsdp = 0;
	int status = bzimage_load(opts->kernel, mem, kernel);

	if (status == 0 && opts->initrd)
		status = load_initrd(opts->initrd, mem, kernel, &initrd_addr,
				     &initrd_size);
	if (status == 0)
		status = write_cmdline(opts->append ? opts->append : DEFAULT_CMDLINE,
				       mem, &kernel->header.hdr);
	if (status == 0)
		status = acpi_build(mem, vm->virtio, vm->virtio_count, &rsdp) < 0
			 ? EX_SOFTWARE : 0;
	if (status == 0)
		status = write_boot_params(mem, kernel, initrd_addr, initrd_size,
					   rsdp);
	return status;
}

/*
 * The boot GDT of the 64-bit protocol: null, (unused), 64-bit code at
 * BOOT_CS, data at BOOT_DS, flat. It replaces the VMM's own GDT, whose
 * selectors differ; the kernel soon loads a GDT of its own.
 */
static int install_boot_gdt(const struct guest_memory *mem,
			    struct kvm_sregs *sregs)
{
	const uint64_t gdt[] = {
		[BOOT_CS / 8] = gdt_descriptor(0, SEG_LIMIT_MAX, flat_code_access,
					       SEG_FLAG_G | SEG_FLAG_L),
		[BOOT_DS / 8] = gdt_descriptor(0, SEG_LIMIT_MAX, flat_data_access,
					       SEG_FLAG_G | SEG_FLAG_DB),
	};

	return gdt_load(mem, sregs, gdt, sizeof(gdt) / sizeof(gdt[0]), BOOT_CS,
			BOOT_DS);
}

/*
 * linux_enter - puts the vCPU at the kernel's 64-bit entry point: long
 * mode as for any 64-bit guest (longmode.c), then the boot protocol's
 * own GDT, and RSI = the zero page. 0, or -1 after a message.
 */
int linux_enter(const struct vcpu *vcpu, const struct guest_memory *mem,
		const struct linux_kernel *kernel)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = kernel->load_addr + KERNEL_ENTRY64_OFFSET,
		.rsi = BOOT_PARAMS_ADDR,
		.rflags = X86_EFLAGS_FIXED, /* interrupts off, as the protocol asks */
	};

	if (setup_long_mode(vcpu, mem, regs.rip) < 0 ||
	    vcpu_get_sregs(vcpu, &sregs) < 0)
		return -1;
	if (install_boot_gdt(mem, &sregs) < 0)
		return -1;
	return vcpu_set_state(vcpu, &sregs, &regs);
}
