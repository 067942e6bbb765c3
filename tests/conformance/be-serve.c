// SPDX-License-Identifier: MIT
/*
 * be-serve.c - the backend role's data path: mapping a stream's rings,
 * serving requests like an instant sink (a WRITE is played at once, so
 * CUR_POS follows the octets written while the stream runs), the script's
 * misbehaving answer, and the CUR_POS producer of protocol.md 3.12 with the
 * script's spoilt event (be.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be.h"
#include "vsnd-common/util.h"
#include "vsnd/names.h"
#include "vsnd/pgdir.h"
#include "vsnd/request.h"

static const char *const transport_keys[] = {
	"ring-ref",
	"event-channel",
	"evt-ring-ref",
	"evt-event-channel",
};

static int read_transport(struct be_role *b, unsigned int i, uint32_t v[4])
{
	struct be_stream *s = &b->st[i];

	for (unsigned int k = 0; k < 4; k++) {
		_cleanup_free_ char *val = NULL;
		char rel[VSND_XSCFG_PATH_MAX], path[256], *end = NULL;
		unsigned long n;

		vsnd_xscfg_path(rel, sizeof(rel), (int)s->pcm, (int)s->stream, transport_keys[k]);
		snprintf(path, sizeof(path), "%s/%s", b->fe, rel);
		if (xenif_xs_read(b->x, XENIF_TX_NONE, path, &val, NULL) < 0)
			return -ENOENT;
		errno = 0;
		n = strtoul(val, &end, 10);
		if (errno || end == val || *end || n == 0 || n > UINT32_MAX)
			return -EINVAL;
		v[k] = (uint32_t)n;
	}
	return 0;
}

int be_connect_stream(struct be_role *b, unsigned int i)
{
	struct be_stream *s = &b->st[i];
	uint32_t v[4];
	int r;

	r = read_transport(b, i, v);
	if (r < 0)
		return r;
	r = xenif_gnt_map(b->x, b->guest, &v[0], 1, true, &s->ring_page);
	if (r < 0)
		return r;
	r = xenif_gnt_map(b->x, b->guest, &v[2], 1, true, (void **)&s->evt_page);
	if (r < 0)
		return r;
	r = xenif_evtchn_bind_interdomain(b->h, b->guest, v[1]);
	if (r < 0)
		return r;
	s->req_port = (uint32_t)r;
	r = xenif_evtchn_bind_interdomain(b->h, b->guest, v[3]);
	if (r < 0)
		return r;
	s->evt_port = (uint32_t)r;
	/* The frontend initialised the shared ring; only our side starts here. */
	BACK_RING_INIT(&s->ring, (struct xen_sndif_sring *)s->ring_page, VSND_PAGE_SIZE);
	s->evt_in_cons = s->evt_page->in_cons;
	s->evt_prod = s->evt_page->in_prod;
	s->evt_id = 0;
	s->running = false;
	return 0;
}

void be_unmap_buffer(struct be_role *b, struct be_stream *s)
{
	if (s->buf)
		xenif_gnt_unmap(b->x, s->buf, s->pages);
	free(s->grefs);
	s->grefs = NULL;
	s->buf = NULL;
	s->pages = 0;
	s->buffer_bytes = 0;
	s->running = false;
}

static void bad(struct be_role *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(struct be_role *b, const char *fmt, ...)
{
	va_list ap;

	if (b->ob.bad_requests++)
		return;
	va_start(ap, fmt);
	vsnprintf(b->ob.bad_why, sizeof(b->ob.bad_why), fmt, ap);
	va_end(ap);
}

static int dir_map(void *ctx, uint32_t gref, const void **ret_page)
{
	struct be_role *b = ctx;
	void *page;
	int r = xenif_gnt_map(b->x, b->guest, &gref, 1, false, &page);

	if (r == 0)
		*ret_page = page;
	return r;
}

static void dir_unmap(void *ctx, const void *page)
{
	struct be_role *b = ctx;

	xenif_gnt_unmap(b->x, (void *)page, 1);
}

static int do_open(struct be_role *b, struct be_stream *s, const struct xensnd_req *req)
{
	static const struct vsnd_pgdir_ops ops = { .map = dir_map, .unmap = dir_unmap };
	uint32_t pages, dirs, sz = req->op.open.buffer_sz;
	int n, r;

	be_unmap_buffer(b, s);
	s->written = s->pos = 0;
	r = vsnd_pgdir_size(sz, &pages, &dirs);
	if (r < 0 || sz > VSND_BUFFER_BYTES_HARD_MAX)
		return -EINVAL;
	s->grefs = calloc(pages, sizeof(uint32_t));
	if (!s->grefs)
		return -ENOMEM;
	n = vsnd_pgdir_walk(req->op.open.gref_directory, sz, VSND_BUFFER_BYTES_HARD_MAX, &ops, b,
			    s->grefs, pages);
	if (n < 0) {
		bad(b, "OPEN: page directory refused: %s", strerror(-n));
		return n;
	}
	r = xenif_gnt_map(b->x, b->guest, s->grefs, (uint32_t)n, true, &s->buf);
	if (r < 0) {
		bad(b, "OPEN: buffer pages not mappable read-write: %s", strerror(-r));
		return r;
	}
	s->pages = (uint32_t)n;
	s->buffer_bytes = sz;
	return 0;
}

/* CLOSE: was the buffer still granted (protocol.md 8.2: revoke after CLOSE)? */
static int do_close(struct be_role *b, struct be_stream *s)
{
	void *probe;

	if (s->grefs && s->buf) {
		if (xenif_gnt_map(b->x, b->guest, s->grefs, 1, false, &probe) == 0) {
			b->ob.closes_granted++;
			xenif_gnt_unmap(b->x, probe, 1);
		} else {
			b->ob.closes_revoked++;
		}
	}
	be_unmap_buffer(b, s);
	return 0;
}

static int do_rw(struct be_role *b, struct be_stream *s, const struct xensnd_req *req)
{
	uint32_t off = req->op.rw.offset, len = req->op.rw.length;
	const char *op = vsnd_op_to_string(req->operation);

	if (!s->buf) {
		bad(b, "%s without an open buffer", op);
		return -EINVAL;
	}
	if (off > s->buffer_bytes || len > s->buffer_bytes - off) {
		bad(b, "%s [%u, +%u) outside the %u-octet buffer", op, off, len, s->buffer_bytes);
		return -EINVAL;
	}
	if (req->operation == XENSND_OP_WRITE)
		s->written += len;
	else
		memset((char *)s->buf + off, 0, len);
	return 0;
}

static int do_trigger(struct be_role *b, struct be_stream *s, uint8_t type)
{
	b->ob.triggers[type & 7]++;
	switch (type) {
	case XENSND_OP_TRIGGER_START:
	case XENSND_OP_TRIGGER_RESUME:
		if (!s->buf)
			return -EINVAL;
		s->running = true;
		return 0;
	case XENSND_OP_TRIGGER_STOP:
	case XENSND_OP_TRIGGER_PAUSE:
		s->running = false;
		return 0;
	default:
		bad(b, "TRIGGER of unknown type %u", type);
		return -EINVAL;
	}
}

/* What a well-behaved instant sink does with @req; the status. */
static int serve(struct be_role *b, struct be_stream *s, const struct xensnd_req *req,
		 struct xensnd_resp *rsp)
{
	switch (req->operation) {
	case XENSND_OP_OPEN:
		return do_open(b, s, req);
	case XENSND_OP_CLOSE:
		return do_close(b, s);
	case XENSND_OP_WRITE:
	case XENSND_OP_READ:
		return do_rw(b, s, req);
	case XENSND_OP_TRIGGER:
		return do_trigger(b, s, req->op.trigger.type);
	case XENSND_OP_HW_PARAM_QUERY:
		rsp->resp.hw_param = req->op.hw_param;
		return 0;
	case XENSND_OP_SET_VOLUME:
	case XENSND_OP_GET_VOLUME:
	case XENSND_OP_MUTE:
	case XENSND_OP_UNMUTE:
		return s->buf ? 0 : -EINVAL;
	default:
		bad(b, "unknown operation %u", req->operation);
		return -ENOSYS;
	}
}

static void push(struct be_role *b, struct be_stream *s, const struct xensnd_resp *rsp)
{
	int notify;

	memcpy(RING_GET_RESPONSE(&s->ring, s->ring.rsp_prod_pvt), rsp, sizeof(*rsp));
	s->ring.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&s->ring, notify);
	if (notify)
		xenif_evtchn_notify(b->h, s->req_port);
}

static void mark_misbehaved(struct be_role *b)
{
	if (b->ob.misbehaved)
		return;
	b->ob.misbehaved = true;
	b->ob.misbehaved_ms = now_ms();
	b->ob.fe_state_then = b->fe_last;
}

/* Deliver @rsp the way the script says; false when nothing was answered. */
static bool deliver(struct be_role *b, struct be_stream *s, struct xensnd_resp *rsp,
		    enum be_rsp how)
{
	struct xensnd_resp stray;

	switch (how) {
	case BE_RSP_WRONG_ID:
		rsp->id = (uint16_t)(rsp->id + 0x1000);
		break;
	case BE_RSP_STRAY_FIRST:
		stray = *rsp;
		stray.id = (uint16_t)(rsp->id + 0x2000);
		push(b, s, &stray);
		break;
	case BE_RSP_PROD_OVERFLOW:
		memcpy(RING_GET_RESPONSE(&s->ring, s->ring.rsp_prod_pvt), rsp, sizeof(*rsp));
		s->ring.rsp_prod_pvt += 40;
		xen_wmb();
		s->ring.sring->rsp_prod = s->ring.rsp_prod_pvt;
		xenif_evtchn_notify(b->h, s->req_port);
		return true;
	default:
		break;
	}
	push(b, s, rsp);
	return true;
}

static void answer(struct be_role *b, unsigned int i, const struct xensnd_req *req)
{
	struct be_stream *s = &b->st[i];
	struct xensnd_resp rsp = { .id = req->id, .operation = req->operation };
	unsigned int op = req->operation & 15u;
	enum be_rsp how = BE_RSP_NORMAL;

	b->ob.requests++;
	b->ob.ops[op]++;
	b->op_seen[op]++;
	if (b->sc.rsp != BE_RSP_NORMAL && req->operation == b->sc.op &&
	    b->op_seen[op] == b->sc.nth) {
		how = b->sc.rsp;
		mark_misbehaved(b);
	}
	if (how == BE_RSP_SILENT)
		b->silent = true;
	if (b->silent)
		return;
	if (how == BE_RSP_STATUS)
		rsp.status = b->sc.status;
	else
		rsp.status = serve(b, s, req, &rsp);
	deliver(b, s, &rsp, how);
	if (rsp.status != 0 || !s->running || how != BE_RSP_NORMAL)
		return;
	/* State steps after START come before any event: the frontend is then
	 * waiting for a position, not for an answer, when the state changes. */
	if (req->operation == XENSND_OP_TRIGGER && b->sc.steps_on_start &&
	    req->op.trigger.type == XENSND_OP_TRIGGER_START)
		be_steps_start(b);
	else if (req->operation == XENSND_OP_TRIGGER || req->operation == XENSND_OP_WRITE)
		be_event(b, i);
}

static void serve_ring(struct be_role *b, unsigned int i)
{
	struct be_stream *s = &b->st[i];
	int more;

	do {
		RING_IDX prod = s->ring.sring->req_prod;

		xen_rmb();
		if (prod - s->ring.req_cons > RING_SIZE(&s->ring)) {
			bad(b, "request producer %u overflows (consumer %u)", prod,
			    s->ring.req_cons);
			return;
		}
		while (s->ring.req_cons != prod && s->ring_page) {
			struct xensnd_req req;

			RING_COPY_REQUEST(&s->ring, s->ring.req_cons, &req);
			s->ring.req_cons++;
			answer(b, i, &req);
		}
		if (!s->ring_page)
			return;
		RING_FINAL_CHECK_FOR_REQUESTS(&s->ring, more);
	} while (more);
}

void be_on_evtchn(struct be_role *b)
{
	int port;

	while (b->h && (port = xenif_evtchn_pending(b->h)) > 0) {
		xenif_evtchn_unmask(b->h, (uint32_t)port);
		for (unsigned int i = 0; i < b->n && b->connected; i++)
			if (b->st[i].ring_page && b->st[i].req_port == (uint32_t)port)
				serve_ring(b, i);
	}
}

/* The script's spoilt event, if this is its turn: the position and id to send,
 * or false when the event ring was overflowed instead. */
static bool spoil(struct be_role *b, struct be_stream *s, uint64_t *pos, uint16_t *id)
{
	if (b->sc.evt == BE_EVT_NORMAL || b->ob.misbehaved || b->ob.events != b->sc.evt_after)
		return true;
	mark_misbehaved(b);
	switch (b->sc.evt) {
	case BE_EVT_BACKWARDS:
		*pos = s->pos / 2;
		break;
	case BE_EVT_JUMP:
		*pos = s->pos + 10ull * s->buffer_bytes;
		break;
	case BE_EVT_ID_GAP:
		(*id)++;
		break;
	case BE_EVT_ID_DUP:
		(*id)--;
		break;
	case BE_EVT_OVERFLOW:
		s->evt_prod = s->evt_page->in_cons + XENSND_IN_RING_LEN + 1;
		xen_wmb();
		s->evt_page->in_prod = s->evt_prod;
		xenif_evtchn_notify(b->h, s->evt_port);
		return false;
	default:
		break;
	}
	return true;
}

void be_event(struct be_role *b, unsigned int i)
{
	struct be_stream *s = &b->st[i];
	struct xensnd_event_page *page = s->evt_page;
	uint64_t pos = s->written > s->pos ? s->written : s->pos;
	uint16_t id = s->evt_id;
	struct xensnd_evt *evt;

	if (!page)
		return;
	if (!spoil(b, s, &pos, &id))
		return;
	/* protocol.md 3.12: no room, no event and no id consumed. */
	if (s->evt_prod - page->in_cons >= XENSND_IN_RING_LEN) {
		b->ob.events_dropped++;
		return;
	}
	evt = &XENSND_IN_RING_REF(page, s->evt_prod);
	memset(evt, 0, sizeof(*evt));
	evt->id = id;
	evt->type = XENSND_EVT_CUR_POS;
	evt->op.cur_pos.position = pos;
	xen_wmb();
	page->in_prod = ++s->evt_prod;
	xen_wmb();
	xenif_evtchn_notify(b->h, s->evt_port);
	s->evt_id = (uint16_t)(id + 1);
	if (pos > s->pos)
		s->pos = pos;
	b->ob.events++;
}

void be_poll_in_cons(struct be_role *b)
{
	for (unsigned int i = 0; i < b->n; i++) {
		struct be_stream *s = &b->st[i];
		uint32_t cons;

		if (!s->evt_page)
			continue;
		cons = s->evt_page->in_cons;
		if (cons != s->evt_in_cons)
			b->ob.evt_consumed += cons - s->evt_in_cons;
		s->evt_in_cons = cons;
	}
}
