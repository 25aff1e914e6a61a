; 04-hltwake.asm - HLT waits for an interrupt.
;
; Demonstrates: from chapter 04 on, HLT no longer ends the VM. With the
; local APIC in KVM, a halted vCPU sleeps in the kernel until an
; interrupt arrives, as a real CPU does. The guest arms the PIT for one
; interrupt 10 ms from now (mode 0, interrupt on terminal count), then
; halts once with interrupts enabled. The timer's IRQ 0 wakes it; the
; handler records that it ran, and after the hlt the guest checks that
; it was that interrupt that woke it. (On chapters 01-03 the same hlt
; would simply end the VM.)
; (Intel SDM Vol. 2A, HLT; Vol. 3A, 6.8.3 (the STI interrupt shadow).)
;
; Expected: stdout "woken by IRQ0\n", status 0. If anything else ends
; the hlt: "woken, but not by IRQ0\n", status 1.

	bits 64
	org 0x100000

%include "guest.inc"
%include "pic.inc"
%include "pit.inc"

ONE_SHOT_HZ equ 100		; fire once, in 1/100 s

start:
	mov eax, IRQ_VECTOR + IRQ_TIMER
	mov rbx, timer_handler
	call set_gate
	lidt [idt_pointer]
	pic_init ONLY_IRQ(IRQ_TIMER), ALL_MASKED
	pit_start PIT_ONE_SHOT, PIT_DIVISOR(ONE_SHOT_HZ)

	; Interrupts are still off: if the timer has fired already, its
	; IRQ waits in the PIC. `sti` takes effect after the next
	; instruction, so the hlt is reached either way and the pending
	; or coming interrupt ends it.
	sti
	hlt
	cli
	cmp byte [timer_fired], 0
	je .not_timer
	mov rsi, woken_message
	call puts
	exit_with 0
.not_timer:
	mov rsi, other_message
	call puts
	exit_with 1

; IRQ 0: note that it came.
timer_handler:
	push rax
	mov byte [timer_fired], 1
	pic_eoi
	pop rax
	iretq

%include "console.inc"
%include "idt64.inc"

timer_fired:   db 0
woken_message: db "woken by IRQ0", 10, 0
other_message: db "woken, but not by IRQ0", 10, 0
