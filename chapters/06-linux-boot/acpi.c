/*
 * acpi.c - ACPI tables: how the guest OS learns about devices it cannot
 * probe.
 *
 * PCI devices announce themselves, but a virtio-mmio window is just a
 * range of physical addresses: an OS that pokes at random addresses
 * looking for devices would crash real machines. So firmware describes
 * the board in ACPI tables, and the OS follows a chain of pointers:
 *
 *   RSDP  found by scanning 0xe0000-0xfffff for "RSD PTR " on 16-byte
 *    |    boundaries (what a legacy BIOS leaves behind)
 *   XSDT  a list of 64-bit pointers to the other tables
 *    |--> FADT  fixed hardware, boot flags, and a pointer to the DSDT
 *    |     `--> DSDT  AML (aml.c) declaring the devices: COM1 and the
 *    |                clock, the pvpanic port, and for each virtio-mmio
 *    |                window a Device with _HID "LNRO0005", which
 *    |                Linux's virtio_mmio driver matches, each with a
 *    |                _CRS giving its registers and interrupt
 *    `--> MADT  the interrupt controllers: one local APIC per CPU and
 *               the I/O APIC, which KVM models in the kernel (irqchip.c)
 *
 * Debian's kernel cannot take virtio-mmio devices from its command line
 * (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES is off), and its pvpanic driver
 * binds only to an ACPI or device-tree node, so this is the only way it
 * finds our disks and the panic port.
 *
 * Our machine is "hardware-reduced" ACPI, as Firecracker's is: no ACPI
 * fixed hardware (PM timer, SCI, sleep registers). The PICs and the PIT
 * are still there (KVM models them; the MADT's PCAT_COMPAT flag says
 * so), but a hardware-reduced OS does not rely on them: Linux then takes
 * its interrupts from the I/O APIC and its timer from the local APIC.
 * Every table ends up with bytes that sum to 0 mod 256; the OS rejects
 * any whose checksum is off.
 *
 * Reference: ACPI 6.5, §5.2.5 (RSDP), §5.2.6 (table header), §5.2.8
 * (XSDT), §5.2.9 (FADT), §5.2.11.1 (DSDT), §5.2.12 (MADT), chapters 19
 * and 20 (ASL and AML), §6.4 (resource descriptors); Linux
 * drivers/virtio/virtio_mmio.c (its ACPI id, "LNRO0005").
 */
#include "acpi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aml.h"
#include "irqchip.h"
#include "pvpanic.h"
#include "rtc.h"
#include "serial.h"
#include "vm.h"

/* Who made the tables: the same ids in every header (§5.2.6). */
#define ACPI_OEM_ID           "KVMBK "    /* 6 characters */
#define ACPI_OEM_TABLE_ID     "KVMBOOK "  /* 8 characters */
#define ACPI_OEM_REVISION     1
#define ACPI_CREATOR_ID       "KVMB"
#define ACPI_CREATOR_REVISION 1

/* The OS scans for the RSDP on 16-byte boundaries; we align every table so. */
#define ACPI_TABLE_ALIGN 16

/* §5.2.6: the header every table but the RSDP starts with. */
struct acpi_table_header {
	char signature[4];
	uint32_t length;        /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_table_header) == 36, "ACPI table header");

/* §5.2.5.3: the Root System Description Pointer, ACPI 2.0+ form. */
#define RSDP_SIGNATURE   "RSD PTR "
#define RSDP_REVISION    2   /* 2: has the XSDT address and a length */
#define RSDP_V1_LENGTH   20  /* what the first checksum covers (ACPI 1.0) */

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;           /* of the first 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;      /* the 32-bit RSDT: we have none */
	uint32_t length;            /* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;  /* of all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");

/* §5.2.8: the Extended System Description Table, our list of tables. */
#define XSDT_REVISION 1
#define XSDT_ENTRIES  2   /* FADT, MADT */

struct acpi_xsdt {
	struct acpi_table_header header;
	uint64_t entries[XSDT_ENTRIES];
} __attribute__((packed));

/*
 * §5.2.9: the Fixed ACPI Description Table (signature "FACP"), revision
 * 6, 276 bytes. A hardware-reduced machine leaves the fixed-hardware
 * fields zero (SCI, SMI_CMD, the PM1, PM timer and GPE blocks, the
 * reset and sleep registers, and IAPC_BOOT_ARCH: no legacy devices to
 * probe for), so only the fields we fill have names; the rest is
 * padding at Table 5.9's offsets, which the compiler checks below.
 */
#define FADT_REVISION          6
#define FADT_MINOR_REVISION    5          /* ACPI 6.5 */
#define FADT_HW_REDUCED_ACPI   (1U << 20) /* Flags (Table 5.10) */
#define FADT_HYPERVISOR_VENDOR "KVMBOOK"    /* 8 bytes with its NUL */

struct acpi_fadt {
	struct acpi_table_header header;
	uint32_t firmware_ctrl;     /* FACS: none (allowed when hardware-reduced) */
	uint32_t dsdt;
	uint8_t fixed_hardware[68]; /* SCI_INT ... IAPC_BOOT_ARCH, all 0 */
	uint32_t flags;
	uint8_t reset_reg[15];      /* RESET_REG, RESET_VALUE, ARM_BOOT_ARCH */
	uint8_t minor_revision;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	uint8_t x_blocks[120];      /* the 64-bit forms of the blocks, sleep regs */
	char hypervisor_vendor[8];
} __attribute__((packed));

/* The offsets of Table 5.9, checked by the compiler. */
_Static_assert(offsetof(struct acpi_fadt, dsdt) == 40, "FADT DSDT");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags");
_Static_assert(offsetof(struct acpi_fadt, minor_revision) == 131, "FADT minor version");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor) == 268, "FADT vendor");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 length");

/*
 * §5.2.12: the Multiple APIC Description Table (signature "APIC"). Its
 * entries follow the fixed part; ours are fixed too: one CPU, one I/O
 * APIC, at the addresses where KVM's in-kernel models answer (irqchip.h).
 */
#define MADT_REVISION        5
#define MADT_PCAT_COMPAT     (1U << 0)   /* 8259 PICs too (KVM models them) */
#define MADT_TYPE_LOCAL_APIC 0           /* §5.2.12.2 */
#define MADT_TYPE_IO_APIC    1           /* §5.2.12.3 */
#define MADT_LAPIC_ENABLED   (1U << 0)
#define BOOT_CPU_APIC_ID     0           /* KVM: APIC id = vCPU id (vcpu.c) */

struct madt_local_apic {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_io_apic {
	uint8_t type;
	uint8_t length;
	uint8_t io_apic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;   /* its pin 0 is this global system interrupt */
} __attribute__((packed));

struct acpi_madt {
	struct acpi_table_header header;
	uint32_t local_apic_address;
	uint32_t flags;
	struct madt_local_apic cpu0;
	struct madt_io_apic io_apic;
} __attribute__((packed));

_Static_assert(sizeof(struct madt_local_apic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct madt_io_apic) == 12, "MADT I/O APIC");

/* §5.2.11.1: revision 2 makes AML integers 64 bits wide. */
#define DSDT_REVISION 2

/* Linux's virtio_mmio driver matches this ACPI hardware id. */
#define VIRTIO_MMIO_HID "LNRO0005"

/* Memory32Fixed describes windows below 4 GiB; VRnn names 256 at most. */
_Static_assert(VIRTIO_MMIO_BASE + VIRTIO_MMIO_MAX_DEVICES * VIRTIO_MMIO_SIZE
	       <= 0x100000000ULL, "virtio-mmio windows below 4 GiB");
_Static_assert(VIRTIO_MMIO_MAX_DEVICES <= 256, "virtio device names");

/* The tables go one after another in [ACPI_TABLES_ADDR, ACPI_TABLES_END). */
struct table_area {
	const struct guest_memory *mem;
	uint64_t next;
	bool full;   /* sticky: a table did not fit */
};

/*
 * Reserves `size` zeroed bytes of guest memory for a table; NULL when
 * they don't fit in the area or in guest RAM (then and from then on).
 */
static void *table_alloc(struct table_area *area, uint64_t size, uint64_t *gpa)
{
	uint64_t at = (area->next + ACPI_TABLE_ALIGN - 1) & ~(uint64_t)(ACPI_TABLE_ALIGN - 1);
	void *table;

	if (area->full || size > ACPI_TABLES_END - at ||
	    !(table = guest_ptr(area->mem, at, size))) {
		area->full = true;
		return NULL;
	}
	memset(table, 0, size);
	area->next = at + size;
	*gpa = at;
	return table;
}

/* The byte that makes `len` bytes (it among them, as 0) sum to 0. */
static uint8_t checksum(const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

static void fill_header(struct acpi_table_header *header, const char *signature,
			uint32_t length, uint8_t revision)
{
	memcpy(header->signature, signature, sizeof(header->signature));
	header->length = length;
	header->revision = revision;
	memcpy(header->oem_id, ACPI_OEM_ID, sizeof(header->oem_id));
	memcpy(header->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(header->oem_table_id));
	header->oem_revision = ACPI_OEM_REVISION;
	memcpy(header->creator_id, ACPI_CREATOR_ID, sizeof(header->creator_id));
	header->creator_revision = ACPI_CREATOR_REVISION;
}

/* Last, once every other byte of the table is final. */
static void seal(struct acpi_table_header *header)
{
	header->checksum = 0;
	header->checksum = checksum(header, header->length);
}

/*
 * Device(VRnn) { Name(_HID, "LNRO0005") Name(_UID, n)
 *                Name(_CRS, ResourceTemplate() { Memory32Fixed(...)
 *                                                Interrupt(...) }) }
 * _UID tells devices with the same _HID apart.
 */
static void describe_device(struct aml *scope, unsigned index,
			    const struct device_slot *dev)
{
	struct aml resources = AML_INIT, body = AML_INIT;
	char name[5];

	aml_memory32_fixed(&resources, (uint32_t)dev->base, VIRTIO_MMIO_SIZE);
	aml_interrupt(&resources, dev->irq.irq);
	aml_end_tag(&resources);

	aml_name(&body, "_HID");
	aml_string(&body, VIRTIO_MMIO_HID);
	aml_name(&body, "_UID");
	aml_integer(&body, index);
	aml_name(&body, "_CRS");
	aml_buffer(&body, &resources);

	snprintf(name, sizeof(name), "VR%02X", index & 0xff);  /* index < 256 */
	aml_device(scope, name, &body);
	aml_free(&resources);
	aml_free(&body);
}

/* book:begin port-devices */
/*
 * The devices at fixed ports. Linux would find COM1 and the clock by
 * probing anyway, but in a hardware-reduced machine it maps only the
 * interrupts that ACPI declares: without this COM1, opening ttyS0 fails
 * for want of IRQ 4. The ids are the PNP ones every PC's firmware uses,
 * and QEMU's for pvpanic. The clock and pvpanic get no interrupt: ours
 * never raise one.
 */
static const struct port_device {
	const char *name, *hid;
	uint16_t port, port_count;
	uint32_t irq;             /* 0: none */
} port_devices[] = {
	{ "COM1", "PNP0501", COM1_BASE, SERIAL_PORTS, COM1_IRQ },
	{ "RTC_", "PNP0B00", RTC_BASE, RTC_PORTS, 0 },
	{ "PEVT", PVPANIC_HID, PVPANIC_PORT, PVPANIC_PORTS, 0 },
};
/* book:end port-devices */

static void describe_port_device(struct aml *scope, const struct port_device *dev)
{
	struct aml resources = AML_INIT, body = AML_INIT;

	aml_io(&resources, dev->port, (uint8_t)dev->port_count);
	if (dev->irq)
		aml_interrupt(&resources, dev->irq);
	aml_end_tag(&resources);

	aml_name(&body, "_HID");
	aml_string(&body, dev->hid);
	aml_name(&body, "_CRS");
	aml_buffer(&body, &resources);
	aml_device(scope, dev->name, &body);
	aml_free(&resources);
	aml_free(&body);
}

/* Scope(\_SB_) { the port devices, then one Device per virtio-mmio
 * window }: \_SB_, the system bus, is where ACPI puts devices. */
static void describe_devices(struct aml *dsdt, const struct device_slot *devs,
			     unsigned count)
{
	struct aml system_bus = AML_INIT;

	for (size_t i = 0; i < sizeof(port_devices) / sizeof(port_devices[0]); i++)
		describe_port_device(&system_bus, &port_devices[i]);
	for (unsigned i = 0; i < count; i++)
		describe_device(&system_bus, i, &devs[i]);
	aml_scope(dsdt, "\\_SB_", &system_bus);
	aml_free(&system_bus);
}

/* Each add_* writes one table and returns its address, or 0 if it did not fit. */
static uint64_t add_dsdt(struct table_area *area, const struct aml *aml)
{
	uint64_t length = sizeof(struct acpi_table_header) + aml->len;
	uint64_t gpa;
	struct acpi_table_header *dsdt = table_alloc(area, length, &gpa);

	if (!dsdt)
		return 0;
	fill_header(dsdt, "DSDT", length, DSDT_REVISION);
	memcpy(dsdt + 1, aml->bytes, aml->len);
	seal(dsdt);
	return gpa;
}

/*
 * Hardware-reduced, with ACPI always on (SMI_CMD 0). The boot flags
 * stay 0: no i8042 for a driver (reboot=k resets through its port all
 * the same), and "CMOS RTC not present" clear, for our CMOS clock.
 */
static uint64_t add_fadt(struct table_area *area, uint64_t dsdt_gpa)
{
	uint64_t gpa;
	struct acpi_fadt *fadt = table_alloc(area, sizeof(*fadt), &gpa);

	if (!fadt)
		return 0;
	fill_header(&fadt->header, "FACP", sizeof(*fadt), FADT_REVISION);
	fadt->dsdt = (uint32_t)dsdt_gpa;
	fadt->x_dsdt = dsdt_gpa;
	fadt->flags = FADT_HW_REDUCED_ACPI;
	fadt->minor_revision = FADT_MINOR_REVISION;
	memcpy(fadt->hypervisor_vendor, FADT_HYPERVISOR_VENDOR, sizeof(fadt->hypervisor_vendor));
	seal(&fadt->header);
	return gpa;
}

/*
 * No interrupt source overrides: KVM wires ISA IRQ n to I/O APIC pin n,
 * which is what the OS assumes without them.
 */
static uint64_t add_madt(struct table_area *area)
{
	uint64_t gpa;
	struct acpi_madt *madt = table_alloc(area, sizeof(*madt), &gpa);

	if (!madt)
		return 0;
	fill_header(&madt->header, "APIC", sizeof(*madt), MADT_REVISION);
	madt->local_apic_address = LOCAL_APIC_ADDR;
	madt->flags = MADT_PCAT_COMPAT;
	madt->cpu0 = (struct madt_local_apic){
		.type = MADT_TYPE_LOCAL_APIC, .length = sizeof(madt->cpu0),
		.processor_uid = 0, .apic_id = BOOT_CPU_APIC_ID,
		.flags = MADT_LAPIC_ENABLED,
	};
	madt->io_apic = (struct madt_io_apic){
		.type = MADT_TYPE_IO_APIC, .length = sizeof(madt->io_apic),
		.io_apic_id = IO_APIC_ID, .address = IO_APIC_ADDR, .gsi_base = 0,
	};
	seal(&madt->header);
	return gpa;
}

static uint64_t add_xsdt(struct table_area *area, uint64_t fadt_gpa, uint64_t madt_gpa)
{
	uint64_t gpa;
	struct acpi_xsdt *xsdt = table_alloc(area, sizeof(*xsdt), &gpa);

	if (!xsdt)
		return 0;
	fill_header(&xsdt->header, "XSDT", sizeof(*xsdt), XSDT_REVISION);
	xsdt->entries[0] = fadt_gpa;
	xsdt->entries[1] = madt_gpa;
	seal(&xsdt->header);
	return gpa;
}

/* Two checksums: one for ACPI 1.0 readers, one over the whole RSDP. */
static void fill_rsdp(struct acpi_rsdp *rsdp, uint64_t xsdt_gpa)
{
	memcpy(rsdp->signature, RSDP_SIGNATURE, sizeof(rsdp->signature));
	memcpy(rsdp->oem_id, ACPI_OEM_ID, sizeof(rsdp->oem_id));
	rsdp->revision = RSDP_REVISION;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = xsdt_gpa;
	rsdp->checksum = checksum(rsdp, RSDP_V1_LENGTH);
	rsdp->extended_checksum = checksum(rsdp, sizeof(*rsdp));
}

/*
 * acpi_build - writes the RSDP at ACPI_TABLES_ADDR and the tables after
 * it, each after the tables it points to, so that its pointers are
 * final when its checksum is computed: DSDT, FADT, MADT, XSDT, and the
 * RSDP last. *rsdp_addr gets the RSDP's address (for boot_params'
 * acpi_rsdp_addr). 0, or -1 after printing.
 */
int acpi_build(const struct guest_memory *mem, const struct device_slot *devs,
	       unsigned count, uint64_t *rsdp_addr)
{
	struct table_area area = { .mem = mem, .next = ACPI_TABLES_ADDR };
	struct aml aml = AML_INIT;
	struct acpi_rsdp *rsdp;
	uint64_t rsdp_gpa, dsdt, fadt, madt, xsdt;

	describe_devices(&aml, devs, count);
	if (aml.failed) {
		fprintf(stderr, "vmm: cannot encode the DSDT's AML\n");
		aml_free(&aml);
		return -1;
	}

	rsdp = table_alloc(&area, sizeof(*rsdp), &rsdp_gpa);
	dsdt = add_dsdt(&area, &aml);
	fadt = add_fadt(&area, dsdt);
	madt = add_madt(&area);
	xsdt = add_xsdt(&area, fadt, madt);
	aml_free(&aml);
	if (area.full) {
		fprintf(stderr, "vmm: the ACPI tables do not fit in guest RAM at 0x%x-0x%x\n",
			ACPI_TABLES_ADDR, ACPI_TABLES_END - 1);
		return -1;
	}
	fill_rsdp(rsdp, xsdt);
	*rsdp_addr = rsdp_gpa;
	return 0;
}
