; 03-cpuid.asm - asking the (virtual) CPU what it is.
;
; Demonstrates: CPUID, and that its answers come from the VMM: chapter
; 3's VMM hands the vCPU KVM's supported CPUID table (KVM_SET_CPUID2),
; so the guest sees the host's vendor and the features KVM can offer.
; Leaf 0 gives the highest basic leaf and the vendor string (in EBX, EDX,
; ECX order); leaf 0x80000001 EDX bit 29 is long mode, which must be set
; since the guest runs in it; leaf 1 ECX bit 31 is set by hypervisors to
; tell a guest it is virtualized (the VMM sets it).
; (Intel SDM Vol. 2A, CPUID: tables 3-8 and 3-10.)
;
; Expected: stdout "vendor: <12 characters>\nlong mode: yes\nhypervisor: yes\n"
; (the vendor is the host's, e.g. GenuineIntel or AuthenticAMD), status 0.

	bits 64
	org 0x100000

%include "guest.inc"

LEAF_VENDOR     equ 0
LEAF_FEATURES   equ 1
LEAF_EXTENDED   equ 0x80000001
BIT_HYPERVISOR  equ 31		; leaf 1, ECX
BIT_LONG_MODE   equ 29		; leaf 0x80000001, EDX

start:
	mov eax, LEAF_VENDOR
	cpuid
	mov [vendor], ebx
	mov [vendor + 4], edx
	mov [vendor + 8], ecx
	mov rsi, vendor_label
	call puts

	mov eax, LEAF_EXTENDED
	cpuid
	mov rsi, long_label
	bt edx, BIT_LONG_MODE
	call yes_or_no

	mov eax, LEAF_FEATURES
	cpuid
	mov rsi, hypervisor_label
	bt ecx, BIT_HYPERVISOR
	call yes_or_no
	exit_with 0

; yes_or_no - print the label at RSI, then "yes" if CF is set, else "no".
yes_or_no:
	mov rbx, yes
	jc .print
	mov rbx, no
.print:
	call puts
	mov rsi, rbx
	jmp puts

%include "console.inc"

vendor_label:     db "vendor: "
vendor:           times 12 db 0
                  db 10, 0
long_label:       db "long mode: ", 0
hypervisor_label: db "hypervisor: ", 0
yes:              db "yes", 10, 0
no:               db "no", 10, 0
