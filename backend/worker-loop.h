/* SPDX-License-Identifier: MIT */
/*
 * worker-loop.h - serving a device layer (vsnd-dev.h) on an event loop
 * (loop.h): what a per-guest worker runs for its one device, and what the
 * broker runs for every device under --single-process.
 *
 * After every dispatch it disconnects the devices whose guests broke a ring
 * (through the caller's on_broken), makes an eventfd readable when a ring
 * had requests left after its budget, so that the rest is served in the
 * loop's next round after the other ready fds (security.md rule 9), and
 * hands the loop the stream fds as they are now, plus the caller's own
 * dynamic fds (the broker's workers). Registrations are rebuilt only when
 * something changed (see sndbe_dev_fd_generation()).
 */
#ifndef VSND_BACKEND_WORKER_LOOP_H
#define VSND_BACKEND_WORKER_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "vsnd-dev.h"

/* Room for the fds of one turn: plenty for a few guests. */
#define SNDBE_WLOOP_MAX_FDS 1024u

/* More dynamic fds than the layer's, served by the caller. */
struct sndbe_wloop_extra {
	/* Write them to @fds (room for @n); return the count or -ENOBUFS. */
	int (*fds)(void *userdata, struct pollfd *fds, unsigned int n);
	/* Changes whenever one of them is opened or closed. */
	uint64_t (*generation)(void *userdata);
	/* One of them is ready. */
	void (*process)(void *userdata, int fd, short revents);
};

struct sndbe_wloop {
	/* Set by the caller before sndbe_wloop_init(). */
	struct sndbe_dev_layer *layer;
	struct sndbe_loop *loop;
	bool verbose;
	void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* A device whose guest broke a ring: disconnect it (required). */
	void (*on_broken)(void *userdata, uint32_t domid, uint32_t devid, int err);
	/* Run after every dispatch, after on_broken (optional). */
	void (*after)(void *userdata);
	void *userdata; /* for on_broken and after */
	const struct sndbe_wloop_extra *extra; /* optional */
	void *extra_data; /* for extra */
	/* Private. */
	struct pollfd fds[SNDBE_WLOOP_MAX_FDS];
	struct pollfd watched[SNDBE_WLOOP_MAX_FDS];
	unsigned int n_watched;
	uint64_t watched_gen;
	bool watched_ok;
	int kick_fd;
	bool kicked;
};

/**
 * sndbe_wloop_init() - watch the backlog eventfd and install the hook run
 * after every dispatch; then sync the fds once.
 * @w: filled in as above.
 *
 * Return: 0 or a negative errno.
 */
int sndbe_wloop_init(struct sndbe_wloop *w);

/* The after-dispatch work, for a caller that changed things by itself. */
void sndbe_wloop_resync(struct sndbe_wloop *w);

/* Stop watching; close the eventfd. */
void sndbe_wloop_fini(struct sndbe_wloop *w);

#endif /* VSND_BACKEND_WORKER_LOOP_H */
