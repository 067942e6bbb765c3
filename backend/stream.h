/* SPDX-License-Identifier: MIT */
/*
 * stream.h - one guest stream as vsndbe serves it: the request handler
 * (decode, validate against the stream, dispatch; protocol.md 3.3-3.11,
 * REQ-8..21), the OPEN buffer and host audio it owns while open, and the
 * CUR_POS producer (protocol.md 3.12) driven by a per-stream position timer.
 *
 * The device layer (vsnd-dev.h) maps the stream's two shared pages, binds
 * its event channels and hands them over here; the stream borrows them and
 * never unmaps them. Everything the stream maps itself (the OPEN buffer) is
 * released by CLOSE, by an implicit close (OPEN on an open stream) and by
 * sndbe_stream_free().
 *
 * Nothing is logged: failures answer the guest with a status and are
 * counted in struct sndbe_stream_stats.
 *
 * Context: one stream is driven from one thread (the worker's loop).
 */
#ifndef VSND_BACKEND_STREAM_H
#define VSND_BACKEND_STREAM_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio.h"
#include "vsnd/limits.h"
#include "vsnd/pcm.h"
#include "vsnd/request.h"
#include "vsnd/wire.h"

struct xenif;
struct sndbe_stream;

/*
 * CUR_POS comes every max(period / k, floor) while running (protocol.md
 * 3.12 and 4.8: Linux wakes its application only when more than a period
 * has gone by since the last wakeup, so one event per period gives a wakeup
 * every second period). k and floor are configurable within these bounds.
 */
#define SNDBE_STREAM_POS_TICKS_DEFAULT 4u
#define SNDBE_STREAM_POS_TICKS_MAX 64u
#define SNDBE_STREAM_POS_FLOOR_US_DEFAULT 1000u
#define SNDBE_STREAM_POS_FLOOR_US_MIN 100u
#define SNDBE_STREAM_POS_FLOOR_US_MAX 1000000u

struct sndbe_stream_config {
	struct xenif *x;		/* the worker's context, borrowed */
	uint32_t domid;			/* the guest */
	enum vsnd_dir dir;		/* from the XenStore `type` */
	struct vsnd_stream_limits lim;	/* vsnd_xscfg_limits() of the stream */
	uint32_t buffer_bytes_cap;	/* policy; 0: the hard maximum */
	const char *spec;		/* host device spec, copied */
	int open_error;			/* < 0: every OPEN answers it (policy) */
	bool volume_capped;		/* SET_VOLUME above the cap applies the cap */
	int32_t volume_max_mdb;		/* the cap, in 0.001 dB (<= 0) */
	unsigned int ring_budget;	/* requests per service call; 0: default */
	/* Bumped whenever an fd of sndbe_stream_fds() opens or closes (the
	 * host audio's, at OPEN and CLOSE); NULL: not counted. */
	uint64_t *fd_gen;
	unsigned int pos_ticks;		/* k above; 0: the default */
	uint32_t pos_floor_us;		/* floor above; 0: the default */
	struct xen_sndif_sring *sring;	/* mapped `ring-ref`, borrowed */
	struct xensnd_event_page *evt_page; /* mapped `evt-ring-ref`, borrowed */
	int (*notify)(void *userdata);	/* kick `event-channel` */
	int (*evt_notify)(void *userdata); /* kick `evt-event-channel` */
	void *userdata;
};

struct sndbe_stream_stats {
	uint64_t requests;		/* answered */
	uint64_t errors;		/* answered with a non-zero status */
	uint64_t frames_refused;	/* WRITE frames the sink FIFO refused */
	uint64_t frames_missing;	/* READ frames not captured (silence) */
	uint64_t frames_withheld;	/* captured, replaced by silence (policy) */
	uint64_t events;		/* CUR_POS enqueued */
	uint64_t events_dropped;	/* CUR_POS dropped (page full) */
	uint64_t audio_errors;		/* audio service/trigger failures */
	uint64_t position;		/* last CUR_POS position sent */
	enum vsnd_pcm_state state;
	bool ring_broken;		/* the guest broke the ring (-EPROTO) */
};

/**
 * sndbe_stream_new() - start serving one stream.
 * @cfg: what the stream is made of; @cfg->spec is copied, the pages and
 *	@cfg->x are borrowed and must outlive the stream.
 * @ret: receives the stream.
 *
 * Probes the host capability space of @cfg->spec for HW_PARAM_QUERY.
 * Return: 0; -EINVAL for a missing argument or a position rate out of
 * bounds; -ENOMEM; a timerfd errno; the
 * probe's errno (bad spec).
 */
int sndbe_stream_new(const struct sndbe_stream_config *cfg, struct sndbe_stream **ret);

/**
 * sndbe_stream_free() - CLOSE if open (audio closed, buffer unmapped) and
 * free. The shared pages stay mapped: they are the caller's.
 * @s: the stream, or NULL.
 *
 * Return: NULL.
 */
struct sndbe_stream *sndbe_stream_free(struct sndbe_stream *s);

/**
 * sndbe_stream_handle() - answer one request (the ring's handler).
 * @s: the stream.
 * @req: a private copy of the request.
 * @rsp: the response, fully written here.
 */
void sndbe_stream_handle(struct sndbe_stream *s, const struct xensnd_req *req,
			 struct xensnd_resp *rsp);

/**
 * sndbe_stream_service_ring() - answer what the guest queued (call on every
 * event of the request port).
 * @s: the stream.
 *
 * Return: 0 (ring empty and armed), 1 (budget spent: call again),
 * -EPROTO (the ring is broken for good), or the notifier's errno.
 */
int sndbe_stream_service_ring(struct sndbe_stream *s);

/**
 * sndbe_stream_fds() - the fds of this stream the loop must watch besides
 * the request port: the host audio's and the position timer.
 * @s: the stream.
 * @fds: receives them.
 * @n: room in @fds; SNDBE_STREAM_MAX_FDS is always enough.
 *
 * The set changes after every call on the stream: fetch it again each turn.
 * Return: the number written, or a negative errno.
 */
#define SNDBE_STREAM_MAX_FDS (SNDBE_AUDIO_MAX_FDS + 1u)

int sndbe_stream_fds(struct sndbe_stream *s, struct pollfd *fds, unsigned int n);

/**
 * sndbe_stream_set_capture() - change what a capture stream delivers, for a
 * policy reload: from the next READ on, the guest gets the host's frames
 * (@deliver) or silence of the same length (the host stream keeps running,
 * so positions go on at the stream's rate); every later OPEN answers
 * @open_error when it is negative.
 * @s: the stream.
 * @deliver: whether READ gets what the host captured.
 * @open_error: what every later OPEN answers (< 0), or 0.
 */
void sndbe_stream_set_capture(struct sndbe_stream *s, bool deliver, int open_error);

/**
 * sndbe_stream_process() - one of the stream's fds is ready.
 * @s: the stream.
 * @fd: the fd.
 * @revents: what poll() saw.
 *
 * Return: 1 when @fd is the stream's and was served, 0 when it is not the
 * stream's, or a negative errno (the host device vanished; counted too).
 */
int sndbe_stream_process(struct sndbe_stream *s, int fd, short revents);

/**
 * sndbe_stream_stats() - counters and state.
 * @s: the stream.
 * @ret: receives them.
 */
void sndbe_stream_stats(const struct sndbe_stream *s, struct sndbe_stream_stats *ret);

#endif /* VSND_BACKEND_STREAM_H */
