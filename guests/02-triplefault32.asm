; 02-triplefault32.asm - a protected-mode guest that kills its CPU.
;
; Demonstrates: the crash report's protected-mode decoding. As in
; 01-triplefault, UD2 with an empty IDT becomes #UD -> #DF -> shutdown;
; this time the report shows CR0 with PE set, "mode: protected", and the
; segment registers decoded from their hidden parts (CS: 32-bit code,
; selector 0x08).
;
; Expected: stdout "about to triple fault in protected mode\n", status 70,
; and a crash report on stderr with rax=00000000000000bd and
; "mode: protected".

	bits 32
	org 0x100000

%include "guest.inc"

MARKER equ 0xbd

start:
	mov esi, message
	call puts
	lidt [empty_idt]
	mov eax, MARKER		; shows up in the crash report
	ud2			; #UD -> #DF -> shutdown

%include "console.inc"

message: db "about to triple fault in protected mode", 10, 0
empty_idt:
	dw 0
	dd 0
