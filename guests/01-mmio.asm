; 01-mmio.asm - touching a guest-physical address that is not RAM.
;
; Run with -m 64K: RAM then ends at 0x10000, so 0x20000 has no memory
; slot behind it. A load from there is a KVM_EXIT_MMIO read, which reads
; all ones (0xff), as an empty bus does; a store is a KVM_EXIT_MMIO
; write, which is dropped. The guest reads, writes, reads again, and
; prints both values.
;
; Expected (with -m 64K): stdout "mmio read: ff\nafter write: ff\n", status 0.

	bits 16
	org 0x7c00

%include "guest.inc"

UNBACKED_SEGMENT equ 0x2000	; 0x2000:0 = physical 0x20000

start:
	mov si, read_msg
	call puts
	mov ax, UNBACKED_SEGMENT
	mov es, ax
	mov al, [es:0]		; MMIO read
	call print_hex8
	mov si, newline
	call puts

	mov byte [es:0], 0x42	; MMIO write: dropped
	mov si, after_msg
	call puts
	mov al, [es:0]
	call print_hex8
	mov si, newline
	call puts
	exit_with 0

%include "console.inc"

read_msg:  db "mmio read: ", 0
after_msg: db "after write: ", 0
newline:   db 10, 0
