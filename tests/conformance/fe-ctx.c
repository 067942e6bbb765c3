// SPDX-License-Identifier: MIT
/*
 * fe-ctx.c - the frontend role's context: results, connecting before a
 * scenario and cleaning up after it, and the checked request call
 * (conform.h, fe-scen.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe-scen.h"
#include "vsnd-common/util.h"
#include "vsnd/names.h"

static enum cf_result vresult(struct cf_ctx *c, enum cf_result r, const char *fmt, va_list ap)
{
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	return r;
}

enum cf_result cf_fail(struct cf_ctx *c, const char *fmt, ...)
{
	enum cf_result r;
	va_list ap;

	va_start(ap, fmt);
	r = vresult(c, CF_FAIL, fmt, ap);
	va_end(ap);
	return r;
}

enum cf_result cf_skip(struct cf_ctx *c, const char *fmt, ...)
{
	enum cf_result r;
	va_list ap;

	va_start(ap, fmt);
	r = vresult(c, CF_SKIP, fmt, ap);
	va_end(ap);
	return r;
}

const char *cf_message(const struct cf_ctx *c)
{
	return c->msg;
}

void cf_log(const struct cf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->o.verbose)
		return;
	va_start(ap, fmt);
	fputs("vsnd-conform: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

struct cf_ctx *cf_fe_new(const struct cf_options *o)
{
	struct cf_ctx *c = calloc(1, sizeof(*c));
	char why[256] = "";

	if (!c) {
		fprintf(stderr, "vsnd-conform: out of memory\n");
		return NULL;
	}
	c->o = *o;
	c->pb = c->cp = -1;
	c->need_connect = true;
	if (fe_link_open(&c->l, o->xen, o->domid, o->devid, why, sizeof(why)) < 0) {
		fprintf(stderr, "vsnd-conform: %s\n", why);
		return cf_fe_free(c);
	}
	for (unsigned int i = 0; i < c->l.n; i++) {
		int *slot = c->l.st[i].capture ? &c->cp : &c->pb;

		if (*slot < 0)
			*slot = (int)i;
	}
	cf_log(c, "card %s: %u stream(s), backend %s (domain %u)", c->l.fe, c->l.n, c->l.be,
	       c->l.be_domid);
	return c;
}

struct cf_ctx *cf_fe_free(struct cf_ctx *c)
{
	if (!c)
		return NULL;
	fe_link_close(&c->l);
	free(c);
	return NULL;
}

enum cf_result cf_fe_prepare(struct cf_ctx *c, const struct cf_scenario *s)
{
	char why[384] = "";

	c->msg[0] = '\0';
	if (s->flags & CF_UNLINKED)
		return CF_OK;
	if (!c->need_connect && c->l.connected)
		return CF_OK;
	cf_log(c, "connecting");
	if (fe_connect(&c->l, why, sizeof(why)) < 0)
		return cf_fail(c, "could not connect before the scenario: %s", why);
	c->need_connect = false;
	return CF_OK;
}

/* Late answers of a failed scenario must not reach the next one. */
static bool rings_idle(struct cf_ctx *c)
{
	bool idle = true;

	for (unsigned int i = 0; i < c->l.n; i++) {
		struct fe_stream *st = &c->l.st[i];

		if (!st->sring)
			continue;
		if (st->ring.req_prod_pvt != st->ring.rsp_cons || st->evt_broken)
			idle = false;
		else
			fe_take_events(&c->l, i);
	}
	return idle;
}

void cf_fe_finish(struct cf_ctx *c, const struct cf_scenario *s, enum cf_result r)
{
	if ((s->flags & CF_BREAKS) || r == CF_FAIL || !c->l.connected || !rings_idle(c) ||
	    fe_be_state(&c->l) != 4)
		c->need_connect = true;
}

/* The response checks every answer must pass. */
static enum cf_result check_rsp(struct cf_ctx *c, const struct xensnd_req *req,
				const struct xensnd_resp *rsp)
{
	static const uint8_t zero[sizeof(rsp->resp)];
	const char *op = vsnd_op_to_string(req->operation);

	op = op ? op : "unknown";
	CF_CHECK(c, rsp->id == req->id && rsp->operation == req->operation,
		 "%s (op %u) id %u answered as op %u id %u", op, req->operation, req->id,
		 rsp->operation, rsp->id);
	CF_CHECK(c, rsp->reserved == 0, "%s: reserved octet of the answer is %u", op,
		 rsp->reserved);
	CF_CHECK(c, rsp->status <= 0, "%s: positive status %d", op, rsp->status);
	if (rsp->status == 0 && req->operation == XENSND_OP_HW_PARAM_QUERY)
		return CF_OK;
	CF_CHECK(c, memcmp(&rsp->resp, zero, sizeof(zero)) == 0,
		 "%s: answer payload (octets 8-63) not zeroed", op);
	return CF_OK;
}

enum cf_result cf_call(struct cf_ctx *c, unsigned int i, struct xensnd_req *req,
		       struct xensnd_resp *rsp)
{
	struct xensnd_resp tmp;
	uint64_t t0 = now_ms(), dt;
	int r;

	rsp = rsp ? rsp : &tmp;
	req->id = c->l.next_id++;
	r = fe_send(&c->l, i, req, 1);
	CF_CHECK(c, r >= 0, "stream %u: cannot send op %u: %s", i, req->operation, strerror(-r));
	r = fe_recv(&c->l, i, rsp, CF_ANSWER_MS);
	dt = now_ms() - t0;
	c->slowest_ms = dt > c->slowest_ms ? dt : c->slowest_ms;
	CF_CHECK(c, r >= 0, "stream %u: op %u (%s) id %u not answered within %d ms", i,
		 req->operation, vsnd_op_to_string(req->operation) ?: "unknown", req->id,
		 CF_ANSWER_MS);
	return check_rsp(c, req, rsp);
}

enum cf_result cf_expect(struct cf_ctx *c, unsigned int i, struct xensnd_req req, int32_t want,
			 const char *what)
{
	struct xensnd_resp rsp;

	CF_TRY(cf_call(c, i, &req, &rsp));
	CF_CHECK(c, rsp.status == want, "%s: status %d, expected %d", what, rsp.status, want);
	return CF_OK;
}

enum cf_result cf_expect_err(struct cf_ctx *c, unsigned int i, struct xensnd_req req,
			     const char *what)
{
	struct xensnd_resp rsp;

	CF_TRY(cf_call(c, i, &req, &rsp));
	CF_CHECK(c, rsp.status < 0, "%s: accepted (status 0), an error was due", what);
	return CF_OK;
}

struct xensnd_req cf_req(uint8_t op)
{
	struct xensnd_req r;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	return r;
}

struct xensnd_req cf_req_rw(uint8_t op, uint32_t offset, uint32_t length)
{
	struct xensnd_req r = cf_req(op);

	r.op.rw.offset = offset;
	r.op.rw.length = length;
	return r;
}

struct xensnd_req cf_req_trigger(uint8_t type)
{
	struct xensnd_req r = cf_req(XENSND_OP_TRIGGER);

	r.op.trigger.type = type;
	return r;
}

struct xensnd_req cf_req_open(const struct cf_pcm *p, uint32_t dir_ref)
{
	struct xensnd_req r = cf_req(XENSND_OP_OPEN);

	r.op.open.pcm_rate = p->rate;
	r.op.open.pcm_format = p->format;
	r.op.open.pcm_channels = p->channels;
	r.op.open.buffer_sz = p->buffer;
	r.op.open.period_sz = p->period;
	r.op.open.gref_directory = dir_ref;
	return r;
}
