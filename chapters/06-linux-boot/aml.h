/*
 * aml.h - a tiny encoder for AML, the bytecode of ACPI's DSDT: just
 * what our DSDT needs (Scope, Device, Name, small integers, strings and
 * resource templates).
 */
#ifndef AML_H
#define AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A growing run of AML bytes. Every aml_* call appends to it. Errors
 * (out of memory, a bad name, a value too big) are sticky: `failed` is
 * set and stays set, so a builder checks once at the end.
 */
struct aml {
	uint8_t *bytes;
	size_t len;
	size_t cap;
	bool failed;
};

#define AML_INIT { 0 }

/* The largest value a PkgLength can hold: 28 bits. */
#define AML_PKGLENGTH_MAX ((1U << 28) - 1)

void aml_free(struct aml *aml);

/* Names and data objects (ACPI 6.5 §20.2.2, §20.2.3, §20.2.4). */
void aml_pkglength(struct aml *aml, size_t pkglength);
void aml_integer(struct aml *aml, uint64_t value);
void aml_string(struct aml *aml, const char *str);
void aml_buffer(struct aml *aml, const struct aml *contents);

/* Named objects and scopes (ACPI 6.5 §20.2.5). */
void aml_name(struct aml *aml, const char *name);
void aml_scope(struct aml *aml, const char *name, const struct aml *body);
void aml_device(struct aml *aml, const char *name, const struct aml *body);

/* Resource descriptors, the contents of a ResourceTemplate (§6.4). */
void aml_memory32_fixed(struct aml *aml, uint32_t base, uint32_t size);
void aml_io(struct aml *aml, uint16_t base, uint8_t length);
void aml_interrupt(struct aml *aml, uint32_t gsi);
void aml_end_tag(struct aml *aml);

#endif
