// SPDX-License-Identifier: MIT
/*
 * The request-ring consumer and the event-page producer (backend/ring.c)
 * against a frontend played by the test on plain page-aligned memory: round
 * trips, the notification hold-off, the budget, the final check, producer
 * overflow, index wrap-around, a double-fetch oracle, and that nothing
 * outside the response slots and indices is ever written (security.md 5.1
 * rules 1-10, rule 51; protocol.md 3.1, 3.12).
 *
 * Barrier order cannot be observed from one thread; what is checked is the
 * order of effects each operation leaves behind (slot and index both
 * visible when the notifier runs). ring.c documents the barriers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "vsnd/wire.h"
#include "vtest.h"

struct rig {
	struct xen_sndif_sring *sring;
	struct xen_sndif_front_ring front;
	struct sndbe_ring ring;
	uint32_t seq;			/* next request's sequence number */
	unsigned int handled;
	unsigned int notified;
	int notify_ret;
	/* Called by the handler before it answers, to play a hostile guest. */
	void (*hook)(struct rig *g, const struct xensnd_req *req);
};

/* The handler answers with status = the sequence number in rw.offset, so
 * every response shows which bytes it was built from. */
static void handle(void *userdata, const struct xensnd_req *req, struct xensnd_resp *rsp)
{
	struct rig *g = userdata;
	const uint8_t *p = (const uint8_t *)req, *page = (const uint8_t *)g->sring;

	/* Rule 1: the handler gets a private copy, never the shared slot. */
	ASSERT_TRUE(p + sizeof(*req) <= page || p >= page + VSND_PAGE_SIZE);
	ASSERT_EQ(rsp->id, req->id);
	ASSERT_EQ(rsp->operation, req->operation);
	g->handled++;
	if (g->hook)
		g->hook(g, req);
	rsp->status = (int32_t)req->op.rw.offset;
}

static int notify(void *userdata)
{
	struct rig *g = userdata;

	g->notified++;
	return g->notify_ret;
}

static const struct sndbe_ring_ops rig_ops = { .handle = handle, .notify = notify };

static void rig_init(struct rig *g, RING_IDX start, unsigned int budget)
{
	memset(g, 0, sizeof(*g));
	g->sring = aligned_alloc(VSND_PAGE_SIZE, VSND_PAGE_SIZE);
	ASSERT_NOT_NULL(g->sring);
	memset(g->sring, 0, VSND_PAGE_SIZE);
	SHARED_RING_INIT(g->sring);
	g->sring->req_prod = g->sring->rsp_prod = start;
	g->sring->req_event = g->sring->rsp_event = start + 1;
	FRONT_RING_ATTACH(&g->front, g->sring, start, VSND_PAGE_SIZE);
	ASSERT_OK(sndbe_ring_init(&g->ring, g->sring, start, budget, &rig_ops, g));
}

static void rig_fini(struct rig *g)
{
	free(g->sring);
}

/* Queue @n requests without publishing them. */
static void front_queue(struct rig *g, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct xensnd_req *req = RING_GET_REQUEST(&g->front, g->front.req_prod_pvt);

		memset(req, 0, sizeof(*req));
		req->id = (uint16_t)(g->seq * 7u);
		req->operation = XENSND_OP_WRITE;
		req->op.rw.offset = g->seq++;
		g->front.req_prod_pvt++;
	}
}

/* Queue and publish @n requests; return whether the backend wants an event. */
static bool front_push(struct rig *g, unsigned int n)
{
	int notify_be;

	front_queue(g, n);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&g->front, notify_be);
	return notify_be;
}

/* Take every published response, checking each against its request;
 * re-arm rsp_event when @arm. Return how many were taken. */
static unsigned int front_take(struct rig *g, bool arm)
{
	unsigned int n = 0;
	int more;

	do {
		RING_IDX rp = g->sring->rsp_prod;

		for (; g->front.rsp_cons != rp; g->front.rsp_cons++, n++) {
			const struct xensnd_resp *rsp =
				RING_GET_RESPONSE(&g->front, g->front.rsp_cons);
			uint32_t seq = g->seq - (g->front.req_prod_pvt - g->front.rsp_cons);

			ASSERT_EQ(rsp->id, (uint16_t)(seq * 7u));
			ASSERT_EQ(rsp->operation, XENSND_OP_WRITE);
			ASSERT_EQ_U((uint32_t)rsp->status, seq);
		}
		if (!arm)
			break;
		RING_FINAL_CHECK_FOR_RESPONSES(&g->front, more);
	} while (more);
	return n;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

TEST(init_rejects_missing_arguments)
{
	static const struct sndbe_ring_ops no_notify = { .handle = handle };
	struct xen_sndif_sring page;
	struct sndbe_ring r;
	struct sndbe_evtq q;

	ASSERT_ERR(sndbe_ring_init(&r, NULL, 0, 0, &rig_ops, NULL), EINVAL);
	ASSERT_ERR(sndbe_ring_init(&r, &page, 0, 0, NULL, NULL), EINVAL);
	ASSERT_ERR(sndbe_ring_init(&r, &page, 0, 0, &no_notify, NULL), EINVAL);
	ASSERT_ERR(sndbe_evtq_init(&q, NULL, 0, notify, NULL), EINVAL);
	ASSERT_ERR(sndbe_evtq_init(&q, (struct xensnd_event_page *)&page, 0, NULL, NULL),
		   EINVAL);
}

TEST(round_trip_echoes_id_and_operation)
{
	struct rig g;

	rig_init(&g, 0, 0);
	ASSERT_TRUE(front_push(&g, 5));
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.handled, 5);
	ASSERT_EQ(g.notified, 1);
	ASSERT_EQ(front_take(&g, true), 5);
	ASSERT_EQ(g.sring->rsp_prod, 5);
	rig_fini(&g);
}

/* Rule 7: whatever the handler leaves there, reserved bytes go out zero
 * and id/operation echo the request. */
static void scribbling_handle(void *userdata, const struct xensnd_req *req,
			      struct xensnd_resp *rsp)
{
	handle(userdata, req, rsp);
	rsp->id = 0xdead;
	rsp->operation = 0xee;
	rsp->reserved = 0xaa;
}

TEST(response_reserved_bytes_zero)
{
	static const struct sndbe_ring_ops ops = { .handle = scribbling_handle,
						   .notify = notify };
	struct rig g;

	rig_init(&g, 0, 0);
	ASSERT_OK(sndbe_ring_init(&g.ring, g.sring, 0, 0, &ops, &g));
	/* Stale bytes in the request slots must not leak into responses. */
	memset(g.sring->ring, 0x5a, sizeof(g.sring->ring[0]) * 32);
	front_push(&g, 32);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	for (unsigned int i = 0; i < 32; i++) {
		const struct xensnd_resp *rsp = &g.sring->ring[i].rsp;

		ASSERT_EQ(rsp->reserved, 0);
		ASSERT_TRUE(all_zero(&rsp->resp, sizeof(rsp->resp)));
	}
	ASSERT_EQ(front_take(&g, true), 32);
	rig_fini(&g);
}

/* Rule 49: one event per call at most, and none while the frontend has
 * not re-armed rsp_event. */
TEST(one_notify_per_batch_and_hold_off)
{
	struct rig g;

	rig_init(&g, 0, 0);
	front_push(&g, 7);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.notified, 1);

	/* The frontend has not looked at the ring: no new event is due. */
	front_push(&g, 3);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.notified, 1);

	ASSERT_EQ(front_take(&g, true), 10);
	front_push(&g, 2);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.notified, 2);
	ASSERT_EQ(front_take(&g, true), 2);
	rig_fini(&g);
}

TEST(notify_error_is_reported_after_push)
{
	struct rig g;

	rig_init(&g, 0, 0);
	g.notify_ret = -EIO;
	front_push(&g, 2);
	ASSERT_ERR(sndbe_ring_service(&g.ring), EIO);
	ASSERT_EQ(g.sring->rsp_prod, 2);
	ASSERT_EQ(front_take(&g, true), 2);
	rig_fini(&g);
}

TEST(spurious_wakeup_finds_nothing)
{
	struct rig g;

	rig_init(&g, 0, 0);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.handled, 0);
	ASSERT_EQ(g.notified, 0);
	ASSERT_EQ(g.sring->rsp_prod, 0);
	ASSERT_EQ(g.sring->req_event, 1);
	rig_fini(&g);
}

/* Rule 9: a budget of 4 answers 4 per call and says when more is left. */
TEST(budget_honoured_and_reported)
{
	struct rig g;

	rig_init(&g, 0, 4);
	front_push(&g, 10);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 1);
	ASSERT_EQ(g.handled, 4);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 1);
	ASSERT_EQ(g.handled, 8);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.handled, 10);
	ASSERT_EQ(front_take(&g, true), 10);

	/* Exactly the budget pending: done in one call, nothing reported. */
	front_push(&g, 4);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.handled, 14);
	rig_fini(&g);
}

/* A guest that queues a new request as fast as each is answered keeps the
 * default budget of 32 per call, no more. */
static void refill_hook(struct rig *g, const struct xensnd_req *req)
{
	(void)req;
	front_take(g, false);
	front_push(g, 1);
}

TEST(default_budget_against_endless_guest)
{
	struct rig g;

	rig_init(&g, 0, 0);
	g.hook = refill_hook;
	front_push(&g, 1);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 1);
	ASSERT_EQ(g.handled, SNDBE_RING_BUDGET_DEFAULT);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 1);
	ASSERT_EQ(g.handled, 2 * SNDBE_RING_BUDGET_DEFAULT);
	rig_fini(&g);
}

/* Rule 10: a request published after the pass read req_prod (here from
 * inside the handler, i.e. "just before sleeping") is found by the final
 * check in the same call; afterwards req_event makes the frontend notify. */
static void push_once_hook(struct rig *g, const struct xensnd_req *req)
{
	if (req->op.rw.offset == 0)
		ASSERT_FALSE(front_push(g, 1));	/* req_event not re-armed yet */
}

TEST(final_check_catches_late_request)
{
	struct rig g;

	rig_init(&g, 0, 0);
	g.hook = push_once_hook;
	front_push(&g, 1);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.handled, 2);
	ASSERT_EQ(g.sring->req_event, 3);
	g.hook = NULL;
	ASSERT_TRUE(front_push(&g, 1));
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(g.handled, 3);
	ASSERT_EQ(front_take(&g, true), 3);
	rig_fini(&g);
}

/* Rules 2-3: an impossible req_prod stops the ring without consuming. */
static void check_overflow(RING_IDX start, RING_IDX bad_prod)
{
	struct rig g;
	uint8_t before[VSND_PAGE_SIZE];

	rig_init(&g, start, 0);
	front_push(&g, 3);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(front_take(&g, true), 3);
	front_queue(&g, 2);
	g.sring->req_prod = bad_prod;
	memcpy(before, g.sring, sizeof(before));
	ASSERT_ERR(sndbe_ring_service(&g.ring), EPROTO);
	ASSERT_EQ(g.handled, 3);
	ASSERT_EQ(g.notified, 1);
	ASSERT_MEMEQ(before, g.sring, sizeof(before));

	/* Broken for good, even once the index looks sane again. */
	g.sring->req_prod = g.front.req_prod_pvt;
	ASSERT_ERR(sndbe_ring_service(&g.ring), EPROTO);
	ASSERT_EQ(g.handled, 3);
	rig_fini(&g);
}

TEST(producer_overflow_is_eproto)
{
	check_overflow(0, 3 + 33);			/* one more than the ring */
	check_overflow(0, 3 + 1000000);
	check_overflow(0, 0xffffffffu);			/* rule 4 */
	check_overflow(0, 2);				/* went backwards */
	check_overflow(0xfffffff0u, 0xfffffff3u + 40);	/* across the wrap */
}

/* Exactly a full ring is not an overflow. */
TEST(full_ring_is_not_overflow)
{
	struct rig g;

	rig_init(&g, 0xffffffe0u, 0);
	front_push(&g, 32);
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);
	ASSERT_EQ(front_take(&g, true), 32);
	ASSERT_EQ(g.sring->rsp_prod, 0);
	rig_fini(&g);
}

/* Rule 4: 10^6 requests in random batches with the indices crossing 2^32. */
TEST_TIMEOUT(index_wrap_over_a_million_requests, 120)
{
	const uint32_t total = 1000000;
	uint32_t done = 0, rnd = 12345;
	struct rig g;

	rig_init(&g, 0u - total / 2, 0);
	while (done < total) {
		unsigned int n;
		int r;

		rnd = rnd * 1103515245u + 12345u;
		n = 1 + (rnd >> 16) % 32;
		if (n > total - done)
			n = total - done;
		front_push(&g, n);
		while ((r = sndbe_ring_service(&g.ring)) == 1)
			;
		ASSERT_EQ(r, 0);
		ASSERT_EQ(front_take(&g, true), n);
		done += n;
	}
	ASSERT_EQ(g.handled, total);
	ASSERT_EQ_U(g.sring->rsp_prod, total / 2);
	ASSERT_EQ_U(g.sring->req_event, total / 2 + 1);
	rig_fini(&g);
}

/*
 * Rule 1, the double-fetch oracle: the guest rewrites each slot (and
 * req_prod) as soon as the backend has copied it. The handler must still
 * see the original bytes, and the response must be built from them; a
 * consumer that re-read the slot would echo the poison.
 */
static void poison_hook(struct rig *g, const struct xensnd_req *req)
{
	uint32_t seq = req->op.rw.offset;
	RING_IDX idx = g->front.req_prod_pvt - (g->seq - seq);
	struct xensnd_req *slot = RING_GET_REQUEST(&g->front, idx);

	ASSERT_EQ(req->id, (uint16_t)(seq * 7u));
	ASSERT_EQ(req->operation, XENSND_OP_WRITE);
	memset(slot, 0xff, sizeof(*slot));
	/* The pass must keep the req_prod it checked. */
	g->sring->req_prod = g->front.req_prod_pvt + 1000;
}

TEST(double_fetch_oracle)
{
	struct rig g;

	rig_init(&g, 0xfffffffau, 0);
	g.hook = poison_hook;
	front_push(&g, 12);
	/* All 12 answered from their copies, then the poisoned req_prod is
	 * caught by the next pass. */
	ASSERT_ERR(sndbe_ring_service(&g.ring), EPROTO);
	ASSERT_EQ(g.handled, 12);
	ASSERT_EQ(g.notified, 1);
	ASSERT_EQ(front_take(&g, false), 12);
	rig_fini(&g);
}

/* Rule 8: between two snapshots only the answered slots, rsp_prod and
 * req_event differ; the rest of the page, past the 32 slots too, is
 * never written. */
TEST(writes_only_response_slots_and_indices)
{
	uint8_t before[VSND_PAGE_SIZE], *after;
	const size_t hdr = offsetof(struct xen_sndif_sring, ring);
	struct rig g;

	rig_init(&g, 27, 0);
	after = (uint8_t *)g.sring;
	memset(after + hdr, 0x3c, VSND_PAGE_SIZE - hdr);
	front_push(&g, 9);		/* slots 27..31 and 0..3 */
	memcpy(before, after, sizeof(before));
	ASSERT_EQ(sndbe_ring_service(&g.ring), 0);

	for (size_t off = 0; off < VSND_PAGE_SIZE; off++) {
		bool may_change = false;

		if (off < hdr) {
			may_change = (off >= offsetof(struct xen_sndif_sring, rsp_prod) &&
				      off < offsetof(struct xen_sndif_sring, rsp_prod) + 4) ||
				     (off >= offsetof(struct xen_sndif_sring, req_event) &&
				      off < offsetof(struct xen_sndif_sring, req_event) + 4);
		} else if (off < hdr + 32 * 64) {
			size_t s = (off - hdr) / 64;

			may_change = s >= 27 || s <= 3;
		}
		if (!may_change && before[off] != after[off])
			vtest_fail(__FILE__, __LINE__, "byte %zu of the ring page written", off);
	}
	ASSERT_EQ(g.sring->rsp_prod, 36);
	ASSERT_EQ(g.sring->req_event, 37);
	ASSERT_EQ(front_take(&g, true), 9);
	rig_fini(&g);
}

/* ---- the event page ---------------------------------------------------- */

struct evt_rig {
	struct xensnd_event_page *page;	/* exactly one page: ASan sees overruns */
	struct sndbe_evtq q;
	unsigned int notified;
	int notify_ret;
};

/* Slot @idx located by hand rather than with XENSND_IN_RING_REF. */
static const struct xensnd_evt *evt_slot(const struct evt_rig *e, uint32_t idx)
{
	return (const struct xensnd_evt *)((const uint8_t *)e->page + 64 + 64 * (idx % 63u));
}

static const struct xensnd_evt *evt_at(const struct evt_rig *e, size_t offset)
{
	return (const struct xensnd_evt *)((const uint8_t *)e->page + offset);
}

static int evt_notify(void *userdata)
{
	struct evt_rig *e = userdata;
	uint32_t prod = e->page->in_prod;

	/* When the guest is told, the new index and its slot are visible. */
	ASSERT_EQ_U(prod, e->q.in_prod);
	ASSERT_EQ(evt_slot(e, prod - 1)->id, (uint16_t)(sndbe_evtq_next_id(&e->q) - 1));
	e->notified++;
	return e->notify_ret;
}

static void evt_init(struct evt_rig *e, uint32_t start)
{
	memset(e, 0, sizeof(*e));
	e->page = aligned_alloc(VSND_PAGE_SIZE, VSND_PAGE_SIZE);
	ASSERT_NOT_NULL(e->page);
	memset(e->page, 0, VSND_PAGE_SIZE);
	e->page->in_cons = start;
	ASSERT_OK(sndbe_evtq_init(&e->q, e->page, start, evt_notify, e));
	ASSERT_EQ_U(e->page->in_prod, start);
	ASSERT_EQ(sndbe_evtq_next_id(&e->q), 0);
}

static void evt_fini(struct evt_rig *e)
{
	free(e->page);
}

static void check_event(const struct evt_rig *e, uint32_t idx, uint16_t id, uint64_t pos)
{
	const struct xensnd_evt *ev = evt_slot(e, idx);

	ASSERT_EQ(ev->id, id);
	ASSERT_EQ(ev->type, XENSND_EVT_CUR_POS);
	ASSERT_EQ_U(ev->op.cur_pos.position, pos);
	/* Rule 7: reserved bytes zero, before and after the position. */
	ASSERT_TRUE(all_zero(ev->reserved, sizeof(ev->reserved)));
	ASSERT_TRUE(all_zero((const uint8_t *)ev + 16, 48));
}

TEST(event_ids_slots_and_reserved_bytes)
{
	struct evt_rig e;

	evt_init(&e, 0);
	memset((uint8_t *)e.page + 64, 0xa5, VSND_PAGE_SIZE - 64);
	for (uint32_t i = 0; i < 3; i++)
		ASSERT_OK(sndbe_evtq_cur_pos(&e.q, 1000u * i + 7));
	for (uint32_t i = 0; i < 3; i++)
		check_event(&e, i, (uint16_t)i, 1000u * i + 7);
	ASSERT_EQ_U(e.page->in_prod, 3);
	ASSERT_EQ(e.notified, 3);
	ASSERT_EQ(sndbe_evtq_next_id(&e.q), 3);
	evt_fini(&e);
}

/* 63 slots: the 64th outstanding event is dropped and keeps its id. */
TEST(event_page_full_at_63)
{
	uint8_t before[VSND_PAGE_SIZE];
	struct evt_rig e;

	evt_init(&e, 0);
	for (uint32_t i = 0; i < 63; i++)
		ASSERT_OK(sndbe_evtq_cur_pos(&e.q, i));
	memcpy(before, e.page, sizeof(before));
	ASSERT_ERR(sndbe_evtq_cur_pos(&e.q, 999), ENOSPC);
	ASSERT_MEMEQ(before, e.page, sizeof(before));
	ASSERT_EQ(sndbe_evtq_next_id(&e.q), 63);
	ASSERT_EQ(e.notified, 63);

	e.page->in_cons = 1;
	ASSERT_OK(sndbe_evtq_cur_pos(&e.q, 1000));
	check_event(&e, 63, 63, 1000);		/* slot 0 again */
	ASSERT_EQ_U(e.page->in_prod, 64);
	evt_fini(&e);
}

/* Modulo 63, never masked: across 2^32 the slot index jumps from 3
 * ((2^32 - 1) mod 63) to 0, as the frontend computes it too. */
TEST(event_modulo_indexing_across_wrap)
{
	const uint32_t start = 0u - 70;
	struct evt_rig e;

	evt_init(&e, start);
	for (uint32_t i = 0; i < 140; i++) {
		uint32_t prod = start + i;

		ASSERT_OK(sndbe_evtq_cur_pos(&e.q, i));
		check_event(&e, prod, (uint16_t)i, i);
		/* The two sides of the jump, by fixed offset. */
		if (prod == 0xffffffffu)
			ASSERT_EQ(evt_at(&e, 64 + 3 * 64)->id, i);
		if (prod == 0)
			ASSERT_EQ(evt_at(&e, 64)->id, i);
		e.page->in_cons = prod + 1;	/* the guest keeps up */
	}
	ASSERT_EQ_U(e.page->in_prod, 70);
	evt_fini(&e);
}

/* Rule 51: in_cons far behind or ahead of in_prod drops the event; the
 * page, the id and the notification count stay as they were. */
TEST(event_nonsense_in_cons_drops)
{
	const uint32_t start = 1000;
	const uint32_t bad[] = { 0xffffffffu, start + 1000, start - 1000, start - 64,
				 start - 63, start + 1, 0x80000000u + start };
	uint8_t before[VSND_PAGE_SIZE];
	struct evt_rig e;

	evt_init(&e, start);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.page->in_cons = bad[i];
		memcpy(before, e.page, sizeof(before));
		ASSERT_ERR(sndbe_evtq_cur_pos(&e.q, i), ENOSPC);
		ASSERT_MEMEQ(before, e.page, sizeof(before));
		ASSERT_EQ(sndbe_evtq_next_id(&e.q), 0);
		ASSERT_EQ(e.notified, 0);
	}
	e.page->in_cons = start - 62;
	ASSERT_OK(sndbe_evtq_cur_pos(&e.q, 5));
	check_event(&e, start, 0, 5);

	/* 0xffffffff is one event behind in_prod 0: plausible, accepted. */
	evt_fini(&e);
	evt_init(&e, 0);
	e.page->in_cons = 0xffffffffu;
	ASSERT_OK(sndbe_evtq_cur_pos(&e.q, 6));
	check_event(&e, 0, 0, 6);
	evt_fini(&e);
}

/* Random in_cons (and in_prod scribbles) for many events: each call
 * either writes slot in_prod % 63 and in_prod, or nothing; ids stay
 * gap-free; nothing outside the page is touched (ASan). */
TEST(event_random_guest_never_out_of_bounds)
{
	uint8_t before[VSND_PAGE_SIZE], *after;
	uint32_t rnd = 777, accepted = 0;
	struct evt_rig e;

	evt_init(&e, 0u - 5000);
	after = (uint8_t *)e.page;
	for (int i = 0; i < 20000; i++) {
		uint32_t prod = e.q.in_prod, slot_off;
		int r;

		rnd = rnd * 1103515245u + 12345u;
		switch (rnd >> 30) {
		case 0:
			e.page->in_cons = rnd;			/* anything */
			break;
		case 1:
			e.page->in_cons = prod - (rnd >> 8) % 128;	/* near, behind */
			break;
		case 2:
			e.page->in_cons = prod + (rnd >> 8) % 128;	/* near, ahead */
			break;
		default:
			e.page->in_prod = rnd;			/* not ours to trust */
			e.page->in_cons = prod;
			break;
		}
		memcpy(before, after, sizeof(before));
		r = sndbe_evtq_cur_pos(&e.q, i);
		slot_off = 64 + 64 * (prod % 63);
		for (uint32_t off = 0; off < VSND_PAGE_SIZE; off++) {
			bool mine = r == 0 && ((off >= 4 && off < 8) ||
					       (off >= slot_off && off < slot_off + 64));

			if (!mine && before[off] != after[off])
				vtest_fail(__FILE__, __LINE__, "byte %u written", off);
		}
		if (r == 0) {
			check_event(&e, prod, (uint16_t)accepted, (uint64_t)i);
			ASSERT_EQ_U(e.page->in_prod, prod + 1);
			accepted++;
		} else {
			ASSERT_EQ(r, -ENOSPC);
			ASSERT_EQ_U(e.q.in_prod, prod);
		}
		ASSERT_EQ(sndbe_evtq_next_id(&e.q), (uint16_t)accepted);
	}
	ASSERT_GT(accepted, 1000);
	ASSERT_EQ(e.notified, accepted);
	evt_fini(&e);
}

TEST(event_notify_error_still_enqueued)
{
	struct evt_rig e;

	evt_init(&e, 0);
	e.notify_ret = -EIO;
	ASSERT_ERR(sndbe_evtq_cur_pos(&e.q, 42), EIO);
	check_event(&e, 0, 0, 42);
	ASSERT_EQ_U(e.page->in_prod, 1);
	ASSERT_EQ(sndbe_evtq_next_id(&e.q), 1);
	evt_fini(&e);
}
