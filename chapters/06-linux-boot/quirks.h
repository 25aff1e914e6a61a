/*
 * quirks.h - working around an emulation-backed KVM (KVM-HERE.md).
 */
#ifndef QUIRKS_H
#define QUIRKS_H

#include <linux/kvm.h>
#include <stdbool.h>

struct vm;

/*
 * What the kernel must not use where KVM emulates guest kernel code: no
 * XSAVE, and clearcpuid= the features whose instructions the emulator
 * lacks (6.1's bit numbers: smap, fsgsbase, invpcid, rdpid, rdseed,
 * rdrand, popcnt, pcid, cx16).
 */
#define QUIRKS_CMDLINE "noxsave clearcpuid=308,288,298,534,306,158,151,145,141"

bool quirks_needed(void);
void quirks_cpuid(struct kvm_cpuid2 *cpuid);
int quirks_emulation_failure(struct vm *vm);

#endif
