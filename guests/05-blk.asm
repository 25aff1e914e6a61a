; 05-blk.asm - a virtio-blk driver: find the disk, bring it up, read,
; write, flush, identify.
;
; Demonstrates: chapter 05's virtio-mmio transport and virtio-blk. The
; guest probes the eight device slots from 0xd0000000 for the magic
; "virt" and names each device's type; brings the first disk up (reset,
; ACKNOWLEDGE, DRIVER, features: VERSION_1 plus FLUSH and RO if offered,
; FEATURES_OK, queue 0, DRIVER_OK); reads its capacity from config
; space; reads sector 0 and prints its first line; writes a pattern to
; sector 1, FLUSHes, reads it back into another buffer and compares;
; asks the disk's ID (the file's name) with GET_ID; and reads the sector
; just past the end, which must fail with IOERR. On a read-only disk
; (FILE,ro: the device offers VIRTIO_BLK_F_RO) the write must fail with
; IOERR instead, and nothing is flushed or compared.
; (virtio 1.2, 4.2 virtio over MMIO, 5.2 Block Device.)
;
; Expected, run with `--disk disk.img` where disk.img has 64 sectors and
; sector 0 begins "kvmbook test disk\n":
;   virtio device 0: id 2
;   capacity: 64 sectors
;   sector 0: kvmbook test disk
;   sector 1 verified
;   id: disk.img
;   past end: ioerr
; status 0, and sector 1 of disk.img holds "ABC...XYZABC..." (the
; alphabet over and over). With `--disk disk.img,ro`, the fourth line
; is replaced by "read-only disk: write refused" and the file is left
; alone. With more devices (--rng first), one "virtio device N: id D"
; line per device, and the disk is the first one with id 2.
; Any other answer prints what went wrong and exits with status 1.

	bits 64
	org 0x100000

%include "guest.inc"

READ_BUF  equ 0x210000		; sector 0, then the past-the-end attempt
CHECK_BUF equ 0x211000		; sector 1, read back
ID_BUF    equ 0x212000		; GET_ID's answer, NUL-terminated by us

start:
	call list_devices
	mov eax, VIRTIO_ID_BLOCK
	call virtio_find
	mov rsi, no_disk
	jc fail
	mov eax, VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO
	call virtio_init
	mov rsi, refused
	jc fail
	mov r13d, eax			; the accepted features

	; Capacity: config space, a 64-bit count of 512-byte sectors.
	mov r14d, [r12 + VIRTIO_REG_CONFIG + VIRTIO_BLK_CFG_CAPACITY]
	mov eax, [r12 + VIRTIO_REG_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4]
	shl rax, 32
	or r14, rax
	mov rsi, capacity_label
	call puts
	mov eax, r14d
	call print_dec
	mov rsi, sectors_label
	call puts

	; Sector 0: print its first line.
	mov eax, VIRTIO_BLK_T_IN
	xor r8d, r8d
	mov r9d, READ_BUF
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov rsi, read_failed
	test eax, eax
	jnz fail
	mov rsi, sector0_label
	call puts
	mov rsi, READ_BUF
	call print_line

	; Sector 1: write the pattern. A read-only disk must refuse.
	mov eax, VIRTIO_BLK_T_OUT
	mov r8d, 1
	mov r9, pattern
	mov r10d, SECTOR_SIZE
	xor r11d, r11d
	call blk_request
	test r13d, VIRTIO_BLK_F_RO
	jnz .readonly
	mov rsi, write_failed
	test eax, eax
	jnz fail
	call flush_and_verify
	jmp .identify
.readonly:
	mov rsi, ro_write_not_refused
	cmp eax, VIRTIO_BLK_S_IOERR
	jne fail
	mov rsi, ro_refused
	call puts

.identify:
	mov qword [ID_BUF + 16], 0	; 20 bytes of ID, then NUL
	mov eax, VIRTIO_BLK_T_GET_ID
	xor r8d, r8d
	mov r9d, ID_BUF
	mov r10d, BLK_ID_BYTES
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov rsi, id_failed
	test eax, eax
	jnz fail
	mov rsi, id_label
	call puts
	mov rsi, ID_BUF
	call puts
	mov al, 10
	out dx, al

	; The sector just past the end: IOERR, not data.
	mov eax, VIRTIO_BLK_T_IN
	mov r8, r14
	mov r9d, READ_BUF
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov rsi, past_end_read
	cmp eax, VIRTIO_BLK_S_IOERR
	jne fail
	mov rsi, past_end_ok
	call puts
	exit_with 0

; flush_and_verify - FLUSH, then read sector 1 back and compare it with
; the pattern written.
flush_and_verify:
	mov eax, VIRTIO_BLK_T_FLUSH
	xor r8d, r8d
	xor r10d, r10d
	call blk_request
	mov rsi, flush_failed
	test eax, eax
	jnz fail
	mov eax, VIRTIO_BLK_T_IN
	mov r8d, 1
	mov r9d, CHECK_BUF
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov rsi, read_failed
	test eax, eax
	jnz fail
	xor ecx, ecx
.compare:				; eight bytes at a time
	mov rax, [pattern + rcx]
	cmp rax, [CHECK_BUF + rcx]
	mov rsi, mismatch
	jne fail
	add ecx, 8
	cmp ecx, SECTOR_SIZE
	jb .compare
	mov rsi, verified
	jmp puts

; list_devices - "virtio device N: id D" for every slot that answers.
list_devices:
	mov r12d, VIRTIO_MMIO_BASE
	xor r13d, r13d			; slot number
.slot:
	call virtio_present
	jne .next
	mov rsi, device_label
	call puts
	mov eax, r13d
	call print_dec
	mov rsi, id_sep
	call puts
	mov eax, [r12 + VIRTIO_REG_DEVICE_ID]
	call print_dec
	mov al, 10
	out dx, al
.next:
	add r12d, VIRTIO_MMIO_SIZE
	inc r13d
	cmp r13d, VIRTIO_MMIO_SLOTS
	jb .slot
	ret

; print_line - the text at RSI up to its first newline (at most one
; sector), then a newline.
print_line:
	mov ecx, SECTOR_SIZE
	mov dx, COM1
.next:
	lodsb
	cmp al, 10
	je .done
	out dx, al
	loop .next
.done:
	mov al, 10
	out dx, al
	ret

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "decimal.inc"
%include "virtio.inc"
%include "virtio_blk.inc"

device_label:   db "virtio device ", 0
id_sep:         db ": id ", 0
capacity_label: db "capacity: ", 0
sectors_label:  db " sectors", 10, 0
sector0_label:  db "sector 0: ", 0
verified:       db "sector 1 verified", 10, 0
ro_refused:     db "read-only disk: write refused", 10, 0
id_label:       db "id: ", 0
past_end_ok:    db "past end: ioerr", 10, 0
no_disk:        db "no virtio-blk device", 10, 0
refused:        db "the device refused our features", 10, 0
read_failed:    db "read failed", 10, 0
write_failed:   db "write failed", 10, 0
flush_failed:   db "flush failed", 10, 0
mismatch:       db "sector 1 reads back different", 10, 0
ro_write_not_refused: db "read-only disk took a write", 10, 0
id_failed:      db "GET_ID failed", 10, 0
past_end_read:  db "past end: not ioerr", 10, 0

	align 8
pattern:				; sector 1: the alphabet, over and over
%assign i 0
%rep SECTOR_SIZE
	db 'A' + i % 26
%assign i i + 1
%endrep
