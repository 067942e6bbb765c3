/* SPDX-License-Identifier: MIT */
/*
 * contract-evtchn.c - the event-channel clauses E1..E5 of docs/xenif.md,
 * one TEST each. Most run in one process holding both ends (dom0 and the
 * guest), where the simulator delivers synchronously, so "nothing arrived"
 * is checked without waiting; under real Xen a short quiet period is used.
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contract.h"

static const char *const no_evtchn = "event channels need a hypervisor";

/* Both ends of one interdomain channel, held in this process. */
struct pair {
	struct xenif *x0, *xg;
	struct xenif_evtchn *h0, *hg;
	int p0;		/* dom0's port */
	int pg;		/* the guest's port */
};

static void pair_open(struct pair *p)
{
	p->x0 = rig_open(0);
	p->xg = rig_open(rig.guest);
	ASSERT_OK(xenif_evtchn_open(p->x0, &p->h0));
	ASSERT_OK(xenif_evtchn_open(p->xg, &p->hg));
	p->pg = xenif_evtchn_alloc_unbound(p->hg, 0);
	ASSERT_GT(p->pg, 0);
	p->p0 = rig_bind(p->h0, rig.guest, (uint32_t)p->pg);
}

static void pair_close(struct pair *p)
{
	xenif_evtchn_close(p->h0);
	xenif_evtchn_close(p->hg);
	xenif_close(p->xg);
	xenif_close(p->x0);
}

/* Wait for @h's fd, then expect @port from pending(). */
static void expect_pending(struct xenif_evtchn *h, int port)
{
	ASSERT_TRUE(rig_readable(xenif_evtchn_fd(h), RIG_WAIT_MS));
	ASSERT_EQ(xenif_evtchn_pending(h), port);
}

static void guest_side(struct rig_chan *c)
{
	struct xenif *xg = rig_open(rig.guest);
	struct xenif_evtchn *hg;
	uint32_t remote;
	int port;

	ASSERT_OK(xenif_evtchn_open(xg, &hg));
	rig_chan_recv(c, &remote, sizeof(remote));
	port = rig_bind(hg, 0, remote);
	ASSERT_OK(xenif_evtchn_notify(hg, (uint32_t)port));
	expect_pending(hg, port);
	xenif_evtchn_close(hg);
	xenif_close(xg);
	rig_chan_send(c, "k", 1);
	rig_child_exit(0);
}

/* E1: a port allocated for a domain is bound by it; each end's notify
 * makes the other end's fd readable and pending() yield its local port. */
TEST(evtchn_notify_across_processes)
{
	struct rig_chan parent, child;
	struct xenif_evtchn *h0;
	struct xenif *x0;
	uint32_t port;
	int status, r;
	pid_t pid;
	char ok;

	rig_start();
	rig_need_hypervisor(no_evtchn);
	rig_chan_pair(&parent, &child);
	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		guest_side(&child);

	x0 = rig_open(0);
	ASSERT_OK(xenif_evtchn_open(x0, &h0));
	r = xenif_evtchn_alloc_unbound(h0, rig.guest);
	ASSERT_GT(r, 0);
	port = (uint32_t)r;
	rig_chan_send(&parent, &port, sizeof(port));
	expect_pending(h0, (int)port);
	ASSERT_OK(xenif_evtchn_unmask(h0, port));
	ASSERT_OK(xenif_evtchn_notify(h0, port));
	rig_chan_recv(&parent, &ok, 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	xenif_evtchn_close(h0);
	xenif_close(x0);
}

/* E2: a delivered port stays masked until unmasked; an event that comes
 * meanwhile is delivered after unmask(). */
TEST(evtchn_masked_until_unmask)
{
	struct pair p;

	rig_start();
	rig_need_hypervisor(no_evtchn);
	pair_open(&p);

	ASSERT_ERR(xenif_evtchn_pending(p.h0), EAGAIN);
	ASSERT_OK(xenif_evtchn_notify(p.hg, (uint32_t)p.pg));
	expect_pending(p.h0, p.p0);
	ASSERT_OK(xenif_evtchn_notify(p.hg, (uint32_t)p.pg));
	ASSERT_FALSE(rig_readable(xenif_evtchn_fd(p.h0), rig_quiet_ms()));
	ASSERT_ERR(xenif_evtchn_pending(p.h0), EAGAIN);
	ASSERT_OK(xenif_evtchn_unmask(p.h0, (uint32_t)p.p0));
	expect_pending(p.h0, p.p0);
	ASSERT_OK(xenif_evtchn_unmask(p.h0, (uint32_t)p.p0));
	ASSERT_ERR(xenif_evtchn_pending(p.h0), EAGAIN);
	pair_close(&p);
}

/* E3: notifications before delivery coalesce into one event. */
TEST(evtchn_coalescing)
{
	unsigned int deliveries = 0;
	struct pair p;

	rig_start();
	rig_need_hypervisor(no_evtchn);
	pair_open(&p);

	for (int i = 0; i < 3; i++)
		ASSERT_OK(xenif_evtchn_notify(p.hg, (uint32_t)p.pg));
	expect_pending(p.h0, p.p0);
	deliveries++;
	ASSERT_OK(xenif_evtchn_unmask(p.h0, (uint32_t)p.p0));
	while (rig_readable(xenif_evtchn_fd(p.h0), rig_quiet_ms())) {
		int r = xenif_evtchn_pending(p.h0);

		if (r == -EAGAIN)
			break;
		ASSERT_EQ(r, p.p0);
		ASSERT_OK(xenif_evtchn_unmask(p.h0, (uint32_t)p.p0));
		deliveries++;
	}
	/* Xen may deliver a notification racing the first upcall once more;
	 * the simulator, delivering synchronously, exactly once. */
	if (rig.mode == CONTRACT_XEN)
		ASSERT_LE(deliveries, 2);
	else
		ASSERT_EQ(deliveries, 1);
	pair_close(&p);
}

/* E4: a restricted handle binds only to its domain's ports and allocates
 * none; restriction is for good; bound ports keep working. */
TEST(evtchn_restrict)
{
	struct xenif_evtchn *hk;
	struct pair p;
	int port;

	rig_start();
	rig_need_hypervisor(no_evtchn);
	pair_open(&p);

	ASSERT_OK(xenif_evtchn_open(p.x0, &hk));
	ASSERT_ERR(xenif_evtchn_restrict(hk, 0), EINVAL);
	ASSERT_OK(xenif_evtchn_restrict(hk, 7));
	ASSERT_ERR(xenif_evtchn_restrict(hk, 7), EACCES);
	ASSERT_ERR(xenif_evtchn_alloc_unbound(hk, rig.guest), EACCES);
	port = xenif_evtchn_alloc_unbound(p.hg, 0);
	ASSERT_GT(port, 0);
	ASSERT_ERR(xenif_evtchn_bind_interdomain(hk, rig.guest, (uint32_t)port), EACCES);
	xenif_evtchn_close(hk);

	if (rig.mode != CONTRACT_XEN) {
		/* The backend's case: restricted to the guest it serves. */
		ASSERT_OK(xenif_evtchn_restrict(p.h0, rig.guest));
		rig_bind(p.h0, rig.guest, (uint32_t)port);
		ASSERT_OK(xenif_evtchn_notify(p.hg, (uint32_t)p.pg));
		expect_pending(p.h0, p.p0);
	}
	pair_close(&p);
}

/* E5: after unbind a port is gone for its handle; the peer's notify is
 * silently dropped, as Xen does for a closed remote end. */
TEST(evtchn_unbind)
{
	struct pair p;

	rig_start();
	rig_need_hypervisor(no_evtchn);
	pair_open(&p);

	ASSERT_OK(xenif_evtchn_unbind(p.h0, (uint32_t)p.p0));
	ASSERT_ERR(xenif_evtchn_notify(p.h0, (uint32_t)p.p0), ENOTCONN);
	ASSERT_ERR(xenif_evtchn_unbind(p.h0, (uint32_t)p.p0), ENOTCONN);
	if (rig.mode != CONTRACT_XEN)
		ASSERT_ERR(xenif_evtchn_unmask(p.h0, (uint32_t)p.p0), ENOTCONN);
	ASSERT_OK(xenif_evtchn_notify(p.hg, (uint32_t)p.pg));
	ASSERT_FALSE(rig_readable(xenif_evtchn_fd(p.h0), rig_quiet_ms()));
	ASSERT_ERR(xenif_evtchn_pending(p.h0), EAGAIN);
	pair_close(&p);
}
