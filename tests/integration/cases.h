/*
 * cases.h - one row per integration test case.
 *
 * A case names a guest (or a bad input), the chapter that introduces it,
 * and what must come out. The runner (integration.c) runs each case on
 * its own chapter's vmm AND on every later chapter's: that is the
 * compatibility matrix, so a regression in a copied file cannot hide.
 */
#ifndef CASES_H
#define CASES_H

#include <stdbool.h>

#define MAX_ARGS 12
#define MAX_ERR_LINES 8
#define MAX_STATS 4
#define MAX_OUT_LINES 16
#define DISK_ANYWHERE (-1L)
/* A bad input is refused before KVM is opened, at once: one that makes
 * the vmm wait (a FIFO nobody writes to) fails after this, not after
 * the default timeout. */
#define BAD_INPUT_TIMEOUT_S 5

struct stats_row {
	const char *reason; /* a row of the --stats table, e.g. "IO" */
	long count;
};

struct guest_case {
	const char *name;
	int chapter;           /* introduced in this chapter */
	int last_chapter;      /* 0: runs on all later chapters too */
	const char *guest;     /* build/guests/GUEST.bin is the last argument */
	const char *mode;      /* "real"/"protected"/"long"; NULL: chapter's own */
	const char *args[MAX_ARGS];  /* options before the image; "@EMPTY",
					"@DIR", "@BIG", "@FIFO" name files made
					for the test;
					"@DISK" a fresh disk for each run (see
					integration.c), "@DISK,ro" the same, ro;
					"@LINUX/FILE" a file of the Linux guest,
					"@GUEST/NAME" the built guest NAME.bin */
	const char *input;     /* stdin; NULL for none */
	const char *out;       /* exact stdout; NULL: not checked */
	const char *out_has;   /* a substring stdout must contain */
	const char *out_like;  /* an fnmatch(3) pattern all of stdout must match */
	int status;            /* expected exit status */
	const char *err[MAX_ERR_LINES]; /* substrings stderr must contain */
	/* Crash-report lines about the state at the fault: required unless
	 * the report says KVM reset the vCPU first (AMD hosts do, at a
	 * triple fault; the report then shows the power-on state). */
	const char *err_unless_reset[MAX_ERR_LINES];
	bool one_line_err;     /* stderr must be exactly one line */
	bool no_err;           /* stderr must be empty */
	bool trace_matches_stats; /* as many trace lines as the stats total */
	struct stats_row stats[MAX_STATS];
	bool needs_kvm;        /* false: fails before KVM is opened */
	/* SIGKILL the vmm as soon as its stdout contains this (its status
	 * is then 137: 128 + SIGKILL). */
	const char *kill_on_output;
	/* Send signal_on_output_sig (SIGINT, say) once its stdout contains
	 * this, and a moment later (vmm_run.h); the vmm must then exit
	 * with the expected status, not die of the signal. */
	const char *signal_on_output;
	int signal_on_output_sig;
	/* Afterwards the @DISK file must hold disk_has at byte disk_at
	 * (DISK_ANYWHERE: at any offset). */
	const char *disk_has;
	long disk_at;
	/* @DISK starts as a copy of this file in $KVMBOOK_LINUX, not blank. */
	const char *disk_image;
	const char *out_has_all[MAX_OUT_LINES]; /* substrings stdout must contain */
	int timeout_s;         /* 0: CASE_TIMEOUT_MS */
	/* Run the vmm this many times (0: once), each run checked: a race
	 * that shows in some runs only gets more chances to show. */
	int repeat;
	/* Why an emulation-backed KVM (one that runs guest kernel code in
	 * its instruction emulator, such as the kvm_pvm module; book
	 * appendix B) cannot run this case as hardware would; NULL: it can.
	 * There the runner skips the case with this reason, and
	 * scripts/run-tests.sh runs it again on nested KVM. */
	const char *emulated_kvm_cannot;
};

extern const struct guest_case cases_01[];
extern const struct guest_case cases_02[];
extern const struct guest_case cases_03[];
extern const struct guest_case cases_04[];
extern const struct guest_case cases_05[];
extern const struct guest_case cases_06[];
/* The hostile guests (cases-hostile.c): each row's chapter is where it
 * starts to apply. */
extern const struct guest_case cases_hostile[];

#endif
