; 01-portstatus.asm - reading ports: the console's status and an empty port.
;
; Demonstrates: port input (IN is a KVM_EXIT_IO whose data the VMM fills
; in). A careful serial driver polls the line status register (LSR,
; COM1 + 5) until "transmit holding register empty" (bit 5) is set
; before each byte; our console is always ready, so LSR reads 0x60
; (THRE | TEMT). A port no device claims reads 0xff, as on a PC.
;
; Expected: stdout "lsr=60\nport 0x300=ff\npolled ok\n", status 0.

	bits 16
	org 0x7c00

%include "guest.inc"

UART_LSR      equ COM1 + 5
LSR_THRE      equ 0x20
UNCLAIMED     equ 0x300

start:
	mov si, lsr_msg
	call puts
	mov dx, UART_LSR
	in al, dx
	call print_hex8
	mov si, port_msg
	call puts
	mov dx, UNCLAIMED
	in al, dx
	call print_hex8
	mov si, newline
	call puts

	mov si, polled_msg	; print the last line the polite way
.next:
	mov dx, UART_LSR
.wait:
	in al, dx
	test al, LSR_THRE
	jz .wait
	lodsb
	test al, al
	jz .done
	mov dx, COM1
	out dx, al
	jmp .next
.done:
	exit_with 0

%include "console.inc"

lsr_msg:    db "lsr=", 0
port_msg:   db 10, "port 0x300=", 0
newline:    db 10, 0
polled_msg: db "polled ok", 10, 0
