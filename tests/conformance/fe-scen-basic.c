// SPDX-License-Identifier: MIT
/*
 * fe-scen-basic.c - the handshake (protocol.md 2.2) and every operation
 * with valid values (protocol.md 3.3-3.10), plus the plain state errors of
 * security.md 5.3 (rules 23, 26, 27).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe-scen.h"
#include "vsnd-common/util.h"

/* protocol.md 2.2: libxl waits 10 s for InitWait. */
#define INITWAIT_MS 10000

CF_SCENARIO(sc_initwait)
{
	int st = fe_be_state(&c->l);

	if (st != 2)
		CF_CHECK(c, fe_set_state(&c->l, 1) >= 0, "cannot write FE/state");
	st = fe_wait_be(&c->l, 1u << 2, INITWAIT_MS);
	CF_CHECK(c, st == 2, "backend state %d, not InitWait (2), after %d ms",
		 fe_be_state(&c->l), INITWAIT_MS);
	return CF_OK;
}

CF_SCENARIO(sc_versions)
{
	_cleanup_free_ char *v = NULL;
	char path[160], *tok, *save = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/versions", c->l.be);
	CF_CHECK(c, xenif_xs_read(c->l.x, XENIF_TX_NONE, path, &v, &len) >= 0,
		 "%s is missing", path);
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "2") == 0)
			return CF_OK;
	return cf_fail(c, "%s does not list version 2", path);
}

CF_SCENARIO(sc_connect)
{
	char why[384];

	CF_CHECK(c, fe_connect(&c->l, why, sizeof(why)) >= 0, "%s", why);
	c->need_connect = false;
	return CF_OK;
}

/* REQ-6: ready to serve at the moment it writes Connected. */
CF_SCENARIO(sc_ready_at_connected)
{
	int st;

	CF_CHECK(c, fe_set_state(&c->l, 1) >= 0, "cannot write FE/state");
	CF_CHECK(c, fe_wait_be(&c->l, 1u << 2, INITWAIT_MS) == 2, "no InitWait after FE 1");
	CF_CHECK(c, fe_share(&c->l) >= 0 && fe_publish(&c->l) >= 0, "cannot publish");
	CF_CHECK(c, fe_set_state(&c->l, 3) >= 0, "cannot write FE/state");
	st = fe_wait_be(&c->l, (1u << 4) | (1u << 5) | (1u << 6), INITWAIT_MS);
	CF_CHECK(c, st == 4, "backend state %d after Initialised", st);
	for (unsigned int i = 0; i < c->l.n; i++)
		CF_TRY(cf_expect(c, i, cf_req(XENSND_OP_CLOSE), 0, "CLOSE at Connected"));
	CF_CHECK(c, fe_set_state(&c->l, 4) >= 0, "cannot write FE/state");
	c->l.connected = true;
	return CF_OK;
}

CF_SCENARIO(sc_open_close)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;

	for (unsigned int i = 0; i < c->l.n; i++) {
		CF_TRY(cf_pick(c, i, &p));
		CF_TRY(cf_open(c, i, &p, &s));
		CF_TRY(cf_close(c, &s));
	}
	return CF_OK;
}

CF_SCENARIO(sc_close_unopened)
{
	struct xensnd_req r = cf_req(XENSND_OP_CLOSE);
	struct xensnd_resp rsp;

	for (unsigned int i = 0; i < c->l.n; i++) {
		CF_TRY(cf_call(c, i, &r, &rsp));
		CF_CHECK(c, rsp.status == 0 || rsp.status == -EINVAL,
			 "stream %u: CLOSE of a closed stream gave %d", i, rsp.status);
	}
	return CF_OK;
}

CF_SCENARIO(sc_write)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	for (uint32_t k = 0; k < p.buffer / p.period; k++)
		CF_TRY(cf_write_next(c, &s, p.period));
	return cf_close(c, &s);
}

/* Wait for captured data: a position of at least @bytes. */
static enum cf_result wait_captured(struct cf_ctx *c, unsigned int i, uint64_t bytes)
{
	const struct fe_evt_log *g = &c->l.st[i].log;
	uint64_t end = now_ms() + 2000;

	while (!g->n || g->pos[(g->n < FE_EVT_LOG ? g->n : FE_EVT_LOG) - 1] < bytes) {
		CF_CHECK(c, now_ms() < end, "capture position below %llu after 2 s (%llu events)",
			 (unsigned long long)bytes, (unsigned long long)g->n);
		CF_TRY(cf_idle(c, i, 5));
	}
	return CF_OK;
}

CF_SCENARIO(sc_read)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_capture(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	CF_TRY(cf_events(c, i));
	fe_log_reset(&c->l, i);
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_START));
	CF_TRY(wait_captured(c, i, p.period));
	CF_TRY(cf_expect(c, i, cf_req_rw(XENSND_OP_READ, 0, p.period), 0, "READ"));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

static bool unsupported(int32_t st)
{
	return st == -ENOSYS || st == -EOPNOTSUPP;
}

CF_SCENARIO(sc_volume)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct xensnd_req r;
	struct xensnd_resp rsp;
	struct cf_pcm p;
	int32_t *vol;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	vol = s.b.data;
	for (unsigned int k = 0; k < p.channels; k++)
		vol[k] = -3000 * (int32_t)(k + 1);
	r = cf_req_rw(XENSND_OP_SET_VOLUME, 0, p.channels * 4u);
	CF_TRY(cf_call(c, i, &r, &rsp));
	if (unsupported(rsp.status))
		return cf_close(c, &s);
	CF_CHECK(c, rsp.status == 0, "SET_VOLUME: status %d", rsp.status);
	memset(vol, 0x55, p.channels * 4u);
	CF_TRY(cf_expect(c, i, cf_req_rw(XENSND_OP_GET_VOLUME, 0, p.channels * 4u), 0,
			 "GET_VOLUME"));
	for (unsigned int k = 0; k < p.channels; k++)
		CF_CHECK(c, vol[k] == -3000 * (int32_t)(k + 1),
			 "GET_VOLUME channel %u: %d, %d was set", k, vol[k], -3000 * (int)(k + 1));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_mute)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct xensnd_req r;
	struct xensnd_resp rsp;
	struct cf_pcm p;
	uint32_t *slot;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	slot = s.b.data;
	for (unsigned int k = 0; k < p.channels; k++)
		slot[k] = 1;
	r = cf_req_rw(XENSND_OP_MUTE, 0, p.channels * 4u);
	CF_TRY(cf_call(c, i, &r, &rsp));
	if (!unsupported(rsp.status)) {
		CF_CHECK(c, rsp.status == 0, "MUTE: status %d", rsp.status);
		CF_TRY(cf_expect(c, i, cf_req_rw(XENSND_OP_UNMUTE, 0, p.channels * 4u), 0,
				 "UNMUTE"));
	}
	return cf_close(c, &s);
}

CF_SCENARIO(sc_start_stop)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 100));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_pause_resume)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	CF_TRY(cf_play(c, &s, 60));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_PAUSE));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_RESUME));
	CF_TRY(cf_play(c, &s, 60));
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}

/* The space a Linux guest starts from: the stream's limits, sizes in frames. */
static void full_space(const struct fe_stream *st, struct xensnd_query_hw_param *q)
{
	memset(q, 0, sizeof(*q));
	q->formats = st->lim.formats;
	q->rates.min = st->lim.rates.min;
	q->rates.max = st->lim.rates.max;
	q->channels.min = st->lim.channels_min;
	q->channels.max = st->lim.channels_max;
	q->buffer.min = 1;
	q->buffer.max = st->lim.buffer_bytes_max;
	q->period.min = 1;
	q->period.max = st->lim.buffer_bytes_max;
}

CF_SCENARIO(sc_query)
{
	for (unsigned int i = 0; i < c->l.n; i++) {
		struct xensnd_req r = cf_req(XENSND_OP_HW_PARAM_QUERY);
		const struct xensnd_query_hw_param *a;
		struct xensnd_resp rsp;

		full_space(&c->l.st[i], &r.op.hw_param);
		CF_TRY(cf_call(c, i, &r, &rsp));
		CF_CHECK(c, rsp.status == 0, "stream %u: status %d for its own limits", i,
			 rsp.status);
		a = &rsp.resp.hw_param;
		CF_CHECK(c, a->formats && !(a->formats & ~r.op.hw_param.formats),
			 "stream %u: formats 0x%llx answer 0x%llx", i,
			 (unsigned long long)r.op.hw_param.formats,
			 (unsigned long long)a->formats);
		CF_CHECK(c, a->rates.min <= a->rates.max && a->channels.min <= a->channels.max &&
				    a->buffer.min <= a->buffer.max && a->period.min <= a->period.max,
			 "stream %u: an empty range in the answer", i);
		CF_CHECK(c, a->rates.min >= r.op.hw_param.rates.min &&
				    a->rates.max <= r.op.hw_param.rates.max &&
				    a->channels.min >= r.op.hw_param.channels.min &&
				    a->channels.max <= r.op.hw_param.channels.max,
			 "stream %u: the answer is wider than the request", i);
	}
	return CF_OK;
}

CF_SCENARIO(sc_write_zero)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	CF_TRY(cf_expect(c, i, cf_req_rw(XENSND_OP_WRITE, 0, 0), 0, "WRITE of 0 octets"));
	CF_TRY(cf_write_next(c, &s, p.period));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_before_open)
{
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_expect_err(c, i, cf_req_rw(XENSND_OP_WRITE, 0, 4), "WRITE before OPEN"));
	CF_TRY(cf_expect_err(c, i, cf_req_trigger(XENSND_OP_TRIGGER_START),
			     "START before OPEN"));
	CF_TRY(cf_expect_err(c, i, cf_req_rw(XENSND_OP_SET_VOLUME, 0, 8),
			     "SET_VOLUME before OPEN"));
	if (c->cp >= 0)
		CF_TRY(cf_expect_err(c, (unsigned int)c->cp, cf_req_rw(XENSND_OP_READ, 0, 4),
				     "READ before OPEN"));
	return CF_OK;
}

CF_SCENARIO(sc_after_close)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	CF_TRY(cf_write_next(c, &s, p.period));
	CF_TRY(cf_close(c, &s));
	CF_TRY(cf_expect_err(c, i, cf_req_rw(XENSND_OP_WRITE, 0, p.period), "WRITE after CLOSE"));
	return cf_expect_err(c, i, cf_req_trigger(XENSND_OP_TRIGGER_START), "START after CLOSE");
}

CF_SCENARIO(sc_wrong_direction)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	CF_TRY(cf_expect_err(c, i, cf_req_rw(XENSND_OP_READ, 0, p.period),
			     "READ on a playback stream"));
	CF_TRY(cf_close(c, &s));
	if (c->cp < 0)
		return CF_OK;
	i = (unsigned int)c->cp;
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	CF_TRY(cf_expect_err(c, i, cf_req_rw(XENSND_OP_WRITE, 0, p.period),
			     "WRITE on a capture stream"));
	return cf_close(c, &s);
}
