// SPDX-License-Identifier: MIT
/*
 * transport.c - one stream's channels to the backend: the request ring and
 * its event channel, the event page and its event channel (protocol.md 3.1),
 * their publication in XenStore, the request engine and the event consumer.
 *
 * Nothing the backend writes is trusted: the response producer index is
 * checked against what we asked for, every response must echo the id and
 * operation of the one outstanding request, statuses must be 0 or a known
 * negative errno, and events must carry ids 0, 1, 2, ... and positions that
 * never go back. Anything else is -EPROTO and marks the card broken. Shared
 * memory is copied out once and the copy is what we look at.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsnd/names.h"
#include "vsnd/status.h"

/* Transactions that keep conflicting are given up after this many tries. */
#define PUBLISH_RETRIES 64
/* CUR_POS positions are octets; the header promises they stay below 2^63. */
#define POSITION_MAX (UINT64_C(1) << 63)

/* An event-channel handle with one port allocated for the backend. Each
 * channel gets its own handle, so that waiting for a response never eats
 * a notification meant for the event page, and vice versa. */
static int channel_open(struct vsndfe_stream *s, struct xenif_evtchn **ret_h,
			uint32_t *ret_port)
{
	struct xenif_evtchn *h;
	int r;

	r = xenif_evtchn_open(s->card->x, &h);
	if (r < 0)
		return r;
	r = xenif_evtchn_alloc_unbound(h, s->card->be_domid);
	if (r < 0) {
		xenif_evtchn_close(h);
		return r;
	}
	*ret_h = h;
	*ret_port = (uint32_t)r;
	return 0;
}

/**
 * fe_transport_alloc() - allocate a stream's channels for a new connection.
 * @s: the stream.
 *
 * Shares a zeroed request-ring page (initialised here, the backend must not
 * do it again) and a zeroed event page with the backend, read-write as
 * Linux does, and allocates two unbound event channels for it. Event ids
 * and positions start again from 0.
 *
 * Return: 0 or a negative errno (nothing is left allocated).
 */
int fe_transport_alloc(struct vsndfe_stream *s)
{
	struct vsndfe_card *card = s->card;
	void *page;
	int r;

	if (s->has_transport)
		return 0;
	r = xenif_gnt_share(card->x, card->be_domid, 1, true, &s->ring_ref, &page);
	if (r < 0)
		return r;
	s->sring = page;
	SHARED_RING_INIT(s->sring);
	FRONT_RING_INIT(&s->ring, s->sring, VSND_PAGE_SIZE);
	s->has_transport = true;

	r = xenif_gnt_share(card->x, card->be_domid, 1, true, &s->evt_ref, &page);
	if (r < 0)
		goto fail;
	s->evt_page = page;
	r = channel_open(s, &s->req_h, &s->req_port);
	if (r < 0)
		goto fail;
	r = channel_open(s, &s->evt_h, &s->evt_port);
	if (r < 0)
		goto fail;
	s->in_cons = 0;
	s->evt_id = 0;
	s->stats.position_bytes = 0;
	return 0;
fail:
	fe_transport_free(s);
	return r;
}

/**
 * fe_transport_free() - close a stream's channels and revoke both pages.
 * @s: the stream; fine if it has no transport.
 */
void fe_transport_free(struct vsndfe_stream *s)
{
	struct vsndfe_card *card = s->card;

	if (!s->has_transport)
		return;
	s->req_h = xenif_evtchn_close(s->req_h);
	s->evt_h = xenif_evtchn_close(s->evt_h);
	if (s->evt_page)
		xenif_gnt_unshare(card->x, s->evt_page, 1);
	if (s->sring)
		xenif_gnt_unshare(card->x, s->sring, 1);
	s->evt_page = NULL;
	s->sring = NULL;
	memset(&s->ring, 0, sizeof(s->ring));
	s->req_port = s->evt_port = 0;
	s->ring_ref = s->evt_ref = 0;
	s->has_transport = false;
}

static int tx_write_u32(struct vsndfe_card *card, xenif_tx_t tx, const struct vsndfe_stream *s,
			const char *key, uint32_t value)
{
	char path[320], v[16];

	snprintf(path, sizeof(path), "%s/%u/%u/%s", card->fe_path, s->pcm, s->stream, key);
	snprintf(v, sizeof(v), "%u", value);
	return xenif_xs_write(card->x, tx, path, v, strlen(v));
}

static int publish_once(struct vsndfe_card *card, bool version2)
{
	xenif_tx_t tx;
	int r = 0;

	r = xenif_xs_transaction_start(card->x, &tx);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < card->n_streams && r >= 0; i++) {
		const struct vsndfe_stream *s = &card->streams[i];

		r = tx_write_u32(card, tx, s, "ring-ref", s->ring_ref);
		if (r >= 0)
			r = tx_write_u32(card, tx, s, "event-channel", s->req_port);
		if (r >= 0)
			r = tx_write_u32(card, tx, s, "evt-ring-ref", s->evt_ref);
		if (r >= 0)
			r = tx_write_u32(card, tx, s, "evt-event-channel", s->evt_port);
	}
	if (r >= 0 && version2) {
		char path[300];

		snprintf(path, sizeof(path), "%s/version", card->fe_path);
		r = xenif_xs_write(card->x, tx, path, "2", 1);
	}
	if (r < 0) {
		xenif_xs_transaction_end(card->x, tx, true);
		return r;
	}
	return xenif_xs_transaction_end(card->x, tx, false);
}

/**
 * fe_transport_publish() - write every stream's transport nodes.
 * @card: the card, each stream with its transport allocated.
 * @version2: also write `version` = 2 (the backend's `versions` has 2).
 *
 * All four nodes of every stream (and `version`) go in one transaction, as
 * Linux writes them, so the backend never sees half a card; a transaction
 * that conflicts is started again.
 *
 * Return: 0 or a negative errno.
 */
int fe_transport_publish(struct vsndfe_card *card, bool version2)
{
	int r = -EAGAIN;

	for (int i = 0; i < PUBLISH_RETRIES && r == -EAGAIN; i++)
		r = publish_once(card, version2);
	return r;
}

/* Take the channel's pending notifications and unmask it again; events
 * that arrive later make the fd readable anew. */
static void channel_ack(struct xenif_evtchn *h)
{
	int port;

	while ((port = xenif_evtchn_pending(h)) > 0)
		xenif_evtchn_unmask(h, (uint32_t)port);
}

/*
 * Consume what the backend produced. Return 1 with *@ret filled when the
 * response to (@id, @op) was found, 0 when it has not come yet, -EPROTO.
 * Responses with another id are late answers to requests that timed out:
 * consumed and dropped, as Linux does. With @ret NULL nothing is awaited
 * and every response is such a late one.
 */
static int consume_responses(struct vsndfe_stream *s, uint16_t id, uint8_t op,
			     struct xensnd_resp *ret)
{
	struct xen_sndif_front_ring *ring = &s->ring;
	RING_IDX prod, i;
	int more;

	do {
		prod = ring->sring->rsp_prod;
		xen_rmb(); /* read the responses only after the index */
		if (RING_RESPONSE_PROD_OVERFLOW(ring, prod) ||
		    prod - ring->rsp_cons > ring->req_prod_pvt - ring->rsp_cons)
			return fe_broken(s->card, s, "response producer %u overflows (consumer %u, "
				       "requests %u)", prod, ring->rsp_cons, ring->req_prod_pvt);
		for (i = ring->rsp_cons; i != prod; i++) {
			struct xensnd_resp rsp;

			memcpy(&rsp, RING_GET_RESPONSE(ring, i), sizeof(rsp));
			ring->rsp_cons = i + 1;
			if (!ret || rsp.id != id) {
				fe_log(s->card, VSNDFE_LOG_DEBUG, "pcm%u/s%u: dropping response "
				       "id %u (waiting for %u)", s->pcm, s->stream, rsp.id, id);
				continue;
			}
			if (rsp.operation != op)
				return fe_broken(s->card, s, "response %u is for %s, not %s", id,
						 vsnd_op_to_string(rsp.operation),
						 vsnd_op_to_string(op));
			*ret = rsp;
			return 1;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(ring, more);
	} while (more);
	return 0;
}

static int push_request(struct vsndfe_stream *s, const struct xensnd_req *req, uint16_t id)
{
	struct xensnd_req *slot;
	int notify;

	/* One request is outstanding at a time; only a backend that keeps
	 * silent lets the timed-out ones pile up until the ring is full. */
	if (RING_FULL(&s->ring))
		return -EBUSY;
	slot = RING_GET_REQUEST(&s->ring, s->ring.req_prod_pvt);
	memset(slot, 0, sizeof(*slot));
	slot->id = id;
	slot->operation = req->operation;
	memcpy(&slot->op, &req->op, sizeof(slot->op));
	s->ring.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&s->ring, notify);
	if (notify)
		return xenif_evtchn_notify(s->req_h, s->req_port);
	return 0;
}

static int wait_channel(struct xenif_evtchn *h, uint64_t deadline)
{
	struct pollfd pfd = { .fd = xenif_evtchn_fd(h), .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, ms_left(deadline));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r;
}

static int check_status(struct vsndfe_stream *s, const struct xensnd_resp *rsp)
{
	int err = vsnd_errno_from_status(rsp->status);

	s->stats.last_status = rsp->status;
	s->stats.requests++;
	if (err == -EPROTO)
		return fe_broken(s->card, s, "status %d for %s", rsp->status,
				 vsnd_op_to_string(rsp->operation));
	if (err < 0)
		fe_log(s->card, VSNDFE_LOG_DEBUG, "pcm%u/s%u: %s: %s", s->pcm, s->stream,
		       vsnd_op_to_string(rsp->operation), vsnd_errno_to_name(err));
	return err;
}

/**
 * fe_request() - send one request and wait for its response.
 * @s: the stream.
 * @req: operation and payload; id and reserved fields are ignored.
 * @ret: receives the response (status already checked), may be NULL.
 *
 * Return: 0; the backend's status as a negative errno; -ENOTCONN;
 * -ETIMEDOUT; -EBUSY when the ring is full of unanswered requests; -EPROTO.
 */
int fe_request(struct vsndfe_stream *s, const struct xensnd_req *req, struct xensnd_resp *ret)
{
	struct vsndfe_card *card = s->card;
	uint64_t deadline = now_ms() + card->timeout_ms;
	struct xensnd_resp rsp;
	uint16_t id = s->next_req_id++;
	int r;

	if (card->broken)
		return -EPROTO;
	if (!card->connected || !s->has_transport)
		return -ENOTCONN;
	/* Late answers already queued are dropped before the new request. */
	r = consume_responses(s, 0, 0, NULL);
	if (r < 0)
		return r;
	r = push_request(s, req, id);
	if (r < 0)
		return r;
	for (;;) {
		r = consume_responses(s, id, req->operation, &rsp);
		if (r < 0)
			return r;
		if (r > 0)
			break;
		r = wait_channel(s->req_h, deadline);
		if (r < 0)
			return r;
		if (r == 0) {
			fe_log(card, VSNDFE_LOG_WARN, "pcm%u/s%u: no answer to %s in %u ms",
			       s->pcm, s->stream, vsnd_op_to_string(req->operation),
			       card->timeout_ms);
			return -ETIMEDOUT;
		}
		channel_ack(s->req_h);
	}
	r = check_status(s, &rsp);
	if (r == 0 && ret)
		*ret = rsp;
	return r;
}

/*
 * Count the period wakeups Linux would give for an event at @pos (protocol.md
 * 4.8): its accumulator is 32 bits wide and fires only when it exceeds a
 * whole period, keeping the remainder.
 */
static void count_period(struct vsndfe_stream *s, uint64_t pos)
{
	uint32_t frame, period;
	uint64_t frames;

	if (!s->open || vsnd_frame_bytes(s->params.format, s->params.channels, &frame) < 0)
		return;
	period = s->params.period_bytes / frame;
	if (!period)
		return;
	frames = pos / frame;
	s->period_acc += (uint32_t)(frames - s->period_last_frames);
	s->period_last_frames = frames;
	if (s->period_acc > period) {
		s->period_acc %= period;
		s->stats.periods_elapsed++;
	}
}

/* Check one event against the lockstep id and the position rules. */
static int take_event(struct vsndfe_stream *s, const struct xensnd_evt *evt)
{
	uint64_t pos;

	if (evt->id != s->evt_id)
		return fe_broken(s->card, s, "event id %u, expected %u", evt->id, s->evt_id);
	s->evt_id++;
	if (evt->type != XENSND_EVT_CUR_POS)
		return 0;
	pos = evt->op.cur_pos.position;
	if (pos >= POSITION_MAX || pos < s->stats.position_bytes)
		return fe_broken(s->card, s, "position %llu after %llu",
				 (unsigned long long)pos,
				 (unsigned long long)s->stats.position_bytes);
	s->stats.position_bytes = pos;
	s->stats.events++;
	count_period(s, pos);
	return 1;
}

int vsndfe_stream_process_events(struct vsndfe_stream *s)
{
	struct xensnd_event_page *page;
	uint32_t prod, cons;
	int n = 0, r;

	if (!s)
		return -EINVAL;
	if (s->card->broken)
		return -EPROTO;
	if (!s->card->connected || !s->has_transport)
		return -ENOTCONN;
	channel_ack(s->evt_h);
	page = s->evt_page;
	prod = __atomic_load_n(&page->in_prod, __ATOMIC_RELAXED);
	xen_rmb(); /* read the slots only after the index */
	if (prod - s->in_cons > XENSND_IN_RING_LEN)
		return fe_broken(s->card, s, "event producer %u is more than %u ahead of %u", prod,
				 (unsigned int)XENSND_IN_RING_LEN, s->in_cons);
	for (cons = s->in_cons; cons != prod; cons++) {
		struct xensnd_evt evt;

		memcpy(&evt, &XENSND_IN_RING_REF(page, cons), sizeof(evt));
		r = take_event(s, &evt);
		if (r < 0)
			return r;
		n += r;
	}
	s->in_cons = cons;
	xen_mb(); /* the slots are read before the backend may reuse them */
	__atomic_store_n(&page->in_cons, cons, __ATOMIC_RELAXED);
	xen_mb();
	return n;
}

int vsndfe_stream_evt_fd(struct vsndfe_stream *s)
{
	if (!s || !s->has_transport)
		return -ENOTCONN;
	return xenif_evtchn_fd(s->evt_h);
}
