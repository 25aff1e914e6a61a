; 04-rtc.asm - reading the date and time from the CMOS clock.
;
; Demonstrates: an index/data port pair and a device that changes under
; the reader. The MC146818 RTC is reached through port 0x70 (which
; register) and 0x71 (its value). Status register B says how values
; are coded; by default BCD (0x59 means 59) and 24-hour, which the
; guest checks. The clock updates once a second; status A's UIP bit
; warns of an update in progress, so the guest waits until UIP is clear
; and then reads century, year, month, day, hours, minutes and seconds.
; A second can still tick over between two of those reads, so it reads
; them all again until two readings agree (as Linux's mc146818_get_time
; does). It checks that every field is BCD and in range, then prints
; the BCD nibbles as decimal digits. The VMM's clock is the host's, in
; UTC.
; (Motorola MC146818A data sheet: register map, status A and B; Linux
; drivers/rtc/rtc-mc146818-lib.c.)
;
; Expected: stdout "rtc: CCYY-MM-DD hh:mm:ss\n" with the host's UTC
; time, e.g. "rtc: 2025-11-25 09:44:07\n", status 0. Status B not BCD
; and 24-hour: "rtc: status B=xx, not BCD 24h\n", status 2. A field out
; of range: "rtc: bad field xx\n" (the raw value), status 1. No two
; readings agreeing: "rtc: unstable\n", status 3.

	bits 64
	org 0x100000

%include "guest.inc"

RTC_INDEX    equ 0x70
RTC_DATA     equ 0x71
RTC_STATUS_A equ 0x0a
RTC_STATUS_B equ 0x0b
RTC_UIP      equ 0x80		; status A: update in progress
RTC_BINARY   equ 0x04		; status B: binary, not BCD
RTC_24H      equ 0x02		; status B: 24-hour clock
FIELDS       equ 7
TRIES        equ 5

start:
	mov al, RTC_STATUS_B
	out RTC_INDEX, al
	in al, RTC_DATA
	mov bl, al
	and al, RTC_BINARY | RTC_24H
	cmp al, RTC_24H
	jne not_bcd_24h

	mov rdi, reading
	call read_clock
	mov ebp, TRIES
.again:				; until two readings agree
	mov rdi, check
	call read_clock
	mov rax, [check]
	cmp rax, [reading]
	je validate
	mov [reading], rax
	dec ebp
	jnz .again
	mov rsi, unstable_message
	call puts
	exit_with 3

; Every field: two BCD digits, between its minimum and maximum.
validate:
	xor ebx, ebx
.field:
	mov al, [reading + rbx]
	mov ah, al
	and ah, 0x0f
	cmp ah, 9
	ja bad_field
	cmp al, 0x9f		; the tens digit, at most 9
	ja bad_field
	cmp al, [minimum + rbx]
	jb bad_field
	cmp al, [maximum + rbx]
	ja bad_field
	inc ebx
	cmp ebx, FIELDS
	jb .field

; "rtc: " then each field's two digits and the separator after it.
	mov rsi, rtc_label
	call puts
	xor ebx, ebx
.print:
	mov al, [reading + rbx]
	call print_hex8		; BCD: the hex digits are the decimal ones
	mov al, [separator + rbx]
	test al, al
	jz .next
	out dx, al		; dx still holds COM1
.next:
	inc ebx
	cmp ebx, FIELDS
	jb .print
	exit_with 0

bad_field:
	push rax
	mov rsi, bad_field_label
	call puts
	pop rax
	call print_hex8
	mov al, 10
	out dx, al
	exit_with 1

not_bcd_24h:
	mov rsi, status_b_label
	call puts
	mov al, bl
	call print_hex8
	mov rsi, not_bcd_label
	call puts
	exit_with 2

; read_clock - wait until no update is in progress, then read the
; clock's fields, in `registers` order, into the bytes at RDI.
; Clobbers al, ecx, rsi, rdi.
read_clock:
	mov al, RTC_STATUS_A
	out RTC_INDEX, al
	in al, RTC_DATA
	test al, RTC_UIP
	jnz read_clock		; at most 244 us, then the time is new
	mov rsi, registers
	mov ecx, FIELDS
.next:
	lodsb
	out RTC_INDEX, al
	in al, RTC_DATA
	stosb
	loop .next
	ret

%include "console.inc"

;                century year  month day   hours minutes seconds
registers: db    0x32,   0x09, 0x08, 0x07, 0x04, 0x02,   0x00
minimum:   db    0x00,   0x00, 0x01, 0x01, 0x00, 0x00,   0x00
maximum:   db    0x99,   0x99, 0x12, 0x31, 0x23, 0x59,   0x59
separator: db    0,      '-',  '-',  ' ',  ':',  ':',    10

rtc_label:        db "rtc: ", 0
bad_field_label:  db "rtc: bad field ", 0
status_b_label:   db "rtc: status B=", 0
not_bcd_label:    db ", not BCD 24h", 10, 0
unstable_message: db "rtc: unstable", 10, 0

	align 8
reading: dq 0			; FIELDS bytes used; the rest stays 0
check:   dq 0
