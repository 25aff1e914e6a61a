; 01-hello.asm - the smallest useful guest: print a line, then halt.
;
; Demonstrates: a 16-bit real-mode guest loaded at 0000:7c00 (chapter 1),
; port output to the console (each OUT is one KVM_EXIT_IO), and HLT,
; which in chapters 1-3 ends the VM with status 0 (KVM_EXIT_HLT).
;
; Expected: stdout "Hello from real mode!\n", exit status 0.

	bits 16
	org 0x7c00

%include "guest.inc"

start:
	mov si, message
	call puts
	cli
	hlt			; chapters 1-3: the VM ends here, status 0

%include "console.inc"

message: db "Hello from real mode!", 10, 0
