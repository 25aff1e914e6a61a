/*
 * acpi.c - tests of chapter 6's ACPI tables (acpi.c), built in guest RAM
 * and read back the way an OS finds them: RSDP, XSDT, FADT, MADT, and
 * the DSDT's devices (COM1, the clock, pvpanic, the virtio-mmio
 * windows) decoded from its AML.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "memory.h"
#include "unit.h"
#include "vm.h"


#define ACPI_RAM_SIZE (2ULL << 20)

static struct guest_memory acpi_mem;

static void acpi_setup(void)
{
	ck_assert_int_eq(memory_alloc(ACPI_RAM_SIZE, &acpi_mem), 0);
}

static void acpi_teardown(void)
{
	memory_destroy(&acpi_mem);
}

/* Chapter 5's virtio-mmio layout: device i at 0xd0000000 + i*0x1000, IRQ 5+i. */
static void make_devices(struct device_slot *devs, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		devs[i].base = 0xd0000000 + i * 0x1000ULL;
		devs[i].irq.irq = 5 + i;
	}
}

/* What the walk found: each table's address and bytes. */
struct acpi_view {
	uint64_t rsdp_addr, xsdt_addr, fadt_addr, madt_addr, dsdt_addr;
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
};

/* The OS's search (ACPI 6.5 §5.2.5.1): "RSD PTR " on a 16-byte boundary. */
static uint64_t find_rsdp(void)
{
	for (uint64_t addr = 0xe0000; addr < 0x100000; addr += 16) {
		const uint8_t *p = guest_ptr(&acpi_mem, addr, 20);

		if (p && memcmp(p, "RSD PTR ", 8) == 0 && byte_sum(p, 20) == 0)
			return addr;
	}
	return 0;
}

/* A table at `addr`: right signature, inside the area, 16-byte aligned, checksum 0. */
static const uint8_t *table_at(uint64_t addr, const char *signature)
{
	const uint8_t *header = guest_ptr(&acpi_mem, addr, 36);
	const uint8_t *table;
	uint32_t length;

	ck_assert_ptr_nonnull(header);
	ck_assert_msg(memcmp(header, signature, 4) == 0, "no %s at 0x%llx",
		      signature, (unsigned long long)addr);
	length = le32(header + 4);
	ck_assert_uint_ge(length, 36);
	ck_assert_uint_ge(addr, ACPI_TABLES_ADDR);
	ck_assert_uint_le(addr + length, ACPI_TABLES_END);
	ck_assert_uint_eq(addr % 16, 0);
	table = guest_ptr(&acpi_mem, addr, length);
	ck_assert_ptr_nonnull(table);
	ck_assert_msg(byte_sum(table, length) == 0, "%s checksum", signature);
	ck_assert_mem_eq(table + 10, "KVMBK ", 6);     /* OEM ID */
	ck_assert_mem_eq(table + 16, "KVMBOOK ", 8);   /* OEM table ID */
	return table;
}

/* RSDP -> XSDT -> FADT -> DSDT, and XSDT -> MADT. */
static struct acpi_view walk_tables(uint64_t rsdp_addr)
{
	struct acpi_view v = { 0 };

	v.rsdp_addr = find_rsdp();
	ck_assert_uint_eq(v.rsdp_addr, ACPI_TABLES_ADDR);
	ck_assert_uint_eq(v.rsdp_addr, rsdp_addr);
	v.rsdp = guest_ptr(&acpi_mem, v.rsdp_addr, 36);
	ck_assert_uint_eq(v.rsdp[15], 2);                  /* revision */
	ck_assert_uint_eq(le32(v.rsdp + 16), 0);           /* no RSDT */
	ck_assert_uint_eq(le32(v.rsdp + 20), 36);          /* length */
	ck_assert_uint_eq(byte_sum(v.rsdp, 36), 0);        /* extended checksum */
	ck_assert_mem_eq(v.rsdp + 9, "KVMBK ", 6);

	v.xsdt_addr = le64(v.rsdp + 24);
	v.xsdt = table_at(v.xsdt_addr, "XSDT");
	ck_assert_uint_eq((le32(v.xsdt + 4) - 36) % 8, 0);
	for (uint32_t off = 36; off < le32(v.xsdt + 4); off += 8) {
		uint64_t addr = le64(v.xsdt + off);
		const uint8_t *sig = guest_ptr(&acpi_mem, addr, 4);

		ck_assert_ptr_nonnull(sig);
		if (memcmp(sig, "FACP", 4) == 0) {
			ck_assert_uint_eq(v.fadt_addr, 0);
			v.fadt_addr = addr;
		} else if (memcmp(sig, "APIC", 4) == 0) {
			ck_assert_uint_eq(v.madt_addr, 0);
			v.madt_addr = addr;
		} else {
			ck_abort_msg("unexpected table %.4s in the XSDT", (const char *)sig);
		}
	}
	v.fadt = table_at(v.fadt_addr, "FACP");
	v.madt = table_at(v.madt_addr, "APIC");
	v.dsdt_addr = le64(v.fadt + 140);                  /* X_DSDT */
	v.dsdt = table_at(v.dsdt_addr, "DSDT");
	return v;
}

/* No two tables share a byte. */
static void check_no_overlap(const struct acpi_view *v)
{
	const uint64_t start[] = { v->rsdp_addr, v->xsdt_addr, v->fadt_addr,
				   v->madt_addr, v->dsdt_addr };
	const uint64_t end[] = { v->rsdp_addr + 36, v->xsdt_addr + le32(v->xsdt + 4),
				 v->fadt_addr + le32(v->fadt + 4),
				 v->madt_addr + le32(v->madt + 4),
				 v->dsdt_addr + le32(v->dsdt + 4) };

	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			ck_assert(end[i] <= start[j] || end[j] <= start[i]);
}

/* acpi_build touched nothing outside its area. */
static void check_untouched_outside_area(void)
{
	uint64_t a = 0;

	while (a < ACPI_RAM_SIZE && acpi_mem.host[a] == 0)
		a = a + 1 == ACPI_TABLES_ADDR ? ACPI_TABLES_END : a + 1;
	ck_assert_msg(a == ACPI_RAM_SIZE, "byte at 0x%llx written", (unsigned long long)a);
}

static void check_fadt(const struct acpi_view *v)
{
	const uint8_t *f = v->fadt;

	ck_assert_uint_eq(le32(f + 4), 276);               /* length, revision 6 */
	ck_assert_uint_eq(f[8], 6);
	ck_assert_uint_eq(le32(f + 36), 0);                /* FIRMWARE_CTRL: no FACS */
	ck_assert_uint_eq(le32(f + 40), v->dsdt_addr);     /* DSDT */
	ck_assert_uint_eq(le32(f + 48), 0);                /* SMI_CMD: ACPI always on */
	ck_assert_uint_eq(le16(f + 109), 0);               /* IAPC_BOOT_ARCH: none */
	ck_assert_uint_eq(le32(f + 112), 1U << 20);        /* HW_REDUCED_ACPI */
	ck_assert_uint_eq(le64(f + 132), 0);               /* X_FIRMWARE_CTRL */
	ck_assert_uint_eq(le64(f + 140), v->dsdt_addr);    /* X_DSDT */
	/* Hardware-reduced: every other field after the header is 0. */
	for (unsigned off = 36; off < 276; off++) {
		bool filled = (off >= 40 && off < 44) || (off >= 112 && off < 116) ||
			      (off >= 140 && off < 148);

		ck_assert_msg(filled || f[off] == 0, "FADT byte %u is 0x%x", off, f[off]);
	}
}

static void check_madt(const struct acpi_view *v)
{
	const uint8_t *m = v->madt;
	uint32_t length = le32(m + 4);
	int lapics = 0, ioapics = 0;

	ck_assert_uint_eq(le32(m + 36), 0xfee00000);       /* local APIC address */
	ck_assert_uint_eq(le32(m + 40), 1);                /* PCAT_COMPAT */
	for (uint32_t off = 44; off < length; off += m[off + 1]) {
		const uint8_t *e = m + off;

		ck_assert_uint_le(off + 2, length);
		ck_assert_uint_ge(e[1], 2);
		ck_assert_uint_le(off + e[1], length);
		switch (e[0]) {
		case 0:  /* Processor Local APIC */
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], 0);        /* processor UID */
			ck_assert_uint_eq(e[3], 0);        /* APIC id */
			ck_assert_uint_eq(le32(e + 4), 1); /* enabled */
			lapics++;
			break;
		case 1:  /* I/O APIC */
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(e[2], 0);        /* I/O APIC id */
			ck_assert_uint_eq(le32(e + 4), 0xfec00000);
			ck_assert_uint_eq(le32(e + 8), 0); /* GSI base */
			ioapics++;
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	ck_assert_int_eq(lapics, 1);
	ck_assert_int_eq(ioapics, 1);
}

/*
 * What the DSDT declares, device by device, in order: the devices at
 * fixed ports first, then one VRnn per virtio-mmio window. Their ports
 * and IRQs are the PC's (and QEMU's, for pvpanic), written here as
 * numbers rather than taken from the chapter's headers.
 */
#define MAX_RANGES 4

struct io_range {
	uint16_t base;
	uint8_t length;
};

struct acpi_device {
	char name[5];
	char hid[16];
	bool has_uid;
	uint64_t uid;
	struct io_range io[MAX_RANGES];
	unsigned io_count;
	uint32_t mem_base[MAX_RANGES], mem_size[MAX_RANGES];
	unsigned mem_count;
	uint32_t irq[MAX_RANGES];
	uint8_t irq_flags[MAX_RANGES];
	unsigned irq_count;
};

#define IRQ_CONSUMER_EDGE_HIGH 0x03  /* consumer, edge, active-high, exclusive */

static const struct acpi_device port_want[] = {
	{ .name = "COM1", .hid = "PNP0501", .has_uid = true,
	  .io = { { 0x3f8, 8 } }, .io_count = 1,
	  .irq = { 4 }, .irq_flags = { IRQ_CONSUMER_EDGE_HIGH }, .irq_count = 1 },
	{ .name = "RTC_", .hid = "PNP0B00", .has_uid = true,
	  .io = { { 0x70, 2 } }, .io_count = 1 },
	{ .name = "PEVT", .hid = "QEMU0001", .has_uid = true,
	  .io = { { 0x505, 1 } }, .io_count = 1 },
};

#define PORT_DEVICES (sizeof(port_want) / sizeof(port_want[0]))

/* Device(VRnn) { Name(_HID, "LNRO0005") Name(_UID, n) Name(_CRS, ...) } */
static struct acpi_device virtio_want(unsigned index, const struct device_slot *dev)
{
	struct acpi_device d = {
		.hid = "LNRO0005", .has_uid = true, .uid = index,
		.mem_base = { (uint32_t)dev->base }, .mem_size = { 0x1000 }, .mem_count = 1,
		.irq = { dev->irq.irq }, .irq_flags = { IRQ_CONSUMER_EDGE_HIGH }, .irq_count = 1,
	};

	snprintf(d.name, sizeof(d.name), "VR%02X", index & 0xff);
	return d;
}

/* The resource descriptors of one _CRS buffer, decoded into `d` (§6.4). */
static void read_resources(struct cursor *c, struct acpi_device *d)
{
	for (;;) {
		uint8_t tag;
		size_t len;
		const uint8_t *p;

		ck_assert(c->p < c->end);
		tag = *c->p;
		if (tag & 0x80) {                            /* large item */
			ck_assert_uint_ge(c->end - c->p, 3);
			len = le16(c->p + 1);
			p = c->p + 3;
		} else {                                     /* small item */
			len = tag & 0x07;
			p = c->p + 1;
		}
		ck_assert_uint_le(len, c->end - p);
		c->p = p + len;
		if (tag == 0x79) {                           /* End tag */
			ck_assert_uint_eq(len, 1);
			ck_assert_uint_eq(p[0], 0);          /* no checksum */
			break;
		} else if (tag == 0x47) {                    /* I/O port (§6.4.2.5) */
			ck_assert_uint_eq(len, 7);
			ck_assert_uint_eq(p[0], 0x01);       /* Decode16 */
			ck_assert_uint_eq(le16(p + 1), le16(p + 3)); /* fixed: min = max */
			ck_assert_uint_eq(p[5], 1);          /* alignment */
			ck_assert_uint_lt(d->io_count, MAX_RANGES);
			d->io[d->io_count++] = (struct io_range){ le16(p + 1), p[6] };
		} else if (tag == 0x86) {                    /* Memory32Fixed */
			ck_assert_uint_eq(len, 9);
			ck_assert_uint_eq(p[0], 1);          /* read-write */
			ck_assert_uint_lt(d->mem_count, MAX_RANGES);
			d->mem_base[d->mem_count] = le32(p + 1);
			d->mem_size[d->mem_count++] = le32(p + 5);
		} else if (tag == 0x89) {                    /* Extended Interrupt */
			ck_assert_uint_eq(len, 6);
			ck_assert_uint_eq(p[1], 1);          /* one interrupt */
			ck_assert_uint_lt(d->irq_count, MAX_RANGES);
			d->irq_flags[d->irq_count] = p[0];
			d->irq[d->irq_count++] = le32(p + 2);
		} else {
			ck_abort_msg("%s: unexpected resource descriptor 0x%x", d->name, tag);
		}
	}
	ck_assert_ptr_eq(c->p, c->end);                 /* End tag comes last */
}

/* String := 0x0d, ASCII, NUL (§20.2.3). */
static void read_string(struct cursor *c, char *out, size_t size)
{
	const uint8_t *nul;

	expect(c, "\x0d", 1);
	nul = memchr(c->p, 0, c->end - c->p);
	ck_assert_ptr_nonnull(nul);
	ck_assert_uint_lt(nul - c->p, size);
	memcpy(out, c->p, nul - c->p + 1);
	c->p = nul + 1;
}

/*
 * Device(name) { Name(...) ... }, as an OS loads it: the named objects
 * in any order, each at most once. We declare only _HID, _UID and _CRS;
 * _HID and _CRS are required.
 */
static struct acpi_device read_device(struct cursor *c)
{
	struct acpi_device d = { 0 };
	struct cursor device;
	bool has_hid = false, has_crs = false;

	expect(c, "\x5b\x82", 2);                           /* DeviceOp */
	device.end = read_package_end(c);
	device.p = c->p;
	c->p = device.end;
	ck_assert_uint_ge(device.end - device.p, 4);
	memcpy(d.name, device.p, 4);
	device.p += 4;
	while (device.p < device.end) {
		char seg[5] = { 0 };

		expect(&device, "\x08", 1);                 /* NameOp */
		ck_assert_uint_ge(device.end - device.p, 4);
		memcpy(seg, device.p, 4);
		device.p += 4;
		if (strcmp(seg, "_HID") == 0) {
			ck_assert_msg(!has_hid, "%s: two _HIDs", d.name);
			read_string(&device, d.hid, sizeof(d.hid));
			has_hid = true;
		} else if (strcmp(seg, "_UID") == 0) {
			ck_assert_msg(!d.has_uid, "%s: two _UIDs", d.name);
			d.uid = read_integer(&device);
			d.has_uid = true;
		} else if (strcmp(seg, "_CRS") == 0) {
			struct cursor crs;

			ck_assert_msg(!has_crs, "%s: two _CRSs", d.name);
			expect(&device, "\x11", 1);         /* BufferOp */
			crs.end = read_package_end(&device);
			crs.p = device.p;
			ck_assert_uint_eq(read_integer(&crs), crs.end - crs.p);
			device.p = crs.end;
			read_resources(&crs, &d);
			has_crs = true;
		} else {
			ck_abort_msg("%s: unexpected object %s", d.name, seg);
		}
	}
	ck_assert_ptr_eq(device.p, device.end);
	ck_assert_msg(has_hid, "%s: no _HID", d.name);
	ck_assert_msg(has_crs, "%s: no _CRS", d.name);
	return d;
}

static void check_device(const struct acpi_device *got, const struct acpi_device *want)
{
	const char *n = want->name;

	ck_assert_str_eq(got->name, want->name);
	ck_assert_msg(strcmp(got->hid, want->hid) == 0, "%s: _HID %s", n, got->hid);
	ck_assert_msg(got->has_uid == want->has_uid, "%s: _UID present: %d", n, got->has_uid);
	if (want->has_uid)
		ck_assert_msg(got->uid == want->uid, "%s: _UID %llu", n,
			      (unsigned long long)got->uid);
	ck_assert_msg(got->io_count == want->io_count, "%s: %u I/O ranges", n, got->io_count);
	for (unsigned i = 0; i < want->io_count; i++)
		ck_assert_msg(got->io[i].base == want->io[i].base &&
			      got->io[i].length == want->io[i].length,
			      "%s: I/O range %u is 0x%x+%u", n, i, got->io[i].base,
			      got->io[i].length);
	ck_assert_msg(got->mem_count == want->mem_count, "%s: %u memory windows", n,
		      got->mem_count);
	for (unsigned i = 0; i < want->mem_count; i++)
		ck_assert_msg(got->mem_base[i] == want->mem_base[i] &&
			      got->mem_size[i] == want->mem_size[i],
			      "%s: memory window 0x%x+0x%x", n, got->mem_base[i],
			      got->mem_size[i]);
	ck_assert_msg(got->irq_count == want->irq_count, "%s: %u interrupts", n,
		      got->irq_count);
	for (unsigned i = 0; i < want->irq_count; i++)
		ck_assert_msg(got->irq[i] == want->irq[i] &&
			      got->irq_flags[i] == want->irq_flags[i],
			      "%s: interrupt %u flags 0x%x", n, got->irq[i], got->irq_flags[i]);
}

/*
 * The DSDT: Scope(\_SB_) holding exactly the port devices, then one
 * Device per entry of devs.
 */
static void check_dsdt(const struct acpi_view *v, const struct device_slot *devs,
		       unsigned count)
{
	uint32_t length = le32(v->dsdt + 4);
	struct cursor c = { v->dsdt + 36, v->dsdt + length };
	struct cursor scope;

	ck_assert_uint_eq(v->dsdt[8], 2);                  /* revision: 64-bit integers */
	ck_assert_uint_eq(count_occurrences(v->dsdt, length, "LNRO0005"), count);
	for (size_t i = 0; i < PORT_DEVICES; i++)
		ck_assert_uint_eq(count_occurrences(v->dsdt, length, port_want[i].hid), 1);
	expect(&c, "\x10", 1);                              /* ScopeOp */
	scope.end = read_package_end(&c);
	scope.p = c.p;
	ck_assert_ptr_eq(scope.end, c.end);                 /* the scope is the whole AML */
	expect(&scope, "\\_SB_", 5);
	for (size_t i = 0; i < PORT_DEVICES; i++) {
		struct acpi_device got = read_device(&scope);

		check_device(&got, &port_want[i]);
	}
	for (unsigned i = 0; i < count; i++) {
		struct acpi_device got = read_device(&scope), want = virtio_want(i, &devs[i]);

		check_device(&got, &want);
	}
	ck_assert_ptr_eq(scope.p, scope.end);
}

static void build_and_check(unsigned count)
{
	struct device_slot *devs = calloc(count + 1, sizeof(*devs));
	uint64_t rsdp_addr = 0;
	struct acpi_view v;

	ck_assert_ptr_nonnull(devs);
	make_devices(devs, count);
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, count, &rsdp_addr), 0);
	v = walk_tables(rsdp_addr);
	check_no_overlap(&v);
	check_untouched_outside_area();
	check_fadt(&v);
	check_madt(&v);
	check_dsdt(&v, devs, count);
	free(devs);
}

START_TEST(test_acpi_no_devices)
{
	build_and_check(0);
}
END_TEST

START_TEST(test_acpi_one_device)
{
	build_and_check(1);
}
END_TEST

START_TEST(test_acpi_three_devices)
{
	build_and_check(3);
}
END_TEST

/* As many as the device map holds: the \_SB_ scope's PkgLength takes two bytes. */
START_TEST(test_acpi_most_devices)
{
	build_and_check(VIRTIO_MMIO_MAX_DEVICES);
}
END_TEST

/*
 * The tables need RAM under the whole BIOS area. Without it the build
 * fails with one message, leaves no RSDP for the OS to find, and does
 * not touch *rsdp_addr.
 */
START_TEST(test_acpi_ram_too_small)
{
	static const uint64_t sizes[] = {
		64 << 10, ACPI_TABLES_ADDR, ACPI_TABLES_ADDR + 36, ACPI_TABLES_END - 1,
	};
	static struct device_slot dev;
	struct guest_memory exact;
	uint64_t rsdp_addr;

	make_devices(&dev, 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct guest_memory small;

		rsdp_addr = 0x1234;
		ck_assert_int_eq(memory_alloc(sizes[i], &small), 0);
		stderr_begin();
		ck_assert_msg(acpi_build(&small, &dev, 1, &rsdp_addr) == -1,
			      "built in 0x%llx bytes of RAM", (unsigned long long)sizes[i]);
		expect_one_message();
		ck_assert_uint_eq(rsdp_addr, 0x1234);
		ck_assert_ptr_null(memmem(small.host, small.size, "RSD PTR ", 8));
		memory_destroy(&small);
	}

	ck_assert_int_eq(memory_alloc(ACPI_TABLES_END, &exact), 0);
	rsdp_addr = 0;
	ck_assert_int_eq(acpi_build(&exact, &dev, 1, &rsdp_addr), 0);
	ck_assert_uint_eq(rsdp_addr, ACPI_TABLES_ADDR);
	ck_assert_mem_eq(exact.host + ACPI_TABLES_ADDR, "RSD PTR ", 8);
	memory_destroy(&exact);
}
END_TEST

/*
 * Tables built twice, on RAM that held garbage, come out the same as on
 * clean RAM: the build owns every byte it hands the OS.
 */
START_TEST(test_acpi_rebuild_over_garbage)
{
	struct device_slot devs[3];
	uint64_t rsdp_addr = 0;
	struct acpi_view v;
	uint8_t *clean = malloc(ACPI_TABLES_END - ACPI_TABLES_ADDR);

	ck_assert_ptr_nonnull(clean);
	make_devices(devs, 3);
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, 3, &rsdp_addr), 0);
	memcpy(clean, acpi_mem.host + ACPI_TABLES_ADDR, ACPI_TABLES_END - ACPI_TABLES_ADDR);
	memset(acpi_mem.host + ACPI_TABLES_ADDR, 0xa5, ACPI_TABLES_END - ACPI_TABLES_ADDR);
	ck_assert_int_eq(acpi_build(&acpi_mem, devs, 3, &rsdp_addr), 0);
	v = walk_tables(rsdp_addr);
	check_fadt(&v);
	check_dsdt(&v, devs, 3);
	ck_assert_mem_eq(acpi_mem.host + ACPI_TABLES_ADDR, clean,
			 v.dsdt_addr + le32(v.dsdt + 4) - ACPI_TABLES_ADDR);
	free(clean);
}
END_TEST


void add_acpi_tests(Suite *s)
{
	TCase *tc = tcase_create("acpi");

	tcase_add_checked_fixture(tc, acpi_setup, acpi_teardown);
	tcase_add_test(tc, test_acpi_no_devices);
	tcase_add_test(tc, test_acpi_one_device);
	tcase_add_test(tc, test_acpi_three_devices);
	tcase_add_test(tc, test_acpi_most_devices);
	tcase_add_test(tc, test_acpi_ram_too_small);
	tcase_add_test(tc, test_acpi_rebuild_over_garbage);
	suite_add_tcase(s, tc);
}
