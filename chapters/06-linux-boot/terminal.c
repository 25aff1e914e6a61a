/*
 * terminal.c - the VMM's stdin as the receive side of COM1.
 *
 * Whatever arrives on stdin is fed, byte by byte, into the UART's receive
 * FIFO, where it raises the UART's interrupt. Reading stdin may block for
 * ever, and the vCPU must never wait for it, so a thread of its own does
 * the reading; the UART's lock keeps it and the vCPU apart, and the
 * thread waits while the FIFO is full (flow control), so piped input is
 * never lost. At end of input the thread simply ends: the guest sees no
 * more bytes.
 *
 * When the VM ends first, the thread must end too, before the UART it
 * writes to (in main's stack frame) and the VM whose IRQ line it raises
 * are gone. It may be waiting in one of two places, and each gets woken:
 * in poll(2) for stdin, beside an eventfd(2) that terminal_stop makes
 * readable (a thread blocked in a plain read of stdin could not be
 * woken at all); or in serial_receive_wait for room in the FIFO, which
 * serial_disconnect ends. Then terminal_stop joins it. This is how real
 * VMMs stop their I/O threads: an eventfd to poll on (QEMU's
 * EventNotifier, crosvm's and Firecracker's EventFd), then a join.
 *
 * When stdin is a terminal, it is put in raw mode so that every key
 * reaches the guest at once (no line editing, no local echo: the guest
 * echoes, as a serial console does). Ctrl-C still sends SIGINT, which
 * stops the guest (signals.c). The terminal's settings are restored on
 * every way out: a normal exit (atexit), a terminating signal, or a
 * crash of the VMM itself; a shell left in raw mode is the classic sign
 * of a careless VMM.
 *
 * The input thread blocks every signal, so that Ctrl-C, SIGTERM and
 * SIGHUP reach the vCPU's thread, the one they must take out of KVM_RUN.
 *
 * Reference: termios(3) (raw mode), pthreads(7), signal(7), poll(2),
 * eventfd(2).
 */
#include "terminal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#define INPUT_CHUNK 256

static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;

/* The input thread, the UART it feeds, and the eventfd that stops it. */
static pthread_t input;
static struct serial *input_uart;
static int stop_fd = -1;

/* terminal_restore - puts the terminal back as we found it. */
void terminal_restore(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

/* A fatal signal: restore the terminal, then die of the signal anyway. */
static void restore_and_die(int sig)
{
	terminal_restore(); /* tcsetattr is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SIGINT, SIGTERM and SIGHUP are not here: they stop the guest
 * (signals.c), and main restores the terminal on its way out. */
static const int fatal_signals[] = {
	SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
};

/* Raw mode: bytes as typed, no echo; Ctrl-C still signals. */
static int enter_raw_mode(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return -1;
	termios_saved = 1;
	atexit(terminal_restore);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		signal(fatal_signals[i], restore_and_die);
	raw = saved_termios;
	raw.c_lflag &= ~(ICANON | ECHO | IEXTEN);
	raw.c_iflag &= ~(ICRNL | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	return tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

/* Waits until stdin has something to say (true: read it, even if it
 * is end of input) or terminal_stop says the VM is over (false). */
static bool input_ready(void)
{
	struct pollfd fds[] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = stop_fd, .events = POLLIN },
	};

	while (poll(fds, 2, -1) < 0)
		if (errno != EINTR)
			return false;
	return !fds[1].revents;
}

/* The input thread: stdin -> the UART, until end of input or of the VM. */
static void *input_thread(void *arg)
{
	struct serial *uart = arg;
	uint8_t buf[INPUT_CHUNK];
	ssize_t n;

	while (input_ready() && (n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (!serial_receive_wait(uart, buf[i]))
				return NULL; /* the VM is over */
	return NULL;
}

/*
 * terminal_start - starts feeding stdin to `uart`, from a thread that
 * runs until end of input or terminal_stop. 0 or -1.
 */
int terminal_start(struct serial *uart)
{
	sigset_t all, old;
	int err;

	stop_fd = eventfd(0, EFD_CLOEXEC);
	if (stop_fd < 0) {
		fprintf(stderr, "vmm: cannot create an eventfd: %s\n", strerror(errno));
		return -1;
	}
	if (isatty(STDIN_FILENO) && enter_raw_mode() < 0)
		fprintf(stderr, "vmm: warning: cannot set raw mode; input is line-buffered\n");
	/* A new thread inherits its creator's signal mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&input, NULL, input_thread, uart);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fprintf(stderr, "vmm: cannot start the input thread: %s\n", strerror(err));
		return -1;
	}
	input_uart = uart;
	return 0;
}

/*
 * terminal_stop - ends the input thread, wherever it waits, and joins
 * it; then gives the terminal back as we found it. After this nothing
 * touches the UART from another thread. Safe when nothing was started.
 */
void terminal_stop(void)
{
	if (input_uart) {
		serial_disconnect(input_uart);
		eventfd_write(stop_fd, 1);
		pthread_join(input, NULL);
		input_uart = NULL;
	}
	if (stop_fd >= 0)
		close(stop_fd);
	stop_fd = -1;
	terminal_restore();
}
