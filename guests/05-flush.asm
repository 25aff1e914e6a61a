; 05-flush.asm - FLUSH: written data survive the VMM's sudden death.
;
; Demonstrates: what a virtio-blk FLUSH promises. The guest writes a
; recognizable sector (sector 2), FLUSHes, and only when the device has
; answered OK says "flushed"; then it waits for good. The test kills
; the VMM with SIGKILL the moment "flushed" appears on its stdout, and
; checks that the host file holds the sector: by the time a FLUSH
; completes, the data have left the VMM (pwritev) and reached the disk
; (fdatasync), so nothing the VMM still had to do can lose them.
; (virtio 1.2, 5.2.6.1: a FLUSH completes only once the writes before
; it are durable.)
;
; Expected, run with --disk FILE (at least 3 sectors): stdout
; "flushed\n", then the guest waits forever (the test kills it; status
; 137); sector 2 of FILE begins "durable: written by 05-flush\n" and is
; zero after that. A failed write or flush prints a message, status 1.

	bits 64
	org 0x100000

%include "guest.inc"

DURABLE_SECTOR equ 2

start:
	mov eax, VIRTIO_ID_BLOCK
	call virtio_find
	mov rsi, no_disk
	jc fail
	mov eax, VIRTIO_BLK_F_FLUSH
	call virtio_init
	mov rsi, refused
	jc fail
	mov rsi, no_flush
	test eax, VIRTIO_BLK_F_FLUSH
	jz fail

	mov eax, VIRTIO_BLK_T_OUT
	mov r8d, DURABLE_SECTOR
	mov r9, durable
	mov r10d, SECTOR_SIZE
	xor r11d, r11d
	call blk_request
	mov rsi, write_failed
	test eax, eax
	jnz fail
	mov eax, VIRTIO_BLK_T_FLUSH
	xor r8d, r8d
	xor r10d, r10d
	call blk_request
	mov rsi, flush_failed
	test eax, eax
	jnz fail
	mov rsi, flushed
	call puts
	cli			; no interrupt will come: wait for the kill
.forever:
	hlt
	jmp .forever

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"
%include "virtio_blk.inc"

flushed:      db "flushed", 10, 0
no_disk:      db "no virtio-blk device", 10, 0
refused:      db "the device refused our features", 10, 0
no_flush:     db "the disk does not offer FLUSH", 10, 0
write_failed: db "write failed", 10, 0
flush_failed: db "flush failed", 10, 0

	align 8
durable:				; sector 2, as the host must find it
	db "durable: written by 05-flush", 10
	times SECTOR_SIZE - ($ - durable) db 0
