; hostile-wrap.asm - the ring indices run past 65535 and wrap to 0.
;
; Attacks: the device's arithmetic on the 16-bit ring indices. avail->idx
; "starts at 0, and increases" (virtio 1.2, 2.7.6) and so does used->idx
; (2.7.8), both modulo 2^16; entry i of each ring is at i modulo the
; queue size. A device that compares the indices as plain numbers, or
; keeps them wider than 16 bits, goes wrong when they wrap: it serves
; nothing, or serves stale entries, or calls the driver's index "ahead
; of the queue". The guest offers 65580 real requests to an entropy
; device through a queue of QueueNumMax (256) descriptors, each
; descriptor a 4-byte device-writable buffer of its own: a first batch
; of 44, then 256 full batches, one notify a batch, so that one batch
; runs from index 65324 through 65535 to 43. After each batch used->idx
; must equal avail->idx, and each used element of the batch must name
; the head the driver offered at that index, with 4 bytes written.
;
; Expected, with --rng -m 16M: stdout "requests: 65580\nused idx: 44
; after the wrap, every element as offered\n", status 0, nothing on
; stderr. Otherwise a message saying which batch went wrong, status 1.

	bits 64
	org 0x100000

%include "guest.inc"

QUEUE_SIZE  equ 256		; QueueNumMax, which the guest checks
BUFS        equ 0x300000	; buffer i at BUFS + 4 * i
BUF_LEN     equ 4
FIRST_BATCH equ 44
BATCHES     equ 256		; full batches after the first
WRAP_DESC   equ 0x200000	; 4 KiB of descriptors
WRAP_AVAIL  equ 0x201000
WRAP_USED   equ 0x202000

start:
	mov eax, VIRTIO_ID_ENTROPY
	call virtio_find
	mov rsi, no_rng
	jc fail
	xor eax, eax
	call virtio_negotiate
	mov rsi, refused
	jc fail
	mov rsi, too_small
	mov dword [r12 + VIRTIO_REG_QUEUE_SEL], 0
	cmp dword [r12 + VIRTIO_REG_QUEUE_NUM_MAX], QUEUE_SIZE
	jb fail
	mov dword [vqa_num], QUEUE_SIZE
	mov qword [vqa_desc], WRAP_DESC
	mov qword [vqa_avail], WRAP_AVAIL
	mov qword [vqa_used], WRAP_USED
	call vqa_setup
	mov rsi, not_taken
	cmp eax, 1
	jne fail
	call vqa_driver_ok

	xor ebx, ebx			; descriptor i: buffer i
.desc:
	mov edi, ebx
	lea eax, [BUFS + rbx * 4]
	mov ecx, BUF_LEN
	mov edx, VIRTQ_DESC_F_WRITE
	call vqa_set_desc
	inc ebx
	cmp ebx, QUEUE_SIZE
	jb .desc

	xor r15d, r15d			; requests so far
	mov r13d, FIRST_BATCH
	call batch
	mov r14d, BATCHES
.full:
	mov r13d, QUEUE_SIZE
	call batch
	dec r14d
	jnz .full

	mov rsi, requests_label
	call puts
	mov eax, r15d
	call print_dec
	mov rsi, used_label
	call puts
	call vqa_used_idx
	call print_dec
	mov rsi, done_label
	call puts
	exit_with 0

; batch - offer R13D requests, the head at each index being that index
; modulo the queue size, publish them, notify once, and check every one
; came back in its place. Adds them to R15D.
batch:
	movzx ebp, word [vqa_idx]	; the batch's first index
	mov ebx, r13d
.offer:
	movzx eax, word [vqa_idx]
	and eax, QUEUE_SIZE - 1
	call vqa_offer
	dec ebx
	jnz .offer
	call vqa_publish
	call vqa_notify
	call vqa_used_idx
	mov rsi, idx_wrong
	cmp ax, [vqa_idx]
	jne batch_failed
	mov ebx, r13d
.check:
	mov eax, ebp
	and eax, QUEUE_SIZE - 1
	mov rsi, elem_wrong
	cmp [WRAP_USED + RING + rax * 8], eax		; id: the head
	jne batch_failed
	cmp dword [WRAP_USED + RING + rax * 8 + 4], BUF_LEN
	jne batch_failed
	inc ebp
	dec ebx
	jnz .check
	add r15d, r13d
	ret

; batch_failed - the message at RSI, after how many requests it was.
batch_failed:
	call puts
	mov rsi, after_label
	call puts
	mov eax, r15d
	call print_dec
	mov rsi, newline
	call puts
	exit_with 1

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "decimal.inc"
%include "virtio.inc"
%include "virtqueue_at.inc"

requests_label: db "requests: ", 0
used_label:     db 10, "used idx: ", 0
done_label:     db " after the wrap, every element as offered", 10, 0
after_label:    db " in the batch after request ", 0
newline:        db 10, 0
idx_wrong:      db "used idx is not avail idx", 0
elem_wrong:     db "a used element is not the head offered there, with 4 bytes", 0
no_rng:         db "no virtio-rng device", 10, 0
refused:        db "the device refused our features", 10, 0
too_small:      db "QueueNumMax is less than 256", 10, 0
not_taken:      db "the device did not take the queue", 10, 0
