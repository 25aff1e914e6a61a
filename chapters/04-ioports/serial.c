/*
 * serial.c - a 16550A UART: the PC's serial port, COM1.
 *
 * The 16550A is the serial chip every PC operating system knows. Its
 * eight registers sit at consecutive ports (COM1: 0x3f8-0x3ff); some
 * share a port and are told apart by direction (RBR on reads, THR on
 * writes) or by the divisor latch access bit LCR.DLAB (DLL/DLM instead of
 * RBR/THR/IER). Bytes the guest transmits go to the VMM's stdout; bytes
 * on the VMM's stdin arrive in the 16-byte receive FIFO. The chip asks
 * for attention on one IRQ line (4 for COM1), level-triggered: the line
 * stays high while any enabled interrupt is pending, and IIR names the
 * most urgent one: line status, then received data (or a character
 * timeout), then "transmitter empty", then modem status.
 *
 * What Linux's 8250 driver checks to call it a 16550A (autoconfig() in
 * drivers/tty/serial/8250/8250_port.c): IER keeps only its low 4 bits;
 * in loopback the modem outputs come back as inputs (MSR = 0x90 for
 * MCR = LOOP|OUT2|RTS); with the FIFO enabled IIR's top bits read 11;
 * IIR bit 5 never sets (no 64-byte FIFO: not a 16750); no EFR behind
 * LCR = 0xbf (not a 16650). And at startup it checks that enabling the
 * THR-empty interrupt while idle raises it at once.
 *
 * Transmission is instantaneous here: THR is empty again as soon as it
 * is written, so there is no transmit FIFO to model. The receive side
 * applies flow control instead of losing bytes: the input thread waits
 * until the guest raises RTS and while the FIFO is full
 * (serial_receive_wait), as a sender watching CTS would, and stops
 * waiting when the VM ends (serial_disconnect); serial_receive shows
 * what a real overrun does.
 *
 * Reference: TI/National PC16550D data sheet (registers, FIFO, interrupt
 * priorities); <linux/serial_reg.h> for the register and bit names.
 */
#include "serial.h"

#include <linux/serial_reg.h>

/* Registers whose bits are defined as fewer than eight. */
#define IER_MASK   0x0f          /* bits 4-7 of IER read back as 0 */
#define MCR_MASK   0x1f          /* DTR, RTS, OUT1, OUT2, LOOP */
#define MSR_DELTAS UART_MSR_ANY_DELTA
/* The other end of the line: a terminal that is present and ready. */
#define MSR_CONNECTED (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
#define IIR_FIFO_BITS 0xc0       /* IIR bits 7:6 with the FIFOs on */

static const unsigned rx_trigger_levels[4] = { 1, 4, 8, 14 };

/* ---- the receive FIFO ---- */

static bool fifo_full(const struct serial *s)
{
	return s->rx.count == (s->fifo_enabled ? SERIAL_FIFO_SIZE : 1);
}

static void fifo_push(struct serial_fifo *f, uint8_t byte)
{
	f->data[(f->head + f->count) % SERIAL_FIFO_SIZE] = byte;
	f->count++;
}

static uint8_t fifo_pop(struct serial_fifo *f)
{
	uint8_t byte = f->data[f->head];

	f->head = (f->head + 1) % SERIAL_FIFO_SIZE;
	f->count--;
	return byte;
}

static void fifo_clear(struct serial_fifo *f)
{
	f->head = f->count = 0;
}

/* ---- interrupts ---- */

/*
 * The interrupt IIR reports, by priority (data sheet table 4), or
 * UART_IIR_NO_INT. Only interrupts enabled in IER count.
 */
static uint8_t pending_interrupt(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_BRK_ERROR_BITS))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx.count) {
		/* Below the trigger level, a real FIFO waits four character
		 * times before it reports a timeout; ours reports at once. */
		if (s->fifo_enabled && s->rx.count < s->rx_trigger)
			return UART_IIR_RX_TIMEOUT;
		return UART_IIR_RDI;
	}
	if ((s->ier & UART_IER_THRI) && s->thr_interrupt)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/*
 * Drives the IRQ line from the interrupt state. On a PC the UART's
 * interrupt output reaches the PIC only through the OUT2 modem-control
 * bit (a gate on the board), and loopback disconnects it.
 */
static void update_irq(struct serial *s)
{
	bool gate = (s->mcr & UART_MCR_OUT2) && !(s->mcr & UART_MCR_LOOP);
	int level = gate && pending_interrupt(s) != UART_IIR_NO_INT;

	if (level != s->irq_level) {
		s->irq_level = level;
		s->set_irq(s->ctx, level);
	}
}

/* ---- modem lines ---- */

/* MSR's upper four bits: the input lines, as the chip sees them now. */
static uint8_t modem_inputs(const struct serial *s)
{
	if (!(s->mcr & UART_MCR_LOOP))
		return MSR_CONNECTED;
	/* Loopback: each output wired back to an input. */
	return (s->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
	       (s->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (s->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
	       (s->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

/* Sets MSR's lines, and its delta bits for each line that changed. */
static void update_msr(struct serial *s)
{
	uint8_t old = s->msr, now = modem_inputs(s);
	uint8_t deltas = s->msr & MSR_DELTAS;

	if ((old ^ now) & UART_MSR_CTS)
		deltas |= UART_MSR_DCTS;
	if ((old ^ now) & UART_MSR_DSR)
		deltas |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		deltas |= UART_MSR_TERI; /* trailing edge only */
	if ((old ^ now) & UART_MSR_DCD)
		deltas |= UART_MSR_DDCD;
	s->msr = now | deltas;
}

/* ---- set-up ---- */

/*
 * serial_init - the chip after a hardware reset (data sheet table 2),
 * with its output and IRQ line wired to the machine.
 */
void serial_init(struct serial *s, void (*output)(void *, uint8_t),
		 void (*set_irq)(void *, int), void *ctx)
{
	*s = (struct serial){
		.lsr = UART_LSR_TEMT | UART_LSR_THRE,
		.msr = MSR_CONNECTED,
		.dll = 12, /* 9600 baud until the driver sets its own */
		.rx_trigger = 1,
		.output = output, .set_irq = set_irq, .ctx = ctx,
	};
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->has_room, NULL);
}

/* ---- register reads ---- */

/* RBR: the oldest received byte. */
static uint8_t read_rbr(struct serial *s)
{
	uint8_t byte = 0;

	if (s->rx.count) {
		byte = fifo_pop(&s->rx);
		pthread_cond_signal(&s->has_room);
	}
	if (!s->rx.count)
		s->lsr &= ~UART_LSR_DR;
	return byte;
}

/* IIR: the top interrupt. Reading it is how "THR empty" is acknowledged. */
static uint8_t read_iir(struct serial *s)
{
	uint8_t id = pending_interrupt(s);

	if (id == UART_IIR_THRI)
		s->thr_interrupt = false;
	return id | (s->fifo_enabled ? IIR_FIFO_BITS : 0);
}

/* LSR: line status. Its error bits clear when it is read. */
static uint8_t read_lsr(struct serial *s)
{
	uint8_t lsr = s->lsr;

	s->lsr &= ~UART_LSR_BRK_ERROR_BITS;
	return lsr;
}

/* MSR: modem status. Its delta bits clear when it is read. */
static uint8_t read_msr(struct serial *s)
{
	uint8_t msr = s->msr;

	s->msr &= ~MSR_DELTAS;
	return msr;
}

static uint8_t read_register(struct serial *s, uint16_t offset)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_RX:  return dlab ? s->dll : read_rbr(s);
	case UART_IER: return dlab ? s->dlm : s->ier;
	case UART_IIR: return read_iir(s);
	case UART_LCR: return s->lcr;
	case UART_MCR: return s->mcr;
	case UART_LSR: return read_lsr(s);
	case UART_MSR: return read_msr(s);
	default:       return s->scr; /* UART_SCR: scratch, for probing */
	}
}

/* serial_read - the guest reads the register at base + offset. */
uint8_t serial_read(void *opaque, uint16_t offset)
{
	struct serial *s = opaque;

	pthread_mutex_lock(&s->lock);
	uint8_t value = read_register(s, offset);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return value;
}

/* ---- register writes ---- */

/* Puts a received byte in the FIFO; a full FIFO means overrun. */
static void receive_byte(struct serial *s, uint8_t byte)
{
	if (fifo_full(s)) {
		s->lsr |= UART_LSR_OE; /* the new byte is lost */
		return;
	}
	fifo_push(&s->rx, byte);
	s->lsr |= UART_LSR_DR;
}

/* THR: transmit a byte; in loopback it comes straight back in. */
static void write_thr(struct serial *s, uint8_t byte)
{
	if (s->mcr & UART_MCR_LOOP)
		receive_byte(s, byte);
	else
		s->output(s->ctx, byte);
	/* Sent at once: THR is empty again, which is itself an interrupt. */
	s->thr_interrupt = true;
}

/* IER: enabling "THR empty" while THR is empty raises it at once. */
static void write_ier(struct serial *s, uint8_t value)
{
	uint8_t enabled = value & ~s->ier;

	s->ier = value & IER_MASK;
	if ((enabled & UART_IER_THRI) && (s->lsr & UART_LSR_THRE))
		s->thr_interrupt = true;
}

/* FCR: FIFO enable, clears, receive trigger level. Write-only. */
static void write_fcr(struct serial *s, uint8_t value)
{
	bool enable = value & UART_FCR_ENABLE_FIFO;

	if (enable != s->fifo_enabled || (value & UART_FCR_CLEAR_RCVR)) {
		fifo_clear(&s->rx); /* switching FIFO mode empties it too */
		s->lsr &= ~UART_LSR_DR;
		pthread_cond_signal(&s->has_room);
	}
	s->fifo_enabled = enable;
	s->rx_trigger = rx_trigger_levels[(value & UART_FCR_TRIGGER_MASK) >> 6];
	/* UART_FCR_CLEAR_XMIT: there is never anything waiting to go. */
}

static void write_register(struct serial *s, uint16_t offset, uint8_t value)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_TX:
		if (dlab)
			s->dll = value;
		else
			write_thr(s, value);
		break;
	case UART_IER:
		if (dlab)
			s->dlm = value;
		else
			write_ier(s, value);
		break;
	case UART_FCR: write_fcr(s, value); break;
	case UART_LCR: s->lcr = value; break;
	case UART_MCR:
		s->mcr = value & MCR_MASK;
		update_msr(s); /* loopback rewires the modem inputs */
		pthread_cond_signal(&s->has_room); /* RTS may have risen */
		break;
	case UART_LSR: break; /* LSR and MSR are read-only here */
	case UART_MSR: break;
	default: s->scr = value; break;
	}
}

/* serial_write - the guest writes the register at base + offset. */
void serial_write(void *opaque, uint16_t offset, uint8_t value)
{
	struct serial *s = opaque;

	pthread_mutex_lock(&s->lock);
	write_register(s, offset, value);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

/* ---- the receive side, from the host ---- */

/*
 * serial_receive - a byte arrives on the line. With the FIFO full it is
 * lost and LSR reports an overrun, as on the real chip.
 */
void serial_receive(struct serial *s, uint8_t byte)
{
	pthread_mutex_lock(&s->lock);
	receive_byte(s, byte);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Hardware flow control, as the sender sees it: the guest raises RTS
 * (request to send, wired to the sender's CTS) when it is ready for
 * data, as Linux does when it opens the port; loopback disconnects the
 * line. Until then input waits, so no byte lands in a FIFO that the
 * guest's set-up is about to clear.
 */
static bool ready_to_receive(const struct serial *s)
{
	return (s->mcr & UART_MCR_RTS) && !(s->mcr & UART_MCR_LOOP);
}

/*
 * serial_receive_wait - a byte arrives from a sender that respects flow
 * control: wait until the guest is ready and has made room, then
 * receive it. Called from the input thread, never from the vCPU. False
 * when the line was disconnected instead: the byte is dropped, and the
 * sender must stop.
 */
bool serial_receive_wait(struct serial *s, uint8_t byte)
{
	bool connected;

	pthread_mutex_lock(&s->lock);
	while (!s->disconnected && (fifo_full(s) || !ready_to_receive(s)))
		pthread_cond_wait(&s->has_room, &s->lock);
	connected = !s->disconnected;
	if (connected) {
		receive_byte(s, byte);
		update_irq(s);
	}
	pthread_mutex_unlock(&s->lock);
	return connected;
}

/*
 * serial_disconnect - the VM is ending: a sender waiting in
 * serial_receive_wait (for RTS a guest may never raise, or for room it
 * will never make) is woken and told to stop, and so is every later one.
 */
void serial_disconnect(struct serial *s)
{
	pthread_mutex_lock(&s->lock);
	s->disconnected = true;
	pthread_cond_broadcast(&s->has_room);
	pthread_mutex_unlock(&s->lock);
}
