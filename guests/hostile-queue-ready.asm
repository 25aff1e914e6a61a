; hostile-queue-ready.asm - a queue switched off and on, and a device
; reset, while requests are in flight; notifications the device must not
; act on.
;
; Attacks: when the device may touch a queue. virtio 1.2, 4.2.2.1: "The
; device MUST NOT access virtual queue contents when QueueReady is
; zero", and upon reset it "MUST clear all bits in InterruptStatus and
; ready bits in the QueueReady register for all queues"; 2.1.2 (device
; status): "The device MUST NOT consume buffers or send any used buffer
; notifications to the driver before DRIVER_OK". QueueNotify names a
; queue (4.2.2); a queue the device does not have is nothing to act on.
; The guest drives an entropy device with -m 16M, polling, one 16-byte
; request at a time, and checks after each step whether the device used
; the request (used->idx moved, the buffer filled) or left it alone
; (neither).
;
;   1. a request on a ready queue: used;
;   2. QueueReady = 0 (it reads back 0), a request offered and notified:
;      not used;
;   3. QueueReady = 1 again, the same layout: notified again, the waiting
;      request is used;
;   4. QueueNum, QueueDesc, QueueDriver and QueueDevice written while the
;      queue is ready (4.2.2.2: the driver "MUST NOT"): the VMM keeps the
;      layout it took at QueueReady, and a request still works;
;   5. QueueSel 1 and 0xffffffff (the device has one queue): QueueNumMax
;      and QueueReady read 0, and QueueReady = 1 there changes nothing;
;   6. a request notified on queues 1, 0x10000 and 0xffffffff: not used;
;      then on queue 0: used;
;   7. a request offered, then the device reset (Status = 0): Status,
;      QueueReady and InterruptStatus read 0, and notifying uses nothing;
;   8. the device brought up again with fresh rings but without
;      DRIVER_OK: a request is not used; after DRIVER_OK it is.
;
; Expected, with --rng -m 16M: stdout
;   request 1: used
;   QueueReady after writing 0: 0
;   request 2 while the queue is not ready: not used
;   request 2 after QueueReady 1: used
;   request 3 after layout writes while ready: used
;   queues 1 and 0xffffffff: QueueNumMax 0, QueueReady 0
;   request 4 notified on queues 1, 0x10000, 0xffffffff: not used
;   request 4 notified on queue 0: used
;   reset with request 5 offered: Status 0, QueueReady 0, InterruptStatus 0
;   request 5 after the reset: not used
;   request 6 before DRIVER_OK: not used
;   request 6 after DRIVER_OK: used
; status 0, nothing on stderr. Anything else: a message, status 1.

	bits 64
	org 0x100000

%include "guest.inc"

RANDOM_BUF equ 0x210000
RANDOM_LEN equ 16
ELSEWHERE  equ 0x400000		; a layout the device must not switch to

start:
	mov eax, VIRTIO_ID_ENTROPY
	call virtio_find
	mov rsi, no_rng
	jc fail
	call bring_up
	call vqa_driver_ok

	call offer_and_notify			; 1
	call expect_used
	mov rsi, step1
	call puts

	mov dword [r12 + VIRTIO_REG_QUEUE_READY], 0	; 2
	mov rsi, step2a
	call puts
	mov eax, [r12 + VIRTIO_REG_QUEUE_READY]
	call print_digit
	call offer_and_notify
	call expect_not_used
	mov rsi, step2b
	call puts

	mov dword [r12 + VIRTIO_REG_QUEUE_READY], 1	; 3
	mov rsi, ready_again
	cmp dword [r12 + VIRTIO_REG_QUEUE_READY], 1
	jne fail
	call vqa_notify
	call expect_used
	mov rsi, step3
	call puts

	mov dword [r12 + VIRTIO_REG_QUEUE_NUM], 1	; 4
	mov dword [r12 + VIRTIO_REG_QUEUE_DESC_LOW], ELSEWHERE
	mov dword [r12 + VIRTIO_REG_QUEUE_AVAIL_LOW], ELSEWHERE + 0x1000
	mov dword [r12 + VIRTIO_REG_QUEUE_USED_LOW], ELSEWHERE + 0x2000
	call offer_and_notify
	call expect_used
	mov rsi, step4
	call puts

	mov eax, 1					; 5
	call other_queue
	mov eax, 0xffffffff
	call other_queue
	mov dword [r12 + VIRTIO_REG_QUEUE_SEL], 0
	mov rsi, step5
	call puts

	call clear_buf					; 6
	xor eax, eax
	call vqa_offer
	call vqa_publish
	mov dword [r12 + VIRTIO_REG_QUEUE_NOTIFY], 1
	mov dword [r12 + VIRTIO_REG_QUEUE_NOTIFY], 0x10000
	mov dword [r12 + VIRTIO_REG_QUEUE_NOTIFY], 0xffffffff
	call expect_not_used
	mov rsi, step6a
	call puts
	call vqa_notify
	call expect_used
	mov rsi, step6b
	call puts

	call clear_buf					; 7
	xor eax, eax
	call vqa_offer
	call vqa_publish
	mov dword [r12 + VIRTIO_REG_STATUS], 0
	mov rsi, not_reset
	cmp dword [r12 + VIRTIO_REG_STATUS], 0
	jne fail
	cmp dword [r12 + VIRTIO_REG_QUEUE_READY], 0
	jne fail
	cmp dword [r12 + VIRTIO_REG_INTERRUPT_STATUS], 0
	jne fail
	mov rsi, step7a
	call puts
	call vqa_notify
	call expect_not_used
	mov rsi, step7b
	call puts

	mov word [VQ_AVAIL + RING_IDX], 0		; 8: fresh rings
	mov word [VQ_USED + RING_IDX], 0
	mov word [vqa_idx], 0
	call bring_up
	call offer_and_notify
	call expect_not_used
	mov rsi, step8a
	call puts
	call vqa_driver_ok
	call vqa_notify
	call expect_used
	mov rsi, step8b
	call puts
	exit_with 0

; bring_up - negotiate and set up queue 0 (8 descriptors, virtio.inc's
; areas); descriptor 0 is the request's buffer. No DRIVER_OK yet.
bring_up:
	xor eax, eax
	call virtio_negotiate
	mov rsi, refused
	jc fail
	call vqa_setup
	mov rsi, not_taken
	cmp eax, 1
	jne fail
	xor edi, edi
	mov eax, RANDOM_BUF
	mov ecx, RANDOM_LEN
	mov edx, VIRTQ_DESC_F_WRITE
	jmp vqa_set_desc

; offer_and_notify - a fresh request (descriptor 0, the buffer zeroed),
; published and notified on queue 0.
offer_and_notify:
	call clear_buf
	xor eax, eax
	call vqa_offer
	call vqa_publish
	jmp vqa_notify

; expect_used - used->idx has reached ours, with 16 bytes written into
; the buffer; else fail.
expect_used:
	call vqa_used_idx
	mov rsi, not_used
	cmp ax, [vqa_idx]
	jne fail
	mov rax, [RANDOM_BUF]
	or rax, [RANDOM_BUF + 8]
	mov rsi, all_zero
	jz fail
	ret

; expect_not_used - used->idx is one short of ours and the buffer is
; untouched; else fail.
expect_not_used:
	call vqa_used_idx
	inc eax
	mov rsi, used_anyway
	cmp ax, [vqa_idx]
	jne fail
	mov rax, [RANDOM_BUF]
	or rax, [RANDOM_BUF + 8]
	jnz fail
	ret

; other_queue - QueueSel EAX, a queue the device does not have: it reads
; QueueNumMax 0 and QueueReady 0, before and after QueueReady = 1.
other_queue:
	mov [r12 + VIRTIO_REG_QUEUE_SEL], eax
	mov rsi, other_exists
	cmp dword [r12 + VIRTIO_REG_QUEUE_NUM_MAX], 0
	jne fail
	cmp dword [r12 + VIRTIO_REG_QUEUE_READY], 0
	jne fail
	mov dword [r12 + VIRTIO_REG_QUEUE_READY], 1
	cmp dword [r12 + VIRTIO_REG_QUEUE_READY], 0
	jne fail
	ret

clear_buf:
	mov qword [RANDOM_BUF], 0
	mov qword [RANDOM_BUF + 8], 0
	ret

; print_digit - AL (0-9) as a digit and a newline.
print_digit:
	add al, '0'
	mov dx, COM1
	out dx, al
	mov al, 10
	out dx, al
	ret

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"
%include "virtqueue_at.inc"

step1:  db "request 1: used", 10, 0
step2a: db "QueueReady after writing 0: ", 0
step2b: db "request 2 while the queue is not ready: not used", 10, 0
step3:  db "request 2 after QueueReady 1: used", 10, 0
step4:  db "request 3 after layout writes while ready: used", 10, 0
step5:  db "queues 1 and 0xffffffff: QueueNumMax 0, QueueReady 0", 10, 0
step6a: db "request 4 notified on queues 1, 0x10000, 0xffffffff: not used", 10, 0
step6b: db "request 4 notified on queue 0: used", 10, 0
step7a: db "reset with request 5 offered: Status 0, QueueReady 0, InterruptStatus 0", 10, 0
step7b: db "request 5 after the reset: not used", 10, 0
step8a: db "request 6 before DRIVER_OK: not used", 10, 0
step8b: db "request 6 after DRIVER_OK: used", 10, 0
no_rng:       db "no virtio-rng device", 10, 0
refused:      db "the device refused our features", 10, 0
not_taken:    db "the device did not take a good layout", 10, 0
ready_again:  db "QueueReady does not read 1 after writing 1", 10, 0
not_used:     db "the device did not use the request", 10, 0
all_zero:     db "the device used the request but wrote no random bytes", 10, 0
used_anyway:  db "the device used a request it had to leave alone", 10, 0
other_exists: db "a queue the device does not have reads as one", 10, 0
not_reset:    db "the reset did not clear Status, QueueReady or InterruptStatus", 10, 0
