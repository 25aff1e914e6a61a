; hostile-string-io.asm - string port I/O whose memory runs off the end
; of guest RAM.
;
; Attacks: REP INS and REP OUTS, whose memory operand is the guest's
; choice. KVM carries the port side to the VMM (KVM_EXIT_IO, count
; elements at once, in the kvm_run page) and the memory side through its
; instruction emulator: where the buffer runs past the end of RAM, the
; rest of it is not RAM but MMIO, which leaves to the VMM as well. The
; guest (run with -m 16M, so RAM ends at 0x1000000) does:
;
;   1. REP OUTSB of 16 bytes to COM1 from the last 8 bytes of RAM, which
;      hold "RAM END!": those 8 bytes, then 8 read from no memory;
;   2. REP INSB of 16 bytes from an unclaimed port into the last 8 bytes
;      of RAM and the 8 after it;
;   3. REP INSW of 4 words into the last 3 bytes of RAM and past it,
;      unaligned;
;   4. REP OUTSD of 4 dwords from the last 6 bytes of RAM and past it;
;   5. REP INSB, then REP OUTSB, of 8 KiB starting 4 KiB before RAM's end;
;   6. REP INSB of 16 bytes backwards (DF = 1) from 8 bytes past RAM's end
;      down into its last 8.
;
; What the VMM must do: every element of every access, as appendix A
; says: an unclaimed port reads 0xff, memory that no RAM covers reads
; all ones and drops writes; RAM below the buffer stays untouched; the
; VM runs on.
;
; Expected (chapters 4-6, with -m 16M): stdout
;   "outsb across the end of RAM: RAM END!" then eight 0xff bytes, "\n"
;   "insb across the end of RAM: 8 bytes landed\n"
;   "insw across the end of RAM, unaligned: 3 bytes landed\n"
;   "outsd across the end of RAM: done\n"
;   "8 KiB insb and outsb, half past the end of RAM: 4096 bytes landed\n"
;   "backwards insb into the end of RAM: 8 bytes landed\n"
; status 0, nothing on stderr. Otherwise a message and status 1.

	bits 64
	org 0x100000

%include "guest.inc"

RAM_END    equ 0x1000000	; -m 16M
NOBODY     equ 0x300		; a port no device has
STACK_TOP  equ 0x1f0000		; not the top of RAM: the buffers go there
BIG        equ 0x2000		; step 5: 8 KiB, half of it past the end

start:
	mov rsp, STACK_TOP
	cld

	mov rsi, step1				; 1
	call puts
	mov rax, "RAM END!"
	mov [RAM_END - 8], rax
	mov rsi, RAM_END - 8
	mov ecx, 16
	mov dx, COM1
	rep outsb
	mov rsi, newline
	call puts

	call clear_end				; 2
	mov rdi, RAM_END - 8
	mov ecx, 16
	mov dx, NOBODY
	rep insb
	mov rdi, RAM_END - 8
	mov ecx, 8
	call expect_landed
	mov rsi, step2
	call puts

	call clear_end				; 3
	mov rdi, RAM_END - 3
	mov ecx, 4
	mov dx, NOBODY
	rep insw
	mov rdi, RAM_END - 3
	mov ecx, 3
	call expect_landed
	mov rsi, step3
	call puts

	mov rsi, RAM_END - 6			; 4
	mov ecx, 4
	mov dx, NOBODY
	rep outsd
	mov rsi, step4
	call puts

	call clear_end				; 5
	mov rdi, RAM_END - BIG / 2
	mov ecx, BIG
	mov dx, NOBODY
	rep insb
	mov rdi, RAM_END - BIG / 2
	mov ecx, BIG / 2
	call expect_landed
	mov rsi, RAM_END - BIG / 2
	mov ecx, BIG
	mov dx, NOBODY
	rep outsb
	mov rsi, step5
	call puts

	call clear_end				; 6
	std
	mov rdi, RAM_END + 7
	mov ecx, 16
	mov dx, NOBODY
	rep insb
	cld
	mov rdi, RAM_END - 8
	mov ecx, 8
	call expect_landed
	mov rsi, step6
	call puts
	exit_with 0

; clear_end - zero the last BIG bytes of RAM (and the 16 before them).
clear_end:
	mov rdi, RAM_END - BIG - 16
	mov ecx, BIG + 16
	xor eax, eax
	rep stosb
	ret

; expect_landed - the ECX bytes at RDI read 0xff, and the byte before
; them is still 0; else fail.
expect_landed:
	mov rsi, clobbered
	cmp byte [rdi - 1], 0
	jne fail
	mov al, 0xff
	repe scasb
	mov rsi, not_landed
	jne fail
	ret

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"

step1:      db "outsb across the end of RAM: ", 0
step2:      db "insb across the end of RAM: 8 bytes landed", 10, 0
step3:      db "insw across the end of RAM, unaligned: 3 bytes landed", 10, 0
step4:      db "outsd across the end of RAM: done", 10, 0
step5:      db "8 KiB insb and outsb, half past the end of RAM: 4096 bytes landed", 10, 0
step6:      db "backwards insb into the end of RAM: 8 bytes landed", 10, 0
newline:    db 10, 0
not_landed: db "the bytes read from an unclaimed port are not all ones", 10, 0
clobbered:  db "the byte before the buffer was written", 10, 0
