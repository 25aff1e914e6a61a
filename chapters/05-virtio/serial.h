/*
 * serial.h - a 16550A UART: the PC's serial port.
 */
#ifndef SERIAL_H
#define SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define COM1_BASE  0x3f8
#define COM1_IRQ   4
#define SERIAL_PORTS 8          /* registers at base + 0 .. base + 7 */
#define SERIAL_FIFO_SIZE 16     /* the 16550A's FIFOs hold 16 bytes */

/* A byte queue: the receive FIFO. */
struct serial_fifo {
	uint8_t data[SERIAL_FIFO_SIZE];
	unsigned head, count;
};

struct serial {
	pthread_mutex_t lock;     /* the vCPU and the input thread share us */
	pthread_cond_t has_room;  /* signalled when the receive FIFO drains */

	/* The registers (PC16550D data sheet names). */
	uint8_t ier, lcr, mcr, lsr, msr, scr;
	uint8_t dll, dlm;         /* divisor latch: baud = 115200 / divisor */
	bool fifo_enabled;        /* FCR bit 0 */
	unsigned rx_trigger;      /* FCR bits 7:6: 1, 4, 8 or 14 bytes */
	bool thr_interrupt;       /* "THR empty" waits to be reported */
	struct serial_fifo rx;
	bool disconnected;        /* the sender is gone: input stops waiting */

	/* Wiring to the rest of the machine. */
	void (*output)(void *ctx, uint8_t byte); /* transmitted bytes */
	void (*set_irq)(void *ctx, int level);   /* the IRQ line */
	void *ctx;
	int irq_level;            /* what the IRQ line was last set to */
};

void serial_init(struct serial *s, void (*output)(void *, uint8_t),
		 void (*set_irq)(void *, int), void *ctx);
uint8_t serial_read(void *opaque, uint16_t offset);
void serial_write(void *opaque, uint16_t offset, uint8_t value);
void serial_receive(struct serial *s, uint8_t byte);
bool serial_receive_wait(struct serial *s, uint8_t byte);
void serial_disconnect(struct serial *s);

#endif
