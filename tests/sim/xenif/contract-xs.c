/* SPDX-License-Identifier: MIT */
/*
 * contract-xs.c - the XenStore clauses X1..X10 of docs/xenif.md, one TEST
 * each. They run in every mode (sim, real-xs, xen) except where a clause
 * needs a second domain or a simulator knob.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

static void write_str(struct xenif *x, xenif_tx_t tx, const char *path, const char *v)
{
	ASSERT_OK(xenif_xs_write(x, tx, path, v, strlen(v)));
}

static void expect_value(struct xenif *x, xenif_tx_t tx, const char *path, const char *v)
{
	char *got = NULL;
	size_t len = 0;

	ASSERT_OK(xenif_xs_read(x, tx, path, &got, &len));
	ASSERT_STREQ(got, v);
	ASSERT_EQ(len, strlen(v));
	free(got);
}

/* X1: values are byte strings; children are listed sorted; relative paths
 * are under the caller's home. */
TEST(xs_read_write_directory)
{
	static const char bin[] = { 'a', '\0', 'b' };
	struct xenif *x0, *xg;
	char **names = NULL;
	char *v = NULL, rel[64];
	size_t len = 0;

	rig_start();
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	write_str(x0, XENIF_TX_NONE, rig_path("b"), "hello");
	expect_value(x0, XENIF_TX_NONE, rig_path("b"), "hello");
	ASSERT_OK(xenif_xs_write(x0, XENIF_TX_NONE, rig_path("a"), bin, sizeof(bin)));
	ASSERT_OK(xenif_xs_read(x0, XENIF_TX_NONE, rig_path("a"), &v, &len));
	ASSERT_EQ(len, sizeof(bin));
	ASSERT_MEMEQ(v, bin, sizeof(bin));
	ASSERT_EQ(v[len], '\0');
	free(v);
	ASSERT_OK(xenif_xs_mkdir(x0, XENIF_TX_NONE, rig_path("c")));
	expect_value(x0, XENIF_TX_NONE, rig_path("c"), "");

	ASSERT_EQ(xenif_xs_directory(x0, XENIF_TX_NONE, rig.base, &names), 3);
	ASSERT_STREQ(names[0], "a");
	ASSERT_STREQ(names[1], "b");
	ASSERT_STREQ(names[2], "c");
	ASSERT_NULL(names[3]);
	xenif_strv_free(names);

	ASSERT_OK(xenif_xs_rm(x0, XENIF_TX_NONE, rig_path("b")));
	ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, rig_path("b"), &v, NULL), ENOENT);
	ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, rig_path("none/deeper"), &v, NULL), ENOENT);
	/* xenstored: removing a missing child of an existing node is fine. */
	ASSERT_OK(xenif_xs_rm(x0, XENIF_TX_NONE, rig_path("b")));
	ASSERT_ERR(xenif_xs_rm(x0, XENIF_TX_NONE, rig_path("none/deeper")), ENOENT);

	/* "data/" is the guest's own (libxl); relative means its home. */
	write_str(xg, XENIF_TX_NONE, "data/vsnd-x1", "rel");
	snprintf(rel, sizeof(rel), "/local/domain/%u/data/vsnd-x1", rig.guest);
	expect_value(x0, XENIF_TX_NONE, rel, "rel");
	ASSERT_OK(xenif_xs_rm(xg, XENIF_TX_NONE, "data/vsnd-x1"));

	ASSERT_OK(xenif_xs_rm(x0, XENIF_TX_NONE, rig.base));
	xenif_close(xg);
	xenif_close(x0);
}

/* X2: permissions as xenstored keeps them: owner + default first, then
 * per-domain grants; dom0 bypasses them; a domU sees only what it is given. */
TEST(xs_perms_domu_cannot_read_dom0)
{
	const struct xenif_xs_perm ro[] = { { 0, XENIF_PERM_NONE }, { 5, XENIF_PERM_READ } };
	struct xenif_xs_perm got[4];
	struct xenif *x0, *xg;
	char *v = NULL;

	rig_start();
	rig_need_sim("needs a domU; the rig's dom0 is privileged");
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	write_str(x0, XENIF_TX_NONE, rig_path("secret"), "s3cr3t");
	ASSERT_EQ(xenif_xs_get_perms(x0, XENIF_TX_NONE, rig_path("secret"), got, 4), 1);
	ASSERT_EQ(got[0].domid, 0);
	ASSERT_EQ(got[0].perm, XENIF_PERM_NONE);
	ASSERT_ERR(xenif_xs_read(xg, XENIF_TX_NONE, rig_path("secret"), &v, NULL), EACCES);
	ASSERT_ERR(xenif_xs_write(xg, XENIF_TX_NONE, rig_path("secret"), "x", 1), EACCES);

	ASSERT_OK(xenif_xs_set_perms(x0, XENIF_TX_NONE, rig_path("secret"), ro, 2));
	ASSERT_EQ(xenif_xs_get_perms(x0, XENIF_TX_NONE, rig_path("secret"), got, 4), 2);
	ASSERT_EQ(got[1].domid, 5);
	ASSERT_EQ(got[1].perm, XENIF_PERM_READ);
	ASSERT_ERR(xenif_xs_get_perms(x0, XENIF_TX_NONE, rig_path("secret"), got, 1), E2BIG);
	expect_value(xg, XENIF_TX_NONE, rig_path("secret"), "s3cr3t");
	ASSERT_ERR(xenif_xs_write(xg, XENIF_TX_NONE, rig_path("secret"), "x", 1), EACCES);
	/* Only the owner may change the list. */
	ASSERT_ERR(xenif_xs_set_perms(xg, XENIF_TX_NONE, rig_path("secret"), ro, 1), EACCES);

	xenif_close(xg);
	xenif_close(x0);
}

/* X3: a created domain gets libxl's skeleton. */
TEST(xs_domain_skeleton)
{
	struct xenif_xs_perm got[4];
	struct xenif *x0, *xg;

	rig_start();
	rig_need_sim("libxl builds the skeleton, not the seam; checked where xensimd does");
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	ASSERT_EQ(xenif_xs_get_perms(x0, XENIF_TX_NONE, "/local/domain/5", got, 4), 2);
	ASSERT_EQ(got[0].domid, 0);
	ASSERT_EQ(got[0].perm, XENIF_PERM_NONE);
	ASSERT_EQ(got[1].domid, 5);
	ASSERT_EQ(got[1].perm, XENIF_PERM_READ);
	ASSERT_GE(xenif_xs_get_perms(x0, XENIF_TX_NONE, "/local/domain/5/name", got, 4), 1);
	ASSERT_EQ(got[0].domid, 0);
	ASSERT_GE(xenif_xs_get_perms(x0, XENIF_TX_NONE, "/local/domain/5/data", got, 4), 1);
	ASSERT_EQ(got[0].domid, 5);

	expect_value(xg, XENIF_TX_NONE, "name", "guest5");
	ASSERT_ERR(xenif_xs_write(xg, XENIF_TX_NONE, "name", "evil", 4), EACCES);
	write_str(xg, XENIF_TX_NONE, "data/mine", "ok");

	xenif_close(xg);
	xenif_close(x0);
}

/* X4: a watch fires once at registration, with its own path. */
TEST(xs_watch_fires_on_registration)
{
	struct xenif *x0;
	char *p, *t;

	rig_start();
	x0 = rig_open(0);

	/* The node need not exist. */
	ASSERT_OK(xenif_xs_watch(x0, rig_path("w"), "tok"));
	ASSERT_TRUE(rig_readable(xenif_xs_fd(x0), RIG_WAIT_MS));
	rig_next_event(x0, &p, &t);
	ASSERT_STREQ(p, rig_path("w"));
	ASSERT_STREQ(t, "tok");
	free(p);
	free(t);
	ASSERT_ERR(xenif_xs_watch(x0, rig_path("w"), "tok"), EEXIST);
	ASSERT_OK(xenif_xs_unwatch(x0, rig_path("w"), "tok"));
	ASSERT_ERR(xenif_xs_unwatch(x0, rig_path("w"), "tok"), ENOENT);
	xenif_close(x0);
}

/* X5: a watch fires on changes at or below its path, with the changed path,
 * and not for others; read_watch never blocks. */
TEST(xs_watch_fires_on_subtree_change)
{
	struct xenif *x0, *xg;
	char *v = NULL;

	rig_start();
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	write_str(x0, XENIF_TX_NONE, rig_path("w/a"), "1");
	ASSERT_OK(xenif_xs_watch(x0, rig_path("w"), "tok"));
	rig_expect_event(x0, rig_path("w"), "tok");

	write_str(x0, XENIF_TX_NONE, rig_path("w/a/deep"), "2");
	rig_expect_event(x0, rig_path("w/a/deep"), "tok");
	ASSERT_OK(xenif_xs_rm(x0, XENIF_TX_NONE, rig_path("w/a")));
	rig_expect_event(x0, rig_path("w/a"), "tok");

	/* Outside the subtree: after a round trip, no event names it. */
	write_str(x0, XENIF_TX_NONE, rig_path("other"), "3");
	(void)xenif_xs_read(x0, XENIF_TX_NONE, rig_path("other"), &v, NULL);
	free(v);
	ASSERT_FALSE(rig_drain_saw(x0, rig_path("other")));
	ASSERT_ERR(xenif_xs_read_watch(x0, &v, &v), EAGAIN);

	/* Another domain's change fires too (dom0 watches the guest's home). */
	ASSERT_OK(xenif_xs_watch(x0, "/local/domain/5/data", "guest"));
	if (rig.mode != CONTRACT_XEN) {
		rig_expect_event(x0, "/local/domain/5/data", "guest");
		write_str(xg, XENIF_TX_NONE, "data/x5", "4");
		rig_expect_event(x0, "/local/domain/5/data/x5", "guest");
	}

	ASSERT_OK(xenif_xs_unwatch(x0, rig_path("w"), "tok"));
	write_str(x0, XENIF_TX_NONE, rig_path("w/b"), "5");
	(void)xenif_xs_read(x0, XENIF_TX_NONE, rig_path("w/b"), &v, NULL);
	free(v);
	ASSERT_FALSE(rig_drain_saw(x0, rig_path("w/b")));
	xenif_close(xg);
	xenif_close(x0);
}

/* X6: watches may fire spuriously; the spurious-watch knob makes every
 * watch a domain has registered fire N times at once. */
TEST(xs_watch_spurious)
{
	struct xenif *x0;
	char *p, *t;

	rig_start();
	rig_need_sim("the spurious-watch knob is xensimd's");
	x0 = rig_open(0);

	ASSERT_OK(xenif_xs_watch(x0, rig_path("s"), "tok"));
	rig_expect_event(x0, rig_path("s"), "tok");
	ASSERT_FALSE(rig_drain_saw(x0, rig_path("s")));
	rig_fault_simple("spurious-watch", 0, 2);
	/* Each extra event carries the watch's own path and token. */
	for (int i = 0; i < 2; i++) {
		rig_next_event(x0, &p, &t);
		ASSERT_STREQ(p, rig_path("s"));
		ASSERT_STREQ(t, "tok");
		free(p);
		free(t);
	}
	xenif_close(x0);
}

/* X7: a transaction sees its own writes, others see them only at commit;
 * abort discards them. */
TEST(xs_transaction_isolation)
{
	struct xenif *x0;
	xenif_tx_t tx;
	char *v = NULL;

	rig_start();
	x0 = rig_open(0);

	ASSERT_OK(xenif_xs_transaction_start(x0, &tx));
	ASSERT_NE(tx, XENIF_TX_NONE);
	write_str(x0, tx, rig_path("t"), "1");
	expect_value(x0, tx, rig_path("t"), "1");
	ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, rig_path("t"), &v, NULL), ENOENT);
	ASSERT_OK(xenif_xs_transaction_end(x0, tx, false));
	expect_value(x0, XENIF_TX_NONE, rig_path("t"), "1");

	ASSERT_OK(xenif_xs_transaction_start(x0, &tx));
	write_str(x0, tx, rig_path("t"), "2");
	ASSERT_OK(xenif_xs_transaction_end(x0, tx, true));
	expect_value(x0, XENIF_TX_NONE, rig_path("t"), "1");
	/* A finished transaction is gone. */
	ASSERT_LT(xenif_xs_transaction_end(x0, tx, false), 0);
	xenif_close(x0);
}

/* X8: a transaction that conflicts with a change made meanwhile ends with
 * -EAGAIN and applies nothing. */
TEST(xs_transaction_conflict_eagain)
{
	struct xenif *x0, *x1;
	xenif_tx_t tx;
	char *v = NULL;

	rig_start();
	x0 = rig_open(0);
	x1 = rig_open(0);

	write_str(x0, XENIF_TX_NONE, rig_path("c"), "old");
	ASSERT_OK(xenif_xs_transaction_start(x0, &tx));
	ASSERT_OK(xenif_xs_read(x0, tx, rig_path("c"), &v, NULL));
	free(v);
	write_str(x1, XENIF_TX_NONE, rig_path("c"), "theirs");
	write_str(x0, tx, rig_path("c"), "mine");
	write_str(x0, tx, rig_path("c2"), "mine");
	ASSERT_ERR(xenif_xs_transaction_end(x0, tx, false), EAGAIN);
	expect_value(x0, XENIF_TX_NONE, rig_path("c"), "theirs");
	ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, rig_path("c2"), &v, NULL), ENOENT);
	xenif_close(x1);
	xenif_close(x0);
}

/* X9: the tx-eagain knob fails the next commits with -EAGAIN; a retry from
 * the start succeeds. */
TEST(xs_transaction_eagain_knob)
{
	struct xenif *x0;
	xenif_tx_t tx;
	char *v = NULL;
	int tries = 0, r;

	rig_start();
	rig_need_sim("the tx-eagain knob is xensimd's");
	x0 = rig_open(0);

	rig_fault_simple("tx-eagain", 0, 2);
	do {
		ASSERT_OK(xenif_xs_transaction_start(x0, &tx));
		write_str(x0, tx, rig_path("k"), "v");
		r = xenif_xs_transaction_end(x0, tx, false);
		if (r == -EAGAIN)
			ASSERT_ERR(xenif_xs_read(x0, XENIF_TX_NONE, rig_path("k"), &v, NULL),
				   ENOENT);
		tries++;
	} while (r == -EAGAIN && tries < 10);
	ASSERT_OK(r);
	ASSERT_EQ(tries, 3);
	expect_value(x0, XENIF_TX_NONE, rig_path("k"), "v");
	xenif_close(x0);
}

/* X10: @introduceDomain and @releaseDomain fire when domains come and go. */
TEST(xs_special_watches)
{
	struct xenif *x0;

	rig_start();
	rig_need_sim("creating and destroying domains is the toolstack's");
	x0 = rig_open(0);

	ASSERT_OK(xenif_xs_watch(x0, "@introduceDomain", "in"));
	rig_expect_event(x0, "@introduceDomain", "in");
	ASSERT_OK(xenif_xs_watch(x0, "@releaseDomain", "out"));
	rig_expect_event(x0, "@releaseDomain", "out");

	vtest_simd_domain_create(&rig.simd, 7, "guest7");
	rig_expect_event(x0, "@introduceDomain", "in");
	vtest_simd_domain_destroy(&rig.simd, 7);
	rig_expect_event(x0, "@releaseDomain", "out");
	xenif_close(x0);
}
