/*
 * loader.h - loading files into guest RAM.
 */
#ifndef LOADER_H
#define LOADER_H

#include <stdint.h>

#include "memory.h"

/* A file the VMM reads, named by its role in messages ("kernel"). */
struct input_file {
	int fd;
	uint64_t size;
	const char *what;
	const char *path;
};

int input_open(struct input_file *f, const char *what, const char *path);
void input_close(struct input_file *f);
int input_read(const struct input_file *f, uint64_t offset, void *buf,
	       uint64_t len);
int input_load(const struct input_file *f, uint64_t offset, uint64_t len,
	       const struct guest_memory *mem, uint64_t gpa);

int load_image(const char *path, const struct guest_memory *mem,
	       uint64_t load_addr);

#endif
