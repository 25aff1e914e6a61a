; 05-bad-index.asm - an available index that runs ahead of the queue.
;
; Demonstrates: the available ring's idx is the guest's word too. The
; driver can have at most queue-size chains outstanding; this guest
; sets up an 8-entry queue and then claims 9 new chains (avail->idx =
; 9) without offering any. The VMM refuses to walk entries that cannot
; exist, marks the device DEVICE_NEEDS_RESET, raises a configuration-
; change interrupt, and the VM runs on; the used ring stays untouched.
; (virtio 1.2, 2.7.6 The Virtqueue Available Ring; 2.1.2.)
;
; Expected, with --disk FILE: stdout "device needs reset: yes\n", status
; 0; stderr the one line "vmm: virtio-blk (device 0): available index
; ran ahead of the queue; device needs reset". Otherwise a message and
; status 1.

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

	mov word [VQ_AVAIL + RING_IDX], VQ_SIZE + 1
	mov dword [r12 + VIRTIO_REG_QUEUE_NOTIFY], 0
	mov rsi, answered
	cmp word [VQ_USED + RING_IDX], 0
	jne fail
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

no_disk:  db "no virtio-blk device", 10, 0
refused:  db "the device refused our features", 10, 0
answered: db "the device used a chain nobody offered", 10, 0
