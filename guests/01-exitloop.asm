; 01-exitloop.asm - a benchmark guest: 100000 port writes, then exit.
;
; Demonstrates: what a VM exit costs. Each OUT to the unclaimed port
; 0x80 is one KVM_EXIT_IO round trip (guest -> KVM -> VMM -> guest) that
; does nothing else, so `make bench` divides the run time by the count.
; Used only by scripts/bench.sh, never by a timed test.
;
; Expected: stdout "100000 exits\n", exit status 0.

	bits 16
	org 0x7c00

%include "guest.inc"

POST_PORT  equ 0x80
ITERATIONS equ 100000

start:
	mov ecx, ITERATIONS
	xor al, al
.loop:
	out POST_PORT, al
	dec ecx
	jnz .loop
	mov si, message
	call puts
	exit_with 0

%include "console.inc"

message: db "100000 exits", 10, 0
