/*
 * loader.h - putting the guest image into guest RAM.
 */
#ifndef LOADER_H
#define LOADER_H

#include <stdint.h>

#include "memory.h"

int load_image(const char *path, const struct guest_memory *mem,
	       uint64_t load_addr);

#endif
