// SPDX-License-Identifier: MIT
/*
 * vtest runner: forks each registered test, enforces its timeout, reports one
 * line per test and a closing summary line. See vtest.h for the contract.
 */
#include "vtest.h"

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VTEST_DEFAULT_TIMEOUT_S 30
#define VTEST_EXIT_SKIP 77

static struct vtest *vtest_head;
static struct vtest **vtest_tail = &vtest_head;

void vtest_register(struct vtest *t)
{
	/* Keep declaration order: constructors run in file order. */
	t->next = NULL;
	*vtest_tail = t;
	vtest_tail = &t->next;
}

void vtest_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("skip reason: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(NULL);
	exit(VTEST_EXIT_SKIP);
}

void vtest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(NULL);
	exit(1);
}

const char *vtest_data_dir(void)
{
	const char *d = getenv("VTEST_DATA_DIR");

	return d && *d ? d : ".";
}

static unsigned int timeout_for(const struct vtest *t)
{
	const char *env = getenv("VTEST_TIMEOUT");

	if (env && *env) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);

		if (*end == '\0' && v > 0 && v < 86400)
			return (unsigned int)v;
	}
	return t->timeout_s ? t->timeout_s : VTEST_DEFAULT_TIMEOUT_S;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one test in a child; returns 0 pass, 77 skip, 1 fail. */
static int run_one(const struct vtest *t)
{
	unsigned int timeout_s = timeout_for(t);
	double start = now_s();
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		/* Own process group, so a timeout also ends helpers it spawned. */
		setpgid(0, 0);
		alarm(timeout_s);
		t->fn();
		fflush(NULL);
		exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "waitpid: %s\n", strerror(errno));
			return 1;
		}
	}
	kill(-pid, SIGKILL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == VTEST_EXIT_SKIP)
		return VTEST_EXIT_SKIP;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		fprintf(stderr, "%s: timed out after %u s\n", t->name, timeout_s);
	else if (WIFSIGNALED(status))
		fprintf(stderr, "%s: killed by signal %d (%s) after %.2f s\n", t->name,
			WTERMSIG(status), strsignal(WTERMSIG(status)), now_s() - start);
	return 1;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : getenv("VTEST_FILTER");
	unsigned int passed = 0, failed = 0, skipped = 0;

	for (struct vtest *t = vtest_head; t; t = t->next) {
		int r;

		if (filter && *filter && fnmatch(filter, t->name, 0) != 0)
			continue;
		r = run_one(t);
		if (r == 0) {
			passed++;
			printf("ok - %s\n", t->name);
		} else if (r == VTEST_EXIT_SKIP) {
			skipped++;
			printf("skip - %s\n", t->name);
		} else {
			failed++;
			printf("FAIL - %s\n", t->name);
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	if (failed)
		return 1;
	if (passed == 0 && skipped > 0)
		return VTEST_EXIT_SKIP;
	if (passed == 0) {
		fprintf(stderr, "no test matched%s%s\n", filter ? " " : "", filter ? filter : "");
		return 1;
	}
	return 0;
}
