; fault-fullfs.asm - a disk on a full host file system: a write fails,
; the machine goes on.
;
; Demonstrates: a host I/O error reaching the guest as the device's
; answer, not as the end of the VMM. The disk's file lives on a host
; file system without a free block. The guest overwrites sector 0, whose
; block the file already has (it holds the test's label), writes sector
; 32, a hole the file system would need a new block for (pwritev fails
; with ENOSPC), FLUSHes, reads sector 0 back and says it is still
; running. A write the host cannot store completes with
; VIRTIO_BLK_S_IOERR, as a disk reports a media error, and every other
; request is served as before (virtio 1.2, 5.2.6: the status byte).
;
; Expected, run with --disk FILE, FILE 64 sectors whose first block is
; allocated and the rest a hole, on a full file system (tests/faults/):
;   write sector 0: ok
;   write sector 32: ioerr
;   flush: ok
;   read sector 0: ok
;   sector 0: rewritten by fault-fullfs
;   still running
; status 0; FILE still 64 sectors, sector 0 rewritten, sector 32 zero.
; No disk, or a device that refuses the features: a message, status 1.

	bits 64
	org 0x100000

%include "guest.inc"

HOLE_SECTOR equ 32		; 16 KiB in: a block of its own, never written
READ_BUF    equ 0x210000

start:
	mov eax, VIRTIO_ID_BLOCK
	call virtio_find
	mov rsi, no_disk
	jc fail
	mov eax, VIRTIO_BLK_F_FLUSH
	call virtio_init
	mov rsi, refused
	jc fail

	xor r8d, r8d			; sector 0: its block exists
	call write_sector
	mov rsi, write0_label
	call print_blk_status
	mov r8d, HOLE_SECTOR		; a hole: needs a block there is not
	call write_sector
	mov rsi, write32_label
	call print_blk_status

	mov eax, VIRTIO_BLK_T_FLUSH
	xor r8d, r8d
	xor r10d, r10d
	call blk_request
	mov rsi, flush_label
	call print_blk_status

	mov eax, VIRTIO_BLK_T_IN
	xor r8d, r8d
	mov r9d, READ_BUF
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	push rax
	mov rsi, read0_label
	call print_blk_status
	pop rax
	test eax, eax
	jnz .done
	mov rsi, sector0_label
	call puts
	mov rsi, READ_BUF
	call puts			; the sector's one NUL-terminated line
.done:
	mov rsi, still_running
	call puts
	exit_with 0

; write_sector - write `rewritten` to sector R8. Out: EAX the status.
write_sector:
	mov eax, VIRTIO_BLK_T_OUT
	mov r9, rewritten
	mov r10d, SECTOR_SIZE
	xor r11d, r11d
	jmp blk_request

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"
%include "virtio_blk.inc"
%include "blk_status.inc"

write0_label:  db "write sector 0: ", 0
write32_label: db "write sector 32: ", 0
flush_label:   db "flush: ", 0
read0_label:   db "read sector 0: ", 0
sector0_label: db "sector 0: ", 0
still_running: db "still running", 10, 0
no_disk:       db "no virtio-blk device", 10, 0
refused:       db "the device refused our features", 10, 0

	align 8
rewritten:				; one sector: a line, then zeros
	db "rewritten by fault-fullfs", 10
	times SECTOR_SIZE - ($ - rewritten) db 0
