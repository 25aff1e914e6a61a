; 03-pagefault.asm - a page fault, caught: CR2 and the error code.
;
; Demonstrates: 64-bit exception handling and what the CPU tells a page
; fault handler. The guest installs a 64-bit interrupt gate for vector 14
; (#PF) and writes to 0x100000000000 (16 TiB), which the VMM's identity
; map does not cover (its PML4 has only entry 0). The CPU puts the
; faulting address in CR2 and pushes an error code whose bits say why:
; bit 0 P=0 (the page is not present), bit 1 W/R=1 (a write), bit 2
; U/S=0 (supervisor). The handler prints both and returns past the
; faulting instruction.
; (Intel SDM Vol. 3A, 4.7 Page-Fault Exceptions; 6.14 64-bit IDT gates,
; figure 6-8: 16 bytes each, the handler's address split in three.)
;
; Expected: stdout
;   "page fault at cr2=0000100000000000 error code=00000002\nback from the handler\n",
; status 0.

	bits 64
	org 0x100000

%include "guest.inc"

VECTOR_PF   equ 14
IDT_ENTRIES equ 32
GATE_SIZE   equ 16		; a 64-bit gate descriptor
GATE_INT64  equ 0x8e		; present, DPL 0, 64-bit interrupt gate
UNMAPPED    equ 0x100000000000	; PML4 entry 32: not present

start:
	; The #PF gate: offset 15:0, selector, IST 0, type, offset 31:16,
	; offset 63:32, reserved.
	mov rdi, idt + VECTOR_PF * GATE_SIZE
	mov rax, pf_handler
	mov [rdi], ax
	mov [rdi + 2], cs
	mov byte [rdi + 4], 0
	mov byte [rdi + 5], GATE_INT64
	shr rax, 16
	mov [rdi + 6], ax
	shr rax, 16
	mov [rdi + 8], eax
	mov dword [rdi + 12], 0
	lidt [idt_pointer]

	mov rax, UNMAPPED
	mov byte [rax], 1	; #PF: not present, write
after_fault:
	mov rsi, back_message
	call puts
	exit_with 0

; Stack on entry: error code, RIP, CS, RFLAGS, RSP, SS (8 bytes each).
pf_handler:
	mov rsi, cr2_label
	call puts
	mov rax, cr2
	call print_hex64
	mov rsi, error_label
	call puts
	pop rax			; the error code: iretq must not see it
	call print_hex32
	mov al, 10
	out dx, al
	mov qword [rsp], after_fault	; resume past the faulting write
	iretq

%include "console.inc"

cr2_label:    db "page fault at cr2=", 0
error_label:  db " error code=", 0
back_message: db "back from the handler", 10, 0

	align 16
idt:	times IDT_ENTRIES * GATE_SIZE db 0
idt_pointer:
	dw IDT_ENTRIES * GATE_SIZE - 1
	dq idt
