; 05-bad-addr.asm - a buffer outside guest RAM, and recovery by reset.
;
; Demonstrates: every address in a descriptor is the guest's word, and
; the VMM checks it against guest RAM before touching it. The guest
; asks to read sector 0 into 0x7ff00000, far past the end of 16 MiB of
; RAM: the VMM marks the device DEVICE_NEEDS_RESET, raises a
; configuration-change interrupt, and the VM runs on. Then the driver
; does what the spec asks of it: it resets the device (status 0, which
; clears NEEDS_RESET), brings it up again, and reads sector 0 into RAM,
; which works. (virtio 1.2, 2.1.2 DEVICE_NEEDS_RESET; 2.4 reset.)
;
; Expected, with --disk FILE and the default 16M of RAM: stdout "device
; needs reset: yes\nafter reset: ok\n", status 0; stderr the one line
; "vmm: virtio-blk (device 0): a buffer lies outside guest RAM; device
; needs reset". Otherwise a message and status 1.

	bits 64
	org 0x100000

%include "guest.inc"

OUTSIDE_RAM equ 0x7ff00000
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

	mov eax, VIRTIO_BLK_T_IN
	xor r8d, r8d
	mov r9d, OUTSIDE_RAM
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov rsi, answered
	cmp eax, BLK_NO_ANSWER
	jne fail
	call virtio_report_needs_reset
	jc .not_reset

	mov dword [r12 + VIRTIO_REG_STATUS], 0	; reset
	mov rsi, still_broken
	cmp dword [r12 + VIRTIO_REG_STATUS], 0
	jne fail
	xor eax, eax
	call virtio_init
	mov rsi, refused
	jc fail
	mov eax, VIRTIO_BLK_T_IN
	xor r8d, r8d
	mov r9d, READ_BUF
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov rsi, read_failed
	test eax, eax
	jnz fail
	mov rsi, recovered
	call puts
	exit_with 0
.not_reset:
	exit_with 1

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"
%include "virtio_blk.inc"

recovered:    db "after reset: ok", 10, 0
no_disk:      db "no virtio-blk device", 10, 0
refused:      db "the device refused our features", 10, 0
answered:     db "the device answered a request outside RAM", 10, 0
still_broken: db "status is not 0 after reset", 10, 0
read_failed:  db "after reset: read failed", 10, 0
