/*
 * suite_main.c - runs a check suite (forking each test, so a crash in
 * one is a failure, not the end of the run) and turns the result into
 * an exit status. check prints its summary line: "100%: Checks: ...".
 */
#include "suite_main.h"

int run_suite(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
