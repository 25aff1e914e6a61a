; hostile-bzimage-old.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: the boot protocol version: 2.11, older than 2.12, the first
; with xloadflags and so the first that can say it has a 64-bit entry
; point. What the VMM must do: refuse it: status 65 and the one line
; "vmm: kernel FILE has no 64-bit entry point (boot protocol 2.11;
; 2.12 and x86-64 needed)".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_VERSION 0x020b

%include "guest.inc"
%include "bzimage.inc"
