; 02-realtoprot.asm - a guest that switches itself to protected mode.
;
; Demonstrates: what a boot loader does, and what `--mode protected` does
; for a guest in one KVM_SET_SREGS. Started in real mode (`--mode real`)
; at 0x7c00, the guest
;   1. loads GDTR with a GDT of its own (lgdt),
;   2. sets CR0.PE: the CPU is now in protected mode, but CS still holds
;      its real-mode hidden part (base 0, 16-bit),
;   3. far-jumps through a code selector: that reloads CS from the GDT, so
;      the code after it runs as 32-bit code,
;   4. loads the data segment registers from the GDT too.
; Interrupts stay off: there is no protected-mode IDT yet.
; (Intel SDM Vol. 3A, 9.9.1 Switching to Protected Mode.)
;
; Expected: stdout "real mode: switching\nprotected mode: cr0.pe=1, 32-bit code\n",
; status 0.

	bits 16
	org 0x7c00

%include "guest.inc"

CR0_PE   equ 1 << 0
CODE_SEL equ gdt.code - gdt	; 0x08
DATA_SEL equ gdt.data - gdt	; 0x10

start:
	; console.inc is assembled as 32-bit code below, so real mode prints
	; with its own little loop.
	mov si, real_message
	mov dx, COM1
.print:
	lodsb
	test al, al
	jz .switch
	out dx, al
	jmp .print
.switch:
	cli
	lgdt [gdt_pointer]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp CODE_SEL:protected	; reloads CS: now 32-bit code

	bits 32
protected:
	mov ax, DATA_SEL
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, 0x7c00		; the stack grows down below the image
	mov esi, pm_message
	call puts
	mov eax, cr0
	and eax, CR0_PE
	add al, '0'
	mov dx, COM1
	out dx, al
	mov esi, pm_tail
	call puts
	exit_with 0

%include "console.inc"

; Flat descriptors: base 0, limit 0xfffff in 4 KiB units (4 GiB),
; G=1, D=1 (32-bit). Intel SDM Vol. 3A, 3.4.5 Segment Descriptors.
	align 8
gdt:
.null:	dq 0
.code:	dq 0x00cf9a000000ffff	; present, DPL 0, code, execute/read
.data:	dq 0x00cf92000000ffff	; present, DPL 0, data, read/write
.end:
gdt_pointer:
	dw gdt.end - gdt - 1	; limit: size in bytes minus one
	dd gdt			; linear base address

real_message: db "real mode: switching", 10, 0
pm_message:   db "protected mode: cr0.pe=", 0
pm_tail:      db ", 32-bit code", 10, 0
