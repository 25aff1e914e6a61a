/*
 * vmm_run.c - the test harness's one way to run a VMM.
 *
 * fork + exec with three pipes; a poll loop feeds stdin and drains
 * stdout and stderr (so neither side can block on a full pipe), and
 * kills the child at the deadline, so no test can hang: not even on a
 * child that closes its output and runs on.
 */
#define _GNU_SOURCE
#include "vmm_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REAP_POLL_US 10000 /* how often to look for the child's exit */

struct buffer {
	char *data;
	size_t len;
	size_t cap;
};

static void buffer_append(struct buffer *b, const char *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			abort();
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: wire the pipes to fds 0-2 and exec. */
static void exec_child(const struct vmm_run_options *opts, int in[2],
		       int out[2], int err[2])
{
	dup2(in[0], STDIN_FILENO);
	dup2(out[1], STDOUT_FILENO);
	dup2(err[1], STDERR_FILENO);
	close(in[0]); close(in[1]);
	close(out[0]); close(out[1]);
	close(err[0]); close(err[1]);
	execv(opts->argv[0], (char *const *)opts->argv);
	_exit(127);
}

/* Reaps the child, killing it at the deadline if it has not exited by
 * then (it may have closed its pipes and run on). */
static int reap(pid_t pid, long long deadline, struct vmm_result *result)
{
	int wstatus = 0;
	pid_t got;

	while ((got = waitpid(pid, &wstatus, WNOHANG)) == 0 ||
	       (got < 0 && errno == EINTR)) {
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			result->timed_out = true;
			waitpid(pid, &wstatus, 0);
			break;
		}
		usleep(REAP_POLL_US);
	}
	return wstatus;
}

/* Reads what is there from fd into b; false at EOF. */
static bool drain(int fd, struct buffer *b)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n > 0) {
		buffer_append(b, chunk, (size_t)n);
		return true;
	}
	return n < 0 && (errno == EINTR || errno == EAGAIN);
}

/*
 * vmm_run - runs opts->argv and fills *result. Returns 0, or -1 if the
 * child could not be started.
 */
int vmm_run(const struct vmm_run_options *opts, struct vmm_result *result)
{
	int in[2], out[2], err[2], wstatus;
	struct buffer bout = { 0 }, berr = { 0 };
	size_t fed = 0;
	long long deadline = now_ms() + opts->timeout_ms, signal_at = 0;
	pid_t pid;

	memset(result, 0, sizeof(*result));
	buffer_append(&bout, "", 0);
	buffer_append(&berr, "", 0);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		exec_child(opts, in, out, err);
	close(in[0]); close(out[1]); close(err[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (!opts->input || opts->input_len == 0) {
		close(in[1]);
		in[1] = -1;
	}

	struct pollfd fds[3] = {
		{ .fd = out[0], .events = POLLIN },
		{ .fd = err[0], .events = POLLIN },
		{ .fd = in[1], .events = POLLOUT },
	};
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		long long now = now_ms(), left = deadline - now;

		if (left <= 0) {
			kill(pid, SIGKILL);
			result->timed_out = true;
			break;
		}
		/* wake up for a signal that is due before the deadline */
		if (signal_at && !result->signalled_on_output && signal_at - now < left)
			left = signal_at > now ? signal_at - now : 0;
		if (poll(fds, 3, (int)left) < 0 && errno != EINTR)
			break;
		if (fds[0].revents && !drain(fds[0].fd, &bout)) {
			close(fds[0].fd);
			fds[0].fd = -1;
		}
		if (fds[1].revents && !drain(fds[1].fd, &berr)) {
			close(fds[1].fd);
			fds[1].fd = -1;
		}
		if (fds[2].fd >= 0 && fds[2].revents) {
			ssize_t n = write(fds[2].fd, opts->input + fed,
					  opts->input_len - fed);
			if (n > 0)
				fed += (size_t)n;
			if ((n < 0 && errno != EAGAIN) || fed == opts->input_len) {
				close(fds[2].fd);
				fds[2].fd = -1;
			}
		}
		if (opts->kill_on_output && !result->killed_on_output &&
		    strstr(bout.data, opts->kill_on_output)) {
			kill(pid, SIGKILL);
			result->killed_on_output = true;
		}
		if (opts->signal_on_output && !signal_at &&
		    strstr(bout.data, opts->signal_on_output))
			signal_at = now_ms() + SIGNAL_DELAY_MS;
		if (signal_at && !result->signalled_on_output && now_ms() >= signal_at) {
			kill(pid, opts->signal);
			result->signalled_on_output = true;
		}
	}
	for (int i = 0; i < 3; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	wstatus = reap(pid, deadline, result);
	result->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	result->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
					    : 128 + WTERMSIG(wstatus);
	result->out = bout.data;
	result->out_len = bout.len;
	result->err = berr.data;
	result->err_len = berr.len;
	return 0;
}

void vmm_result_free(struct vmm_result *result)
{
	free(result->out);
	free(result->err);
	result->out = result->err = NULL;
}

/* kvm_usable - whether /dev/kvm can be opened here; KVM tests need it. */
bool kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* count_lines_starting - how many lines of text begin with prefix. */
int count_lines_starting(const char *text, const char *prefix)
{
	size_t plen = strlen(prefix);
	int count = 0;

	for (const char *line = text; line && *line; ) {
		if (strncmp(line, prefix, plen) == 0)
			count++;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return count;
}
