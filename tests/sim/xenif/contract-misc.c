/* SPDX-License-Identifier: MIT */
/*
 * contract-misc.c - the remaining clauses of docs/xenif.md: domain
 * information (D1), the simulator's client-side fault knobs (F1, F2) and
 * the error conventions (C1..C3), one TEST each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

/* D1: domain information: existence, the dying flag, the name. */
TEST(domain_info)
{
	struct xenif_dominfo di;
	struct xenif *x0;

	rig_start();
	rig_need_hypervisor("domain information comes from libxenctrl");
	x0 = rig_open(0);

	ASSERT_OK(xenif_domain_info(x0, rig.guest, &di));
	ASSERT_EQ(di.domid, rig.guest);
	ASSERT_FALSE(di.dying);
	if (rig.mode == CONTRACT_XEN)
		ASSERT_TRUE(di.name[0] != '\0');
	else
		ASSERT_STREQ(di.name, "guest5");
	ASSERT_ERR(xenif_domain_info(x0, 32000, &di), ENOENT);
	ASSERT_ERR(xenif_domain_info(x0, XENIF_DOMID_MAX + 1, &di), EINVAL);
	if (rig.mode != CONTRACT_XEN) {
		vtest_simd_domain_destroy(&rig.simd, rig.guest);
		ASSERT_ERR(xenif_domain_info(x0, rig.guest, &di), ENOENT);
	}
	xenif_close(x0);
}

static void need_sim_client(void)
{
	rig_need_sim("the knob is the simulator's");
	if (rig.mode != CONTRACT_SIM)
		vtest_skip("the op-errno and notify-delay knobs are counted by the sim client");
}

/* F1: the op-errno knob fails the Nth call of an op by a domain, count
 * times in a row, control-plane and data-plane calls alike; calls
 * rejected for bad arguments are not counted. */
TEST(fault_op_errno_nth)
{
	struct xenif_evtchn *h0, *hg;
	struct xenif *x0, *xg;
	char *v = NULL;
	int pg, p0;

	rig_start();
	need_sim_client();
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	rig_fault_op_errno(rig.guest, "xs_read", 3, "EIO", 1);
	ASSERT_ERR(xenif_xs_read(xg, XENIF_TX_NONE, "", &v, NULL), EINVAL);
	for (int call = 1; call <= 4; call++) {
		int r = xenif_xs_read(xg, XENIF_TX_NONE, "name", &v, NULL);

		if (call == 3) {
			ASSERT_ERR(r, EIO);
			continue;
		}
		ASSERT_OK(r);
		free(v);
	}
	/* Another domain's calls are not affected. */
	ASSERT_OK(xenif_xs_read(x0, XENIF_TX_NONE, "/local/domain/5/name", &v, NULL));
	free(v);

	ASSERT_OK(xenif_evtchn_open(x0, &h0));
	ASSERT_OK(xenif_evtchn_open(xg, &hg));
	pg = xenif_evtchn_alloc_unbound(hg, 0);
	ASSERT_GT(pg, 0);
	p0 = rig_bind(h0, rig.guest, (uint32_t)pg);
	rig_fault_op_errno(rig.guest, "evtchn_notify", 1, "EBADF", 2);
	ASSERT_ERR(xenif_evtchn_notify(hg, (uint32_t)pg), EBADF);
	ASSERT_ERR(xenif_evtchn_notify(hg, (uint32_t)pg), EBADF);
	ASSERT_FALSE(rig_readable(xenif_evtchn_fd(h0), 0));
	ASSERT_OK(xenif_evtchn_notify(hg, (uint32_t)pg));
	ASSERT_TRUE(rig_readable(xenif_evtchn_fd(h0), RIG_WAIT_MS));
	ASSERT_EQ(xenif_evtchn_pending(h0), p0);

	xenif_evtchn_close(hg);
	xenif_evtchn_close(h0);
	xenif_close(xg);
	xenif_close(x0);
}

/* F2: the notify-delay knob holds a domain's notifications for N ms and
 * sends each port's once (coalesced) when the notifier next services its
 * event-channel fd. */
TEST(fault_notify_delay)
{
	struct xenif_evtchn *h0, *hg;
	struct xenif *x0, *xg;
	int pg, p0;

	rig_start();
	need_sim_client();
	x0 = rig_open(0);
	xg = rig_open(rig.guest);
	ASSERT_OK(xenif_evtchn_open(x0, &h0));
	ASSERT_OK(xenif_evtchn_open(xg, &hg));
	pg = xenif_evtchn_alloc_unbound(hg, 0);
	ASSERT_GT(pg, 0);
	p0 = rig_bind(h0, rig.guest, (uint32_t)pg);

	rig_fault_simple("notify-delay", rig.guest, 50);
	for (int i = 0; i < 3; i++)
		ASSERT_OK(xenif_evtchn_notify(hg, (uint32_t)pg));
	ASSERT_FALSE(rig_readable(xenif_evtchn_fd(h0), 0));
	/* The notifier's own fd wakes it when the delay is over. */
	ASSERT_TRUE(rig_readable(xenif_evtchn_fd(hg), RIG_WAIT_MS));
	ASSERT_ERR(xenif_evtchn_pending(hg), EAGAIN);
	ASSERT_TRUE(rig_readable(xenif_evtchn_fd(h0), RIG_WAIT_MS));
	ASSERT_EQ(xenif_evtchn_pending(h0), p0);
	ASSERT_OK(xenif_evtchn_unmask(h0, (uint32_t)p0));
	ASSERT_FALSE(rig_readable(xenif_evtchn_fd(h0), 0));

	/* Cleared, notifications go out at once again. */
	rig_fault_simple("notify-delay", rig.guest, 0);
	ASSERT_OK(xenif_evtchn_notify(hg, (uint32_t)pg));
	ASSERT_TRUE(rig_readable(xenif_evtchn_fd(h0), 0));

	xenif_evtchn_close(hg);
	xenif_evtchn_close(h0);
	xenif_close(xg);
	xenif_close(x0);
}

/* C1: bad arguments fail with -EINVAL (sizes with -E2BIG) before reaching
 * Xen or xensimd. */
TEST(errors_invalid_arguments)
{
	static char big[4097];
	struct xenif_xs_perm perm = { 0, XENIF_PERM_NONE };
	struct xenif_evtchn *h;
	struct xenif *x0;
	uint32_t ref = 0;
	char *v = NULL;
	void *addr;

	rig_start();
	x0 = rig_open(0);

	ASSERT_ERR(xenif_xs_read(NULL, XENIF_TX_NONE, "/x", &v, NULL), EINVAL);
	ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, NULL, &v, NULL), EINVAL);
	ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, "", &v, NULL), EINVAL);
	ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, "/x", NULL, NULL), EINVAL);
	ASSERT_ERR(xenif_xs_write(x0, XENIF_TX_NONE, "/x", NULL, 1), EINVAL);
	ASSERT_ERR(xenif_xs_write(x0, XENIF_TX_NONE, "/x", big, sizeof(big)), E2BIG);
	ASSERT_ERR(xenif_xs_watch(x0, "/x", ""), EINVAL);
	ASSERT_ERR(xenif_xs_set_perms(x0, XENIF_TX_NONE, "/x", &perm, 0), EINVAL);
	ASSERT_ERR(xenif_xs_transaction_end(x0, XENIF_TX_NONE, false), EINVAL);
	ASSERT_ERR(xenif_gnt_map(x0, 5, &ref, 1, false, &addr), EINVAL);
	ref = 8;
	ASSERT_ERR(xenif_gnt_map(x0, 5, &ref, 0, false, &addr), EINVAL);
	ASSERT_ERR(xenif_gnt_map(x0, XENIF_DOMID_MAX + 1, &ref, 1, false, &addr), EINVAL);
	ASSERT_ERR(xenif_gnt_share(x0, 5, XENIF_GNT_MAX_PAGES + 1, true, &ref, &addr), EINVAL);
	ASSERT_ERR(xenif_evtchn_notify(NULL, 1), EINVAL);
	if (rig.mode != CONTRACT_REAL_XS) {
		ASSERT_OK(xenif_evtchn_open(x0, &h));
		ASSERT_ERR(xenif_evtchn_notify(h, 0), EINVAL);
		ASSERT_ERR(xenif_evtchn_bind_interdomain(h, 5, 0), EINVAL);
		xenif_evtchn_close(h);
	}
	ASSERT_ERR(xenif_domain_info(x0, 0, NULL), EINVAL);
	xenif_close(x0);
}

/* C2: xenif_open() takes "real" or "sim:DIR" and an existing domain. */
TEST(open_spec_errors)
{
	struct xenif *x = NULL;

	ASSERT_ERR(xenif_open(NULL, 0, &x), EINVAL);
	ASSERT_ERR(xenif_open("bogus", 0, &x), EINVAL);
	ASSERT_ERR(xenif_open("sim:", 0, &x), EINVAL);
	ASSERT_ERR(xenif_open("sim:/nonexistent", XENIF_DOMID_SELF, &x), EINVAL);
	ASSERT_ERR(xenif_open("real", XENIF_DOMID_MAX + 1, &x), EINVAL);
#ifdef CONTRACT_NO_REAL
	/* meson defines it when the Xen libraries were not found. */
	ASSERT_ERR(xenif_open("real", XENIF_DOMID_SELF, &x), ENOTSUP);
#endif
	ASSERT_NULL(xenif_close(NULL));

	rig_start();
	rig_need_sim("needs xensimd's run directory");
	ASSERT_ERR(xenif_open(rig.simd.spec, 9, &x), ENOENT);
	ASSERT_ERR(xenif_open("sim:/nonexistent-vsnd-dir", 0, &x), ENOENT);
	ASSERT_OK(xenif_open(rig.simd.spec, rig.guest, &x));
	ASSERT_EQ(xenif_domid(x), rig.guest);
	xenif_close(x);
}

/* C3: every operation has a name, and names map back. */
TEST(op_names_round_trip)
{
	for (int op = 0; op < _XENIF_OP_MAX; op++) {
		const char *name = xenif_op_to_string((enum xenif_op)op);

		ASSERT_NOT_NULL(name);
		ASSERT_EQ(xenif_op_from_string(name), op);
	}
	ASSERT_STREQ(xenif_op_to_string(XENIF_OP_GNT_MAP), "gnt_map");
	ASSERT_NULL(xenif_op_to_string(_XENIF_OP_MAX));
	ASSERT_ERR(xenif_op_from_string("no_such_op"), EINVAL);
	ASSERT_ERR(xenif_op_from_string(NULL), EINVAL);
}
