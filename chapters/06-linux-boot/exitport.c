/*
 * exitport.c - the exit port (0xf4) and the POST code port (0x80).
 *
 * Two ports with no device behind them on a real PC, which this VMM
 * gives a meaning. The exit port ends the VM with the status the guest
 * writes, so tests can read a guest's verdict (QEMU's isa-debug-exit
 * does the same). Port 0x80 is where BIOSes write power-on self-test
 * progress codes and where Linux writes to waste a microsecond
 * (io_delay); we accept those writes silently instead of counting them
 * as unclaimed.
 *
 * Reference: book appendix A (the exit port); Linux
 * arch/x86/boot/io.h and arch/x86/kernel/io_delay.c (port 0x80).
 */
#include "exitport.h"

#include "vm.h"

static void exit_port_write(void *opaque, uint16_t offset, uint8_t value)
{
	(void)offset;
	vm_request_exit(opaque, value);
}

/* POST codes: nothing to do but to not call them unclaimed. */
static void post_write(void *opaque, uint16_t offset, uint8_t value)
{
	(void)opaque, (void)offset, (void)value;
}

/* Reads find nothing driving the bus, as on a PC. */
static uint8_t read_nothing(void *opaque, uint16_t offset)
{
	(void)opaque, (void)offset;
	return IOBUS_FLOATING;
}

/* exit_port_register - puts both ports on the VM's port bus. 0 or -1. */
int exit_port_register(struct vm *vm)
{
	const struct io_device exit_port = {
		.name = "exit", .base = EXIT_PORT, .len = 1, .opaque = vm,
		.read = read_nothing, .write = exit_port_write,
	};
	const struct io_device post = {
		.name = "post", .base = POST_PORT, .len = 1, .opaque = vm,
		.read = read_nothing, .write = post_write,
	};

	if (iobus_register(&vm->io_bus, &exit_port) < 0)
		return -1;
	return iobus_register(&vm->io_bus, &post);
}
