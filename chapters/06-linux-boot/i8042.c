/*
 * i8042.c - the PC's keyboard controller, as much as a VMM needs.
 *
 * The Intel 8042 was the PC/AT's keyboard controller, and it also owns
 * one of the ways to reset the machine: command 0xfe pulses the CPU's
 * reset line. Linux reboots that way ("reboot=k", the default fallback),
 * and so do many small kernels. We model no keyboard. What is here keeps
 * a probing OS happy: a status register that says the controller works
 * and is empty, the commands a driver's probe sends (self-test, interface
 * test, reading and writing the command byte, enabling and disabling
 * the ports), and the reset, which ends the VM with status 0.
 * The controller sits at two ports, 0x60 and 0x64, four apart, with the
 * speaker gate (0x61, in KVM's PIT) between them: two bus registrations.
 *
 * Reference: IBM PC/AT Technical Reference, keyboard controller; Linux
 * drivers/input/serio/i8042.c (the probe) and arch/x86/kernel/reboot.c.
 */
#include "i8042.h"

/* i8042_init - the controller after its power-on self-test. */
void i8042_init(struct i8042 *kbc, void (*reset)(void *), void *ctx)
{
	*kbc = (struct i8042){
		.status = I8042_STR_SYSFLAG, .ctr = I8042_CTR_DEFAULT,
		.reset = reset, .ctx = ctx,
	};
}

/* A byte for the guest to read at port 0x60. */
static void put_output(struct i8042 *kbc, uint8_t value)
{
	kbc->output = value;
	kbc->status |= I8042_STR_OBF;
}

static void command(struct i8042 *kbc, uint8_t cmd)
{
	switch (cmd) {
	case I8042_CMD_READ_CTR:   put_output(kbc, kbc->ctr); break;
	case I8042_CMD_WRITE_CTR:  kbc->expect_ctr = true; break;
	case I8042_CMD_SELF_TEST:  put_output(kbc, I8042_SELF_TEST_OK); break;
	case I8042_CMD_KBD_TEST:
	case I8042_CMD_AUX_TEST:   put_output(kbc, I8042_TEST_OK); break;
	case I8042_CMD_PULSE_RESET: kbc->reset(kbc->ctx); break;
	default: break; /* enable/disable ports and the rest: nothing to do */
	}
}

/* Port 0x60, read: the waiting byte; reading it empties the buffer. */
uint8_t i8042_data_read(void *opaque, uint16_t offset)
{
	struct i8042 *kbc = opaque;

	(void)offset;
	kbc->status &= ~I8042_STR_OBF;
	return kbc->output;
}

/* Port 0x60, write: a new command byte, or a byte for the keyboard. */
void i8042_data_write(void *opaque, uint16_t offset, uint8_t value)
{
	struct i8042 *kbc = opaque;

	(void)offset;
	kbc->status &= ~I8042_STR_CMDDAT;
	if (kbc->expect_ctr)
		kbc->ctr = value;
	kbc->expect_ctr = false; /* no keyboard: other bytes go nowhere */
}

/* Port 0x64, read: the status register. */
uint8_t i8042_status_read(void *opaque, uint16_t offset)
{
	struct i8042 *kbc = opaque;

	(void)offset;
	return kbc->status;
}

/* Port 0x64, write: a controller command. */
void i8042_command_write(void *opaque, uint16_t offset, uint8_t value)
{
	struct i8042 *kbc = opaque;

	(void)offset;
	kbc->status |= I8042_STR_CMDDAT;
	kbc->expect_ctr = false;
	command(kbc, value);
}
