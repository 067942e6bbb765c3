/* SPDX-License-Identifier: MIT */
/*
 * loop.c - vsndbe's event loop over sd-event (see loop.h); the only file of
 * the backend that includes <systemd/sd-event.h>.
 *
 * Every watched fd has an entry in a small table: its fd, events, sd-event
 * source and callback. The dynamic entries (the streams' fds) are rebuilt
 * whole by sndbe_loop_sync() rather than diffed by fd number: a stream may
 * close an fd and open another one that gets the same number within one
 * dispatch (CLOSE then OPEN in one batch of requests), and the kernel has
 * then dropped the old epoll registration while a diff would see nothing
 * changed and never watch the new file. A handful of fds re-registered per
 * wakeup costs a few epoll_ctl() calls; the old registrations are removed
 * before the new ones are added, so a removal never hits a new file.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <systemd/sd-event.h>

#include "loop.h"
#include "util.h"

struct loop_entry {
	struct sndbe_loop *loop;
	int fd;
	uint32_t events;
	bool dynamic;
	sd_event_source *src;
	sndbe_loop_fd_fn cb;
	void *userdata;
};

struct sndbe_loop {
	sd_event *e;
	sd_event_source *sig[3];	/* SIGTERM, SIGINT, SIGHUP */
	sndbe_loop_after_fn reload;
	void *reload_data;
	sd_event_source *post;
	sndbe_loop_after_fn after;
	void *after_data;
	struct loop_entry **ent;
	unsigned int n_ent;
	unsigned int cap_ent;
};

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct loop_entry *en = userdata;

	(void)s;
	en->cb(en->loop, fd, revents, en->userdata);
	return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct sndbe_loop *l = userdata;

	if (si->ssi_signo == SIGHUP) {
		if (l->reload)
			l->reload(l, l->reload_data);
		return 0;
	}
	fprintf(stderr, "vsndbe: signal %u: exiting\n", si->ssi_signo);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int on_post(sd_event_source *s, void *userdata)
{
	struct sndbe_loop *l = userdata;

	(void)s;
	if (l->after)
		l->after(l, l->after_data);
	return 0;
}

/*
 * poll() events as epoll takes them. alsa-lib asks for POLLOUT or POLLIN
 * together with POLLERR | POLLNVAL (and may use the *NORM bits), which
 * sd_event_add_io() refuses with -EINVAL: POLLNVAL has no epoll meaning
 * (epoll_ctl() itself fails on a bad fd) and the *NORM bits are the same
 * as POLLIN/POLLOUT for the devices we watch. The values of the bits kept
 * are the same in both APIs, so revents need no translation back.
 */
static uint32_t epoll_events(uint32_t events)
{
	uint32_t e = events & (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLERR | EPOLLHUP | EPOLLRDHUP);

	if (events & (POLLRDNORM | POLLRDBAND))
		e |= EPOLLIN;
	if (events & (POLLWRNORM | POLLWRBAND))
		e |= EPOLLOUT;
	return e;
}

static int find(const struct sndbe_loop *l, int fd)
{
	for (unsigned int i = 0; i < l->n_ent; i++)
		if (l->ent[i]->fd == fd)
			return (int)i;
	return -ENOENT;
}

static void drop(struct sndbe_loop *l, unsigned int i)
{
	struct loop_entry *en = l->ent[i];

	sd_event_source_disable_unref(en->src);
	free(en);
	l->ent[i] = l->ent[--l->n_ent];
}

static int add(struct sndbe_loop *l, int fd, uint32_t events, bool dynamic, sndbe_loop_fd_fn cb,
	       void *userdata)
{
	_cleanup_free_ struct loop_entry *en = NULL;
	int r;

	if (fd < 0 || !cb)
		return -EINVAL;
	if (find(l, fd) >= 0)
		return -EEXIST;
	if (l->n_ent == l->cap_ent) {
		unsigned int cap = l->cap_ent ? 2 * l->cap_ent : 16;
		struct loop_entry **p = reallocarray(l->ent, cap, sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->ent = p;
		l->cap_ent = cap;
	}
	en = calloc(1, sizeof(*en));
	if (!en)
		return -ENOMEM;
	*en = (struct loop_entry){ l, fd, events, dynamic, NULL, cb, userdata };
	r = sd_event_add_io(l->e, &en->src, fd, epoll_events(events), on_io, en);
	if (r < 0)
		return r;
	l->ent[l->n_ent++] = TAKE_PTR(en);
	return 0;
}

/**
 * sndbe_loop_new() - see loop.h.
 * @ret: receives the loop.
 *
 * Return: 0 or a negative errno.
 */
int sndbe_loop_new(struct sndbe_loop **ret)
{
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct sndbe_loop *l;
	sigset_t set;
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	r = sd_event_new(&l->e);
	if (r < 0)
		goto fail;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	r = -pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (r < 0)
		goto fail;
	for (unsigned int i = 0; i < ARRAY_SIZE(sigs); i++) {
		r = sd_event_add_signal(l->e, &l->sig[i], sigs[i], on_signal, l);
		if (r < 0)
			goto fail;
	}
	r = sd_event_add_post(l->e, &l->post, on_post, l);
	if (r < 0)
		goto fail;
	*ret = l;
	return 0;
fail:
	sndbe_loop_free(l);
	return r;
}

/**
 * sndbe_loop_free() - see loop.h.
 * @l: the loop, or NULL.
 *
 * Return: NULL.
 */
struct sndbe_loop *sndbe_loop_free(struct sndbe_loop *l)
{
	if (!l)
		return NULL;
	while (l->n_ent)
		drop(l, l->n_ent - 1);
	free(l->ent);
	sd_event_source_disable_unref(l->post);
	for (unsigned int i = 0; i < ARRAY_SIZE(l->sig); i++)
		sd_event_source_disable_unref(l->sig[i]);
	sd_event_unref(l->e);
	free(l);
	return NULL;
}

/**
 * sndbe_loop_add() - see loop.h.
 * @l: the loop.
 * @fd: the fd.
 * @events: POLLIN and friends.
 * @cb: called when it is ready.
 * @userdata: passed to @cb.
 *
 * Return: 0 or a negative errno.
 */
int sndbe_loop_add(struct sndbe_loop *l, int fd, uint32_t events, sndbe_loop_fd_fn cb,
		   void *userdata)
{
	return add(l, fd, events, false, cb, userdata);
}

/**
 * sndbe_loop_modify() - see loop.h.
 * @l: the loop.
 * @fd: a watched fd.
 * @events: the new events.
 *
 * Return: 0, -ENOENT or another negative errno.
 */
int sndbe_loop_modify(struct sndbe_loop *l, int fd, uint32_t events)
{
	int i = find(l, fd);
	int r;

	if (i < 0)
		return i;
	r = sd_event_source_set_io_events(l->ent[i]->src, epoll_events(events));
	if (r < 0)
		return r;
	l->ent[i]->events = events;
	return 0;
}

/**
 * sndbe_loop_remove() - see loop.h.
 * @l: the loop.
 * @fd: a watched fd.
 *
 * Return: 0 or -ENOENT.
 */
int sndbe_loop_remove(struct sndbe_loop *l, int fd)
{
	int i = find(l, fd);

	if (i < 0)
		return i;
	drop(l, (unsigned int)i);
	return 0;
}

/**
 * sndbe_loop_set_after() - see loop.h.
 * @l: the loop.
 * @fn: the hook, or NULL.
 * @userdata: passed to @fn.
 *
 * Return: 0.
 */
int sndbe_loop_set_after(struct sndbe_loop *l, sndbe_loop_after_fn fn, void *userdata)
{
	l->after = fn;
	l->after_data = userdata;
	return 0;
}

/**
 * sndbe_loop_set_reload() - see loop.h.
 * @l: the loop.
 * @fn: the hook, or NULL (SIGHUP is then ignored).
 * @userdata: passed to @fn.
 *
 * Return: 0.
 */
int sndbe_loop_set_reload(struct sndbe_loop *l, sndbe_loop_after_fn fn, void *userdata)
{
	l->reload = fn;
	l->reload_data = userdata;
	return 0;
}

/**
 * sndbe_loop_sync() - see loop.h; rebuilds the dynamic entries whole (see
 * the top of this file for why).
 * @l: the loop.
 * @fds: the fds to watch.
 * @n: how many.
 * @cb: their callback.
 * @userdata: passed to @cb.
 *
 * Return: 0 or the first negative errno met.
 */
int sndbe_loop_sync(struct sndbe_loop *l, const struct pollfd *fds, unsigned int n,
		    sndbe_loop_fd_fn cb, void *userdata)
{
	int ret = 0;

	for (unsigned int i = l->n_ent; i-- > 0;)
		if (l->ent[i]->dynamic)
			drop(l, i);
	for (unsigned int i = 0; i < n; i++) {
		int k = find(l, fds[i].fd);
		int r;

		/* The same fd twice: watch it once for both. */
		if (k >= 0 && l->ent[k]->dynamic)
			r = sndbe_loop_modify(l, fds[i].fd,
					      l->ent[k]->events | (uint16_t)fds[i].events);
		else
			r = add(l, fds[i].fd, (uint16_t)fds[i].events, true, cb, userdata);
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}

/* Number of fds watched. */
unsigned int sndbe_loop_count(const struct sndbe_loop *l)
{
	return l->n_ent;
}

/**
 * sndbe_loop_exit() - see loop.h.
 * @l: the loop.
 * @code: what sndbe_loop_run() returns.
 */
void sndbe_loop_exit(struct sndbe_loop *l, int code)
{
	sd_event_exit(l->e, code);
}

/**
 * sndbe_loop_run() - see loop.h.
 * @l: the loop.
 *
 * Return: the exit code, or a negative errno.
 */
int sndbe_loop_run(struct sndbe_loop *l)
{
	return sd_event_loop(l->e);
}
