/* SPDX-License-Identifier: MIT */
/*
 * xs-model-tx.c - transactions of the XenStore model.
 *
 * A transaction copies each node the first time it touches it (reading,
 * writing, listing, removing, or looking at an ancestor for a permission
 * check), together with the node's generation then; a missing node is
 * remembered as missing. From then on the transaction sees only its copy,
 * so it is isolated from later changes and sees its own. Commit fails with
 * -EAGAIN, applying nothing, if any touched node's generation differs from
 * the one remembered (xenstored checks every node it read, and it reads
 * every node before changing it); otherwise the changed copies replace the
 * committed nodes and the events the transaction queued fire, in the order
 * the nodes were first touched.
 *
 * Ids are unique in the model (xenstored makes them unique per connection;
 * ours are a subset of that), never 0; a transaction belongs to the
 * connection that started it and is unknown (-ENOENT) to every other.
 */
#include "xs-model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs-model-int.h"

static struct xsm_tx *tx_free(struct xsm_tx *tx)
{
	struct xsm_tx_entry *e, *next;

	if (!tx)
		return NULL;
	for (e = tx->first; e; e = next) {
		next = e->next;
		xsm_node_free(e->node);
		free(e->perms0.e);
		free(e->path);
		free(e);
	}
	xsm_htab_done(&tx->entries);
	free(tx->delta.v);
	free(tx);
	return NULL;
}

/**
 * xsm_tx_find() - the transaction @id of the caller's connection.
 * @m: the model.
 * @c: the caller.
 * @id: the id.
 * @ret: the transaction.
 *
 * Return: 0, or -ENOENT.
 */
int xsm_tx_find(struct xs_model *m, const struct xs_model_caller *c, uint32_t id,
		struct xsm_tx **ret)
{
	struct xsm_tx *tx;

	for (tx = m->txs; tx; tx = tx->next) {
		if (tx->id == id && tx->conn == c->conn) {
			*ret = tx;
			return 0;
		}
	}
	return -ENOENT;
}

static int entry_snapshot(struct xsm_tx_entry *e, const struct xsm_node *g)
{
	e->gen0 = g ? g->gen : XSM_GEN_NONE;
	if (!g)
		return 0;
	e->node = xsm_node_dup(g);
	if (!e->node || xsm_perms_copy(&e->perms0, g->perms.e, g->perms.n) < 0)
		return -ENOMEM;
	return 0;
}

/**
 * xsm_tx_get() - the transaction's entry for @path, made on first touch.
 * @tx: the transaction.
 * @m: the model.
 * @path: canonical path.
 * @ret: the entry; its node is NULL when the path is missing in @tx.
 *
 * Return: 0, or -ENOMEM, which also fails the transaction: a request cut
 * short half-way must never be committed.
 */
int xsm_tx_get(struct xsm_tx *tx, struct xs_model *m, const char *path, struct xsm_tx_entry **ret)
{
	struct xsm_tx_entry *e = (struct xsm_tx_entry *)xsm_htab_find(&tx->entries, path);

	if (e) {
		*ret = e;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		goto nomem;
	e->path = strdup(path);
	if (!e->path || entry_snapshot(e, xsm_lookup(m, path)) < 0) {
		xsm_node_free(e->node);
		free(e->perms0.e);
		free(e->path);
		free(e);
		goto nomem;
	}
	e->h.key = e->path;
	xsm_htab_add(&tx->entries, &e->h);
	*tx->tail = e;
	tx->tail = &e->next;
	*ret = e;
	return 0;
nomem:
	tx->failed = true;
	return -ENOMEM;
}

static bool id_in_use(const struct xs_model *m, uint32_t id)
{
	const struct xsm_tx *tx;

	for (tx = m->txs; tx; tx = tx->next)
		if (tx->id == id)
			return true;
	return false;
}

/**
 * xs_model_tx_start() - open a transaction on the caller's connection.
 * @m: the model.
 * @c: the caller.
 * @ret_tx: the new id, never 0.
 *
 * Return: 0, -ENOSPC (transaction quota: as xenstored compares with '>', one
 * transaction beyond it is still accepted) or -ENOMEM.
 */
int xs_model_tx_start(struct xs_model *m, const struct xs_model_caller *c, uint32_t *ret_tx)
{
	struct xsm_tx *tx;
	unsigned int open = 0;

	for (tx = m->txs; tx; tx = tx->next)
		open += tx->conn == c->conn;
	if (!c->privileged && m->quota.transactions && open > m->quota.transactions)
		return -ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (!tx || xsm_htab_init(&tx->entries) < 0) {
		free(tx);
		return -ENOMEM;
	}
	tx->conn = c->conn;
	tx->tail = &tx->first;
	do {
		tx->id = m->next_txid++;
	} while (tx->id == 0 || id_in_use(m, tx->id));
	tx->next = m->txs;
	m->txs = tx;
	*ret_tx = tx->id;
	return 0;
}

/* xenstored (acc_fix_domains) refuses a commit that leaves an unprivileged
 * domain at or over its node quota, checked only if the transaction created
 * nodes and was committed by an unprivileged caller. Note '>=': unlike
 * writes outside a transaction, a commit cannot fill the quota exactly. */
static int commit_quota(const struct xs_model *m, const struct xs_model_caller *c,
			const struct xsm_tx *tx)
{
	unsigned int i;
	long n;

	if (c->privileged || !tx->created || !m->quota.nodes)
		return 0;
	for (i = 0; i < tx->delta.len; i++) {
		if (tx->delta.v[i].domid == 0)
			continue;
		n = xsm_counts_get(&m->owned, tx->delta.v[i].domid) + tx->delta.v[i].n;
		if (n >= (long)m->quota.nodes)
			return -ENOSPC;
	}
	return 0;
}

static int commit_check(struct xs_model *m, const struct xsm_tx *tx)
{
	const struct xsm_tx_entry *e;
	const struct xsm_node *g;

	for (e = tx->first; e; e = e->next) {
		g = xsm_lookup(m, e->path);
		if ((g ? g->gen : XSM_GEN_NONE) != e->gen0)
			return -EAGAIN;
	}
	/* Reserve every owner's count slot: applying must not fail. */
	for (e = tx->first; e; e = e->next)
		if (e->modified && e->node &&
		    xsm_counts_slot(&m->owned, e->node->perms.e[0].domid) < 0)
			return -ENOMEM;
	return 0;
}

static int tx_commit(struct xs_model *m, const struct xs_model_caller *c, struct xsm_tx *tx)
{
	struct xsm_tx_entry *e;
	const struct xsm_node *g;
	int r;

	if (m->fail_commits) {
		m->fail_commits--;
		return -EAGAIN;
	}
	if (tx->failed)
		return -ENOMEM;
	r = commit_quota(m, c, tx);
	if (r < 0 || (r = commit_check(m, tx)) < 0)
		return r;

	for (e = tx->first; e; e = e->next) {
		if (!e->modified)
			continue;
		if (e->node)
			xsm_tree_put(m, e->node);
		else
			xsm_tree_remove(m, e->path);
		e->node = NULL;
	}
	for (e = tx->first; e; e = e->next) {
		if (!e->fire)
			continue;
		g = xsm_lookup(m, e->path);
		/* As xenstored: a node created and removed inside the
		 * transaction has no permissions to show anyone. */
		if (g || e->perms0.n)
			xsm_fire(m, e->path, e->exact, g, e->perms0.n ? &e->perms0 : NULL);
	}
	return 0;
}

/**
 * xs_model_tx_end() - commit or abort a transaction; either way it ends.
 * @m: the model.
 * @c: the caller.
 * @id: the transaction.
 * @commit: true to commit, false to abort.
 *
 * Return: 0, -ENOENT (no such transaction on this connection), -EAGAIN
 * (conflict, or an armed failure: nothing applied), -ENOSPC (node quota) or
 * -ENOMEM.
 */
int xs_model_tx_end(struct xs_model *m, const struct xs_model_caller *c, uint32_t id, bool commit)
{
	struct xsm_tx *tx, **pp;
	int r;

	r = xsm_tx_find(m, c, id, &tx);
	if (r < 0)
		return r;
	for (pp = &m->txs; *pp != tx; pp = &(*pp)->next)
		;
	*pp = tx->next;
	r = commit ? tx_commit(m, c, tx) : 0;
	tx_free(tx);
	return r;
}

/**
 * xsm_txs_drop() - abort the transactions of @conn, or all of them.
 * @m: the model.
 * @conn: the connection.
 * @all: ignore @conn and drop every transaction.
 */
void xsm_txs_drop(struct xs_model *m, uint64_t conn, bool all)
{
	struct xsm_tx *tx, **pp = &m->txs;

	while ((tx = *pp)) {
		if (all || tx->conn == conn) {
			*pp = tx->next;
			tx_free(tx);
		} else {
			pp = &tx->next;
		}
	}
}

/**
 * xs_model_fail_commits() - make the next @count commits fail with -EAGAIN.
 * @m: the model.
 * @count: how many; 0 disarms.
 */
void xs_model_fail_commits(struct xs_model *m, unsigned int count)
{
	m->fail_commits = count;
}
