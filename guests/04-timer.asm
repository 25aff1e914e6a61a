; 04-timer.asm - timer interrupts: the PIT, the PIC and an IDT.
;
; Demonstrates: a device interrupt from start to end. The guest remaps
; the 8259A PICs to vectors 0x20-0x2f, points vector 0x20 (IRQ 0) at a
; handler that counts, unmasks IRQ 0 alone and programs PIT channel 0
; as a 100 Hz rate generator (divisor 11932). Then it halts between
; ticks until it has counted ten of them (0.1 s): each tick wakes the
; halted vCPU, KVM runs the handler, the handler's EOI lets the PIC
; deliver the next. The PIC and PIT are KVM's, in the kernel: apart
; from the console and the exit port, nothing here reaches the VMM.
; (Intel 8259A and 82C54 data sheets; Intel SDM Vol. 3A, 6.14.)
;
; Expected: stdout "ticks: 10\n" (or, on a busy host, a few more: see
; its test case), status 0.

	bits 64
	org 0x100000

%include "guest.inc"
%include "pic.inc"
%include "pit.inc"

TICK_HZ equ 100
TICKS   equ 10

start:
	mov eax, IRQ_VECTOR + IRQ_TIMER
	mov rbx, tick_handler
	call set_gate
	lidt [idt_pointer]
	pic_init ONLY_IRQ(IRQ_TIMER), ALL_MASKED
	pit_start PIT_PERIODIC, PIT_DIVISOR(TICK_HZ)

	mov eax, TICKS
	call wait_ticks		; returns with interrupts off
	mov rsi, ticks_label
	call puts
	mov eax, [ticks]
	call print_dec
	mov al, 10
	out dx, al		; dx still holds COM1
	exit_with 0

%include "console.inc"
%include "decimal.inc"
%include "ticks.inc"
%include "idt64.inc"

ticks_label: db "ticks: ", 0
