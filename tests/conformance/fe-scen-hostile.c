// SPDX-License-Identifier: MIT
/*
 * fe-scen-hostile.c - a malicious guest (security.md 5.1-5.4 and 5.6):
 * unknown operations, impossible OPEN parameters, spoilt page directories,
 * READ/WRITE spans outside the buffer, malformed queries and triggers, a
 * full ring and an event storm. Every answer must be an error with the
 * request's id, and the device must keep serving.
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
#include "vsnd/pgdir.h"

/* A gref nobody granted (the grant tables the harness meets are small). */
#define NEVER_GRANTED 0xfff00u

CF_SCENARIO(sc_unknown_ops)
{
	for (unsigned int op = XENSND_OP_HW_PARAM_QUERY + 1; op < 256; op++) {
		char what[32];

		snprintf(what, sizeof(what), "operation %u", op);
		CF_TRY(cf_expect_err(c, 0, cf_req_rw((uint8_t)op, 0, 4), what));
	}
	return CF_OK;
}

/* OPEN stream @i with @p changed by the caller: it must fail; then the
 * unchanged configuration must still open. */
static enum cf_result bad_opens(struct cf_ctx *c, unsigned int i, const struct cf_pcm *bad,
				unsigned int n, const char *what)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct fe_buf b;
	struct cf_pcm good;
	int r;

	CF_TRY(cf_pick(c, i, &good));
	r = fe_buf_share(&c->l, good.buffer, &b);
	CF_CHECK(c, r >= 0, "cannot share a buffer: %s", strerror(-r));
	for (unsigned int k = 0; k < n; k++) {
		char msg[160];
		enum cf_result res;

		snprintf(msg, sizeof(msg), "OPEN with %s (rate %u, format %u, channels %u, "
			 "buffer %u, period %u)", what, bad[k].rate, bad[k].format,
			 bad[k].channels, bad[k].buffer, bad[k].period);
		res = cf_expect_err(c, i, cf_req_open(&bad[k], b.dir_refs[0]), msg);
		if (res != CF_OK) {
			fe_buf_free(&b);
			return res;
		}
	}
	fe_buf_free(&b);
	CF_TRY(cf_open(c, i, &good, &s));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_bad_rates)
{
	static const uint32_t rates[] = { 0, 1, 0xffffffffu, 12345 };
	struct cf_pcm bad[ARRAY_SIZE(rates)];
	unsigned int i, n = 0;

	CF_TRY(cf_need_playback(c, &i));
	for (unsigned int k = 0; k < ARRAY_SIZE(rates); k++) {
		if (k == 3 && vsnd_rate_set_contains(&c->l.st[i].lim.rates, rates[k]))
			continue;
		CF_TRY(cf_pick(c, i, &bad[n]));
		bad[n++].rate = rates[k];
	}
	return bad_opens(c, i, bad, n, "a bad rate");
}

CF_SCENARIO(sc_bad_channels)
{
	struct cf_pcm bad[3];
	unsigned int i;
	uint32_t max;

	CF_TRY(cf_need_playback(c, &i));
	max = c->l.st[i].lim.channels_max;
	for (unsigned int k = 0; k < 3; k++)
		CF_TRY(cf_pick(c, i, &bad[k]));
	bad[0].channels = 0;
	bad[1].channels = (uint8_t)(max < 255 ? max + 1 : 255);
	bad[2].channels = 255;
	return bad_opens(c, i, bad, 3, "a bad channel count");
}

CF_SCENARIO(sc_bad_formats)
{
	struct cf_pcm bad[5];
	unsigned int i, n = 0;
	uint64_t have;

	CF_TRY(cf_need_playback(c, &i));
	have = c->l.st[i].lim.formats;
	for (unsigned int k = 0; k < 5; k++)
		CF_TRY(cf_pick(c, i, &bad[k]));
	bad[n++].format = 0xff;
	bad[n++].format = VSND_FORMAT_COUNT;
	bad[n++].format = XENSND_PCM_FORMAT_IMA_ADPCM;
	bad[n++].format = XENSND_PCM_FORMAT_GSM;
	for (unsigned int f = 0; f < 22; f++) {
		if (!(have & VSND_FORMAT_BIT(f))) {
			bad[n++].format = (uint8_t)f;
			break;
		}
	}
	return bad_opens(c, i, bad, n, "a bad format");
}

CF_SCENARIO(sc_bad_buffer)
{
	struct cf_pcm bad[4];
	unsigned int i, n = 0;
	uint32_t max;

	CF_TRY(cf_need_playback(c, &i));
	max = c->l.st[i].lim.buffer_bytes_max;
	for (unsigned int k = 0; k < 4; k++)
		CF_TRY(cf_pick(c, i, &bad[k]));
	bad[n++].buffer = 0;
	bad[n++].buffer = 0xffffffffu;
	bad[n].buffer = (max / bad[n].frame + 1) * bad[n].frame;
	n++;
	if (bad[n].frame > 1)
		bad[n++].buffer -= 1;
	return bad_opens(c, i, bad, n, "a bad buffer size");
}

CF_SCENARIO(sc_bad_period)
{
	struct cf_pcm bad[2];
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	for (unsigned int k = 0; k < 2; k++)
		CF_TRY(cf_pick(c, i, &bad[k]));
	bad[0].period = bad[0].buffer + bad[0].frame;
	bad[1].period = 0xffffffffu;
	return bad_opens(c, i, bad, 2, "a period longer than the buffer");
}

/* A buffer needing two directory pages, or CF_SKIP when the card cannot. */
static enum cf_result two_dir_pages(struct cf_ctx *c, unsigned int i, struct cf_pcm *p,
				    struct fe_buf *b)
{
	uint32_t bytes = (VSND_PGDIR_ENTRIES + 1) * VSND_PAGE_SIZE;
	int r;

	CF_TRY(cf_pick(c, i, p));
	bytes = bytes / p->frame * p->frame;
	if (c->l.st[i].lim.buffer_bytes_max < bytes)
		return cf_skip(c, "buffer-size %u is below the %u octets of two directory pages",
			       c->l.st[i].lim.buffer_bytes_max, bytes);
	p->buffer = bytes;
	p->period = p->buffer / 4 / p->frame * p->frame;
	r = fe_buf_share(&c->l, bytes, b);
	CF_CHECK(c, r >= 0 && b->n_dir == 2, "cannot share %u octets: %s", bytes, strerror(-r));
	return CF_OK;
}

CF_SCENARIO(sc_dir_loop)
{
	_cleanup_(fe_buf_free) struct fe_buf b = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(two_dir_pages(c, i, &p, &b));
	fe_buf_dir(&b, 0)->gref_dir_next_page = b.dir_refs[0];
	CF_TRY(cf_expect_err(c, i, cf_req_open(&p, b.dir_refs[0]), "a directory page to itself"));
	fe_buf_dir(&b, 1)->gref_dir_next_page = b.dir_refs[0];
	fe_buf_dir(&b, 0)->gref_dir_next_page = b.dir_refs[1];
	/* Page 2 ends the chain (the walk may ignore its next); both work. */
	CF_TRY(cf_expect(c, i, cf_req_open(&p, b.dir_refs[0]), 0, "the repaired directory"));
	return cf_expect(c, i, cf_req(XENSND_OP_CLOSE), 0, "CLOSE");
}

CF_SCENARIO(sc_dir_short)
{
	_cleanup_(fe_buf_free) struct fe_buf b = { 0 };
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(two_dir_pages(c, i, &p, &b));
	fe_buf_dir(&b, 0)->gref_dir_next_page = 0;
	CF_TRY(cf_expect_err(c, i, cf_req_open(&p, b.dir_refs[0]), "a chain ending early"));
	fe_buf_dir(&b, 0)->gref_dir_next_page = b.dir_refs[1];
	fe_buf_dir(&b, 1)->gref[0] = 0;
	CF_TRY(cf_expect_err(c, i, cf_req_open(&p, b.dir_refs[0]), "gref 0 in a directory"));
	return CF_OK;
}

/* Buffer refs and directory refs nobody granted to the backend. */
CF_SCENARIO(sc_dir_foreign)
{
	_cleanup_(fe_buf_free) struct fe_buf b = { 0 };
	_cleanup_(fe_buf_free) struct fe_buf own = { 0 };
	struct xensnd_page_directory *d;
	struct cf_pcm p;
	unsigned int i;
	uint32_t keep;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_CHECK(c, fe_buf_share(&c->l, p.buffer, &b) >= 0, "cannot share a buffer");
	d = fe_buf_dir(&b, 0);
	keep = d->gref[1];
	d->gref[1] = NEVER_GRANTED;
	CF_TRY(cf_expect_err(c, i, cf_req_open(&p, b.dir_refs[0]), "a never-granted buffer ref"));
	/* A page granted to another domain (ourselves), not to the backend. */
	CF_CHECK(c, xenif_gnt_share(c->l.x, c->l.domid, 1, true, &d->gref[1], &own.data) >= 0,
		 "cannot grant a page to ourselves");
	own.x = c->l.x;
	own.pages = 1;
	CF_TRY(cf_expect_err(c, i, cf_req_open(&p, b.dir_refs[0]),
			     "a buffer ref granted to another domain"));
	d->gref[1] = keep;
	CF_TRY(cf_expect_err(c, i, cf_req_open(&p, 0), "directory ref 0"));
	CF_TRY(cf_expect_err(c, i, cf_req_open(&p, NEVER_GRANTED), "a never-granted directory"));
	CF_TRY(cf_expect(c, i, cf_req_open(&p, b.dir_refs[0]), 0, "the repaired directory"));
	return cf_expect(c, i, cf_req(XENSND_OP_CLOSE), 0, "CLOSE");
}

/* Open a playback stream for the span checks. */
static enum cf_result span_setup(struct cf_ctx *c, struct cf_stream *s)
{
	struct cf_pcm p;
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	return cf_open(c, i, &p, s);
}

#define BAD_RW(off, len, what)                                                               \
	CF_TRY(cf_expect_err(c, s.i, cf_req_rw(XENSND_OP_WRITE, (off), (len)), (what)))

CF_SCENARIO(sc_bad_offset)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };

	CF_TRY(span_setup(c, &s));
	BAD_RW(s.p.buffer, s.p.frame, "WRITE at offset buffer_sz");
	BAD_RW(s.p.buffer + 4096u, s.p.frame, "WRITE past the buffer");
	BAD_RW(0xfffffffcu, 4, "WRITE at offset 2^32 - 4");
	CF_TRY(cf_write_next(c, &s, s.p.period));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_wrap)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };

	CF_TRY(span_setup(c, &s));
	BAD_RW(4, 0xfffffffcu, "WRITE whose end wraps 2^32");
	BAD_RW(s.p.frame, 0u - s.p.frame, "WRITE whose end is exactly 2^32");
	BAD_RW(0x80000000u, 0x80000000u, "WRITE of 2^31 at 2^31");
	BAD_RW(s.p.buffer - s.p.frame, 2 * s.p.frame, "WRITE across the buffer end");
	BAD_RW(0, s.p.buffer + s.p.frame, "WRITE longer than the buffer");
	CF_TRY(cf_write_next(c, &s, s.p.period));
	return cf_close(c, &s);
}

CF_SCENARIO(sc_partial_frame)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };

	CF_TRY(span_setup(c, &s));
	if (s.p.frame == 1)
		return cf_skip(c, "frames of one octet cannot be split");
	BAD_RW(0, s.p.frame + 1, "WRITE of a frame and a bit");
	BAD_RW(1, s.p.frame, "WRITE starting inside a frame");
	BAD_RW(0, 1, "WRITE of one octet");
	CF_TRY(cf_write_next(c, &s, s.p.period));
	return cf_close(c, &s);
}

/* A query that must fail or give a non-empty answer inside itself. */
static enum cf_result query_sane(struct cf_ctx *c, const struct xensnd_query_hw_param *q,
				 const char *what)
{
	struct xensnd_req r = cf_req(XENSND_OP_HW_PARAM_QUERY);
	const struct xensnd_query_hw_param *a;
	struct xensnd_resp rsp;

	r.op.hw_param = *q;
	CF_TRY(cf_call(c, 0, &r, &rsp));
	if (rsp.status < 0)
		return CF_OK;
	a = &rsp.resp.hw_param;
	CF_CHECK(c, a->formats && !(a->formats & ~q->formats), "%s: formats 0x%llx", what,
		 (unsigned long long)a->formats);
	CF_CHECK(c, a->rates.min >= q->rates.min && a->rates.max <= q->rates.max &&
			    a->rates.min <= a->rates.max,
		 "%s: rates %u-%u accepted for %u-%u", what, a->rates.min, a->rates.max,
		 q->rates.min, q->rates.max);
	CF_CHECK(c, a->channels.min <= a->channels.max && a->channels.min >= q->channels.min &&
			    a->channels.max <= q->channels.max,
		 "%s: channels %u-%u", what, a->channels.min, a->channels.max);
	return CF_OK;
}

CF_SCENARIO(sc_query_malformed)
{
	struct xensnd_query_hw_param q = {
		.formats = UINT64_C(1) << XENSND_PCM_FORMAT_S16_LE,
		.rates = { 48000, 8000 },
		.channels = { 1, 2 },
		.buffer = { 64, 16384 },
		.period = { 32, 4096 },
	};

	CF_TRY(query_sane(c, &q, "rates min > max"));
	q.rates.min = 8000;
	q.rates.max = 192000;
	q.channels.min = 2;
	q.channels.max = 1;
	CF_TRY(query_sane(c, &q, "channels min > max"));
	q.channels.min = 1;
	q.formats = ~UINT64_C(0);
	CF_TRY(query_sane(c, &q, "every format bit"));
	memset(&q, 0, sizeof(q));
	CF_TRY(query_sane(c, &q, "all zero"));
	memset(&q, 0xff, sizeof(q));
	return query_sane(c, &q, "all ones");
}

CF_SCENARIO(sc_trigger_unknown)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };

	CF_TRY(span_setup(c, &s));
	for (unsigned int t = XENSND_OP_TRIGGER_RESUME + 1; t < 256; t++) {
		char what[32];

		snprintf(what, sizeof(what), "TRIGGER type %u", t);
		CF_TRY(cf_expect_err(c, s.i, cf_req_trigger((uint8_t)t), what));
	}
	return cf_close(c, &s);
}

#define BAD_VOL(op, off, len, what)                                                          \
	CF_TRY(cf_expect_err(c, s.i, cf_req_rw((op), (off), (len)), (what)))

CF_SCENARIO(sc_volume_bad)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	uint32_t n;

	CF_TRY(span_setup(c, &s));
	n = s.p.channels * 4u;
	BAD_VOL(XENSND_OP_SET_VOLUME, 0, n + 4, "SET_VOLUME of channels + 1 entries");
	BAD_VOL(XENSND_OP_SET_VOLUME, 0, 2, "SET_VOLUME of 2 octets");
	BAD_VOL(XENSND_OP_SET_VOLUME, s.p.buffer, n, "SET_VOLUME at buffer_sz");
	BAD_VOL(XENSND_OP_GET_VOLUME, 0xfffffffcu, n, "GET_VOLUME at 2^32 - 4");
	BAD_VOL(XENSND_OP_MUTE, s.p.buffer - 1, n, "MUTE across the buffer end");
	return cf_close(c, &s);
}

CF_SCENARIO(sc_ring_full)
{
	struct xensnd_req r = cf_req_rw(0xee, 0, 0);
	struct xensnd_resp rsp;
	uint16_t first = c->l.next_id;
	int e;

	r.id = first;
	e = fe_send(&c->l, 0, &r, VSND_REQ_RING_SLOTS);
	CF_CHECK(c, e >= 0, "cannot queue %u requests: %s", VSND_REQ_RING_SLOTS, strerror(-e));
	c->l.next_id = (uint16_t)(first + VSND_REQ_RING_SLOTS);
	for (unsigned int k = 0; k < VSND_REQ_RING_SLOTS; k++) {
		e = fe_recv(&c->l, 0, &rsp, CF_ANSWER_MS);
		CF_CHECK(c, e >= 0, "answer %u of %u missing", k + 1, VSND_REQ_RING_SLOTS);
		CF_CHECK(c, rsp.id == (uint16_t)(first + k) && rsp.operation == 0xee,
			 "answer %u: id %u op %u, expected id %u op 238", k, rsp.id,
			 rsp.operation, (uint16_t)(first + k));
		CF_CHECK(c, rsp.status < 0, "answer %u: status %d for an unknown op", k,
			 rsp.status);
	}
	return cf_expect(c, 0, cf_req(XENSND_OP_CLOSE), 0, "CLOSE after a full ring");
}

CF_SCENARIO(sc_storm)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	const struct fe_stream *st;
	uint64_t end = now_ms() + 1000;
	unsigned int i, sent = 0;
	struct cf_pcm p;

	CF_TRY(cf_need_playback(c, &i));
	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_start_playing(c, i, &p, &s));
	st = &c->l.st[i];
	while (now_ms() < end && sent < 200000) {
		for (int k = 0; k < 100; k++, sent += 2) {
			xenif_evtchn_notify(c->l.h, st->port);
			xenif_evtchn_notify(c->l.h, st->evt_port);
		}
		CF_TRY(cf_play(c, &s, 0));
	}
	cf_log(c, "%u spurious notifications in 1 s", sent);
	fe_log_reset(&c->l, i);
	CF_TRY(cf_play(c, &s, 150));
	CF_CHECK(c, c->l.st[i].log.n > 0, "no CUR_POS after the storm");
	CF_TRY(cf_trigger(c, &s, XENSND_OP_TRIGGER_STOP));
	return cf_close(c, &s);
}
