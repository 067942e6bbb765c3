/* SPDX-License-Identifier: MIT */
/*
 * ring.h - vsndbe's side of a stream's two shared pages: the consumer of
 * the request ring and the producer of the event page (protocol.md 3.1,
 * 3.12; security.md 5.1, rule 51).
 *
 * Both pages belong to the guest, which may rewrite any byte of them at any
 * time. The consumer reads the guest's producer index once per pass, checks
 * it, copies each request out of its slot exactly once and hands only the
 * copy on; it writes nothing but the response slot, rsp_prod and req_event.
 * The event producer trusts only its private in_prod, reads the guest's
 * in_cons once per event and writes nothing but one slot and in_prod.
 * Neither decodes anything: the request handler (the stream layer) does,
 * with libvsnd.
 *
 * Lifetime: the caller maps the pages (connection set-up) and unmaps them
 * after its last call here; these structs borrow them and free nothing.
 * Both are driven from one thread, the worker's loop.
 */
#ifndef VSND_BACKEND_RING_H
#define VSND_BACKEND_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "vsnd/wire.h"

/*
 * Requests handled per sndbe_ring_service() call unless told otherwise: one
 * full ring. A guest that keeps its ring full then gets one ring's worth of
 * work before the loop turns to other streams (rule 9).
 */
#define SNDBE_RING_BUDGET_DEFAULT 32u

struct sndbe_ring_ops {
	/*
	 * Build the response to one request. @req is the ring's private copy
	 * (never shared memory); @rsp is a private, zeroed response with id
	 * and operation already echoed. The ring echoes them again after the
	 * call, so a handler cannot break REQ-8 (one response per request,
	 * same id and operation). Typically vsnd_req_decode() then
	 * vsnd_resp_init(). Must not call back into the ring.
	 */
	void (*handle)(void *userdata, const struct xensnd_req *req, struct xensnd_resp *rsp);
	/* Notify the guest's `event-channel`; 0 or a negative errno. */
	int (*notify)(void *userdata);
};

/* The consumer of one request ring. Fields are private to ring.c. */
struct sndbe_ring {
	struct xen_sndif_back_ring back;
	const struct sndbe_ring_ops *ops;
	void *userdata;
	unsigned int budget;
	bool broken;
};

/**
 * sndbe_ring_init() - start consuming a mapped request ring.
 * @r: the consumer.
 * @sring: the mapped `ring-ref` page (4096 octets), shared with the guest.
 * @start: the index both sides start from: 0 on a fresh connection (the
 *	frontend's SHARED_RING_INIT); tests start near 2^32.
 * @budget: requests per sndbe_ring_service() call; 0 for
 *	SNDBE_RING_BUDGET_DEFAULT.
 * @ops: the handler and the notifier; both required, borrowed.
 * @userdata: passed to @ops.
 *
 * Nothing is written to @sring: its header is the frontend's to initialise.
 * Return: 0, or -EINVAL for a missing argument.
 */
int sndbe_ring_init(struct sndbe_ring *r, struct xen_sndif_sring *sring, RING_IDX start,
		    unsigned int budget, const struct sndbe_ring_ops *ops, void *userdata);

/**
 * sndbe_ring_service() - answer what the guest has queued, within budget.
 * @r: the consumer.
 *
 * Call it on every event of the ring's port, spurious ones included. Each
 * pass reads req_prod once, checks it (RING_REQUEST_PROD_OVERFLOW), then
 * copies, handles and answers requests in order; responses are pushed with
 * RING_PUSH_RESPONSES_AND_CHECK_NOTIFY and the guest is notified at most
 * once per call, when the hold-off says so. Before returning 0 it re-arms
 * req_event with RING_FINAL_CHECK_FOR_REQUESTS, and runs another pass if a
 * request slipped in meanwhile, so that no wakeup is lost.
 *
 * Return: 0 when the ring is empty and armed (sleep until the next event);
 * 1 when the budget ran out with requests left (yield, then call again
 * without waiting for an event); -EPROTO when the guest's req_prod is
 * impossible: nothing more is consumed, now or in any later call, and the
 * caller marks the device broken (responses answered before it stay
 * pushed and notified); the notifier's error when it fails, the responses
 * being pushed regardless.
 */
int sndbe_ring_service(struct sndbe_ring *r);

/* The producer of one event page. Fields are private to ring.c. */
struct sndbe_evtq {
	struct xensnd_event_page *page;
	int (*notify)(void *userdata);
	void *userdata;
	uint32_t in_prod;	/* ours; the page's copy is never read back */
	uint16_t next_id;	/* the id of the next event enqueued */
};

/**
 * sndbe_evtq_init() - start producing into a mapped event page.
 * @q: the producer.
 * @page: the mapped `evt-ring-ref` page (4096 octets), shared with the guest.
 * @start: the initial in_prod: 0 on a fresh connection; tests start near
 *	2^32. It is written to the page.
 * @notify: notifies the guest's `evt-event-channel`; required.
 * @userdata: passed to @notify.
 *
 * Event ids start at 0: one struct sndbe_evtq lives exactly as long as one
 * connection's event page, which is the id counter's lifetime in Linux's
 * frontend (protocol.md 3.12). OPEN, CLOSE and triggers never reset it.
 * Return: 0, or -EINVAL for a missing argument.
 */
int sndbe_evtq_init(struct sndbe_evtq *q, struct xensnd_event_page *page, uint32_t start,
		    int (*notify)(void *userdata), void *userdata);

/**
 * sndbe_evtq_cur_pos() - enqueue a CUR_POS event and notify the guest.
 * @q: the producer.
 * @position: octets played or captured since OPEN.
 *
 * The event gets the next id, and only an enqueued event uses one, so ids
 * are 0, 1, 2, ... (mod 2^16) with no gap and no repeat whatever the guest
 * does to the page. When the page has no free slot, or its in_cons is
 * nonsense (more than 63 events behind ours, or ahead of ours), the event
 * is dropped: nothing is written and the id stays for the next event.
 *
 * Return: 0 when enqueued; -ENOSPC when dropped (the caller coalesces: the
 * next position supersedes this one); the notifier's error when it fails,
 * the event being enqueued regardless.
 */
int sndbe_evtq_cur_pos(struct sndbe_evtq *q, uint64_t position);

/**
 * sndbe_evtq_next_id() - the id the next enqueued event will carry.
 * @q: the producer.
 */
uint16_t sndbe_evtq_next_id(const struct sndbe_evtq *q);

#endif /* VSND_BACKEND_RING_H */
