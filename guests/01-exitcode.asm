; 01-exitcode.asm - ending the VM with a status of the guest's choosing.
;
; Demonstrates: the exit port (0xf4). A byte v written there ends the VM,
; and the VMM exits with status v, so a test can read what the guest
; decided. Real VMMs and QEMU's isa-debug-exit device do the same.
;
; Expected: stdout "exiting with status 42\n", exit status 42.

	bits 16
	org 0x7c00

%include "guest.inc"

STATUS equ 42

start:
	mov si, message
	call puts
	exit_with STATUS

%include "console.inc"

message: db "exiting with status 42", 10, 0
