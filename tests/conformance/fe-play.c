// SPDX-License-Identifier: MIT
/*
 * fe-play.c - the frontend role's stream helpers: a configuration the card
 * allows, OPEN/CLOSE with a shared buffer, WRITE and TRIGGER, events, and
 * a player feeding a running stream (fe-scen.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fe-scen.h"
#include "vsnd-common/util.h"
#include "vsnd/format.h"

/* The buffer the scenarios use: four periods, about 85 ms at 48 kHz. */
#define CF_BUFFER 16384u
#define CF_PERIODS 4u

enum cf_result cf_need_playback(struct cf_ctx *c, unsigned int *i)
{
	if (c->pb < 0)
		return cf_skip(c, "the card has no playback stream");
	*i = (unsigned int)c->pb;
	return CF_OK;
}

enum cf_result cf_need_capture(struct cf_ctx *c, unsigned int *i)
{
	if (c->cp < 0)
		return cf_skip(c, "the card has no capture stream");
	*i = (unsigned int)c->cp;
	return CF_OK;
}

static uint8_t pick_format(uint64_t formats)
{
	if (formats & VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE))
		return XENSND_PCM_FORMAT_S16_LE;
	for (unsigned int f = 0; f < 22; f++)
		if (formats & VSND_FORMAT_BIT(f))
			return (uint8_t)f;
	return 0xff;
}

enum cf_result cf_pick(struct cf_ctx *c, unsigned int i, struct cf_pcm *p)
{
	const struct vsnd_stream_limits *lim = &c->l.st[i].lim;
	uint32_t buffer = CF_BUFFER, period;

	memset(p, 0, sizeof(*p));
	p->format = pick_format(lim->formats & VSND_FORMATS_FIXED);
	CF_CHECK(c, p->format != 0xff, "stream %u offers no format with a frame size", i);
	p->channels = (uint8_t)(lim->channels_min <= 2 && lim->channels_max >= 2 ?
					2 : lim->channels_min);
	if (vsnd_rate_set_contains(&lim->rates, 48000))
		p->rate = 48000;
	else
		p->rate = lim->rates.n ? lim->rates.rates[0] : lim->rates.min;
	CF_CHECK(c, vsnd_frame_bytes(p->format, p->channels, &p->frame) == 0,
		 "stream %u: no frame size for format %u x %u", i, p->format, p->channels);
	if (buffer > lim->buffer_bytes_max)
		buffer = lim->buffer_bytes_max;
	period = buffer / CF_PERIODS / p->frame * p->frame;
	CF_CHECK(c, period > 0, "stream %u: buffer-size %u too small", i, lim->buffer_bytes_max);
	p->period = period;
	p->buffer = period * CF_PERIODS;
	return CF_OK;
}

enum cf_result cf_open(struct cf_ctx *c, unsigned int i, const struct cf_pcm *p,
		       struct cf_stream *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->i = i;
	s->p = *p;
	r = fe_buf_share(&c->l, p->buffer, &s->b);
	CF_CHECK(c, r >= 0, "cannot share a %u-octet buffer: %s", p->buffer, strerror(-r));
	return cf_expect(c, i, cf_req_open(p, s->b.dir_refs[0]), 0, "OPEN");
}

void cf_stream_drop(struct cf_stream *s)
{
	if (s->b.refs)
		fe_buf_free(&s->b);
}

enum cf_result cf_close(struct cf_ctx *c, struct cf_stream *s)
{
	enum cf_result r = CF_OK;

	if (s->b.refs)
		r = cf_expect(c, s->i, cf_req(XENSND_OP_CLOSE), 0, "CLOSE");
	cf_stream_drop(s);
	return r;
}

/* A pattern in [@from, @from + @len) of the stream, in the buffer. */
static void fill(struct cf_stream *s, uint64_t from, uint32_t len)
{
	uint8_t *d = s->b.data;

	for (uint32_t k = 0; k < len; k++) {
		uint64_t n = from + k;

		d[n % s->p.buffer] = (uint8_t)(n * 7u + (n >> 9));
	}
}

enum cf_result cf_write_next(struct cf_ctx *c, struct cf_stream *s, uint32_t len)
{
	uint32_t off = (uint32_t)(s->written % s->p.buffer);

	CF_CHECK(c, off + len <= s->p.buffer, "internal: WRITE across the buffer end");
	fill(s, s->written, len);
	CF_TRY(cf_expect(c, s->i, cf_req_rw(XENSND_OP_WRITE, off, len), 0, "WRITE"));
	s->written += len;
	return CF_OK;
}

enum cf_result cf_trigger(struct cf_ctx *c, struct cf_stream *s, uint8_t type)
{
	char what[32];

	snprintf(what, sizeof(what), "TRIGGER %u", type);
	return cf_expect(c, s->i, cf_req_trigger(type), 0, what);
}

enum cf_result cf_events(struct cf_ctx *c, unsigned int i)
{
	int r = fe_take_events(&c->l, i);

	CF_CHECK(c, r >= 0, "stream %u events: %s", i,
		 r == -EPROTO ? c->l.st[i].evt_why : strerror(-r));
	return CF_OK;
}

enum cf_result cf_idle(struct cf_ctx *c, unsigned int i, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	for (;;) {
		uint64_t now = now_ms();

		CF_TRY(cf_events(c, i));
		if (now >= end)
			return CF_OK;
		fe_wait(&c->l, (int)(end - now < 10 ? end - now : 10));
	}
}

/* The last logged position, or 0 with no event. */
static uint64_t last_pos(const struct fe_evt_log *g)
{
	if (!g->n)
		return 0;
	return g->pos[(g->n < FE_EVT_LOG ? g->n : FE_EVT_LOG) - 1];
}

/* Check new log entries from @from on: monotonic, never past @s->written. */
static enum cf_result check_positions(struct cf_ctx *c, struct cf_stream *s, uint64_t from)
{
	const struct fe_evt_log *g = &c->l.st[s->i].log;
	uint64_t n = g->n < FE_EVT_LOG ? g->n : FE_EVT_LOG;

	for (uint64_t k = from; k < n; k++) {
		CF_CHECK(c, k == 0 || g->pos[k] >= g->pos[k - 1],
			 "position went back from %llu to %llu",
			 (unsigned long long)g->pos[k - 1], (unsigned long long)g->pos[k]);
		CF_CHECK(c, g->pos[k] <= s->written,
			 "position %llu is past the %llu octets written",
			 (unsigned long long)g->pos[k], (unsigned long long)s->written);
	}
	return CF_OK;
}

enum cf_result cf_play(struct cf_ctx *c, struct cf_stream *s, int ms)
{
	const struct fe_evt_log *g = &c->l.st[s->i].log;
	uint64_t end = now_ms() + (uint64_t)ms, checked = 0;

	for (;;) {
		uint64_t now = now_ms();

		CF_TRY(cf_events(c, s->i));
		CF_TRY(check_positions(c, s, checked));
		checked = g->n < FE_EVT_LOG ? g->n : FE_EVT_LOG;
		while (s->written + s->p.period <= last_pos(g) + s->p.buffer)
			CF_TRY(cf_write_next(c, s, s->p.period));
		if (now >= end)
			return CF_OK;
		fe_wait(&c->l, (int)(end - now < 5 ? end - now : 5));
	}
}

enum cf_result cf_start_playing(struct cf_ctx *c, unsigned int i, const struct cf_pcm *p,
				struct cf_stream *s)
{
	CF_TRY(cf_open(c, i, p, s));
	CF_TRY(cf_events(c, i));
	fe_log_reset(&c->l, i);
	for (uint32_t k = 0; k < p->buffer / p->period; k++)
		CF_TRY(cf_write_next(c, s, p->period));
	return cf_trigger(c, s, XENSND_OP_TRIGGER_START);
}

enum cf_result cf_restart(struct cf_ctx *c, struct cf_stream *s, uint64_t *ret_first)
{
	const struct fe_evt_log *g = &c->l.st[s->i].log;
	uint64_t last, base, seen, end;

	CF_TRY(cf_events(c, s->i));
	last = last_pos(g);
	base = (last + s->p.buffer - 1) / s->p.buffer * s->p.buffer;
	/* Linux re-prepares: the application writes from offset 0 again. */
	fe_log_reset(&c->l, s->i);
	s->written = base;
	for (uint32_t k = 0; k < s->p.buffer / s->p.period; k++)
		CF_TRY(cf_write_next(c, s, s->p.period));
	CF_TRY(cf_trigger(c, s, XENSND_OP_TRIGGER_START));
	end = now_ms() + 500;
	while (!g->n) {
		CF_CHECK(c, now_ms() < end, "no CUR_POS within 500 ms of START after a stop");
		CF_TRY(cf_idle(c, s->i, 5));
	}
	*ret_first = g->pos[0];
	CF_CHECK(c, g->pos[0] >= base, "first position after START %llu is below %llu, the "
		 "buffer multiple at or above the last one before (%llu)",
		 (unsigned long long)g->pos[0], (unsigned long long)base,
		 (unsigned long long)last);
	/* The backend may have played past the last position it reported. */
	seen = g->pos[0] / s->p.buffer * s->p.buffer;
	if (seen > base)
		s->written += seen - base;
	return CF_OK;
}

