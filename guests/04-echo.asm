; 04-echo.asm - interrupt-driven serial input: a line echo.
;
; Demonstrates: the receive side of the 16550A and its interrupt. The
; VMM feeds its stdin into COM1's receive FIFO; the guest enables the
; FIFO and the "received data available" interrupt, connects the UART's
; interrupt line to the PIC with MCR.OUT2 (a PC quirk: without it the
; IRQ never arrives), raises RTS and DTR (ready to receive) and unmasks
; IRQ 4 (vector 0x24). The IRQ 4 handler drains RBR while LSR.DR says a
; byte is there, into a line buffer. The main loop sleeps (cli; test;
; sti; hlt) until a whole line is there, then prints it upper-cased.
;
; Lines end with "\n", "\r" or "\r\n" (a terminal in raw mode sends
; "\r" for Enter). The line "quit" is not echoed: the guest prints
; "bye\n" and exits 0. Longer lines than LINE_MAX bytes are cut short,
; never written past the buffer. While a finished line waits to be
; printed, the handler leaves further bytes in the UART's FIFO, and the
; VMM holds back the rest of its input while the FIFO is full (flow
; control), so nothing is lost however much arrives at once.
; (PC16550D data sheet: FCR, IER, IIR, LSR, MCR; 8259A data sheet.)
;
; Expected: with stdin "hello\nworld\nquit\n", stdout
; "HELLO\nWORLD\nbye\n", status 0. Without a "quit" line it waits for
; more input for ever.

	bits 64
	org 0x100000

%include "guest.inc"
%include "pic.inc"
%include "uart.inc"

LINE_MAX equ 64
CR       equ 13
LF       equ 10

start:
	mov eax, IRQ_VECTOR + IRQ_COM1
	mov rbx, uart_handler
	call set_gate
	lidt [idt_pointer]
	pic_init ONLY_IRQ(IRQ_COM1), ALL_MASKED

	mov dx, UART_LCR
	mov al, LCR_8N1
	out dx, al
	mov dx, UART_FCR
	mov al, FCR_ENABLE | FCR_CLEAR	; trigger level: 1 byte
	out dx, al
	mov dx, UART_IER
	mov al, IER_RDI
	out dx, al
	; Last, ready to receive: RTS tells the other end to send.
	mov dx, UART_MCR
	mov al, MCR_OUT2 | MCR_RTS | MCR_DTR
	out dx, al

next_line:
	cli
	cmp byte [line_ready], 0
	jne .got_line
	sti
	hlt			; until IRQ 4 (sti's shadow: no lost wakeup)
	jmp next_line

.got_line:			; interrupts off: the handler keeps out
	cmp dword [line_len], 4
	jne .echo
	cmp dword [line], 'quit'
	je .quit
.echo:
	mov rsi, line
	mov ecx, [line_len]
	mov dx, COM1
	jrcxz .newline
.char:
	lodsb
	cmp al, 'a'
	jb .put
	cmp al, 'z'
	ja .put
	sub al, 'a' - 'A'
.put:
	out dx, al
	loop .char
.newline:
	mov al, LF
	out dx, al

	mov dword [line_len], 0
	mov byte [line_ready], 0
	call receive		; what waited in the FIFO meanwhile
	jmp next_line

.quit:
	mov rsi, bye_message
	call puts
	exit_with 0

; IRQ 4: the UART has received data.
uart_handler:
	push rax
	push rcx
	push rdx
	call receive
	pic_eoi
	pop rdx
	pop rcx
	pop rax
	iretq

; receive - move received bytes from the UART into `line` until the
; UART has no more or a line is complete; then the rest stays in the
; FIFO until the main loop has printed the line and calls again.
; Runs with interrupts off. Clobbers al, ecx, dx.
receive:
	cmp byte [line_ready], 0
	jne .done
	mov dx, UART_LSR
	in al, dx
	test al, LSR_DR
	jz .done		; empty: the UART lowers its IRQ line
	mov dx, UART_RBR
	in al, dx
	mov cl, [last_byte]
	mov [last_byte], al
	cmp al, LF
	je .lf
	cmp al, CR
	je .end_of_line
	mov ecx, [line_len]
	cmp ecx, LINE_MAX
	jae receive		; no room: the byte is dropped
	mov [line + rcx], al
	inc ecx
	mov [line_len], ecx
	jmp receive
.lf:
	cmp cl, CR
	je receive		; the LF of a CR LF: that line has ended
.end_of_line:
	mov byte [line_ready], 1
.done:
	ret

%include "console.inc"
%include "idt64.inc"

bye_message: db "bye", 10, 0
line_ready:  db 0
last_byte:   db 0
	align 4
line_len:    dd 0
line:        times LINE_MAX db 0
