/*
 * cputime.c - run a command and report the time and CPU it used.
 *
 *   cputime LABEL COMMAND [ARGS...]
 *
 * Prints one line: "LABEL: W s wall, U s user + S s system = C% of a
 * CPU", from wait4(2)'s resource usage of the child, so it needs neither
 * /usr/bin/time nor a shell's `time`. The command's stdout is discarded;
 * its exit status becomes ours. Used by `make bench` (scripts/bench.sh).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct rusage usage;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: cputime LABEL COMMAND [ARGS...]\n");
		return 64;
	}
	double start = now();
	pid_t pid = fork();
	if (pid < 0) {
		perror("cputime: fork");
		return 71;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(argv[2], argv + 2);
		perror("cputime: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &usage) < 0) {
		perror("cputime: wait4");
		return 71;
	}
	double wall = now() - start;
	double user = seconds(usage.ru_utime), sys = seconds(usage.ru_stime);
	printf("%s: %.2f s wall, %.2f s user + %.2f s system = %.1f%% of a CPU\n",
	       argv[1], wall, user, sys, wall > 0 ? 100 * (user + sys) / wall : 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 70;
}
