// SPDX-License-Identifier: MIT
/*
 * be-drive.c - the frontend driver of the backend role: the --fe-cmd
 * command, run by /bin/sh in its own process group once per scenario with
 * its output collected, and the loop that serves it meanwhile (be.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "be.h"
#include "vsnd-common/util.h"

/* The loop wakes at least this often for the steps and the driver's exit. */
#define PUMP_TICK_MS 10
/* After SIGTERM, the driver gets this long before SIGKILL. */
#define TERM_GRACE_MS 2000

static _Noreturn void child(int out, const char *cmd, const char *scenario,
			    const struct cf_options *o)
{
	char v[16];

	setpgid(0, 0);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	setenv("VSND_CONFORM_SCENARIO", scenario, 1);
	setenv("VSND_CONFORM_XEN", o->xen, 1);
	snprintf(v, sizeof(v), "%u", o->domid);
	setenv("VSND_CONFORM_DOMID", v, 1);
	snprintf(v, sizeof(v), "%u", o->devid);
	setenv("VSND_CONFORM_DEVID", v, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int be_fe_start(struct be_role *b, const char *scenario, const struct cf_options *o)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return negative_errno();
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return negative_errno();
	}
	if (pid == 0)
		child(p[1], b->fe_cmd, scenario, o);
	setpgid(pid, pid);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	b->pid = pid;
	b->out_fd = p[0];
	b->out_len = 0;
	b->exited = b->killed = false;
	b->status = 0;
	b->started_ms = now_ms();
	return 0;
}

/* Keep the tail of what the driver prints (and show it with -v). */
static void read_output(struct be_role *b)
{
	char buf[512];
	ssize_t n;

	_Static_assert(sizeof(buf) < sizeof(b->out), "a read fits the tail");
	while ((n = read(b->out_fd, buf, sizeof(buf))) > 0) {
		size_t k = (size_t)n;

		if (b->verbose)
			fwrite(buf, 1, k, stderr);
		if (b->out_len + k > sizeof(b->out)) {
			size_t drop = b->out_len + k - sizeof(b->out);

			memmove(b->out, b->out + drop, b->out_len - drop);
			b->out_len -= drop;
		}
		memcpy(b->out + b->out_len, buf, k);
		b->out_len += k;
	}
	if (n == 0)
		b->out_fd = safe_close(b->out_fd);
}

static void check_exit(struct be_role *b)
{
	int st;

	if (b->pid <= 0 || b->exited)
		return;
	if (waitpid(b->pid, &st, WNOHANG) != b->pid)
		return;
	b->exited = true;
	b->status = st;
	b->ended_ms = now_ms();
}

static void pump_once(struct be_role *b, int timeout)
{
	struct pollfd p[3] = {
		{ .fd = xenif_xs_fd(b->x), .events = POLLIN },
		{ .fd = b->h ? xenif_evtchn_fd(b->h) : -1, .events = POLLIN },
		{ .fd = b->out_fd, .events = POLLIN },
	};

	if (poll(p, 3, timeout) < 0)
		return;
	if (p[1].revents)
		be_on_evtchn(b);
	if (p[0].revents)
		be_on_xs(b);
	if (p[2].revents)
		read_output(b);
	be_run_steps(b);
	be_poll_in_cons(b);
	check_exit(b);
}

void be_pump(struct be_role *b, unsigned int ms)
{
	uint64_t end = now_ms() + ms, t;

	do {
		t = now_ms();
		pump_once(b,
			  (int)(end > t ? (end - t < PUMP_TICK_MS ? end - t : PUMP_TICK_MS) : 0));
	} while (now_ms() < end);
}

static void pump_until_exit(struct be_role *b, uint64_t end)
{
	while (!b->exited && now_ms() < end)
		pump_once(b, PUMP_TICK_MS);
}

void be_fe_wait(struct be_role *b, unsigned int bound_ms)
{
	int st;

	if (b->pid <= 0)
		return;
	pump_until_exit(b, b->started_ms + bound_ms);
	if (!b->exited) {
		b->killed = true;
		kill(-b->pid, SIGTERM);
		pump_until_exit(b, now_ms() + TERM_GRACE_MS);
	}
	if (!b->exited) {
		kill(-b->pid, SIGKILL);
		if (waitpid(b->pid, &st, 0) == b->pid)
			b->status = st;
		b->exited = true;
		b->ended_ms = now_ms();
	}
	/* Its last state writes and output. */
	be_pump(b, 50);
	if (b->out_fd >= 0)
		read_output(b);
	b->out_fd = safe_close(b->out_fd);
	b->pid = -1;
}

const char *be_fe_last_line(struct be_role *b, char *buf, size_t size)
{
	size_t end = b->out_len, start;

	while (end && (b->out[end - 1] == '\n' || b->out[end - 1] == '\r'))
		end--;
	start = end;
	while (start && b->out[start - 1] != '\n')
		start--;
	snprintf(buf, size, "%.*s", (int)(end - start), b->out + start);
	return buf;
}
