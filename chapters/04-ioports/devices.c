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
 *   0xf4         exit port: ends the VM (appendix A)
 *   0x3f8-0x3ff  COM1, 16550A UART                    4
 *
 * The devices in KVM answer their ports without leaving the kernel;
 * the rest are registered on our port bus here, and wired to the rest
 * of the machine: the UART's output to stdout and its interrupt line
 * to KVM_IRQ_LINE, the i8042's reset line to the end of the VM.
 *
 * Reference: the IBM PC/AT port map (e.g. Linux arch/x86/kernel/setup.c,
 * standard_io_resources); api.rst 4.25 (KVM_IRQ_LINE).
 */
#include "devices.h"

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

/* devices_setup - creates the device models and puts them on the bus. */
int devices_setup(struct vm *vm)
{
	serial_init(&vm->com1, console_output, com1_set_irq, vm);
	rtc_init(&vm->rtc);
	i8042_init(&vm->i8042, machine_reset, vm);

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
	};
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (iobus_register(&vm->io_bus, &devices[i]) < 0)
			return -1;
	return exit_port_register(vm);
}
