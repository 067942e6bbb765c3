// SPDX-License-Identifier: MIT
/*
 * test-stream-query.c - HW_PARAM_QUERY through the stream layer against the
 * "file:" sink's real capability space, with a libvsndfront guest
 * (stream-rig.h).
 *
 * The backend answers a query with vsnd_hw_solve() of the request, the
 * stream's XenStore limits and sndbe_audio_probe() of its host spec
 * (backend/stream.c). The guest recomputes that answer on its own side from
 * the limits it read from XenStore (vsndfe_stream_limits(), the same tree)
 * and the probe of a "file:" spec (the path does not change the space), and
 * checks every answer against it, exactly: the same formats and the same
 * closed intervals, or -EINVAL from both when nothing is feasible (the
 * backend then answers an error status and never an empty space). Each
 * answer is also checked to lie within the query, the XenStore limits and
 * the probed space, and on playback streams an OPEN with the smallest
 * configuration of the answer must succeed (the answer is what OPEN
 * accepts).
 *
 * Four cards: the default one, one whose formats include some a WAV cannot
 * hold, one with no PCM settings at all (Linux's defaults: 5512-48000 Hz,
 * U8 and S16_LE, 1-2 channels), and one with no format a WAV can hold,
 * where every query must fail. Each stream gets a fixed set of queries and
 * 300 pseudo-random ones from a fixed seed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audio.h"
#include "stream-rig.h"
#include "stream.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsnd/hwparams.h"
#include "vtest.h"

#define RANDOM_QUERIES 300u
/* Format codes 0..24 are sndif's; a few undefined bits above are sent too. */
#define FORMAT_BITS 28u

/* What a batch did, returned through struct gmsg's u[]. */
enum { DONE_OK, DONE_INFEASIBLE, DONE_OPENS };

struct qctx {
	struct vsndfe_stream *s;
	struct vsnd_stream_limits lim;
	struct vsnd_hw_caps caps;
	uint64_t caps_formats;
	bool playback;
	uint64_t seed;
	struct gmsg *m;
};

static uint32_t rnd(struct qctx *q)
{
	q->seed = q->seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(q->seed >> 33);
}

static uint32_t pick(struct qctx *q, const uint32_t *v, size_t n)
{
	return v[rnd(q) % n];
}

static void pick_interval(struct qctx *q, struct vsnd_interval *i, const uint32_t *v, size_t n)
{
	uint32_t a = pick(q, v, n), b = pick(q, v, n);

	if (rnd(q) % 3 == 0) {
		vsnd_interval_any(i);
		return;
	}
	vsnd_interval_set(i, a < b ? a : b, a < b ? b : a);
}

static void random_query(struct qctx *q, struct vsnd_hw_space *sp)
{
	static const uint32_t rates[] = { 0,	 1,	5512,  8000,  11025,  16000,  22050,
					  44100, 48000, 64000, 96000, 192000, 384000, UINT32_MAX };
	static const uint32_t channels[] = { 0, 1, 2, 3, 5, 6, 7, 8, 255, 256, UINT32_MAX };
	static const uint32_t sizes[] = { 0,	1,     2,     31,	64,	   1000,
					  4096, 16384, 65536, 1u << 20, UINT32_MAX };

	switch (rnd(q) % 4) {
	case 0:
		sp->formats = (uint64_t)rnd(q) << 32 | rnd(q);
		break;
	case 1:
		sp->formats = VSND_FORMAT_BIT(rnd(q) % FORMAT_BITS);
		break;
	case 2:
		sp->formats = q->lim.formats & ((uint64_t)rnd(q) << 32 | rnd(q));
		break;
	default:
		sp->formats = VSND_FORMAT_BIT(FORMAT_BITS) - 1;
	}
	pick_interval(q, &sp->rates, rates, ARRAY_SIZE(rates));
	pick_interval(q, &sp->channels, channels, ARRAY_SIZE(channels));
	pick_interval(q, &sp->buffer_frames, sizes, ARRAY_SIZE(sizes));
	pick_interval(q, &sp->period_frames, sizes, ARRAY_SIZE(sizes));
}

static void any_query(struct vsnd_hw_space *sp)
{
	sp->formats = ~UINT64_C(0);
	vsnd_interval_any(&sp->rates);
	vsnd_interval_any(&sp->channels);
	vsnd_interval_any(&sp->buffer_frames);
	vsnd_interval_any(&sp->period_frames);
}

/* The fixed queries: @k-th of them in @sp; false past the last. */
static bool fixed_query(unsigned int k, struct vsnd_hw_space *sp)
{
	any_query(sp);
	switch (k) {
	case 0: /* everything */
		return true;
	case 1: /* no format a WAV holds */
		sp->formats = VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_BE) |
			      VSND_FORMAT_BIT(XENSND_PCM_FORMAT_IMA_ADPCM);
		return true;
	case 2: /* rates above every card's */
		vsnd_interval_set(&sp->rates, 100000, 200000);
		return true;
	case 3: /* more channels than any card */
		vsnd_interval_set(&sp->channels, 7, 8);
		return true;
	case 4: /* a period longer than any buffer allowed */
		vsnd_interval_set(&sp->buffer_frames, 1, 1);
		vsnd_interval_set(&sp->period_frames, 2, 2);
		return true;
	case 5: /* a buffer beyond every buffer-size */
		vsnd_interval_set(&sp->buffer_frames, 1u << 20, 1u << 21);
		return true;
	case 6: /* one point, as a guest's final refine sends */
		sp->formats = VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE);
		vsnd_interval_set(&sp->rates, 48000, 48000);
		vsnd_interval_set(&sp->channels, 2, 2);
		vsnd_interval_set(&sp->buffer_frames, 4096, 4096);
		vsnd_interval_set(&sp->period_frames, 1024, 1024);
		return true;
	case 7: /* zero everywhere but the formats */
		vsnd_interval_set(&sp->rates, 0, 0);
		return true;
	default:
		return false;
	}
}

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "query %" PRIu64 ": %s\n", q->m->u[3], #cond); \
			return -EDOM;                                                  \
		}                                                                      \
	} while (0)

static bool inside(const struct vsnd_interval *a, uint32_t min, uint32_t max)
{
	return a->min >= min && a->max <= max;
}

/* Every bound of @got against the query, the limits and the probe. */
static int check_within(struct qctx *q, const struct vsnd_hw_space *req,
			const struct vsnd_hw_space *got)
{
	CHECK(got->formats && !(got->formats & ~req->formats));
	CHECK(!(got->formats & ~q->lim.formats) && !(got->formats & ~q->caps_formats));
	CHECK(inside(&got->rates, req->rates.min, req->rates.max));
	CHECK(inside(&got->rates, q->lim.rates.min, q->lim.rates.max));
	CHECK(vsnd_rate_set_contains(&q->lim.rates, got->rates.min));
	CHECK(vsnd_rate_set_contains(&q->lim.rates, got->rates.max));
	CHECK(inside(&got->channels, req->channels.min, req->channels.max));
	CHECK(inside(&got->channels, q->lim.channels_min, q->lim.channels_max));
	CHECK(inside(&got->buffer_frames, req->buffer_frames.min, req->buffer_frames.max));
	CHECK(inside(&got->period_frames, req->period_frames.min, req->period_frames.max));
	CHECK(got->buffer_frames.min >= 1 && got->period_frames.min >= 1);
	return 0;
}

/* The answer equals the solver's, bound for bound. */
static int check_equal(struct qctx *q, const struct vsnd_hw_space *exp,
		       const struct vsnd_hw_space *got)
{
	const struct vsnd_interval *e[] = { &exp->rates, &exp->channels, &exp->buffer_frames,
					    &exp->period_frames };
	const struct vsnd_interval *g[] = { &got->rates, &got->channels, &got->buffer_frames,
					    &got->period_frames };

	CHECK(got->formats == exp->formats);
	for (size_t i = 0; i < ARRAY_SIZE(e); i++) {
		uint32_t min, max;

		CHECK(vsnd_interval_closed(e[i], &min, &max) == 0);
		CHECK(g[i]->min == min && g[i]->max == max && !g[i]->empty);
	}
	return 0;
}

/* OPEN the answer's smallest configuration, then CLOSE. */
static int open_smallest(struct qctx *q, const struct vsnd_hw_space *got)
{
	struct vsndfe_pcm_params p = { .rate = got->rates.min };
	uint32_t frame = 0, buffer;
	unsigned int best = 0;
	int r;

	for (unsigned int f = 0; f < 64; f++)
		if (got->formats & VSND_FORMAT_BIT(f) &&
		    (!best || vsnd_format_phys_bytes(f) < best)) {
			best = vsnd_format_phys_bytes(f);
			p.format = (uint8_t)f;
		}
	p.channels = (uint8_t)got->channels.min;
	CHECK(vsnd_frame_bytes(p.format, p.channels, &frame) == 0);
	buffer = got->buffer_frames.min > got->period_frames.min ? got->buffer_frames.min :
								   got->period_frames.min;
	CHECK(buffer <= got->buffer_frames.max);
	p.buffer_bytes = buffer * frame;
	p.period_bytes = got->period_frames.min * frame;
	r = vsndfe_stream_open(q->s, &p);
	if (r < 0)
		fprintf(stderr, "OPEN %u Hz format %u x%u, %u/%u octets: %d\n", p.rate, p.format,
			p.channels, p.buffer_bytes, p.period_bytes, r);
	CHECK(r == 0);
	q->m->u[DONE_OPENS]++;
	return vsndfe_stream_close(q->s);
}

static int one_query(struct qctx *q, const struct vsnd_hw_space *req)
{
	struct vsnd_hw_space exp, got = *req;
	int want, r;

	want = vsnd_hw_solve(req, &q->lim, &q->caps, &exp);
	r = vsndfe_stream_query(q->s, &got);
	q->m->u[3]++;
	if (want < 0) {
		CHECK(r == -EINVAL);
		q->m->u[DONE_INFEASIBLE]++;
		return 0;
	}
	CHECK(r == 0);
	q->m->u[DONE_OK]++;
	r = check_within(q, req, &got);
	if (r == 0)
		r = check_equal(q, &exp, &got);
	if (r == 0 && q->playback)
		r = open_smallest(q, &got);
	return r;
}

/* The guest's side: a[0] the seed. */
static int run_queries(struct gstate *g, struct gmsg *m)
{
	struct qctx q = { .s = vsndfe_card_stream(g->card, m->stream), .seed = m->a[0], .m = m };
	struct vsnd_hw_space sp;
	int r;

	q.playback = vsndfe_stream_is_playback(q.s);
	r = vsndfe_stream_limits(q.s, &q.lim);
	if (r == 0)
		r = sndbe_audio_probe("file:probe.wav", !q.playback, &q.caps);
	for (uint32_t i = 0; r == 0 && i < q.caps.n; i++)
		q.caps_formats |= q.caps.cap[i].formats;
	for (unsigned int k = 0; r == 0 && fixed_query(k, &sp); k++)
		r = one_query(&q, &sp);
	for (unsigned int k = 0; r == 0 && k < RANDOM_QUERIES; k++) {
		random_query(&q, &sp);
		r = one_query(&q, &sp);
	}
	return r;
}

/* Run the batch on every stream; return the feasible answers seen. */
static uint64_t query_card(const struct rig_config *cfg)
{
	uint64_t feasible = 0;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, cfg);
	for (unsigned int i = 0; i < rig.tree.n_streams; i++) {
		struct gmsg m = { .fn = run_queries, .stream = i, .a = { 1000 + i } };
		struct sndbe_stream_stats st;

		ASSERT_OK(guest_call(&rig, &g, &m));
		ASSERT_EQ_U(m.u[DONE_OK] + m.u[DONE_INFEASIBLE], m.u[3]);
		fprintf(stderr,
			"stream %u: %" PRIu64 " feasible, %" PRIu64 " infeasible, %" PRIu64
			" OPENs\n",
			i, m.u[DONE_OK], m.u[DONE_INFEASIBLE], m.u[DONE_OPENS]);
		/* The backend answered every infeasible query with an error
		 * status, and only those (OPEN and CLOSE all succeeded). */
		sndbe_stream_stats(rig_stream(&rig, i), &st);
		ASSERT_EQ_U(st.errors, m.u[DONE_INFEASIBLE]);
		ASSERT_EQ_U(st.requests, m.u[3] + 2 * m.u[DONE_OPENS]);
		/* Some of both kinds, whatever the card. */
		ASSERT_GT(m.u[DONE_INFEASIBLE], 5);
		feasible += m.u[DONE_OK];
	}
	rig_down(&rig, &g);
	return feasible;
}

TEST_TIMEOUT(query_default_card, 120)
{
	static const struct rig_config cfg = { 2, { { 0, 0, "p" }, { 0, 1, "c" } } };

	ASSERT_GT(query_card(&cfg), 40);
}

TEST_TIMEOUT(query_card_with_formats_a_wav_cannot_hold, 120)
{
	static const struct rig_config cfg = {
		.n_streams = 2,
		.s = { { 0, 0, "p" }, { 0, 1, "c" } },
		.sample_rates = "8000,11025,96000",
		.sample_formats = "u8,s16_be,u16_le,s24_le,float_le,mu_law,ima_adpcm",
		.channels_max = "6",
		.buffer_size = "32768",
	};

	ASSERT_GT(query_card(&cfg), 40);
}

TEST_TIMEOUT(query_card_with_linux_defaults, 120)
{
	static const struct rig_config cfg = {
		.sample_rates = "",
		.sample_formats = "",
		.channels_min = "",
		.channels_max = "",
		.buffer_size = "4096",
	};

	ASSERT_GT(query_card(&cfg), 20);
}

TEST_TIMEOUT(query_card_without_a_wav_format_fails_every_query, 120)
{
	static const struct rig_config cfg = {
		.n_streams = 2,
		.s = { { 0, 0, "p" }, { 0, 1, "c" } },
		.sample_formats = "s16_be,u24_le,f64_be",
	};

	ASSERT_EQ_U(query_card(&cfg), 0);
}
