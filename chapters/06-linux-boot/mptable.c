/*
 * mptable.c - the MultiProcessor (MP) table: how a kernel without ACPI
 * learns about the I/O APIC and which pin each interrupt arrives on.
 *
 * ACPI's MADT (acpi.c) describes the interrupt controllers, but a kernel
 * built without ACPI (small kernels configured for VMs often are) never
 * reads it. Before ACPI, Intel's MultiProcessor Specification did that
 * job, and every x86-64 kernel without ACPI still reads its table: a
 * "floating pointer" found by scanning the BIOS area for "_MP_", which
 * points at a configuration table of entries:
 *
 *   processor       our one CPU, local APIC id 0, the boot processor
 *   bus             bus 0 is ISA: the legacy interrupts 0-15
 *   I/O APIC        KVM's, at 0xfec00000
 *   I/O interrupt   ISA IRQ n arrives on I/O APIC pin n (KVM's default
 *                   routing), for n = 0..15 but 2, the PICs' cascade
 *   local interrupt the PIC's output on LINT0 (ExtINT), NMI on LINT1
 *
 * Without either table Linux falls back to "virtual wire" mode, the PIC
 * alone, and on our machine that boot crawls and stalls: the timer and
 * the serial port's interrupts do not get through. A kernel with ACPI
 * prefers the MADT and ignores this table, so both can be there, as on
 * real PCs.
 *
 * Reference: Intel MultiProcessor Specification 1.4, chapter 4 (MP
 * configuration table); Linux arch/x86/kernel/mpparse.c.
 */
#include "mptable.h"

#include <stdio.h>
#include <string.h>

#define MP_SPEC_REV      4          /* 1.4 */
#define MP_LAPIC_ADDR    0xfee00000
#define MP_IOAPIC_ADDR   0xfec00000
/* Distinct from the CPU's APIC id, as the MP spec wants; the MADT
 * (acpi.c) says 0, what KVM's I/O APIC id register reads after reset.
 * A 64-bit kernel checks neither against the register. */
#define MP_IOAPIC_ID     1
#define MP_APIC_VERSION  0x14       /* an integrated local APIC */
#define MP_IOAPIC_VERSION 0x11      /* what KVM's I/O APIC reports */
#define MP_ISA_BUS       0
#define MP_ISA_IRQS      16
#define MP_CASCADE_IRQ   2          /* the slave PIC's line: not a device */
#define MP_ALL_APICS     0xff

/* §4.1: the floating pointer, 16 bytes on a 16-byte boundary. */
struct mp_floating_pointer {
	char signature[4];       /* "_MP_" */
	uint32_t config_table;   /* physical address of the table */
	uint8_t length;          /* in 16-byte units: 1 */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t features[5];     /* all 0: a configuration table follows */
} __attribute__((packed));

/* §4.2: the configuration table header. */
struct mp_config_header {
	char signature[4];       /* "PCMP" */
	uint16_t length;         /* of the header and all base entries */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

/* §4.3: the entry types, each starting with its type byte. */
enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_IO_INTERRUPT, MP_LOCAL_INTERRUPT };

struct mp_processor {
	uint8_t type, lapic_id, lapic_version, cpu_flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

#define MP_CPU_ENABLED 0x01
#define MP_CPU_BOOT    0x02

struct mp_bus {
	uint8_t type, bus_id;
	char bus_type[6];        /* "ISA   " */
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} __attribute__((packed));

#define MP_IOAPIC_ENABLED 0x01

/* An I/O or a local interrupt assignment: the same layout. */
struct mp_interrupt {
	uint8_t type, irq_type;
	uint16_t flags;          /* 0: polarity and trigger as the bus says */
	uint8_t src_bus, src_irq, dst_apic, dst_pin;
} __attribute__((packed));

enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

_Static_assert(sizeof(struct mp_floating_pointer) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mp_config_header) == 44, "MP table header");
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry");
_Static_assert(sizeof(struct mp_bus) == 8 && sizeof(struct mp_ioapic) == 8 &&
	       sizeof(struct mp_interrupt) == 8, "MP 8-byte entries");

/* What the guest sees: the header and every entry, back to back. */
struct mp_config {
	struct mp_config_header header;
	struct mp_processor cpu;
	struct mp_bus bus;
	struct mp_ioapic ioapic;
	struct mp_interrupt io_irqs[MP_ISA_IRQS - 1];
	struct mp_interrupt local_irqs[2];
} __attribute__((packed));

/* The byte that makes the sum of `len` bytes 0 mod 256. */
static uint8_t checksum(const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

/* ISA IRQ n on I/O APIC pin n, and the two local interrupts. */
static void fill_interrupts(struct mp_config *mp)
{
	unsigned n = 0;

	for (unsigned irq = 0; irq < MP_ISA_IRQS; irq++) {
		if (irq == MP_CASCADE_IRQ)
			continue;
		mp->io_irqs[n++] = (struct mp_interrupt){
			.type = MP_IO_INTERRUPT, .irq_type = MP_INT,
			.src_bus = MP_ISA_BUS, .src_irq = irq,
			.dst_apic = MP_IOAPIC_ID, .dst_pin = irq,
		};
	}
	mp->local_irqs[0] = (struct mp_interrupt){
		.type = MP_LOCAL_INTERRUPT, .irq_type = MP_EXTINT,
		.src_bus = MP_ISA_BUS, .dst_apic = MP_ALL_APICS, .dst_pin = 0,
	};
	mp->local_irqs[1] = (struct mp_interrupt){
		.type = MP_LOCAL_INTERRUPT, .irq_type = MP_NMI,
		.src_bus = MP_ISA_BUS, .dst_apic = MP_ALL_APICS, .dst_pin = 1,
	};
}

/*
 * mptable_build - writes the floating pointer at MPTABLE_ADDR and the
 * configuration table after it. 0, or -1 after a message when RAM does
 * not reach that far.
 */
int mptable_build(const struct guest_memory *mem)
{
	const uint64_t config_addr = MPTABLE_ADDR + sizeof(struct mp_floating_pointer);
	struct mp_floating_pointer *fp = guest_ptr(mem, MPTABLE_ADDR, sizeof(*fp));
	struct mp_config *mp = guest_ptr(mem, config_addr, sizeof(*mp));

	if (!fp || !mp) {
		fprintf(stderr, "vmm: no room for the MP table in guest RAM\n");
		return -1;
	}
	*mp = (struct mp_config){
		.header = {
			.signature = "PCMP", .length = sizeof(*mp),
			.spec_rev = MP_SPEC_REV, .oem_id = "KVMBOOK ",
			.product_id = "KVMBOOK VMM ",
			.entry_count = 1 + 1 + 1 + (MP_ISA_IRQS - 1) + 2,
			.lapic_addr = MP_LAPIC_ADDR,
		},
		.cpu = {
			.type = MP_PROCESSOR, .lapic_id = 0,
			.lapic_version = MP_APIC_VERSION,
			.cpu_flags = MP_CPU_ENABLED | MP_CPU_BOOT,
		},
		.bus = { .type = MP_BUS, .bus_id = MP_ISA_BUS, .bus_type = "ISA   " },
		.ioapic = {
			.type = MP_IOAPIC, .id = MP_IOAPIC_ID,
			.version = MP_IOAPIC_VERSION, .flags = MP_IOAPIC_ENABLED,
			.addr = MP_IOAPIC_ADDR,
		},
	};
	fill_interrupts(mp);
	mp->header.checksum = checksum(mp, sizeof(*mp));

	*fp = (struct mp_floating_pointer){
		.signature = "_MP_", .config_table = (uint32_t)config_addr,
		.length = 1, .spec_rev = MP_SPEC_REV,
	};
	fp->checksum = checksum(fp, sizeof(*fp));
	return 0;
}
