; 02-hello32.asm - the first 32-bit guest: no mode switch of its own.
;
; Demonstrates: `--mode protected`. The VMM has already done everything a
; boot loader would: a flat GDT, CS/DS/ES/SS loaded with 32-bit segments
; (base 0, limit 4 GiB), CR0.PE set, paging off, ESP at the top of RAM.
; The image is loaded at 0x100000 (1 MiB) and starts at its first byte.
; The guest proves it is in 32-bit protected mode by reading CR0.PE and
; by using a 32-bit address above 1 MiB, which real mode cannot reach.
;
; Expected: stdout "Hello from protected mode!\ncr0.pe=1\n", status 0.

	bits 32
	org 0x100000

%include "guest.inc"

CR0_PE equ 1 << 0

start:
	mov esi, message	; a 32-bit address above 1 MiB
	call puts
	mov esi, pe_label
	call puts
	mov eax, cr0
	and eax, CR0_PE
	add al, '0'
	mov dx, COM1
	out dx, al
	mov al, 10
	out dx, al
	exit_with 0

%include "console.inc"

message:  db "Hello from protected mode!", 10, 0
pe_label: db "cr0.pe=", 0
