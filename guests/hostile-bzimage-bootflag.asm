; hostile-bzimage-bootflag.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: the boot sector's signature: boot_flag (0x1fe) 0 instead of
; 0xaa55. What the VMM must do: refuse the file as no bzImage: status
; 65 and the one line "vmm: kernel FILE is not a bzImage (no HdrS
; header)".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_BOOT_FLAG 0

%include "guest.inc"
%include "bzimage.inc"
