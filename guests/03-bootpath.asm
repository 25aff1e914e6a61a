; 03-bootpath.asm - real mode to long mode, the way a boot loader does it.
;
; Demonstrates: everything `--mode long` does in the VMM, done by the
; guest itself. Started in real mode (`--mode real`) at 0x7c00, it
;   1. loads its own GDT and sets CR0.PE, then far-jumps into 32-bit code
;      (as 02-realtoprot does);
;   2. builds 4-level page tables at 0x10000 that identity-map the first
;      2 MiB with one 2 MiB page (PML4 -> PDPT -> PD entry with PS=1);
;   3. points CR3 at them, sets CR4.PAE, sets EFER.LME with wrmsr, and
;      sets CR0.PG: the CPU activates long mode (EFER.LMA=1), still
;      running the 32-bit code segment (compatibility mode);
;   4. far-jumps through a code selector whose descriptor has L=1: now it
;      runs 64-bit code.
; (Intel SDM Vol. 3A, 9.9.1 Switching to Protected Mode, 9.8.5
; Initializing IA-32e Mode, 4.5 4-Level Paging.)
; The wrmsr to EFER only works when the vCPU's CPUID reports long mode
; (leaf 0x80000001, EDX bit 29): chapter 3's VMM gives the vCPU KVM's
; supported CPUID for that reason.
;
; Expected: stdout "real mode\nprotected mode\nlong mode: efer.lma=1\n",
; status 0.

	bits 16
	org 0x7c00

%include "guest.inc"

CR0_PE    equ 1 << 0
CR0_PG    equ 1 << 31
CR4_PAE   equ 1 << 5
MSR_EFER  equ 0xc0000080
EFER_LME  equ 1 << 8
EFER_LMA  equ 1 << 10
PTE_PRESENT  equ 1 << 0
PTE_WRITABLE equ 1 << 1
PTE_HUGE     equ 1 << 7		; in a PD entry: a 2 MiB page
PAGE_SIZE    equ 4096
PML4      equ 0x10000		; three free pages at 64 KiB
PDPT      equ PML4 + PAGE_SIZE
PD        equ PML4 + 2 * PAGE_SIZE
CODE32    equ gdt.code32 - gdt
DATA      equ gdt.data - gdt
CODE64    equ gdt.code64 - gdt

start:
	; console.inc is assembled as 32-bit code below (its bytes mean the
	; same in 64-bit code), so real mode prints with its own loop.
	mov si, real_message
	mov dx, COM1
.print:
	lodsb
	test al, al
	jz .to_protected
	out dx, al
	jmp .print
.to_protected:
	cli
	lgdt [gdt_pointer]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp CODE32:protected

	bits 32
protected:
	mov ax, DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, 0x7c00
	mov esi, protected_message
	call puts

	; Page tables: zero three pages, then one entry per level.
	mov edi, PML4
	mov ecx, 3 * PAGE_SIZE / 4
	xor eax, eax
	rep stosd
	mov dword [PML4], PDPT | PTE_PRESENT | PTE_WRITABLE
	mov dword [PDPT], PD | PTE_PRESENT | PTE_WRITABLE
	mov dword [PD], 0 | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE

	mov eax, PML4
	mov cr3, eax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax		; long mode is active: compatibility mode
	jmp CODE64:long_mode

	bits 64
long_mode:
	mov esp, 0x7c00		; writing esp clears rsp's upper half
	mov rsi, long_message
	call puts
	mov ecx, MSR_EFER
	rdmsr
	shr eax, 10		; EFER.LMA
	and al, 1
	add al, '0'
	mov dx, COM1
	out dx, al
	mov al, 10
	out dx, al
	exit_with 0

	bits 32
%include "console.inc"

; Flat descriptors, base 0, 4 GiB (Intel SDM Vol. 3A, 3.4.5): the 64-bit
; code descriptor differs from the 32-bit one only in L=1, D=0.
	align 8
gdt:
.null:	dq 0
.code32: dq 0x00cf9a000000ffff
.data:	dq 0x00cf92000000ffff
.code64: dq 0x00af9a000000ffff
.end:
gdt_pointer:
	dw gdt.end - gdt - 1
	dd gdt

real_message:      db "real mode", 10, 0
protected_message: db "protected mode", 10, 0
long_message:      db "long mode: efer.lma=", 0
