/*
 * loader.c - loading files into guest RAM.
 *
 * A flat image has no header: its bytes are the guest's first
 * instructions, copied as they are to the load address. That is how a
 * PC BIOS loads a boot sector to 0x7c00. Because there is no header to
 * check, the loader checks what it can: the file opens, is a regular
 * file, is not empty, and fits in RAM above the load address.
 *
 * A Linux kernel and its initrd are files the VMM reads the same way,
 * piece by piece (bzimage.c, linux.c), so the checks live in helpers
 * that name the file by its role: "image", "kernel", "initrd".
 */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

/*
 * input_open - opens a non-empty regular file for reading. Returns 0
 * with f filled, EX_NOINPUT (66) when it cannot be opened, or EX_DATAERR
 * (65) when it is empty; the one-line reason is already on stderr.
 */
int input_open(struct input_file *f, const char *what, const char *path)
{
	struct stat st;

	*f = (struct input_file){ .what = what, .path = path };
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer,
	 * for ever if none comes; this way it opens at once and fstat
	 * refuses it. fstat checks the very file we opened, so nothing can
	 * swap it in between, as it could after a stat() of the name. For
	 * the regular file we go on to read, O_NONBLOCK changes nothing
	 * (open(2)). */
	f->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (f->fd < 0) {
		fprintf(stderr, "vmm: cannot open %s %s: %s\n", what, path,
			strerror(errno));
		return EX_NOINPUT;
	}
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "vmm: %s %s is not a regular file\n", what, path);
		input_close(f);
		return EX_NOINPUT;
	}
	f->size = (uint64_t)st.st_size;
	if (f->size == 0) {
		fprintf(stderr, "vmm: %s %s is empty\n", what, path);
		input_close(f);
		return EX_DATAERR;
	}
	return 0;
}

void input_close(struct input_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/*
 * input_read - reads exactly len bytes at offset into buf; pread(2) may
 * return fewer. 0, EX_DATAERR when the file ends first (truncated), or
 * EX_NOINPUT on a read error.
 */
int input_read(const struct input_file *f, uint64_t offset, void *buf,
	       uint64_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(f->fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "vmm: cannot read %s %s: %s\n", f->what,
				f->path, strerror(errno));
			return EX_NOINPUT;
		}
		if (n == 0) {
			fprintf(stderr, "vmm: %s %s is truncated\n", f->what, f->path);
			return EX_DATAERR;
		}
		p += n;
		offset += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/*
 * input_load - copies len bytes from offset in the file to guest RAM at
 * gpa. 0, EX_DATAERR when they do not fit in RAM, or input_read's status.
 */
int input_load(const struct input_file *f, uint64_t offset, uint64_t len,
	       const struct guest_memory *mem, uint64_t gpa)
{
	uint8_t *dest = guest_ptr(mem, gpa, len);

	if (!dest) {
		fprintf(stderr, "vmm: %s %s (%llu bytes at 0x%llx) does not "
			"fit in %llu bytes of RAM\n", f->what, f->path,
			(unsigned long long)len, (unsigned long long)gpa,
			(unsigned long long)mem->size);
		return EX_DATAERR;
	}
	return input_read(f, offset, dest, len);
}

/*
 * load_image - copies the file at `path` into guest RAM at `load_addr`.
 * Returns 0, EX_NOINPUT (66) when the file cannot be opened or read, or
 * EX_DATAERR (65) when it is empty or does not fit; the one-line reason
 * is already on stderr.
 */
int load_image(const char *path, const struct guest_memory *mem,
	       uint64_t load_addr)
{
	struct input_file f;
	int status = input_open(&f, "image", path);

	if (status == 0)
		status = input_load(&f, 0, f.size, mem, load_addr);
	input_close(&f);
	return status;
}
