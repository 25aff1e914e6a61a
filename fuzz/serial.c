/*
 * serial.c - fuzz target: chapter 6's 16550A UART (serial.c), against a
 * model of the chip written from its data sheet.
 *
 * The input is a sequence of 2-byte operations, u8 kind and u8 value:
 *
 *   kind bits 0-2   the register: base + 0 .. base + 7
 *   kind bits 3-4   0 or 3: the guest writes `value` there; 1: the guest
 *                   reads it; 2: `value` arrives on the line from the host
 *                   (serial_receive, as a sender that ignores flow control)
 *
 * The model keeps what the data sheet says the guest can observe: the
 * registers it wrote (LCR and DLAB, IER, MCR, the divisor latch, the
 * scratch register), the receive FIFO's bytes and the overrun flag, the
 * FIFO mode and trigger level, the "THR empty" interrupt, the modem
 * status lines and their delta bits. Every read must return what the
 * model says, byte for byte:
 *
 *   - RBR gives the received bytes in order, each once (the FIFO holds
 *     16 bytes, or 1 with the FIFOs off; one more is an overrun, lost);
 *   - LSR: data ready exactly while bytes wait, overrun once after one,
 *     the transmitter always empty; MSR: the modem lines as wired (in
 *     loopback, each output to its input) and which changed;
 *   - IIR names the most urgent enabled interrupt (line status, received
 *     data or its timeout below the trigger level, THR empty, modem
 *     status), with the FIFO bits;
 *   - the IRQ line is high exactly while an interrupt is pending and OUT2
 *     gates it (not in loopback), and it is only ever set to a new level;
 *   - transmitted bytes reach the output in order, except in loopback,
 *     where they come back as received bytes instead.
 *
 * Reference: TI/National PC16550D data sheet (register summary, table 4
 * interrupt priorities, FIFO operation); <linux/serial_reg.h>.
 */
#include "fuzz.h"

#include <linux/serial_reg.h>
#include <stdbool.h>

#include "serial.h"

#define OP_SIZE 2
#define MAX_OPS 8192
#define REGISTER_MASK 0x07
#define KIND_SHIFT 3
#define KIND_MASK 0x03
#define IER_BITS 0x0f
#define MCR_BITS 0x1f
#define LSR_TRANSMITTER_IDLE (UART_LSR_TEMT | UART_LSR_THRE)
#define MSR_LINES 0xf0
#define MSR_CONNECTED (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
#define IIR_FIFO_BITS 0xc0
#define DLL_AT_RESET 12

enum { OP_WRITE, OP_READ, OP_RECEIVE, OP_WRITE_TOO };

static const unsigned trigger_levels[4] = { 1, 4, 8, 14 };

/* The chip as the data sheet describes it, and what it sent out. */
static struct model {
	uint8_t lcr, ier, mcr, scr, dll, dlm, msr;
	bool fifo_enabled, overrun, thr_interrupt;
	unsigned trigger;
	uint8_t rx[SERIAL_FIFO_SIZE];
	unsigned rx_head, rx_count;
	uint8_t sent[MAX_OPS];
	unsigned sent_count;
} model;

static struct serial uart;
static uint8_t output[MAX_OPS];
static unsigned output_count;
static int irq_level;

/* ---- the wiring: output and IRQ line ---- */

static void uart_output(void *ctx, uint8_t byte)
{
	(void)ctx;
	PROPERTY(output_count < MAX_OPS, "more bytes sent than written");
	output[output_count++] = byte;
}

static void uart_set_irq(void *ctx, int level)
{
	(void)ctx;
	PROPERTY(level != irq_level, "IRQ line set to %d, the level it had", level);
	irq_level = level;
}

/* ---- the model ---- */

static unsigned model_capacity(void)
{
	return model.fifo_enabled ? SERIAL_FIFO_SIZE : 1;
}

static void model_receive(uint8_t byte)
{
	if (model.rx_count == model_capacity()) {
		model.overrun = true;
		return;
	}
	model.rx[(model.rx_head + model.rx_count) % SERIAL_FIFO_SIZE] = byte;
	model.rx_count++;
}

static uint8_t modem_inputs(uint8_t mcr)
{
	if (!(mcr & UART_MCR_LOOP))
		return MSR_CONNECTED;
	return (mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
	       (mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
	       (mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

/* The delta bits: a line that changed, or RI's trailing edge. */
static void model_set_mcr(uint8_t value)
{
	uint8_t old = model.msr & MSR_LINES, now;
	uint8_t deltas = model.msr & UART_MSR_ANY_DELTA;

	model.mcr = value & MCR_BITS;
	now = modem_inputs(model.mcr);
	if ((old ^ now) & UART_MSR_CTS)
		deltas |= UART_MSR_DCTS;
	if ((old ^ now) & UART_MSR_DSR)
		deltas |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		deltas |= UART_MSR_TERI;
	if ((old ^ now) & UART_MSR_DCD)
		deltas |= UART_MSR_DDCD;
	model.msr = now | deltas;
}

/* Table 4: the pending interrupt of highest priority. */
static uint8_t model_interrupt(void)
{
	if ((model.ier & UART_IER_RLSI) && model.overrun)
		return UART_IIR_RLSI;
	if ((model.ier & UART_IER_RDI) && model.rx_count)
		return model.fifo_enabled && model.rx_count < model.trigger
		       ? UART_IIR_RX_TIMEOUT : UART_IIR_RDI;
	if ((model.ier & UART_IER_THRI) && model.thr_interrupt)
		return UART_IIR_THRI;
	if ((model.ier & UART_IER_MSI) && (model.msr & UART_MSR_ANY_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static bool dlab(void)
{
	return model.lcr & UART_LCR_DLAB;
}

static void model_write(unsigned reg, uint8_t value)
{
	switch (reg) {
	case UART_TX:
		if (dlab()) {
			model.dll = value;
			break;
		}
		if (model.mcr & UART_MCR_LOOP)
			model_receive(value);
		else
			model.sent[model.sent_count++] = value;
		model.thr_interrupt = true;
		break;
	case UART_IER:
		if (dlab()) {
			model.dlm = value;
			break;
		}
		/* enabling "THR empty" with THR empty (always) raises it */
		if ((value & UART_IER_THRI) && !(model.ier & UART_IER_THRI))
			model.thr_interrupt = true;
		model.ier = value & IER_BITS;
		break;
	case UART_FCR: {
		bool enable = value & UART_FCR_ENABLE_FIFO;

		if (enable != model.fifo_enabled || (value & UART_FCR_CLEAR_RCVR))
			model.rx_head = model.rx_count = 0;
		model.fifo_enabled = enable;
		model.trigger = trigger_levels[UART_FCR_R_TRIG_BITS(value)];
		break;
	}
	case UART_LCR: model.lcr = value; break;
	case UART_MCR: model_set_mcr(value); break;
	case UART_LSR: case UART_MSR: break; /* read-only */
	case UART_SCR: model.scr = value; break;
	}
}

/* What a read must return; reading has its effects on the model too. */
static uint8_t model_read(unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RX:
		if (dlab())
			return model.dll;
		if (!model.rx_count)
			return 0;
		v = model.rx[model.rx_head];
		model.rx_head = (model.rx_head + 1) % SERIAL_FIFO_SIZE;
		model.rx_count--;
		return v;
	case UART_IER:
		return dlab() ? model.dlm : model.ier;
	case UART_IIR:
		v = model_interrupt();
		if (v == UART_IIR_THRI)
			model.thr_interrupt = false;   /* reading IIR acknowledges it */
		return v | (model.fifo_enabled ? IIR_FIFO_BITS : 0);
	case UART_LCR: return model.lcr;
	case UART_MCR: return model.mcr;
	case UART_LSR:
		v = LSR_TRANSMITTER_IDLE | (model.rx_count ? UART_LSR_DR : 0) |
		    (model.overrun ? UART_LSR_OE : 0);
		model.overrun = false;
		return v;
	case UART_MSR:
		v = model.msr;
		model.msr &= ~UART_MSR_ANY_DELTA;
		return v;
	default:
		return model.scr;
	}
}

static void model_reset(void)
{
	memset(&model, 0, sizeof(model));
	model.msr = MSR_CONNECTED;
	model.dll = DLL_AT_RESET;
	model.trigger = trigger_levels[0];
}

/* ---- after every operation ---- */

static void check_state(void)
{
	bool gate = (model.mcr & UART_MCR_OUT2) && !(model.mcr & UART_MCR_LOOP);
	int want = gate && model_interrupt() != UART_IIR_NO_INT;

	PROPERTY(irq_level == want, "IRQ line %d; the model says %d (IER 0x%02x MCR 0x%02x)",
		 irq_level, want, model.ier, model.mcr);
	PROPERTY(output_count == model.sent_count &&
		 memcmp(output, model.sent, output_count) == 0,
		 "%u bytes sent, the model sent %u (or others)", output_count,
		 model.sent_count);
	PROPERTY(uart.rx.count <= SERIAL_FIFO_SIZE, "%u bytes in a 16-byte FIFO",
		 uart.rx.count);
}

static void run_op(uint8_t kind, uint8_t value)
{
	unsigned reg = kind & REGISTER_MASK;

	switch ((kind >> KIND_SHIFT) & KIND_MASK) {
	case OP_READ: {
		uint8_t want = model_read(reg);
		uint8_t got = serial_read(&uart, (uint16_t)reg);

		PROPERTY(got == want, "register %u (LCR 0x%02x) read 0x%02x; the model "
			 "says 0x%02x", reg, model.lcr, got, want);
		break;
	}
	case OP_RECEIVE:
		model_receive(value);
		serial_receive(&uart, value);
		break;
	default:
		model_write(reg, value);
		serial_write(&uart, (uint16_t)reg, value);
		break;
	}
	check_state();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	quiet_stdio();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	model_reset();
	output_count = 0;
	irq_level = 0;
	serial_init(&uart, uart_output, uart_set_irq, NULL);
	for (unsigned n = 0; n < MAX_OPS && in.left >= OP_SIZE; n++) {
		uint8_t kind = take8(&in);

		run_op(kind, take8(&in));
	}
	pthread_mutex_destroy(&uart.lock);
	pthread_cond_destroy(&uart.has_room);
	return 0;
}
