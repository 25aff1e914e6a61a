/*
 * exits.h - naming, tracing and counting VM exits.
 */
#ifndef EXITS_H
#define EXITS_H

#include <stdint.h>
#include <stdio.h>

#include "vcpu.h"

/* KVM's exit reasons are small integers; this covers all of them. */
#define MAX_EXIT_REASON 64

struct exit_stats {
	uint64_t count[MAX_EXIT_REASON + 1]; /* the last slot: unknown */
};

const char *exit_reason_name(uint32_t reason);
void stats_count(struct exit_stats *stats, uint32_t reason);
uint64_t stats_total(const struct exit_stats *stats);
void stats_print(const struct exit_stats *stats, FILE *out);
void trace_exit(const struct vcpu *vcpu, const char *device, FILE *out);

#endif
