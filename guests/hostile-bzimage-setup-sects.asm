; hostile-bzimage-setup-sects.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: setup_sects: 255 setup sectors (128 KiB), in a file of 1.5
; KiB, so that the protected-mode part would start far past the file's
; end. What the VMM must do: refuse it: status 65 and the one line
; "vmm: kernel FILE is truncated".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_SETUP_SECTS 255
%define BZ_SETUP_PAD 1

%include "guest.inc"
%include "bzimage.inc"
