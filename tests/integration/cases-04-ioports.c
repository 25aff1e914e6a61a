/*
 * cases-04-ioports.c - chapter 4's guests: interrupts and devices.
 *
 * Chapter 4's default mode is long, so these guests are 64-bit. From
 * chapter 4 on HLT waits for an interrupt, so every guest here ends
 * through the exit port or the i8042 reset; a guest that halted for
 * good would show as the runner's timeout. 04-idle (5 s of ticks) is
 * for scripts/bench.sh and is not run here.
 */
#include <signal.h>
#include <stddef.h>

#include "cases.h"

/* 64 KiB of input, far more than a guest that never reads it takes. */
#define IN64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"
#define IN1K  IN64 IN64 IN64 IN64 IN64 IN64 IN64 IN64 \
	      IN64 IN64 IN64 IN64 IN64 IN64 IN64 IN64
#define IN16K IN1K IN1K IN1K IN1K IN1K IN1K IN1K IN1K \
	      IN1K IN1K IN1K IN1K IN1K IN1K IN1K IN1K
#define IN64K IN16K IN16K IN16K IN16K
/* The input thread's fault, when it had one, showed in most runs, not all. */
#define INPUT_RACE_RUNS 5

const struct guest_case cases_04[] = {
	{
		.name = "PIT ticks through the PIC into the IDT", .chapter = 4,
		.guest = "04-timer", .mode = "long", .needs_kvm = true,
		/* At least ten. KVM's PIT delivers ticks it could not deliver
		 * while the host was busy, and such a tick may come right
		 * after the tenth handler's iretq, before wait_ticks' cli:
		 * seen as 11 on a loaded nested machine. */
		.out_like = "ticks: 1[0-9]\n", .status = 0,
	},
	{
		.name = "HLT waits for an interrupt", .chapter = 4,
		.guest = "04-hltwake", .mode = "long", .needs_kvm = true,
		.out = "woken by IRQ0\n", .status = 0,
	},
	{
		.name = "interrupt-driven serial echo", .chapter = 4,
		.guest = "04-echo", .mode = "long", .needs_kvm = true,
		.input = "hello\nworld\nquit\n",
		.out = "HELLO\nWORLD\nbye\n", .status = 0,
	},
	{
		/* CR, CR LF and an empty line; more than the 16-byte FIFO
		 * holds arrives at once; an overlong line is cut at 64. */
		.name = "serial echo: line ends, flow control, long line",
		.chapter = 4, .guest = "04-echo", .mode = "long",
		.needs_kvm = true,
		.input = "Mixed Case 123\r"
			 "crlf\r\n"
			 "\n"
			 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n"
			 "quit\r",
		.out = "MIXED CASE 123\n"
		       "CRLF\n"
		       "\n"
		       "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKL\n"
		       "bye\n",
		.status = 0,
	},
	{
		.name = "CMOS clock: BCD date and time", .chapter = 4,
		.guest = "04-rtc", .mode = "long", .needs_kvm = true,
		.out_has = "rtc: 20", .status = 0,
	},
	{
		.name = "Linux's UART probe finds a 16550A", .chapter = 4,
		.guest = "04-uartprobe", .mode = "long", .needs_kvm = true,
		.out = "uart: 16550A\n", .status = 0,
	},
	{
		.name = "i8042 pulse reset ends the VM", .chapter = 4,
		.guest = "04-reset", .mode = "long", .needs_kvm = true,
		.out = "i8042 status ok\nresetting\n", .status = 0,
	},
	{
		.name = "unclaimed port --trace --stats", .chapter = 4,
		.guest = "04-unclaimed", .mode = "long", .needs_kvm = true,
		.args = { "--trace", "--stats" },
		.out = "port 0x300=ff\n", .status = 0,
		.err = { "exit IO in port=0x0300 size=1 count=1 data=ff",
			 "(unclaimed)", "(serial)", "(exit)",
			 "io:serial", "io:unclaimed" },
		.trace_matches_stats = true,
		/* "port 0x300=ff\n" is 14 console bytes; the in; the exit */
		.stats = { { "IO", 16 }, { "io:serial", 14 },
			   { "io:unclaimed", 1 }, { "io:exit", 1 } },
	},
	{
		/* The input thread is still waiting to hand the guest its
		 * first byte when the VM ends; it must be stopped before the
		 * UART and the VM it points into are gone (terminal.c). */
		.name = "64 KiB of stdin, a guest that exits at once", .chapter = 4,
		.guest = "01-exitcode", .mode = "real", .needs_kvm = true,
		.input = IN64K, .out = "exiting with status 42\n", .status = 42,
		.no_err = true, .repeat = INPUT_RACE_RUNS,
	},
	{
		/* Chapter 1's guests end in `cli; hlt`: here that waits for
		 * ever, and Ctrl-C says why (signals.c). */
		.name = "cli; hlt waits: SIGINT says why", .chapter = 4,
		.guest = "01-hello", .mode = "real", .needs_kvm = true,
		.signal_on_output = "Hello from real mode!\n",
		.signal_on_output_sig = SIGINT,
		.out = "Hello from real mode!\n", .status = 130,
		.err = { "vmm: stopped by SIGINT (Ctrl-C) after 22 VM exits\n",
			 "  the vCPU: rip=", " mode: real\n",
			 "  it is halted with interrupts disabled (HLT with "
			 "RFLAGS.IF=0): nothing can wake it" },
	},
	{
		.name = "cli; hlt waits: SIGTERM says why", .chapter = 4,
		.guest = "01-hello", .mode = "real", .needs_kvm = true,
		.signal_on_output = "Hello from real mode!\n",
		.signal_on_output_sig = SIGTERM,
		.out = "Hello from real mode!\n", .status = 143,
		.err = { "vmm: stopped by SIGTERM after 22 VM exits\n",
			 " mode: real\n",
			 "halted with interrupts disabled (HLT with RFLAGS.IF=0)" },
	},
	{
		.name = "cli; hlt waits: SIGHUP says why", .chapter = 4,
		.guest = "01-hello", .mode = "real", .needs_kvm = true,
		.signal_on_output = "Hello from real mode!\n",
		.signal_on_output_sig = SIGHUP,
		.out = "Hello from real mode!\n", .status = 129,
		.err = { "vmm: stopped by SIGHUP (hangup) after 22 VM exits\n",
			 " mode: real\n",
			 "halted with interrupts disabled (HLT with RFLAGS.IF=0)" },
	},
	{ .name = NULL },
};
