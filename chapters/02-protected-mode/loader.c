/*
 * loader.c - loading a flat binary image into guest RAM.
 *
 * A flat image has no header: its bytes are the guest's first
 * instructions, copied as they are to the load address. That is how a
 * PC BIOS loads a boot sector to 0x7c00. Because there is no header to
 * check, the loader checks what it can: the file opens, is a regular
 * file, is not empty, and fits in RAM above the load address.
 */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

/* Reads exactly len bytes or fails; read(2) may return fewer. */
static int read_all(int fd, uint8_t *buf, uint64_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (uint64_t)n;
	}
	return 0;
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
	struct stat st;
	uint8_t *dest;
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer,
	 * for ever if none comes; this way it opens at once and fstat
	 * refuses it. fstat checks the very file we opened, so nothing can
	 * swap it in between, as it could after a stat() of the name. For
	 * the regular file we go on to read, O_NONBLOCK changes nothing
	 * (open(2)). */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int status = 0;

	if (fd < 0) {
		fprintf(stderr, "vmm: cannot open image %s: %s\n", path,
			strerror(errno));
		return EX_NOINPUT;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "vmm: image %s is not a regular file\n", path);
		status = EX_NOINPUT;
	} else if (st.st_size == 0) {
		fprintf(stderr, "vmm: image %s is empty\n", path);
		status = EX_DATAERR;
	} else if (!(dest = guest_ptr(mem, load_addr, (uint64_t)st.st_size))) {
		fprintf(stderr, "vmm: image %s (%lld bytes at 0x%llx) does not "
			"fit in %llu bytes of RAM\n", path, (long long)st.st_size,
			(unsigned long long)load_addr,
			(unsigned long long)mem->size);
		status = EX_DATAERR;
	} else if (read_all(fd, dest, (uint64_t)st.st_size) < 0) {
		fprintf(stderr, "vmm: cannot read image %s\n", path);
		status = EX_NOINPUT;
	}
	close(fd);
	return status;
}
