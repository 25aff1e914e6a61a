; 04-idle.asm - a guest that sleeps for five seconds (for `make bench`).
;
; Demonstrates: what HLT costs the host from chapter 04 on. The guest
; takes 500 ticks of a 100 Hz PIT, halting in between, as an idle OS
; does. With the local APIC in KVM a halted vCPU sleeps in the kernel
; until the next tick, so the VMM process should use almost no CPU over
; the five seconds; scripts/bench.sh measures it. Too slow for the
; integration tests: it is not one of their cases.
;
; Expected: stdout "idle for 500 ticks\n" after about 5 s, status 0.

	bits 64
	org 0x100000

%include "guest.inc"
%include "pic.inc"
%include "pit.inc"

TICK_HZ equ 100
TICKS   equ 500

start:
	mov eax, IRQ_VECTOR + IRQ_TIMER
	mov rbx, tick_handler
	call set_gate
	lidt [idt_pointer]
	pic_init ONLY_IRQ(IRQ_TIMER), ALL_MASKED
	pit_start PIT_PERIODIC, PIT_DIVISOR(TICK_HZ)

	mov eax, TICKS
	call wait_ticks		; returns with interrupts off
	mov rsi, idle_label
	call puts
	mov eax, [ticks]
	call print_dec
	mov rsi, ticks_label
	call puts
	exit_with 0

%include "console.inc"
%include "decimal.inc"
%include "ticks.inc"
%include "idt64.inc"

idle_label:  db "idle for ", 0
ticks_label: db " ticks", 10, 0
