// SPDX-License-Identifier: MIT
/*
 * worker-loop.c - a device layer served on an event loop (worker-loop.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util.h"
#include "worker-loop.h"

static void on_stream_fd(struct sndbe_loop *l, int fd, uint32_t revents, void *userdata)
{
	struct sndbe_wloop *w = userdata;
	int r = sndbe_dev_process(w->layer, fd, (short)revents);

	(void)l;
	if (r == 0 && w->extra)
		w->extra->process(w->extra_data, fd, (short)revents);
	else if (r < 0 && w->verbose)
		w->log("fd %d: %s", fd, strerror(-r));
}

/*
 * Requests left over after a ring's budget: served when the kick eventfd
 * is seen readable, which happens in the same epoll round as the other
 * ready fds, so every ready fd is served between two backlog rounds.
 */
static void on_kick(struct sndbe_loop *l, int fd, uint32_t revents, void *userdata)
{
	struct sndbe_wloop *w = userdata;
	uint64_t v;
	int r;

	(void)l, (void)revents;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		w->log("warning: backlog eventfd: %s", strerror(errno));
	w->kicked = false;
	r = sndbe_dev_serve_backlog(w->layer);
	if (r < 0 && w->verbose)
		w->log("backlog: %s", strerror(-r));
}

static uint64_t generation(const struct sndbe_wloop *w)
{
	uint64_t gen = sndbe_dev_fd_generation(w->layer);

	return w->extra ? gen + w->extra->generation(w->extra_data) : gen;
}

/*
 * Hand the loop the @n fds of w->fds. Registrations are rebuilt whole
 * (loop.c says why) only when something changed: an fd opened or closed
 * since the last time, or the set or its events differ. A steady stream's
 * wakeups then cost no epoll_ctl().
 */
static void watch(struct sndbe_wloop *w, unsigned int n)
{
	uint64_t gen = generation(w);
	bool same = w->watched_ok && gen == w->watched_gen && n == w->n_watched;
	int r;

	for (unsigned int i = 0; same && i < n; i++)
		same = w->fds[i].fd == w->watched[i].fd && w->fds[i].events == w->watched[i].events;
	if (same)
		return;
	r = sndbe_loop_sync(w->loop, w->fds, n, on_stream_fd, w);
	if (r < 0)
		w->log("warning: watching the stream fds: %s", strerror(-r));
	memcpy(w->watched, w->fds, n * sizeof(w->fds[0]));
	w->n_watched = n;
	w->watched_gen = gen;
	w->watched_ok = r >= 0;
}

/* Every fd to watch now, in w->fds: the layer's, then the caller's. */
static unsigned int collect(struct sndbe_wloop *w)
{
	int n = sndbe_dev_fds(w->layer, w->fds, SNDBE_WLOOP_MAX_FDS), k = 0;

	if (n < 0) {
		w->log("warning: too many stream fds: %s", strerror(-n));
		n = 0;
	}
	if (w->extra)
		k = w->extra->fds(w->extra_data, w->fds + n, SNDBE_WLOOP_MAX_FDS - (unsigned int)n);
	if (k < 0) {
		w->log("warning: too many fds: %s", strerror(-k));
		k = 0;
	}
	return (unsigned int)(n + k);
}

void sndbe_wloop_resync(struct sndbe_wloop *w)
{
	uint64_t one = 1;
	uint32_t domid, devid;
	int e;

	while ((e = sndbe_dev_next_broken(w->layer, &domid, &devid)) < 0)
		w->on_broken(w->userdata, domid, devid, e);
	if (w->after)
		w->after(w->userdata);
	if (!w->kicked && sndbe_dev_backlog(w->layer)) {
		if (write(w->kick_fd, &one, sizeof(one)) == sizeof(one))
			w->kicked = true;
		else
			w->log("warning: backlog eventfd: %s", strerror(errno));
	}
	watch(w, collect(w));
}

static void after(struct sndbe_loop *l, void *userdata)
{
	(void)l;
	sndbe_wloop_resync(userdata);
}

int sndbe_wloop_init(struct sndbe_wloop *w)
{
	int r;

	w->n_watched = 0;
	w->watched_ok = false;
	w->kicked = false;
	w->kick_fd = RET_NERRNO(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	if (w->kick_fd < 0)
		return w->kick_fd;
	r = sndbe_loop_add(w->loop, w->kick_fd, POLLIN, on_kick, w);
	if (r < 0) {
		w->kick_fd = safe_close(w->kick_fd);
		return r;
	}
	sndbe_loop_set_after(w->loop, after, w);
	return 0;
}

void sndbe_wloop_fini(struct sndbe_wloop *w)
{
	if (w->kick_fd < 0)
		return;
	sndbe_loop_set_after(w->loop, NULL, NULL);
	sndbe_loop_remove(w->loop, w->kick_fd);
	w->kick_fd = safe_close(w->kick_fd);
}
