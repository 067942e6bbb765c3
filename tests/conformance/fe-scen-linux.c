// SPDX-License-Identifier: MIT
/*
 * fe-scen-linux.c - what the upstream Linux frontend does and needs
 * (protocol.md 3.12, 4.4-4.8, 4.11): OPEN without CLOSE, START from
 * paused, HW_PARAM_QUERY in frames and narrowing, answers within 3 s, and
 * CUR_POS ids, origin, monotony, rate, silence and realignment.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fe-scen.h"
#include "vsnd-common/util.h"

static uint64_t log_count(const struct fe_evt_log *g)
{
	return g->n < FE_EVT_LOG ? g->n : FE_EVT_LOG;
}

CF_SCENARIO(sc_reopen)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	/* Linux's second hw_params: the old buffer goes, no CLOSE, a new OPEN. */
	for (int k = 0; k < 20; k++) {
		cf_stream_drop(&s);
		p.period = k % 2 ? p.buffer / 2 : p.buffer / 4;
		CF_TRY(cf_open(c, i, &p, &s));
	}
	CF_TRY(cf_events(c, i));
	fe_log_reset(&c->l, i);
	for (uint32_t k = 0; k < p.buffer / p.period; k++)
		CF_TRY(cf_write_next(c, &s, p.period));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_START));
	CF_TRY(cf_play(c, &s, 150));
	CF_CHECK(c, c->l.st[i].log.n > 0, "no CUR_POS after the last OPEN and START");
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

/* Drain, forget, wait @ms: no event may come. */
static enum cf_result expect_silence(struct cf_ctx *c, unsigned int i, int ms, const char *when)
{
	CF_TRY(cf_events(c, i));
	fe_log_reset(&c->l, i);
	CF_TRY(cf_idle(c, i, ms));
	CF_CHECK(c, c->l.st[i].log.n == 0, "%llu CUR_POS event(s) %s",
		 (unsigned long long)c->l.st[i].log.n, when);
	return CF_OK;
}

CF_SCENARIO(sc_start_paused)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	uint64_t first;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 100));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_PAUSE));
	CF_TRY(expect_silence(c, i, 100, "while paused"));
	CF_TRY(cf_restart(c, &s, &first));
	CF_TRY(cf_play(c, &s, 150));
	CF_CHECK(c, c->l.st[i].log.n > 1, "CUR_POS stopped after START from paused");
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

/* One query; the answer must be status 0, non-empty and inside @q. */
static enum cf_result query_ok(struct cf_ctx *c, unsigned int i, struct xensnd_query_hw_param *q,
			       const char *step)
{
	struct xensnd_req r = cf_req(XENSND_OP_HW_PARAM_QUERY);
	struct xensnd_resp rsp;
	const struct xensnd_query_hw_param *a = &rsp.resp.hw_param;

	r.op.hw_param = *q;
	CF_TRY(cf_call(c, i, &r, &rsp));
	CF_CHECK(c, rsp.status == 0, "%s: status %d", step, rsp.status);
	CF_CHECK(c, a->formats && !(a->formats & ~q->formats), "%s: formats 0x%llx for 0x%llx",
		 step, (unsigned long long)a->formats, (unsigned long long)q->formats);
#define IN(f) (a->f.min <= a->f.max && a->f.min >= q->f.min && a->f.max <= q->f.max)
	CF_CHECK(c, IN(rates) && IN(channels) && IN(buffer) && IN(period),
		 "%s: answer empty or outside the request (rates %u-%u, channels %u-%u, "
		 "buffer %u-%u, period %u-%u frames)", step, a->rates.min, a->rates.max,
		 a->channels.min, a->channels.max, a->buffer.min, a->buffer.max,
		 a->period.min, a->period.max);
#undef IN
	*q = *a;
	return CF_OK;
}

/* ALSA's refinement, one parameter at a time, down to @p. */
static enum cf_result narrow(struct cf_ctx *c, unsigned int i, const struct cf_pcm *p,
			     struct xensnd_query_hw_param *q)
{
	const struct fe_stream *st = &c->l.st[i];
	uint32_t bf = p->buffer / p->frame, pf = p->period / p->frame;

	*q = (struct xensnd_query_hw_param){
		.formats = st->lim.formats,
		.rates = { st->lim.rates.min, st->lim.rates.max },
		.channels = { st->lim.channels_min, st->lim.channels_max },
		.buffer = { 1, st->lim.buffer_bytes_max },
		.period = { 1, st->lim.buffer_bytes_max },
	};
	CF_TRY(query_ok(c, i, q, "the stream's limits"));
	q->formats &= UINT64_C(1) << p->format;
	CF_TRY(query_ok(c, i, q, "one format"));
	q->rates.min = q->rates.max = p->rate;
	CF_TRY(query_ok(c, i, q, "one rate"));
	q->channels.min = q->channels.max = p->channels;
	CF_TRY(query_ok(c, i, q, "one channel count"));
	CF_CHECK(c, q->buffer.min <= bf && bf <= q->buffer.max,
		 "buffer of %u frames not offered (%u-%u)", bf, q->buffer.min, q->buffer.max);
	q->buffer.min = q->buffer.max = bf;
	CF_TRY(query_ok(c, i, q, "one buffer size"));
	CF_CHECK(c, q->period.min <= pf && pf <= q->period.max,
		 "period of %u frames not offered (%u-%u)", pf, q->period.min, q->period.max);
	q->period.min = q->period.max = pf;
	return query_ok(c, i, q, "one period size");
}

CF_SCENARIO(sc_query_narrow)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct xensnd_query_hw_param q;
	struct xensnd_req r = cf_req(XENSND_OP_HW_PARAM_QUERY);
	struct xensnd_resp rsp;
	struct cf_pcm p;
	uint32_t cap_frames;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(narrow(c, i, &p, &q));
	/* Frames, not octets: the buffer-size cap in frames fits, one more does not. */
	cap_frames = c->l.st[i].lim.buffer_bytes_max / p.frame;
	q.buffer.min = q.buffer.max = cap_frames;
	q.period.min = 1;
	q.period.max = cap_frames;
	CF_TRY(query_ok(c, i, &q, "the buffer-size cap in frames"));
	r.op.hw_param = q;
	r.op.hw_param.buffer.min = r.op.hw_param.buffer.max = cap_frames + 1;
	CF_TRY(cf_call(c, i, &r, &rsp));
	CF_CHECK(c, rsp.status < 0 || rsp.resp.hw_param.buffer.min > rsp.resp.hw_param.buffer.max ||
			    rsp.resp.hw_param.buffer.max <= cap_frames,
		 "a buffer of %u frames (over buffer-size %u octets) was offered", cap_frames + 1,
		 c->l.st[i].lim.buffer_bytes_max);
	CF_TRY(cf_open(c, i, &p, &s));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_query_many)
{
	struct xensnd_query_hw_param q;
	struct cf_pcm p;
	uint64_t t0 = now_ms();
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	for (int k = 0; k < 50; k++)
		CF_TRY(narrow(c, i, &p, &q));
	cf_log(c, "300 queries in %llu ms", (unsigned long long)(now_ms() - t0));
	return CF_OK;
}

CF_SCENARIO(sc_query_running)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct xensnd_query_hw_param q;
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	for (int k = 0; k < 10; k++) {
		CF_TRY(narrow(c, i, &p, &q));
		CF_TRY(cf_play(c, &s, 15));
	}
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_answer_3s)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct xensnd_query_hw_param q;
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(narrow(c, i, &p, &q));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 200));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	CF_TRY(cf_close(c, &s));
	CF_CHECK(c, c->slowest_ms < CF_ANSWER_MS, "an answer took %llu ms",
		 (unsigned long long)c->slowest_ms);
	cf_log(c, "slowest answer so far: %llu ms", (unsigned long long)c->slowest_ms);
	return CF_OK;
}

/* Play @ms on a fresh OPEN; at least one event must arrive. */
static enum cf_result play_some(struct cf_ctx *c, unsigned int i, int ms)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;

	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, ms));
	CF_CHECK(c, c->l.st[i].log.n > 0, "no CUR_POS in %d ms of playback", ms);
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_ids_from_zero)
{
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_CHECK(c, c->l.st[i].evt_id == 0 && c->l.st[i].log.n == 0,
		 "events before any START on this connection");
	/* The lockstep check of fe_take_events() starts at id 0. */
	return play_some(c, i, 120);
}

CF_SCENARIO(sc_ids_across_reopen)
{
	unsigned int i;
	uint16_t before;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(play_some(c, i, 100));
	before = c->l.st[i].evt_id;
	CF_TRY(play_some(c, i, 100));
	CF_CHECK(c, c->l.st[i].evt_id != before, "no event after the second OPEN");
	return CF_OK;
}

CF_SCENARIO(sc_monotonic)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	const struct fe_evt_log *g;
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 400));
	g = &c->l.st[i].log;
	CF_CHECK(c, g->n >= 2, "%llu CUR_POS in 400 ms", (unsigned long long)g->n);
	CF_CHECK(c, g->pos[0] < p.buffer, "first position %llu: not counted from OPEN",
		 (unsigned long long)g->pos[0]);
	CF_CHECK(c, g->pos[log_count(g) - 1] > p.buffer,
		 "position %llu after 400 ms: playback does not advance",
		 (unsigned long long)g->pos[log_count(g) - 1]);
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

/* Linux's period rule (protocol.md 4.8): wakeups for the logged positions. */
static uint64_t linux_wakeups(const struct fe_evt_log *g, uint32_t frame, uint32_t period)
{
	uint64_t last = 0, n = 0;
	uint32_t acc = 0;

	for (uint64_t k = 0; k < log_count(g); k++) {
		uint64_t f = g->pos[k] / frame;

		acc += (uint32_t)(f - last);
		last = f;
		if (acc > period) {
			acc %= period;
			n++;
		}
	}
	return n;
}

CF_SCENARIO(sc_finer_than_period)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	const struct fe_evt_log *g;
	uint64_t periods, wake;
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 500));
	g = &c->l.st[i].log;
	CF_CHECK(c, g->n > 0 && g->n < FE_EVT_LOG, "%llu events", (unsigned long long)g->n);
	periods = g->pos[g->n - 1] / p.period;
	wake = linux_wakeups(g, p.frame, p.period / p.frame);
	CF_CHECK(c, periods >= 4, "only %llu periods played in 500 ms",
		 (unsigned long long)periods);
	CF_CHECK(c, g->n > periods, "%llu CUR_POS for %llu periods: not more than one a period",
		 (unsigned long long)g->n, (unsigned long long)periods);
	CF_CHECK(c, wake + 2 >= periods, "Linux would wake %llu times for %llu periods",
		 (unsigned long long)wake, (unsigned long long)periods);
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_silent_stopped)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	CF_TRY(cf_write_next(c, &s, p.buffer));
	CF_TRY(expect_silence(c, i, 150, "after OPEN, before START"));
	CF_TRY(cf_close(c, &s));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 100));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	CF_TRY(expect_silence(c, i, 200, "after STOP was answered"));
	CF_TRY(cf_close(c, &s));
	CF_TRY(expect_silence(c, i, 100, "after CLOSE"));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 100));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_PAUSE));
	CF_TRY(expect_silence(c, i, 200, "after PAUSE was answered"));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_realign)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	uint64_t first, before;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 130));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	before = s.written;
	CF_TRY(cf_restart(c, &s, &first));
	/* Realigned by a buffer or two, not to some arbitrary place. */
	CF_CHECK(c, first <= before + 3 * (uint64_t)p.buffer,
		 "first position after restart %llu, far past the %llu octets written before",
		 (unsigned long long)first, (unsigned long long)before);
	CF_TRY(cf_play(c, &s, 100));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_pos_from_open)
{
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(play_some(c, i, 150));
	/* cf_play() checks every position against what this OPEN wrote. */
	return play_some(c, i, 100);
}

CF_SCENARIO(sc_period_zero)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct xensnd_resp rsp;
	struct xensnd_req r;
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	p.period = 0;
	s.i = i;
	s.p = p;
	CF_CHECK(c, fe_buf_share(&c->l, p.buffer, &s.b) >= 0, "cannot share a buffer");
	r = cf_req_open(&p, s.b.dir_refs[0]);
	CF_TRY(cf_call(c, i, &r, &rsp));
	if (rsp.status < 0)
		return CF_OK; /* refusing it is allowed too */
	CF_TRY(cf_write_next(c, &s, p.buffer));
	CF_TRY(cf_events(c, i));
	fe_log_reset(&c->l, i);
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_START));
	CF_TRY(cf_idle(c, i, 150));
	CF_CHECK(c, c->l.st[i].log.n == 0, "%llu CUR_POS with period_sz 0",
		 (unsigned long long)c->l.st[i].log.n);
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_evt_reserved)
{
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	fe_log_reset(&c->l, i);
	CF_TRY(play_some(c, i, 100));
	CF_CHECK(c, !c->l.st[i].log.bad_reserved,
		 "an event had a type other than CUR_POS or non-zero reserved octets");
	return CF_OK;
}
