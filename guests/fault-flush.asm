; fault-flush.asm - what a FLUSH acknowledged survives a stop at any
; moment.
;
; Demonstrates: the promise of a virtio-blk FLUSH, held against the
; signals that stop the VMM (SIGINT, SIGTERM, SIGHUP: chapter 04's
; signals.c) whenever they come. The guest writes four sectors (1-4, one
; 2 KiB request: the alphabet over and over), FLUSHes, and when the
; FLUSH has answered OK prints "flushed"; then it keeps the disk busy
; for ever: round after round it writes each of sectors 8-63 (its first
; eight bytes the round's number, then '#'s) and FLUSHes, so a signal
; can land during a request, between requests, or while the vCPU runs
; guest code. It never writes sectors 1-4 again. (virtio 1.2, 5.2.6.1:
; a FLUSH completes only once the writes before it are durable.)
;
; Expected, run with --disk FILE (64 sectors, zero but for a label in
; sector 0): stdout "flushed\n", and no end of its own (the test stops
; it: status 128 + the signal, and the stop report on stderr); whenever
; "flushed" appeared, sectors 1-4 of FILE hold the pattern, sectors 5-7
; are zero, FILE is still 64 sectors (tests/faults/). A failed write or
; flush prints a message and ends with status 1.

	bits 64
	org 0x100000

%include "guest.inc"

PATTERN_SECTOR  equ 1
PATTERN_SECTORS equ 4
BUSY_FIRST      equ 8		; the sectors written round after round
BUSY_END        equ 64		; (the test's disk has 64)

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
	mov r8d, PATTERN_SECTOR
	mov r9, pattern
	mov r10d, PATTERN_SECTORS * SECTOR_SIZE
	xor r11d, r11d
	call blk_request
	mov rsi, write_failed
	test eax, eax
	jnz fail
	call flush
	mov rsi, flushed
	call puts

	xor r13d, r13d			; the round
.round:
	inc r13
	mov [busy], r13
	mov r14d, BUSY_FIRST
.sector:
	mov eax, VIRTIO_BLK_T_OUT
	mov r8, r14
	mov r9, busy
	mov r10d, SECTOR_SIZE
	xor r11d, r11d
	call blk_request
	mov rsi, write_failed
	test eax, eax
	jnz fail
	inc r14d
	cmp r14d, BUSY_END
	jb .sector
	call flush
	jmp .round

; flush - FLUSH, and fail unless the device says OK.
flush:
	mov eax, VIRTIO_BLK_T_FLUSH
	xor r8d, r8d
	xor r10d, r10d
	call blk_request
	mov rsi, flush_failed
	test eax, eax
	jnz fail
	ret

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
busy:					; a busy sector: the round, then '#'s
	dq 0
	times SECTOR_SIZE - 8 db '#'

pattern:				; sectors 1-4: the alphabet, over and over
%assign i 0
%rep PATTERN_SECTORS * SECTOR_SIZE
	db 'A' + i % 26
%assign i i + 1
%endrep
