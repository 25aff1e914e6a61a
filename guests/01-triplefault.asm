; 01-triplefault.asm - a guest that kills its CPU, for the crash report.
;
; Demonstrates: a triple fault. With an empty interrupt table (IDTR
; limit 0), the #UD raised by UD2 cannot be delivered, so the CPU raises
; a double fault, which cannot be delivered either: the CPU shuts down.
; KVM reports KVM_EXIT_SHUTDOWN and the VMM prints its crash report and
; exits with status 70.
;
; The table's base points at a real table all the same, whose #UD entry
; leads to `limit_ignored`: a CPU (or an instruction emulator) that
; does not check the real-mode IDT limit delivers the #UD anyway. KVM's
; emulator is one (the emulation-backed KVM of KVM-HERE.md): the guest
; then says so and exits with status 3, which the test reports as a skip
; with the reason, rather than sliding through zeroed memory.
;
; Expected on hardware KVM: stdout "about to triple fault\n", status 70,
; and a crash report on stderr naming SHUTDOWN, with rax=00000000000000bd
; (a marker loaded just before the fault) and mode: real. Where the
; limit is not checked: stdout "about to triple fault\nthe IDT limit was
; not checked: #UD delivered\n", status 3.

	bits 16
	org 0x7c00

%include "guest.inc"

MARKER      equ 0xbd
VECTOR_UD   equ 6
UNAVAILABLE equ 3		; exit status: this CPU will not triple fault

start:
	mov si, message
	call puts
	lidt [empty_idt]
	mov eax, MARKER		; shows up in the crash report
	ud2			; #UD -> #DF -> shutdown

%include "console.inc"

limit_ignored:
	mov si, ignored_message
	call puts
	exit_with UNAVAILABLE

message: db "about to triple fault", 10, 0
ignored_message: db "the IDT limit was not checked: #UD delivered", 10, 0

empty_idt:
	dw 0			; limit 0: no vector fits
	dd ivt			; ... yet a checkless CPU finds a table here

; Real-mode interrupt vector table entries are offset:segment pairs.
ivt:
	times VECTOR_UD dd 0
	dw limit_ignored, 0
