/*
 * aml.h - a tiny encoder for AML, the bytecode of ACPI's DSDT.
 */
#ifndef AML_H
#define AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for a DSDT of a few devices: ours is under 1 KiB. */
#define AML_MAX_SIZE 4096
#define AML_PKGLENGTH_MAX 4   /* bytes */

/* The AML written so far. An error (a bad name, a value too big, no room
 * left) sets `failed` for good, so a builder checks once, at the end. */
struct aml {
	uint8_t bytes[AML_MAX_SIZE];
	size_t len;
	bool failed;
};

size_t aml_pkglength(uint8_t out[AML_PKGLENGTH_MAX], size_t body);

/* Name(name, object): aml_name, then the object. */
void aml_name(struct aml *aml, const char *name);
void aml_integer(struct aml *aml, uint64_t value);
void aml_string(struct aml *aml, const char *str);

/* Packages: each returns where its body starts, for its *_end. */
size_t aml_scope(struct aml *aml, const char *name);
size_t aml_device(struct aml *aml, const char *name);
void aml_end(struct aml *aml, size_t start);
size_t aml_resource_template(struct aml *aml);
void aml_resource_template_end(struct aml *aml, size_t start);

/* Resource descriptors, inside a resource template. */
void aml_io(struct aml *aml, uint16_t base, uint8_t length);
void aml_memory32_fixed(struct aml *aml, uint32_t base, uint32_t size);
void aml_interrupt(struct aml *aml, uint32_t gsi);

#endif
