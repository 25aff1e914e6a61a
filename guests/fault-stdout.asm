; fault-stdout.asm - the guest prints on after the VMM's stdout is gone.
;
; Demonstrates: what the VMM does when the far end of its stdout goes
; away while the guest prints, as in `vmm guest.bin | head -1`: the
; guest's bytes are dropped, as a serial line with no cable drops them,
; and the guest runs on (appendix A, "When stdout is gone"). The guest
; prints a first line, then 512 lines of 32 bytes (16 KiB, more than a
; pipe holds once its reader has gone: the VMM's writes then fail with
; EPIPE, SIGPIPE being ignored), and ends with status 42, so its ending
; shows that it ran to the end. Real mode at 0x7c00, plain `out`, so
; every chapter can run it (--mode real from chapter 2).
;
; Expected: stdout begins "fault-stdout: first line\n", then
; "fault-stdout: more of the same.\n" 512 times, as far as stdout takes
; them; stderr empty; status 42, whether stdout is a terminal, a pipe
; whose reader closed it after the first line (tests/faults/), or a
; file that takes no byte (/dev/full: ENOSPC). From chapter 5 the tests
; also run it with a disk it never touches and stdout (or stderr, with
; --stats) closed: status 42, and the disk's file unchanged.

	bits 16
	org 0x7c00

%include "guest.inc"

MORE_LINES equ 512
DONE_STATUS equ 42

start:
	cld
	mov si, first_line
	call puts
	mov bx, MORE_LINES
.line:
	mov si, more_line
	call puts
	dec bx
	jnz .line
	exit_with DONE_STATUS

%include "console.inc"

first_line: db "fault-stdout: first line", 10, 0
more_line:  db "fault-stdout: more of the same.", 10, 0
