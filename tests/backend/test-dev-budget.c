// SPDX-License-Identifier: MIT
/*
 * test-dev-budget.c - security.md rule 9 in the device layer
 * (backend/vsnd-dev.c): a wakeup answers at most a budget of one ring's
 * requests and then yields to the other guests.
 *
 * The backend runs in this process (sndbe_xenbus over the device layer,
 * with a ring budget of 4, served by a poll loop that never serves the
 * backlog by itself); two raw guests (rawfe.h) are driven from here too.
 * Guest 5 queues 20 requests at once, guest 6 one: a turn of the loop
 * answers guest 6's request and exactly 4 of guest 5's; each
 * sndbe_dev_serve_backlog() answers 4 more, and once the ring is empty no
 * backlog is left. Every wait is on fds with a generous bound.
 *
 * The same rig checks sndbe_dev_fd_generation(), which the daemon trusts
 * to skip re-registering its fds: it must move with every connect, OPEN
 * and CLOSE.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "fetree.h"
#include "rawfe.h"
#include "simd.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsnd-dev.h"
#include "vtest.h"
#include "xenbus.h"
#include "xenif/xenif.h"

#define MAX_FDS 64
#define BUDGET 4u
#define FLOOD 20u

struct rig {
	struct vtest_simd sim;
	struct xenif *x;
	struct sndbe_xenbus *xb;
	struct sndbe_dev_layer l;
};

/* One poll of the backend's fds for up to @ms; the backlog is left alone. */
static void turn(void *userdata, int ms)
{
	struct rig *rig = userdata;
	struct pollfd p[MAX_FDS];
	unsigned int n = 0;
	int k;

	p[n++] = (struct pollfd){ .fd = sndbe_xenbus_fd(rig->xb), .events = POLLIN };
	k = sndbe_dev_fds(&rig->l, p + n, MAX_FDS - n);
	ASSERT_GE(k, 0);
	n += (unsigned int)k;
	if (poll(p, n, ms) <= 0)
		return;
	ASSERT_OK(sndbe_xenbus_process(rig->xb));
	for (unsigned int i = 1; i < n; i++)
		if (p[i].revents)
			sndbe_dev_process(&rig->l, p[i].fd, p[i].revents);
}

static void guest(struct rig *rig, struct rawfe *f, uint32_t domid)
{
	struct fetree t = { .guest = domid, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct xenif *ts;

	vtest_simd_domain_create(&rig->sim, domid, "guest");
	ASSERT_OK(xenif_open(rig->sim.spec, 0, &ts));
	ASSERT_OK(fetree_write(ts, &t));
	xenif_close(ts);
	rawfe_connect(f, rig->sim.spec, &t, turn, rig);
}

/* Responses now waiting on @f's ring (without consuming them). */
static unsigned int waiting(struct rawfe *f)
{
	xen_rmb();
	return rawfe_unconsumed(f, 0);
}

TEST_TIMEOUT(a_wakeup_answers_one_budget_then_yields, 120)
{
	struct xensnd_req req;
	struct xensnd_resp rsp;
	struct rawfe a, b;
	struct rig rig;
	unsigned int rounds = 0;

	memset(&rig, 0, sizeof(rig));
	vtest_simd_start(&rig.sim);
	ASSERT_OK(xenif_open(rig.sim.spec, 0, &rig.x));
	rig.l.x = rig.x;
	rig.l.spec = "null";
	rig.l.ring_budget = BUDGET;
	ASSERT_OK(sndbe_xenbus_new(rig.x, &sndbe_dev_ops, &rig.l, &rig.xb));
	guest(&rig, &a, 5);
	guest(&rig, &b, 6);
	ASSERT_FALSE(sndbe_dev_backlog(&rig.l));

	memset(&req, 0, sizeof(req));
	req.operation = 0xee;
	rawfe_send_many(&a, 0, &req, FLOOD);
	rawfe_send(&b, 0, &req);
	/* Guest 6 is answered by the loop; guest 5 got one budget only. */
	ASSERT_TRUE(rawfe_recv(&b, 0, &rsp, 20000));
	ASSERT_EQ(rsp.status, -ENOSYS);
	for (uint64_t end = now_ms() + 20000; waiting(&a) < BUDGET && now_ms() < end;)
		turn(&rig, 100);
	ASSERT_EQ(waiting(&a), BUDGET);
	ASSERT_TRUE(sndbe_dev_backlog(&rig.l));
	/* More loop turns without new events add nothing. */
	turn(&rig, 0);
	ASSERT_EQ(waiting(&a), BUDGET);
	while (sndbe_dev_backlog(&rig.l)) {
		ASSERT_OK(sndbe_dev_serve_backlog(&rig.l));
		rounds++;
		ASSERT_EQ(waiting(&a), BUDGET * (rounds + 1) < FLOOD ? BUDGET * (rounds + 1) : FLOOD);
		ASSERT_LE(rounds, FLOOD);
	}
	ASSERT_EQ(rounds, FLOOD / BUDGET - 1);
	for (uint16_t i = 0; i < FLOOD; i++) {
		ASSERT_TRUE(rawfe_recv(&a, 0, &rsp, 1000));
		ASSERT_EQ(rsp.id, i);
	}

	rawfe_close(&a);
	rawfe_close(&b);
	rig.xb = sndbe_xenbus_free(rig.xb);
	rig.x = xenif_close(rig.x);
	vtest_simd_stop(&rig.sim);
}

/* OPEN of a 4096-octet buffer shared by @f; the request's status. */
static int32_t open_once(struct rawfe *f, uint32_t dir_ref, uint16_t id)
{
	struct xensnd_req req;
	struct xensnd_resp rsp;

	memset(&req, 0, sizeof(req));
	req.id = id;
	req.operation = XENSND_OP_OPEN;
	req.op.open.pcm_rate = 48000;
	req.op.open.pcm_format = XENSND_PCM_FORMAT_S16_LE;
	req.op.open.pcm_channels = 2;
	req.op.open.buffer_sz = 4096;
	req.op.open.period_sz = 1024;
	req.op.open.gref_directory = dir_ref;
	rawfe_send(f, 0, &req);
	ASSERT_TRUE(rawfe_recv(f, 0, &rsp, 20000));
	return rsp.status;
}

TEST_TIMEOUT(fd_generation_moves_with_connect_open_and_close, 120)
{
	struct xensnd_page_directory *dir;
	struct xensnd_req req;
	struct xensnd_resp rsp;
	uint32_t ref[2];
	uint64_t g0, g1;
	struct rawfe a;
	struct rig rig;
	void *data, *dp;

	memset(&rig, 0, sizeof(rig));
	vtest_simd_start(&rig.sim);
	ASSERT_OK(xenif_open(rig.sim.spec, 0, &rig.x));
	rig.l.x = rig.x;
	rig.l.spec = "null";
	ASSERT_OK(sndbe_xenbus_new(rig.x, &sndbe_dev_ops, &rig.l, &rig.xb));
	g0 = sndbe_dev_fd_generation(&rig.l);
	guest(&rig, &a, 5);
	g1 = sndbe_dev_fd_generation(&rig.l);
	ASSERT_GT(g1, g0);
	ASSERT_OK(xenif_gnt_share(a.x, 0, 1, true, &ref[0], &data));
	ASSERT_OK(xenif_gnt_share(a.x, 0, 1, true, &ref[1], &dp));
	dir = dp;
	dir->gref[0] = ref[0];
	ASSERT_EQ(open_once(&a, ref[1], 1), 0);
	ASSERT_GT(sndbe_dev_fd_generation(&rig.l), g1);
	/* OPEN again without CLOSE: the host stream is closed and reopened. */
	g1 = sndbe_dev_fd_generation(&rig.l);
	ASSERT_EQ(open_once(&a, ref[1], 2), 0);
	ASSERT_GE(sndbe_dev_fd_generation(&rig.l), g1 + 2);
	g1 = sndbe_dev_fd_generation(&rig.l);
	memset(&req, 0, sizeof(req));
	req.id = 3;
	req.operation = XENSND_OP_CLOSE;
	rawfe_send(&a, 0, &req);
	ASSERT_TRUE(rawfe_recv(&a, 0, &rsp, 20000));
	ASSERT_EQ(rsp.status, 0);
	ASSERT_GT(sndbe_dev_fd_generation(&rig.l), g1);
	/* A request that opens nothing leaves it alone. */
	g1 = sndbe_dev_fd_generation(&rig.l);
	req.id = 4;
	rawfe_send(&a, 0, &req);
	ASSERT_TRUE(rawfe_recv(&a, 0, &rsp, 20000));
	ASSERT_EQ(sndbe_dev_fd_generation(&rig.l), g1);

	ASSERT_OK(xenif_gnt_unshare(a.x, data, 1));
	ASSERT_OK(xenif_gnt_unshare(a.x, dp, 1));
	rawfe_close(&a);
	rig.xb = sndbe_xenbus_free(rig.xb);
	ASSERT_GT(sndbe_dev_fd_generation(&rig.l), g1);
	rig.x = xenif_close(rig.x);
	vtest_simd_stop(&rig.sim);
}
