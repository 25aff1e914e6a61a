; 02-idt32.asm - catching exceptions with an interrupt descriptor table.
;
; Demonstrates: the IDT in protected mode. The guest builds 32-bit
; interrupt gates for vector 0 (#DE, divide error) and vector 13 (#GP,
; general protection), loads IDTR, and then provokes both:
;   - `div` by zero raises #DE, which pushes no error code;
;   - loading DS with a selector past the end of the GDT raises #GP, which
;     pushes an error code: the offending selector (0x00f8).
; Each handler prints what it caught and returns with `iret` to a resume
; point of its own: a fault's saved EIP points at the faulting
; instruction itself, so returning there unchanged would fault forever,
; and the handler rewrites it first.
; (Intel SDM Vol. 3A, 6.10 IDT, 6.11 IDT Descriptors, 6.12 Exception
; Handling, 6.13 Error Code, 6.15 #DE and #GP.)
;
; Expected: stdout
;   "caught #DE: vector 00\ncaught #GP: vector 0d, error code 000000f8\nboth faults handled\n",
; status 0.

	bits 32
	org 0x100000

%include "guest.inc"

VECTOR_DE   equ 0
VECTOR_GP   equ 13
BAD_SEL     equ 0xf8		; GDT index 31: beyond every GDT here

start:
	mov eax, VECTOR_DE
	mov ebx, de_handler
	call set_gate
	mov eax, VECTOR_GP
	mov ebx, gp_handler
	call set_gate
	lidt [idt_pointer]

	xor edx, edx
	xor ecx, ecx
	mov eax, 1
	div ecx			; #DE
after_div:
	mov ax, BAD_SEL
	mov ds, ax		; #GP(0x00f8)
after_gp:
	mov esi, done_message
	call puts
	exit_with 0

; Stack on entry: EIP, CS, EFLAGS (no error code for #DE).
de_handler:
	mov esi, de_message
	call puts
	mov al, VECTOR_DE
	call print_hex8
	call newline
	mov dword [esp], after_div	; the saved EIP: resume after the div
	iret

; Stack on entry: error code, EIP, CS, EFLAGS.
gp_handler:
	mov esi, gp_message
	call puts
	mov al, VECTOR_GP
	call print_hex8
	mov esi, error_message
	call puts
	pop eax			; the error code: iret must not see it
	call print_hex32
	call newline
	mov dword [esp], after_gp	; the saved EIP: resume after the load
	iret

newline:
	mov al, 10
	mov dx, COM1
	out dx, al
	ret

%include "console.inc"
%include "idt32.inc"

de_message:    db "caught #DE: vector ", 0
gp_message:    db "caught #GP: vector ", 0
error_message: db ", error code ", 0
done_message:  db "both faults handled", 10, 0

