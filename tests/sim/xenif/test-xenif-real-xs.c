/* SPDX-License-Identifier: MIT */
/*
 * test-xenif-real-xs.c - the XenStore half of the real implementation
 * (libxenstore), exercised against xensimd: every context is
 * xenif_open("real") with $XENSTORED_PATH pointing at DIR/dom<N>.sock, and
 * the contract TESTs run unchanged. Those that need event channels, grants
 * or libxenctrl skip (there is no hypervisor here), and so do those whose
 * knob the sim client counts; what they skip for is printed.
 *
 * The TESTs below check what only the real implementation does: its idea
 * of its own domid, and the lazily opened device handles failing cleanly
 * where /dev/xen is missing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "contract.h"

const enum contract_mode contract_build_mode = CONTRACT_REAL_XS;

/* R1: "real" takes an explicit domid as given; SELF is read from XenStore
 * or, failing that, stays unknown outside a control domain. */
TEST(real_domid)
{
	struct xenif *x;
	uint32_t d;

	rig_start();
	rig_need_sim("needs xensimd to stand in for xenstored");
	x = rig_open(RIG_GUEST_DOMID);
	ASSERT_EQ(xenif_domid(x), RIG_GUEST_DOMID);
	xenif_close(x);

	/* rig_open(0) leaves $XENSTORED_PATH on dom0's socket. */
	x = rig_open(0);
	xenif_close(x);
	ASSERT_OK(xenif_open("real", XENIF_DOMID_SELF, &x));
	d = xenif_domid(x);
	ASSERT_TRUE(d == 0 || d == XENIF_DOMID_SELF);
	xenif_close(x);
}

/* R2: without a hypervisor, the event-channel, grant and control handles
 * fail to open with an errno, and XenStore keeps working. */
TEST(real_without_hypervisor)
{
	struct xenif_dominfo di;
	struct xenif_evtchn *h;
	struct xenif *x;
	uint32_t ref = 8;
	char *v = NULL;
	void *addr;

	rig_start();
	rig_need_sim("needs xensimd to stand in for xenstored");
	if (access("/dev/xen/evtchn", F_OK) == 0)
		vtest_skip("this machine has /dev/xen: the point is its absence");
	x = rig_open(0);

	ASSERT_LT(xenif_evtchn_open(x, &h), 0);
	ASSERT_LT(xenif_gnt_map(x, RIG_GUEST_DOMID, &ref, 1, false, &addr), 0);
	ASSERT_LT(xenif_gnt_share(x, RIG_GUEST_DOMID, 1, true, &ref, &addr), 0);
	ASSERT_LT(xenif_domain_info(x, 0, &di), 0);
	ASSERT_OK(xenif_xs_read(x, XENIF_TX_NONE, "/local/domain/5/name", &v, NULL));
	ASSERT_STREQ(v, "guest5");
	free(v);
	xenif_close(x);
}
