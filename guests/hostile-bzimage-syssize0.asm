; hostile-bzimage-syssize0.asm - a crafted kernel the VMM must refuse
; (chapter 6, --kernel).
;
; Attacks: syssize 0: a protected-mode part of no length, though the
; file goes on; entered at 0x200 into it, the vCPU would run whatever
; lies there. What the VMM must do: refuse it: status 65 and the one
; line "vmm: kernel FILE has no code at its 64-bit entry point
; (syssize 0)".
;
; Every other field is hostile-bzimage-ok's (guests/include/bzimage.inc).
; (Linux Documentation/arch/x86/boot.rst.)

%define BZ_SYSSIZE 0

%include "guest.inc"
%include "bzimage.inc"
