// SPDX-License-Identifier: MIT
/*
 * stream.c - one guest stream: the request handler and the position clock.
 *
 * Every request copied out of the ring is decoded and validated with
 * libvsnd against what this stream is (direction and limits from XenStore,
 * the current OPEN), then dispatched. OPEN maps the guest's buffer and opens
 * the host audio with the guest's parameters; WRITE and READ copy between
 * that buffer and a private scratch buffer, the only place volume is
 * applied; TRIGGER follows the table of vsnd/pcm.h. While RUNNING a timerfd
 * ticks every max(period / k, floor) (stream.h) and each tick turns the
 * audio position into a CUR_POS event when it moved (protocol.md 3.12).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "audio.h"
#include "ring.h"
#include "shbuf.h"
#include "stream.h"
#include "util.h"
#include "vsnd/hwparams.h"
#include "vsnd/pcm.h"
#include "vsnd/request.h"

struct sndbe_stream {
	struct sndbe_stream_config cfg;
	char *spec;
	struct vsnd_hw_caps caps;
	struct sndbe_ring ring;
	struct sndbe_evtq evtq;
	int timer_fd;
	bool timer_armed;

	/* The current OPEN (state != CLOSED). */
	enum vsnd_pcm_state state;
	struct vsnd_open_params open;
	struct sndbe_shbuf *buf;
	struct sndbe_audio *audio;
	bool capture_withheld;		/* READ gets zeros (a policy reload) */
	uint8_t *scratch;
	struct sndbe_volume vol;
	uint64_t pos_base;		/* octets at pos_frames */
	uint64_t pos_frames;		/* audio position at pos_base */
	uint64_t pos_last;		/* last position computed */
	bool pos_sent;

	struct sndbe_stream_stats st;
};

static void stream_handle_cb(void *ud, const struct xensnd_req *req, struct xensnd_resp *rsp)
{
	sndbe_stream_handle(ud, req, rsp);
}

static int stream_notify_cb(void *ud)
{
	struct sndbe_stream *s = ud;

	return s->cfg.notify(s->cfg.userdata);
}

static int stream_evt_notify_cb(void *ud)
{
	struct sndbe_stream *s = ud;

	return s->cfg.evt_notify(s->cfg.userdata);
}

static const struct sndbe_ring_ops stream_ring_ops = {
	.handle = stream_handle_cb,
	.notify = stream_notify_cb,
};

static int timer_set(struct sndbe_stream *s, bool on)
{
	struct itimerspec its = { 0 };

	if (on && s->open.period_frames && s->open.rate) {
		uint64_t ns = (uint64_t)s->open.period_frames * NSEC_PER_SEC /
			      ((uint64_t)s->open.rate * s->cfg.pos_ticks);
		uint64_t floor = (uint64_t)s->cfg.pos_floor_us * 1000u;

		if (ns < floor)
			ns = floor;
		its.it_value.tv_sec = (time_t)(ns / NSEC_PER_SEC);
		its.it_value.tv_nsec = (long)(ns % NSEC_PER_SEC);
		its.it_interval = its.it_value;
	} else {
		on = false;
	}
	if (timerfd_settime(s->timer_fd, 0, &its, NULL) < 0)
		return -errno;
	s->timer_armed = on;
	return 0;
}

/* Position in octets now: never backwards, never past what was played. */
static uint64_t stream_position(struct sndbe_stream *s)
{
	uint64_t frames = sndbe_audio_position(s->audio);
	uint64_t pos;

	if (frames < s->pos_frames)
		frames = s->pos_frames;
	pos = s->pos_base + (frames - s->pos_frames) * s->open.frame_bytes;
	if (pos > s->pos_last)
		s->pos_last = pos;
	return s->pos_last;
}

static void stream_tick(struct sndbe_stream *s)
{
	uint64_t pos;
	int r;

	if (s->state != VSND_PCM_RUNNING || !s->audio || !s->open.period_bytes)
		return;
	pos = stream_position(s);
	if (s->pos_sent && pos == s->st.position)
		return;
	r = sndbe_evtq_cur_pos(&s->evtq, pos);
	if (r == -ENOSPC) {
		s->st.events_dropped++;
		return;
	}
	s->st.events++;
	s->st.position = pos;
	s->pos_sent = true;
	if (r < 0)
		s->st.audio_errors++;
}

/* An fd of sndbe_stream_fds() is about to close or has just opened. */
static void fd_changed(struct sndbe_stream *s)
{
	if (s->cfg.fd_gen)
		(*s->cfg.fd_gen)++;
}

static void stream_close(struct sndbe_stream *s)
{
	if (s->timer_armed)
		timer_set(s, false);
	if (s->audio) {
		sndbe_audio_stop(s->audio);
		fd_changed(s);
	}
	s->audio = sndbe_audio_close(s->audio);
	s->buf = sndbe_shbuf_unmap(s->buf);
	free(s->scratch);
	s->scratch = NULL;
	s->state = VSND_PCM_CLOSED;
	memset(&s->open, 0, sizeof(s->open));
}

static int op_open(struct sndbe_stream *s, const struct vsnd_open_params *p)
{
	struct sndbe_audio_config ac = {
		.capture = s->cfg.dir == VSND_DIR_CAPTURE,
		.rate = p->rate,
		.format = p->format,
		.channels = p->channels,
		.buffer_frames = p->buffer_frames,
		.period_frames = p->period_frames ? p->period_frames : p->buffer_frames,
	};
	int r;

	if (s->cfg.open_error < 0)
		return s->cfg.open_error;
	stream_close(s);
	r = sndbe_shbuf_map(s->cfg.x, s->cfg.domid, p->gref_directory, p->buffer_bytes,
			    s->cfg.buffer_bytes_cap, &s->buf);
	if (r < 0)
		return r;
	s->scratch = malloc(p->buffer_bytes);
	if (!s->scratch) {
		stream_close(s);
		return -ENOMEM;
	}
	r = sndbe_audio_open(s->spec, &ac, &s->audio);
	if (r < 0) {
		s->audio = NULL;
		stream_close(s);
		return r;
	}
	fd_changed(s);
	s->open = *p;
	sndbe_volume_init(&s->vol, p->channels);
	/* Within the cap from the start: 0 dB may be above it. */
	for (unsigned int i = 0; s->cfg.volume_capped && i < p->channels; i++)
		(void)sndbe_volume_set(&s->vol, i, s->cfg.volume_max_mdb);
	s->pos_base = 0;
	s->pos_frames = 0;
	s->pos_last = 0;
	s->pos_sent = false;
	s->state = VSND_PCM_PREPARED;
	return 0;
}

static int op_write(struct sndbe_stream *s, const struct vsnd_rw_params *rw)
{
	uint32_t frames = rw->length / s->open.frame_bytes;
	int r;

	if (!frames)
		return 0;
	r = sndbe_shbuf_copy_out(s->buf, rw->offset, s->scratch, rw->length);
	if (r < 0)
		return r;
	if (!sndbe_volume_is_unity(&s->vol)) {
		r = sndbe_volume_apply(&s->vol, s->open.format, s->scratch, frames);
		if (r < 0)
			return r;
	}
	r = sndbe_audio_write(s->audio, s->scratch, frames);
	if (r < 0)
		return r;
	s->st.frames_refused += frames - (uint32_t)r;
	return 0;
}

static int op_read(struct sndbe_stream *s, const struct vsnd_rw_params *rw)
{
	uint32_t frames = rw->length / s->open.frame_bytes;
	uint32_t got;
	int r;

	if (!frames)
		return 0;
	r = sndbe_audio_read(s->audio, s->scratch, frames);
	if (r < 0)
		return r;
	got = (uint32_t)r;
	if (s->capture_withheld) {
		/* Captured, then thrown away: the clock and the source's
		 * position go on, the guest gets silence. */
		s->st.frames_withheld += got;
		got = 0;
	}
	if (got && !sndbe_volume_is_unity(&s->vol)) {
		r = sndbe_volume_apply(&s->vol, s->open.format, s->scratch, got);
		if (r < 0)
			return r;
	}
	if (got < frames) {
		r = sndbe_format_fill_silence(s->open.format,
					      s->scratch + (size_t)got * s->open.frame_bytes,
					      (frames - got) * s->open.channels);
		if (r < 0)
			return r;
		s->st.frames_missing += frames - got;
	}
	return sndbe_shbuf_copy_in(s->buf, rw->offset, s->scratch, rw->length);
}

static int trigger_host(struct sndbe_stream *s, unsigned int type)
{
	switch (type) {
	case XENSND_OP_TRIGGER_START:
	case XENSND_OP_TRIGGER_RESUME:
		return sndbe_audio_start(s->audio);
	case XENSND_OP_TRIGGER_STOP:
		return sndbe_audio_stop(s->audio);
	case XENSND_OP_TRIGGER_PAUSE:
		return sndbe_audio_pause(s->audio);
	default:
		return -EINVAL;
	}
}

static int op_trigger(struct sndbe_stream *s, unsigned int type)
{
	struct vsnd_pcm_transition t;
	int r;

	r = vsnd_pcm_trigger(s->state, type, &t);
	if (r < 0)
		return r;
	if (t.realign) {
		s->pos_base = vsnd_pos_realign(stream_position(s), s->open.buffer_bytes);
		s->pos_frames = sndbe_audio_position(s->audio);
		if (s->pos_base > s->pos_last)
			s->pos_last = s->pos_base;
	}
	if (t.host_action) {
		r = trigger_host(s, type);
		if (r < 0) {
			s->st.audio_errors++;
			return r;
		}
	}
	s->state = t.next;
	return timer_set(s, s->state == VSND_PCM_RUNNING);
}

static int op_query(struct sndbe_stream *s, const struct vsnd_hw_space *req,
		    struct xensnd_query_hw_param *ret)
{
	struct vsnd_hw_space ans;
	int r;

	r = vsnd_hw_solve(req, &s->cfg.lim, &s->caps, &ans);
	if (r < 0)
		return r;
	return vsnd_hw_space_to_wire(&ans, ret);
}

/* Copy the @n 32-bit entries of a volume/mute request out of the buffer. */
static int entries_out(struct sndbe_stream *s, const struct vsnd_rw_params *rw, uint32_t *v)
{
	uint32_t n = s->open.channels;
	uint8_t raw[255 * 4];
	int r;

	r = sndbe_shbuf_copy_out(s->buf, rw->offset, raw, rw->length);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < n; i++) {
		if (rw->length == n) {
			v[i] = raw[i];
		} else {
			uint32_t le;

			memcpy(&le, raw + 4 * i, 4);
			v[i] = le32toh(le);
		}
	}
	return 0;
}

/*
 * A gain the policy caps: a valid one (at most 0 dB) above the cap becomes
 * the cap; anything else goes on to be refused or applied as it is.
 */
static int32_t capped_mdb(const struct sndbe_stream *s, int32_t mdb)
{
	if (s->cfg.volume_capped && mdb > s->cfg.volume_max_mdb && mdb <= 0)
		return s->cfg.volume_max_mdb;
	return mdb;
}

static int op_volume(struct sndbe_stream *s, uint8_t op, const struct vsnd_rw_params *rw)
{
	struct sndbe_volume nv = s->vol;
	uint32_t v[255];
	int r = 0;

	if (op == XENSND_OP_GET_VOLUME) {
		for (unsigned int i = 0; i < s->open.channels; i++)
			v[i] = htole32((uint32_t)s->vol.mdb[i]);
		return sndbe_shbuf_copy_in(s->buf, rw->offset, v, s->open.channels * 4u);
	}
	r = entries_out(s, rw, v);
	for (unsigned int i = 0; i < s->open.channels && r >= 0; i++) {
		if (op == XENSND_OP_SET_VOLUME)
			r = sndbe_volume_set(&nv, i, capped_mdb(s, (int32_t)v[i]));
		else if (v[i])
			r = sndbe_volume_set_mute(&nv, i, op == XENSND_OP_MUTE);
	}
	if (r < 0)
		return r;
	s->vol = nv;
	return 0;
}

static int stream_dispatch(struct sndbe_stream *s, const struct vsnd_req *req,
			   struct xensnd_resp *rsp)
{
	switch (req->op) {
	case XENSND_OP_OPEN:
		return op_open(s, &req->u.open);
	case XENSND_OP_CLOSE:
		stream_close(s);
		return 0;
	case XENSND_OP_WRITE:
		return op_write(s, &req->u.rw);
	case XENSND_OP_READ:
		return op_read(s, &req->u.rw);
	case XENSND_OP_TRIGGER:
		return op_trigger(s, req->u.trigger);
	case XENSND_OP_HW_PARAM_QUERY:
		return op_query(s, &req->u.hw, &rsp->resp.hw_param);
	case XENSND_OP_SET_VOLUME:
	case XENSND_OP_GET_VOLUME:
	case XENSND_OP_MUTE:
	case XENSND_OP_UNMUTE:
		return op_volume(s, req->op, &req->u.rw);
	default:
		return -ENOSYS;
	}
}

/**
 * sndbe_stream_handle() - answer one request (the ring's handler).
 * @s: the stream.
 * @req: a private copy of the request.
 * @rsp: the response, fully written here.
 */
void sndbe_stream_handle(struct sndbe_stream *s, const struct xensnd_req *req,
			 struct xensnd_resp *rsp)
{
	struct vsnd_stream_ctx ctx = {
		.dir = s->cfg.dir,
		.lim = &s->cfg.lim,
		.buffer_bytes_cap = s->cfg.buffer_bytes_cap,
		.open = s->state != VSND_PCM_CLOSED,
		.buffer_bytes = s->open.buffer_bytes,
		.frame_bytes = s->open.frame_bytes,
		.channels = s->open.channels,
	};
	struct xensnd_query_hw_param hw = { 0 };
	struct xensnd_resp tmp = { 0 };
	struct vsnd_req r;
	int err;

	err = vsnd_req_decode(req, &r);
	if (err >= 0)
		err = vsnd_req_validate(&r, &ctx);
	if (err >= 0)
		err = stream_dispatch(s, &r, &tmp);
	if (err >= 0 && r.op == XENSND_OP_HW_PARAM_QUERY)
		hw = tmp.resp.hw_param;
	vsnd_resp_init(rsp, &r, err < 0 ? err : 0);
	if (err >= 0 && r.op == XENSND_OP_HW_PARAM_QUERY)
		rsp->resp.hw_param = hw;
	s->st.requests++;
	if (err < 0)
		s->st.errors++;
}

/**
 * sndbe_stream_new() - start serving one stream.
 * @cfg: what the stream is made of; @cfg->spec is copied, the pages and
 *	@cfg->x are borrowed and must outlive the stream.
 * @ret: receives the stream.
 *
 * Return: 0; -EINVAL for a missing argument or a position rate out of
 * bounds; -ENOMEM; a timerfd errno; the probe's errno (bad spec).
 */
int sndbe_stream_new(const struct sndbe_stream_config *cfg, struct sndbe_stream **ret)
{
	_cleanup_free_ struct sndbe_stream *s = NULL;
	int r;

	if (!cfg || !ret || !cfg->spec || !cfg->sring || !cfg->evt_page || !cfg->notify ||
	    !cfg->evt_notify)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	if (!s->cfg.pos_ticks)
		s->cfg.pos_ticks = SNDBE_STREAM_POS_TICKS_DEFAULT;
	if (!s->cfg.pos_floor_us)
		s->cfg.pos_floor_us = SNDBE_STREAM_POS_FLOOR_US_DEFAULT;
	if (s->cfg.pos_ticks > SNDBE_STREAM_POS_TICKS_MAX ||
	    s->cfg.pos_floor_us < SNDBE_STREAM_POS_FLOOR_US_MIN ||
	    s->cfg.pos_floor_us > SNDBE_STREAM_POS_FLOOR_US_MAX)
		return -EINVAL;
	r = sndbe_audio_probe(cfg->spec, cfg->dir == VSND_DIR_CAPTURE, &s->caps);
	if (r < 0)
		return r;
	s->spec = strdup(cfg->spec);
	if (!s->spec)
		return -ENOMEM;
	s->cfg.spec = s->spec;
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timer_fd < 0) {
		r = -errno;
		free(s->spec);
		return r;
	}
	r = sndbe_ring_init(&s->ring, cfg->sring, 0, cfg->ring_budget, &stream_ring_ops, s);
	if (r >= 0)
		r = sndbe_evtq_init(&s->evtq, cfg->evt_page, 0, stream_evt_notify_cb, s);
	if (r < 0) {
		close(s->timer_fd);
		free(s->spec);
		return r;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

/**
 * sndbe_stream_free() - CLOSE if open and free.
 * @s: the stream, or NULL.
 *
 * Return: NULL.
 */
struct sndbe_stream *sndbe_stream_free(struct sndbe_stream *s)
{
	if (!s)
		return NULL;
	stream_close(s);
	safe_close(s->timer_fd);
	free(s->spec);
	free(s);
	return NULL;
}

/**
 * sndbe_stream_service_ring() - answer what the guest queued.
 * @s: the stream.
 *
 * Return: 0, 1 (budget spent), -EPROTO (broken ring), or a notifier errno.
 */
int sndbe_stream_service_ring(struct sndbe_stream *s)
{
	int r;

	if (s->st.ring_broken)
		return -EPROTO;
	r = sndbe_ring_service(&s->ring);
	if (r == -EPROTO)
		s->st.ring_broken = true;
	return r;
}

/**
 * sndbe_stream_fds() - the stream's fds besides the request port.
 * @s: the stream.
 * @fds: receives them.
 * @n: room in @fds.
 *
 * Return: the number written, or a negative errno.
 */
int sndbe_stream_fds(struct sndbe_stream *s, struct pollfd *fds, unsigned int n)
{
	int r = 0;

	if (!n)
		return -ENOBUFS;
	fds[0] = (struct pollfd){ .fd = s->timer_fd, .events = POLLIN };
	if (s->audio) {
		r = sndbe_audio_fds(s->audio, fds + 1, n - 1);
		if (r < 0)
			return r;
	}
	return r + 1;
}

static int stream_service_audio(struct sndbe_stream *s, int fd, short revents)
{
	struct pollfd p[SNDBE_AUDIO_MAX_FDS];
	int n, r;

	n = sndbe_audio_fds(s->audio, p, SNDBE_AUDIO_MAX_FDS);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (p[i].fd != fd)
			continue;
		for (int j = 0; j < n; j++)
			p[j].revents = p[j].fd == fd ? revents : 0;
		r = sndbe_audio_service(s->audio, p, (unsigned int)n);
		if (r < 0)
			s->st.audio_errors++;
		return r < 0 ? r : 1;
	}
	return 0;
}

/**
 * sndbe_stream_process() - one of the stream's fds is ready.
 * @s: the stream.
 * @fd: the fd.
 * @revents: what poll() saw.
 *
 * Return: 1 when served, 0 when @fd is not the stream's, or a negative errno.
 */
int sndbe_stream_process(struct sndbe_stream *s, int fd, short revents)
{
	uint64_t ticks;

	if (fd == s->timer_fd) {
		if (read(s->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			return -errno;
		stream_tick(s);
		return 1;
	}
	if (!s->audio)
		return 0;
	return stream_service_audio(s, fd, revents);
}

/**
 * sndbe_stream_stats() - counters and state.
 * @s: the stream.
 * @ret: receives them.
 */
void sndbe_stream_stats(const struct sndbe_stream *s, struct sndbe_stream_stats *ret)
{
	*ret = s->st;
	ret->state = s->state;
}

/**
 * sndbe_stream_set_capture() - see stream.h.
 * @s: the stream.
 * @deliver: whether READ gets what the host captured.
 * @open_error: what every later OPEN answers (< 0), or 0.
 */
void sndbe_stream_set_capture(struct sndbe_stream *s, bool deliver, int open_error)
{
	s->capture_withheld = !deliver;
	s->cfg.open_error = open_error;
}
