; 01-triplefault.asm - a guest that kills its CPU, for the crash report.
;
; Demonstrates: a triple fault. With an empty interrupt table (IDTR
; limit 0), the #UD raised by UD2 cannot be delivered: its entry lies
; past the limit. Neither can the double fault that follows, and the CPU
; shuts down. KVM reports KVM_EXIT_SHUTDOWN and the VMM prints its crash
; report and exits with status 70. (Intel SDM Vol. 2A, INT n: the
; real-address-mode check of the IDT limit; Vol. 3A, 6.15, Interrupt 8:
; a fault while delivering a double fault is a shutdown.)
;
; Expected: stdout "about to triple fault\n", status 70, and a crash
; report on stderr naming SHUTDOWN, with rax=00000000000000bd (a marker
; loaded just before the fault) and mode: real.

	bits 16
	org 0x7c00

%include "guest.inc"

MARKER equ 0xbd

start:
	mov si, message
	call puts
	lidt [empty_idt]
	mov eax, MARKER		; shows up in the crash report
	ud2			; #UD -> #DF -> shutdown

%include "console.inc"

message: db "about to triple fault", 10, 0

empty_idt:
	dw 0			; limit 0: no vector fits
	dd 0
