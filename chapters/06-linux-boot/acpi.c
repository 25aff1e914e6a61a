/*
 * acpi.c - ACPI tables: how the guest OS learns about the devices it
 * cannot probe. It follows a chain of pointers from the RSDP:
 *
 *   RSDP  found by scanning 0xe0000-0xfffff for "RSD PTR " on 16-byte
 *    |    boundaries, or at boot_params.acpi_rsdp_addr
 *   XSDT  a list of 64-bit pointers to the other tables
 *    |--> FADT  fixed hardware, boot flags, and a pointer to the DSDT
 *    |     `--> DSDT  AML (aml.c) declaring the devices: COM1, the clock,
 *    |                the pvpanic port, and each virtio-mmio window
 *    `--> MADT  the interrupt controllers: the CPU's local APIC and the
 *               I/O APIC, which KVM models in the kernel (irqchip.c)
 *
 * Debian's kernel cannot take virtio-mmio devices from its command line
 * (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES is off), and its pvpanic driver
 * binds only to an ACPI or device-tree node: this is how it finds them.
 *
 * Reference: ACPI 6.5, §5.2.5 (RSDP), §5.2.6 (table header), §5.2.8
 * (XSDT), §5.2.9 (FADT), §5.2.11.1 (DSDT), §5.2.12 (MADT), §6.1.5 (_HID),
 * §6.2.2 (_CRS); Linux drivers/virtio/virtio_mmio.c (its id, "LNRO0005").
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

/* §5.2.6: the header every table but the RSDP starts with. */
struct acpi_table_header {
	char signature[4];
	uint32_t length;        /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];         /* who made the table */
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

#define ACPI_OEM_ID       "KVMBK "
#define ACPI_OEM_TABLE_ID "KVMBOOK "
#define ACPI_CREATOR_ID   "KVMB"

/* §5.2.5.3: the Root System Description Pointer, revision 2 (ACPI 2.0+). */
#define RSDP_REVISION  2
#define RSDP_V1_LENGTH 20  /* what ACPI 1.0's checksum covers */

struct acpi_rsdp {
	char signature[8];          /* "RSD PTR " */
	uint8_t checksum;           /* of the first 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;      /* the 32-bit RSDT: we have none */
	uint32_t length;            /* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;  /* of all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

/* §5.2.8: the Extended System Description Table, our list of tables. */
#define XSDT_REVISION 1

struct acpi_xsdt {
	struct acpi_table_header header;
	uint64_t fadt, madt;
} __attribute__((packed));

/*
 * §5.2.9: the Fixed ACPI Description Table ("FACP"), revision 6. Ours is
 * "hardware-reduced", as Firecracker's is: no ACPI fixed hardware (SCI,
 * PM timer, sleep and reset registers), so those fields are 0, padding
 * at Table 5.9's offsets. So are the boot flags: no i8042 to probe, and
 * "CMOS RTC not present" clear.
 */
#define FADT_REVISION        6
#define FADT_HW_REDUCED_ACPI (1U << 20) /* Flags (Table 5.10) */

struct acpi_fadt {
	struct acpi_table_header header;
	uint32_t firmware_ctrl;     /* FACS: none, as hardware-reduced allows */
	uint32_t dsdt;
	uint8_t fixed_hardware[68]; /* SCI_INT ... IAPC_BOOT_ARCH */
	uint32_t flags;
	uint8_t reset_reg[16];      /* RESET_REG ... FADT minor version */
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	uint8_t x_blocks[128];      /* the blocks' 64-bit forms ... vendor id */
} __attribute__((packed));

_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 length");

/* §5.2.12: the Multiple APIC Description Table ("APIC"): one entry per
 * interrupt controller, where KVM's models answer (irqchip.h). */
#define MADT_REVISION        5
#define MADT_PCAT_COMPAT     (1U << 0)   /* 8259 PICs too (KVM models them) */
#define MADT_LOCAL_APIC      0           /* §5.2.12.2: type, length */
#define MADT_LOCAL_APIC_LEN  8
#define MADT_IO_APIC         1           /* §5.2.12.3 */
#define MADT_IO_APIC_LEN     12
#define MADT_LAPIC_ENABLED   (1U << 0)
#define BOOT_CPU_APIC_ID     0           /* KVM: APIC id = vCPU id (vcpu.c) */

struct acpi_madt {
	struct acpi_table_header header;
	uint32_t local_apic_address;
	uint32_t flags;
	uint8_t lapic_type, lapic_length, processor_uid, apic_id;
	uint32_t lapic_flags;
	uint8_t io_apic_type, io_apic_length, io_apic_id, reserved;
	uint32_t io_apic_address;
	uint32_t gsi_base;          /* 0: pin n is global system interrupt n */
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_madt) ==
	       44 + MADT_LOCAL_APIC_LEN + MADT_IO_APIC_LEN, "MADT and its entries");

/* §5.2.11.1: the Differentiated System Description Table, all AML;
 * revision 2 makes AML integers 64 bits wide. */
#define DSDT_REVISION 2

struct acpi_dsdt {
	struct acpi_table_header header;
	uint8_t aml[AML_MAX_SIZE];  /* as much of it as the AML needs */
} __attribute__((packed));

/*
 * All the tables, one after another from ACPI_TABLES_ADDR, so that each
 * one's address is known before any is written; each on a 16-byte
 * boundary, as the RSDP must be. The DSDT comes last, as long as its AML.
 */
struct acpi_tables {
	struct acpi_rsdp rsdp;
	_Alignas(16) struct acpi_xsdt xsdt;
	_Alignas(16) struct acpi_fadt fadt;
	_Alignas(16) struct acpi_madt madt;
	_Alignas(16) struct acpi_dsdt dsdt;
};

_Static_assert(sizeof(struct acpi_tables) <= ACPI_TABLES_END - ACPI_TABLES_ADDR,
	       "the tables fit in the BIOS area");

#define TABLE_GPA(table) (ACPI_TABLES_ADDR + offsetof(struct acpi_tables, table))

/* The byte that makes `len` bytes (it among them, as 0) sum to 0. */
static uint8_t checksum(const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

/* Writes a table's header once the rest of it is final, and last the
 * checksum: the OS ignores a table whose bytes do not sum to 0. */
static void seal(struct acpi_table_header *header, const char *signature,
		 uint32_t length, uint8_t revision)
{
	*header = (struct acpi_table_header){
		.length = length, .revision = revision,
		.oem_revision = 1, .creator_revision = 1,
	};
	memcpy(header->signature, signature, sizeof(header->signature));
	memcpy(header->oem_id, ACPI_OEM_ID, sizeof(header->oem_id));
	memcpy(header->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(header->oem_table_id));
	memcpy(header->creator_id, ACPI_CREATOR_ID, sizeof(header->creator_id));
	header->checksum = checksum(header, length);
}

/* A device the DSDT declares: its id (§6.1.5) and its resources. */
struct acpi_device {
	char name[5];
	const char *hid;
	bool io;            /* ports, or else a memory window */
	uint32_t base, size;
	uint32_t irq;       /* 0: none */
};

/* book:begin port-devices */
/*
 * The devices at fixed ports. Linux would find COM1 and the clock by
 * probing, but on a hardware-reduced machine it maps only the interrupts
 * that ACPI declares: without this COM1, opening ttyS0 fails for want of
 * IRQ 4. The ids are the PNP ones every PC's firmware uses, and QEMU's
 * for pvpanic. The clock and pvpanic never raise an interrupt.
 */
static const struct acpi_device port_devices[] = {
	{ "COM1", "PNP0501", true, COM1_BASE, SERIAL_PORTS, COM1_IRQ },
	{ "RTC_", "PNP0B00", true, RTC_BASE, RTC_PORTS, 0 },
	{ "PEVT", PVPANIC_HID, true, PVPANIC_PORT, PVPANIC_PORTS, 0 },
};
/* book:end port-devices */

/* Linux's virtio_mmio driver matches this id. */
#define VIRTIO_MMIO_HID "LNRO0005"

/* Memory32Fixed describes windows below 4 GiB; VRnn and a byte's _UID, 256. */
_Static_assert(VIRTIO_MMIO_BASE + VIRTIO_MMIO_MAX_DEVICES * VIRTIO_MMIO_SIZE
	       <= 0x100000000ULL, "virtio-mmio windows below 4 GiB");
_Static_assert(VIRTIO_MMIO_MAX_DEVICES <= 256, "virtio device names");

/*
 * Device(name) { Name(_HID, hid) Name(_UID, uid) Name(_CRS,
 *   ResourceTemplate() { IO(...) or Memory32Fixed(...), Interrupt(...) }) }
 * _UID tells devices with the same _HID apart; _CRS, the "current
 * resource settings", says where its registers and interrupt are.
 */
static void describe_device(struct aml *aml, const struct acpi_device *dev,
			    unsigned uid)
{
	size_t device = aml_device(aml, dev->name), crs;

	aml_name(aml, "_HID");
	aml_string(aml, dev->hid);
	aml_name(aml, "_UID");
	aml_integer(aml, uid);
	aml_name(aml, "_CRS");
	crs = aml_resource_template(aml);
	if (dev->io)
		aml_io(aml, (uint16_t)dev->base, (uint8_t)dev->size);
	else
		aml_memory32_fixed(aml, dev->base, dev->size);
	if (dev->irq)
		aml_interrupt(aml, dev->irq);
	aml_resource_template_end(aml, crs);
	aml_end(aml, device);
}

/*
 * Scope(\_SB_) { the port devices, then VR00, VR01, ... for the virtio
 * devices of the device map }: \_SB_, the system bus, is where devices go.
 */
static void describe_devices(struct aml *aml, const struct device_slot *devs,
			     unsigned count)
{
	size_t scope = aml_scope(aml, "\\_SB_");

	for (size_t i = 0; i < sizeof(port_devices) / sizeof(port_devices[0]); i++)
		describe_device(aml, &port_devices[i], 0);
	for (unsigned i = 0; i < count; i++) {
		struct acpi_device dev = {
			.hid = VIRTIO_MMIO_HID, .base = (uint32_t)devs[i].base,
			.size = VIRTIO_MMIO_SIZE, .irq = devs[i].irq.irq,
		};

		snprintf(dev.name, sizeof(dev.name), "VR%02X", i & 0xff);
		describe_device(aml, &dev, i);
	}
	aml_end(aml, scope);
}

static void add_fadt(struct acpi_fadt *fadt)
{
	fadt->dsdt = TABLE_GPA(dsdt);
	fadt->x_dsdt = TABLE_GPA(dsdt);
	fadt->flags = FADT_HW_REDUCED_ACPI;
	seal(&fadt->header, "FACP", sizeof(*fadt), FADT_REVISION);
}

/* No interrupt source overrides: KVM wires ISA IRQ n to I/O APIC pin n,
 * which is what the OS assumes without them. */
static void add_madt(struct acpi_madt *madt)
{
	madt->local_apic_address = LOCAL_APIC_ADDR;
	madt->flags = MADT_PCAT_COMPAT;
	madt->lapic_type = MADT_LOCAL_APIC;
	madt->lapic_length = MADT_LOCAL_APIC_LEN;
	madt->apic_id = BOOT_CPU_APIC_ID;
	madt->lapic_flags = MADT_LAPIC_ENABLED;
	madt->io_apic_type = MADT_IO_APIC;
	madt->io_apic_length = MADT_IO_APIC_LEN;
	madt->io_apic_id = IO_APIC_ID;
	madt->io_apic_address = IO_APIC_ADDR;
	seal(&madt->header, "APIC", sizeof(*madt), MADT_REVISION);
}

/* Two checksums: one for ACPI 1.0 readers, one over the whole RSDP. */
static void add_rsdp(struct acpi_rsdp *rsdp)
{
	memcpy(rsdp->signature, "RSD PTR ", sizeof(rsdp->signature));
	memcpy(rsdp->oem_id, ACPI_OEM_ID, sizeof(rsdp->oem_id));
	rsdp->revision = RSDP_REVISION;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = TABLE_GPA(xsdt);
	rsdp->checksum = checksum(rsdp, RSDP_V1_LENGTH);
	rsdp->extended_checksum = checksum(rsdp, sizeof(*rsdp));
}

/*
 * acpi_build - writes the tables, with the `count` virtio devices of the
 * device map, into the BIOS area. Each is sealed after those it points
 * to; the RSDP, last, makes the set visible, and its address goes to
 * *rsdp_addr. 0, or -1 after a message.
 */
int acpi_build(const struct guest_memory *mem, const struct device_slot *devs,
	       unsigned count, uint64_t *rsdp_addr)
{
	struct acpi_tables *t = guest_ptr(mem, ACPI_TABLES_ADDR,
					  ACPI_TABLES_END - ACPI_TABLES_ADDR);
	struct aml aml = { 0 };

	if (!t) {
		fprintf(stderr, "vmm: the ACPI tables need RAM at 0x%x-0x%x\n",
			ACPI_TABLES_ADDR, ACPI_TABLES_END - 1);
		return -1;
	}
	describe_devices(&aml, devs, count);
	if (aml.failed) {
		fprintf(stderr, "vmm: cannot encode the DSDT's AML\n");
		return -1;
	}
	memset(t, 0, sizeof(*t));
	memcpy(t->dsdt.aml, aml.bytes, aml.len);
	seal(&t->dsdt.header, "DSDT", sizeof(t->dsdt.header) + aml.len, DSDT_REVISION);
	add_fadt(&t->fadt);
	add_madt(&t->madt);
	t->xsdt.fadt = TABLE_GPA(fadt);
	t->xsdt.madt = TABLE_GPA(madt);
	seal(&t->xsdt.header, "XSDT", sizeof(t->xsdt), XSDT_REVISION);
	add_rsdp(&t->rsdp);
	*rsdp_addr = ACPI_TABLES_ADDR;
	return 0;
}
