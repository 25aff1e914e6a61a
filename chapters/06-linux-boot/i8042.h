/*
 * i8042.h - the PC's keyboard controller, as much as a VMM needs.
 */
#ifndef I8042_H
#define I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT    0x60
#define I8042_COMMAND_PORT 0x64 /* reads: status; writes: a command */

/* Status register bits. */
#define I8042_STR_OBF     0x01  /* output buffer full: data at 0x60 */
#define I8042_STR_SYSFLAG 0x04  /* the controller passed its self-test */
#define I8042_STR_CMDDAT  0x08  /* the last write went to 0x64 */

/* Commands written to port 0x64 (IBM PC/AT technical reference). */
#define I8042_CMD_READ_CTR   0x20
#define I8042_CMD_WRITE_CTR  0x60
#define I8042_CMD_AUX_DISABLE 0xa7
#define I8042_CMD_AUX_ENABLE 0xa8
#define I8042_CMD_AUX_TEST   0xa9
#define I8042_CMD_SELF_TEST  0xaa
#define I8042_CMD_KBD_TEST   0xab
#define I8042_CMD_KBD_DISABLE 0xad
#define I8042_CMD_KBD_ENABLE 0xae
#define I8042_CMD_PULSE_RESET 0xfe /* pulse the CPU's reset line */

#define I8042_SELF_TEST_OK 0x55
#define I8042_TEST_OK      0x00
#define I8042_CTR_DEFAULT  0x61 /* keyboard IRQ on, translation on */

struct i8042 {
	uint8_t status;
	uint8_t output;         /* the byte waiting at port 0x60 */
	uint8_t ctr;            /* the controller's command byte */
	bool expect_ctr;        /* the next data byte is a new CTR */
	void (*reset)(void *ctx); /* the reset line: ends the VM */
	void *ctx;
};

void i8042_init(struct i8042 *kbc, void (*reset)(void *), void *ctx);
uint8_t i8042_data_read(void *opaque, uint16_t offset);
void i8042_data_write(void *opaque, uint16_t offset, uint8_t value);
uint8_t i8042_status_read(void *opaque, uint16_t offset);
void i8042_command_write(void *opaque, uint16_t offset, uint8_t value);

#endif
