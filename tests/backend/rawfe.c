// SPDX-License-Identifier: MIT
/*
 * rawfe.c - a raw sndif frontend for tests (see rawfe.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rawfe.h"
#include "util.h"
#include "vtest.h"

#define STATE_TOKEN "rawfe-be-state"

static void xs_write_u32(struct rawfe *f, const char *dir, const char *key, uint32_t v)
{
	char path[160], val[16];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	snprintf(val, sizeof(val), "%u", v);
	ASSERT_OK(xenif_xs_write(f->x, XENIF_TX_NONE, path, val, strlen(val)));
}

static void stream_setup(struct rawfe *f, struct rawfe_stream *s)
{
	char dir[96];
	void *page;
	int r;

	ASSERT_OK(xenif_gnt_share(f->x, 0, 1, true, &s->ring_ref, &page));
	s->sring = page;
	SHARED_RING_INIT(s->sring);
	FRONT_RING_INIT(&s->ring, s->sring, VSND_PAGE_SIZE);
	ASSERT_OK(xenif_gnt_share(f->x, 0, 1, true, &s->evt_ref, &page));
	s->evt = page;
	r = xenif_evtchn_alloc_unbound(f->h, 0);
	ASSERT_GT(r, 0);
	s->port = (uint32_t)r;
	r = xenif_evtchn_alloc_unbound(f->h, 0);
	ASSERT_GT(r, 0);
	s->evt_port = (uint32_t)r;
	snprintf(dir, sizeof(dir), "%s/%u/%u", f->fe, s->pcm, s->stream);
	xs_write_u32(f, dir, "ring-ref", s->ring_ref);
	xs_write_u32(f, dir, "event-channel", s->port);
	xs_write_u32(f, dir, "evt-ring-ref", s->evt_ref);
	xs_write_u32(f, dir, "evt-event-channel", s->evt_port);
}

void rawfe_set_state(struct rawfe *f, int state)
{
	char dir[80];

	snprintf(dir, sizeof(dir), "%s", f->fe);
	xs_write_u32(f, dir, "state", (uint32_t)state);
}

static int be_state(struct rawfe *f)
{
	_cleanup_free_ char *v = NULL;
	char path[96];
	size_t len;

	snprintf(path, sizeof(path), "%s/state", f->be);
	if (xenif_xs_read(f->x, XENIF_TX_NONE, path, &v, &len) < 0)
		return -1;
	return atoi(v);
}

/* Take one watch event, if any, so the fd does not stay readable. */
static void drain_watch(struct rawfe *f)
{
	char *path = NULL, *token = NULL;

	if (xenif_xs_read_watch(f->x, &path, &token) >= 0) {
		free(path);
		free(token);
	}
}

bool rawfe_wait_be_state(struct rawfe *f, int state, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (be_state(f) != state) {
		if (now_ms() >= end)
			return false;
		if (f->turn) {
			f->turn(f->turn_data, 20);
		} else {
			struct pollfd p = { .fd = xenif_xs_fd(f->x), .events = POLLIN };

			if (poll(&p, 1, 200) > 0)
				drain_watch(f);
		}
	}
	return true;
}

void rawfe_connect(struct rawfe *f, const char *spec, const struct fetree *t, rawfe_turn_fn turn,
		   void *turn_data)
{
	char path[96];

	memset(f, 0, sizeof(*f));
	f->domid = t->guest;
	f->turn = turn;
	f->turn_data = turn_data;
	f->n = t->n_streams;
	snprintf(f->fe, sizeof(f->fe), "/local/domain/%u/device/vsnd/%u", t->guest, t->devid);
	snprintf(f->be, sizeof(f->be), "/local/domain/%u/backend/vsnd/%u/%u", t->backend,
		 t->guest, t->devid);
	ASSERT_OK(xenif_open(spec, t->guest, &f->x));
	ASSERT_OK(xenif_evtchn_open(f->x, &f->h));
	snprintf(path, sizeof(path), "%s/state", f->be);
	ASSERT_OK(xenif_xs_watch(f->x, path, STATE_TOKEN));
	ASSERT_TRUE(rawfe_wait_be_state(f, 2, 20000));
	for (unsigned int i = 0; i < f->n; i++) {
		f->st[i].pcm = t->s[i].pcm;
		f->st[i].stream = t->s[i].stream;
		stream_setup(f, &f->st[i]);
	}
	rawfe_set_state(f, 3);
	ASSERT_TRUE(rawfe_wait_be_state(f, 4, 20000));
	rawfe_set_state(f, 4);
}

void rawfe_close(struct rawfe *f)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/state", f->be);
	xenif_xs_unwatch(f->x, path, STATE_TOKEN);
	for (unsigned int i = 0; i < f->n; i++) {
		xenif_gnt_unshare(f->x, f->st[i].sring, 1);
		xenif_gnt_unshare(f->x, f->st[i].evt, 1);
	}
	f->h = xenif_evtchn_close(f->h);
	f->x = xenif_close(f->x);
}

void rawfe_kick(struct rawfe *f, unsigned int i)
{
	ASSERT_OK(xenif_evtchn_notify(f->h, f->st[i].port));
}

void rawfe_send_many(struct rawfe *f, unsigned int i, const struct xensnd_req *req,
		     unsigned int n)
{
	struct rawfe_stream *s = &f->st[i];
	int notify;

	ASSERT_LE(n, RING_FREE_REQUESTS(&s->ring));
	for (unsigned int k = 0; k < n; k++) {
		struct xensnd_req *slot = RING_GET_REQUEST(&s->ring, s->ring.req_prod_pvt);

		memcpy(slot, req, sizeof(*req));
		slot->id = (uint16_t)(req->id + k);
		s->ring.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&s->ring, notify);
	if (notify)
		rawfe_kick(f, i);
}

void rawfe_send(struct rawfe *f, unsigned int i, const struct xensnd_req *req)
{
	rawfe_send_many(f, i, req, 1);
}

unsigned int rawfe_unconsumed(struct rawfe *f, unsigned int i)
{
	return RING_HAS_UNCONSUMED_RESPONSES(&f->st[i].ring);
}

/* Wait for the event channel (or serve the backend) for up to @ms. */
static void wait_event(struct rawfe *f, int ms)
{
	struct pollfd p = { .fd = xenif_evtchn_fd(f->h), .events = POLLIN };
	int port;

	if (f->turn) {
		f->turn(f->turn_data, ms);
		return;
	}
	if (poll(&p, 1, ms) <= 0)
		return;
	while ((port = xenif_evtchn_pending(f->h)) > 0)
		xenif_evtchn_unmask(f->h, (uint32_t)port);
}

bool rawfe_recv(struct rawfe *f, unsigned int i, struct xensnd_resp *rsp, int ms)
{
	struct rawfe_stream *s = &f->st[i];
	uint64_t end = now_ms() + (uint64_t)ms;

	for (;;) {
		int more;

		/* Sets rsp_event, so the backend notifies the next response. */
		RING_FINAL_CHECK_FOR_RESPONSES(&s->ring, more);
		if (more)
			break;
		if (now_ms() >= end)
			return false;
		wait_event(f, 20);
	}
	xen_rmb();
	memcpy(rsp, RING_GET_RESPONSE(&s->ring, s->ring.rsp_cons), sizeof(*rsp));
	s->ring.rsp_cons++;
	return true;
}

int32_t rawfe_call(struct rawfe *f, unsigned int i, const struct xensnd_req *req, int ms)
{
	struct xensnd_resp rsp;

	rawfe_send(f, i, req);
	if (!rawfe_recv(f, i, &rsp, ms))
		vtest_fail(__FILE__, __LINE__, "no response to operation %u id %u in %d ms",
			   req->operation, req->id, ms);
	ASSERT_EQ(rsp.id, req->id);
	ASSERT_EQ(rsp.operation, req->operation);
	return rsp.status;
}
