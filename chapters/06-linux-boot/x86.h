/*
 * x86.h - architectural constants that the kernel's UAPI headers lack.
 *
 * CR0, CR4 and RFLAGS bits come from <asm/processor-flags.h>; the EFER
 * MSR's bits are only in the kernel's private headers, so they are here.
 *
 * Reference: Intel SDM Vol. 3A, 2.2.1 (Extended Feature Enable Register).
 */
#ifndef X86_H
#define X86_H

#include <asm/processor-flags.h>

#define EFER_SCE (1ULL << 0)   /* SYSCALL/SYSRET enable */
#define EFER_LME (1ULL << 8)   /* long mode enable */
#define EFER_LMA (1ULL << 10)  /* long mode active (set by the CPU) */
#define EFER_NXE (1ULL << 11)  /* no-execute enable */
#define EFER_SVME (1ULL << 12) /* AMD: SVM enable */
#define EFER_FFXSR (1ULL << 14) /* AMD: fast FXSAVE/FXRSTOR */

#endif
