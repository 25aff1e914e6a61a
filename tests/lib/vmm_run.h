/*
 * vmm_run.h - run a program (a chapter's vmm) as a test would: with
 * arguments, stdin and a timeout, capturing stdout, stderr and status.
 */
#ifndef VMM_RUN_H
#define VMM_RUN_H

#include <stdbool.h>
#include <stddef.h>

/* How long after its output a signal_on_output is sent: time for the
 * guest to reach what follows its output (a `cli; hlt`, say). */
#define SIGNAL_DELAY_MS 300

struct vmm_run_options {
	const char *const *argv;   /* argv[0] is the program's path */
	const char *input;         /* bytes for its stdin (NULL: none) */
	size_t input_len;
	int timeout_ms;            /* then SIGKILL, and timed_out is set */
	const char *kill_on_output;/* SIGKILL once stdout contains this */
	const char *signal_on_output; /* send `signal` SIGNAL_DELAY_MS after */
	int signal;                /* stdout contains this (and only once) */
};

struct vmm_result {
	int status;      /* exit status; 128 + signal when killed */
	int signal;      /* the signal that killed it; 0 if it exited */
	bool timed_out;
	bool killed_on_output;
	bool signalled_on_output;
	char *out;       /* NUL-terminated captured stdout */
	size_t out_len;
	char *err;       /* NUL-terminated captured stderr */
	size_t err_len;
};

int vmm_run(const struct vmm_run_options *opts, struct vmm_result *result);
void vmm_result_free(struct vmm_result *result);
bool kvm_usable(void);
int count_lines_starting(const char *text, const char *prefix);

#endif
