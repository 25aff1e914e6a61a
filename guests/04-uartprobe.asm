; 04-uartprobe.asm - which UART is this? Linux's 8250 detection.
;
; Demonstrates: what a device model must get right for a real driver
; to recognise it. The guest runs the checks of Linux's autoconfig()
; (drivers/tty/serial/8250/8250_port.c) on COM1, in its order:
;   1. IER: write 0, read 0; write 0x0f, read 0x0f (bits 4-7 never
;      set). Else no UART at all.
;   2. Loopback: MCR = LOOP|OUT2|RTS (0x1a) wires the modem outputs to
;      the inputs: MSR's top bits must read DCD|CTS (0x90).
;   3. FIFO: FCR = 0x01 (enable), then IIR bits 7:6 say what it is:
;      0 no FIFO: an 8250, or a 16450 if the scratch register keeps
;      what is written (0xa5, 0x5a); 1 unknown; 2 a 16550 (broken
;      FIFO); 3 a 16550A.
;   4. A 16550A with a 64-byte FIFO is a 16750: with DLAB set, FCR bit
;      5 enables it and IIR bit 5 then reads 1.
; Every register is put back as it was found (IER, MCR, LCR, FIFO off).
; The VMM's model is a 16550A.
;
; Expected: stdout "uart: 16550A\n", status 0. Another type prints
; its name ("uart: 8250\n", "uart: 16450\n", "uart: unknown\n",
; "uart: 16550\n", "uart: 16750\n") and also exits 0. No UART: "uart:
; none (IER test failed)\n", status 1, or "uart: none (loopback test
; failed)\n", status 2.

	bits 64
	org 0x100000

%include "guest.inc"
%include "uart.inc"

LOOPBACK_TEST equ MCR_LOOP | MCR_OUT2 | MCR_RTS
LOOPBACK_MSR  equ 0x90		; DCD (from OUT2) | CTS (from RTS)
MSR_INPUTS    equ 0xf0
IIR_FIFO_TYPE equ 6		; IIR bits 7:6
IIR_64BYTE    equ 0x20
SCRATCH_1     equ 0xa5
SCRATCH_2     equ 0x5a

start:
	; 1. IER keeps exactly its four enable bits.
	mov dx, UART_IER
	in al, dx
	mov bl, al		; the old IER
	xor al, al
	out dx, al
	in al, dx
	mov bh, al
	mov al, IER_ALL
	out dx, al
	in al, dx
	mov cl, al
	mov al, bl
	out dx, al		; put IER back
	mov rsi, no_ier_message
	test bh, bh
	jnz .none
	cmp cl, IER_ALL
	jne .none

	; 2. Loopback: the outputs come back as inputs.
	mov dx, UART_MCR
	in al, dx
	mov bl, al		; the old MCR
	mov al, LOOPBACK_TEST
	out dx, al
	mov dx, UART_MSR
	in al, dx
	and al, MSR_INPUTS
	mov cl, al
	mov dx, UART_MCR
	mov al, bl
	out dx, al		; put MCR back
	mov rsi, no_loopback_message
	cmp cl, LOOPBACK_MSR
	jne .none_2

	; 3. The FIFO: IIR's top two bits.
	mov dx, UART_LCR
	in al, dx
	mov bl, al		; the old LCR
	xor al, al
	out dx, al
	mov dx, UART_FCR
	mov al, FCR_ENABLE
	out dx, al
	mov dx, UART_IIR
	in al, dx
	shr al, IIR_FIFO_TYPE
	movzx eax, al
	mov rsi, [types + rax * 8]
	cmp al, 3
	je .check_16750
	test al, al
	jnz .found

	; An 8250 or a 16450: does the scratch register hold a value?
	mov rsi, type_8250
	mov dx, UART_SCR
	mov al, SCRATCH_1
	out dx, al
	in al, dx
	cmp al, SCRATCH_1
	jne .found
	mov al, SCRATCH_2
	out dx, al
	in al, dx
	cmp al, SCRATCH_2
	jne .found
	mov rsi, type_16450
	jmp .found

.check_16750:			; 4. the 64-byte FIFO, behind DLAB
	mov dx, UART_LCR
	mov al, LCR_DLAB
	out dx, al
	mov dx, UART_FCR
	mov al, FCR_ENABLE | FCR_64BYTE
	out dx, al
	mov dx, UART_IIR
	in al, dx
	test al, IIR_64BYTE
	jz .found
	mov rsi, type_16750

.found:				; put FCR and LCR back; print the type
	mov dx, UART_FCR
	xor al, al
	out dx, al
	mov dx, UART_LCR
	mov al, bl
	out dx, al
	push rsi
	mov rsi, uart_label
	call puts
	pop rsi
	call puts
	exit_with 0

.none:
	call puts
	exit_with 1
.none_2:
	call puts
	exit_with 2

%include "console.inc"

uart_label:   db "uart: ", 0
type_8250:    db "8250", 10, 0
type_16450:   db "16450", 10, 0
type_unknown: db "unknown", 10, 0
type_16550:   db "16550", 10, 0
type_16550a:  db "16550A", 10, 0
type_16750:   db "16750", 10, 0
no_ier_message:      db "uart: none (IER test failed)", 10, 0
no_loopback_message: db "uart: none (loopback test failed)", 10, 0

	align 8
types:	dq type_8250, type_unknown, type_16550, type_16550a	; by IIR 7:6
