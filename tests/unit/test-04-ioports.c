/*
 * test-04-ioports.c - unit tests of chapter 4's device models, compiled
 * with the chapter's own sources: the 16550A UART (registers, FIFO,
 * interrupt priorities, the IRQ line, loopback, and the probes Linux's
 * 8250 driver runs on it), the MC146818A CMOS clock on a fixed clock,
 * the port bus, and the i8042's self-test, command byte and reset.
 * None of them needs /dev/kvm.
 *
 * References: PC16550D data sheet; Linux drivers/tty/serial/8250/
 * 8250_port.c (autoconfig, autoconfig_16550a, serial8250_do_startup);
 * MC146818A data sheet; IBM PC/AT technical reference (8042).
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <linux/serial_reg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i8042.h"
#include "iobus.h"
#include "rtc.h"
#include "serial.h"
#include "signals.h"

#include "suite_main.h"
#include "terminal.h"

/* IIR bits 7:6 and 5, which <linux/serial_reg.h> leaves to the driver. */
#define IIR_FIFO_BITS   0xc0 /* FIFOs enabled (16550A) */
#define IIR_64BYTE_FIFO 0x20 /* 64-byte FIFO enabled (16750 only) */
#define MSR_LINES       0xf0 /* UART_MSR_STATUS_BITS in the kernel */
#define MSR_CONNECTED   (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
#define LSR_IDLE        (UART_LSR_TEMT | UART_LSR_THRE)

/* ---- the UART, wired to recorders instead of stdout and KVM ---- */

struct uart_wires {
	uint8_t out[64];      /* bytes the UART transmitted */
	size_t out_len;
	int irq_calls;        /* set_irq calls */
	int irq_level;        /* the line's last level */
	int irq_raises;       /* calls with level 1 */
};

static struct serial uart;
static struct uart_wires wires;

static void record_output(void *ctx, uint8_t byte)
{
	struct uart_wires *w = ctx;

	ck_assert_uint_lt(w->out_len, sizeof(w->out));
	w->out[w->out_len++] = byte;
}

static void record_irq(void *ctx, int level)
{
	struct uart_wires *w = ctx;

	w->irq_calls++;
	w->irq_level = level;
	if (level)
		w->irq_raises++;
}

static void uart_setup(void)
{
	memset(&wires, 0, sizeof(wires));
	serial_init(&uart, record_output, record_irq, &wires);
}

/* The UART lives as long as the VMM, which never tears it down. */
static void uart_teardown(void)
{
	pthread_cond_destroy(&uart.has_room);
	pthread_mutex_destroy(&uart.lock);
}

static uint8_t in(uint16_t offset)
{
	return serial_read(&uart, offset);
}

static void out(uint16_t offset, uint8_t value)
{
	serial_write(&uart, offset, value);
}

/* The interrupt ID IIR reports, without the FIFO bits. */
static uint8_t iir_id(void)
{
	return in(UART_IIR) & (UART_IIR_ID | UART_IIR_NO_INT);
}

START_TEST(test_uart_reset_values)
{
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE);        /* 0x60 */
	ck_assert_uint_eq(in(UART_IIR), UART_IIR_NO_INT); /* 0x01, no FIFO */
	ck_assert_uint_eq(in(UART_MSR), MSR_CONNECTED);   /* 0xb0 */
	ck_assert_uint_eq(in(UART_IER), 0);
	ck_assert_uint_eq(in(UART_LCR), 0);
	ck_assert_uint_eq(in(UART_MCR), 0);
	ck_assert_uint_eq(in(UART_RX), 0); /* nothing received */
	ck_assert_int_eq(wires.irq_calls, 0);
	ck_assert_uint_eq(wires.out_len, 0);
}
END_TEST

START_TEST(test_uart_thr_reaches_output)
{
	out(UART_TX, 'h');
	out(UART_TX, 'i');
	ck_assert_uint_eq(wires.out_len, 2);
	ck_assert_uint_eq(wires.out[0], 'h');
	ck_assert_uint_eq(wires.out[1], 'i');
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE); /* sent at once */
}
END_TEST

START_TEST(test_uart_scratch)
{
	out(UART_SCR, 0x5a);
	ck_assert_uint_eq(in(UART_SCR), 0x5a);
	out(UART_SCR, 0xa5);
	ck_assert_uint_eq(in(UART_SCR), 0xa5);
}
END_TEST

START_TEST(test_uart_dlab)
{
	out(UART_IER, UART_IER_RDI);
	out(UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	out(UART_DLL, 0x01); /* 115200 baud */
	out(UART_DLM, 0x02);
	out(UART_TX, 'x');   /* DLL again, not THR */
	ck_assert_uint_eq(wires.out_len, 0);
	ck_assert_uint_eq(in(UART_DLL), 'x');
	ck_assert_uint_eq(in(UART_DLM), 0x02);
	ck_assert_uint_eq(in(UART_LCR), UART_LCR_DLAB | UART_LCR_WLEN8);

	out(UART_LCR, UART_LCR_WLEN8);
	ck_assert_uint_eq(in(UART_IER), UART_IER_RDI); /* untouched by DLM */
	out(UART_TX, 'y');
	ck_assert_uint_eq(wires.out_len, 1);
	ck_assert_uint_eq(wires.out[0], 'y');
	out(UART_LCR, UART_LCR_DLAB);
	ck_assert_uint_eq(in(UART_DLL), 'x'); /* the divisor survived */
	ck_assert_uint_eq(in(UART_DLM), 0x02);
}
END_TEST

START_TEST(test_uart_ier_low_bits)
{
	out(UART_IER, 0xff);
	ck_assert_uint_eq(in(UART_IER), 0x0f);
	out(UART_IER, 0xf0);
	ck_assert_uint_eq(in(UART_IER), 0);
}
END_TEST

START_TEST(test_uart_fcr_fifo_bits)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	ck_assert_uint_eq(in(UART_IIR), IIR_FIFO_BITS | UART_IIR_NO_INT);
	out(UART_FCR, 0);
	ck_assert_uint_eq(in(UART_IIR), UART_IIR_NO_INT);
	/* The 64-byte bit of a 16750 does nothing on a 16550A. */
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	ck_assert_uint_eq(in(UART_IIR) & 0xe0, IIR_FIFO_BITS);
}
END_TEST

START_TEST(test_uart_receive_in_order)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_receive(&uart, 'a');
	serial_receive(&uart, 'b');
	serial_receive(&uart, 'c');
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE | UART_LSR_DR);
	ck_assert_uint_eq(in(UART_RX), 'a');
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(in(UART_RX), 'b');
	ck_assert_uint_eq(in(UART_RX), 'c');
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE);
}
END_TEST

START_TEST(test_uart_fifo_overrun)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	for (int i = 0; i < SERIAL_FIFO_SIZE; i++)
		serial_receive(&uart, (uint8_t)('A' + i));
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE | UART_LSR_DR); /* full, no OE */
	serial_receive(&uart, '!'); /* the 17th: lost */
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE | UART_LSR_DR | UART_LSR_OE);
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE | UART_LSR_DR); /* read clears OE */
	for (int i = 0; i < SERIAL_FIFO_SIZE; i++)
		ck_assert_uint_eq(in(UART_RX), 'A' + i);
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE); /* '!' never arrived */
}
END_TEST

START_TEST(test_uart_no_fifo_holds_one)
{
	serial_receive(&uart, '1');
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE | UART_LSR_DR);
	serial_receive(&uart, '2');
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE | UART_LSR_DR | UART_LSR_OE);
	ck_assert_uint_eq(in(UART_RX), '1');
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE);
}
END_TEST

START_TEST(test_uart_fcr_clears_receiver)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_receive(&uart, 'a');
	serial_receive(&uart, 'b');
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE);
	serial_receive(&uart, 'c');
	ck_assert_uint_eq(in(UART_RX), 'c');
}
END_TEST

/*
 * Four sources pending at once: IIR names them by priority (data sheet
 * table 4), and each drops out when its own cause is cleared.
 */
START_TEST(test_uart_iir_priority)
{
	/* Loopback, to make a modem status change and to fill RBR. */
	out(UART_MCR, UART_MCR_LOOP);
	in(UART_MSR); /* entering loopback changed the lines: clear deltas */
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS); /* CTS rises: DCTS */
	out(UART_TX, 'p');
	out(UART_TX, 'q'); /* no FIFO: RBR holds one byte, 'q' overruns */
	out(UART_IER, UART_IER_RDI | UART_IER_THRI | UART_IER_RLSI | UART_IER_MSI);

	ck_assert_uint_eq(iir_id(), UART_IIR_RLSI);
	ck_assert_uint_eq(iir_id(), UART_IIR_RLSI); /* reading IIR alone: stays */
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	ck_assert_uint_eq(iir_id(), UART_IIR_RDI);
	ck_assert_uint_eq(in(UART_RX), 'p');
	ck_assert_uint_eq(iir_id(), UART_IIR_THRI); /* and reading acknowledges */
	ck_assert_uint_eq(iir_id(), UART_IIR_MSI);
	ck_assert_uint_eq(in(UART_MSR) & UART_MSR_ANY_DELTA, UART_MSR_DCTS);
	ck_assert_uint_eq(iir_id(), UART_IIR_NO_INT);
}
END_TEST

/* With the FIFO on and data below the trigger level: the timeout ID. */
START_TEST(test_uart_iir_priority_fifo)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_4);
	out(UART_MCR, UART_MCR_LOOP);
	in(UART_MSR); /* entering loopback changed the lines: clear deltas */
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR); /* DSR rises: DDSR */
	out(UART_TX, 'r');
	serial_receive(&uart, 's');
	out(UART_IER, 0x0f);
	/* Break the line: set an error bit behind the model's back. */
	uart.lsr |= UART_LSR_BI;

	ck_assert_uint_eq(in(UART_IIR), IIR_FIFO_BITS | UART_IIR_RLSI);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_BI, UART_LSR_BI);
	ck_assert_uint_eq(in(UART_IIR), IIR_FIFO_BITS | UART_IIR_RX_TIMEOUT);
	ck_assert_uint_eq(in(UART_RX), 'r');
	ck_assert_uint_eq(in(UART_IIR), IIR_FIFO_BITS | UART_IIR_RX_TIMEOUT);
	ck_assert_uint_eq(in(UART_RX), 's');
	ck_assert_uint_eq(in(UART_IIR), IIR_FIFO_BITS | UART_IIR_THRI);
	ck_assert_uint_eq(in(UART_IIR), IIR_FIFO_BITS | UART_IIR_MSI);
	ck_assert_uint_eq(in(UART_MSR), UART_MSR_DSR | UART_MSR_DDSR);
	ck_assert_uint_eq(in(UART_IIR), IIR_FIFO_BITS | UART_IIR_NO_INT);
}
END_TEST

START_TEST(test_uart_thri)
{
	ck_assert_uint_eq(iir_id(), UART_IIR_NO_INT);
	out(UART_IER, UART_IER_THRI); /* idle transmitter: at once */
	ck_assert_uint_eq(iir_id(), UART_IIR_THRI);
	ck_assert_uint_eq(iir_id(), UART_IIR_NO_INT); /* the read cleared it */
	out(UART_TX, 'z');
	ck_assert_uint_eq(iir_id(), UART_IIR_THRI); /* empty again */
	ck_assert_uint_eq(iir_id(), UART_IIR_NO_INT);
	/* Writing IER again with THRI already on raises nothing new. */
	out(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(iir_id(), UART_IIR_NO_INT);
}
END_TEST

START_TEST(test_uart_irq_line)
{
	/* Pending and enabled, but OUT2 gates the line off. */
	out(UART_IER, UART_IER_RDI);
	serial_receive(&uart, 'k');
	ck_assert_int_eq(wires.irq_raises, 0);

	out(UART_MCR, UART_MCR_OUT2);
	ck_assert_int_eq(wires.irq_raises, 1);
	ck_assert_int_eq(wires.irq_level, 1);
	in(UART_LSR); /* other reads leave it up, with no new calls */
	ck_assert_int_eq(wires.irq_calls, 1);

	ck_assert_uint_eq(in(UART_RX), 'k');
	ck_assert_int_eq(wires.irq_level, 0);
	ck_assert_int_eq(wires.irq_calls, 2);

	/* Pending but not enabled: the line stays low. */
	out(UART_IER, 0);
	serial_receive(&uart, 'l');
	ck_assert_int_eq(wires.irq_level, 0);
	ck_assert_int_eq(wires.irq_raises, 1);
	out(UART_IER, UART_IER_RDI);
	ck_assert_int_eq(wires.irq_level, 1);
	out(UART_IER, 0); /* disabling drops it */
	ck_assert_int_eq(wires.irq_level, 0);
	out(UART_IER, UART_IER_RDI);
	ck_assert_int_eq(wires.irq_level, 1);
	out(UART_MCR, 0); /* and so does closing the OUT2 gate */
	ck_assert_int_eq(wires.irq_level, 0);
	ck_assert_int_eq(wires.irq_raises, 3);
	ck_assert_int_eq(wires.irq_calls, 6);
}
END_TEST

START_TEST(test_uart_no_irq_in_loopback)
{
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	out(UART_IER, 0x0f);
	out(UART_TX, 'L');
	ck_assert_uint_eq(iir_id() != UART_IIR_NO_INT, 1); /* pending... */
	ck_assert_int_eq(wires.irq_calls, 0);           /* ...but not wired */
	/* Leaving loopback with OUT2 set connects the line. */
	out(UART_MCR, UART_MCR_OUT2);
	ck_assert_int_eq(wires.irq_level, 1);
}
END_TEST

START_TEST(test_uart_loopback_data)
{
	out(UART_MCR, UART_MCR_LOOP);
	out(UART_TX, 0x42);
	ck_assert_uint_eq(wires.out_len, 0);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(in(UART_RX), 0x42);
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE);
	out(UART_MCR, 0);
	out(UART_TX, 0x43);
	ck_assert_uint_eq(wires.out_len, 1);
	ck_assert_uint_eq(wires.out[0], 0x43);
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE);
}
END_TEST

/* Sets MCR to LOOP | `lines` and returns MSR (clearing its deltas). */
static uint8_t loop_msr(uint8_t lines)
{
	out(UART_MCR, UART_MCR_LOOP | lines);
	return in(UART_MSR);
}

START_TEST(test_uart_loopback_msr)
{
	/* Entering loopback disconnects the terminal: CTS, DSR, DCD fall. */
	ck_assert_uint_eq(loop_msr(0), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	ck_assert_uint_eq(in(UART_MSR), 0); /* deltas cleared by the read */

	ck_assert_uint_eq(loop_msr(UART_MCR_RTS), UART_MSR_CTS | UART_MSR_DCTS);
	ck_assert_uint_eq(in(UART_MSR), UART_MSR_CTS);
	ck_assert_uint_eq(loop_msr(0), UART_MSR_DCTS);

	ck_assert_uint_eq(loop_msr(UART_MCR_DTR), UART_MSR_DSR | UART_MSR_DDSR);
	ck_assert_uint_eq(loop_msr(0), UART_MSR_DDSR);

	/* RI: only its trailing edge sets TERI. */
	ck_assert_uint_eq(loop_msr(UART_MCR_OUT1), UART_MSR_RI);
	ck_assert_uint_eq(loop_msr(0), UART_MSR_TERI);

	ck_assert_uint_eq(loop_msr(UART_MCR_OUT2), UART_MSR_DCD | UART_MSR_DDCD);
	ck_assert_uint_eq(loop_msr(0), UART_MSR_DDCD);

	/* Linux's autoconfig() check. */
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS); /* 0x1a */
	ck_assert_uint_eq(in(UART_MSR) & MSR_LINES, UART_MSR_DCD | UART_MSR_CTS);

	/* Leaving loopback reconnects the terminal. */
	out(UART_MCR, 0);
	ck_assert_uint_eq(in(UART_MSR) & MSR_LINES, MSR_CONNECTED);
	ck_assert_uint_eq(in(UART_MSR), MSR_CONNECTED);
}
END_TEST

START_TEST(test_uart_rx_trigger_levels)
{
	static const struct { uint8_t fcr; int level; } triggers[] = {
		{ UART_FCR_TRIGGER_1, 1 }, { UART_FCR_TRIGGER_4, 4 },
		{ UART_FCR_TRIGGER_8, 8 }, { UART_FCR_TRIGGER_14, 14 },
	};

	out(UART_IER, UART_IER_RDI);
	for (size_t t = 0; t < sizeof(triggers) / sizeof(triggers[0]); t++) {
		out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
			      triggers[t].fcr);
		ck_assert_uint_eq(iir_id(), UART_IIR_NO_INT);
		for (int i = 1; i < triggers[t].level; i++) {
			serial_receive(&uart, (uint8_t)i);
			ck_assert_msg(iir_id() == UART_IIR_RX_TIMEOUT,
				      "trigger %d, %d bytes", triggers[t].level, i);
		}
		serial_receive(&uart, 0xee);
		ck_assert_msg(iir_id() == UART_IIR_RDI, "trigger %d reached",
			      triggers[t].level);
		serial_receive(&uart, 0xef);
		ck_assert_uint_eq(iir_id(), UART_IIR_RDI); /* and above it */
	}
}
END_TEST

/*
 * serial_receive_wait: the input thread waits for RTS, and for room in
 * a full FIFO, instead of overrunning it.
 */
static bool received; /* what receive_one's serial_receive_wait said */

static void *receive_one(void *arg)
{
	received = serial_receive_wait(&uart, *(uint8_t *)arg);
	return NULL;
}

static unsigned rx_count(void)
{
	pthread_mutex_lock(&uart.lock);
	unsigned n = uart.rx.count;
	pthread_mutex_unlock(&uart.lock);
	return n;
}

START_TEST(test_uart_receive_wait)
{
	pthread_t thread;
	uint8_t byte = 'W';

	/* Without RTS the sender holds back. */
	ck_assert_int_eq(pthread_create(&thread, NULL, receive_one, &byte), 0);
	usleep(20000);
	ck_assert_uint_eq(rx_count(), 0);
	out(UART_MCR, UART_MCR_RTS);
	pthread_join(thread, NULL);
	ck_assert_uint_eq(in(UART_RX), 'W');

	/* A full FIFO: it waits for room, and nothing overruns. */
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	for (int i = 0; i < SERIAL_FIFO_SIZE; i++)
		serial_receive_wait(&uart, (uint8_t)('a' + i));
	ck_assert_int_eq(pthread_create(&thread, NULL, receive_one, &byte), 0);
	usleep(20000);
	ck_assert_uint_eq(rx_count(), SERIAL_FIFO_SIZE);
	ck_assert_uint_eq(in(UART_RX), 'a');
	pthread_join(thread, NULL);
	ck_assert_uint_eq(rx_count(), SERIAL_FIFO_SIZE);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_OE, 0);
	for (int i = 1; i < SERIAL_FIFO_SIZE; i++)
		ck_assert_uint_eq(in(UART_RX), 'a' + i);
	ck_assert_uint_eq(in(UART_RX), 'W');
}
END_TEST

/*
 * serial_disconnect: the VM is ending, and a sender still waiting (here
 * for RTS, which never comes) gives up, dropping its byte; so does every
 * later one, at once.
 */
START_TEST(test_uart_disconnect)
{
	pthread_t thread;
	uint8_t byte = 'D';

	received = true;
	ck_assert_int_eq(pthread_create(&thread, NULL, receive_one, &byte), 0);
	usleep(20000);
	serial_disconnect(&uart);
	pthread_join(thread, NULL);
	ck_assert(!received);
	out(UART_MCR, UART_MCR_RTS);
	ck_assert(!serial_receive_wait(&uart, 'E'));
	ck_assert_uint_eq(rx_count(), 0);
	ck_assert_uint_eq(in(UART_LSR) & UART_LSR_DR, 0);
}
END_TEST

/*
 * Linux's autoconfig() and autoconfig_16550a() probe, step by step
 * (drivers/tty/serial/8250/8250_port.c), each step answered as a
 * 16550A answers it; then the start-up checks of serial8250_do_startup().
 */
START_TEST(test_uart_linux_autoconfig)
{
	uint8_t scratch, scratch2, scratch3, save_mcr, save_lcr;
	uint8_t status1, status2, iersave;

	/* Existence: IER holds 0 and then 0x0f. */
	scratch = in(UART_IER);
	out(UART_IER, 0);
	scratch2 = in(UART_IER) & 0x0f;
	out(UART_IER, 0x0f);
	scratch3 = in(UART_IER) & 0x0f;
	out(UART_IER, scratch);
	ck_assert_uint_eq(scratch2, 0);
	ck_assert_uint_eq(scratch3, 0x0f);

	/* Loopback: MCR = LOOP | OUT2 | RTS reads back as DCD | CTS. */
	save_mcr = in(UART_MCR);
	save_lcr = in(UART_LCR);
	out(UART_MCR, UART_MCR_LOOP | 0x0a);
	status1 = in(UART_MSR) & MSR_LINES;
	out(UART_MCR, save_mcr);
	ck_assert_uint_eq(status1, UART_MSR_DCD | UART_MSR_CTS);

	/* Clear a possible EFR, then the FIFO type from IIR's top bits. */
	out(UART_LCR, UART_LCR_CONF_MODE_B);
	out(UART_EFR, 0);
	out(UART_LCR, 0);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	ck_assert_uint_eq(in(UART_IIR) >> 6, 3); /* autoconfig_16550a() */

	/* No EFR behind DLAB (ST16C650V1) ... */
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	ck_assert_uint_ne(in(UART_EFR), 0);
	/* ... nor behind LCR = 0xbf (ST16C650V2, TI16C752). */
	out(UART_LCR, UART_LCR_CONF_MODE_B);
	ck_assert_uint_ne(in(UART_EFR), 0);

	/* Not a National SuperIO: EXCR1 (LCR = 0xe0, offset 2) does not
	 * follow MCR's LOOP bit. */
	out(UART_LCR, 0);
	status1 = in(UART_MCR);
	out(UART_LCR, 0xe0);
	status2 = in(0x02);
	ck_assert_uint_eq((status2 ^ status1) & UART_MCR_LOOP, 0);
	out(UART_LCR, 0);
	out(UART_MCR, status1 ^ UART_MCR_LOOP);
	out(UART_LCR, 0xe0);
	status2 = in(0x02);
	out(UART_LCR, 0);
	out(UART_MCR, status1);
	ck_assert_uint_eq((status2 ^ status1) & UART_MCR_LOOP, 0);

	/* Not a 16750: the 64-byte FIFO bit never shows, DLAB or not. */
	out(UART_LCR, 0);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	status1 = in(UART_IIR) & (IIR_64BYTE_FIFO | IIR_FIFO_BITS);
	out(UART_FCR, 0);
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	status2 = in(UART_IIR) & (IIR_64BYTE_FIFO | IIR_FIFO_BITS);
	out(UART_FCR, 0);
	out(UART_LCR, 0);
	ck_assert_uint_eq(status1, IIR_FIFO_BITS);
	ck_assert_uint_eq(status2, IIR_FIFO_BITS);

	/* Not an XScale: IER's UUE bit (6) does not stick. */
	iersave = in(UART_IER);
	out(UART_IER, iersave & ~UART_IER_UUE);
	ck_assert_uint_eq(in(UART_IER) & UART_IER_UUE, 0);
	out(UART_IER, iersave | UART_IER_UUE);
	ck_assert_uint_eq(in(UART_IER) & UART_IER_UUE, 0);
	out(UART_IER, iersave);

	/* The end of autoconfig(): reset the port. */
	out(UART_LCR, save_lcr);
	out(UART_MCR, save_mcr);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	out(UART_FCR, 0);
	in(UART_RX);
	out(UART_IER, 0);
	ck_assert_uint_eq(in(UART_LSR), LSR_IDLE);
	ck_assert_int_eq(wires.irq_calls, 0);
	ck_assert_uint_eq(wires.out_len, 0); /* the probe sent nothing out */
}
END_TEST

/* size_fifo(): in loopback, how many of 256 bytes does the FIFO keep? */
START_TEST(test_uart_linux_size_fifo)
{
	int count = 0;

	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	out(UART_MCR, UART_MCR_LOOP);
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	out(UART_DLL, 0x01);
	out(UART_DLM, 0x00);
	out(UART_LCR, UART_LCR_WLEN8);
	for (int i = 0; i < 256; i++)
		out(UART_TX, (uint8_t)i);
	while ((in(UART_LSR) & UART_LSR_DR) && count < 256) {
		ck_assert_uint_eq(in(UART_RX), count);
		count++;
	}
	ck_assert_int_eq(count, SERIAL_FIFO_SIZE); /* 16, not a U6's 64 */
	ck_assert_uint_eq(wires.out_len, 0);
}
END_TEST

/* serial8250_do_startup(): the TXEN and THRE re-assert tests. */
START_TEST(test_uart_linux_startup_thre)
{
	uint8_t lsr, iir, iir1;

	/* UART_BUG_TXEN: enabling THRI on an idle port interrupts. */
	out(UART_IER, UART_IER_THRI);
	lsr = in(UART_LSR);
	iir = in(UART_IIR);
	out(UART_IER, 0);
	ck_assert_uint_eq(lsr & UART_LSR_TEMT, UART_LSR_TEMT);
	ck_assert_uint_eq(iir & UART_IIR_NO_INT, 0);

	/* UART_BUG_THRE: after the interrupt was acknowledged, enabling
	 * THRI again raises it again. */
	out(UART_IER, UART_IER_THRI);
	iir1 = in(UART_IIR);
	out(UART_IER, 0);
	out(UART_IER, UART_IER_THRI);
	iir = in(UART_IIR);
	out(UART_IER, 0);
	ck_assert_uint_eq(iir1 & UART_IIR_NO_INT, 0);
	ck_assert_uint_eq(iir & UART_IIR_NO_INT, 0);
	ck_assert_uint_eq(iir & UART_IIR_ID, UART_IIR_THRI);
}
END_TEST

/* ---- the CMOS clock, on a fixed clock ---- */

static struct rtc rtc;
static struct timespec fixed_now;

static void fixed_clock(struct timespec *ts)
{
	*ts = fixed_now;
}

static void set_clock(int year, int month, int day, int hour, int min, int sec,
		      long nsec)
{
	struct tm tm = {
		.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
		.tm_hour = hour, .tm_min = min, .tm_sec = sec,
	};

	fixed_now.tv_sec = timegm(&tm);
	fixed_now.tv_nsec = nsec;
}

/* 2026-11-25 21:07:09.5 UTC, a Wednesday. */
static void rtc_setup(void)
{
	rtc_init(&rtc);
	rtc.now = fixed_clock;
	set_clock(2026, 11, 25, 21, 7, 9, 500000000);
}

/* Port 0x71, as an offset on the RTC's two ports. */
#define CMOS_DATA 1

static uint8_t cmos_read(uint8_t reg)
{
	rtc_write(&rtc, RTC_INDEX_PORT, reg);
	return rtc_read(&rtc, CMOS_DATA);
}

static void cmos_write(uint8_t reg, uint8_t value)
{
	rtc_write(&rtc, RTC_INDEX_PORT, reg);
	rtc_write(&rtc, CMOS_DATA, value);
}

START_TEST(test_rtc_bcd)
{
	ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x09);
	ck_assert_uint_eq(cmos_read(RTC_MINUTES), 0x07);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x21);
	ck_assert_uint_eq(cmos_read(RTC_DAY_OF_WEEK), 4); /* Sunday = 1 */
	ck_assert_uint_eq(cmos_read(RTC_DAY_OF_MONTH), 0x25);
	ck_assert_uint_eq(cmos_read(RTC_MONTH), 0x11);
	ck_assert_uint_eq(cmos_read(RTC_YEAR), 0x26);
	ck_assert_uint_eq(cmos_read(RTC_CENTURY), 0x20);
	ck_assert_uint_eq(cmos_read(RTC_STATUS_A), RTC_A_DEFAULT);
	ck_assert_uint_eq(cmos_read(RTC_STATUS_B), RTC_B_24H);
}
END_TEST

START_TEST(test_rtc_binary)
{
	cmos_write(RTC_STATUS_B, cmos_read(RTC_STATUS_B) | RTC_B_DM_BINARY);
	ck_assert_uint_eq(cmos_read(RTC_STATUS_B), RTC_B_24H | RTC_B_DM_BINARY);
	ck_assert_uint_eq(cmos_read(RTC_SECONDS), 9);
	ck_assert_uint_eq(cmos_read(RTC_MINUTES), 7);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 21);
	ck_assert_uint_eq(cmos_read(RTC_DAY_OF_WEEK), 4);
	ck_assert_uint_eq(cmos_read(RTC_DAY_OF_MONTH), 25);
	ck_assert_uint_eq(cmos_read(RTC_MONTH), 11);
	ck_assert_uint_eq(cmos_read(RTC_YEAR), 26);
	ck_assert_uint_eq(cmos_read(RTC_CENTURY), 20);
}
END_TEST

START_TEST(test_rtc_12_hour)
{
	cmos_write(RTC_STATUS_B, 0); /* 12-hour, BCD */
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x09 | RTC_HOURS_PM);
	ck_assert_uint_eq(cmos_read(RTC_MINUTES), 0x07); /* others unchanged */
	set_clock(2026, 11, 25, 0, 30, 0, 0);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x12); /* 12 AM */
	set_clock(2026, 11, 25, 12, 0, 0, 0);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x12 | RTC_HOURS_PM);
	set_clock(2026, 11, 25, 11, 59, 59, 0);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x11);
	set_clock(2026, 11, 25, 23, 0, 0, 0);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x11 | RTC_HOURS_PM);

	cmos_write(RTC_STATUS_B, RTC_B_DM_BINARY); /* 12-hour, binary */
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 11 | RTC_HOURS_PM);
	set_clock(2026, 11, 25, 0, 0, 0, 0);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 12);
}
END_TEST

START_TEST(test_rtc_uip)
{
	fixed_now.tv_nsec = 0;
	ck_assert_uint_eq(cmos_read(RTC_STATUS_A) & RTC_A_UIP, 0);
	fixed_now.tv_nsec = 999756000 - 1; /* 244 us + 1 ns before the update */
	ck_assert_uint_eq(cmos_read(RTC_STATUS_A) & RTC_A_UIP, 0);
	fixed_now.tv_nsec = 999756000;
	ck_assert_uint_eq(cmos_read(RTC_STATUS_A), RTC_A_DEFAULT | RTC_A_UIP);
	fixed_now.tv_nsec = 999999999;
	ck_assert_uint_eq(cmos_read(RTC_STATUS_A) & RTC_A_UIP, RTC_A_UIP);
	/* UIP is read-only: a guest writing it does not set it. */
	fixed_now.tv_nsec = 0;
	cmos_write(RTC_STATUS_A, RTC_A_UIP | RTC_A_DEFAULT);
	ck_assert_uint_eq(cmos_read(RTC_STATUS_A), RTC_A_DEFAULT);
}
END_TEST

START_TEST(test_rtc_index_port)
{
	/* bit 7 is the NMI mask, not part of the register number */
	rtc_write(&rtc, RTC_INDEX_PORT, 0x80 | RTC_MINUTES);
	ck_assert_uint_eq(rtc.index, RTC_MINUTES);
	ck_assert_uint_eq(rtc_read(&rtc, CMOS_DATA), 0x07);
	rtc_write(&rtc, RTC_INDEX_PORT, RTC_SECONDS);
	ck_assert_uint_eq(rtc_read(&rtc, CMOS_DATA), 0x09);
	ck_assert_uint_eq(rtc_read(&rtc, RTC_INDEX_PORT), 0xff); /* write-only */
	ck_assert_uint_eq(rtc.index, RTC_SECONDS); /* the read changed nothing */
}
END_TEST

START_TEST(test_rtc_status_and_writes)
{
	ck_assert_uint_eq(cmos_read(RTC_STATUS_D), RTC_D_VRT);
	cmos_write(RTC_STATUS_D, 0);
	ck_assert_uint_eq(cmos_read(RTC_STATUS_D), RTC_D_VRT); /* read-only */
	ck_assert_uint_eq(cmos_read(RTC_STATUS_C), 0);

	/* The clock follows the host: time writes are ignored. */
	cmos_write(RTC_SECONDS, 0x55);
	cmos_write(RTC_HOURS, 0x01);
	cmos_write(RTC_YEAR, 0x99);
	cmos_write(RTC_CENTURY, 0x19);
	ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x09);
	ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x21);
	ck_assert_uint_eq(cmos_read(RTC_YEAR), 0x26);
	ck_assert_uint_eq(cmos_read(RTC_CENTURY), 0x20);
}
END_TEST

START_TEST(test_rtc_ram)
{
	cmos_write(0x40, 0xa5);
	cmos_write(0x7f, 0x5a); /* the last byte */
	ck_assert_uint_eq(cmos_read(0x40), 0xa5);
	ck_assert_uint_eq(cmos_read(0x7f), 0x5a);
	ck_assert_uint_eq(cmos_read(0x41), 0);
	/* With the NMI mask bit, the same byte. */
	ck_assert_uint_eq(cmos_read(0x80 | 0x40), 0xa5);
}
END_TEST

/* ---- the port bus ---- */

/* A device that logs every byte access. Reads return 0xa0 + offset. */
struct access {
	bool is_write;
	uint16_t offset;
	uint8_t value;
};

struct recorder {
	struct access log[16];
	int count;
};

static void record(struct recorder *r, bool is_write, uint16_t offset,
		   uint8_t value)
{
	ck_assert_int_lt(r->count, 16);
	r->log[r->count++] = (struct access){ is_write, offset, value };
}

static uint8_t recorder_read(void *opaque, uint16_t offset)
{
	uint8_t value = (uint8_t)(0xa0 + offset);

	record(opaque, false, offset, value);
	return value;
}

static void recorder_write(void *opaque, uint16_t offset, uint8_t value)
{
	record(opaque, true, offset, value);
}

static struct iobus bus;
static struct recorder rec_a, rec_b;

static struct io_device recorder_device(const char *name, uint16_t base,
					uint16_t len, struct recorder *r)
{
	return (struct io_device){
		.name = name, .base = base, .len = len,
		.read = recorder_read, .write = recorder_write, .opaque = r,
	};
}

/* Device "a" at 0x100-0x103, "b" at 0x200-0x207. */
static void bus_setup(void)
{
	memset(&bus, 0, sizeof(bus));
	memset(&rec_a, 0, sizeof(rec_a));
	memset(&rec_b, 0, sizeof(rec_b));
	struct io_device a = recorder_device("a", 0x100, 4, &rec_a);
	struct io_device b = recorder_device("b", 0x200, 8, &rec_b);
	ck_assert_int_eq(iobus_register(&bus, &a), 0);
	ck_assert_int_eq(iobus_register(&bus, &b), 0);
}

static void assert_logged(const struct recorder *r, int i, bool is_write,
			  uint16_t offset, uint8_t value)
{
	ck_assert_int_lt(i, r->count);
	ck_assert_int_eq(r->log[i].is_write, is_write);
	ck_assert_uint_eq(r->log[i].offset, offset);
	ck_assert_uint_eq(r->log[i].value, value);
}

START_TEST(test_iobus_register_and_find)
{
	ck_assert_int_eq(bus.count, 2);
	ck_assert_ptr_null(iobus_find(&bus, 0x0ff));
	ck_assert_str_eq(iobus_find(&bus, 0x100)->name, "a");
	ck_assert_str_eq(iobus_find(&bus, 0x103)->name, "a");
	ck_assert_ptr_null(iobus_find(&bus, 0x104));
	ck_assert_str_eq(iobus_find(&bus, 0x207)->name, "b");
	ck_assert_ptr_null(iobus_find(&bus, 0x208));
	/* Adjacent ranges are fine. */
	struct io_device c = recorder_device("c", 0x104, 1, &rec_a);
	struct io_device d = recorder_device("d", 0x0ff, 1, &rec_a);
	ck_assert_int_eq(iobus_register(&bus, &c), 0);
	ck_assert_int_eq(iobus_register(&bus, &d), 0);
	ck_assert_str_eq(iobus_find(&bus, 0x104)->name, "c");
	ck_assert_str_eq(iobus_find(&bus, 0x0ff)->name, "d");
}
END_TEST

START_TEST(test_iobus_refuses)
{
	static const struct { uint16_t base, len; } bad[] = {
		{ 0x102, 4 },      /* overlaps a's end */
		{ 0x0fe, 4 },      /* overlaps a's start */
		{ 0x101, 2 },      /* inside a */
		{ 0x100, 4 },      /* exactly a */
		{ 0x0f0, 0x20 },   /* contains a */
		{ 0x1f0, 0x100 },  /* contains b */
		{ 0x300, 0 },      /* empty */
		{ 0xfffe, 4 },     /* past port 0xffff */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct io_device dev = recorder_device("bad", bad[i].base,
						       bad[i].len, &rec_b);
		ck_assert_msg(iobus_register(&bus, &dev) == -1,
			      "accepted 0x%x+%u", bad[i].base, bad[i].len);
	}
	ck_assert_int_eq(bus.count, 2);
	/* The very last port is a valid range. */
	struct io_device last = recorder_device("last", 0xffff, 1, &rec_b);
	ck_assert_int_eq(iobus_register(&bus, &last), 0);
	/* A full bus refuses more. */
	for (int i = bus.count; i < IOBUS_MAX_DEVICES; i++) {
		struct io_device dev = recorder_device("fill", (uint16_t)(0x1000 + i),
						       1, &rec_b);
		ck_assert_int_eq(iobus_register(&bus, &dev), 0);
	}
	struct io_device extra = recorder_device("extra", 0x2000, 1, &rec_b);
	ck_assert_int_eq(iobus_register(&bus, &extra), -1);
}
END_TEST

START_TEST(test_iobus_wide_access_split)
{
	uint8_t data[4] = { 0x11, 0x22 };

	iobus_access(&bus, 0x100, true, data, 2); /* out dx, ax */
	ck_assert_int_eq(rec_a.count, 2);
	assert_logged(&rec_a, 0, true, 0, 0x11);
	assert_logged(&rec_a, 1, true, 1, 0x22);

	memset(data, 0, sizeof(data));
	iobus_access(&bus, 0x100, false, data, 4); /* in eax, dx */
	ck_assert_int_eq(rec_a.count, 6);
	for (int i = 0; i < 4; i++) {
		assert_logged(&rec_a, 2 + i, false, (uint16_t)i, (uint8_t)(0xa0 + i));
		ck_assert_uint_eq(data[i], 0xa0 + i);
	}
	ck_assert_int_eq(rec_b.count, 0);
	ck_assert_uint_eq(bus.exits[0], 2); /* two accesses, not six */
}
END_TEST

START_TEST(test_iobus_unclaimed)
{
	uint8_t data[4] = { 0 };

	iobus_access(&bus, 0x300, false, data, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(data[i], IOBUS_FLOATING);
	memset(data, 0x77, sizeof(data));
	iobus_access(&bus, 0x300, true, data, 4);
	iobus_access(&bus, 0x0ff, true, data, 1);
	ck_assert_int_eq(rec_a.count, 0);
	ck_assert_int_eq(rec_b.count, 0);
	ck_assert_uint_eq(data[0], 0x77); /* a dropped write leaves the data */
	ck_assert_uint_eq(bus.unclaimed_exits, 3);
	ck_assert_uint_eq(bus.exits[0] + bus.exits[1], 0);
}
END_TEST

START_TEST(test_iobus_straddle)
{
	uint8_t data[2] = { 0, 0 };

	/* in ax at a's last port: a's byte, then the floating bus. */
	iobus_access(&bus, 0x103, false, data, 2);
	ck_assert_uint_eq(data[0], 0xa3);
	ck_assert_uint_eq(data[1], IOBUS_FLOATING);
	ck_assert_int_eq(rec_a.count, 1);
	assert_logged(&rec_a, 0, false, 3, 0xa3);

	data[0] = 0x31;
	data[1] = 0x32;
	iobus_access(&bus, 0x103, true, data, 2);
	ck_assert_int_eq(rec_a.count, 2);
	assert_logged(&rec_a, 1, true, 3, 0x31);

	/* Starting unclaimed and running into a device reaches it too. */
	iobus_access(&bus, 0x1ff, false, data, 2);
	ck_assert_uint_eq(data[0], IOBUS_FLOATING);
	ck_assert_uint_eq(data[1], 0xa0);
	assert_logged(&rec_b, 0, false, 0, 0xa0);

	/* Counted for the device at the first port. */
	ck_assert_uint_eq(bus.exits[0], 2);
	ck_assert_uint_eq(bus.exits[1], 0);
	ck_assert_uint_eq(bus.unclaimed_exits, 1);
}
END_TEST

START_TEST(test_iobus_wraps_at_ffff)
{
	uint8_t data[2] = { 0, 0 };
	struct io_device zero = recorder_device("zero", 0, 1, &rec_b);

	ck_assert_int_eq(iobus_register(&bus, &zero), 0);
	iobus_access(&bus, 0xffff, false, data, 2);
	ck_assert_uint_eq(data[0], IOBUS_FLOATING);
	ck_assert_uint_eq(data[1], 0xa0);
	ck_assert_int_eq(rec_b.count, 1);
}
END_TEST

START_TEST(test_iobus_counts_and_names)
{
	uint8_t byte = 0;

	for (int i = 0; i < 3; i++)
		iobus_access(&bus, 0x101, false, &byte, 1);
	iobus_access(&bus, 0x205, true, &byte, 1);
	iobus_access(&bus, 0x80, true, &byte, 1);
	iobus_access(&bus, 0x81, true, &byte, 1);
	ck_assert_uint_eq(bus.exits[0], 3);
	ck_assert_uint_eq(bus.exits[1], 1);
	ck_assert_uint_eq(bus.unclaimed_exits, 2);

	ck_assert_str_eq(iobus_device_name(&bus, 0x100), "a");
	ck_assert_str_eq(iobus_device_name(&bus, 0x207), "b");
	ck_assert_str_eq(iobus_device_name(&bus, 0x208), "unclaimed");
	ck_assert_str_eq(iobus_device_name(&bus, 0x80), "unclaimed");
}
END_TEST

/* The real UART on the bus: the --stats table names it. */
START_TEST(test_iobus_stats_print)
{
	struct io_device com1 = {
		.name = "serial", .base = COM1_BASE, .len = SERIAL_PORTS,
		.read = serial_read, .write = serial_write, .opaque = &uart,
	};
	char *text = NULL;
	size_t len = 0;
	uint8_t byte;
	FILE *stream;

	memset(&bus, 0, sizeof(bus));
	uart_setup();
	ck_assert_int_eq(iobus_register(&bus, &com1), 0);
	iobus_access(&bus, COM1_BASE + UART_LSR, false, &byte, 1);
	ck_assert_uint_eq(byte, LSR_IDLE);
	byte = 'S';
	iobus_access(&bus, COM1_BASE, true, &byte, 1);
	ck_assert_uint_eq(wires.out_len, 1);
	ck_assert_uint_eq(wires.out[0], 'S');
	iobus_access(&bus, 0x80, true, &byte, 1);

	stream = open_memstream(&text, &len);
	iobus_stats_print(&bus, stream);
	fclose(stream);
	ck_assert_ptr_nonnull(strstr(text, "port device"));
	ck_assert_ptr_nonnull(strstr(text, "io:serial"));
	ck_assert_ptr_nonnull(strstr(text, "\nio:serial                     2\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nio:unclaimed                  1\n"));
	free(text);
	uart_teardown();
}
END_TEST

START_TEST(test_iobus_stats_skip_idle)
{
	char *text = NULL;
	size_t len = 0;
	uint8_t byte = 0;
	FILE *stream;

	iobus_access(&bus, 0x200, false, &byte, 1);
	stream = open_memstream(&text, &len);
	iobus_stats_print(&bus, stream);
	fclose(stream);
	ck_assert_ptr_nonnull(strstr(text, "io:b "));
	ck_assert_ptr_null(strstr(text, "io:a "));       /* never accessed */
	ck_assert_ptr_null(strstr(text, "io:unclaimed"));
	free(text);
}
END_TEST

/* ---- the i8042 ---- */

static struct i8042 kbc;
static int resets;

static void count_reset(void *ctx)
{
	(*(int *)ctx)++;
}

static void kbc_setup(void)
{
	resets = 0;
	i8042_init(&kbc, count_reset, &resets);
}

static uint8_t kbc_status(void)
{
	return i8042_status_read(&kbc, 0);
}

START_TEST(test_i8042_status)
{
	ck_assert_uint_eq(kbc_status() & I8042_STR_SYSFLAG, I8042_STR_SYSFLAG);
	ck_assert_uint_eq(kbc_status() & I8042_STR_OBF, 0);
	i8042_command_write(&kbc, 0, I8042_CMD_KBD_DISABLE);
	ck_assert_uint_eq(kbc_status() & I8042_STR_CMDDAT, I8042_STR_CMDDAT);
	i8042_data_write(&kbc, 0, 0xf4);
	ck_assert_uint_eq(kbc_status() & I8042_STR_CMDDAT, 0);
	ck_assert_uint_eq(kbc_status() & I8042_STR_OBF, 0);
}
END_TEST

START_TEST(test_i8042_self_test)
{
	i8042_command_write(&kbc, 0, I8042_CMD_SELF_TEST);
	ck_assert_uint_eq(kbc_status() & I8042_STR_OBF, I8042_STR_OBF);
	ck_assert_uint_eq(i8042_data_read(&kbc, 0), I8042_SELF_TEST_OK);
	ck_assert_uint_eq(kbc_status() & I8042_STR_OBF, 0);
	ck_assert_uint_eq(kbc_status() & I8042_STR_SYSFLAG, I8042_STR_SYSFLAG);

	i8042_command_write(&kbc, 0, I8042_CMD_KBD_TEST);
	ck_assert_uint_eq(kbc_status() & I8042_STR_OBF, I8042_STR_OBF);
	ck_assert_uint_eq(i8042_data_read(&kbc, 0), I8042_TEST_OK);
	i8042_command_write(&kbc, 0, I8042_CMD_AUX_TEST);
	ck_assert_uint_eq(i8042_data_read(&kbc, 0), I8042_TEST_OK);
	ck_assert_uint_eq(kbc_status() & I8042_STR_OBF, 0);
}
END_TEST

START_TEST(test_i8042_command_byte)
{
	i8042_command_write(&kbc, 0, I8042_CMD_READ_CTR);
	ck_assert_uint_eq(kbc_status() & I8042_STR_OBF, I8042_STR_OBF);
	ck_assert_uint_eq(i8042_data_read(&kbc, 0), I8042_CTR_DEFAULT); /* 0x61 */

	i8042_command_write(&kbc, 0, I8042_CMD_WRITE_CTR);
	i8042_data_write(&kbc, 0, 0x45);
	i8042_command_write(&kbc, 0, I8042_CMD_READ_CTR);
	ck_assert_uint_eq(i8042_data_read(&kbc, 0), 0x45);
}
END_TEST

START_TEST(test_i8042_other_data_ignored)
{
	i8042_data_write(&kbc, 0, 0xff); /* a byte for the (absent) keyboard */
	i8042_command_write(&kbc, 0, I8042_CMD_WRITE_CTR);
	i8042_data_write(&kbc, 0, 0x47);
	i8042_data_write(&kbc, 0, 0x00); /* only the first byte is the CTR */
	i8042_command_write(&kbc, 0, I8042_CMD_WRITE_CTR);
	i8042_command_write(&kbc, 0, I8042_CMD_KBD_ENABLE); /* cancels it */
	i8042_data_write(&kbc, 0, 0x11);
	i8042_command_write(&kbc, 0, I8042_CMD_READ_CTR);
	ck_assert_uint_eq(i8042_data_read(&kbc, 0), 0x47);
	ck_assert_int_eq(resets, 0);
}
END_TEST

START_TEST(test_i8042_reset)
{
	i8042_command_write(&kbc, 0, I8042_CMD_SELF_TEST);
	i8042_command_write(&kbc, 0, I8042_CMD_AUX_ENABLE);
	ck_assert_int_eq(resets, 0);
	i8042_command_write(&kbc, 0, I8042_CMD_PULSE_RESET);
	ck_assert_int_eq(resets, 1);
	i8042_data_write(&kbc, 0, I8042_CMD_PULSE_RESET); /* data, not a command */
	ck_assert_int_eq(resets, 1);
}
END_TEST

/* ---- terminal: raw mode, and restoring it on every way out ---- */

/* A pseudo-terminal stands in for the reader's terminal. */
static int open_pty(int *slave)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	*slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(*slave, 0);
	return master;
}

static void discard_output(void *ctx, uint8_t byte) { (void)ctx, (void)byte; }
static void ignore_irq(void *ctx, int level) { (void)ctx, (void)level; }

/* How the child VMM ends, after it has put the terminal in raw mode. */
enum ending { END_EXIT, END_SIGQUIT, END_ABORT, END_SEGV };

/* Exit statuses of the child that mean the test itself went wrong. */
#define CHILD_NO_START 90
#define CHILD_NOT_RAW 91

static void end_child(enum ending how)
{
	switch (how) {
	case END_EXIT:    exit(0); /* atexit handlers run */
	case END_SIGQUIT: raise(SIGQUIT); break;
	case END_ABORT:   abort();
	case END_SEGV:    raise(SIGSEGV); break;
	}
	_exit(0);
}

/*
 * Starts the terminal code in a child whose stdin is the pty's slave,
 * checks it went raw, ends it `how`, and returns its wait status; the
 * pty's settings before and after are left in *before and *after.
 */
static int run_terminal_child(enum ending how, struct termios *before,
			      struct termios *after)
{
	int slave, master = open_pty(&slave), status;

	ck_assert_int_eq(tcgetattr(slave, before), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct serial uart;
		struct termios now;

		dup2(slave, STDIN_FILENO);
		serial_init(&uart, discard_output, ignore_irq, NULL);
		if (terminal_start(&uart) < 0)
			_exit(CHILD_NO_START);
		tcgetattr(STDIN_FILENO, &now);
		if (now.c_lflag & (ICANON | ECHO))
			_exit(CHILD_NOT_RAW);
		end_child(how);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(tcgetattr(slave, after), 0);
	close(slave);
	close(master);
	return status;
}

/* The settings a shell cares about are back as they were. */
static void assert_restored(const struct termios *before, const struct termios *after)
{
	ck_assert_uint_eq(after->c_lflag, before->c_lflag);
	ck_assert_uint_eq(after->c_iflag, before->c_iflag);
	ck_assert(after->c_lflag & ICANON);
	ck_assert(after->c_lflag & ECHO);
}

START_TEST(test_terminal_restored_on_exit)
{
	struct termios before, after;
	int status = run_terminal_child(END_EXIT, &before, &after);

	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	assert_restored(&before, &after);
}
END_TEST

START_TEST(test_terminal_restored_on_signals)
{
	static const struct { enum ending how; int sig; } cases[] = {
		{ END_SIGQUIT, SIGQUIT }, { END_ABORT, SIGABRT },
		{ END_SEGV, SIGSEGV },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct termios before, after;
		int status = run_terminal_child(cases[i].how, &before, &after);

		/* It still dies of the signal, as it would have without us. */
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == cases[i].sig,
			      "case %zu: wait status 0x%x", i, (unsigned)status);
		assert_restored(&before, &after);
	}
}
END_TEST

/*
 * terminal_stop ends the input thread wherever it waits, and joins it:
 * in serial_receive_wait for RTS (its input already read), or in poll
 * for input that never comes. Nothing reaches the UART afterwards. A
 * stop that did not wake the thread would hang here, and check's
 * timeout fails the test. (stdin is a pipe: no raw mode.)
 */
START_TEST(test_terminal_stop)
{
	int pipe_fds[2];

	uart_setup();
	ck_assert_int_eq(pipe(pipe_fds), 0);
	ck_assert_int_eq(dup2(pipe_fds[0], STDIN_FILENO), STDIN_FILENO);
	ck_assert_int_eq(write(pipe_fds[1], "abc", 3), 3);
	ck_assert_int_eq(terminal_start(&uart), 0);
	usleep(20000);           /* it has read "abc" and waits for RTS */
	terminal_stop();
	out(UART_MCR, UART_MCR_RTS);
	usleep(20000);
	ck_assert_uint_eq(rx_count(), 0);

	uart_setup();            /* again, ready, with nothing to read */
	out(UART_MCR, UART_MCR_RTS);
	ck_assert_int_eq(terminal_start(&uart), 0);
	usleep(20000);           /* it waits in poll */
	terminal_stop();
	ck_assert_int_eq(write(pipe_fds[1], "d", 1), 1);
	usleep(20000);
	ck_assert_uint_eq(rx_count(), 0);
	close(pipe_fds[1]);
}
END_TEST

/* ---- signals: Ctrl-C, SIGTERM and SIGHUP stop the vCPU ---- */

/*
 * SIGINT, SIGTERM and SIGHUP are caught, not fatal: the handler makes
 * the next (or the current) KVM_RUN return at once, and remembers the
 * signal. (Each check test runs in a process of its own.)
 */
START_TEST(test_signals_stop_the_vcpu)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct kvm_run run = { 0 };

		ck_assert_int_eq(signals_catch(&run), 0);
		ck_assert_int_eq(raise(sigs[i]), 0);
		ck_assert_uint_eq(run.immediate_exit, 1);
		ck_assert_int_eq(stop_signal(), sigs[i]);
	}
}
END_TEST

/* Even a blocked SIGINT (the mask survives exec) gets through. */
START_TEST(test_signals_unblocked)
{
	struct kvm_run run = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	ck_assert_int_eq(signals_catch(&run), 0);
	ck_assert_int_eq(raise(SIGINT), 0);
	ck_assert_uint_eq(run.immediate_exit, 1);
}
END_TEST

/*
 * Once the VM is over (signals_release), a stop signal waits, blocked:
 * the handler must not write to the kvm_run page, which main unmaps next.
 */
START_TEST(test_signals_released)
{
	struct kvm_run run = { 0 };
	sigset_t pending;

	ck_assert_int_eq(signals_catch(&run), 0);
	signals_release();
	ck_assert_int_eq(raise(SIGTERM), 0);
	ck_assert_uint_eq(run.immediate_exit, 0);
	ck_assert_int_eq(sigpending(&pending), 0);
	ck_assert(sigismember(&pending, SIGTERM));
}
END_TEST

/* The report's status is the shell's for that signal: 128 + its number. */
START_TEST(test_stop_report_status)
{
	struct vm vm = { .vcpu = { .fd = -1 } };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	vm.stats.count[KVM_EXIT_IO] = 22;
	ck_assert_int_eq(stop_report(&vm, SIGINT, out), 130);
	ck_assert_int_eq(stop_report(&vm, SIGTERM, out), 143);
	ck_assert_int_eq(stop_report(&vm, SIGHUP, out), 129);
	fclose(out);
	ck_assert_pstr_eq(text,
		"vmm: stopped by SIGINT (Ctrl-C) after 22 VM exits\n"
		"  (registers unavailable)\n"
		"vmm: stopped by SIGTERM after 22 VM exits\n"
		"  (registers unavailable)\n"
		"vmm: stopped by SIGHUP (hangup) after 22 VM exits\n"
		"  (registers unavailable)\n");
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("04-ioports");
	TCase *tc = tcase_create("serial");

	tcase_add_checked_fixture(tc, uart_setup, uart_teardown);
	tcase_add_test(tc, test_uart_reset_values);
	tcase_add_test(tc, test_uart_thr_reaches_output);
	tcase_add_test(tc, test_uart_scratch);
	tcase_add_test(tc, test_uart_dlab);
	tcase_add_test(tc, test_uart_ier_low_bits);
	tcase_add_test(tc, test_uart_fcr_fifo_bits);
	tcase_add_test(tc, test_uart_receive_in_order);
	tcase_add_test(tc, test_uart_fifo_overrun);
	tcase_add_test(tc, test_uart_no_fifo_holds_one);
	tcase_add_test(tc, test_uart_fcr_clears_receiver);
	tcase_add_test(tc, test_uart_iir_priority);
	tcase_add_test(tc, test_uart_iir_priority_fifo);
	tcase_add_test(tc, test_uart_thri);
	tcase_add_test(tc, test_uart_irq_line);
	tcase_add_test(tc, test_uart_no_irq_in_loopback);
	tcase_add_test(tc, test_uart_loopback_data);
	tcase_add_test(tc, test_uart_loopback_msr);
	tcase_add_test(tc, test_uart_rx_trigger_levels);
	tcase_add_test(tc, test_uart_receive_wait);
	tcase_add_test(tc, test_uart_disconnect);
	suite_add_tcase(s, tc);

	tc = tcase_create("linux-8250");
	tcase_add_checked_fixture(tc, uart_setup, uart_teardown);
	tcase_add_test(tc, test_uart_linux_autoconfig);
	tcase_add_test(tc, test_uart_linux_size_fifo);
	tcase_add_test(tc, test_uart_linux_startup_thre);
	suite_add_tcase(s, tc);

	tc = tcase_create("rtc");
	tcase_add_checked_fixture(tc, rtc_setup, NULL);
	tcase_add_test(tc, test_rtc_bcd);
	tcase_add_test(tc, test_rtc_binary);
	tcase_add_test(tc, test_rtc_12_hour);
	tcase_add_test(tc, test_rtc_uip);
	tcase_add_test(tc, test_rtc_index_port);
	tcase_add_test(tc, test_rtc_status_and_writes);
	tcase_add_test(tc, test_rtc_ram);
	suite_add_tcase(s, tc);

	tc = tcase_create("iobus");
	tcase_add_checked_fixture(tc, bus_setup, NULL);
	tcase_add_test(tc, test_iobus_register_and_find);
	tcase_add_test(tc, test_iobus_refuses);
	tcase_add_test(tc, test_iobus_wide_access_split);
	tcase_add_test(tc, test_iobus_unclaimed);
	tcase_add_test(tc, test_iobus_straddle);
	tcase_add_test(tc, test_iobus_wraps_at_ffff);
	tcase_add_test(tc, test_iobus_counts_and_names);
	tcase_add_test(tc, test_iobus_stats_print);
	tcase_add_test(tc, test_iobus_stats_skip_idle);
	suite_add_tcase(s, tc);

	tc = tcase_create("terminal");
	tcase_add_test(tc, test_terminal_restored_on_exit);
	tcase_add_test(tc, test_terminal_restored_on_signals);
	tcase_add_test(tc, test_terminal_stop);
	suite_add_tcase(s, tc);

	tc = tcase_create("signals");
	tcase_add_test(tc, test_signals_stop_the_vcpu);
	tcase_add_test(tc, test_signals_unblocked);
	tcase_add_test(tc, test_signals_released);
	tcase_add_test(tc, test_stop_report_status);
	suite_add_tcase(s, tc);

	tc = tcase_create("i8042");
	tcase_add_checked_fixture(tc, kbc_setup, NULL);
	tcase_add_test(tc, test_i8042_status);
	tcase_add_test(tc, test_i8042_self_test);
	tcase_add_test(tc, test_i8042_command_byte);
	tcase_add_test(tc, test_i8042_other_data_ignored);
	tcase_add_test(tc, test_i8042_reset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
