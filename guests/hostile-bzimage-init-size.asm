; hostile-bzimage-init-size.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: init_size, the RAM the kernel needs from where it runs (16
; MiB here): 4 GiB - 1, more than -m can give. What the VMM must do:
; refuse it: status 65 and the one line "vmm: kernel FILE needs 4368
; MiB of RAM, more than -m gives".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_INIT_SIZE 0xffffffff

%include "guest.inc"
%include "bzimage.inc"
