; hostile-bzimage-no64.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: xloadflags: protocol 2.15, but XLF_KERNEL_64 clear: a
; 32-bit kernel, which a 64-bit entry would crash. What the VMM must
; do: refuse it: status 65 and the one line "vmm: kernel FILE has no
; 64-bit entry point (boot protocol 2.15; 2.12 and x86-64 needed)".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_XLOADFLAGS 0

%include "guest.inc"
%include "bzimage.inc"
