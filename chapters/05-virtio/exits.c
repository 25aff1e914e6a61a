/*
 * exits.c - naming, tracing and counting VM exits.
 *
 * Every time the guest does something KVM cannot finish on its own, the
 * KVM_RUN ioctl returns and kvm_run->exit_reason says why. Watching
 * those exits (--trace) and counting them (--stats) is the best way to
 * see what a VMM actually does, and what it costs: each exit is a round
 * trip from guest to host kernel to us and back.
 *
 * Reference: Documentation/virt/kvm/api.rst, section 5 (struct kvm_run).
 */
#include "exits.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>

/* The most data bytes one trace line shows. */
#define TRACE_MAX_BYTES 16

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "UNKNOWN",
	[KVM_EXIT_EXCEPTION] = "EXCEPTION",
	[KVM_EXIT_IO] = "IO",
	[KVM_EXIT_HYPERCALL] = "HYPERCALL",
	[KVM_EXIT_DEBUG] = "DEBUG",
	[KVM_EXIT_HLT] = "HLT",
	[KVM_EXIT_MMIO] = "MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[KVM_EXIT_INTR] = "INTR",
	[KVM_EXIT_SET_TPR] = "SET_TPR",
	[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
	[KVM_EXIT_NMI] = "NMI",
	[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	[KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
	[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
	[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	[KVM_EXIT_X86_BUS_LOCK] = "X86_BUS_LOCK",
	[KVM_EXIT_NOTIFY] = "NOTIFY",
};

#define NUM_EXIT_NAMES (sizeof(exit_names) / sizeof(exit_names[0]))

/* exit_reason_name - "IO" for KVM_EXIT_IO; "UNKNOWN" for what we don't know. */
const char *exit_reason_name(uint32_t reason)
{
	if (reason < NUM_EXIT_NAMES && exit_names[reason])
		return exit_names[reason];
	return "UNKNOWN";
}

void stats_count(struct exit_stats *stats, uint32_t reason)
{
	stats->count[reason < MAX_EXIT_REASON ? reason : MAX_EXIT_REASON]++;
}

/* stats_total - how many exits there have been, of every reason. */
uint64_t stats_total(const struct exit_stats *stats)
{
	uint64_t total = 0;

	for (uint32_t reason = 0; reason <= MAX_EXIT_REASON; reason++)
		total += stats->count[reason];
	return total;
}

/* stats_print - the --stats table: one row per exit reason seen, and a total. */
void stats_print(const struct exit_stats *stats, FILE *out)
{
	fprintf(out, "%-20s %10s\n", "exit reason", "count");
	for (uint32_t reason = 0; reason <= MAX_EXIT_REASON; reason++) {
		if (stats->count[reason] == 0)
			continue;
		fprintf(out, "%-20s %10llu\n", exit_reason_name(reason),
			(unsigned long long)stats->count[reason]);
	}
	fprintf(out, "%-20s %10llu\n", "total",
		(unsigned long long)stats_total(stats));
}

/* Prints up to TRACE_MAX_BYTES bytes as hex, then "..." if there were more. */
static void print_bytes(FILE *out, const uint8_t *data, uint64_t len)
{
	for (uint64_t i = 0; i < len && i < TRACE_MAX_BYTES; i++)
		fprintf(out, "%s%02x", i ? " " : "", data[i]);
	if (len > TRACE_MAX_BYTES)
		fputs(" ...", out);
}

/*
 * trace_exit - one line for the exit that just finished being handled:
 * its reason, port or address, size, data, the guest's RIP, and the
 * device that has the port or address (or "unclaimed"). Called after
 * the handler, so that the data of an IN or MMIO read is there.
 */
void trace_exit(const struct vcpu *vcpu, const char *device, FILE *out)
{
	const struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	fprintf(out, "exit %s", exit_reason_name(run->exit_reason));
	if (run->exit_reason == KVM_EXIT_IO) {
		fprintf(out, " %s port=0x%04x size=%u count=%u data=",
			run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			run->io.port, run->io.size, run->io.count);
		print_bytes(out, (const uint8_t *)run + run->io.data_offset,
			    (uint64_t)run->io.size * run->io.count);
	} else if (run->exit_reason == KVM_EXIT_MMIO) {
		fprintf(out, " %s addr=0x%llx size=%u data=",
			run->mmio.is_write ? "write" : "read",
			(unsigned long long)run->mmio.phys_addr, run->mmio.len);
		print_bytes(out, run->mmio.data, run->mmio.len <= sizeof(run->mmio.data)
						  ? run->mmio.len : sizeof(run->mmio.data));
	}
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0)
		fprintf(out, " rip=0x%llx", (unsigned long long)regs.rip);
	if (device)
		fprintf(out, " (%s)", device);
	fputc('\n', out);
}
