; 04-reset.asm - resetting the machine through the keyboard controller.
;
; Demonstrates: the i8042's other job. Its status register (port 0x64)
; has the system flag (bit 2) set once the controller passed its self
; test, and the output (bit 0) and input (bit 1) buffers empty when
; nothing is waiting; the guest checks that. Then it writes command
; 0xfe, "pulse the reset line", to port 0x64, as Linux's reboot=k does.
; On a PC that restarts the CPU; the VMM ends the VM instead, with
; status 0. The exit_with 9 behind the out is only reached if the
; reset did nothing, so a missing reset fails the test at once.
; (IBM PC/AT Technical Reference, keyboard controller; Linux
; arch/x86/kernel/reboot.c, BOOT_KBD.)
;
; Expected: stdout "i8042 status ok\nresetting\n", status 0.
; A wrong status: "i8042 status xx\n" (its value), status 1; no reset:
; status 9.

	bits 64
	org 0x100000

%include "guest.inc"

I8042_STATUS  equ 0x64		; read: status; write: a command
I8042_COMMAND equ 0x64
STATUS_OBF    equ 0x01		; output buffer full
STATUS_IBF    equ 0x02		; input buffer full: busy
STATUS_SYS    equ 0x04		; system flag: self test passed
PULSE_RESET   equ 0xfe

start:
	in al, I8042_STATUS
	mov bl, al
	and al, STATUS_SYS | STATUS_IBF | STATUS_OBF
	cmp al, STATUS_SYS
	jne .bad_status
	mov rsi, status_ok
	call puts
	mov rsi, resetting
	call puts
	mov al, PULSE_RESET
	out I8042_COMMAND, al
	exit_with 9		; the reset did not happen

.bad_status:
	mov rsi, status_label
	call puts
	mov al, bl
	call print_hex8
	mov al, 10
	out dx, al
	exit_with 1

%include "console.inc"

status_ok:    db "i8042 status ok", 10, 0
resetting:    db "resetting", 10, 0
status_label: db "i8042 status ", 0
