// SPDX-License-Identifier: MIT
/*
 * hostile.c - the malicious guest of security.md 5.1-5.4 (hostile.h).
 *
 * Each group sends what libvsndfront never would on stream 0 of the card,
 * checks the status, the echoed id and operation and the zeroed reserved
 * bytes of every response, and compares the backend's mappings of the
 * guest before and after.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"
#include "util.h"
#include "vsndbe-proc.h"
#include "vsnd/pgdir.h"
#include "vtest.h"

#define MS 3000 /* protocol.md: every request answered within 3 s */
#define BIG_BYTES (1024u * 4096u) /* two directory pages */
#define SMALL_BYTES 16384u
#define PERIOD_BYTES 4096u

struct hbuf {
	void *data;
	uint32_t n;
	uint32_t *refs;
	void *dir;		/* directory pages, contiguous */
	uint32_t n_dir;
	uint32_t dir_refs[4];
};

/* Lines of the backend's (and its workers') /proc/PID/maps mapping this
 * guest's grants. */
static int mappings(const struct hostile *h)
{
	return vsndbe_proc_grant_maps(h->be_pid, HOSTILE_GUEST);
}

/* Open fds of the backend and its workers. */
static int fds(const struct hostile *h)
{
	return vsndbe_proc_fds(h->be_pid);
}

/* One request; rules 5 and 7 on its response. */
static int32_t call(struct hostile *h, struct xensnd_req *req)
{
	struct xensnd_resp rsp;
	static const uint8_t zero[sizeof(rsp.resp)];

	req->id = h->next_id++;
	rawfe_send(&h->f, 0, req);
	if (!rawfe_recv(&h->f, 0, &rsp, MS))
		vtest_fail(__FILE__, __LINE__, "operation %u: no answer in %d ms",
			   req->operation, MS);
	ASSERT_EQ(rsp.id, req->id);
	ASSERT_EQ(rsp.operation, req->operation);
	ASSERT_EQ(rsp.reserved, 0);
	if (rsp.status != 0 || req->operation != XENSND_OP_HW_PARAM_QUERY)
		ASSERT_MEMEQ(&rsp.resp, zero, sizeof(zero));
	ASSERT_LE(rsp.status, 0);
	return rsp.status;
}

static void hbuf_share(struct hostile *h, struct hbuf *b, uint32_t bytes)
{
	memset(b, 0, sizeof(*b));
	ASSERT_OK(vsnd_pgdir_size(bytes, &b->n, &b->n_dir));
	ASSERT_LE(b->n_dir, ARRAY_SIZE(b->dir_refs));
	b->refs = calloc(b->n, sizeof(*b->refs));
	ASSERT_NOT_NULL(b->refs);
	ASSERT_OK(xenif_gnt_share(h->f.x, 0, b->n, true, b->refs, &b->data));
	ASSERT_OK(xenif_gnt_share(h->f.x, 0, b->n_dir, true, b->dir_refs, &b->dir));
	for (uint32_t p = 0; p < b->n_dir; p++) {
		struct xensnd_page_directory *d = (void *)((uint8_t *)b->dir + p * 4096u);

		d->gref_dir_next_page = p + 1 < b->n_dir ? b->dir_refs[p + 1] : 0;
		for (uint32_t i = 0; i < VSND_PGDIR_ENTRIES && p * VSND_PGDIR_ENTRIES + i < b->n;
		     i++)
			d->gref[i] = b->refs[p * VSND_PGDIR_ENTRIES + i];
	}
}

static struct xensnd_page_directory *hbuf_dir(struct hbuf *b, uint32_t p)
{
	return (void *)((uint8_t *)b->dir + p * 4096u);
}

static void hbuf_free(struct hostile *h, struct hbuf *b)
{
	ASSERT_OK(xenif_gnt_unshare(h->f.x, b->data, b->n));
	ASSERT_OK(xenif_gnt_unshare(h->f.x, b->dir, b->n_dir));
	free(b->refs);
}

static struct xensnd_req open_req(uint32_t rate, uint8_t format, uint8_t channels,
				  uint32_t buffer, uint32_t period, uint32_t dir)
{
	struct xensnd_req r;

	memset(&r, 0, sizeof(r));
	r.operation = XENSND_OP_OPEN;
	r.op.open.pcm_rate = rate;
	r.op.open.pcm_format = format;
	r.op.open.pcm_channels = channels;
	r.op.open.buffer_sz = buffer;
	r.op.open.period_sz = period;
	r.op.open.gref_directory = dir;
	return r;
}

static struct xensnd_req simple(uint8_t op, uint32_t a, uint32_t b)
{
	struct xensnd_req r;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.op.rw.offset = a;
	r.op.rw.length = b;
	return r;
}

#define EXPECT_STATUS(h, req, st)                                                             \
	do {                                                                                  \
		struct xensnd_req _q = (req);                                                 \
		ASSERT_EQ(call(h, &_q), st);                                                  \
	} while (0)

void hostile_unknown_ops(struct hostile *h)
{
	for (unsigned int op = XENSND_OP_HW_PARAM_QUERY + 1; op < 256; op++)
		EXPECT_STATUS(h, simple((uint8_t)op, 0, 4), -ENOSYS);
}

void hostile_io_before_open(struct hostile *h)
{
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 0, 4), -EINVAL);
	EXPECT_STATUS(h, simple(XENSND_OP_READ, 0, 4), -EINVAL);
	EXPECT_STATUS(h, simple(XENSND_OP_SET_VOLUME, 0, 8), -EINVAL);
	EXPECT_STATUS(h, simple(XENSND_OP_MUTE, 0, 2), -EINVAL);
	EXPECT_STATUS(h, simple(XENSND_OP_TRIGGER, XENSND_OP_TRIGGER_START, 0), -EINVAL);
	/* CLOSE of a closed stream is harmless. */
	EXPECT_STATUS(h, simple(XENSND_OP_CLOSE, 0, 0), 0);
}

void hostile_open_params(struct hostile *h)
{
	static const struct {
		uint32_t rate;
		uint8_t format, channels;
		uint32_t buffer, period;
	} bad[] = {
		{ 48000, XENSND_PCM_FORMAT_S16_LE, 2, 0, 4096 },	  /* rule 11 */
		{ 48000, XENSND_PCM_FORMAT_S16_LE, 2, 0xffffffffu, 4096 }, /* 12 */
		{ 0, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES, 4096 },	  /* 30 */
		{ 1, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES, 4096 },
		{ 0xffffffffu, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES, 4096 },
		{ 22050, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES, 4096 },
		{ 48000, XENSND_PCM_FORMAT_S16_LE, 0, SMALL_BYTES, 4096 }, /* 31 */
		{ 48000, XENSND_PCM_FORMAT_S16_LE, 3, SMALL_BYTES, 4096 },
		{ 48000, XENSND_PCM_FORMAT_S16_LE, 255, SMALL_BYTES, 4096 },
		{ 48000, 0xff, 2, SMALL_BYTES, 4096 },			  /* 32 */
		{ 48000, XENSND_PCM_FORMAT_U8, 2, SMALL_BYTES, 4096 },
		{ 48000, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES, SMALL_BYTES + 4 }, /* 33 */
		{ 48000, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES - 2, 4096 },
	};
	struct hbuf b;
	int before = mappings(h);

	hbuf_share(h, &b, SMALL_BYTES);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct xensnd_req r = open_req(bad[i].rate, bad[i].format, bad[i].channels,
					       bad[i].buffer, bad[i].period, b.dir_refs[0]);
		int32_t st = call(h, &r);

		if (st >= 0)
			vtest_fail(__FILE__, __LINE__, "bad OPEN %u accepted", i);
		ASSERT_EQ(mappings(h), before);
	}
	hbuf_free(h, &b);
}

/* OPEN of the big buffer through a (possibly spoilt) directory. */
static int32_t open_big(struct hostile *h, uint32_t dir_ref)
{
	struct xensnd_req r = open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, BIG_BYTES, 4096,
				       dir_ref);

	return call(h, &r);
}

void hostile_directories(struct hostile *h)
{
	struct hbuf b;
	int before = mappings(h);
	uint32_t keep;

	hbuf_share(h, &b, BIG_BYTES);
	ASSERT_EQ(b.n_dir, 2);
	/* Rule 14: the first page points to itself. */
	hbuf_dir(&b, 0)->gref_dir_next_page = b.dir_refs[0];
	ASSERT_EQ(open_big(h, b.dir_refs[0]), -EINVAL);
	/* Rule 15: the chain ends early. */
	hbuf_dir(&b, 0)->gref_dir_next_page = 0;
	ASSERT_EQ(open_big(h, b.dir_refs[0]), -EINVAL);
	hbuf_dir(&b, 0)->gref_dir_next_page = b.dir_refs[1];
	ASSERT_EQ(mappings(h), before);
	/* Rule 17: a gref never granted, deep in the second page, after
	 * hundreds of good ones: nothing stays mapped (rule 18). */
	keep = hbuf_dir(&b, 1)->gref[0];
	hbuf_dir(&b, 1)->gref[0] = 0xfff00u;
	ASSERT_LT(open_big(h, b.dir_refs[0]), 0);
	ASSERT_EQ(mappings(h), before);
	hbuf_dir(&b, 1)->gref[0] = keep;
	/* A directory gref of 0, and one never granted. */
	ASSERT_EQ(open_big(h, 0), -EINVAL);
	ASSERT_LT(open_big(h, 0xfff01u), 0);
	ASSERT_EQ(mappings(h), before);
	/* The repaired directory works; CLOSE unmaps all of it. */
	ASSERT_EQ(open_big(h, b.dir_refs[0]), 0);
	ASSERT_GT(mappings(h), before);
	EXPECT_STATUS(h, simple(XENSND_OP_CLOSE, 0, 0), 0);
	ASSERT_EQ(mappings(h), before);
	hbuf_free(h, &b);
}

static void io_span_cases(struct hostile *h)
{
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, SMALL_BYTES, 4), -EINVAL);	  /* 22 */
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 0xfffffffcu, 4), -EINVAL);
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 0, 0), 0);			  /* 23 */
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 4, 0xfffffffcu), -EINVAL);	  /* 24 */
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, SMALL_BYTES - 4, 8), -EINVAL);
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 0, 6), -EINVAL);		  /* 25 */
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 2, 4), -EINVAL);
	EXPECT_STATUS(h, simple(XENSND_OP_READ, 0, 4), -EINVAL);		  /* 26 */
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 0, SMALL_BYTES), 0);
}

void hostile_io_spans(struct hostile *h)
{
	struct hbuf b;
	int before = mappings(h), open_maps, open_fds;
	struct xensnd_req r;

	hbuf_share(h, &b, SMALL_BYTES);
	r = open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES, PERIOD_BYTES, b.dir_refs[0]);
	ASSERT_EQ(call(h, &r), 0);
	io_span_cases(h);
	/* Rule 20: OPEN again and again without CLOSE: flat counts. */
	open_maps = mappings(h);
	open_fds = fds(h);
	ASSERT_GT(open_maps, before);
	for (int i = 0; i < 300; i++) {
		r = open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, SMALL_BYTES, PERIOD_BYTES,
			     b.dir_refs[0]);
		ASSERT_EQ(call(h, &r), 0);
	}
	ASSERT_EQ(mappings(h), open_maps);
	ASSERT_EQ(fds(h), open_fds);
	/* Rule 21 after CLOSE; rule 27 after CLOSE. */
	EXPECT_STATUS(h, simple(XENSND_OP_CLOSE, 0, 0), 0);
	ASSERT_EQ(mappings(h), before);
	EXPECT_STATUS(h, simple(XENSND_OP_WRITE, 0, 4), -EINVAL);
	hbuf_free(h, &b);
}

/* HW_PARAM_QUERY with @sp: an error, or an answer inside what was asked. */
static void query_sane(struct hostile *h, const struct xensnd_query_hw_param *sp)
{
	struct xensnd_req r = simple(XENSND_OP_HW_PARAM_QUERY, 0, 0);
	struct xensnd_resp rsp;

	r.op.hw_param = *sp;
	r.id = h->next_id++;
	rawfe_send(&h->f, 0, &r);
	ASSERT_TRUE(rawfe_recv(&h->f, 0, &rsp, MS));
	ASSERT_EQ(rsp.id, r.id);
	if (rsp.status < 0)
		return;
	ASSERT_EQ(rsp.status, 0);
	ASSERT_EQ_U(rsp.resp.hw_param.formats & ~sp->formats, 0);
	ASSERT_NE_U(rsp.resp.hw_param.formats, 0);
	ASSERT_LE(rsp.resp.hw_param.rates.min, rsp.resp.hw_param.rates.max);
	ASSERT_LE(rsp.resp.hw_param.channels.min, rsp.resp.hw_param.channels.max);
	ASSERT_GE(rsp.resp.hw_param.rates.min, sp->rates.min);
	ASSERT_LE(rsp.resp.hw_param.rates.max, sp->rates.max);
}

void hostile_controls(struct hostile *h)
{
	struct xensnd_query_hw_param sp = {
		.formats = 1ull << XENSND_PCM_FORMAT_S16_LE,
		.rates = { 48000, 8000 },			/* min > max */
		.channels = { 1, 2 },
		.buffer = { 64, 16384 },
		.period = { 32, 4096 },
	};
	struct xensnd_req r;

	query_sane(h, &sp);
	sp.rates.min = 8000, sp.rates.max = 96000;
	sp.formats = ~0ull;				/* every bit */
	query_sane(h, &sp);
	memset(&sp, 0, sizeof(sp));			/* ranges of 0 */
	query_sane(h, &sp);
	memset(&sp, 0xff, sizeof(sp));
	query_sane(h, &sp);
	/* Rule 35: trigger types sndif does not define. */
	for (uint32_t t = XENSND_OP_TRIGGER_RESUME + 1; t < 256; t += 7) {
		r = simple(XENSND_OP_TRIGGER, 0, 0);
		r.op.trigger.type = (uint8_t)t;
		ASSERT_EQ(call(h, &r), -EINVAL);
	}
}

/* Rule 9: keep the ring full for @ms, a new request for every answer. */
static void flood(struct hostile *h, uint64_t ms)
{
	struct xensnd_req r = simple(0xee, 0, 0);
	uint16_t expect = h->next_id;
	struct xensnd_resp rsp;
	uint64_t end = now_ms() + ms;
	unsigned int out;

	r.id = h->next_id;
	rawfe_send_many(&h->f, 0, &r, VSND_REQ_RING_SLOTS);
	h->next_id = (uint16_t)(h->next_id + VSND_REQ_RING_SLOTS);
	for (out = VSND_REQ_RING_SLOTS; out > 0; out--) {
		ASSERT_TRUE(rawfe_recv(&h->f, 0, &rsp, MS));
		ASSERT_EQ(rsp.id, expect++);
		ASSERT_EQ(rsp.status, -ENOSYS);
		if (now_ms() < end) {
			r.id = h->next_id++;
			rawfe_send(&h->f, 0, &r);
			out++;
		}
	}
}

void hostile_round_trips(struct hostile *h)
{
	struct xensnd_req r = simple(0xee, 0, 0);

	/* Rule 10: no wakeup lost over many single round trips. */
	for (int i = 0; i < 5000; i++)
		ASSERT_EQ(call(h, &r), -ENOSYS);
	flood(h, 3000);
}

void hostile_break_ring(struct hostile *h)
{
	struct xen_sndif_sring *s = h->f.st[0].sring;
	char path[96];
	_cleanup_free_ char *v = NULL;
	RING_IDX rsp_prod = s->rsp_prod;
	size_t len;

	/* Rule 2: req_prod far ahead of what the backend answered. */
	s->req_prod = rsp_prod + VSND_REQ_RING_SLOTS + 5;
	rawfe_kick(&h->f, 0);
	ASSERT_TRUE(rawfe_wait_be_state(&h->f, 6, 20000));
	/* Rule 3: nothing consumed, nothing answered after it. */
	ASSERT_EQ(s->rsp_prod, rsp_prod);
	snprintf(path, sizeof(path), "/local/domain/0/error/backend/vsnd/%u/0/error",
		 HOSTILE_GUEST);
	ASSERT_OK(xenif_xs_read(h->dom0, XENIF_TX_NONE, path, &v, &len));
	ASSERT_NOT_NULL(strstr(v, "req_prod"));
	/* Rule 21: after disconnect, no mapping of the guest at all. */
	ASSERT_EQ(mappings(h), 0);
}

void hostile_run_all(struct hostile *h)
{
	hostile_unknown_ops(h);
	hostile_io_before_open(h);
	hostile_open_params(h);
	hostile_directories(h);
	hostile_io_spans(h);
	hostile_controls(h);
	hostile_round_trips(h);
	hostile_break_ring(h);
}
