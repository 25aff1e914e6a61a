; hostile-bzimage-ok.asm - a crafted kernel with nothing wrong in it: the
; yardstick for the hostile-bzimage-* images, which each break it in one
; way.
;
; Demonstrates: what chapter 6's boot loader reads of a bzImage (boot
; protocol 2.15, a 64-bit entry, relocatable, pref_address 16 MiB,
; init_size 64 KiB) and what it hands the kernel: the zero page in RSI,
; the command line it points to, the initrd's size. This image's setup
; header allows a command line of 64 KiB (cmdline_size), so it takes
; far longer ones than Linux's 2047 bytes. (Linux
; Documentation/arch/x86/boot.rst; guests/include/bzimage.inc.)
;
; Expected, as --kernel FILE: stdout "kernel entered with the zero page
; at 0x10000; command line: N bytes; initrd: M bytes\n" (N: 13 for the
; default "console=ttyS0", or the --append given; M: 0, or the size of
; --initrd), status 0, nothing on stderr. A command line longer than
; 64 KiB is refused (64), an initrd that does not fit beside the
; kernel too (65).

%include "guest.inc"
%include "bzimage.inc"
