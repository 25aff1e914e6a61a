/*
 * suite_main.h - the one way every test binary runs its check suite.
 */
#ifndef SUITE_MAIN_H
#define SUITE_MAIN_H

#include <check.h>

int run_suite(Suite *suite);

#endif
