; hostile-bzimage-pref-wrap.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: pref_address, where a kernel that is not relocatable runs:
; 2^64 - 1 MiB, with init_size 2 MiB, so that where it runs plus what
; it needs wraps past 2^64 to 1 MiB, an end that would seem to fit in
; any RAM. What the VMM must do: refuse it: status 65 and the one line
; "vmm: kernel FILE runs at 0xfffffffffff00000, beyond any RAM".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_RELOCATABLE 0
%define BZ_PREF_ADDRESS 0xfffffffffff00000
%define BZ_INIT_SIZE 0x200000

%include "guest.inc"
%include "bzimage.inc"
