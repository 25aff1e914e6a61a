; hostile-queue-layout.asm - a virtqueue set up at the edges: sizes and
; areas the rules allow only just, or not at all.
;
; Attacks: the device's check of queue 0's layout when the driver
; writes QueueReady = 1. The queue size must be a power of 2 no larger
; than QueueNumMax (virtio 1.2, 2.7: "Queue Size value is always a
; power of 2"; 4.2.2.2: the driver "MUST write a value to QueueNum which
; is less than or equal to the value presented by the device in
; QueueNumMax"); each area must be aligned (2.7: descriptor table 16,
; available ring 2, used ring 4) and, the VMM adds, lie wholly in guest
; RAM. The guest runs on an entropy device (one buffer per request, so
; even a queue of one descriptor can carry requests) with -m 16M, so
; that RAM ends at 0x1000000.
;
; What the VMM must do: take a layout that keeps the rules and serve
; requests through it, even with each area flush against the end of
; RAM; refuse one that breaks them: QueueReady stays 0, the device sets
; DEVICE_NEEDS_RESET and raises a configuration-change interrupt, says
; why in one line on stderr, and the VM runs on; after a reset the
; device works again with a good layout. A size is taken whole (32
; bits): 0x10008 is not 8. Addresses are taken whole too (64 bits):
; 2^64 - 16 plus a table's length must not wrap around to "fits".
; Areas that overlap each other break no rule the device can check; it
; serves them as they are.
;
; Run with --rng -m 16M and one line on stdin naming the variant (the
; size written to QueueNum, or which area goes where):
;   num-0 num-1 num-3 num-max num-max+1 num-0x10008
;   desc-at-end avail-at-end used-at-end         (the area ends at RAM's end)
;   desc-past-end avail-past-end used-past-end   (it runs past it)
;   desc-unaligned avail-unaligned used-unaligned
;   desc-2^64-16 desc-2^64-1 avail-2^64-2 used-2^64-4 desc-above-4g
;   avail-is-used                                (both rings at one address)
; Expected, for a layout the device takes: stdout "QueueReady: 1\n
; requests: ok\n" (two requests, each used with 16 bytes), status 0, no
; stderr. For one it refuses: stdout "QueueReady: 0\ndevice needs reset:
; yes\nafter reset: ok\n", status 0, and on stderr the one line "vmm:
; virtio-rng (device 0): WHY; device needs reset". Anything else: a
; message and status 1.

	bits 64
	org 0x100000

%include "guest.inc"
%include "uart.inc"

RAM_END     equ 0x1000000		; -m 16M
RANDOM_BUF  equ 0x210000
RANDOM_LEN  equ 16
DESC_SIZE   equ VQ_SIZE * VIRTQ_DESC_SIZE	; 128
AVAIL_SIZE  equ 6 + 2 * VQ_SIZE			; flags, idx, ring, used_event
USED_SIZE   equ 6 + 8 * VQ_SIZE			; flags, idx, ring, avail_event
STACK_TOP   equ 0x1f0000			; not the top of RAM: areas go there

start:
	mov rsp, STACK_TOP
	mov eax, VIRTIO_ID_ENTROPY
	call virtio_find
	mov rsi, no_rng
	jc fail
	mov rsi, variants
	jmp run_variant

; Each variant changes one thing of the good layout (virtqueue_at.inc's
; defaults: 8 descriptors, each area on a page of its own).
num_0:
	mov dword [vqa_num], 0
	jmp try_layout
num_1:
	mov dword [vqa_num], 1
	jmp try_layout
num_3:
	mov dword [vqa_num], 3
	jmp try_layout
num_max:
	call queue_num_max
	mov [vqa_num], eax
	jmp try_layout
num_max_1:
	call queue_num_max
	inc eax
	mov [vqa_num], eax
	jmp try_layout
num_0x10008:
	mov dword [vqa_num], 0x10008
	jmp try_layout

desc_at_end:
	mov qword [vqa_desc], RAM_END - DESC_SIZE
	jmp try_layout
avail_at_end:
	mov qword [vqa_avail], RAM_END - AVAIL_SIZE
	jmp try_layout
used_at_end:				; 70 bytes, 4-aligned: ends 2 bytes short
	mov qword [vqa_used], (RAM_END - USED_SIZE) & ~3
	jmp try_layout
desc_past_end:
	mov qword [vqa_desc], RAM_END - DESC_SIZE + VIRTQ_DESC_SIZE
	jmp try_layout
avail_past_end:
	mov qword [vqa_avail], RAM_END - 8
	jmp try_layout
used_past_end:
	mov qword [vqa_used], RAM_END - 32
	jmp try_layout
desc_unaligned:
	add qword [vqa_desc], 8
	jmp try_layout
avail_unaligned:
	add qword [vqa_avail], 1
	jmp try_layout
used_unaligned:
	add qword [vqa_used], 2
	jmp try_layout
desc_top_16:
	mov rax, -16
	mov [vqa_desc], rax
	jmp try_layout
desc_top_1:
	mov rax, -1
	mov [vqa_desc], rax
	jmp try_layout
avail_top_2:
	mov rax, -2
	mov [vqa_avail], rax
	jmp try_layout
used_top_4:
	mov rax, -4
	mov [vqa_used], rax
	jmp try_layout
desc_above_4g:
	mov rax, 0x100000000 + VQ_DESC
	mov [vqa_desc], rax
	jmp try_layout
avail_is_used:
	mov rax, [vqa_used]
	mov [vqa_avail], rax
	jmp try_layout


; try_layout - negotiate, set queue 0 up from the variables, and see
; whether the device took it: if so, two requests through it; if not,
; the broken state, a reset, and a request through a good queue.
try_layout:
	xor eax, eax
	call virtio_negotiate
	mov rsi, refused
	jc fail
	call vqa_setup
	push rax
	mov rsi, ready_label
	call puts
	pop rax
	push rax
	add al, '0'
	mov dx, COM1
	out dx, al
	mov al, 10
	out dx, al
	pop rax
	cmp eax, 1
	je .taken
	mov rsi, ready_odd
	test eax, eax
	jnz fail
	call virtio_report_needs_reset
	jc .no
	xor eax, eax			; a reset, and virtio.inc's good queue
	call virtio_init
	mov rsi, refused
	jc fail
	call random_request_fixed
	mov rsi, after_reset
	call puts
	exit_with 0
.taken:
	call vqa_driver_ok
	call random_request
	call random_request
	mov rsi, requests_ok
	call puts
	exit_with 0
.no:
	exit_with 1

; queue_num_max - EAX = QueueNumMax of queue 0.
queue_num_max:
	mov dword [r12 + VIRTIO_REG_QUEUE_SEL], 0
	mov eax, [r12 + VIRTIO_REG_QUEUE_NUM_MAX]
	ret

; random_request - 16 random bytes through the queue of the variables,
; into a zeroed buffer; fails the guest unless they come back.
random_request:
	call clear_buf
	xor edi, edi
	mov eax, RANDOM_BUF
	mov ecx, RANDOM_LEN
	mov edx, VIRTQ_DESC_F_WRITE
	call vqa_set_desc
	xor eax, eax
	call vqa_submit
	jmp check_random

; random_request_fixed - the same through virtio.inc's queue.
random_request_fixed:
	call clear_buf
	xor edi, edi
	mov eax, RANDOM_BUF
	mov ecx, RANDOM_LEN
	mov edx, VIRTQ_DESC_F_WRITE
	call virtq_set_desc
	xor eax, eax
	call virtq_submit
	; fall through

; check_random - after a submit: CF clear, 16 bytes written, not all 0.
check_random:
	mov rsi, not_used
	jc fail
	mov rsi, short_answer
	cmp eax, RANDOM_LEN
	jne fail
	mov rax, [RANDOM_BUF]
	or rax, [RANDOM_BUF + 8]
	mov rsi, all_zero
	jz fail
	ret

clear_buf:
	mov qword [RANDOM_BUF], 0
	mov qword [RANDOM_BUF + 8], 0
	ret

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"
%include "virtqueue_at.inc"
%include "variant.inc"

variants:
	dq v_num_0, num_0
	dq v_num_1, num_1
	dq v_num_3, num_3
	dq v_num_max, num_max
	dq v_num_max_1, num_max_1
	dq v_num_0x10008, num_0x10008
	dq v_desc_at_end, desc_at_end
	dq v_avail_at_end, avail_at_end
	dq v_used_at_end, used_at_end
	dq v_desc_past_end, desc_past_end
	dq v_avail_past_end, avail_past_end
	dq v_used_past_end, used_past_end
	dq v_desc_unaligned, desc_unaligned
	dq v_avail_unaligned, avail_unaligned
	dq v_used_unaligned, used_unaligned
	dq v_desc_top_16, desc_top_16
	dq v_desc_top_1, desc_top_1
	dq v_avail_top_2, avail_top_2
	dq v_used_top_4, used_top_4
	dq v_desc_above_4g, desc_above_4g
	dq v_avail_is_used, avail_is_used
	dq 0

v_num_0:          db "num-0", 0
v_num_1:          db "num-1", 0
v_num_3:          db "num-3", 0
v_num_max:        db "num-max", 0
v_num_max_1:      db "num-max+1", 0
v_num_0x10008:    db "num-0x10008", 0
v_desc_at_end:    db "desc-at-end", 0
v_avail_at_end:   db "avail-at-end", 0
v_used_at_end:    db "used-at-end", 0
v_desc_past_end:  db "desc-past-end", 0
v_avail_past_end: db "avail-past-end", 0
v_used_past_end:  db "used-past-end", 0
v_desc_unaligned: db "desc-unaligned", 0
v_avail_unaligned: db "avail-unaligned", 0
v_used_unaligned: db "used-unaligned", 0
v_desc_top_16:    db "desc-2^64-16", 0
v_desc_top_1:     db "desc-2^64-1", 0
v_avail_top_2:    db "avail-2^64-2", 0
v_used_top_4:     db "used-2^64-4", 0
v_desc_above_4g:  db "desc-above-4g", 0
v_avail_is_used:  db "avail-is-used", 0

ready_label:  db "QueueReady: ", 0
ready_odd:    db "QueueReady reads neither 0 nor 1", 10, 0
requests_ok:  db "requests: ok", 10, 0
after_reset:  db "after reset: ok", 10, 0
no_rng:       db "no virtio-rng device", 10, 0
refused:      db "the device refused our features", 10, 0
not_used:     db "the device did not return the buffer", 10, 0
short_answer: db "the device did not write 16 bytes", 10, 0
all_zero:     db "the random bytes are all zero", 10, 0
