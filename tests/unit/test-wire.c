// SPDX-License-Identifier: MIT
/*
 * The wire header: the ring macros of <xen/io/ring.h> link and work with the
 * barriers vsnd/wire.h defines, including across the 2^32 index wrap, and
 * the sizes the protocol fixes hold at run time too.
 */
#include <stdlib.h>

#include "vtest.h"
#include "vsnd/wire.h"

struct ring_pair {
	struct xen_sndif_sring *sring;
	struct xen_sndif_front_ring front;
	struct xen_sndif_back_ring back;
};

static void ring_pair_init(struct ring_pair *p, RING_IDX start)
{
	p->sring = aligned_alloc(VSND_PAGE_SIZE, VSND_PAGE_SIZE);
	ASSERT_NOT_NULL(p->sring);
	memset(p->sring, 0, VSND_PAGE_SIZE);
	SHARED_RING_INIT(p->sring);
	/* Start both sides just below the wrap, as a long-lived ring would be. */
	p->sring->req_prod = p->sring->rsp_prod = start;
	p->sring->req_event = p->sring->rsp_event = start + 1;
	FRONT_RING_ATTACH(&p->front, p->sring, start, VSND_PAGE_SIZE);
	BACK_RING_ATTACH(&p->back, p->sring, start, VSND_PAGE_SIZE);
}

TEST(ring_sizes)
{
	struct ring_pair p;

	ring_pair_init(&p, 0);
	ASSERT_EQ(RING_SIZE(&p.front), 32);
	ASSERT_EQ(RING_SIZE(&p.back), 32);
	ASSERT_EQ(sizeof(p.sring->ring[0]), 64);
	ASSERT_EQ((char *)&p.sring->ring[0] - (char *)p.sring, 64);
	ASSERT_EQ(XENSND_IN_RING_LEN, 63);
	free(p.sring);
}

/* One request round trip through the macros a backend and a frontend use. */
static void round_trip(struct ring_pair *p, uint16_t id)
{
	struct xensnd_req *slot, copy;
	struct xensnd_resp *rsp;
	int notify, more;

	slot = RING_GET_REQUEST(&p->front, p->front.req_prod_pvt);
	memset(slot, 0, sizeof(*slot));
	slot->id = id;
	slot->operation = XENSND_OP_TRIGGER;
	p->front.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p->front, notify);
	ASSERT_TRUE(notify);

	ASSERT_FALSE(RING_REQUEST_PROD_OVERFLOW(&p->back, p->sring->req_prod));
	ASSERT_TRUE(RING_HAS_UNCONSUMED_REQUESTS(&p->back));
	RING_COPY_REQUEST(&p->back, p->back.req_cons, &copy);
	p->back.req_cons++;
	ASSERT_EQ(copy.id, id);

	rsp = RING_GET_RESPONSE(&p->back, p->back.rsp_prod_pvt);
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = copy.id;
	rsp->operation = copy.operation;
	p->back.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&p->back, notify);
	RING_FINAL_CHECK_FOR_REQUESTS(&p->back, more);
	ASSERT_FALSE(more);

	ASSERT_FALSE(RING_RESPONSE_PROD_OVERFLOW(&p->front, p->sring->rsp_prod));
	ASSERT_TRUE(RING_HAS_UNCONSUMED_RESPONSES(&p->front));
	ASSERT_EQ(RING_GET_RESPONSE(&p->front, p->front.rsp_cons)->id, id);
	p->front.rsp_cons++;
	RING_FINAL_CHECK_FOR_RESPONSES(&p->front, more);
	ASSERT_FALSE(more);
}

TEST(ring_round_trips_across_wrap)
{
	struct ring_pair p;

	ring_pair_init(&p, 0xffffffe0u);
	for (unsigned int i = 0; i < 100; i++)
		round_trip(&p, (uint16_t)i);
	/* The indices wrapped through 0 and the ring still balances. */
	ASSERT_EQ_U(p.sring->req_prod, (RING_IDX)(0xffffffe0u + 100));
	ASSERT_EQ_U(p.back.req_cons, p.sring->req_prod);
	free(p.sring);
}

TEST(ring_producer_overflow_detected)
{
	struct ring_pair p;

	ring_pair_init(&p, 0xfffffff0u);
	/* A guest claiming more than RING_SIZE unanswered requests. */
	p.sring->req_prod = p.back.rsp_prod_pvt + 33;
	ASSERT_TRUE(RING_REQUEST_PROD_OVERFLOW(&p.back, p.sring->req_prod));
	p.sring->req_prod = p.back.rsp_prod_pvt + 32;
	ASSERT_FALSE(RING_REQUEST_PROD_OVERFLOW(&p.back, p.sring->req_prod));
	/* req_prod behind the consumer is an overflow by unsigned distance. */
	p.sring->req_prod = p.back.rsp_prod_pvt - 1;
	ASSERT_TRUE(RING_REQUEST_PROD_OVERFLOW(&p.back, p.sring->req_prod));
	/* And a backend that claims too many responses, from the front. */
	p.sring->rsp_prod = p.front.rsp_cons + 33;
	ASSERT_TRUE(RING_RESPONSE_PROD_OVERFLOW(&p.front, p.sring->rsp_prod));
	free(p.sring);
}

TEST(ring_cons_overflow_stops_consumer)
{
	struct ring_pair p;

	ring_pair_init(&p, 0);
	/* 32 requests consumed, none answered: the 33rd may not be consumed. */
	p.back.req_cons = 32;
	ASSERT_TRUE(RING_REQUEST_CONS_OVERFLOW(&p.back, p.back.req_cons));
	p.back.req_cons = 31;
	ASSERT_FALSE(RING_REQUEST_CONS_OVERFLOW(&p.back, p.back.req_cons));
	free(p.sring);
}

TEST(event_page_index_modulo_63)
{
	static uint8_t page[XENSND_EVENT_PAGE_SIZE];
	struct xensnd_evt *first = XENSND_IN_RING(page);

	ASSERT_EQ((uint8_t *)first - page, 64);
	ASSERT_TRUE(&XENSND_IN_RING_REF(page, 62) == &first[62]);
	ASSERT_TRUE(&XENSND_IN_RING_REF(page, 63) == &first[0]);
	/* 2^32 mod 63 = 4: the slot index jumps at the counter wrap. */
	ASSERT_TRUE(&XENSND_IN_RING_REF(page, 0xffffffffu) == &first[3]);
	ASSERT_TRUE(&XENSND_IN_RING_REF(page, (uint32_t)(0xffffffffu + 1u)) == &first[0]);
	/* The last slot ends exactly at the page end. */
	ASSERT_EQ((uint8_t *)&first[63] - page, XENSND_EVENT_PAGE_SIZE - 64 + 64);
}
