; 02-paging32.asm - turning on 32-bit paging with 4 KiB pages.
;
; Demonstrates: a page directory and page tables built by the guest
; itself. The first 4 MiB are identity-mapped (virtual = physical), so
; the code keeps running when paging comes on; one more page table maps
; virtual 0x40000000 onto the physical page that holds `remapped`, and
; the guest reads the string back through that second address.
; (Intel SDM Vol. 3A, 4.3 32-Bit Paging: CR3 -> page directory (1024
; PDEs, bits 31:22) -> page table (1024 PTEs, bits 21:12) -> 4 KiB page.)
;
; Expected: stdout
;   "cr0.pg=1\nread through 0x40000000: hello from a remapped page\n",
; status 0.

	bits 32
	org 0x100000

%include "guest.inc"

CR0_PG       equ 1 << 31
PTE_PRESENT  equ 1 << 0
PTE_WRITABLE equ 1 << 1
PAGE_SIZE    equ 4096
TABLE_SIZE   equ 1024		; entries in a page directory or table
PAGE_DIR     equ 0x200000	; the tables live in free RAM at 2 MiB
PT_LOW       equ PAGE_DIR + PAGE_SIZE
PT_ALIAS     equ PAGE_DIR + 2 * PAGE_SIZE
ALIAS        equ 0x40000000
LOW_MAPPED   equ TABLE_SIZE * PAGE_SIZE	; 4 MiB

start:
	mov esp, LOW_MAPPED	; RAM's top is not mapped: keep the stack low

	; Zero the directory and both tables.
	mov edi, PAGE_DIR
	mov ecx, 3 * TABLE_SIZE
	xor eax, eax
	rep stosd

	; PT_LOW: page i -> physical i * 4 KiB, for the first 4 MiB.
	mov edi, PT_LOW
	mov eax, PTE_PRESENT | PTE_WRITABLE
	mov ecx, TABLE_SIZE
.fill:
	stosd
	add eax, PAGE_SIZE
	loop .fill

	; PT_ALIAS: its first page -> the page holding `remapped`.
	mov dword [PT_ALIAS], remapped + PTE_PRESENT + PTE_WRITABLE

	; The directory: entry 0 covers 0-4 MiB, entry ALIAS >> 22 the alias.
	mov dword [PAGE_DIR], PT_LOW + PTE_PRESENT + PTE_WRITABLE
	mov dword [PAGE_DIR + (ALIAS >> 22) * 4], PT_ALIAS + PTE_PRESENT + PTE_WRITABLE

	mov eax, PAGE_DIR
	mov cr3, eax
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax		; paging on
	jmp .paged		; the SDM asks for a jump right after
.paged:
	mov esi, pg_message
	call puts
	mov eax, cr0		; read back: is PG set?
	shr eax, 31		; PG is bit 31
	add al, '0'
	mov dx, COM1
	out dx, al
	mov esi, alias_message
	call puts
	mov esi, ALIAS		; the same bytes, through the new mapping
	call puts
	exit_with 0

%include "console.inc"

pg_message:    db "cr0.pg=", 0
alias_message: db 10, "read through 0x40000000: ", 0

	align PAGE_SIZE
remapped: db "hello from a remapped page", 10, 0
