; 05-bad-loop.asm - a descriptor chain that never ends.
;
; Demonstrates: the device does not trust the driver. The guest sets up
; queue 0 correctly, then offers a chain whose two descriptors point at
; each other (0 -> 1 -> 0 -> ..., both with NEXT). Followed naively,
; the VMM would loop forever; ours stops after as many steps as the
; queue has descriptors, marks the device DEVICE_NEEDS_RESET, raises a
; configuration-change interrupt (InterruptStatus bit 1), says so once
; on stderr, and lets the VM run on. The guest checks both bits.
; (virtio 1.2, 2.7.5.2: a chain's length is bounded by the queue size;
; 2.1.2: DEVICE_NEEDS_RESET.)
;
; Expected, with --disk FILE: stdout "device needs reset: yes\n", status
; 0; stderr the one line "vmm: virtio-blk (device 0): descriptor chain
; longer than the queue (a loop?); device needs reset". Otherwise a
; message and status 1.

	bits 64
	org 0x100000

%include "guest.inc"

start:
	mov eax, VIRTIO_ID_BLOCK
	call virtio_find
	mov rsi, no_disk
	jc fail
	xor eax, eax
	call virtio_init
	mov rsi, refused
	jc fail

	mov dword [blk_header], VIRTIO_BLK_T_IN
	xor edi, edi			; 0: the header, then 1
	mov rax, blk_header
	mov ecx, BLK_HEADER_SIZE
	mov edx, VIRTQ_DESC_F_NEXT | VIRTQ_NEXT * 1
	call virtq_set_desc
	mov edi, 1			; 1: the status, then 0 again
	mov rax, blk_status
	mov ecx, 1
	mov edx, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT | VIRTQ_NEXT * 0
	call virtq_set_desc
	xor eax, eax
	call virtq_submit
	mov rsi, answered
	jnc fail
	call virtio_report_needs_reset
	jc .not_reset
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

no_disk:  db "no virtio-blk device", 10, 0
refused:  db "the device refused our features", 10, 0
answered: db "the device answered a looping chain", 10, 0
