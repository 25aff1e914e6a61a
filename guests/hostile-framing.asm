; hostile-framing.asm - block requests framed every way a chain of
; descriptors allows, and ways it does not.
;
; Attacks: how the device reads a request out of a descriptor chain.
; The framing is the driver's choice (virtio 1.2, 2.6.4: "The device MUST
; NOT make assumptions about the particular arrangement of
; descriptors"): a header split over two buffers, zero-length buffers,
; data and status in one buffer, header and data in one, a chain as
; long as the queue must all work. Data must go the way the request
; says, and the device "MUST NOT write to a device-readable buffer"
; (2.7.5): a read into readable buffers, a write from writable ones, a
; GET_ID into a readable one complete with IOERR and leave the buffers
; as they were. Requests the disk cannot do (an unknown type, a sector
; whose byte offset overflows 64 bits, a length that is not a whole
; sector) complete with UNSUPP or IOERR (5.2.6). A chain that cannot be
; a request at all (no room for the 16-byte header and the status byte,
; a header the device would have to read from a writable buffer, a
; status it would have to write into a readable one) and a chain that
; breaks the queue's rules (a descriptor index past the table, a loop,
; a buffer outside RAM or one whose end wraps past 2^64) break the
; device: DEVICE_NEEDS_RESET, a configuration-change interrupt, one
; line on stderr, and the VM runs on (2.1.2).
;
; Indirect tables (2.7.5.3, VIRTIO_RING_F_INDIRECT_DESC, which the guest
; accepts): a table may lie at any address, 8- or 1-aligned, and hold
; more entries than the queue; the device "MUST ignore the write-only
; flag" of the descriptor that points at a table, and "MUST handle the
; case of zero or more normal chained descriptors followed by a single
; descriptor with flags&VIRTQ_DESC_F_INDIRECT". A table inside a table,
; a table descriptor with NEXT too (the driver "MUST NOT" do either), a
; table without the feature, a length that is not whole descriptors, an
; index past the table, a table across RAM's end and a chain of 2^32
; bytes (2.7.5: "MUST NOT add a descriptor chain longer than 2^32
; bytes") break the device.
;
; Run with --disk FILE -m 16M (FILE: 64 sectors, sector 0 beginning
; "kvmbook test disk\n", as the tests make it) and one line on stdin
; naming the variant:
;   completes:  zero-length zero-length-at-end header-split
;               status-in-data header-with-data chain-of-8
;               in-readable-data out-writable-data getid-readable
;               in-mixed-data unknown-type sector-2^55 in-partial-sector
;   breaks:     header-writable status-readable no-status short-header
;               next-out-of-range head-out-of-range self-loop
;               buffer-past-end buffer-len-4g buffer-at-2^64
;   indirect, completes: indirect indirect-write-flag
;               indirect-unaligned-8 indirect-unaligned-1
;               indirect-after-direct indirect-16-entries
;   indirect, breaks: indirect-with-next indirect-nested
;               indirect-no-feature indirect-len-0 indirect-len-24
;               indirect-next-out-of-range indirect-past-end indirect-4g
; Expected, status 0, and for a request that completes: stdout
; "status: S\n" (ok, ioerr or unsupp), what the variant checks (the
; data read, "device-readable bytes untouched: yes", the used length),
; then "then a plain read: ok\n"; no stderr. For one that breaks the
; device: stdout "device needs reset: yes\nthen a plain read: ok\n" (the
; plain read after a reset), and on stderr the one line "vmm:
; virtio-blk (device 0): WHY; device needs reset". header-with-data
; writes "header and data in one buffer" to sector 1. Anything else: a
; message and status 1.

	bits 64
	org 0x100000

%include "guest.inc"
%include "uart.inc"

RAM_END     equ 0x1000000	; -m 16M
HDR         equ 0x208000	; our header (and for header-with-data, its data)
STATUS      equ 0x208800	; our status byte
DATA        equ 0x210000	; our data buffer
TABLE       equ 0x220000	; our indirect table (16-byte aligned)
TABLE2      equ 0x221000	; one nested inside it
PATTERN     equ 0x5a		; what fills a buffer the device must not write
LABEL_LEN   equ 18		; "kvmbook test disk\n"
STACK_TOP   equ 0x1f0000	; not the top of RAM: buffers go there

; desc IDX, ADDR, LEN, FLAGS - descriptor IDX of the queue.
%macro desc 4
	mov edi, %1
	mov rax, %2
	mov ecx, %3
	mov edx, %4
	call virtq_set_desc
%endmacro
; tdesc IDX, ADDR, LEN, FLAGS - entry IDX of the indirect table at R14.
%macro tdesc 4
	lea rdi, [r14 + %1 * VIRTQ_DESC_SIZE]
	mov rax, %2
	mov ecx, %3
	mov edx, %4
	call write_desc
%endmacro
NEXT equ VIRTQ_DESC_F_NEXT
W    equ VIRTQ_DESC_F_WRITE
IND  equ VIRTQ_DESC_F_INDIRECT

start:
	mov rsp, STACK_TOP
	mov eax, VIRTIO_ID_BLOCK
	call virtio_find
	mov rsi, no_disk
	jc fail
	mov eax, VIRTIO_F_INDIRECT_DESC
	call virtio_init
	mov rsi, refused
	jc fail
	mov rsi, no_indirect
	test eax, VIRTIO_F_INDIRECT_DESC
	jz fail
	mov r14d, TABLE
	mov rsi, variants
	jmp run_variant

; ---- requests that complete ----

zero_length:				; empty buffers around the data
	mov r9, DATA + 0x800
	jmp zero_length_at
zero_length_at_end:			; ... and at the very end of RAM
	mov r9, RAM_END
zero_length_at:
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, r9, 0, NEXT | VIRTQ_NEXT * 2
	desc 2, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 3
	desc 3, r9, 0, W | NEXT | VIRTQ_NEXT * 4
	desc 4, STATUS, 1, W
	call submit
	jmp expect_label

header_split:				; the header as 3 + 13 bytes
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, 3, NEXT | VIRTQ_NEXT * 1
	desc 1, HDR + 3, BLK_HEADER_SIZE - 3, NEXT | VIRTQ_NEXT * 2
	desc 2, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 3
	desc 3, STATUS, 1, W
	call submit
	jmp expect_label

status_in_data:				; the status is the data buffer's last byte
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	mov byte [DATA + SECTOR_SIZE], BLK_NO_ANSWER
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, SECTOR_SIZE + 1, W
	call submit_raw
	push rax
	movzx eax, byte [DATA + SECTOR_SIZE]
	call print_status
	call print_label
	mov rsi, used_len
	call puts
	pop rax
	call print_dec
	mov rsi, newline
	call puts
	jmp plain_read

header_with_data:			; OUT: header and data in one buffer
	mov eax, VIRTIO_BLK_T_OUT
	mov r8d, 1
	call set_header_sector
	mov rsi, sector1_text
	mov rdi, HDR + BLK_HEADER_SIZE
	mov ecx, sector1_len
	rep movsb
	desc 0, HDR, BLK_HEADER_SIZE + SECTOR_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, STATUS, 1, W
	call submit
	jmp plain_read

chain_of_8:				; as long as the queue: 1 + 6 + 1
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, 64, W | NEXT | VIRTQ_NEXT * 2
	desc 2, DATA + 64, 64, W | NEXT | VIRTQ_NEXT * 3
	desc 3, DATA + 128, 64, W | NEXT | VIRTQ_NEXT * 4
	desc 4, DATA + 192, 64, W | NEXT | VIRTQ_NEXT * 5
	desc 5, DATA + 256, 64, W | NEXT | VIRTQ_NEXT * 6
	desc 6, DATA + 320, 192, W | NEXT | VIRTQ_NEXT * 7
	desc 7, STATUS, 1, W
	call submit
	jmp expect_label

in_readable_data:			; IN into a device-readable buffer
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	call fill_pattern
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, SECTOR_SIZE, NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, W
	call submit
	mov ecx, SECTOR_SIZE
	jmp expect_untouched

out_writable_data:			; OUT from a device-writable buffer
	mov eax, VIRTIO_BLK_T_OUT
	call set_header
	call fill_pattern
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, W
	call submit
	jmp plain_read			; which finds sector 0 as it was

getid_readable:				; GET_ID into a device-readable buffer
	mov eax, VIRTIO_BLK_T_GET_ID
	call set_header
	call fill_pattern
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, BLK_ID_BYTES, NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, W
	call submit
	mov ecx, BLK_ID_BYTES
	jmp expect_untouched

in_mixed_data:				; IN: half writable, half readable
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	call fill_pattern
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA + 256, 256, W | NEXT | VIRTQ_NEXT * 2
	desc 2, DATA, 256, NEXT | VIRTQ_NEXT * 3
	desc 3, STATUS, 1, W
	call submit
	mov ecx, 256			; DATA .. DATA + 255: the readable half
	jmp expect_untouched

unknown_type:
	mov eax, 0x7fffffff
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, STATUS, 1, W
	call submit
	jmp plain_read

sector_2_55:				; sector * 512 wraps to 0
	mov eax, VIRTIO_BLK_T_IN
	mov r8, 1 << 55
	call set_header_sector
	jmp read_one
in_partial_sector:			; 100 bytes: not a whole sector
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, 100, W | NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, W
	call submit
	jmp plain_read

; ---- chains that break the device ----

header_writable:
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, W | NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, W
	jmp expect_broken
status_readable:
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, 0
	jmp expect_broken
no_status:
	mov eax, VIRTIO_BLK_T_GET_ID
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, 0
	jmp expect_broken
short_header:
	mov eax, VIRTIO_BLK_T_GET_ID
	call set_header
	desc 0, HDR, 8, NEXT | VIRTQ_NEXT * 1
	desc 1, STATUS, 1, W
	jmp expect_broken
next_out_of_range:			; next = 8 in a table of 8
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * VQ_SIZE
	jmp expect_broken
head_out_of_range:			; the ring offers descriptor 8
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	mov r13d, VQ_SIZE
	jmp expect_broken_head
self_loop:				; 0 -> 0 -> ...
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 0
	jmp expect_broken
buffer_past_end:			; half in RAM, half past its end
	mov r9, RAM_END - SECTOR_SIZE / 2
	mov r10d, SECTOR_SIZE
	jmp bad_buffer
buffer_len_4g:
	mov r9, DATA
	mov r10d, 0xffffffff
	jmp bad_buffer
buffer_at_2_64:				; addr + len wraps to 0
	mov r9, -SECTOR_SIZE
	mov r10d, SECTOR_SIZE
bad_buffer:
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, r9, r10d, W | NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, W
	jmp expect_broken

; ---- indirect tables (2.7.5.3) ----

; indirect_table - R14's table as a whole read of sector 0: header,
; data, status (48 bytes).
indirect_table:
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	tdesc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	tdesc 1, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 2
	tdesc 2, STATUS, 1, W
	ret

indirect:
	call indirect_table
	desc 0, r14, 3 * VIRTQ_DESC_SIZE, IND
	jmp indirect_read
indirect_write_flag:			; "MUST ignore the write-only flag"
	call indirect_table
	desc 0, r14, 3 * VIRTQ_DESC_SIZE, IND | W
	jmp indirect_read
indirect_unaligned_8:			; no alignment is asked of a table
	add r14, 8
	jmp indirect
indirect_unaligned_1:
	add r14, 1
	jmp indirect
indirect_after_direct:			; "MUST handle ... normal chained
	mov eax, VIRTIO_BLK_T_IN	; descriptors followed by a single
	call set_header			; descriptor with INDIRECT"
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, r14, 2 * VIRTQ_DESC_SIZE, IND
	tdesc 0, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 1
	tdesc 1, STATUS, 1, W
	jmp indirect_read
indirect_16_entries:			; twice the queue's 8
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	tdesc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	mov ebx, 1			; entries 1-13: 32 bytes of data each
.piece:
	mov eax, ebx
	shl eax, 4
	lea rdi, [r14 + rax]
	lea eax, [ebx - 1]
	shl eax, 5
	add eax, DATA
	mov ecx, 32
	lea edx, [ebx + 1]
	shl edx, 16
	or edx, W | NEXT
	call write_desc
	inc ebx
	cmp ebx, 14
	jb .piece
	tdesc 14, DATA + 13 * 32, SECTOR_SIZE - 13 * 32, W | NEXT | VIRTQ_NEXT * 15
	tdesc 15, STATUS, 1, W
	desc 0, r14, 16 * VIRTQ_DESC_SIZE, IND
indirect_read:
	call submit
	jmp expect_label

indirect_with_next:
	call indirect_table
	desc 0, r14, 3 * VIRTQ_DESC_SIZE, IND | NEXT | VIRTQ_NEXT * 1
	desc 1, STATUS, 1, W
	jmp expect_broken
indirect_nested:			; a table in the table
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	tdesc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	tdesc 1, TABLE2, 2 * VIRTQ_DESC_SIZE, IND
	mov r14d, TABLE2
	tdesc 0, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 1
	tdesc 1, STATUS, 1, W
	desc 0, TABLE, 2 * VIRTQ_DESC_SIZE, IND
	jmp expect_broken
indirect_no_feature:			; offered, but not accepted
	xor eax, eax
	call virtio_init
	mov rsi, refused
	jc fail
	call indirect_table
	desc 0, r14, 3 * VIRTQ_DESC_SIZE, IND
	jmp expect_broken
indirect_len_0:
	xor r10d, r10d
	jmp indirect_len
indirect_len_24:			; one and a half descriptors
	mov r10d, 24
indirect_len:
	call indirect_table
	desc 0, r14, r10d, IND
	jmp expect_broken
indirect_next_out_of_range:		; next = 3 in a table of 3
	call indirect_table
	tdesc 1, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 3
	desc 0, r14, 3 * VIRTQ_DESC_SIZE, IND
	jmp expect_broken
indirect_past_end:			; its last entry lies past RAM's end
	mov r14d, RAM_END - 2 * VIRTQ_DESC_SIZE
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	tdesc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	tdesc 1, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 2
	desc 0, r14, 3 * VIRTQ_DESC_SIZE, IND
	jmp expect_broken
indirect_4g:				; 256 x 16 MiB: 2^32 bytes in all
	mov eax, VIRTIO_BLK_T_IN
	call set_header
	xor ebx, ebx
.entry:
	mov eax, ebx
	shl eax, 4
	lea rdi, [r14 + rax]
	xor eax, eax			; each covers all of RAM
	mov ecx, RAM_END
	lea edx, [ebx + 1]
	shl edx, 16
	or edx, W | NEXT
	test ebx, ebx
	jnz .write
	and edx, ~W			; the first is the header's: readable
.write:
	cmp ebx, VIRTQ_INDIRECT_MAX - 1
	jne .chained
	mov edx, W			; the last ends the chain
.chained:
	call write_desc
	inc ebx
	cmp ebx, VIRTQ_INDIRECT_MAX
	jb .entry
	desc 0, r14, VIRTQ_INDIRECT_MAX * VIRTQ_DESC_SIZE, IND
	jmp expect_broken
VIRTQ_INDIRECT_MAX equ 256

; ---- the verdicts ----

; read_one - the header is set: read one sector into DATA, print the
; status, then a plain read.
read_one:
	desc 0, HDR, BLK_HEADER_SIZE, NEXT | VIRTQ_NEXT * 1
	desc 1, DATA, SECTOR_SIZE, W | NEXT | VIRTQ_NEXT * 2
	desc 2, STATUS, 1, W
	call submit
	jmp plain_read

; expect_label - after a read of sector 0 into DATA: it holds the label.
expect_label:
	call print_label
	jmp plain_read

; expect_untouched - the first ECX bytes of DATA still hold the pattern.
expect_untouched:
	mov rdi, DATA
	mov al, PATTERN
	repe scasb
	mov rsi, touched
	jne fail
	mov rsi, untouched
	call puts
	jmp plain_read

; plain_read - the VM and the device run on: sector 0 read the usual
; way (virtio_blk.inc) holds the label.
plain_read:
	mov eax, VIRTIO_BLK_T_IN
	xor r8d, r8d
	mov r9d, DATA
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov rsi, read_failed
	test eax, eax
	jnz fail
	call check_label
	mov rsi, plain_ok
	call puts
	exit_with 0

; expect_broken - offer the chain at descriptor 0 (expect_broken_head:
; at R13D): the device must not answer, and must need a reset; then a
; reset, and a plain read.
expect_broken:
	xor r13d, r13d
expect_broken_head:
	mov byte [STATUS], BLK_NO_ANSWER
	mov eax, r13d
	call virtq_submit
	mov rsi, answered
	jnc fail
	cmp byte [STATUS], BLK_NO_ANSWER
	jne fail
	call virtio_report_needs_reset
	jc .not_reset
	xor eax, eax
	call virtio_init
	mov rsi, refused
	jc fail
	jmp plain_read
.not_reset:
	exit_with 1

; submit - offer the chain at descriptor 0 and print the status byte it
; got back. submit_raw - only offer it; EAX = the used length.
submit:
	mov byte [STATUS], BLK_NO_ANSWER
	call submit_raw
	movzx eax, byte [STATUS]
	jmp print_status
submit_raw:
	xor eax, eax
	call virtq_submit
	mov rsi, not_used
	jc fail
	ret

; set_header - type EAX, sector 0; set_header_sector: sector R8.
set_header:
	xor r8d, r8d
set_header_sector:
	mov [HDR], eax
	mov dword [HDR + 4], 0
	mov [HDR + 8], r8
	ret

; fill_pattern - DATA's first sector full of PATTERN.
fill_pattern:
	mov rdi, DATA
	mov al, PATTERN
	mov ecx, SECTOR_SIZE
	rep stosb
	ret

; check_label - DATA begins with the disk's label, or fail.
check_label:
	mov rsi, DATA
	mov rdi, disk_label
	mov ecx, LABEL_LEN
	repe cmpsb
	mov rsi, wrong_data
	jne fail
	ret

; print_label - after check_label: "data: kvmbook test disk".
print_label:
	call check_label
	mov rsi, data_label
	call puts
	mov rsi, disk_label
	jmp puts

; print_status - "status: " and the name of the status byte in AL.
print_status:
	mov rsi, status_label
	push rax
	call puts
	pop rax
	mov rsi, s_ok
	cmp al, VIRTIO_BLK_S_OK
	je puts
	mov rsi, s_ioerr
	cmp al, VIRTIO_BLK_S_IOERR
	je puts
	mov rsi, s_unsupp
	cmp al, VIRTIO_BLK_S_UNSUPP
	je puts
	mov rsi, s_none
	cmp al, BLK_NO_ANSWER
	je puts
	call print_hex8
	mov rsi, newline
	jmp puts

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "decimal.inc"
%include "virtio.inc"
%include "virtio_blk.inc"
%include "variant.inc"

variants:
	dq v_zero_length, zero_length
	dq v_zero_length_at_end, zero_length_at_end
	dq v_header_split, header_split
	dq v_status_in_data, status_in_data
	dq v_header_with_data, header_with_data
	dq v_chain_of_8, chain_of_8
	dq v_in_readable_data, in_readable_data
	dq v_out_writable_data, out_writable_data
	dq v_getid_readable, getid_readable
	dq v_in_mixed_data, in_mixed_data
	dq v_unknown_type, unknown_type
	dq v_sector_2_55, sector_2_55
	dq v_in_partial_sector, in_partial_sector
	dq v_header_writable, header_writable
	dq v_status_readable, status_readable
	dq v_no_status, no_status
	dq v_short_header, short_header
	dq v_next_out_of_range, next_out_of_range
	dq v_head_out_of_range, head_out_of_range
	dq v_self_loop, self_loop
	dq v_buffer_past_end, buffer_past_end
	dq v_buffer_len_4g, buffer_len_4g
	dq v_buffer_at_2_64, buffer_at_2_64
	dq v_indirect, indirect
	dq v_indirect_write_flag, indirect_write_flag
	dq v_indirect_unaligned_8, indirect_unaligned_8
	dq v_indirect_unaligned_1, indirect_unaligned_1
	dq v_indirect_after_direct, indirect_after_direct
	dq v_indirect_16_entries, indirect_16_entries
	dq v_indirect_with_next, indirect_with_next
	dq v_indirect_nested, indirect_nested
	dq v_indirect_no_feature, indirect_no_feature
	dq v_indirect_len_0, indirect_len_0
	dq v_indirect_len_24, indirect_len_24
	dq v_indirect_next_out_of_range, indirect_next_out_of_range
	dq v_indirect_past_end, indirect_past_end
	dq v_indirect_4g, indirect_4g
	dq 0

v_zero_length:        db "zero-length", 0
v_zero_length_at_end: db "zero-length-at-end", 0
v_header_split:       db "header-split", 0
v_status_in_data:     db "status-in-data", 0
v_header_with_data:   db "header-with-data", 0
v_chain_of_8:         db "chain-of-8", 0
v_in_readable_data:   db "in-readable-data", 0
v_out_writable_data:  db "out-writable-data", 0
v_getid_readable:     db "getid-readable", 0
v_in_mixed_data:      db "in-mixed-data", 0
v_unknown_type:       db "unknown-type", 0
v_sector_2_55:        db "sector-2^55", 0
v_in_partial_sector:  db "in-partial-sector", 0
v_header_writable:    db "header-writable", 0
v_status_readable:    db "status-readable", 0
v_no_status:          db "no-status", 0
v_short_header:       db "short-header", 0
v_next_out_of_range:  db "next-out-of-range", 0
v_head_out_of_range:  db "head-out-of-range", 0
v_self_loop:          db "self-loop", 0
v_buffer_past_end:    db "buffer-past-end", 0
v_buffer_len_4g:      db "buffer-len-4g", 0
v_buffer_at_2_64:     db "buffer-at-2^64", 0
v_indirect:           db "indirect", 0
v_indirect_write_flag: db "indirect-write-flag", 0
v_indirect_unaligned_8: db "indirect-unaligned-8", 0
v_indirect_unaligned_1: db "indirect-unaligned-1", 0
v_indirect_after_direct: db "indirect-after-direct", 0
v_indirect_16_entries: db "indirect-16-entries", 0
v_indirect_with_next: db "indirect-with-next", 0
v_indirect_nested:    db "indirect-nested", 0
v_indirect_no_feature: db "indirect-no-feature", 0
v_indirect_len_0:     db "indirect-len-0", 0
v_indirect_len_24:    db "indirect-len-24", 0
v_indirect_next_out_of_range: db "indirect-next-out-of-range", 0
v_indirect_past_end:  db "indirect-past-end", 0
v_indirect_4g:        db "indirect-4g", 0

disk_label:   db "kvmbook test disk", 10, 0
sector1_text: db "header and data in one buffer", 10
sector1_len   equ $ - sector1_text
data_label:   db "data: ", 0
status_label: db "status: ", 0
used_len:     db "used len: ", 0
s_ok:         db "ok", 10, 0
s_ioerr:      db "ioerr", 10, 0
s_unsupp:     db "unsupp", 10, 0
s_none:       db "no answer", 10, 0
newline:      db 10, 0
untouched:    db "device-readable bytes untouched: yes", 10, 0
plain_ok:     db "then a plain read: ok", 10, 0
no_disk:      db "no virtio-blk device", 10, 0
refused:      db "the device refused our features", 10, 0
no_indirect:  db "the device does not offer VIRTIO_RING_F_INDIRECT_DESC", 10, 0
not_used:     db "the device did not return the request", 10, 0
answered:     db "the device answered a chain that is not a request", 10, 0
touched:      db "the device wrote into a device-readable buffer", 10, 0
read_failed:  db "a plain read of sector 0 failed", 10, 0
wrong_data:   db "sector 0 does not hold the disk's label", 10, 0
