/*
 * crash.c - the crash report.
 *
 * When the guest dies — a triple fault (KVM_EXIT_SHUTDOWN), an
 * instruction KVM could not emulate (KVM_EXIT_INTERNAL_ERROR), a state
 * the hardware refused to enter (KVM_EXIT_FAIL_ENTRY) — the most useful
 * thing a VMM can do is show the CPU as it was: the general registers,
 * the control registers with their bits named, the CPU mode, the
 * segments, and the instruction bytes at RIP. Reading a report like
 * this is how OS developers debug their first boot.
 * When the guest died within its first instructions, the report ends
 * with a guess, labelled "hint:": an image run in the wrong mode.
 *
 * Reference: Intel SDM Vol. 3A, 2.5 (control registers), 3.4.5
 * (segment descriptors) and 3.4.5.1 (segment types), 6.15 "double
 * fault" and 25.1 "triple fault";
 * KVM api.rst 4.15 (KVM_TRANSLATE) and section 5 (KVM_EXIT_INTERNAL_ERROR,
 * KVM_EXIT_FAIL_ENTRY).
 */
#include "crash.h"

#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sysexits.h>

#include "gdt.h"
#include "protmode.h"
#include "realmode.h"
#include "x86.h"

/* How many instruction bytes at RIP the report shows. */
#define CODE_BYTES 16

const struct flag_name cr0_flags[] = {
	{ X86_CR0_PE, "PE" }, { X86_CR0_MP, "MP" }, { X86_CR0_EM, "EM" },
	{ X86_CR0_TS, "TS" }, { X86_CR0_ET, "ET" }, { X86_CR0_NE, "NE" },
	{ X86_CR0_WP, "WP" }, { X86_CR0_AM, "AM" }, { X86_CR0_NW, "NW" },
	{ X86_CR0_CD, "CD" }, { X86_CR0_PG, "PG" }, { 0, NULL },
};

const struct flag_name cr4_flags[] = {
	{ X86_CR4_VME, "VME" }, { X86_CR4_PVI, "PVI" }, { X86_CR4_TSD, "TSD" },
	{ X86_CR4_DE, "DE" }, { X86_CR4_PSE, "PSE" }, { X86_CR4_PAE, "PAE" },
	{ X86_CR4_MCE, "MCE" }, { X86_CR4_PGE, "PGE" }, { X86_CR4_PCE, "PCE" },
	{ X86_CR4_OSFXSR, "OSFXSR" }, { X86_CR4_OSXMMEXCPT, "OSXMMEXCPT" },
	{ X86_CR4_UMIP, "UMIP" }, { X86_CR4_LA57, "LA57" },
	{ X86_CR4_VMXE, "VMXE" }, { X86_CR4_SMXE, "SMXE" },
	{ X86_CR4_FSGSBASE, "FSGSBASE" }, { X86_CR4_PCIDE, "PCIDE" },
	{ X86_CR4_OSXSAVE, "OSXSAVE" }, { X86_CR4_SMEP, "SMEP" },
	{ X86_CR4_SMAP, "SMAP" }, { X86_CR4_PKE, "PKE" }, { 0, NULL },
};

const struct flag_name efer_flags[] = {
	{ EFER_SCE, "SCE" }, { EFER_LME, "LME" }, { EFER_LMA, "LMA" },
	{ EFER_NXE, "NXE" }, { EFER_SVME, "SVME" }, { EFER_FFXSR, "FFXSR" },
	{ 0, NULL },
};

/*
 * format_flags - the names of the set bits, e.g. "PE ET PG"; "-" when
 * none is set. Writes at most `size` bytes, always NUL-terminated.
 */
void format_flags(uint64_t value, const struct flag_name *flags,
		  char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; flags->name; flags++) {
		if (!(value & flags->bit))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? " " : "", flags->name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, size, "-");
}

/*
 * cpu_mode_name - which of x86's modes the CPU is in. CR0.PE selects
 * protected mode; EFER.LMA says long mode is active, and then CS.L
 * tells 64-bit code from 32-bit code running in compatibility mode.
 */
const char *cpu_mode_name(const struct kvm_sregs *sregs, uint64_t rflags)
{
	if (!(sregs->cr0 & X86_CR0_PE))
		return "real";
	if (sregs->efer & EFER_LMA)
		return sregs->cs.l ? "long (64-bit)" : "long (compatibility)";
	if (rflags & X86_EFLAGS_VM)
		return "virtual-8086";
	return "protected";
}

/* The first lines: what kind of death, with KVM's own details. */
static void print_reason(const struct kvm_run *run, FILE *out)
{
	fprintf(out, "vmm: guest crashed: %s", exit_reason_name(run->exit_reason));
	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		fputs(" (triple fault: an exception while delivering a double fault)", out);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(out, " (suberror %u%s)", run->internal.suberror,
			run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
				? ": KVM could not emulate an instruction" : "");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(out, " (hardware entry failure reason 0x%llx)",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		fputs(" (an exit this VMM does not handle)", out);
	}
	fputc('\n', out);
}

static void print_regs(const struct kvm_regs *r, FILE *out)
{
	fprintf(out, "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n",
		r->rax, r->rbx, r->rcx, r->rdx);
	fprintf(out, "  rsi=%016llx rdi=%016llx rsp=%016llx rbp=%016llx\n",
		r->rsi, r->rdi, r->rsp, r->rbp);
	fprintf(out, "  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n",
		r->r8, r->r9, r->r10, r->r11);
	fprintf(out, "  r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n",
		r->r12, r->r13, r->r14, r->r15);
	fprintf(out, "  rip=%016llx rflags=%016llx\n", r->rip, r->rflags);
}

static void print_control_regs(const struct kvm_sregs *s, uint64_t rflags,
			       FILE *out)
{
	char flags[128];

	format_flags(s->cr0, cr0_flags, flags, sizeof(flags));
	fprintf(out, "  cr0=%016llx [%s]\n", s->cr0, flags);
	fprintf(out, "  cr2=%016llx (last page-fault address) cr3=%016llx\n",
		s->cr2, s->cr3);
	format_flags(s->cr4, cr4_flags, flags, sizeof(flags));
	fprintf(out, "  cr4=%016llx [%s]\n", s->cr4, flags);
	format_flags(s->efer, efer_flags, flags, sizeof(flags));
	fprintf(out, "  efer=%016llx [%s]\n", s->efer, flags);
	fprintf(out, "  mode: %s\n", cpu_mode_name(s, rflags));
}

/*
 * describe_segment - the hidden attributes in words, e.g.
 * "code 32-bit readable dpl=0" or "data 16-bit writable dpl=0".
 */
void describe_segment(const struct kvm_segment *seg, char *buf, size_t size)
{
	const char *bits = seg->l ? "64-bit" : seg->db ? "32-bit" : "16-bit";

	if (!seg->present) {
		snprintf(buf, size, "not present");
	} else if (!seg->s) {
		snprintf(buf, size, "system %s",
			 seg->type == SYS_TYPE_LDT ? "LDT" :
			 seg->type == SYS_TYPE_TSS16_BUSY ? "16-bit TSS (busy)" :
			 seg->type == SYS_TYPE_TSS_BUSY ? "TSS (busy)" : "segment");
	} else if (seg->type & SEG_TYPE_CODE) {
		snprintf(buf, size, "code %s%s%s dpl=%u", bits,
			 seg->type & SEG_TYPE_READABLE ? " readable" : " execute-only",
			 seg->type & SEG_TYPE_CONFORMING ? " conforming" : "",
			 seg->dpl);
	} else {
		snprintf(buf, size, "data %s%s%s dpl=%u", bits,
			 seg->type & SEG_TYPE_WRITABLE ? " writable" : " read-only",
			 seg->type & SEG_TYPE_EXPAND_DOWN ? " expand-down" : "",
			 seg->dpl);
	}
}

static void print_segment(const char *name, const struct kvm_segment *seg,
			  FILE *out)
{
	char what[64];

	describe_segment(seg, what, sizeof(what));
	fprintf(out, "  %-3s sel=%04x base=%016llx limit=%08x type=%x g=%u [%s]\n",
		name, seg->selector, seg->base, seg->limit, seg->type, seg->g,
		what);
}

static void print_segments(const struct kvm_sregs *s, FILE *out)
{
	print_segment("cs", &s->cs, out);
	print_segment("ds", &s->ds, out);
	print_segment("es", &s->es, out);
	print_segment("fs", &s->fs, out);
	print_segment("gs", &s->gs, out);
	print_segment("ss", &s->ss, out);
	print_segment("tr", &s->tr, out);
	fprintf(out, "  gdt base=%016llx limit=%04x  idt base=%016llx limit=%04x\n",
		s->gdt.base, s->gdt.limit, s->idt.base, s->idt.limit);
}

/*
 * guest_physical - the physical address behind the linear address
 * `linear`. With paging on only the guest's page tables know, so we ask
 * KVM to walk them (KVM_TRANSLATE). Returns false if it is unmapped.
 */
static bool guest_physical(struct vm *vm, const struct kvm_sregs *s,
			   uint64_t linear, uint64_t *phys)
{
	struct kvm_translation tr = { .linear_address = linear };

	if (!(s->cr0 & X86_CR0_PG)) {
		*phys = linear;
		return true;
	}
	if (ioctl(vm->vcpu.fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
		return false;
	*phys = tr.physical_address;
	return true;
}

/* The bytes the CPU was about to execute, at CS.base + RIP. */
static void print_code(struct vm *vm, const struct kvm_sregs *s,
		       const struct kvm_regs *r, FILE *out)
{
	uint64_t linear = s->cs.base + r->rip, addr;
	uint64_t len = CODE_BYTES;
	const uint8_t *code;

	fprintf(out, "  code at %llx:", (unsigned long long)linear);
	if (!guest_physical(vm, s, linear, &addr)) {
		fputs(" (not mapped)\n", out);
		return;
	}
	/* Near the end of RAM, show what there is. A page boundary could
	 * hide a different mapping: stay within the page RIP is in. */
	if (s->cr0 & X86_CR0_PG && len > PAGE_SIZE - (addr % PAGE_SIZE))
		len = PAGE_SIZE - (addr % PAGE_SIZE);
	while (len > 0 && !(code = guest_ptr(&vm->mem, addr, len)))
		len--;
	if (len == 0)
		fputs(" (outside guest RAM)", out);
	for (uint64_t i = 0; i < len; i++)
		fprintf(out, " %02x", code[i]);
	fputc('\n', out);
}

/* The power-on state of x86's first instruction: F000:FFF0, CS base
 * 0xffff0000 (Intel SDM Vol. 3A, 10.1.4 First Instruction Executed). */
#define RESET_CS_BASE 0xffff0000ULL
#define RESET_RIP 0xfff0

/*
 * After a triple fault, AMD's SVM leaves the guest's saved state
 * undefined, so KVM resets the vCPU before it reports KVM_EXIT_SHUTDOWN:
 * on AMD hosts the registers we read are the power-on state, not the
 * state at the fault (Intel's VMX keeps them). Say so, rather than let
 * the reader hunt for a bug at the reset vector.
 */
static bool state_was_reset(const struct kvm_sregs *s, const struct kvm_regs *r)
{
	return s->cs.base == RESET_CS_BASE && r->rip == RESET_RIP;
}

/*
 * The wrong-mode hint. A flat image carries no sign of the mode it was
 * written for: run in another mode, its bytes decode as other
 * instructions, and it dies at once, a few bytes in, before it has
 * printed much: a triple fault, or an instruction KVM cannot emulate.
 * A guest that stops that early, still in the mode it started in, is
 * worth a guess, clearly labelled as one.
 */
#define HINT_MAX_EXITS 8  /* VM exits so far, the last one included */
#define HINT_MAX_BYTES 64 /* how far past its load address RIP got */

/* Where each --mode starts a flat image (appendix A), and what an image
 * written for another mode needs instead. */
static const struct mode_start {
	const char *name;
	uint64_t load_addr;
	const char *advice;
} mode_starts[] = {
	[MODE_REAL] = { "real", REAL_MODE_LOAD_ADDR,
			"a 32-bit or 64-bit image needs --mode protected or "
			"--mode long" },
	[MODE_PROTECTED] = { "protected", PROTECTED_MODE_LOAD_ADDR,
			     "a 16-bit image needs --mode real, a 64-bit one "
			     "--mode long" },
	[MODE_LONG] = { "long", PROTECTED_MODE_LOAD_ADDR,
			"a 16-bit image needs --mode real, a 32-bit one "
			"--mode protected" },
};

/* The mode the CPU is in now, in --mode's terms. */
static enum cpu_mode current_mode(const struct kvm_sregs *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return MODE_REAL;
	return s->efer & EFER_LMA ? MODE_LONG : MODE_PROTECTED;
}

/* Did the guest stop within its first instructions, in the mode it
 * started in? After a reset (AMD) the state at the fault is gone: the
 * exit count is all there is to go on. */
static bool stopped_at_once(const struct vm *vm, const struct kvm_sregs *s,
			    const struct kvm_regs *r)
{
	uint64_t load = mode_starts[vm->mode].load_addr;
	uint64_t linear = s->cs.base + r->rip;

	if (stats_total(&vm->stats) > HINT_MAX_EXITS)
		return false;
	if (vm->vcpu.run->exit_reason == KVM_EXIT_SHUTDOWN && state_was_reset(s, r))
		return true;
	return current_mode(s) == vm->mode && linear >= load &&
	       linear - load < HINT_MAX_BYTES;
}

/*
 * print_mode_hint - two "hint:" lines when the guest stopped so early
 * that it was probably written for another mode; nothing otherwise.
 */
void print_mode_hint(const struct vm *vm, const struct kvm_sregs *s,
		     const struct kvm_regs *r, FILE *out)
{
	const struct mode_start *start = &mode_starts[vm->mode];

	if (!stopped_at_once(vm, s, r))
		return;
	fputs("  hint: it stopped in its first instructions, as an image run in the "
	      "wrong mode does\n", out);
	fprintf(out, "  hint: started in %s mode at 0x%llx; %s\n", start->name,
		(unsigned long long)start->load_addr, start->advice);
}

/*
 * crash_report - prints everything above to `out`. Returns EX_SOFTWARE
 * (70), the status appendix A gives a crashed guest.
 */
int crash_report(struct vm *vm, FILE *out)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	print_reason(vm->vcpu.run, out);
	if (ioctl(vm->vcpu.fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vm->vcpu.fd, KVM_GET_SREGS, &sregs) < 0) {
		fputs("  (registers unavailable)\n", out);
		return EX_SOFTWARE;
	}
	if (vm->vcpu.run->exit_reason == KVM_EXIT_SHUTDOWN &&
	    state_was_reset(&sregs, &regs))
		fputs("  note: KVM reset the vCPU at shutdown (AMD SVM does): below is "
		      "the power-on state, not the state at the fault\n", out);
	print_regs(&regs, out);
	print_control_regs(&sregs, regs.rflags, out);
	print_segments(&sregs, out);
	print_code(vm, &sregs, &regs, out);
	print_mode_hint(vm, &sregs, &regs, out);
	return EX_SOFTWARE;
}
