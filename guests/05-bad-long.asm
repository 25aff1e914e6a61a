; 05-bad-long.asm - an indirect chain longer than its table.
;
; Demonstrates: the bound on indirect chains. The guest negotiates
; VIRTIO_RING_F_INDIRECT_DESC and offers one descriptor (INDIRECT)
; pointing at a table of four entries: header -> data -> data ->
; status, all with NEXT, and the status entry's next leads back to the
; header. Within a table a chain can have at most as many buffers as
; the table has entries; at the fifth step the VMM marks the device
; DEVICE_NEEDS_RESET and raises a configuration-change interrupt, and
; the VM runs on. (05-bad-loop is the same rule for the queue's own
; table.) (virtio 1.2, 2.7.5.3 Indirect Descriptors; 2.1.2.)
;
; Expected, with --disk FILE: stdout "device needs reset: yes\n", status
; 0; stderr the one line "vmm: virtio-blk (device 0): indirect chain
; longer than its table (a loop?); device needs reset". Otherwise a
; message and status 1.

	bits 64
	org 0x100000

%include "guest.inc"

TABLE       equ 0x203000	; the indirect table: 4 entries
TABLE_LEN   equ 4
DATA_BUF    equ 0x210000

start:
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

	mov dword [blk_header], VIRTIO_BLK_T_IN
	mov rdi, TABLE			; 0: the header
	mov rax, blk_header
	mov ecx, BLK_HEADER_SIZE
	mov edx, VIRTQ_DESC_F_NEXT | VIRTQ_NEXT * 1
	call write_desc
	mov rdi, TABLE + VIRTQ_DESC_SIZE	; 1, 2: half a sector each
	mov eax, DATA_BUF
	mov ecx, SECTOR_SIZE / 2
	mov edx, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT | VIRTQ_NEXT * 2
	call write_desc
	mov rdi, TABLE + 2 * VIRTQ_DESC_SIZE
	mov eax, DATA_BUF + SECTOR_SIZE / 2
	mov ecx, SECTOR_SIZE / 2
	mov edx, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT | VIRTQ_NEXT * 3
	call write_desc
	mov rdi, TABLE + 3 * VIRTQ_DESC_SIZE	; 3: the status, then 0 again
	mov rax, blk_status
	mov ecx, 1
	mov edx, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT | VIRTQ_NEXT * 0
	call write_desc
	xor edi, edi			; the queue's descriptor 0: the table
	mov eax, TABLE
	mov ecx, TABLE_LEN * VIRTQ_DESC_SIZE
	mov edx, VIRTQ_DESC_F_INDIRECT
	call virtq_set_desc
	xor eax, eax
	call virtq_submit
	mov rsi, answered
	jnc fail
	call virtio_report_needs_reset
	jc .not_reset
	exit_with 0
.not_reset:
	exit_with 1

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "virtio.inc"
%include "virtio_blk.inc"

no_disk:     db "no virtio-blk device", 10, 0
refused:     db "the device refused our features", 10, 0
no_indirect: db "the disk does not offer indirect descriptors", 10, 0
answered:    db "the device answered an endless indirect chain", 10, 0
