; hostile-ports.asm - every I/O port, read and written at every width.
;
; Attacks: the port bus and every device on it. The guest reads each of
; the 65536 ports with IN of 1, 2 and 4 bytes, then writes each with OUT
; of 1, 2 and 4 bytes (0xff, 0x0000 and 0xa5a5a5a5), 393216 accesses,
; most of them VM exits. A 2- or 4-byte access reaches the next ports
; too, and one at 0xffff wraps to port 0. Three ports are left out of
; the writes because writing them is how a guest ends the VM or speaks:
; the exit port 0xf4, COM1's data port 0x3f8 (stdout) and pvpanic's
; 0x505 (chapter 6: a panic). Every other write goes through, the
; UART's, the CMOS clock's, the i8042's (0xff is no command, 0xfe would
; be the reset) and those of the PIC and PIT that KVM models included.
;
; What the VMM must do: survive it, and keep the machine contract
; (appendix A): a port no device has reads all ones, 0xff a byte, at
; every width, and writes to it vanish. The guest checks each read of a
; range that holds none of the ports appendix A gives a device (nor
; 0x4d0-0x4d1, the PIC's edge/level registers in KVM). Afterwards it
; sets COM1 up again (8N1, the FIFO off) and prints the result: the UART
; must still work.
;
; Expected (chapters 4-6): stdout "port reads: 196608, of which 196487
; where no device is: each all ones\nport writes: 196587\nCOM1 after the
; sweep: still prints\n", status 0, nothing on stderr. A read that is
; not all ones is reported with its port, width and value, status 1.

	bits 64
	org 0x100000

%include "guest.inc"
%include "uart.inc"

PORTS     equ 0x10000
CLAIMED   equ 0x300000		; a byte per port: 1 if a device has it,
NO_WRITE  equ 0x320000		; 1 if it is not written
WRAP      equ 3			; bytes past port 0xffff: ports 0-2 again
PVPANIC   equ 0x505

start:
	mov rsi, claimed_ports
	mov rdi, CLAIMED
	call mark_ports
	mov rsi, unwritten_ports
	mov rdi, NO_WRITE
	call mark_ports

	xor ecx, ecx			; reads
	xor r13d, r13d			; reads checked
.read:
	mov edx, ecx
	in al, dx
	cmp byte [CLAIMED + rcx], 0
	jne .read2
	inc r13d
	cmp al, 0xff
	mov r8d, 1
	jne bad_read
.read2:
	in ax, dx
	cmp word [CLAIMED + rcx], 0
	jne .read4
	inc r13d
	cmp ax, 0xffff
	mov r8d, 2
	jne bad_read
.read4:
	in eax, dx
	cmp dword [CLAIMED + rcx], 0
	jne .next_read
	inc r13d
	cmp eax, 0xffffffff
	mov r8d, 4
	jne bad_read
.next_read:
	inc ecx
	cmp ecx, PORTS
	jb .read

	xor ecx, ecx			; writes
	xor r14d, r14d			; writes done
.write:
	mov edx, ecx
	cmp byte [NO_WRITE + rcx], 0
	jne .write2
	mov al, 0xff
	out dx, al
	inc r14d
.write2:
	cmp word [NO_WRITE + rcx], 0
	jne .write4
	xor eax, eax
	out dx, ax
	inc r14d
.write4:
	cmp dword [NO_WRITE + rcx], 0
	jne .next_write
	mov eax, 0xa5a5a5a5
	out dx, eax
	inc r14d
.next_write:
	inc ecx
	cmp ecx, PORTS
	jb .write

	; COM1 as a driver leaves it: 8N1 (DLAB off), no interrupts, no
	; FIFO, no loopback.
	mov dx, UART_LCR
	mov al, LCR_8N1
	out dx, al
	mov dx, UART_IER
	xor eax, eax
	out dx, al
	mov dx, UART_FCR
	out dx, al
	mov dx, UART_MCR
	mov al, MCR_DTR | MCR_RTS
	out dx, al

	mov rsi, reads_label
	call puts
	mov eax, 3 * PORTS
	call print_dec
	mov rsi, checked_label
	call puts
	mov eax, r13d
	call print_dec
	mov rsi, all_ones_label
	call puts
	mov eax, r14d
	call print_dec
	mov rsi, com1_label
	call puts
	exit_with 0

; bad_read - the IN of R8D bytes at port ECX read EAX, not all ones.
bad_read:
	push rax
	push rcx
	mov dx, UART_LCR		; in case COM1 is not as it was
	mov al, LCR_8N1
	out dx, al
	mov rsi, bad_label
	call puts
	pop rax
	call print_hex32
	mov rsi, width_label
	call puts
	mov eax, r8d
	call print_dec
	mov rsi, read_label
	call puts
	pop rax
	call print_hex32
	mov rsi, newline
	call puts
	exit_with 1

; mark_ports - for each {first, last} word pair at RSI (ended by 0, 0),
; set the bytes for those ports in the map at RDI; then copy ports 0-2
; past its end, so that a dword at port 0xffff covers 0xffff, 0, 1, 2.
mark_ports:
	movzx eax, word [rsi]
	movzx ecx, word [rsi + 2]
	add rsi, 4
	test ecx, ecx
	jz .wrap
.port:
	mov byte [rdi + rax], 1
	inc eax
	cmp eax, ecx
	jbe .port
	jmp mark_ports
.wrap:
	mov eax, [rdi]
	mov [rdi + PORTS], ax
	shr eax, 16
	mov [rdi + PORTS + 2], al
	ret

%include "console.inc"
%include "decimal.inc"

; The ports appendix A gives a device (chapters 4-6), and KVM's PIC
; edge/level registers.
claimed_ports:
	dw 0x20, 0x21		; PIC (KVM)
	dw 0x40, 0x43		; PIT (KVM)
	dw 0x60, 0x61		; i8042 data, speaker gate (KVM's PIT)
	dw 0x64, 0x64		; i8042 command and status
	dw 0x70, 0x71		; CMOS clock
	dw 0x80, 0x80		; POST codes
	dw 0xa0, 0xa1		; second PIC (KVM)
	dw EXIT_PORT, EXIT_PORT
	dw COM1, COM1 + 7
	dw 0x4d0, 0x4d1		; PIC edge/level control (KVM)
	dw PVPANIC, PVPANIC	; chapter 6
	dw 0, 0
; The ports not written: ending the VM, printing, a panic.
unwritten_ports:
	dw EXIT_PORT, EXIT_PORT
	dw COM1, COM1
	dw PVPANIC, PVPANIC
	dw 0, 0

reads_label:    db "port reads: ", 0
checked_label:  db ", of which ", 0
all_ones_label: db " where no device is: each all ones", 10, "port writes: ", 0
com1_label:     db 10, "COM1 after the sweep: still prints", 10, 0
bad_label:      db "port 0x", 0
width_label:    db ", ", 0
read_label:     db " bytes: read 0x", 0
newline:        db 10, 0
