// SPDX-License-Identifier: MIT
/*
 * worker.c - one guest's device in a process of its own (worker.h).
 *
 * What it may do is decided before READY: its plan is checked field by
 * field (worker-proto.c), its event-channel handle is restricted to the
 * plan's domain before any port is bound (xenif E4), and every grant it
 * maps names that domain (vsnd-dev-run.c). Then no_new_privs is set and
 * every capability dropped with capset(2): libcap is not a dependency of
 * vsnd, and clearing the three sets needs no more than the system call. A
 * seccomp filter is not installed yet.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"
#include "worker-loop.h"
#include "worker-proto.h"
#include "worker.h"
#include "xenif/xenif.h"

/* How long the plan may take to arrive (the broker waits less). */
#define PLAN_WAIT_MS 5000u

struct worker {
	int fd;
	struct sndbe_dev_plan plan;
	struct sndbe_dev_layer layer;
	struct sndbe_loop *loop;
	struct sndbe_wloop wl;
	struct sndbe_dev *dev;
	int exit_code;
};

static char log_prefix[64] = "vsndbe worker: ";

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(log_prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int send_status(int fd, enum sndbe_wk_type type, int err, unsigned int index)
{
	struct sndbe_wk_status st = { .err = err, .index = index };

	sndbe_wk_hdr_init(&st.h, type, sizeof(st), 0);
	return sndbe_wk_send(fd, &st, sizeof(st), now_ms() + 1000);
}

/* One message of @type from the broker, of exactly @size octets. */
static int recv_msg(int fd, enum sndbe_wk_type type, void *buf, size_t size, uint64_t deadline)
{
	ssize_t n = sndbe_wk_recv(fd, buf, size, deadline);

	if (n < 0)
		return (int)n;
	return sndbe_wk_hdr_check(buf, (size_t)n) == (int)type ? 0 : -EPROTO;
}

/* DEVICE and its STREAMs, every field checked. */
static int recv_plan(struct worker *wk, unsigned int *bad)
{
	uint64_t deadline = now_ms() + PLAN_WAIT_MS;
	struct sndbe_wk_options o;
	struct sndbe_wk_device dm;
	struct sndbe_wk_stream sm;
	int r;

	*bad = 0;
	r = recv_msg(wk->fd, SNDBE_WK_DEVICE, &dm, sizeof(dm), deadline);
	if (r < 0)
		return r;
	r = sndbe_wk_decode_device(&dm, &wk->plan, &o);
	if (r < 0)
		return r;
	wk->plan.st = calloc(wk->plan.n, sizeof(wk->plan.st[0]));
	if (!wk->plan.st)
		return -ENOMEM;
	for (unsigned int i = 0; i < wk->plan.n; i++) {
		*bad = i;
		r = recv_msg(wk->fd, SNDBE_WK_STREAM, &sm, sizeof(sm), deadline);
		if (r >= 0)
			r = sndbe_wk_decode_stream(&sm, i, &wk->plan.st[i]);
		if (r < 0)
			return r;
	}
	wk->layer.ring_budget = o.ring_budget;
	wk->layer.pos_ticks = o.pos_ticks;
	wk->layer.pos_floor_us = o.pos_floor_us;
	return 0;
}

/* no_new_privs, and no capability in any set. */
static int drop_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return negative_errno();
	if (syscall(SYS_capset, &h, d) < 0)
		return negative_errno();
	return 0;
}

/* A message from the broker while serving. */
static void on_message(struct worker *wk, const void *buf, size_t len)
{
	struct sndbe_wk_capture c;
	struct sndbe_wk_hdr h;

	switch (sndbe_wk_hdr_check(buf, len)) {
	case SNDBE_WK_PING:
		memcpy(&h, buf, sizeof(h));
		sndbe_wk_hdr_init(&h, SNDBE_WK_PONG, sizeof(h), h.seq);
		sndbe_wk_send(wk->fd, &h, sizeof(h), now_ms() + 100);
		return;
	case SNDBE_WK_CAPTURE:
		memcpy(&c, buf, sizeof(c));
		if (c.deliver <= 1 && c.open_error <= 0 && c.open_error >= -4095 &&
		    sndbe_dev_set_capture(wk->dev, c.index, c.deliver, c.open_error) == 0)
			return;
		__attribute__((fallthrough)); /* a CAPTURE that makes no sense */
	default:
		logf_("an invalid message from the broker: exiting");
		wk->exit_code = 1;
		sndbe_loop_exit(wk->loop, 1);
	}
}

static void on_broker(struct sndbe_loop *l, int fd, uint32_t revents, void *userdata)
{
	struct worker *wk = userdata;
	_Alignas(8) char buf[SNDBE_WK_MSG_MAX];
	ssize_t n;

	(void)revents;
	while ((n = sndbe_wk_recv(fd, buf, sizeof(buf), 0)) > 0)
		on_message(wk, buf, (size_t)n);
	if (n != -EAGAIN) {
		/* The broker let us go (or died): clean exit. */
		if (n != -EPIPE)
			logf_("the broker's socket: %s", strerror((int)-n));
		sndbe_loop_exit(l, wk->exit_code);
	}
}

static void on_broken(void *userdata, uint32_t domid, uint32_t devid, int err)
{
	struct worker *wk = userdata;

	logf_("domain %u device %u: the guest broke a request ring (%s)", domid, devid,
	      strerror(-err));
	/* The broker disconnects the device, which ends this worker. */
	send_status(wk->fd, SNDBE_WK_BROKEN, err, 0);
}

/* Serve until the broker lets go or SIGTERM. */
static int serve(struct worker *wk, bool verbose)
{
	int r;

	wk->wl = (struct sndbe_wloop){ .layer = &wk->layer, .loop = wk->loop, .verbose = verbose,
				       .log = logf_, .on_broken = on_broken, .userdata = wk };
	r = sndbe_loop_add(wk->loop, wk->fd, POLLIN, on_broker, wk);
	if (r >= 0)
		r = sndbe_wloop_init(&wk->wl);
	if (r < 0)
		return r;
	sndbe_wloop_resync(&wk->wl);
	r = sndbe_loop_run(wk->loop);
	sndbe_wloop_fini(&wk->wl);
	sndbe_loop_remove(wk->loop, wk->fd);
	return r;
}

/* Everything up to READY: the plan, Xen, the device, the loop, privileges. */
static int set_up(struct worker *wk, const char *xen, unsigned int *bad)
{
	int r = recv_plan(wk, bad);

	if (r < 0)
		return r;
	snprintf(log_prefix, sizeof(log_prefix), "vsndbe: dom%u/vsnd%u: ", wk->plan.domid,
		 wk->plan.devid);
	r = xenif_open(xen, strcmp(xen, "real") ? 0 : XENIF_DOMID_SELF, &wk->layer.x);
	if (r < 0)
		return r;
	wk->layer.restrict_evtchn = true;
	r = sndbe_dev_start(&wk->layer, &wk->plan, &wk->dev);
	if (r < 0)
		return r;
	r = sndbe_loop_new(&wk->loop);
	if (r < 0)
		return r;
	return drop_privileges();
}

int sndbe_worker_main(const char *xen, int fd, bool verbose)
{
	struct worker wk = { .fd = fd };
	unsigned int bad = 0;
	int type = 0, r;
	socklen_t len = sizeof(type);

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET) {
		logf_("--fd=%d: not a broker's socket (vsndbe starts its workers itself)", fd);
		return 2;
	}
	r = set_up(&wk, xen, &bad);
	if (r >= 0)
		r = send_status(fd, SNDBE_WK_READY, 0, 0);
	else
		send_status(fd, SNDBE_WK_READY, r, bad);
	if (r >= 0)
		r = serve(&wk, verbose);
	if (r < 0)
		logf_("%s", strerror(-r));
	sndbe_dev_stop(&wk.layer, wk.dev);
	wk.loop = sndbe_loop_free(wk.loop);
	xenif_close(wk.layer.x);
	free(wk.plan.st);
	safe_close(fd);
	return r < 0 ? 1 : r;
}
