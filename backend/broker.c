// SPDX-License-Identifier: MIT
/*
 * broker.c - the per-guest workers of the broker (broker.h): fork and exec,
 * the handover of a device's plan, READY, heartbeats, and noticing a worker
 * that died (its socket closes, its pidfd polls readable) or misbehaved.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "util.h"
#include "worker-proto.h"

struct worker {
	struct sndbe_broker *b;
	struct worker *next;
	pid_t pid;
	int pidfd;		/* -1 when the kernel has no pidfd_open() */
	int sock;
	uint32_t domid;
	uint32_t devid;
	bool reaped;
	int status;		/* waitpid()'s, once reaped */
	int dead;		/* negative errno once dead */
	bool dead_told;
	uint32_t ping_seq;	/* last PING sent */
	uint32_t pong_seq;	/* last PONG received */
	unsigned int missed;
	char why[160];
};

struct sndbe_broker {
	struct sndbe_broker_config cfg;
	struct worker *workers;
	unsigned int n;
	uint64_t started;
	uint64_t gen;		/* bumped when a worker's fds open, close or stop being watched */
	int timer_fd;
};

int sndbe_broker_new(const struct sndbe_broker_config *cfg, struct sndbe_broker **ret)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = SNDBE_BROKER_TICK_MS / 1000,
				 .tv_nsec = (SNDBE_BROKER_TICK_MS % 1000) * 1000000L },
	};
	struct sndbe_broker *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->cfg = *cfg;
	its.it_value = its.it_interval;
	b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->timer_fd < 0 || timerfd_settime(b->timer_fd, 0, &its, NULL) < 0) {
		int r = negative_errno();

		safe_close(b->timer_fd);
		free(b);
		return r;
	}
	*ret = b;
	return 0;
}

int sndbe_broker_timer_fd(const struct sndbe_broker *b)
{
	return b->timer_fd;
}

unsigned int sndbe_broker_count(const struct sndbe_broker *b)
{
	return b->n;
}

uint64_t sndbe_broker_started(const struct sndbe_broker *b)
{
	return b->started;
}

/* Collect the worker's status, waiting for at most @ms. Return: reaped. */
static bool reap(struct worker *w, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (!w->reaped) {
		pid_t r = waitpid(w->pid, &w->status, WNOHANG);

		if (r == w->pid || (r < 0 && errno == ECHILD)) {
			w->reaped = true;
			break;
		}
		if (now_ms() >= end)
			break;
		if (w->pidfd >= 0)
			poll(&(struct pollfd){ .fd = w->pidfd, .events = POLLIN }, 1,
			     (int)(end - now_ms()));
		else
			usleep(5000);
	}
	return w->reaped;
}

/* Reap within SNDBE_BROKER_REAP_MS, else SIGKILL and reap. */
static void reap_or_kill(struct worker *w)
{
	if (reap(w, SNDBE_BROKER_REAP_MS))
		return;
	kill(w->pid, SIGKILL);
	reap(w, SNDBE_BROKER_REAP_MS);
}

static void worker_free(struct worker *w)
{
	safe_close(w->sock);
	safe_close(w->pidfd);
	free(w);
}

/*
 * In the child: become the worker (never returns). Only async-signal-safe
 * calls: the broker's heap and locks are not ours.
 */
static void __attribute__((noreturn)) exec_worker(const struct sndbe_broker *b, int fd,
						  pid_t broker, char *const *argv)
{
	sigset_t none;

	/* The loop's blocked signals would outlive exec. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Should the broker die without closing our socket. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != broker)
		_exit(127);
	/* Our stdout is the broker's readiness channel: keep off it. */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	/* Nothing of the broker's but the socket: not its XenStore handle,
	 * whatever a library opened without O_CLOEXEC. */
	close_range(3, (unsigned int)fd - 1, 0);
	close_range((unsigned int)fd + 1, ~0u, 0);
	if (fcntl(fd, F_SETFD, 0) < 0)
		_exit(127);
	execv(b->cfg.exe, argv);
	_exit(127);
}

/* Fork and exec the worker on @fd (the child's end of the socketpair). */
static int spawn(struct sndbe_broker *b, struct worker *w, int fd)
{
	char fdarg[16], xen[320];
	char *argv[] = { "vsndbe", "--worker", "--fd", fdarg, xen, b->cfg.verbose ? "-v" : NULL,
			 NULL };

	pid_t broker = getpid();

	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	if ((size_t)snprintf(xen, sizeof(xen), "--xen=%s", b->cfg.xen) >= sizeof(xen))
		return -ENAMETOOLONG;
	w->pid = fork();
	if (w->pid < 0)
		return negative_errno();
	if (w->pid == 0)
		exec_worker(b, fd, broker, argv);
	w->pidfd = (int)syscall(SYS_pidfd_open, w->pid, 0);
	if (w->pidfd >= 0)
		fcntl(w->pidfd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* DEVICE and every STREAM of @plan, by @deadline. */
static int hand_over(struct sndbe_broker *b, struct worker *w, const struct sndbe_dev_plan *plan,
		     uint64_t deadline)
{
	struct sndbe_wk_options o = { b->cfg.ring_budget, b->cfg.pos_ticks, b->cfg.pos_floor_us };
	struct sndbe_wk_device dm;
	struct sndbe_wk_stream sm;
	int r;

	sndbe_wk_encode_device(plan, &o, &dm);
	r = sndbe_wk_send(w->sock, &dm, sizeof(dm), deadline);
	for (unsigned int i = 0; i < plan->n && r >= 0; i++) {
		sndbe_wk_encode_stream(&plan->st[i], i, &sm);
		r = sndbe_wk_send(w->sock, &sm, sizeof(sm), deadline);
	}
	return r;
}

/* The worker's READY by @deadline: its status, or why there was none. */
static int wait_ready(struct worker *w, uint64_t deadline, unsigned int *index)
{
	struct sndbe_wk_status st;
	ssize_t n = sndbe_wk_recv(w->sock, &st, sizeof(st), deadline);

	if (n < 0)
		return (int)n;
	if (sndbe_wk_hdr_check(&st, (size_t)n) != SNDBE_WK_READY || st.err > 0 || st.err < -4095)
		return -EPROTO;
	*index = st.index;
	return st.err;
}

/* Say on the error node why a worker did not get ready. */
static void start_error(struct sndbe_xb_device *xbd, struct worker *w, int r, int stage,
			unsigned int index)
{
	if (stage == 0)
		sndbe_xb_device_set_error(xbd, "starting its worker failed: %s", strerror(-r));
	else if (r == -ETIMEDOUT)
		sndbe_xb_device_set_error(xbd, "its worker was not ready within %u ms",
					  SNDBE_BROKER_READY_MS);
	else if (r == -EPIPE || r == -EPROTO)
		sndbe_xb_device_set_error(xbd, "its worker (pid %d) ended before it was ready",
					  (int)w->pid);
	else
		sndbe_xb_device_set_error(xbd, "its worker could not serve the device (stream %u): %s",
					  index, strerror(-r));
}

static int broker_start(void *ud, const struct sndbe_dev_plan *plan, struct sndbe_xb_device *xbd,
			void **ret)
{
	struct sndbe_broker *b = ud;
	uint64_t deadline = now_ms() + SNDBE_BROKER_READY_MS;
	struct worker *w = calloc(1, sizeof(*w));
	unsigned int index = 0;
	int sv[2], r;

	if (!w)
		return -ENOMEM;
	*w = (struct worker){ .b = b, .pidfd = -1, .sock = -1, .domid = plan->domid,
			      .devid = plan->devid };
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = negative_errno();
		start_error(xbd, w, r, 0, 0);
		free(w);
		return r;
	}
	w->sock = sv[0];
	r = spawn(b, w, sv[1]);
	safe_close(sv[1]);
	if (r < 0) {
		start_error(xbd, w, r, 0, 0);
		worker_free(w);
		return r;
	}
	b->started++;
	r = hand_over(b, w, plan, deadline);
	if (r >= 0)
		r = wait_ready(w, deadline, &index);
	if (r < 0) {
		start_error(xbd, w, r, 1, index);
		kill(w->pid, SIGKILL);
		reap_or_kill(w);
		worker_free(w);
		return r;
	}
	w->next = b->workers;
	b->workers = w;
	b->n++;
	b->gen++;
	*ret = w;
	return 0;
}

static void broker_stop(void *ud, void *dev)
{
	struct sndbe_broker *b = ud;
	struct worker *w = dev;

	for (struct worker **p = &b->workers; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			b->n--;
			break;
		}
	}
	/* End of file on its socket: it unmaps everything and exits. */
	w->sock = safe_close(w->sock);
	reap_or_kill(w);
	b->gen++;
	worker_free(w);
}

static int broker_set_capture(void *ud, void *dev, unsigned int index, bool deliver,
			      int open_error)
{
	struct worker *w = dev;
	struct sndbe_wk_capture m = { .index = index, .deliver = deliver,
				      .open_error = open_error };

	(void)ud;
	if (w->dead)
		return -ENOTCONN;
	sndbe_wk_hdr_init(&m.h, SNDBE_WK_CAPTURE, sizeof(m), 0);
	return sndbe_wk_send(w->sock, &m, sizeof(m), now_ms() + 100);
}

const struct sndbe_dev_runner sndbe_broker_runner = {
	.start = broker_start,
	.stop = broker_stop,
	.set_capture = broker_set_capture,
};

/* The worker is of no more use: say why (once) and stop watching it. */
static void mark_dead(struct worker *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mark_dead(struct worker *w, int err, const char *fmt, ...)
{
	va_list ap;

	if (w->dead)
		return;
	w->dead = err;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	w->b->gen++;
}

/* Its socket closed or its process ended: how it ended. */
static void gone(struct worker *w)
{
	/* The socket closes as the process exits: a moment to collect it. */
	reap(w, 500);
	if (!w->reaped)
		mark_dead(w, -EIO, "its worker (pid %d) closed its socket", (int)w->pid);
	else if (WIFSIGNALED(w->status))
		mark_dead(w, -EIO, "its worker (pid %d) was killed by signal %d (%s)", (int)w->pid,
			  WTERMSIG(w->status), strsignal(WTERMSIG(w->status)));
	else
		mark_dead(w, -EIO, "its worker (pid %d) exited with status %d", (int)w->pid,
			  WEXITSTATUS(w->status));
}

/* One message from a running worker. */
static void on_message(struct worker *w, const void *buf, size_t len)
{
	struct sndbe_wk_status st;
	struct sndbe_wk_hdr h;

	switch (sndbe_wk_hdr_check(buf, len)) {
	case SNDBE_WK_PONG:
		memcpy(&h, buf, sizeof(h));
		if (h.seq == w->ping_seq)
			w->pong_seq = h.seq;
		return;
	case SNDBE_WK_BROKEN:
		memcpy(&st, buf, sizeof(st));
		mark_dead(w, -EPROTO, "stream %u: a request ring's req_prod is out of range",
			  st.index);
		return;
	default:
		kill(w->pid, SIGKILL);
		mark_dead(w, -EPROTO, "its worker (pid %d) sent an invalid message", (int)w->pid);
	}
}

static void worker_process(struct worker *w, int fd)
{
	_Alignas(8) char buf[SNDBE_WK_MSG_MAX];
	ssize_t n;

	if (fd == w->pidfd) {
		gone(w);
		return;
	}
	while (!w->dead && (n = sndbe_wk_recv(w->sock, buf, sizeof(buf), 0)) != -EAGAIN) {
		if (n == -EPIPE || n == -EMSGSIZE || n < 0) {
			if (n == -EPIPE)
				gone(w);
			else
				mark_dead(w, -EPROTO, "its socket: %s", strerror((int)-n));
			return;
		}
		on_message(w, buf, (size_t)n);
	}
}

static void extra_process(void *ud, int fd, short revents)
{
	struct sndbe_broker *b = ud;

	(void)revents;
	for (struct worker *w = b->workers; w; w = w->next) {
		if (!w->dead && (fd == w->sock || fd == w->pidfd)) {
			worker_process(w, fd);
			return;
		}
	}
}

static int extra_fds(void *ud, struct pollfd *fds, unsigned int n)
{
	struct sndbe_broker *b = ud;
	unsigned int k = 0;

	for (struct worker *w = b->workers; w; w = w->next) {
		if (w->dead)
			continue;
		if (k + 2 > n)
			return -ENOBUFS;
		fds[k++] = (struct pollfd){ .fd = w->sock, .events = POLLIN };
		if (w->pidfd >= 0)
			fds[k++] = (struct pollfd){ .fd = w->pidfd, .events = POLLIN };
	}
	return (int)k;
}

static uint64_t extra_generation(void *ud)
{
	return ((struct sndbe_broker *)ud)->gen;
}

const struct sndbe_wloop_extra sndbe_broker_extra = {
	.fds = extra_fds,
	.generation = extra_generation,
	.process = extra_process,
};

bool sndbe_broker_tick(struct sndbe_broker *b)
{
	bool all = true;
	uint64_t v;

	if (read(b->timer_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return false;
	for (struct worker *w = b->workers; w; w = w->next) {
		struct sndbe_wk_hdr ping;

		if (w->dead)
			continue;
		w->missed = w->pong_seq == w->ping_seq ? 0 : w->missed + 1;
		if (w->missed >= SNDBE_BROKER_MISSED_MAX) {
			kill(w->pid, SIGKILL);
			mark_dead(w, -ETIMEDOUT, "its worker (pid %d) stopped answering",
				  (int)w->pid);
			continue;
		}
		all = all && !w->missed;
		/* An answered ping gets the next one; else the same one again. */
		if (!w->missed)
			w->ping_seq++;
		sndbe_wk_hdr_init(&ping, SNDBE_WK_PING, sizeof(ping), w->ping_seq);
		sndbe_wk_send(w->sock, &ping, sizeof(ping), now_ms());
	}
	return all;
}

int sndbe_broker_next_dead(struct sndbe_broker *b, uint32_t *domid, uint32_t *devid, char *why,
			   size_t size)
{
	for (struct worker *w = b->workers; w; w = w->next) {
		if (!w->dead || w->dead_told)
			continue;
		w->dead_told = true;
		*domid = w->domid;
		*devid = w->devid;
		snprintf(why, size, "%s", w->why);
		return w->dead;
	}
	return 0;
}

struct sndbe_broker *sndbe_broker_free(struct sndbe_broker *b)
{
	if (!b)
		return NULL;
	while (b->workers)
		broker_stop(b, b->workers);
	safe_close(b->timer_fd);
	free(b);
	return NULL;
}
