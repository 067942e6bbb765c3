// SPDX-License-Identifier: MIT
/*
 * The pure XenStore model's transactions against xenstored 4.17: isolation,
 * reading one's own writes, conflicts answered EAGAIN with nothing applied,
 * aborts, events at commit, armed failures, ids, a vanished connection,
 * ownership counts; then a randomized run of several callers, half inside
 * transactions, against a naive reference map.
 */
#include "xs-model-fixture.h"

TEST(transaction_is_isolated_until_commit)
{
	struct fx *f = fx_new();
	uint32_t tx;

	ASSERT_OK(WR(f->m, &DOM0, 0, "/t/a", "1"));
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	expect_value(f->m, &DOM0, tx, "/t/a", "1");
	ASSERT_OK(WR(f->m, &TOOL, 0, "/t/a", "2"));
	expect_value(f->m, &DOM0, tx, "/t/a", "1");
	/* A node is copied when first touched, as xenstored does. */
	ASSERT_OK(WR(f->m, &TOOL, 0, "/t/new", "n"));
	expect_value(f->m, &DOM0, tx, "/t/new", "n");
	ASSERT_OK(WR(f->m, &DOM0, tx, "/t/b", "x"));
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/t/b"), ENOENT);
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, tx, true), EAGAIN);
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/t/b"), ENOENT);
	expect_value(f->m, &DOM0, 0, "/t/a", "2");
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, tx, true), ENOENT);
	fx_free(f);
}

TEST(transaction_reads_its_own_writes)
{
	struct fx *f = fx_new();
	char buf[16];
	uint32_t tx;

	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/y/a", "1"));
	ASSERT_OK(xs_model_mkdir(f->m, &DOM0, tx, "/y/b"));
	expect_value(f->m, &DOM0, tx, "/y/a", "1");
	ASSERT_EQ(xs_model_directory(f->m, &DOM0, tx, "/y", buf, sizeof(buf)), 4);
	ASSERT_MEMEQ(buf, "a\0b", 4);
	ASSERT_OK(xs_model_rm(f->m, &DOM0, tx, "/y/a"));
	ASSERT_ERR(read_err(f->m, &DOM0, tx, "/y/a"), ENOENT);
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/y"), ENOENT);
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 3);
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, true));
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/y/a"), ENOENT);
	expect_value(f->m, &DOM0, 0, "/y/b", "");
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 5);
	fx_free(f);
}

TEST(conflicting_commit_is_eagain_and_applies_nothing)
{
	struct fx *f = fx_new();
	uint32_t tx;

	ASSERT_OK(WR(f->m, &DOM0, 0, "/c/x", "0"));
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	expect_value(f->m, &DOM0, tx, "/c/x", "0");
	ASSERT_OK(WR(f->m, &DOM0, tx, "/c/y", "1"));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/c/z/w", "2"));
	ASSERT_OK(xs_model_rm(f->m, &DOM0, tx, "/c/x"));
	ASSERT_OK(WR(f->m, &TOOL, 0, "/c/x", "changed"));
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, tx, true), EAGAIN);
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/c/y"), ENOENT);
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/c/z"), ENOENT);
	expect_value(f->m, &DOM0, 0, "/c/x", "changed");
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 5);

	/* A sibling created meanwhile changes the parent: xenstored conflicts. */
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/c/a", "tx"));
	ASSERT_OK(WR(f->m, &TOOL, 0, "/c/b", "out"));
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, tx, true), EAGAIN);
	/* Both creating the same node conflict too. */
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/n/x", "tx"));
	ASSERT_OK(WR(f->m, &TOOL, 0, "/n/x", "out"));
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, tx, true), EAGAIN);
	expect_value(f->m, &DOM0, 0, "/n/x", "out");
	/* Changes to nodes the transaction never touched do not. */
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/c/q", "tx"));
	ASSERT_OK(WR(f->m, &TOOL, 0, "/other", "out"));
	ASSERT_OK(WR(f->m, &TOOL, 0, "/c/x", "again"));
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, true));
	expect_value(f->m, &DOM0, 0, "/c/q", "tx");
	fx_free(f);
}

TEST(abort_discards_everything)
{
	struct fx *f = fx_new();
	uint32_t tx;

	ASSERT_OK(WR(f->m, &DOM0, 0, "/ab/keep", "k"));
	ASSERT_OK(xs_model_watch(f->m, &TOOL, "/", "all"));
	f->nev = 0;
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/ab/new", "n"));
	ASSERT_OK(SETPT(f->m, &DOM0, tx, "/ab/keep", P(5, NONE)));
	ASSERT_OK(xs_model_rm(f->m, &DOM0, tx, "/ab/keep"));
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, false));
	ASSERT_EQ(ev_count(f, 0, "/ab/new", NULL), 0);
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/ab/new"), ENOENT);
	expect_value(f->m, &DOM0, 0, "/ab/keep", "k");
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 0);
	fx_free(f);
}

TEST(transaction_events_fire_at_commit)
{
	struct fx *f = fx_new();
	uint32_t tx;

	ASSERT_OK(xs_model_watch(f->m, &TOOL, "/e", "e"));
	ASSERT_OK(xs_model_watch(f->m, &TOOL, "/e/a", "ea"));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/e/a", "d5"));
	f->nev = 0;
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/e/a", "1"));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/e/b", "2"));
	ASSERT_OK(SETPT(f->m, &DOM0, tx, "/e/a", P(0, READ)));
	ASSERT_EQ(f->nev, 0);
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, true));
	ASSERT_EQ(ev_count(f, 2, "/e/a", "e"), 1);
	ASSERT_EQ(ev_count(f, 2, "/e/b", "e"), 1);
	ASSERT_EQ(ev_count(f, 2, "/e/a", "ea"), 1);
	ASSERT_STREQ(f->ev[0].path, "/e/a");
	ASSERT_EQ(ev_count(f, 5, "/e/a", "d5"), 1);
	/* set_perms outside a transaction, then rm inside one: the watcher that
	 * could read the node before removal hears about it at commit. */
	ASSERT_OK(SETP(f->m, &DOM0, "/e/a", P(0, READ)));
	f->nev = 0;
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(xs_model_rm(f->m, &DOM0, tx, "/e"));
	ASSERT_EQ(f->nev, 0);
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, true));
	ASSERT_EQ(ev_count(f, 2, "/e", "e"), 1);
	ASSERT_EQ(ev_count(f, 2, "/e/a", "ea"), 1);
	ASSERT_EQ(ev_count(f, 5, "/e/a", "d5"), 1);
	ASSERT_EQ(f->nev, 3);
	/* Created and removed inside the transaction: nobody hears of it. */
	f->nev = 0;
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/e/tmp", ""));
	ASSERT_OK(xs_model_rm(f->m, &DOM0, tx, "/e/tmp"));
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, true));
	ASSERT_EQ(ev_count(f, 0, "/e/tmp", NULL), 0);
	fx_free(f);
}

TEST(armed_commit_failures)
{
	struct fx *f = fx_new();
	uint32_t tx;

	xs_model_fail_commits(f->m, 2);
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/f", "1"));
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, tx, true), EAGAIN);
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/f"), ENOENT);
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, false));
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, tx, true), EAGAIN);
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(WR(f->m, &DOM0, tx, "/f", "3"));
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, true));
	expect_value(f->m, &DOM0, 0, "/f", "3");
	fx_free(f);
}

TEST(transaction_ids_are_unique_and_private)
{
	struct fx *f = fx_new();
	uint32_t ids[10];
	unsigned int i, j;

	for (i = 0; i < 10; i++) {
		ASSERT_OK(xs_model_tx_start(f->m, i % 2 ? &DOM5 : &DOM0, &ids[i]));
		ASSERT_NE(ids[i], 0);
		for (j = 0; j < i; j++)
			ASSERT_NE(ids[i], ids[j]);
	}
	ASSERT_ERR(read_err(f->m, &DOM6, ids[1], "/"), ENOENT);
	ASSERT_ERR(WR(f->m, &DOM6, ids[1], "/x", ""), ENOENT);
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM6, ids[1], false), ENOENT);
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, ids[1], true), ENOENT);
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM0, 0xdeadbeef, true), ENOENT);
	ASSERT_OK(xs_model_tx_end(f->m, &DOM5, ids[1], false));
	fx_free(f);
}

TEST(conn_gone_drops_watches_and_transactions)
{
	struct fx *f = fx_new();
	uint32_t tx[11], other;
	unsigned int i;

	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/g", "five"));
	ASSERT_OK(xs_model_watch(f->m, &DOM6, "/g", "six"));
	for (i = 0; i < 11; i++)
		ASSERT_OK(xs_model_tx_start(f->m, &DOM5, &tx[i]));
	ASSERT_OK(xs_model_tx_start(f->m, &DOM6, &other));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/g", ""));
	xs_model_conn_gone(f->m, DOM5.conn);
	f->nev = 0;
	ASSERT_OK(WR(f->m, &DOM0, 0, "/g", "again"));
	ASSERT_EQ(f->nev, 0);
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM5, tx[0], false), ENOENT);
	ASSERT_OK(xs_model_tx_end(f->m, &DOM6, other, false));
	for (i = 0; i < 11; i++)
		ASSERT_OK(xs_model_tx_start(f->m, &DOM5, &tx[i]));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/g", "five"));
	fx_free(f);
}

TEST(transactions_keep_ownership_counts_exact)
{
	struct fx *f = fx_new();
	struct xs_model_quota q = { .nodes = 5,
				    .watches = 128,
				    .transactions = 10,
				    .value_bytes = 2048,
				    .perms_per_node = 5 };
	uint32_t tx;

	xs_model_set_quota(f->m, &q);
	make_home(f->m, 5);
	ASSERT_OK(xs_model_tx_start(f->m, &DOM5, &tx));
	ASSERT_OK(WR(f->m, &DOM5, tx, "a", ""));
	ASSERT_OK(WR(f->m, &DOM5, tx, "b/c", ""));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 1);
	ASSERT_OK(xs_model_tx_end(f->m, &DOM5, tx, true));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 4);
	/* In the transaction the quota allows 5 nodes; xenstored's commit
	 * refuses to leave the domain at its quota. Outside, 5 is fine. */
	ASSERT_OK(xs_model_tx_start(f->m, &DOM5, &tx));
	ASSERT_ERR(WR(f->m, &DOM5, tx, "d/e", ""), ENOSPC);
	ASSERT_OK(WR(f->m, &DOM5, tx, "d", ""));
	ASSERT_ERR(xs_model_tx_end(f->m, &DOM5, tx, true), ENOSPC);
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 4);
	ASSERT_OK(WR(f->m, &DOM5, 0, "d", ""));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 5);
	/* Owner changes and removals count at commit. */
	ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &tx));
	ASSERT_OK(SETPT(f->m, &DOM0, tx, "/local/domain/5/a", P(6, NONE)));
	ASSERT_OK(xs_model_rm(f->m, &DOM0, tx, "/local/domain/5/b"));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 6), 0);
	ASSERT_OK(xs_model_tx_end(f->m, &DOM0, tx, true));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 2);
	ASSERT_EQ(xs_model_nodes_owned(f->m, 6), 1);
	fx_free(f);
}

/*
 * Rounds alternate: plain requests by four callers under a tight node quota,
 * then transactions interleaved with plain requests (quota off, so that a
 * transaction's results depend only on the nodes it touched). A committed
 * transaction is replayed on the reference and must give the same answers;
 * one that saw no change by anybody else must commit.
 */
TEST_TIMEOUT(randomized_against_reference, 120)
{
	struct fx *f = fx_new();
	struct ref *r = calloc(1, sizeof(*r));
	struct rtx *t = calloc(4, sizeof(*t));
	uint64_t s = 0x9e3779b97f4a7c15ull;
	unsigned int round, i, d;
	struct op o;

	ASSERT_NOT_NULL(r);
	ASSERT_NOT_NULL(t);
	for (i = 0; i < 3; i++) {
		strcpy(r->n[i].path, i == 0 ? "/" : i == 1 ? "/local" : "/local/domain");
		r->n[i].np = 1;
	}
	r->count = 3;
	for (d = 0; d < 4; d++) {
		o = (struct op){ .kind = OP_MKDIR, .c = &DOM0, .np = d ? 1 : 4 };
		strcpy(o.path, bases[d ? d - 1 : 3]);
		both_apply(f, r, &o);
		o.kind = OP_SETP;
		o.p[0] = (struct xs_model_perm_entry){ d, XS_MODEL_PERM_NONE };
		if (!d) {
			o.p[1] = (struct xs_model_perm_entry){ 1, XS_MODEL_PERM_BOTH };
			o.p[2] = (struct xs_model_perm_entry){ 2, XS_MODEL_PERM_WRITE };
			o.p[3] = (struct xs_model_perm_entry){ 3, XS_MODEL_PERM_READ };
		}
		both_apply(f, r, &o);
	}
	for (round = 0; round < 60; round++) {
		set_node_quota(f, r, round % 2 ? 0 : 12);
		for (i = 0; i < 200; i++) {
			d = rnd(&s, 4);
			if (round % 2) {
				tx_step(f, r, &s, d, &t[d]);
				continue;
			}
			gen_op(&s, r, &RC[d], NULL, true, &o);
			both_apply(f, r, &o);
		}
		for (d = 0; d < 4; d++)
			if (t[d].open)
				end_tx(f, r, d, &t[d], true);
		compare_all(f->m, r);
	}
	free(t);
	free(r);
	fx_free(f);
}
