/*
 * results.h - the integration runner's results file: one line per run
 * of a case on a chapter, so that scripts/run-tests.sh can merge the runs
 * on two KVMs (direct and nested) and a grader can score a lab.
 */
#ifndef RESULTS_H
#define RESULTS_H

#include <stdbool.h>

/* The verdicts a line starts with. */
#define RESULT_PASS "PASS"
#define RESULT_FAIL "FAIL"
#define RESULT_SKIP "SKIP"

bool results_open(const char *path);
void results_write(const char *verdict, const char *chapter, const char *name,
		   const char *message);
void results_close(void);

#endif
