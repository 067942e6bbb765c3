// SPDX-License-Identifier: MIT
/*
 * fe-ring.c - vsnd-conform's frontend transport: sharing and publishing
 * the rings, the handshake, requests, events and shared buffers
 * (fe-link.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe-link.h"
#include "vsnd-common/util.h"
#include "vsnd/pgdir.h"

#define PUBLISH_TRIES 32
/* protocol.md 2.2: the toolstack gives the backend 10 s for InitWait. */
#define HANDSHAKE_MS 10000

static int stream_share(struct fe_link *l, struct fe_stream *s)
{
	void *page;
	int r;

	r = xenif_gnt_share(l->x, l->be_domid, 1, true, &s->ring_ref, &page);
	if (r < 0)
		return r;
	s->sring = page;
	SHARED_RING_INIT(s->sring);
	FRONT_RING_INIT(&s->ring, s->sring, VSND_PAGE_SIZE);
	r = xenif_gnt_share(l->x, l->be_domid, 1, true, &s->evt_ref, &page);
	if (r < 0)
		return r;
	s->evt = page;
	r = xenif_evtchn_alloc_unbound(l->h, l->be_domid);
	if (r < 0)
		return r;
	s->port = (uint32_t)r;
	r = xenif_evtchn_alloc_unbound(l->h, l->be_domid);
	if (r < 0)
		return r;
	s->evt_port = (uint32_t)r;
	s->in_cons = 0;
	s->evt_id = 0;
	s->evt_broken = false;
	s->evt_why[0] = '\0';
	memset(&s->log, 0, sizeof(s->log));
	return 0;
}

void fe_unshare(struct fe_link *l)
{
	for (unsigned int i = 0; i < l->n; i++) {
		struct fe_stream *s = &l->st[i];

		if (s->port)
			xenif_evtchn_unbind(l->h, s->port);
		if (s->evt_port)
			xenif_evtchn_unbind(l->h, s->evt_port);
		if (s->sring)
			xenif_gnt_unshare(l->x, s->sring, 1);
		if (s->evt)
			xenif_gnt_unshare(l->x, s->evt, 1);
		s->sring = NULL;
		s->evt = NULL;
		s->port = s->evt_port = 0;
		memset(&s->ring, 0, sizeof(s->ring));
	}
	l->shared = false;
}

int fe_share(struct fe_link *l)
{
	int r = 0;

	fe_unshare(l);
	for (unsigned int i = 0; i < l->n && r >= 0; i++)
		r = stream_share(l, &l->st[i]);
	if (r < 0)
		fe_unshare(l);
	else
		l->shared = true;
	return r;
}

static int tx_u32(struct fe_link *l, xenif_tx_t tx, const struct fe_stream *s, const char *key,
		  uint32_t v)
{
	char path[192], val[16];

	snprintf(path, sizeof(path), "%s/%u/%u/%s", l->fe, s->pcm, s->stream, key);
	snprintf(val, sizeof(val), "%u", v);
	return xenif_xs_write(l->x, tx, path, val, strlen(val));
}

static int publish_once(struct fe_link *l)
{
	xenif_tx_t tx;
	int r;

	r = xenif_xs_transaction_start(l->x, &tx);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < l->n && r >= 0; i++) {
		const struct fe_stream *s = &l->st[i];

		r = tx_u32(l, tx, s, "ring-ref", s->ring_ref);
		if (r >= 0)
			r = tx_u32(l, tx, s, "event-channel", s->port);
		if (r >= 0)
			r = tx_u32(l, tx, s, "evt-ring-ref", s->evt_ref);
		if (r >= 0)
			r = tx_u32(l, tx, s, "evt-event-channel", s->evt_port);
	}
	if (r < 0) {
		xenif_xs_transaction_end(l->x, tx, true);
		return r;
	}
	return xenif_xs_transaction_end(l->x, tx, false);
}

int fe_publish(struct fe_link *l)
{
	int r = -EAGAIN;

	for (int k = 0; k < PUBLISH_TRIES && r == -EAGAIN; k++)
		r = publish_once(l);
	return r;
}

/* The backend's error node, for a message. */
static void be_error(struct fe_link *l, char *buf, size_t size)
{
	_cleanup_free_ char *v = NULL;
	char path[192];
	const char *rel = strstr(l->be, "/backend/");
	size_t len;

	snprintf(path, sizeof(path), "/local/domain/%u/error%s/error", l->be_domid,
		 rel ? rel : "/backend");
	if (xenif_xs_read(l->x, XENIF_TX_NONE, path, &v, &len) < 0)
		snprintf(buf, size, "no error node");
	else
		snprintf(buf, size, "error node: \"%.200s\"", v);
}

int fe_connect(struct fe_link *l, char *why, size_t whysz)
{
	char err[256];
	int st, r;

	l->connected = false;
	if (fe_be_state(l) != 2 && (r = fe_set_state(l, 1)) < 0)
		return snprintf(why, whysz, "writing FE/state: %s", strerror(-r)), r;
	st = fe_wait_be(l, 1u << 2, HANDSHAKE_MS);
	if (st < 0)
		return snprintf(why, whysz, "backend not in InitWait within %d ms (state %d)",
				HANDSHAKE_MS, fe_be_state(l)), st;
	r = fe_share(l);
	if (r >= 0)
		r = fe_publish(l);
	if (r >= 0)
		r = fe_set_state(l, 3);
	if (r < 0)
		return snprintf(why, whysz, "sharing/publishing: %s", strerror(-r)), r;
	st = fe_wait_be(l, (1u << 4) | (1u << 5) | (1u << 6), HANDSHAKE_MS);
	if (st != 4) {
		be_error(l, err, sizeof(err));
		snprintf(why, whysz, "backend state %d, not Connected, after Initialised (%s)",
			 st < 0 ? fe_be_state(l) : st, err);
		return st < 0 ? st : -ECONNREFUSED;
	}
	r = fe_set_state(l, 4);
	if (r < 0)
		return snprintf(why, whysz, "writing FE/state 4: %s", strerror(-r)), r;
	l->connected = true;
	return 0;
}

int fe_send(struct fe_link *l, unsigned int i, const struct xensnd_req *req, unsigned int n)
{
	struct fe_stream *s = &l->st[i];
	int notify;

	if (!s->sring)
		return -ENOTCONN;
	if (n > RING_FREE_REQUESTS(&s->ring))
		return -ENOSPC;
	for (unsigned int k = 0; k < n; k++) {
		struct xensnd_req *slot = RING_GET_REQUEST(&s->ring, s->ring.req_prod_pvt);

		memcpy(slot, req, sizeof(*req));
		slot->id = (uint16_t)(req->id + k);
		s->ring.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&s->ring, notify);
	if (notify)
		return xenif_evtchn_notify(l->h, s->port);
	return 0;
}

void fe_wait(struct fe_link *l, int ms)
{
	struct pollfd p = { .fd = xenif_evtchn_fd(l->h), .events = POLLIN };
	int port;

	if (poll(&p, 1, ms) <= 0)
		return;
	while ((port = xenif_evtchn_pending(l->h)) > 0)
		xenif_evtchn_unmask(l->h, (uint32_t)port);
}

int fe_recv(struct fe_link *l, unsigned int i, struct xensnd_resp *rsp, int ms)
{
	struct fe_stream *s = &l->st[i];
	uint64_t end = now_ms() + (uint64_t)ms;

	if (!s->sring)
		return -ENOTCONN;
	for (;;) {
		int more;

		RING_FINAL_CHECK_FOR_RESPONSES(&s->ring, more);
		if (more)
			break;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		fe_wait(l, 10);
	}
	xen_rmb();
	memcpy(rsp, RING_GET_RESPONSE(&s->ring, s->ring.rsp_cons), sizeof(*rsp));
	s->ring.rsp_cons++;
	return 0;
}

/* One event slot: lockstep id, zero reserved bytes, into the log. */
static int take_one(struct fe_stream *s, const struct xensnd_evt *e)
{
	static const uint8_t zero[48];
	struct fe_evt_log *g = &s->log;
	const uint8_t *raw = (const uint8_t *)e;

	if (e->id != s->evt_id) {
		s->evt_broken = true;
		snprintf(s->evt_why, sizeof(s->evt_why), "event id %u where %u was due", e->id,
			 s->evt_id);
		return -EPROTO;
	}
	s->evt_id++;
	if (memcmp(raw + 3, zero, 5) != 0 || memcmp(raw + 16, zero, 48) != 0 ||
	    e->type != XENSND_EVT_CUR_POS)
		g->bad_reserved = true;
	if (g->n < FE_EVT_LOG) {
		g->pos[g->n] = e->op.cur_pos.position;
		g->t_ms[g->n] = now_ms();
	}
	g->n++;
	return 0;
}

int fe_take_events(struct fe_link *l, unsigned int i)
{
	struct fe_stream *s = &l->st[i];
	uint32_t prod, cons;
	int n = 0, r;

	if (!s->evt)
		return -ENOTCONN;
	if (s->evt_broken)
		return -EPROTO;
	prod = __atomic_load_n(&s->evt->in_prod, __ATOMIC_RELAXED);
	xen_rmb();
	if (prod - s->in_cons > XENSND_IN_RING_LEN) {
		s->evt_broken = true;
		snprintf(s->evt_why, sizeof(s->evt_why), "in_prod %u is more than %u ahead of %u",
			 prod, (unsigned int)XENSND_IN_RING_LEN, s->in_cons);
		return -EPROTO;
	}
	for (cons = s->in_cons; cons != prod; cons++, n++) {
		struct xensnd_evt e;

		memcpy(&e, &XENSND_IN_RING_REF(s->evt, cons), sizeof(e));
		r = take_one(s, &e);
		if (r < 0)
			return r;
	}
	s->in_cons = cons;
	xen_mb();
	__atomic_store_n(&s->evt->in_cons, cons, __ATOMIC_RELAXED);
	xen_mb();
	return n;
}

void fe_log_reset(struct fe_link *l, unsigned int i)
{
	memset(&l->st[i].log, 0, sizeof(l->st[i].log));
}

int fe_buf_share(struct fe_link *l, uint32_t bytes, struct fe_buf *b)
{
	int r;

	memset(b, 0, sizeof(*b));
	b->x = l->x;
	b->bytes = bytes;
	r = vsnd_pgdir_size(bytes, &b->pages, &b->n_dir);
	if (r < 0 || b->n_dir > ARRAY_SIZE(b->dir_refs))
		return r < 0 ? r : -E2BIG;
	b->refs = calloc(b->pages, sizeof(*b->refs));
	if (!b->refs)
		return -ENOMEM;
	r = xenif_gnt_share(l->x, l->be_domid, b->pages, true, b->refs, &b->data);
	if (r < 0) {
		b->data = NULL;
		fe_buf_free(b);
		return r;
	}
	r = xenif_gnt_share(l->x, l->be_domid, b->n_dir, true, b->dir_refs, &b->dir);
	if (r < 0) {
		b->dir = NULL;
		fe_buf_free(b);
		return r;
	}
	for (uint32_t p = 0; p < b->n_dir; p++) {
		struct xensnd_page_directory *d = fe_buf_dir(b, p);

		d->gref_dir_next_page = p + 1 < b->n_dir ? b->dir_refs[p + 1] : 0;
		for (uint32_t k = 0; k < VSND_PGDIR_ENTRIES; k++) {
			uint32_t idx = p * VSND_PGDIR_ENTRIES + k;

			if (idx >= b->pages)
				break;
			d->gref[k] = b->refs[idx];
		}
	}
	return 0;
}

void fe_buf_free(struct fe_buf *b)
{
	if (b->data)
		xenif_gnt_unshare(b->x, b->data, b->pages);
	if (b->dir)
		xenif_gnt_unshare(b->x, b->dir, b->n_dir);
	free(b->refs);
	memset(b, 0, sizeof(*b));
}

struct xensnd_page_directory *fe_buf_dir(struct fe_buf *b, uint32_t page)
{
	return (void *)((uint8_t *)b->dir + (size_t)page * VSND_PAGE_SIZE);
}
