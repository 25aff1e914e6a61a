/*
 * results.c - writes the results file named by $KVMBOOK_RESULTS.
 *
 * One line per run, four tab-separated fields:
 *
 *   VERDICT <TAB> CHAPTER <TAB> CASE <TAB> MESSAGE
 *
 * VERDICT is PASS, FAIL or SKIP; CHAPTER the chapter folder the case ran
 * on ("04-ioports"); CASE the case's name; MESSAGE "ok" for a PASS, the
 * first failing assertion as "file:line: message" for a FAIL, the reason
 * for a SKIP. A field never holds a tab or a newline (they become
 * spaces), and a message is cut at MAX_MESSAGE bytes: a failed Linux boot
 * would otherwise put the whole kernel log on one line.
 * tests/integration/summary.py reads these files.
 */
#include "results.h"

#include <stdio.h>
#include <string.h>

#define MAX_MESSAGE 400

static FILE *results;

/* Opens (and empties) the file; false if it cannot be written. */
bool results_open(const char *path)
{
	results = fopen(path, "w");
	return results != NULL;
}

/* Writes s as one field: no tabs or line ends, at most max bytes. */
static void write_field(const char *s, size_t max)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n && i < max; i++)
		fputc(strchr("\t\r\n", s[i]) ? ' ' : s[i], results);
	if (n > max)
		fputs("...", results);
}

void results_write(const char *verdict, const char *chapter, const char *name,
		   const char *message)
{
	if (!results)
		return;
	fprintf(results, "%s\t", verdict);
	write_field(chapter, MAX_MESSAGE);
	fputc('\t', results);
	write_field(name, MAX_MESSAGE);
	fputc('\t', results);
	write_field(message, MAX_MESSAGE);
	fputc('\n', results);
	fflush(results);
}

void results_close(void)
{
	if (results)
		fclose(results);
	results = NULL;
}
