/*
 * integration.c - runs every case of every chapter on the real vmm.
 *
 * For each chapter folder built under $KVMBOOK_VMM_DIR (one check TCase
 * per chapter), every case introduced in that chapter or an earlier one
 * runs (up to the case's last_chapter): the compatibility matrix. A
 * guest whose mode is not the chapter's default gets --mode. Each run is
 * forked (check's CK_FORK) and the vmm runs under a timeout, so a hang,
 * a crash, a signal or a sanitizer report fails that run alone.
 *
 * Skips are decided here, never by a guest. Without a usable /dev/kvm
 * the cases that need it are skipped (bad-input cases run anyway: the
 * VMM rejects them before it opens KVM). Where /dev/kvm is an
 * emulation-backed KVM (the kvm_pvm module; book appendix B), a case
 * whose row gives emulated_kvm_cannot is skipped with that reason, and
 * scripts/run-tests.sh runs the whole suite again on nested KVM.
 *
 * A case whose arguments name "@DISK" gets a disk of its own: a file
 * of DISK_SECTORS sectors made for that run alone, whose sector 0 begins
 * with DISK_LABEL and is otherwise zero. Its name is always disk.img
 * (in a folder of the run's own), so a guest can print its GET_ID.
 * A case with a disk_image gets a copy of that file instead.
 *
 * "@LINUX/FILE" names a file of the Linux guest (guests/linux/: the
 * kernel, its initramfs, its disk). "@GUEST/NAME" names a built guest,
 * $KVMBOOK_GUESTS/NAME.bin, as an argument (a crafted --kernel, say).
 *
 * Environment:
 *   KVMBOOK_VMM_DIR   where the vmms are: DIR/NN-name/vmm (required)
 *   KVMBOOK_GUESTS    where the guests are: DIR/GUEST.bin (required)
 *   KVMBOOK_LINUX     where the Linux guest's files are (default build/linux)
 *   KVMBOOK_CHAPTERS  a comma-separated list of chapter numbers, e.g. "04"
 *                     or "1,2": run only those chapters' TCases (each
 *                     still runs the earlier chapters' cases); a chapter
 *                     named here must be built under KVMBOOK_VMM_DIR
 *   KVMBOOK_RESULTS   a file to write one line per run to: PASS, FAIL or
 *                     SKIP, the chapter folder, the case's name and a
 *                     message, tab-separated (results.c)
 * Exit status: 0 when no run failed (skips do not fail), 1 when one did,
 * 64 for a bad KVMBOOK_CHAPTERS.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cases.h"
#include "results.h"
#include "vmm_run.h"

#define MAX_CHAPTERS 6
#define MAX_RUNS 1024
#define CASE_TIMEOUT_MS 30000
/* The longest timeout_s of any case: a Linux boot. */
#define LONGEST_CASE_S 900
#define BIG_IMAGE_SIZE (2 * 1024 * 1024)
#define DISK_SECTORS 64
#define DISK_SECTOR_SIZE 512
#define DISK_LABEL "kvmbook test disk\n"
#define DISK_FIXTURE "@DISK"
#define LINUX_FIXTURE "@LINUX/"
#define GUEST_FIXTURE "@GUEST/"
/* Present where KVM runs guest kernel code in its instruction emulator
 * (an emulation-backed KVM, book appendix B). */
#define PVM_MODULE "/sys/module/kvm_pvm"
/* What the vmm's sanitizers (ASan, LSan, UBSan) print in a report. */
#define SANITIZER_MARK "Sanitizer:"
#define UBSAN_MARK "runtime error:"

/* What a crash report says when KVM reset the vCPU before reporting
 * a shutdown (crash.c). */
#define RESET_NOTE "KVM reset the vCPU at shutdown"

/* Every chapter's table of cases, in chapter order, then the hostile
 * guests' (cases-hostile.c), whose rows name their own chapters. */
static const struct guest_case *const case_tables[] = {
	cases_01, cases_02, cases_03, cases_04, cases_05, cases_06,
	cases_hostile,
};

/* The chapters found, by number: "01-real-mode" etc. */
static char chapter_dirs[MAX_CHAPTERS + 1][64];
/* The chapters to run (KVMBOOK_CHAPTERS; all when it is unset). */
static bool selected[MAX_CHAPTERS + 1];

/* The matrix, flattened: run i is case runs[i].c on chapter
 * runs[i].chapter, in the order the results file lists them. A run that
 * cannot happen here has a skip reason; the others are check's loop
 * iterations: iteration k is run tested[k], and a chapter's iterations
 * are contiguous, from first_tested[chapter]. */
static struct run {
	const struct guest_case *c;
	int chapter;
	const char *skip;     /* why it cannot run here; NULL: it runs */
	const char *verdict;  /* RESULT_PASS or RESULT_FAIL, after the suite */
	char *message;        /* for a FAIL: check's file:line: message */
} runs[MAX_RUNS];
static int num_runs, tested[MAX_RUNS], num_tested;
static int first_tested[MAX_CHAPTERS + 2];

static const char *vmm_dir, *guests_dir, *linux_dir;
static char scratch[] = "/tmp/kvmbook-it-XXXXXX";
/* This run's disk and its folder (make_disk); empty when it has none. */
static char disk_path[128], disk_dir[64];

/* The mode a chapter's vmm runs an image in without --mode (appendix A). */
static const char *default_mode(int chapter)
{
	return chapter == 1 ? "real" : chapter == 2 ? "protected" : "long";
}

/* Turns @EMPTY, @DIR, @BIG and @FIFO into the files made in scratch,
 * @DISK (with any ",ro" after it) into this run's disk, @LINUX/FILE and
 * @GUEST/NAME into files of the Linux guest and built guests. */
static const char *fixture_path(const char *arg, char *buf, size_t size)
{
	if (arg[0] != '@')
		return arg;
	if (strncmp(arg, DISK_FIXTURE, strlen(DISK_FIXTURE)) == 0)
		snprintf(buf, size, "%s%s", disk_path, arg + strlen(DISK_FIXTURE));
	else if (strncmp(arg, LINUX_FIXTURE, strlen(LINUX_FIXTURE)) == 0)
		snprintf(buf, size, "%s/%s", linux_dir, arg + strlen(LINUX_FIXTURE));
	else if (strncmp(arg, GUEST_FIXTURE, strlen(GUEST_FIXTURE)) == 0)
		snprintf(buf, size, "%s/%s.bin", guests_dir, arg + strlen(GUEST_FIXTURE));
	else
		snprintf(buf, size, "%s/%s", scratch, arg + 1);
	return buf;
}

static bool uses_disk(const struct guest_case *c)
{
	for (int i = 0; i < MAX_ARGS && c->args[i]; i++)
		if (strncmp(c->args[i], DISK_FIXTURE, strlen(DISK_FIXTURE)) == 0)
			return true;
	return false;
}

/* Copies $KVMBOOK_LINUX/name to the open file `to`. */
static void copy_image(const char *name, int to)
{
	char path[256], buf[65536];
	ssize_t n;
	int from;

	snprintf(path, sizeof(path), "%s/%s", linux_dir, name);
	from = open(path, O_RDONLY);
	if (from < 0)
		abort();
	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (write(to, buf, (size_t)n) != n)
			abort();
	if (n < 0)
		abort();
	close(from);
}

/* A fresh disk for run i: scratch/run-i/disk.img, blank but for a
 * label, or a copy of the case's disk_image. */
static void make_disk(int i, const struct guest_case *c)
{
	int fd;

	snprintf(disk_dir, sizeof(disk_dir), "%s/run-%d", scratch, i);
	snprintf(disk_path, sizeof(disk_path), "%s/disk.img", disk_dir);
	if (mkdir(disk_dir, 0755) < 0)
		abort();
	fd = open(disk_path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd >= 0 && c->disk_image) {
		copy_image(c->disk_image, fd);
		close(fd);
		return;
	}
	if (fd < 0 || ftruncate(fd, DISK_SECTORS * DISK_SECTOR_SIZE) < 0 ||
	    pwrite(fd, DISK_LABEL, strlen(DISK_LABEL), 0) != (ssize_t)strlen(DISK_LABEL))
		abort();
	close(fd);
}

/* Does the file hold `text` anywhere? (A file system puts a file's
 * data where it likes.) */
static bool file_contains(const char *path, const char *text)
{
	struct stat st;
	char *data;
	bool found;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0 || !(data = malloc((size_t)st.st_size))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	found = read(fd, data, (size_t)st.st_size) == st.st_size &&
		memmem(data, (size_t)st.st_size, text, strlen(text)) != NULL;
	free(data);
	close(fd);
	return found;
}

/* After the run: does the disk hold c->disk_has at c->disk_at (or
 * anywhere, for DISK_ANYWHERE)? Then the disk goes, before any
 * assertion can end the test. */
static bool check_and_remove_disk(const struct guest_case *c)
{
	bool ok = true;

	if (c->disk_has && c->disk_at == DISK_ANYWHERE) {
		ok = file_contains(disk_path, c->disk_has);
	} else if (c->disk_has) {
		size_t len = strlen(c->disk_has);
		char *got = calloc(1, len + 1);
		int fd = open(disk_path, O_RDONLY);

		ok = got && fd >= 0 && pread(fd, got, len, c->disk_at) == (ssize_t)len &&
		     memcmp(got, c->disk_has, len) == 0;
		if (fd >= 0)
			close(fd);
		free(got);
	}
	remove(disk_path);
	rmdir(disk_dir);
	return ok;
}

static void make_fixtures(void)
{
	char path[256];
	int fd;

	if (!mkdtemp(scratch))
		abort();
	snprintf(path, sizeof(path), "%s/EMPTY", scratch);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof(path), "%s/DIR", scratch);
	mkdir(path, 0755);
	/* A FIFO nobody writes to: opening it for reading would wait for ever. */
	snprintf(path, sizeof(path), "%s/FIFO", scratch);
	if (mkfifo(path, 0644) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/BIG", scratch);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || ftruncate(fd, BIG_IMAGE_SIZE) < 0)
		abort();
	close(fd);
}

static void remove_fixtures(void)
{
	static const char *const names[] = { "EMPTY", "BIG", "DIR", "FIFO" };
	char path[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
		remove(path);
	}
	rmdir(scratch);
}

/* Builds argv for one run: vmm [--mode M] args... [guest.bin]. */
static void build_argv(const struct run *r, const char **argv, char bufs[][256])
{
	const struct guest_case *c = r->c;
	int n = 0, b = 0;

	snprintf(bufs[b], 256, "%s/%s/vmm", vmm_dir, chapter_dirs[r->chapter]);
	argv[n++] = bufs[b++];
	if (c->mode && r->chapter > 1 && strcmp(c->mode, default_mode(r->chapter))) {
		argv[n++] = "--mode";
		argv[n++] = c->mode;
	}
	for (int i = 0; i < MAX_ARGS && c->args[i]; i++, b++)
		argv[n++] = fixture_path(c->args[i], bufs[b], 256);
	if (c->guest) {
		snprintf(bufs[b], 256, "%s/%s.bin", guests_dir, c->guest);
		argv[n++] = bufs[b];
	}
	argv[n] = NULL;
}

/* The count in the --stats row for `reason`, or -1 if there is none. */
static long stats_value(const char *err, const char *reason)
{
	size_t len = strlen(reason);

	for (const char *line = err; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, reason, len) == 0 && line[len] == ' ')
			return strtol(line + len, NULL, 10);
	}
	return -1;
}

/* One run of the vmm for iteration i, and every check of its case. */
static void run_and_check(const struct run *r, int i)
{
	const struct guest_case *c = r->c;
	const char *argv[MAX_ARGS + 8];
	char bufs[MAX_ARGS + 2][256];
	struct vmm_result res;
	struct vmm_run_options opts = {
		.argv = argv, .input = c->input,
		.input_len = c->input ? strlen(c->input) : 0,
		.timeout_ms = c->timeout_s ? c->timeout_s * 1000 : CASE_TIMEOUT_MS,
		.kill_on_output = c->kill_on_output,
		.signal_on_output = c->signal_on_output,
		.signal = c->signal_on_output_sig,
	};
	bool disk_ok = true;

	if (uses_disk(c))
		make_disk(i, c);
	build_argv(r, argv, bufs);
	ck_assert_int_eq(vmm_run(&opts, &res), 0);
	if (uses_disk(c))
		disk_ok = check_and_remove_disk(c);
	fprintf(stderr, "  %s on %s: status %d\n", c->name,
		chapter_dirs[r->chapter], res.status);
	ck_assert_msg(!res.timed_out, "%s timed out after %d s; stdout: %s", c->name,
		      opts.timeout_ms / 1000, res.out);
	ck_assert_msg(!c->signal_on_output || res.signalled_on_output,
		      "%s: its output never came, so it was not signalled; stdout: %s",
		      c->name, res.out);
	ck_assert_msg(!res.signal || res.killed_on_output,
		      "%s: the vmm was killed by signal %d (%s); stderr: %s", c->name,
		      res.signal, strsignal(res.signal), res.err);
	ck_assert_msg(!strstr(res.err, SANITIZER_MARK) && !strstr(res.err, UBSAN_MARK),
		      "%s: the vmm's sanitizer reported an error: %s", c->name, res.err);
	if (c->out)
		ck_assert_str_eq(res.out, c->out);
	if (c->out_has)
		ck_assert_ptr_nonnull(strstr(res.out, c->out_has));
	for (int i = 0; i < MAX_OUT_LINES && c->out_has_all[i]; i++)
		ck_assert_msg(strstr(res.out, c->out_has_all[i]), "%s: stdout lacks '%s':\n%s",
			      c->name, c->out_has_all[i], res.out);
	if (c->out_like)
		ck_assert_msg(fnmatch(c->out_like, res.out, 0) == 0,
			      "%s: stdout '%s' is not like '%s'", c->name, res.out, c->out_like);
	ck_assert_msg(res.status == c->status, "%s: status %d, expected %d; stderr: %s",
		      c->name, res.status, c->status, res.err);
	for (int i = 0; i < MAX_ERR_LINES && c->err[i]; i++)
		ck_assert_msg(strstr(res.err, c->err[i]), "%s: stderr lacks '%s':\n%s",
			      c->name, c->err[i], res.err);
	if (!strstr(res.err, RESET_NOTE))
		for (int i = 0; i < MAX_ERR_LINES && c->err_unless_reset[i]; i++)
			ck_assert_msg(strstr(res.err, c->err_unless_reset[i]),
				      "%s: stderr lacks '%s':\n%s", c->name,
				      c->err_unless_reset[i], res.err);
	ck_assert_msg(disk_ok, "%s: the disk does not hold '%s' at %ld", c->name,
		      c->disk_has, c->disk_at);
	if (c->one_line_err)
		ck_assert_msg(count_lines_starting(res.err, "") == 1 &&
			      res.err[res.err_len - 1] == '\n',
			      "%s: stderr is not one line: %s", c->name, res.err);
	ck_assert_msg(!c->no_err || res.err_len == 0, "%s: stderr is not empty: %s",
		      c->name, res.err);
	for (int i = 0; i < MAX_STATS && c->stats[i].reason; i++)
		ck_assert_int_eq(stats_value(res.err, c->stats[i].reason),
				 c->stats[i].count);
	if (c->trace_matches_stats)
		/* every "exit ..." line but the table's "exit reason" header */
		ck_assert_int_eq(count_lines_starting(res.err, "exit ") -
				 count_lines_starting(res.err, "exit reason"),
				 stats_value(res.err, "total"));
	vmm_result_free(&res);
}

START_TEST(test_case)
{
	const struct run *r = &runs[tested[_i]];

	for (int k = 0; k < (r->c->repeat ? r->c->repeat : 1); k++)
		run_and_check(r, _i);
}
END_TEST

/* Finds chapters/NN-name folders that have a built vmm under vmm_dir. */
static void find_chapters(void)
{
	DIR *dir = opendir(vmm_dir);
	struct dirent *e;

	if (!dir) {
		fprintf(stderr, "integration: no %s (run make test)\n", vmm_dir);
		exit(1);
	}
	while ((e = readdir(dir))) {
		int n = atoi(e->d_name);

		if (n >= 1 && n <= MAX_CHAPTERS && strlen(e->d_name) < 64)
			strcpy(chapter_dirs[n], e->d_name);
	}
	closedir(dir);
}

/* Is any other case named like c? The results name a run by its case's
 * name and chapter, so names must be unique. */
static bool name_is_taken(const struct guest_case *c)
{
	int tables = sizeof(case_tables) / sizeof(case_tables[0]);

	for (int t = 0; t < tables; t++)
		for (const struct guest_case *o = case_tables[t]; o->name; o++)
			if (o != c && strcmp(o->name, c->name) == 0)
				return true;
	return false;
}

static const char no_kvm_reason[] = "/dev/kvm is not usable here";

/* Why case c cannot run here, or NULL if it can. */
static const char *skip_reason(const struct guest_case *c, bool have_kvm,
			       bool emulated_kvm)
{
	if (c->needs_kvm && !have_kvm)
		return no_kvm_reason;
	if (emulated_kvm && c->emulated_kvm_cannot)
		return c->emulated_kvm_cannot;
	return NULL;
}

/* Adds case c on chapter ch to the matrix; why: the reason it cannot
 * run here, or NULL. */
static void add_run(const struct guest_case *c, int ch, const char *why)
{
	if (num_runs == MAX_RUNS) {
		fprintf(stderr, "integration: more than %d runs\n", MAX_RUNS);
		exit(1);
	}
	if (!why)
		tested[num_tested++] = num_runs;
	runs[num_runs++] = (struct run){ .c = c, .chapter = ch, .skip = why };
}

/* One TCase per selected chapter: every applicable case, as a loop
 * test. A case that cannot run here is not tested: it is a skip, said
 * at once. */
static Suite *make_suite(bool have_kvm, bool emulated_kvm, int *skipped)
{
	Suite *s = suite_create("integration");
	int tables = sizeof(case_tables) / sizeof(case_tables[0]);

	for (int ch = 1; ch <= MAX_CHAPTERS; ch++) {
		first_tested[ch] = num_tested;
		if (!chapter_dirs[ch][0] || !selected[ch])
			continue;
		for (int t = 0; t < tables; t++) {
			for (const struct guest_case *c = case_tables[t]; c->name; c++) {
				const char *why = skip_reason(c, have_kvm, emulated_kvm);

				if (c->chapter > ch || (c->last_chapter && ch > c->last_chapter))
					continue;
				add_run(c, ch, why);
				if (!why)
					continue;
				(*skipped)++;
				if (why != no_kvm_reason) /* those are only counted */
					fprintf(stderr, "SKIP: %s on %s: %s\n", c->name,
						chapter_dirs[ch], why);
			}
		}
		if (num_tested == first_tested[ch])
			continue;
		TCase *tc = tcase_create(chapter_dirs[ch]);
		tcase_set_timeout(tc, LONGEST_CASE_S + 10);
		tcase_add_loop_test(tc, test_case, first_tested[ch], num_tested);
		suite_add_tcase(s, tc);
	}
	first_tested[MAX_CHAPTERS + 1] = num_tested;
	return s;
}

/* The chapter number whose folder is named dir, or 0. */
static int chapter_of(const char *dir)
{
	for (int ch = 1; ch <= MAX_CHAPTERS; ch++)
		if (strcmp(chapter_dirs[ch], dir) == 0)
			return ch;
	return 0;
}

/*
 * Gives each tested run check's verdict. check does not say which loop
 * iteration a result belongs to, but it runs a TCase's iterations in
 * order and keeps its results in that order: the k-th result of chapter
 * ch's TCase is iteration first_tested[ch] + k. A test that crashed or
 * timed out has a result too (check's message says which).
 */
static void collect_outcomes(SRunner *sr)
{
	TestResult **all = srunner_results(sr);
	int done[MAX_CHAPTERS + 1] = { 0 };
	int n = srunner_ntests_run(sr);
	char msg[1024];

	for (int i = 0; i < n; i++) {
		int ch = chapter_of(tr_tcname(all[i]));
		int k = first_tested[ch] + done[ch]++;
		struct run *r;

		if (ch == 0 || k >= first_tested[ch + 1]) {
			fprintf(stderr, "integration: a result of TCase %s matches no run\n",
				tr_tcname(all[i]));
			continue;
		}
		r = &runs[tested[k]];
		if (tr_rtype(all[i]) == CK_PASS) {
			r->verdict = RESULT_PASS;
			continue;
		}
		snprintf(msg, sizeof(msg), "%s:%d: %s",
			 tr_lfile(all[i]) ? tr_lfile(all[i]) : "?", tr_lno(all[i]),
			 tr_msg(all[i]) ? tr_msg(all[i]) : "");
		r->verdict = RESULT_FAIL;
		r->message = strdup(msg);
	}
	free(all);
}

/* One line per run, in the matrix's order: its skip, its verdict, or a
 * FAIL if check gave it none. */
static void write_results(void)
{
	for (int i = 0; i < num_runs; i++) {
		struct run *r = &runs[i];
		const char *dir = chapter_dirs[r->chapter];

		if (r->skip)
			results_write(RESULT_SKIP, dir, r->c->name, r->skip);
		else if (!r->verdict)
			results_write(RESULT_FAIL, dir, r->c->name, "check gave no result: not run");
		else
			results_write(r->verdict, dir, r->c->name,
				      r->message ? r->message : "ok");
		free(r->message);
		r->message = NULL;
	}
}

static bool has_selection(void)
{
	for (int ch = 1; ch <= MAX_CHAPTERS; ch++)
		if (selected[ch])
			return true;
	return false;
}

/* Reads KVMBOOK_CHAPTERS ("4", "04,05") into selected[]; all chapters
 * when it is unset. False for a bad list. */
static bool select_chapters(const char *list)
{
	char *copy, *tok, *end, *save;
	bool ok = true;

	for (int ch = 1; ch <= MAX_CHAPTERS; ch++)
		selected[ch] = !list;
	if (!list)
		return true;
	copy = strdup(list);
	if (!copy)
		abort();
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long ch = strtol(tok, &end, 10);

		if (*end || end == tok || ch < 1 || ch > MAX_CHAPTERS) {
			fprintf(stderr, "integration: KVMBOOK_CHAPTERS: '%s' is not a "
				"chapter number (1-%d)\n", tok, MAX_CHAPTERS);
			ok = false;
			break;
		}
		if (!chapter_dirs[ch][0]) {
			fprintf(stderr, "integration: KVMBOOK_CHAPTERS names chapter %02ld, "
				"which is not built under %s\n", ch, vmm_dir);
			ok = false;
			break;
		}
		selected[ch] = true;
	}
	free(copy);
	if (ok && !has_selection()) {
		fprintf(stderr, "integration: KVMBOOK_CHAPTERS is set but names no chapter\n");
		ok = false;
	}
	return ok;
}

/* Every case name is unique (see name_is_taken); false if not. */
static bool names_unique(void)
{
	int tables = sizeof(case_tables) / sizeof(case_tables[0]);

	for (int t = 0; t < tables; t++)
		for (const struct guest_case *c = case_tables[t]; c->name; c++)
			if (name_is_taken(c)) {
				fprintf(stderr, "integration: two cases are named '%s'\n",
					c->name);
				return false;
			}
	return true;
}

int main(void)
{
	bool have_kvm = kvm_usable();
	bool emulated_kvm = access(PVM_MODULE, F_OK) == 0;
	const char *results_path = getenv("KVMBOOK_RESULTS");
	int skipped = 0, failed;

	vmm_dir = getenv("KVMBOOK_VMM_DIR");
	guests_dir = getenv("KVMBOOK_GUESTS");
	linux_dir = getenv("KVMBOOK_LINUX") ? getenv("KVMBOOK_LINUX") : "build/linux";
	if (!vmm_dir || !guests_dir) {
		fprintf(stderr, "integration: set KVMBOOK_VMM_DIR and KVMBOOK_GUESTS\n");
		return 1;
	}
	find_chapters();
	if (!select_chapters(getenv("KVMBOOK_CHAPTERS")))
		return EX_USAGE;
	if (!names_unique())
		return 1;
	if (results_path && !results_open(results_path)) {
		fprintf(stderr, "integration: cannot write %s\n", results_path);
		return 1;
	}
	make_fixtures();
	SRunner *sr = srunner_create(make_suite(have_kvm, emulated_kvm, &skipped));
	if (!have_kvm)
		printf("integration: /dev/kvm is not usable here: %d KVM runs "
		       "skipped (bad-input cases still run)\n", skipped);
	else if (skipped)
		printf("integration: %d runs skipped: this KVM emulates guest kernel "
		       "code (book appendix B)\n", skipped);
	srunner_run_all(sr, CK_NORMAL);
	collect_outcomes(sr);
	write_results();
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	results_close();
	remove_fixtures();
	return failed ? 1 : 0;
}
