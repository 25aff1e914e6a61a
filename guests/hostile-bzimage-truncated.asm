; hostile-bzimage-truncated.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: syssize, the protected-mode part's length in 16-byte
; paragraphs: it claims 4 KiB more than the file holds, as a kernel
; cut short in a download would. What the VMM must do: refuse it:
; status 65 and the one line "vmm: kernel FILE is truncated".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_EXTRA_PARAGRAPHS 256

%include "guest.inc"
%include "bzimage.inc"
