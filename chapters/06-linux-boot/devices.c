/*
 * devices.c - the small PC: which device sits at which port and IRQ.
 *
 * The machine's map, in one place, as a PC has it:
 *
 *   ports        device                               IRQ
 *   0x20, 0xa0   PIC (8259A pair)         in KVM      -
 *   0x40-0x43    PIT (8254 timer)         in KVM      0
 *   0x60, 0x64   i8042 keyboard controller            (1, unused)
 *   0x61         speaker gate             in KVM (PIT)
 *   0x70-0x71    CMOS RTC                             (8, unused)
 *   0x80         POST codes: accepted silently
 *   0x505        pvpanic: the guest kernel reports a panic
 *   0xf4         exit port: ends the VM (appendix A)
 *   0x3f8-0x3ff  COM1, 16550A UART                    4
 *
 *   guest-physical              device                IRQ
 *   0xd0000000 + i * 0x1000     virtio device i       5 + i
 *                               (--disk and --rng, in command-line order)
 *
 * The devices in KVM answer their ports without leaving the kernel;
 * the rest are registered on our port bus here, and wired to the rest
 * of the machine: the UART's output to stdout and its interrupt line
 * to KVM_IRQ_LINE, the i8042's reset line and a panic reported to the
 * pvpanic port to the end of the VM. The
 * virtio devices go on the MMIO bus, one register page each.
 *
 * Reference: the IBM PC/AT port map (e.g. Linux arch/x86/kernel/setup.c,
 * standard_io_resources); api.rst 4.25 (KVM_IRQ_LINE); virtio 1.2, 4.2.
 */
#include "devices.h"

#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#include "exitport.h"
#include "irqchip.h"
#include "vm.h"

#define I8042_PORT_LEN 1
#define RESET_STATUS 0 /* a guest that resets the machine ended normally */

/* COM1's transmitter: each byte straight to stdout, unbuffered. */
static void console_output(void *ctx, uint8_t byte)
{
	(void)ctx;
	if (write(STDOUT_FILENO, &byte, 1) < 0) {
		/* stdout closed: the guest's output has nowhere to go */
	}
}

/* COM1's interrupt line, into KVM's PIC and IOAPIC. */
static void com1_set_irq(void *ctx, int level)
{
	struct vm *vm = ctx;

	irq_set_level(vm->vm_fd, COM1_IRQ, level);
}

/* The i8042's reset line. */
static void machine_reset(void *ctx)
{
	vm_request_exit(ctx, RESET_STATUS);
}

/* The guest kernel panicked (pvpanic.c): that is a crash, not an end. */
static void guest_panicked(void *ctx)
{
	fprintf(stderr, "vmm: the guest kernel panicked\n");
	vm_request_exit(ctx, EX_SOFTWARE);
}

/* A virtio device's interrupt line: IRQ 5 + its index, into KVM. */
static void virtio_set_irq(void *ctx, int level)
{
	const struct irq_wire *wire = ctx;

	irq_set_level(wire->vm->vm_fd, wire->irq, level);
}

/* What drives a slot's registers: its device type's operations. */
static const struct virtio_device_ops *slot_ops(enum device_kind kind)
{
	return kind == DEVICE_DISK ? &virtio_blk_ops : &virtio_rng_ops;
}

/*
 * devices_open - fills the map of virtio devices, one slot per --disk
 * and --rng, and opens the disk files, before KVM is touched, so that
 * bad input fails early. 0, or the exit status with the message
 * already printed.
 */
int devices_open(struct vm *vm, const struct options *opts)
{
	for (unsigned i = 0; i < opts->device_count; i++) {
		const struct device_option *dev = &opts->devices[i];
		struct device_slot *slot = &vm->virtio[i];

		*slot = (struct device_slot){
			.kind = dev->kind,
			.base = VIRTIO_MMIO_BASE + (uint64_t)i * VIRTIO_MMIO_SIZE,
			.irq = { .vm = vm, .irq = VIRTIO_MMIO_FIRST_IRQ + i },
		};
		snprintf(slot->name, sizeof(slot->name), "virtio%u-%s", i,
			 slot_ops(dev->kind)->name);
		if (dev->kind == DEVICE_DISK) {
			int status = virtio_blk_open(&slot->device.blk, dev->path,
						     dev->readonly);
			if (status)
				return status;
		}
		vm->virtio_count++;
	}
	return 0;
}

/* devices_close - closes the disk files. */
void devices_close(struct vm *vm)
{
	for (unsigned i = 0; i < vm->virtio_count; i++)
		if (vm->virtio[i].kind == DEVICE_DISK)
			virtio_blk_close(&vm->virtio[i].device.blk);
}

/* Slot i on the bus: its transport, its type, its register page, its IRQ. */
static int virtio_setup(struct vm *vm, unsigned i)
{
	struct device_slot *slot = &vm->virtio[i];
	bool is_disk = slot->kind == DEVICE_DISK;

	virtio_mmio_init(&slot->transport, slot_ops(slot->kind), &slot->device,
			 is_disk ? virtio_blk_features(&slot->device.blk) : 0, &vm->mem,
			 virtio_set_irq, &slot->irq, i);
	if (is_disk)
		virtio_blk_fill_config(&slot->device.blk, &slot->transport);

	const struct mmio_device page = {
		.name = slot->name, .base = slot->base, .len = VIRTIO_MMIO_SIZE,
		.read = virtio_mmio_read, .write = virtio_mmio_write,
		.opaque = &slot->transport,
	};
	return mmiobus_register(&vm->mmio_bus, &page);
}

/* devices_setup - creates the device models and puts them on the buses. */
int devices_setup(struct vm *vm)
{
	serial_init(&vm->com1, console_output, com1_set_irq, vm);
	rtc_init(&vm->rtc);
	i8042_init(&vm->i8042, machine_reset, vm);
	pvpanic_init(&vm->pvpanic, guest_panicked, vm);

	const struct io_device devices[] = {
		{ .name = "serial", .base = COM1_BASE, .len = SERIAL_PORTS,
		  .read = serial_read, .write = serial_write, .opaque = &vm->com1 },
		{ .name = "rtc", .base = RTC_BASE, .len = RTC_PORTS,
		  .read = rtc_read, .write = rtc_write, .opaque = &vm->rtc },
		{ .name = "i8042-data", .base = I8042_DATA_PORT, .len = I8042_PORT_LEN,
		  .read = i8042_data_read, .write = i8042_data_write,
		  .opaque = &vm->i8042 },
		{ .name = "i8042-cmd", .base = I8042_COMMAND_PORT, .len = I8042_PORT_LEN,
		  .read = i8042_status_read, .write = i8042_command_write,
		  .opaque = &vm->i8042 },
		{ .name = "pvpanic", .base = PVPANIC_PORT, .len = PVPANIC_PORTS,
		  .read = pvpanic_read, .write = pvpanic_write, .opaque = &vm->pvpanic },
	};
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (iobus_register(&vm->io_bus, &devices[i]) < 0)
			return -1;
	for (unsigned i = 0; i < vm->virtio_count; i++)
		if (virtio_setup(vm, i) < 0)
			return -1;
	return exit_port_register(vm);
}
