/*
 * console.c - a write-only console on COM1 (port 0x3f8).
 *
 * A real PC's COM1 is a 16550 UART (chapter 4 builds all of it). A guest
 * that only prints needs two of its registers: it writes each character
 * to the data register (THR) and may first poll the line status register
 * (LSR) until "transmit holding register empty" is set. Our transmitter
 * is always ready: every byte goes straight to stdout, unbuffered, so
 * the guest's output appears as it is written.
 *
 * Reference: the 16550 register layout in <linux/serial_reg.h>.
 */
#include "console.h"

#include <linux/serial_reg.h>
#include <unistd.h>

bool console_claims(uint16_t port)
{
	return port >= COM1_BASE && port < COM1_BASE + COM1_PORTS;
}

/* Only the data register (offset 0, THR on write) does anything. */
void console_write(uint16_t port, uint8_t value)
{
	if (port - COM1_BASE == UART_TX) {
		/* Nowhere to report a failed write to: the guest's byte is lost. */
		if (write(STDOUT_FILENO, &value, 1) != 1)
			return;
	}
}

/*
 * The line status register says "ready to send, nothing received";
 * every other register reads 0: no input, no interrupts pending.
 */
uint8_t console_read(uint16_t port)
{
	if (port - COM1_BASE == UART_LSR)
		return UART_LSR_THRE | UART_LSR_TEMT;
	return 0;
}
