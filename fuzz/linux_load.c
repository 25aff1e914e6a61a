/*
 * linux_load.c - fuzz target: chapter 6's Linux loader, linux_load():
 * the bzImage (bzimage.c), the initrd, the command line, the zero page,
 * the e820 map and the ACPI tables, from a kernel file nobody checked.
 *
 * The input is read as
 *
 *   byte 0           the guest's RAM size: one of ram_sizes[] below
 *   byte 1           bit 0: an --initrd; bit 1: an --append; bits 2-5:
 *                    how many virtio devices the ACPI tables describe
 *   u16 n, n bytes   the command line (up to its first NUL)
 *   u32 n, n bytes   the initrd
 *   the rest         the kernel image
 *
 * The files are memfds the loader opens by name, as it would open any
 * path. Guest RAM is filled with a sentinel byte before the load, so
 * that a write anywhere the loader did not mean to write shows.
 *
 * The properties:
 *
 *   - a refusal is one line on stderr, "vmm: ...", with status 64, 65
 *     or 70 (appendix A), and success is silent;
 *   - an accepted kernel has code at its 64-bit entry point (its
 *     protected-mode part, by syssize and by the file, goes past it), fits
 *     in RAM where it is loaded and where it will run (the runtime
 *     start address of boot.rst's "init_size"), and its command line
 *     fits cmdline_size;
 *   - the kernel where it runs, the initrd, the command line, the zero
 *     page and the ACPI tables do not overlap, lie in RAM, and lie in
 *     e820 entries of the right type (RAM, or reserved for the tables);
 *     the e820 map is sorted, disjoint and inside RAM;
 *   - what was loaded is what was given: the protected-mode bytes at
 *     1 MiB, the initrd's bytes (page-aligned, above the kernel, below
 *     initrd_addr_max), the command line; the zero page is the kernel's
 *     setup header with exactly the loader's fields changed, and zeros
 *     elsewhere;
 *   - the ACPI tables the zero page points to have their signatures,
 *     lengths inside the BIOS area and checksums;
 *   - nothing else in RAM changed.
 *
 * Reference: Linux Documentation/arch/x86/boot.rst ("The real-mode
 * kernel header", "Details of header fields", "64-bit boot protocol"),
 * Documentation/arch/x86/zero-page.rst, ACPI 6.5 5.2.5-5.2.9.
 */
#include "fuzz.h"

#include <asm/bootparam.h>
#include <asm/e820.h>
#include <stdbool.h>
#include <stddef.h>
#include <sysexits.h>

#include "acpi.h"
#include "bzimage.h"
#include "e820.h"
#include "linux.h"
#include "options.h"
#include "vm.h"

#define SENTINEL     0xcc
#define CHUNK        (64 * KiB)
#define FLAG_INITRD  0x01
#define FLAG_APPEND  0x02
#define DEVICES_SHIFT 2
#define DEVICES_MASK  0x0f
#define RSDP_V1_LENGTH 20
#define RSDP_LENGTH  36
#define ACPI_HEADER_LENGTH 36
#define FADT_X_DSDT  140   /* ACPI 6.5, Table 5.9 */

/* Sizes -m accepts (64 KiB to 3 GiB, whole pages), around the kernel's
 * 1 MiB and small enough to check every byte of. */
static const uint64_t ram_sizes[] = {
	64 * KiB, 640 * KiB, 1 * MiB, 1 * MiB + 64 * KiB, 3 * MiB / 2,
	2 * MiB, 3 * MiB, 4 * MiB,
};
#define RAM_SIZES (sizeof(ram_sizes) / sizeof(ram_sizes[0]))

static struct memfile kernel_file, initrd_file;
/* One RAM of each size, allocated when first used and then kept: the
 * sentinel fill makes it fresh, and a page fault per page of a new
 * allocation would cost more than the load. */
static struct guest_memory rams[RAM_SIZES];
static uint8_t sentinel[CHUNK];
static struct vm vm;

/* [start, end) of guest-physical memory that one thing occupies. */
struct range {
	const char *what;
	uint64_t start, end;
};

static bool ranges_overlap(const struct range *a, const struct range *b)
{
	return a->start < b->end && b->start < a->end;
}

static uint64_t le(const uint8_t *p, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* ---- where the kernel runs ---- */

/*
 * Where the decompressor puts the kernel, and init_size is counted from
 * (boot.rst, "init_size"): a relocatable kernel at the load address
 * rounded up to kernel_alignment, but never below pref_address; any
 * other kernel at pref_address (arch/x86/boot/compressed/head_64.S,
 * LOAD_PHYSICAL_ADDR). boot.rst's pseudo-code rounds after taking the
 * maximum; the two agree for every pref_address a kernel build makes,
 * which is aligned. In 128 bits, so that no 64-bit value wraps.
 */
static unsigned __int128 runtime_start(const struct setup_header *hdr)
{
	uint64_t align = hdr->kernel_alignment ? hdr->kernel_alignment : 1;
	unsigned __int128 start = ((unsigned __int128)KERNEL_LOAD_ADDR + align - 1) /
				  align * align;

	if (!hdr->relocatable_kernel || start < hdr->pref_address)
		start = hdr->pref_address;
	return start;
}

/* ---- the e820 map ---- */

static void check_e820(const struct boot_params *bp, uint64_t ram)
{
	uint64_t prev_end = 0;

	PROPERTY(bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE, "%u e820 entries",
		 bp->e820_entries);
	PROPERTY(bp->e820_entries > 0, "an empty e820 map");
	for (unsigned i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		PROPERTY(e->type == E820_RAM || e->type == E820_RESERVED,
			 "e820 entry %u of type %u", i, e->type);
		PROPERTY(e->size > 0 && e->addr >= prev_end && e->addr <= ram &&
			 e->size <= ram - e->addr,
			 "e820 entry %u [0x%llx, +0x%llx) is empty, out of order, or "
			 "past RAM's 0x%llx", i, (unsigned long long)e->addr,
			 (unsigned long long)e->size, (unsigned long long)ram);
		prev_end = e->addr + e->size;
	}
}

/* Does one e820 entry of `type` hold all of r? */
static bool e820_holds(const struct boot_params *bp, const struct range *r, uint32_t type)
{
	for (unsigned i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		if (e->type == type && r->start >= e->addr && r->end <= e->addr + e->size)
			return true;
	}
	return r->start == r->end;
}

/* ---- the ACPI tables ---- */

static uint8_t byte_sum(const uint8_t *p, uint64_t len)
{
	uint8_t sum = 0;

	for (uint64_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

/* A table at `addr` in the BIOS area: its signature, length, checksum. */
static const uint8_t *acpi_table(const struct guest_memory *mem, uint64_t addr,
				 const char *signature)
{
	PROPERTY(addr >= ACPI_TABLES_ADDR && addr + ACPI_HEADER_LENGTH <= ACPI_TABLES_END,
		 "ACPI %s at 0x%llx, outside the BIOS area", signature,
		 (unsigned long long)addr);
	const uint8_t *t = mem->host + addr;
	uint32_t length = (uint32_t)le(t + 4, 4);

	PROPERTY(memcmp(t, signature, 4) == 0, "no ACPI %s at 0x%llx", signature,
		 (unsigned long long)addr);
	PROPERTY(length >= ACPI_HEADER_LENGTH && addr + length <= ACPI_TABLES_END,
		 "ACPI %s of %u bytes leaves the BIOS area", signature, length);
	PROPERTY(byte_sum(t, length) == 0, "ACPI %s: bad checksum", signature);
	return t;
}

static void check_acpi(const struct guest_memory *mem, uint64_t rsdp_addr)
{
	PROPERTY(rsdp_addr >= ACPI_TABLES_ADDR && rsdp_addr % 16 == 0 &&
		 rsdp_addr + RSDP_LENGTH <= ACPI_TABLES_END,
		 "RSDP at 0x%llx", (unsigned long long)rsdp_addr);
	const uint8_t *rsdp = mem->host + rsdp_addr;

	PROPERTY(memcmp(rsdp, "RSD PTR ", 8) == 0, "no RSDP signature");
	PROPERTY(byte_sum(rsdp, RSDP_V1_LENGTH) == 0 && byte_sum(rsdp, RSDP_LENGTH) == 0,
		 "RSDP checksums");
	const uint8_t *xsdt = acpi_table(mem, le(rsdp + 24, 8), "XSDT");
	uint32_t entries = ((uint32_t)le(xsdt + 4, 4) - ACPI_HEADER_LENGTH) / 8;
	for (uint32_t i = 0; i < entries; i++) {
		uint64_t addr = le(xsdt + ACPI_HEADER_LENGTH + 8 * i, 8);
		const uint8_t *t = mem->host + addr;

		PROPERTY(addr >= ACPI_TABLES_ADDR && addr + 4 <= ACPI_TABLES_END,
			 "XSDT entry %u points outside the BIOS area", i);
		if (memcmp(t, "FACP", 4) == 0) {
			acpi_table(mem, addr, "FACP");
			PROPERTY(le(t + 4, 4) >= FADT_X_DSDT + 8, "a FADT without X_DSDT");
			acpi_table(mem, le(t + FADT_X_DSDT, 8), "DSDT");
		} else {
			acpi_table(mem, addr, "APIC");
		}
	}
}

/* ---- RAM: what the loader wrote, and nowhere else ---- */

static void fill_sentinel(const struct guest_memory *mem)
{
	memset(mem->host, SENTINEL, mem->size);
}

/* [start, end) still holds the sentinel. */
static void check_untouched(const struct guest_memory *mem, uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a < end; a += CHUNK) {
		uint64_t n = end - a < CHUNK ? end - a : CHUNK;

		if (memcmp(mem->host + a, sentinel, n) == 0)
			continue;
		for (uint64_t i = 0; i < n; i++)
			PROPERTY(mem->host[a + i] == SENTINEL,
				 "the loader wrote RAM at 0x%llx, outside everything it loads",
				 (unsigned long long)(a + i));
	}
}

/* Every byte outside the `count` written ranges is the sentinel. */
static void check_nothing_else(const struct guest_memory *mem, struct range *written,
			       unsigned count)
{
	uint64_t at = 0;

	/* sort by start: a handful of ranges */
	for (unsigned i = 1; i < count; i++)
		for (unsigned j = i; j > 0 && written[j].start < written[j - 1].start; j--) {
			struct range t = written[j];

			written[j] = written[j - 1];
			written[j - 1] = t;
		}
	for (unsigned i = 0; i < count; i++) {
		if (written[i].start > at)
			check_untouched(mem, at, written[i].start);
		if (written[i].end > at)
			at = written[i].end;
	}
	check_untouched(mem, at, mem->size);
}

/* ---- one load ---- */

struct load_input {
	unsigned ram_index;             /* into ram_sizes[] */
	unsigned devices;
	const char *cmdline;            /* NULL: the default */
	const uint8_t *initrd;          /* NULL: none */
	size_t initrd_len;
	const uint8_t *kernel;
	size_t kernel_len;
};

/* The kernel file's first page, zero-padded, as the loader reads it. */
static struct boot_params file_header(const struct load_input *in)
{
	struct boot_params bp;

	memset(&bp, 0, sizeof(bp));
	memcpy(&bp, in->kernel, in->kernel_len < sizeof(bp) ? in->kernel_len : sizeof(bp));
	return bp;
}

/*
 * The zero page as it must be: the file's setup header, as far as it
 * says it goes (and we know), the loader's four fields, the e820 map
 * and the RSDP address (checked on their own), and zeros.
 */
static void check_zero_page(const struct boot_params *bp, const struct boot_params *file,
			    uint64_t initrd_addr, uint64_t initrd_len)
{
	static struct boot_params want;
	uint64_t header = setup_header_size(&file->hdr);

	memset(&want, 0, sizeof(want));
	if (header > sizeof(want.hdr))
		header = sizeof(want.hdr);
	memcpy(&want.hdr, &file->hdr, header);
	want.hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	want.hdr.cmd_line_ptr = CMDLINE_ADDR;
	want.hdr.ramdisk_image = (uint32_t)initrd_addr;
	want.hdr.ramdisk_size = (uint32_t)initrd_len;
	want.e820_entries = bp->e820_entries;
	memcpy(want.e820_table, bp->e820_table, sizeof(want.e820_table));
	want.acpi_rsdp_addr = bp->acpi_rsdp_addr;
	for (size_t i = 0; i < sizeof(want); i++)
		PROPERTY(((const uint8_t *)bp)[i] == ((const uint8_t *)&want)[i],
			 "zero page byte 0x%zx is 0x%02x, not 0x%02x", i,
			 ((const uint8_t *)bp)[i], ((const uint8_t *)&want)[i]);
}

static void check_accepted(const struct load_input *in, const struct guest_memory *mem,
			   const struct linux_kernel *kernel)
{
	const struct boot_params file = file_header(in);
	const struct setup_header *hdr = &file.hdr;
	const struct boot_params *bp = guest_ptr(mem, BOOT_PARAMS_ADDR, sizeof(*bp));
	unsigned sects = hdr->setup_sects ? hdr->setup_sects : SETUP_SECTS_DEFAULT;
	uint64_t pm_offset = (uint64_t)(sects + 1) * SECTOR_SIZE;
	const char *cmdline = in->cmdline ? in->cmdline : DEFAULT_CMDLINE;
	unsigned __int128 run = runtime_start(hdr);

	PROPERTY(bp, "no zero page in RAM");
	PROPERTY((uint64_t)hdr->syssize * 16 > KERNEL_ENTRY64_OFFSET &&
		 pm_offset + KERNEL_ENTRY64_OFFSET < in->kernel_len,
		 "accepted a kernel with no code at its 64-bit entry (syssize %u, %zu "
		 "bytes after %llu of setup)", hdr->syssize, in->kernel_len,
		 (unsigned long long)pm_offset);
	uint64_t pm_len = in->kernel_len - pm_offset;
	PROPERTY(run + hdr->init_size <= mem->size,
		 "accepted a kernel that runs at 0x%llx for 0x%x bytes, past RAM's 0x%llx",
		 (unsigned long long)run, hdr->init_size, (unsigned long long)mem->size);
	PROPERTY(KERNEL_LOAD_ADDR + pm_len <= mem->size, "the kernel is loaded past RAM");
	PROPERTY(kernel->load_addr == KERNEL_LOAD_ADDR &&
		 kernel->end >= KERNEL_LOAD_ADDR + pm_len && kernel->end >= run + hdr->init_size &&
		 kernel->end <= mem->size,
		 "kernel->end 0x%llx does not cover what the kernel needs",
		 (unsigned long long)kernel->end);
	PROPERTY(memcmp(mem->host + KERNEL_LOAD_ADDR, in->kernel + pm_offset, pm_len) == 0,
		 "the protected-mode part at 1 MiB is not the file's");
	PROPERTY(strlen(cmdline) <= hdr->cmdline_size, "a %zu-byte command line for a "
		 "kernel that takes %u", strlen(cmdline), hdr->cmdline_size);
	PROPERTY(memcmp(mem->host + CMDLINE_ADDR, cmdline, strlen(cmdline) + 1) == 0,
		 "the command line in RAM is not the one given");

	uint64_t initrd = bp->hdr.ramdisk_image, initrd_len = bp->hdr.ramdisk_size;
	if (in->initrd) {
		PROPERTY(initrd_len == in->initrd_len, "ramdisk_size %llu for a %zu-byte initrd",
			 (unsigned long long)initrd_len, in->initrd_len);
		PROPERTY(initrd % PAGE_SIZE == 0 && initrd >= kernel->end &&
			 initrd + initrd_len <= mem->size &&
			 initrd + initrd_len - 1 <= hdr->initrd_addr_max,
			 "initrd at 0x%llx+%llu: unaligned, below the kernel's end 0x%llx, past "
			 "RAM or initrd_addr_max 0x%x", (unsigned long long)initrd,
			 (unsigned long long)initrd_len, (unsigned long long)kernel->end,
			 hdr->initrd_addr_max);
		PROPERTY(memcmp(mem->host + initrd, in->initrd, initrd_len) == 0,
			 "the initrd in RAM is not the file's");
	} else {
		PROPERTY(initrd == 0 && initrd_len == 0, "an initrd nobody gave");
	}
	check_zero_page(bp, &file, initrd, initrd_len);
	check_e820(bp, mem->size);
	check_acpi(mem, bp->acpi_rsdp_addr);

	/* What the kernel is handed, and where, may not collide. */
	struct range runtime = { "the kernel where it runs", (uint64_t)run,
				 (uint64_t)(run + hdr->init_size) };
	struct range parts[] = {
		{ "the kernel as loaded", KERNEL_LOAD_ADDR, KERNEL_LOAD_ADDR + pm_len },
		{ "the initrd", initrd, initrd + initrd_len },
		{ "the command line", CMDLINE_ADDR, CMDLINE_ADDR + strlen(cmdline) + 1 },
		{ "the zero page", BOOT_PARAMS_ADDR, BOOT_PARAMS_ADDR + sizeof(*bp) },
		{ "the ACPI tables", ACPI_TABLES_ADDR, ACPI_TABLES_END },
	};
	const unsigned count = sizeof(parts) / sizeof(parts[0]);
	for (unsigned i = 1; i < count; i++) {
		PROPERTY(!ranges_overlap(&runtime, &parts[i]),
			 "%s [0x%llx, 0x%llx) overlaps %s [0x%llx, 0x%llx)", runtime.what,
			 (unsigned long long)runtime.start, (unsigned long long)runtime.end,
			 parts[i].what, (unsigned long long)parts[i].start,
			 (unsigned long long)parts[i].end);
		for (unsigned j = 0; j < i; j++)
			PROPERTY(!ranges_overlap(&parts[i], &parts[j]), "%s overlaps %s",
				 parts[i].what, parts[j].what);
	}
	PROPERTY(e820_holds(bp, &runtime, E820_RAM), "%s is not in e820 RAM", runtime.what);
	for (unsigned i = 0; i < count; i++)
		PROPERTY(e820_holds(bp, &parts[i], i == count - 1 ? E820_RESERVED : E820_RAM),
			 "%s [0x%llx, 0x%llx) is not in an e820 entry of its type",
			 parts[i].what, (unsigned long long)parts[i].start,
			 (unsigned long long)parts[i].end);
	check_nothing_else(mem, parts, count);
}

/* One line, "vmm: ...\n", and nothing more. */
static void check_one_message(const char *text, size_t len, int status)
{
	const char *nl = memchr(text, '\n', len);

	PROPERTY(len > 5 && strncmp(text, "vmm: ", 5) == 0 && nl == text + len - 1,
		 "status %d with stderr \"%.*s\", not one line", status, (int)len, text);
}

static void load(const struct load_input *in)
{
	struct options opts = {
		.kernel = kernel_file.path,
		.initrd = in->initrd ? initrd_file.path : NULL,
		.append = in->cmdline,
		.memory_size = ram_sizes[in->ram_index],
	};
	struct linux_kernel kernel;
	FILE *quiet = stderr;
	char *said = NULL;
	size_t said_len = 0;

	memfile_set(&kernel_file, in->kernel, in->kernel_len);
	if (in->initrd)
		memfile_set(&initrd_file, in->initrd, in->initrd_len);
	if (!rams[in->ram_index].host)
		rams[in->ram_index] = ram_alloc(ram_sizes[in->ram_index]);
	vm.mem = rams[in->ram_index];
	fill_sentinel(&vm.mem);
	vm.virtio_count = in->devices;
	for (unsigned i = 0; i < in->devices; i++)
		vm.virtio[i] = (struct device_slot){
			.kind = DEVICE_RNG,
			.base = VIRTIO_MMIO_BASE + (uint64_t)i * VIRTIO_MMIO_SIZE,
			.irq = { .vm = &vm, .irq = VIRTIO_MMIO_FIRST_IRQ + i },
		};

	stderr = open_memstream(&said, &said_len);
	PROPERTY(stderr, "open_memstream failed");
	int status = linux_load(&opts, &vm, &kernel);
	fclose(stderr);
	stderr = quiet;

	if (status == 0) {
		PROPERTY(said_len == 0, "a load that worked said \"%.*s\"", (int)said_len, said);
		check_accepted(in, &vm.mem, &kernel);
	} else {
		PROPERTY(status == EX_USAGE || status == EX_DATAERR || status == EX_SOFTWARE,
			 "linux_load returned %d", status);
		check_one_message(said, said_len, status);
	}
	free(said);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	quiet_stdio();
	kernel_file = memfile_create("fuzz-kernel");
	initrd_file = memfile_create("fuzz-initrd");
	memset(sentinel, SENTINEL, sizeof(sentinel));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cmdline[UINT16_MAX + 1];
	struct input in = { data, size };
	struct load_input load_in = { .ram_index = take8(&in) % RAM_SIZES };
	uint8_t flags = take8(&in);
	size_t len;
	const uint8_t *text = take_bytes(&in, take16(&in), &len);
	const uint8_t *initrd = take_bytes(&in, take32(&in), &load_in.initrd_len);

	load_in.devices = (flags >> DEVICES_SHIFT) & DEVICES_MASK;
	if (load_in.devices > VIRTIO_MMIO_MAX_DEVICES)
		load_in.devices = VIRTIO_MMIO_MAX_DEVICES;
	if (flags & FLAG_APPEND) {
		memcpy(cmdline, text, len);
		cmdline[len] = '\0';
		load_in.cmdline = cmdline;  /* an argument ends at its first NUL */
	}
	if (flags & FLAG_INITRD)
		load_in.initrd = initrd;
	load_in.kernel = take_bytes(&in, in.left, &load_in.kernel_len);
	load(&load_in);
	return 0;
}
