; hostile-bzimage-setup-sects-0.asm - a crafted kernel that boots
; (chapter 6, --kernel).
;
; Attacks: setup_sects 0, which boot.rst says means 4 (for very old
; kernels' sake): the protected-mode part starts at 5 x 512 bytes, not
; at 512. What the VMM must do: boot it from the right offset: stdout
; "kernel entered with the zero page at 0x10000; command line: 13
; bytes; initrd: 0 bytes\n", status 0, nothing on stderr. Read from
; offset 512 instead, the entry point would be zeros.
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_SETUP_SECTS 0
%define BZ_SETUP_PAD 4

%include "guest.inc"
%include "bzimage.inc"
