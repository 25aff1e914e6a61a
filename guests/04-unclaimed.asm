; 04-unclaimed.asm - the port bus: a port nobody claims.
;
; Demonstrates: chapter 04's port bus. Each device model claims a range
; of ports; an access to a port no device claims is answered by the bus
; itself, as a PC's floating data lines would: reads find all ones
; (0xff), writes vanish. Run with --trace, each exit names the device
; that took it ("(serial)", "(exit)", "(unclaimed)"); with --stats, the
; table counts accesses per device ("io:serial", "io:unclaimed").
; (Intel SDM Vol. 1, 19.2 I/O Port Addressing.)
;
; Expected: stdout "port 0x300=ff\n", status 0. With --stats: 16 IO
; exits, 14 to the serial port, 1 unclaimed, 1 to the exit port.

	bits 64
	org 0x100000

%include "guest.inc"

NOBODY equ 0x300		; no device here (on old PCs: a prototype card)

start:
	mov dx, NOBODY
	in al, dx
	mov bl, al
	mov rsi, port_label
	call puts
	mov al, bl
	call print_hex8
	mov al, 10
	out dx, al		; dx holds COM1 again
	exit_with 0

%include "console.inc"

port_label: db "port 0x300=", 0
