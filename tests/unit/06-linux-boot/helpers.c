/*
 * helpers.c - what the loader tests share: temporary files, stderr
 * captured to check the VMM's one-line messages, little-endian stores,
 * and byte comparisons in guest RAM.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memory.h"
#include "unit.h"


/*
 * Each TCase that reads files gets a temporary directory, made in the
 * parent before its tests fork and emptied after them, so that files
 * a failed test leaves behind are removed too.
 */
char temp_dir[64];

void temp_dir_setup(void)
{
	strcpy(temp_dir, "/tmp/kvmbook-06-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(temp_dir));
}

void temp_dir_teardown(void)
{
	DIR *dir = opendir(temp_dir);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir)) != NULL) {
		char path[sizeof(temp_dir) + sizeof(e->d_name) + 1];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", temp_dir, e->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(temp_dir);
}

/* A new file in temp_dir holding `len` bytes of `data`: its path. */
const char *temp_file(const void *data, size_t len)
{
	static char paths[8][sizeof(temp_dir) + 16];
	static unsigned next;
	char *path = paths[next++ % 8];
	const uint8_t *p = data;
	int fd;

	snprintf(path, sizeof(paths[0]), "%s/f-XXXXXX", temp_dir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		ck_assert_int_gt(n, 0);
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}

/* stderr into a temporary file, to read what the code under test said. */
static FILE *err_capture;
static int err_saved = -1;

void stderr_begin(void)
{
	fflush(stderr);
	err_capture = tmpfile();
	ck_assert_ptr_nonnull(err_capture);
	err_saved = dup(STDERR_FILENO);
	ck_assert_int_ge(err_saved, 0);
	ck_assert_int_ge(dup2(fileno(err_capture), STDERR_FILENO), 0);
}

/* Ends the capture; what was written, NUL-terminated, in text. */
void stderr_end(char *text, size_t size)
{
	size_t n;

	fflush(stderr);
	dup2(err_saved, STDERR_FILENO);
	close(err_saved);
	err_saved = -1;
	rewind(err_capture);
	n = fread(text, 1, size - 1, err_capture);
	text[n] = '\0';
	fclose(err_capture);
}

/* Appendix A: a failure says why in exactly one line, "vmm: ...". */
void expect_one_message(void)
{
	char text[1024];
	const char *nl;

	stderr_end(text, sizeof(text));
	nl = strchr(text, '\n');
	ck_assert_msg(strncmp(text, "vmm: ", 5) == 0 && nl && nl[1] == '\0',
		      "stderr: '%s'", text);
}

/*
 * Ends the capture of a call that must fail: its status first (so that
 * a call that succeeded says so), then its one line of explanation.
 */
void expect_failure(int got, int want, int line)
{
	char text[1024];
	const char *nl;

	stderr_end(text, sizeof(text));
	ck_assert_msg(got == want, "line %d: status %d, not %d", line, got, want);
	nl = strchr(text, '\n');
	ck_assert_msg(strncmp(text, "vmm: ", 5) == 0 && nl && nl[1] == '\0',
		      "line %d: stderr: '%s'", line, text);
}

/* Success is silent. */
void expect_no_message(void)
{
	char text[1024];

	stderr_end(text, sizeof(text));
	ck_assert_msg(text[0] == '\0', "stderr: '%s'", text);
}

void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* got == want, or the first offset where they differ. */
void expect_bytes(const uint8_t *got, const uint8_t *want, size_t len,
			 const char *what)
{
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])  /* ck_assert per byte would be slow */
			ck_abort_msg("%s: byte 0x%zx is 0x%02x, not 0x%02x", what, i,
				     got[i], want[i]);
}

/* Guest RAM [addr, addr + len) is all zero bytes. */
void expect_ram_zero(const struct guest_memory *mem, uint64_t addr,
			    uint64_t len)
{
	const uint8_t *p = guest_ptr(mem, addr, len);

	ck_assert_ptr_nonnull(p);
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != 0)
			ck_abort_msg("RAM at 0x%llx is 0x%02x",
				     (unsigned long long)(addr + i), p[i]);
}

