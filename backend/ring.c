// SPDX-License-Identifier: MIT
/*
 * The request-ring consumer and the event-page producer of a stream
 * (ring.h), written against a guest that rewrites the shared pages while we
 * look at them (security.md 5.1, style.md 5.9).
 *
 * Consumer: each pass loads req_prod once, orders the slot reads after that
 * load, and refuses an index that claims more requests than the ring holds
 * (it also catches an index that went backwards: the unsigned distance is
 * then huge). Slots are copied once with RING_COPY_REQUEST; the response is
 * built in a private struct and stored into its slot with one memcpy, so
 * the guest never sees a half-built response and we never read a slot
 * twice. A pass is bounded by the validated req_prod and the budget; a
 * guest that flips req_prod to keep the final check answering "more"
 * without publishing anything is charged one unit of budget per empty pass,
 * so the call still ends.
 *
 * Producer: in_prod is ours and never read back from the page. in_cons is
 * the guest's: loaded once, and the only arithmetic done with it is the
 * unsigned distance in_prod - in_cons, compared with the slot count. The
 * slot written is always in_prod % 63, in bounds whatever the guest wrote.
 *
 * Barriers (wire.h's xen_rmb/xen_wmb/xen_mb):
 *   consumer: load req_prod, rmb, load slots (RING_PUSH_* and
 *   RING_FINAL_CHECK_* bring their own wmb/mb);
 *   producer: load in_cons, rmb (the load is done before the slot it frees
 *   is overwritten), store slot, wmb, store in_prod, wmb, notify.
 */
#include <errno.h>
#include <string.h>

#include "ring.h"
#include "vsnd/request.h"

/* One load or store of a shared field, never repeated or split by the
 * compiler: the guest may change it between two reads. */
#define READ_SHARED(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_SHARED(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

int sndbe_ring_init(struct sndbe_ring *r, struct xen_sndif_sring *sring, RING_IDX start,
		    unsigned int budget, const struct sndbe_ring_ops *ops, void *userdata)
{
	if (!r || !sring || !ops || !ops->handle || !ops->notify)
		return -EINVAL;
	*r = (struct sndbe_ring){
		.ops = ops,
		.userdata = userdata,
		.budget = budget ? budget : SNDBE_RING_BUDGET_DEFAULT,
	};
	/* Private indices only: the shared header is the frontend's. */
	BACK_RING_ATTACH(&r->back, sring, start, VSND_PAGE_SIZE);
	return 0;
}

/* Copy out, handle and answer the request at req_cons. */
static void answer_one(struct sndbe_ring *r)
{
	struct xensnd_req req;
	struct xensnd_resp rsp;

	RING_COPY_REQUEST(&r->back, r->back.req_cons, &req);
	r->back.req_cons++;

	/* From here on only the copy is looked at. */
	memset(&rsp, 0, sizeof(rsp));
	rsp.id = req.id;
	rsp.operation = req.operation;
	r->ops->handle(r->userdata, &req, &rsp);
	/* REQ-8 does not depend on the handler getting it right. */
	rsp.id = req.id;
	rsp.operation = req.operation;
	rsp.reserved = 0;

	memcpy(RING_GET_RESPONSE(&r->back, r->back.rsp_prod_pvt), &rsp, sizeof(rsp));
	r->back.rsp_prod_pvt++;
}

/*
 * One pass over what the guest has published, at most *left requests.
 * Return: 0, or -EPROTO for an impossible req_prod (nothing consumed).
 */
static int consume_pass(struct sndbe_ring *r, unsigned int *left)
{
	RING_IDX rp = READ_SHARED(r->back.sring->req_prod);
	unsigned int done = 0;

	/* The slots must not be read before the index that published them. */
	xen_rmb();
	if (RING_REQUEST_PROD_OVERFLOW(&r->back, rp)) {
		r->broken = true;
		return -EPROTO;
	}

	/* rp is at most RING_SIZE ahead: the loop is bounded by it too. */
	while (done < *left && r->back.req_cons != rp) {
		if (RING_REQUEST_CONS_OVERFLOW(&r->back, r->back.req_cons))
			break;
		answer_one(r);
		done++;
	}

	/* An empty pass still costs one unit, so that passes are bounded. */
	*left -= done ? done : 1;
	return 0;
}

/* Publish this pass's responses; remember whether the hold-off asks for an
 * event. */
static void push_responses(struct sndbe_ring *r, RING_IDX before, bool *notify)
{
	int n;

	if (r->back.rsp_prod_pvt == before)
		return;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&r->back, n);
	if (n)
		*notify = true;
}

int sndbe_ring_service(struct sndbe_ring *r)
{
	unsigned int left = r->budget;
	bool notify = false;
	int ret;

	if (r->broken)
		return -EPROTO;

	for (;;) {
		RING_IDX before = r->back.rsp_prod_pvt;
		int more;

		ret = consume_pass(r, &left);
		push_responses(r, before, &notify);
		if (ret < 0)
			break;
		/* Re-arm req_event, then look once more: a request pushed
		 * just before the re-arm sent no event. */
		RING_FINAL_CHECK_FOR_REQUESTS(&r->back, more);
		if (!more)
			break;
		if (left == 0) {
			ret = 1;
			break;
		}
	}

	/* One event for every response of this call, if any is due. */
	if (notify) {
		int n = r->ops->notify(r->userdata);

		if (n < 0 && ret >= 0)
			ret = n;
	}
	return ret;
}

int sndbe_evtq_init(struct sndbe_evtq *q, struct xensnd_event_page *page, uint32_t start,
		    int (*notify)(void *userdata), void *userdata)
{
	if (!q || !page || !notify)
		return -EINVAL;
	*q = (struct sndbe_evtq){
		.page = page,
		.notify = notify,
		.userdata = userdata,
		.in_prod = start,
	};
	WRITE_SHARED(page->in_prod, start);
	return 0;
}

int sndbe_evtq_cur_pos(struct sndbe_evtq *q, uint64_t position)
{
	uint32_t prod = q->in_prod, cons;
	struct xensnd_evt evt;

	cons = READ_SHARED(q->page->in_cons);
	/* Loads before later stores: the guest must have finished with a
	 * slot (its in_cons says so) before we overwrite it. */
	xen_rmb();
	/* Full (63 outstanding) or nonsense (more than 63, or in_cons ahead
	 * of in_prod, which wraps to a huge distance): drop, keep the id. */
	if (prod - cons >= VSND_EVT_RING_SLOTS)
		return -ENOSPC;

	vsnd_evt_cur_pos_init(&evt, q->next_id, position);
	memcpy(&XENSND_IN_RING_REF(q->page, prod), &evt, sizeof(evt));
	/* The guest must see the slot before the index that publishes it. */
	xen_wmb();
	q->in_prod = prod + 1;
	WRITE_SHARED(q->page->in_prod, q->in_prod);
	q->next_id++;
	/* ... and the index before the event that makes it look. */
	xen_wmb();
	return q->notify(q->userdata);
}

uint16_t sndbe_evtq_next_id(const struct sndbe_evtq *q)
{
	return q->next_id;
}
