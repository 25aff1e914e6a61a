; hostile-rng-huge.asm - entropy requests as large as the queue can
; make them, again and again.
;
; Attacks: the work one notify makes the VMM do. A device model runs on
; the vCPU's thread, inside the exit of the driver's write to
; QueueNotify; a request that asks for gigabytes holds the vCPU, and the
; VMM, for as long as it takes to fill them. The guest offers 256
; requests to an entropy device, one after another, each a chain of all
; 8 descriptors of the queue, each descriptor 60 MiB of device-writable
; RAM (the same 60 MiB, from 4 MiB to the end of -m 64M): 480 MiB a
; request, 120 GiB in all. That is a legal request (2.7.5: a chain may
; hold up to 2^32 bytes), and virtio 1.2, 5.4.7.2 lets the device answer
; it briefly: it "MUST place one or more random bytes into the buffer,
; but it MAY use less than the entire buffer length".
;
; What the VMM must do: answer every request with a used length of at
; least 1 and at most the chain's 480 MiB, and stay responsive: a VMM
; that fills every byte does not finish within the test's timeout.
;
; Expected, with --rng -m 64M: stdout "256 requests of 480 MiB: each
; answered with 1 byte or more, no more than asked\n", status 0,
; nothing on stderr. Otherwise a message and status 1.

	bits 64
	org 0x100000

%include "guest.inc"

BUF       equ 0x400000		; above the guest, its queue and its stack
BUF_LEN   equ 0x4000000 - BUF	; to the end of 64 MiB: 60 MiB
CHAIN     equ VQ_SIZE		; descriptors a request
REQUESTS  equ 256
STACK_TOP equ 0x1f0000		; not the top of RAM: the buffer goes there

start:
	mov rsp, STACK_TOP
	mov eax, VIRTIO_ID_ENTROPY
	call virtio_find
	mov rsi, no_rng
	jc fail
	xor eax, eax
	call virtio_init
	mov rsi, refused
	jc fail

	xor ebx, ebx			; 0 -> 1 -> ... -> 7, all the same buffer
.desc:
	mov edi, ebx
	mov eax, BUF
	mov ecx, BUF_LEN
	lea edx, [ebx + 1]
	shl edx, 16
	or edx, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT
	cmp ebx, CHAIN - 1
	jne .set
	mov edx, VIRTQ_DESC_F_WRITE	; the last ends the chain
.set:
	call virtq_set_desc
	inc ebx
	cmp ebx, CHAIN
	jb .desc

	mov r13d, REQUESTS
.request:
	xor eax, eax
	call virtq_submit
	mov rsi, not_used
	jc fail
	mov rsi, nothing
	test eax, eax
	jz fail
	mov rsi, too_much
	cmp eax, CHAIN * BUF_LEN
	ja fail
	dec r13d
	jnz .request
	mov rsi, answered
	call puts
	exit_with 0

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"

answered: db "256 requests of 480 MiB: each answered with 1 byte or more, "
          db "no more than asked", 10, 0
no_rng:   db "no virtio-rng device", 10, 0
refused:  db "the device refused our features", 10, 0
not_used: db "the device did not return a request", 10, 0
nothing:  db "the device returned a request with no random bytes", 10, 0
too_much: db "the device says it wrote more than the request holds", 10, 0
