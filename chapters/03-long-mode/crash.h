/*
 * crash.h - the report printed when the guest dies.
 */
#ifndef CRASH_H
#define CRASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vm.h"

struct flag_name {
	uint64_t bit;
	const char *name;
};

extern const struct flag_name cr0_flags[], cr4_flags[], efer_flags[];

void format_flags(uint64_t value, const struct flag_name *flags,
		  char *buf, size_t size);
void describe_segment(const struct kvm_segment *seg, char *buf, size_t size);
const char *cpu_mode_name(const struct kvm_sregs *sregs, uint64_t rflags);
void print_mode_hint(const struct vm *vm, const struct kvm_sregs *s,
		     const struct kvm_regs *r, FILE *out);
int crash_report(struct vm *vm, FILE *out);

#endif
