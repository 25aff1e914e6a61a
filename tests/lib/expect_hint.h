/*
 * expect_hint.h - assertions on the crash report's wrong-mode hint
 * (crash.c's print_mode_hint), shared by the chapters' unit tests.
 *
 * Each takes the text the hint printed (from open_memstream) and frees it.
 */
#ifndef EXPECT_HINT_H
#define EXPECT_HINT_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define HINT_FIRST_LINE "  hint: it stopped in its first instructions"

/* The hint is there, and its advice names `advice`. */
static inline void expect_hint(char *text, const char *advice)
{
	ck_assert_msg(strstr(text, HINT_FIRST_LINE), "no hint: '%s'", text);
	ck_assert_msg(strstr(text, advice), "'%s' lacks '%s'", text, advice);
	free(text);
}

/* Nothing was printed. */
static inline void expect_no_hint(char *text)
{
	ck_assert_msg(text[0] == '\0', "unexpected hint: '%s'", text);
	free(text);
}

#endif
