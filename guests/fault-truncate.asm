; fault-truncate.asm - the disk's file shrinks while the guest runs.
;
; Demonstrates: a disk whose backing file is truncated under the VMM.
; The capacity in config space was read when the VMM opened the file
; (64 sectors) and stays; the sectors the file no longer holds cannot be
; read. The guest reads sector 40 (the file is whole), prints "ready",
; and waits for a byte on COM1, polling LSR with RTS raised (the test's
; word that it has truncated the file); then it reads sector 40 again,
; sectors 7 and 8 in one request, sector 8 alone, and sector 0. A read
; the file cannot fill (preadv returns short, or 0 at its end) completes
; with VIRTIO_BLK_S_IOERR: never with zeros the disk did not hold, and
; never with a crash: the VMM reads the file, it does not map it, so
; there is no SIGBUS to get. (virtio 1.2, 5.2.6.)
;
; Expected, run with --disk FILE (64 sectors, sector 0 beginning
; "kvmbook test disk\n"), FILE truncated to 8 sectors and 100 bytes
; before the byte arrives (tests/faults/):
;   read sector 40: ok
;   ready
;   read sector 40: ioerr
;   read sectors 7-8: ioerr
;   read sector 8: ioerr
;   read sector 0: ok
;   sector 0: kvmbook test disk
; status 0. Truncated to 0 bytes instead, the read of sector 0 says
; ioerr too, and the line after it is missing. Started with stdin
; closed (tests/faults/), the VMM's stdin is /dev/null: no byte comes,
; and the guest waits after "ready" until SIGTERM. No disk, or a device
; that refuses the features: a message, status 1.

	bits 64
	org 0x100000

%include "guest.inc"
%include "uart.inc"

FAR_SECTOR  equ 40		; past the file's new end
EDGE_SECTOR equ 8		; the file's new end falls inside it
READ_BUF    equ 0x210000

start:
	mov eax, VIRTIO_ID_BLOCK
	call virtio_find
	mov rsi, no_disk
	jc fail
	xor eax, eax
	call virtio_init
	mov rsi, refused
	jc fail

	mov r8d, FAR_SECTOR
	mov r10d, SECTOR_SIZE
	mov rsi, read40_label
	call read_and_print
	mov rsi, ready
	call puts
	call wait_for_byte

	mov r8d, FAR_SECTOR
	mov r10d, SECTOR_SIZE
	mov rsi, read40_label
	call read_and_print
	mov r8d, EDGE_SECTOR - 1	; one whole sector, then the cut one
	mov r10d, 2 * SECTOR_SIZE
	mov rsi, read78_label
	call read_and_print
	mov r8d, EDGE_SECTOR
	mov r10d, SECTOR_SIZE
	mov rsi, read8_label
	call read_and_print
	xor r8d, r8d
	mov r10d, SECTOR_SIZE
	mov rsi, read0_label
	call read_and_print
	test eax, eax
	jnz .done
	mov rsi, sector0_label
	call puts
	mov rsi, READ_BUF
	call print_line
.done:
	exit_with 0

; read_and_print - read R10D bytes from sector R8 into READ_BUF, and
; print the label at RSI with the answer. Out: EAX the status.
read_and_print:
	push rsi
	mov eax, VIRTIO_BLK_T_IN
	mov r9d, READ_BUF
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	pop rsi
	push rax
	call print_blk_status
	pop rax
	ret

; wait_for_byte - raise RTS (ready to receive: the VMM holds input back
; until then) and poll LSR until a byte has arrived; take it.
wait_for_byte:
	mov dx, UART_MCR
	mov al, MCR_RTS | MCR_DTR
	out dx, al
	mov dx, UART_LSR
.poll:
	in al, dx
	test al, LSR_DR
	jz .poll
	mov dx, UART_RBR
	in al, dx
	ret

; print_line - the text at RSI up to its first newline (at most one
; sector), then a newline.
print_line:
	mov ecx, SECTOR_SIZE
	mov dx, COM1
.next:
	lodsb
	cmp al, 10
	je .end
	out dx, al
	loop .next
.end:
	mov al, 10
	out dx, al
	ret

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"
%include "virtio_blk.inc"
%include "blk_status.inc"

read40_label:  db "read sector 40: ", 0
ready:         db "ready", 10, 0
read78_label:  db "read sectors 7-8: ", 0
read8_label:   db "read sector 8: ", 0
read0_label:   db "read sector 0: ", 0
sector0_label: db "sector 0: ", 0
no_disk:       db "no virtio-blk device", 10, 0
refused:       db "the device refused our features", 10, 0
