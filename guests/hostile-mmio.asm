; hostile-mmio.asm - a virtio-mmio register page swept at every offset
; and width, read and written, in every device status.
;
; Attacks: the transport's register decoder. The guest reads every
; offset of a block device's page from 0x000 to 0x1ff with loads of 1,
; 2, 4 and 8 bytes, and compares each with what the device must
; answer; then stores all ones there at every width except the 32-bit
; stores to writable registers (every narrow, wide and misaligned store,
; every store to a read-only or reserved register and to the config
; space); then reads everything again, which must not have changed. It
; does so in each device status: 0 (reset), ACKNOWLEDGE, DRIVER,
; FEATURES_OK, DRIVER_OK with queue 0 ready (and a request after the
; writes), DEVICE_NEEDS_RESET (after a chain with a buffer outside RAM)
; and FAILED. Once, it sweeps the rest of the page (0x200-0xfff) the
; same way, reads across the page's end (KVM splits such a load into
; one access per page, each answered by its own page) and past the last
; device, and stores all ones into every register, the writable ones
; included; a reset must bring the device back.
;
; What the device must answer (virtio 1.2, 4.2.2): MagicValue "virt",
; Version 2, DeviceID 2; VendorID, DeviceFeatures, QueueNumMax and
; ConfigGeneration as first read (none of them changes here); Status as
; the driver set it (with NEEDS_RESET when the device broke);
; InterruptStatus 0, or 2 (configuration change) once it broke;
; QueueReady 1 while queue 0 is live; SHMLenLow/High and
; SHMBaseLow/High all ones for the shared memory region 0 that does not
; exist ("a length of -1", "a base address of 0xffffffffffffffff").
; What the VMM documents: registers answer 32-bit aligned accesses only,
; others read 0 and are ignored, as are reserved offsets and write-only
; registers (read 0); the config space answers any width, read-only, as
; its 32-bit reads show it; past the config space the page reads 0.
; What appendix A says: an address no device has reads all ones.
;
; Run with --disk FILE --rng -m 16M (the disk device 0, the entropy
; device 1, nothing at device 2). Expected: stdout
;   status 00: reads as specified, before and after ignored writes
;   status 01: (the same), status 03: (the same), status 0b: (the same)
;   status 0f: (the same)
;   request after the writes: ok
;   0x200-0xfff: reads 0, writes ignored; across into the next page:
;   each page's part; past the devices and the window: all ones
;   status 4f: (the same)
;   after all ones into every register and a reset: request ok
;   status 83: (the same)
; status 0, and on stderr the one line "vmm: virtio-blk (device 0): a
; buffer lies outside guest RAM; device needs reset". A read that is
; not as specified is reported with its offset, width and value, and
; the count of such reads in that sweep; the guest goes on and ends
; with status 1.

	bits 64
	org 0x100000

%include "guest.inc"

PAGE        equ VIRTIO_MMIO_SIZE
CONFIG_END  equ 0x200		; the guest's sweep of the config space
CFG_REF     equ 0x300000	; the config space as 32-bit reads show it
REG_EXP     equ 0x301000	; each register's expected 32-bit value
RAM_END     equ 0x1000000	; -m 16M
DATA        equ 0x210000
SHM_NONE    equ 0xffffffff	; SHMLen and SHMBase of a missing region
WINDOW_END  equ VIRTIO_MMIO_BASE + VIRTIO_MMIO_SLOTS * VIRTIO_MMIO_SIZE
; The device statuses swept (2.1), as the driver brings the device up.
S_ACK       equ VIRTIO_S_ACKNOWLEDGE
S_DRIVER    equ S_ACK | VIRTIO_S_DRIVER
S_FEATURES  equ S_DRIVER | VIRTIO_S_FEATURES_OK
S_LIVE      equ S_FEATURES | VIRTIO_S_DRIVER_OK
S_BROKEN    equ S_LIVE | VIRTIO_S_NEEDS_RESET
S_FAILED    equ S_DRIVER | VIRTIO_S_FAILED

start:
	mov eax, VIRTIO_ID_BLOCK
	call virtio_find
	mov rsi, no_disk
	jc fail
	xor r15d, r15d			; sweeps that went wrong
	call capture

	mov dword [r12 + VIRTIO_REG_STATUS], 0		; 00
	xor eax, eax
	call sweep_state
	mov dword [r12 + VIRTIO_REG_STATUS], S_ACK		; 01
	mov eax, S_ACK
	call sweep_state
	mov dword [r12 + VIRTIO_REG_STATUS], S_DRIVER		; 03
	mov eax, S_DRIVER
	call sweep_state
	xor eax, eax					; 0b
	call virtio_negotiate
	mov rsi, refused
	jc fail
	mov eax, S_FEATURES
	call sweep_state

	xor eax, eax					; 0f
	call virtio_init
	mov rsi, refused
	jc fail
	call plain_read
	mov byte [exp_ready], 1
	mov eax, S_LIVE
	call sweep_state
	call plain_read
	mov rsi, request_ok
	call puts
	call sweep_rest

	mov eax, VIRTIO_BLK_T_IN			; 4f
	xor r8d, r8d
	mov r9d, RAM_END
	mov r10d, SECTOR_SIZE
	mov r11d, VIRTQ_DESC_F_WRITE
	call blk_request
	mov byte [exp_interrupt], VIRTIO_INT_CONFIG
	mov eax, S_BROKEN
	call sweep_state

	xor ebx, ebx			; all ones into every register
.all_ones:
	mov dword [r12 + rbx], 0xffffffff
	add ebx, 4
	cmp ebx, VIRTIO_REG_CONFIG
	jb .all_ones
	xor eax, eax
	call virtio_init
	mov rsi, refused
	jc fail
	call plain_read
	mov rsi, all_ones_ok
	call puts

	mov dword [r12 + VIRTIO_REG_STATUS], 0		; 83
	mov dword [r12 + VIRTIO_REG_STATUS], S_DRIVER
	mov dword [r12 + VIRTIO_REG_STATUS], S_FAILED
	mov byte [exp_ready], 0
	mov byte [exp_interrupt], 0
	mov eax, S_FAILED
	call sweep_state

	test r15d, r15d
	jnz .wrong
	exit_with 0
.wrong:
	exit_with 1

; capture - what the device says of itself, read once as a driver
; would: VendorID, DeviceFeatures bits 0-31, QueueNumMax of queue 0,
; ConfigGeneration, and the config space, 32 bits at a time.
capture:
	mov eax, [r12 + 0x00c]
	mov [vendor], eax
	mov dword [r12 + VIRTIO_REG_DEVICE_FEATURES_SEL], 0
	mov eax, [r12 + VIRTIO_REG_DEVICE_FEATURES]
	mov [features], eax
	mov dword [r12 + VIRTIO_REG_QUEUE_SEL], 0
	mov eax, [r12 + VIRTIO_REG_QUEUE_NUM_MAX]
	mov [queue_num_max], eax
	mov eax, [r12 + CONFIG_GENERATION]
	mov [generation], eax
	mov ebx, VIRTIO_REG_CONFIG
.config:
	mov eax, [r12 + rbx]
	mov [CFG_REF + rbx - VIRTIO_REG_CONFIG], eax
	add ebx, 4
	cmp ebx, CONFIG_END
	jb .config
	ret
CONFIG_GENERATION equ 0x0fc

; sweep_state - in device status EAX: fill in what each register must
; read, read the page's registers and config space at every width,
; store all ones wherever the store must be ignored, and read again.
sweep_state:
	mov [exp_status], al
	call expect_registers
	; the selectors a driver leaves as it likes: word 0, queue 0
	mov dword [r12 + VIRTIO_REG_DEVICE_FEATURES_SEL], 0
	mov dword [r12 + VIRTIO_REG_QUEUE_SEL], 0
	xor ebx, ebx
	mov r13d, CONFIG_END
	call read_range
	mov r14d, eax			; what went wrong before the writes
	xor ebx, ebx
	mov r13d, CONFIG_END
	call write_range
	xor ebx, ebx
	mov r13d, CONFIG_END
	call read_range
	or eax, r14d
	jnz .wrong
	mov rsi, status_label
	call puts
	mov al, [exp_status]
	call print_hex8
	mov rsi, state_ok
	jmp puts
.wrong:
	inc r15d
	ret

; expect_registers - REG_EXP[offset / 4] for every register offset:
; 0 but for the registers that read something.
expect_registers:
	mov rdi, REG_EXP
	xor eax, eax
	mov ecx, VIRTIO_REG_CONFIG / 4
	rep stosd
	mov dword [REG_EXP + VIRTIO_REG_MAGIC], VIRTIO_MAGIC
	mov dword [REG_EXP + VIRTIO_REG_VERSION], VIRTIO_VERSION
	mov dword [REG_EXP + VIRTIO_REG_DEVICE_ID], VIRTIO_ID_BLOCK
	mov eax, [vendor]
	mov [REG_EXP + 0x00c], eax
	mov eax, [features]
	mov [REG_EXP + VIRTIO_REG_DEVICE_FEATURES], eax
	mov eax, [queue_num_max]
	mov [REG_EXP + VIRTIO_REG_QUEUE_NUM_MAX], eax
	movzx eax, byte [exp_ready]
	mov [REG_EXP + VIRTIO_REG_QUEUE_READY], eax
	movzx eax, byte [exp_interrupt]
	mov [REG_EXP + VIRTIO_REG_INTERRUPT_STATUS], eax
	movzx eax, byte [exp_status]
	mov [REG_EXP + VIRTIO_REG_STATUS], eax
	mov dword [REG_EXP + SHM_LEN_LOW], SHM_NONE
	mov dword [REG_EXP + SHM_LEN_HIGH], SHM_NONE
	mov dword [REG_EXP + SHM_BASE_LOW], SHM_NONE
	mov dword [REG_EXP + SHM_BASE_HIGH], SHM_NONE
	mov eax, [generation]
	mov [REG_EXP + CONFIG_GENERATION], eax
	ret
SHM_LEN_LOW   equ 0x0b0
SHM_LEN_HIGH  equ 0x0b4
SHM_BASE_LOW  equ 0x0b8
SHM_BASE_HIGH equ 0x0bc

; read_range - every offset from EBX up to R13D at every width whose
; load stays inside the page, compared with `expected`. Out: EAX = how
; many differed; the first is printed.
read_range:
	xor r10d, r10d
.offset:
	mov r8d, 1
.width:
	lea eax, [ebx + r8d]
	cmp eax, PAGE
	ja .next_offset
	call load
	mov r9, rax
	call expected
	cmp r9, rax
	je .next_width
	test r10d, r10d
	jnz .counted
	call report
.counted:
	inc r10d
.next_width:
	shl r8d, 1
	cmp r8d, 8
	jbe .width
.next_offset:
	inc ebx
	cmp ebx, r13d
	jb .offset
	test r10d, r10d
	jz .done
	mov rsi, count_label
	call puts
	mov eax, r10d
	call print_dec
	mov rsi, newline
	call puts
.done:
	mov eax, r10d
	ret

; write_range - all ones stored at every offset from EBX up to R13D at
; every width whose store must be ignored (all but the 32-bit aligned
; stores to writable registers) and stays inside the page.
write_range:
.offset:
	mov r8d, 1
.width:
	lea eax, [ebx + r8d]
	cmp eax, PAGE
	ja .next_offset
	call writable
	je .next_width
	mov rax, -1
	call store
.next_width:
	shl r8d, 1
	cmp r8d, 8
	jbe .width
.next_offset:
	inc ebx
	cmp ebx, r13d
	jb .offset
	ret

; writable - ZF set if the store of R8D bytes at EBX is a 32-bit
; aligned store to a register the driver may write.
writable:
	cmp r8d, 4
	jne .done
	test bl, 3
	jnz .done
	cmp ebx, VIRTIO_REG_CONFIG
	jae .no
	mov rsi, writable_registers
.next:
	lodsw
	cmp ax, 0xffff
	je .no
	cmp ax, bx
	jne .next
.done:
	ret
.no:
	or eax, 1			; ZF clear
	ret

; load - RAX = the R8D-byte load at R12 + RBX, zero-extended.
load:
	cmp r8d, 2
	jb .byte
	je .word
	cmp r8d, 4
	je .dword
	mov rax, [r12 + rbx]
	ret
.byte:
	movzx eax, byte [r12 + rbx]
	ret
.word:
	movzx eax, word [r12 + rbx]
	ret
.dword:
	mov eax, [r12 + rbx]
	ret

; store - the R8D low bytes of RAX stored at R12 + RBX.
store:
	cmp r8d, 2
	jb .byte
	je .word
	cmp r8d, 4
	je .dword
	mov [r12 + rbx], rax
	ret
.byte:
	mov [r12 + rbx], al
	ret
.word:
	mov [r12 + rbx], ax
	ret
.dword:
	mov [r12 + rbx], eax
	ret

; expected - RAX = what the R8D-byte load at offset RBX must read.
expected:
	lea eax, [ebx + r8d]
	cmp ebx, VIRTIO_REG_CONFIG
	jae .config
	cmp r8d, 4
	jne .zero
	test bl, 3
	jnz .zero
	mov eax, [REG_EXP + rbx]
	ret
.config:
	cmp eax, CONFIG_END
	ja .zero
	mov rax, [CFG_REF + rbx - VIRTIO_REG_CONFIG]
	and rax, [width_mask + r8 * 8]
	ret
.zero:
	xor eax, eax
	ret

; report - the load of R8D bytes at RBX read R9, not RAX. Clobbers
; rax, rcx, rdx, rsi.
report:
	push rbx
	push rax
	mov rsi, status_label
	call puts
	mov al, [exp_status]
	call print_hex8
	mov rsi, offset_label
	call puts
	mov eax, ebx
	call print_hex32
	mov rsi, width_label
	call puts
	mov eax, r8d
	call print_dec
	mov rsi, got_label
	call puts
	mov rax, r9
	call print_hex64
	mov rsi, expected_label
	call puts
	pop rax
	call print_hex64
	mov rsi, newline
	call puts
	pop rbx
	ret

; sweep_rest - the rest of the page (0x200-0xfff) read, written and
; read again, every width: 0; loads across the page's end into device
; 1's; then loads past the devices and across the window's end, where no
; device is: all ones.
sweep_rest:
	mov ebx, CONFIG_END
	mov r13d, PAGE
	call read_range
	mov r14d, eax
	mov ebx, CONFIG_END
	mov r13d, PAGE
	call write_range
	mov ebx, CONFIG_END
	mov r13d, PAGE
	call read_range
	or r14d, eax
	mov ebx, PAGE - 1		; loads that cross the page's end
	mov r8d, 2
	xor ecx, ecx
	call across
	mov ebx, PAGE - 2
	mov r8d, 4
	xor ecx, ecx
	call across
	mov ebx, PAGE - 4
	mov r8d, 8
	mov rcx, VIRTIO_MAGIC << 32	; 0 here, then device 1's MagicValue
	call across
	mov r9, VIRTIO_MMIO_BASE + 2 * VIRTIO_MMIO_SIZE	; no device 2
	call nobody
	mov r9, WINDOW_END - 4				; across the window's end
	call nobody
	mov r9, WINDOW_END
	call nobody
	test r14d, r14d
	jnz .wrong
	mov rsi, rest_ok
	jmp puts
.wrong:
	inc r15d
	ret

; across - the R8D-byte load at R12 + RBX, which crosses into the next
; page, reads RCX, or count it. KVM splits such a load into one access
; per page, each answered by its own page: here 0 past device 0's
; config space, then device 1's registers as its offset 0 answers a
; load of that width.
across:
	push rcx
	call load
	pop rcx
	cmp rax, rcx
	je .ok
	mov r9, rax
	mov rax, rcx
	call report
	inc r14d
.ok:
	ret

; nobody - 8-byte and 1-byte loads at R9 read all ones, or count it.
nobody:
	mov rax, [r9]
	cmp rax, -1
	jne .wrong
	movzx eax, byte [r9]
	cmp eax, 0xff
	je .ok
.wrong:
	mov rsi, nobody_label
	call puts
	mov rax, r9
	call print_hex64
	mov rsi, newline
	call puts
	inc r14d
.ok:
	ret

; plain_read - sector 0 read through the queue holds the disk's label.
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
	mov rsi, DATA
	mov rdi, disk_label
	mov ecx, disk_label_len
	repe cmpsb
	mov rsi, read_failed
	jne fail
	ret

; fail - print the message at RSI and end with status 1.
fail:
	call puts
	exit_with 1

%include "console.inc"
%include "decimal.inc"
%include "virtio.inc"
%include "virtio_blk.inc"

; The registers a driver writes (4.2.2), 32-bit stores to which change
; the device: a store of all ones to them is not made in the sweeps.
writable_registers:
	dw VIRTIO_REG_DEVICE_FEATURES_SEL, VIRTIO_REG_DRIVER_FEATURES
	dw VIRTIO_REG_DRIVER_FEATURES_SEL, VIRTIO_REG_QUEUE_SEL
	dw VIRTIO_REG_QUEUE_NUM, VIRTIO_REG_QUEUE_READY, VIRTIO_REG_QUEUE_NOTIFY
	dw VIRTIO_REG_INTERRUPT_ACK, VIRTIO_REG_STATUS
	dw VIRTIO_REG_QUEUE_DESC_LOW, VIRTIO_REG_QUEUE_DESC_HIGH
	dw VIRTIO_REG_QUEUE_AVAIL_LOW, VIRTIO_REG_QUEUE_AVAIL_HIGH
	dw VIRTIO_REG_QUEUE_USED_LOW, VIRTIO_REG_QUEUE_USED_HIGH
	dw 0x0ac			; SHMSel
	dw 0x0c0			; QueueReset (with VIRTIO_F_RING_RESET)
	dw 0xffff

	align 8
width_mask: dq 0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, -1
vendor:        dd 0
features:      dd 0
queue_num_max: dd 0
generation:    dd 0
exp_status:    db 0
exp_ready:     db 0
exp_interrupt: db 0

disk_label:     db "kvmbook test disk", 10
disk_label_len  equ $ - disk_label
status_label:   db "status ", 0
state_ok:       db ": reads as specified, before and after ignored writes", 10, 0
request_ok:     db "request after the writes: ok", 10, 0
all_ones_ok:    db "after all ones into every register and a reset: request ok", 10, 0
rest_ok:        db "0x200-0xfff: reads 0, writes ignored; across into the next "
                db "page: each page's part; past the devices and the window: "
                db "all ones", 10, 0
offset_label:   db ": offset 0x", 0
width_label:    db " width ", 0
got_label:      db ": read 0x", 0
expected_label: db ", expected 0x", 0
count_label:    db "  reads not as specified in this sweep: ", 0
nobody_label:   db "not all ones where no device is: 0x", 0
newline:        db 10, 0
no_disk:        db "no virtio-blk device", 10, 0
refused:        db "the device refused our features", 10, 0
read_failed:    db "a read of sector 0 failed", 10, 0
