; hostile-bzimage-short.asm - a crafted kernel cut short inside its
; setup header (chapter 6, --kernel).
;
; Attacks: the reading of the setup header. The file is 0x206 bytes:
; the boot sector's 0xaa55 and the header's "HdrS" are there, the rest
; of the header (version, xloadflags, init_size, ...) is not. What the
; VMM must do: read no further than the file, taking the missing bytes
; as zeros (boot protocol 0.00, no 64-bit entry), and refuse it: status
; 65 and the one line "vmm: kernel FILE has no 64-bit entry point (boot
; protocol 0.00; 2.12 and x86-64 needed)".
; (Linux Documentation/arch/x86/boot.rst.)

	times 0x1fe db 0
	dw 0xaa55		; boot_flag
	db 0xeb, 0x6a		; the jump over the header, as a real one has
	db "HdrS"		; header; and there the file ends
