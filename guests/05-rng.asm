; 05-rng.asm - a virtio-rng driver: sixteen random bytes from the host.
;
; Demonstrates: the simplest virtio device. The guest finds the device
; with DeviceID 4 (entropy), brings it up with no features beyond
; VERSION_1, offers one device-writable 16-byte buffer on queue 0 and
; notifies; the VMM fills it from getrandom(2) and returns it through
; the used ring, with the length it wrote. Sixteen bytes that are all
; zero would mean the device wrote nothing (the buffer starts zeroed).
; (virtio 1.2, 5.4 Entropy Device.)
;
; Expected, run with --rng: stdout "random: " then 32 lower-case hex
; digits (different every run) and "\n"; status 0. Without a virtio-rng
; device, or if the device answers wrongly: a message, status 1.

	bits 64
	org 0x100000

%include "guest.inc"

RANDOM_BYTES  equ 16
RANDOM_BUF    equ 0x210000	; zeroed RAM

start:
	mov eax, VIRTIO_ID_ENTROPY
	call virtio_find
	mov rsi, no_rng
	jc fail
	xor eax, eax			; no features but VERSION_1
	call virtio_init
	mov rsi, refused
	jc fail

	xor edi, edi			; one device-writable buffer
	mov eax, RANDOM_BUF
	mov ecx, RANDOM_BYTES
	mov edx, VIRTQ_DESC_F_WRITE
	call virtq_set_desc
	xor eax, eax
	call virtq_submit
	mov rsi, no_answer
	jc fail
	mov rsi, short_answer
	cmp eax, RANDOM_BYTES
	jne fail
	mov rax, [RANDOM_BUF]
	or rax, [RANDOM_BUF + 8]
	mov rsi, all_zero
	jz fail

	mov rsi, random_label
	call puts
	mov rsi, RANDOM_BUF
	mov r13d, RANDOM_BYTES
.byte:
	lodsb
	call print_hex8
	dec r13d
	jnz .byte
	mov al, 10
	out dx, al
	exit_with 0

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"

random_label: db "random: ", 0
no_rng:       db "no virtio-rng device", 10, 0
refused:      db "the device refused our features", 10, 0
no_answer:    db "the device did not return the buffer", 10, 0
short_answer: db "the device wrote fewer than 16 bytes", 10, 0
all_zero:     db "the random bytes are all zero", 10, 0
