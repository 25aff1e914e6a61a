/*
 * bzimage.c - loading a Linux kernel: the bzImage format.
 *
 * A bzImage is two programs in one file. First come the "setup" sectors:
 * 16-bit real-mode code that a BIOS boot loader runs to ask the BIOS for
 * the memory map and video modes; a header sits in them, at 0x1f1, that
 * describes the kernel to its loader (the boot protocol). Then comes the
 * protected-mode kernel: a small decompressor with the real kernel
 * compressed inside it.
 *
 * A VMM has no BIOS to ask, so it skips the setup code and does that
 * work itself (linux.c): it reads the header, copies the protected-mode
 * part to 1 MiB, and enters it through the 64-bit entry point, which
 * every x86-64 kernel has had since boot protocol 2.12 (xloadflags bit
 * XLF_KERNEL_64). The decompressor then moves and unpacks the kernel.
 *
 * Reference: Linux Documentation/arch/x86/boot.rst ("The real-mode kernel
 * header", "Loading the rest of the kernel", "64-bit boot protocol").
 */
#include "bzimage.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "loader.h"

/* The header's size: it ends where the jump at 0x200 says (boot.rst). */
uint64_t setup_header_size(const struct setup_header *hdr)
{
	return SETUP_HEADER_JUMP_END + (hdr->jump >> 8) - SETUP_HEADER_START;
}

/* Is this a kernel we can boot? EX_DATAERR with the reason, or 0. */
static int check_header(const struct input_file *f, const struct setup_header *hdr)
{
	if (hdr->boot_flag != BOOT_FLAG_MAGIC || hdr->header != SETUP_HEADER_MAGIC) {
		fprintf(stderr, "vmm: kernel %s is not a bzImage (no HdrS header)\n",
			f->path);
		return EX_DATAERR;
	}
	if (hdr->version < BOOT_PROTOCOL_MIN || !(hdr->xloadflags & XLF_KERNEL_64)) {
		fprintf(stderr, "vmm: kernel %s has no 64-bit entry point "
			"(boot protocol %u.%02u; 2.12 and x86-64 needed)\n",
			f->path, hdr->version >> 8, hdr->version & 0xff);
		return EX_DATAERR;
	}
	return 0;
}

/* The protected-mode kernel starts after the boot sector and setup sectors. */
static uint64_t kernel_offset(const struct setup_header *hdr)
{
	unsigned sects = hdr->setup_sects ? hdr->setup_sects : SETUP_SECTS_DEFAULT;

	return (uint64_t)(sects + 1) * SECTOR_SIZE;
}

/*
 * Where the kernel will run, which is not where we load it: the
 * decompressor moves the kernel up to kernel_alignment, and no lower
 * than pref_address (boot.rst: "init_size ... starting at the kernel
 * runtime start address"). For Debian's kernel that is 16 MiB.
 */
static uint64_t runtime_start(const struct setup_header *hdr, uint64_t load_addr)
{
	uint64_t align = hdr->kernel_alignment ? hdr->kernel_alignment : 1;
	uint64_t start = (load_addr + align - 1) / align * align;

	if (!hdr->relocatable_kernel || start < hdr->pref_address)
		start = hdr->pref_address;
	return start;
}

/*
 * Copies the protected-mode part of a kernel whose header checked out
 * to KERNEL_LOAD_ADDR, and records how much RAM the kernel needs. 0 or
 * an exit status after a message.
 */
static int load_protected_mode(const struct input_file *f,
			       const struct guest_memory *mem,
			       struct linux_kernel *kernel)
{
	const struct setup_header *hdr = &kernel->header.hdr;
	uint64_t offset = kernel_offset(hdr), size, run_at;

	/* syssize counts the protected-mode part in 16-byte paragraphs */
	if (offset + (uint64_t)hdr->syssize * 16 > f->size) {
		fprintf(stderr, "vmm: kernel %s is truncated\n", f->path);
		return EX_DATAERR;
	}
	/* We jump KERNEL_ENTRY64_OFFSET bytes into that part: a part that
	 * ends before (syssize 0, say) would have the vCPU run zeros. */
	if ((uint64_t)hdr->syssize * 16 <= KERNEL_ENTRY64_OFFSET) {
		fprintf(stderr, "vmm: kernel %s has no code at its 64-bit entry point "
			"(syssize %u)\n", f->path, hdr->syssize);
		return EX_DATAERR;
	}
	size = f->size - offset;
	kernel->load_addr = KERNEL_LOAD_ADDR;
	/* RAM the kernel needs: the file where we load it, and init_size
	 * where it will run. pref_address is any 64-bit value the file
	 * likes: added to init_size unchecked, it could wrap past 2^64 to a
	 * small end that "fits". */
	run_at = runtime_start(hdr, KERNEL_LOAD_ADDR);
	/* A kernel that will not be moved runs at pref_address: below the
	 * load address it would unpack itself over the zero page, the
	 * command line and the firmware tables we put there. */
	if (run_at < KERNEL_LOAD_ADDR) {
		fprintf(stderr, "vmm: kernel %s runs at 0x%llx, below 1 MiB\n",
			f->path, (unsigned long long)run_at);
		return EX_DATAERR;
	}
	if (run_at > UINT64_MAX - hdr->init_size) {
		fprintf(stderr, "vmm: kernel %s runs at 0x%llx, beyond any RAM\n",
			f->path, (unsigned long long)run_at);
		return EX_DATAERR;
	}
	kernel->end = run_at + hdr->init_size;
	if (kernel->end < KERNEL_LOAD_ADDR + size)
		kernel->end = KERNEL_LOAD_ADDR + size;
	if (kernel->end > mem->size) {
		fprintf(stderr, "vmm: kernel %s needs %llu MiB of RAM, more than -m gives\n",
			f->path, (unsigned long long)(kernel->end >> 20) + 1);
		return EX_DATAERR;
	}
	return input_load(f, offset, size, mem, KERNEL_LOAD_ADDR);
}

/*
 * bzimage_load - checks the kernel at `path` and copies its protected-
 * mode part to KERNEL_LOAD_ADDR, leaving room for what it unpacks to
 * (init_size). Returns 0 with *kernel filled, or an exit status after a
 * one-line message: 66 cannot open, 65 not a bzImage, truncated, too old,
 * no code at the entry point, or too big for RAM.
 */
int bzimage_load(const char *path, const struct guest_memory *mem,
		 struct linux_kernel *kernel)
{
	struct input_file f;
	int status = input_open(&f, "kernel", path);

	if (status != 0)
		return status;
	/* A file shorter than the header is not a kernel: it fails the
	 * magic checks on the zeros that stand in for its missing bytes. */
	memset(&kernel->header, 0, sizeof(kernel->header));
	status = input_read(&f, 0, &kernel->header,
			    f.size < sizeof(kernel->header) ? f.size : sizeof(kernel->header));
	if (status == 0)
		status = check_header(&f, &kernel->header.hdr);
	if (status == 0)
		status = load_protected_mode(&f, mem, kernel);
	input_close(&f);
	return status;
}
