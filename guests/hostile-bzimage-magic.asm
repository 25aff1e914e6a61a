; hostile-bzimage-magic.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: the setup header's magic: "HdrT" where boot.rst has "HdrS"
; at 0x202. What the VMM must do: refuse the file as no bzImage:
; status 65 and the one line "vmm: kernel FILE is not a bzImage (no
; HdrS header)".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_MAGIC "HdrT"

%include "guest.inc"
%include "bzimage.inc"
