; 03-triplefault64.asm - a 64-bit guest that kills its CPU.
;
; Demonstrates: the crash report in long mode. UD2 with an empty IDT
; becomes #UD -> #DF -> shutdown, as in 01-triplefault; the report says
; "mode: long (64-bit)", shows EFER with LME and LMA, and prints the code
; bytes at RIP, found by translating RIP through the guest's page tables
; (KVM_TRANSLATE): 0f 0b is UD2.
;
; Expected: stdout "about to triple fault in long mode\n", status 70, and
; a crash report on stderr with rax=00000000000000bd and
; "mode: long (64-bit)".

	bits 64
	org 0x100000

%include "guest.inc"

MARKER equ 0xbd

start:
	mov rsi, message
	call puts
	lidt [empty_idt]
	mov eax, MARKER		; shows up in the crash report
	ud2			; #UD -> #DF -> shutdown

%include "console.inc"

message: db "about to triple fault in long mode", 10, 0
empty_idt:
	dw 0
	dq 0
