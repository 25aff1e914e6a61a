/*
 * signals.c - Ctrl-C, SIGTERM and SIGHUP: stopping the guest, and saying
 * where it was.
 *
 * From this chapter on HLT waits for an interrupt, as on hardware, so a
 * guest that ends in `cli; hlt` (every chapter-1 guest) waits for ever:
 * nothing can wake it. Its reader presses Ctrl-C. A VMM that simply died
 * of the signal would leave them guessing; this one takes the vCPU out of
 * KVM_RUN, reads its state, and says where it is, in which mode, and
 * whether it is halted with interrupts disabled. SIGTERM (what kill and
 * timeout send) and SIGHUP (the terminal went away: its window closed,
 * the ssh connection dropped) end the VM the same way.
 *
 * The standard way out of KVM_RUN is a signal to the vCPU's thread
 * whose handler sets kvm_run->immediate_exit: a signal that arrives
 * while the thread is inside KVM_RUN makes the ioctl return EINTR; one
 * that arrives just before it enters makes that KVM_RUN return EINTR at
 * once, instead of being lost until the guest next exits. The signal
 * must reach the vCPU's thread, so the VMM's other thread blocks every
 * signal (terminal.c). Once the VM is over, main holds the signals back
 * (signals_release) before it unmaps the kvm_run page the handler
 * writes to.
 *
 * The exit status is the one a shell gives a death by the signal:
 * 128 + its number, 129 for SIGHUP, 130 for SIGINT, 143 for SIGTERM. The
 * VMM returns through main as on any other ending, so the terminal is
 * restored.
 *
 * Reference: Documentation/virt/kvm/api.rst, 4.10 (KVM_RUN), 4.38
 * (KVM_GET_MP_STATE) and 5 (immediate_exit); signal(7), pthreads(7).
 */
#include "signals.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "crash.h"
#include "x86.h"

/* What a shell reports for a process killed by a signal: 128 + signal. */
#define SIGNAL_STATUS_BASE 128

/* The signals that stop the guest (appendix A's statuses 129, 130, 143). */
static const int stop_signals[] = { SIGHUP, SIGINT, SIGTERM };

static struct kvm_run *vcpu_run;          /* the vCPU's shared page */
static volatile sig_atomic_t stop_requested; /* the signal, or 0 */

/* On a stop signal: remember it, and make KVM_RUN return. */
static void request_stop(int sig)
{
	stop_requested = sig;
	vcpu_run->immediate_exit = 1;
}

/* The stop signals, as a set for pthread_sigmask. */
static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
}

/*
 * signals_catch - from now on SIGINT, SIGTERM and SIGHUP stop the vCPU
 * whose kvm_run page is `run`. Call it in the vCPU's thread. 0, or -1.
 */
int signals_catch(struct kvm_run *run)
{
	struct sigaction sa;
	sigset_t set;

	vcpu_run = run;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = request_stop; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		if (sigaction(stop_signals[i], &sa, NULL) < 0) {
			perror("vmm: sigaction");
			return -1;
		}
	}
	/* A mask is inherited across exec: make sure they get through. */
	stop_signal_set(&set);
	return pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0 ? 0 : -1;
}

/*
 * signals_release - the VM is over: from now on the stop signals wait,
 * blocked, and go with the process. Call it in the vCPU's thread before
 * the vCPU's kvm_run page is unmapped: a handler that wrote to the page
 * after that would crash the VMM on its way out.
 */
void signals_release(void)
{
	sigset_t set;

	stop_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* stop_signal - the signal that asked the VMM to stop, or 0. */
int stop_signal(void)
{
	return stop_requested;
}

/* How the report names each stop signal. */
static const char *stop_signal_name(int sig)
{
	switch (sig) {
	case SIGHUP: return "SIGHUP (hangup)";
	case SIGINT: return "SIGINT (Ctrl-C)";
	default:     return "SIGTERM";
	}
}

/* Is the vCPU in HLT? KVM keeps that state (KVM_GET_MP_STATE). */
static bool vcpu_halted(const struct vcpu *vcpu)
{
	struct kvm_mp_state mp;

	return ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) == 0 &&
	       mp.mp_state == KVM_MP_STATE_HALTED;
}

/*
 * stop_report - what the guest was doing when `sig` stopped it, on
 * `out`. Returns the VMM's exit status: 128 + sig.
 */
int stop_report(struct vm *vm, int sig, FILE *out)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	bool halted;

	fprintf(out, "vmm: stopped by %s after %llu VM exits\n",
		stop_signal_name(sig),
		(unsigned long long)stats_total(&vm->stats));
	if (ioctl(vm->vcpu.fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vm->vcpu.fd, KVM_GET_SREGS, &sregs) < 0) {
		fputs("  (registers unavailable)\n", out);
		return SIGNAL_STATUS_BASE + sig;
	}
	halted = vcpu_halted(&vm->vcpu);
	fprintf(out, "  the vCPU: rip=%016llx rflags=%016llx mode: %s\n",
		regs.rip, regs.rflags, cpu_mode_name(&sregs, regs.rflags));
	if (halted && !(regs.rflags & X86_EFLAGS_IF)) {
		fputs("  it is halted with interrupts disabled (HLT with RFLAGS.IF=0): "
		      "nothing can wake it, as on hardware\n", out);
		/* It stopped by itself: perhaps at once, in the wrong mode. */
		print_mode_hint(vm, &sregs, &regs, out);
	} else if (halted) {
		fputs("  it is halted, waiting for an interrupt (RFLAGS.IF=1)\n", out);
	} else {
		fputs("  it was running: interrupted at that instruction\n", out);
	}
	return SIGNAL_STATUS_BASE + sig;
}
