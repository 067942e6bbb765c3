// SPDX-License-Identifier: MIT
/*
 * worker-proto.c - the broker/worker messages (worker-proto.h): encoding,
 * the checks of every field, and bounded send/receive on the socketpair.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"
#include "stream.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsnd/xscfg.h"
#include "worker-proto.h"
#include "xenif/xenif.h"

static const size_t msg_size[] = {
	[SNDBE_WK_DEVICE] = sizeof(struct sndbe_wk_device),
	[SNDBE_WK_STREAM] = sizeof(struct sndbe_wk_stream),
	[SNDBE_WK_READY] = sizeof(struct sndbe_wk_status),
	[SNDBE_WK_PING] = sizeof(struct sndbe_wk_hdr),
	[SNDBE_WK_PONG] = sizeof(struct sndbe_wk_hdr),
	[SNDBE_WK_CAPTURE] = sizeof(struct sndbe_wk_capture),
	[SNDBE_WK_BROKEN] = sizeof(struct sndbe_wk_status),
};

void sndbe_wk_hdr_init(struct sndbe_wk_hdr *h, enum sndbe_wk_type type, size_t size, uint32_t seq)
{
	*h = (struct sndbe_wk_hdr){ .magic = SNDBE_WK_MAGIC, .version = SNDBE_WK_VERSION,
				    .type = (uint16_t)type, .size = (uint32_t)size, .seq = seq };
}

int sndbe_wk_hdr_check(const void *buf, size_t len)
{
	struct sndbe_wk_hdr h;

	if (len < sizeof(h))
		return -EPROTO;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != SNDBE_WK_MAGIC || h.version != SNDBE_WK_VERSION || !h.type ||
	    h.type >= ARRAY_SIZE(msg_size) || h.size != len || len != msg_size[h.type])
		return -EPROTO;
	return h.type;
}

void sndbe_wk_encode_device(const struct sndbe_dev_plan *p, const struct sndbe_wk_options *o,
			    struct sndbe_wk_device *m)
{
	memset(m, 0, sizeof(*m));
	sndbe_wk_hdr_init(&m->h, SNDBE_WK_DEVICE, sizeof(*m), 0);
	m->domid = p->domid;
	m->devid = p->devid;
	m->n_streams = p->n;
	m->ring_budget = o->ring_budget;
	m->pos_ticks = o->pos_ticks;
	m->pos_floor_us = o->pos_floor_us;
}

void sndbe_wk_encode_stream(const struct sndbe_dev_stream_plan *sp, unsigned int index,
			    struct sndbe_wk_stream *m)
{
	memset(m, 0, sizeof(*m));
	sndbe_wk_hdr_init(&m->h, SNDBE_WK_STREAM, sizeof(*m), 0);
	m->index = index;
	m->pcm = sp->ref.pcm;
	m->stream = sp->ref.stream;
	m->ring_ref = sp->ref.ring_ref;
	m->evtchn = sp->ref.evtchn;
	m->evt_ring_ref = sp->ref.evt_ring_ref;
	m->evt_evtchn = sp->ref.evt_evtchn;
	m->dir = (uint32_t)sp->dir;
	m->buffer_bytes_cap = sp->buffer_bytes_cap;
	m->open_error = sp->open_error;
	m->volume_capped = sp->volume_capped;
	m->volume_max_mdb = sp->volume_max_mdb;
	m->formats = sp->lim.formats;
	m->n_rates = sp->lim.rates.n;
	memcpy(m->rates, sp->lim.rates.rates, sizeof(m->rates));
	m->rate_min = sp->lim.rates.min;
	m->rate_max = sp->lim.rates.max;
	m->channels_min = sp->lim.channels_min;
	m->channels_max = sp->lim.channels_max;
	m->buffer_bytes_max = sp->lim.buffer_bytes_max;
	memcpy(m->spec, sp->spec, sizeof(m->spec));
}

int sndbe_wk_decode_device(const struct sndbe_wk_device *m, struct sndbe_dev_plan *p,
			   struct sndbe_wk_options *o)
{
	if (!m->domid || m->domid > XENIF_DOMID_MAX || !m->n_streams ||
	    m->n_streams > SNDBE_WK_MAX_STREAMS || m->ring_budget > SNDBE_RING_BUDGET_MAX ||
	    m->pos_ticks > SNDBE_STREAM_POS_TICKS_MAX ||
	    (m->pos_floor_us && (m->pos_floor_us < SNDBE_STREAM_POS_FLOOR_US_MIN ||
				 m->pos_floor_us > SNDBE_STREAM_POS_FLOOR_US_MAX)))
		return -EINVAL;
	p->domid = m->domid;
	p->devid = m->devid;
	p->n = m->n_streams;
	*o = (struct sndbe_wk_options){ m->ring_budget, m->pos_ticks, m->pos_floor_us };
	return 0;
}

static bool errno_ok(int32_t e)
{
	return e <= 0 && e >= -4095;
}

/* A rate set as vsnd/limits.h defines it. */
static bool rates_ok(const struct sndbe_wk_stream *m)
{
	if (m->n_rates > VSND_MAX_RATES || m->rate_min > m->rate_max ||
	    m->rate_max > VSND_XSCFG_RATE_MAX)
		return false;
	if (!m->n_rates)
		return true;
	for (uint32_t i = 0; i < m->n_rates; i++)
		if (!m->rates[i] || (i && m->rates[i] <= m->rates[i - 1]))
			return false;
	return m->rate_min == m->rates[0] && m->rate_max == m->rates[m->n_rates - 1];
}

static bool stream_ok(const struct sndbe_wk_stream *m, unsigned int index)
{
	return m->index == index && m->pcm < VSND_MAX_PCMS &&
	       m->stream < VSND_MAX_STREAMS_PER_PCM && m->ring_ref && m->evtchn &&
	       m->evt_ring_ref && m->evt_evtchn &&
	       (m->dir == VSND_DIR_PLAYBACK || m->dir == VSND_DIR_CAPTURE) &&
	       errno_ok(m->open_error) && m->volume_capped <= 1 &&
	       m->volume_max_mdb >= SNDBE_POLICY_VOLUME_MIN_MDB &&
	       m->volume_max_mdb <= SNDBE_POLICY_VOLUME_MAX_MDB &&
	       !(m->formats & ~VSND_FORMATS_ALL) && rates_ok(m) && m->channels_min &&
	       m->channels_min <= m->channels_max &&
	       m->channels_max <= VSND_XSCFG_MAX_CHANNELS &&
	       m->buffer_bytes_max <= VSND_XSCFG_BUFFER_BYTES_MAX && m->spec[0] &&
	       memchr(m->spec, '\0', sizeof(m->spec));
}

int sndbe_wk_decode_stream(const struct sndbe_wk_stream *m, unsigned int index,
			   struct sndbe_dev_stream_plan *sp)
{
	if (!stream_ok(m, index))
		return -EINVAL;
	memset(sp, 0, sizeof(*sp));
	sp->ref = (struct sndbe_xb_stream_refs){ m->pcm, m->stream, m->ring_ref, m->evtchn,
						 m->evt_ring_ref, m->evt_evtchn };
	sp->dir = m->dir == VSND_DIR_CAPTURE ? VSND_DIR_CAPTURE : VSND_DIR_PLAYBACK;
	sp->buffer_bytes_cap = m->buffer_bytes_cap;
	sp->open_error = m->open_error;
	sp->volume_capped = m->volume_capped;
	sp->volume_max_mdb = m->volume_max_mdb;
	sp->lim.formats = m->formats;
	sp->lim.rates.n = m->n_rates;
	memcpy(sp->lim.rates.rates, m->rates, m->n_rates * sizeof(m->rates[0]));
	sp->lim.rates.min = m->rate_min;
	sp->lim.rates.max = m->rate_max;
	sp->lim.channels_min = m->channels_min;
	sp->lim.channels_max = m->channels_max;
	sp->lim.buffer_bytes_max = m->buffer_bytes_max;
	memcpy(sp->spec, m->spec, sizeof(sp->spec));
	return 0;
}

/* Wait for @events on @fd until @deadline_ms: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, uint64_t deadline_ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		uint64_t now = now_ms();
		int r;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(deadline_ms - now));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return negative_errno();
	}
}

int sndbe_wk_send(int fd, const void *msg, size_t len, uint64_t deadline_ms)
{
	for (;;) {
		ssize_t n = send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int r;

		if (n == (ssize_t)len)
			return 0;
		if (n >= 0)
			return -EIO; /* a seqpacket is sent whole or not at all */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return negative_errno();
		r = wait_fd(fd, POLLOUT, deadline_ms);
		if (r < 0)
			return r;
	}
}

ssize_t sndbe_wk_recv(int fd, void *buf, size_t size, uint64_t deadline_ms)
{
	for (;;) {
		ssize_t n = recv(fd, buf, size, MSG_DONTWAIT | MSG_TRUNC);
		int r;

		if (n == 0)
			return -EPIPE;
		if (n > (ssize_t)size)
			return -EMSGSIZE;
		if (n > 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == ECONNRESET)
			return -EPIPE;
		if (errno != EAGAIN)
			return negative_errno();
		if (!deadline_ms)
			return -EAGAIN;
		r = wait_fd(fd, POLLIN, deadline_ms);
		if (r < 0)
			return r;
	}
}
