; 03-hello64.asm - the first 64-bit guest.
;
; Demonstrates: `--mode long`. The VMM built 4-level page tables that
; identity-map guest RAM, loaded a GDT with a 64-bit code segment, and
; set CR4.PAE, EFER.LME and CR0.PG|PE before the first instruction; the
; CPU set EFER.LMA itself. The image is loaded at 0x100000. The guest
; proves it runs 64-bit code by using a 64-bit register: it prints a
; value that does not fit in 32 bits.
;
; Expected: stdout "Hello from long mode!\nrax=0123456789abcdef\n", status 0.

	bits 64
	org 0x100000

%include "guest.inc"

start:
	mov rsi, message
	call puts
	mov rsi, rax_label
	call puts
	mov rax, 0x0123456789abcdef
	call print_hex64
	mov al, 10
	out dx, al		; dx still holds COM1
	exit_with 0

%include "console.inc"

message:   db "Hello from long mode!", 10, 0
rax_label: db "rax=", 0
