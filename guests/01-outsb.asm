; 01-outsb.asm - string I/O: a whole line with one REP OUTSB.
;
; Demonstrates: string port I/O. REP OUTSB sends CX bytes from DS:SI to
; port DX. KVM may deliver them as one KVM_EXIT_IO with count > 1 (the
; bytes side by side in kvm_run) or as one exit per byte; the VMM must
; handle every element either way.
;
; Expected: stdout "rep outsb: sixteen+ bytes in one instruction\n",
; exit status 0.

	bits 16
	org 0x7c00

%include "guest.inc"

start:
	cld			; SI counts up
	mov si, message
	mov cx, message_len
	mov dx, COM1
	rep outsb
	exit_with 0

%include "console.inc"

message: db "rep outsb: sixteen+ bytes in one instruction", 10
message_len equ $ - message
