/* SPDX-License-Identifier: MIT */
/*
 * xs-model.c - the XenStore model's life cycle and its node requests: read,
 * write, mkdir, rm, directory, get and set permissions. Each request
 * resolves its path, opens a view (the committed tree, or the caller's
 * transaction) and works through the helpers of xs-model-store.c; watches
 * live in xs-model-watch.c, transactions in xs-model-tx.c, and the layout
 * the files share is described in xs-model-int.h.
 *
 * Quotas apply to unprivileged callers only, with xenstored's errors:
 * ENOSPC for nodes, value size and permission entries, E2BIG for watches.
 */
#include "xs-model.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs-model-int.h"

#define PERM_WO (XS_MODEL_PERM_WRITE | XSM_PERM_OWNER)

/* xenstored 4.17's defaults (quota_nb_entry_per_domain and the others). */
static const struct xs_model_quota default_quota = {
	.nodes = 1000,
	.watches = 128,
	.transactions = 10,
	.value_bytes = 2048,
	.perms_per_node = 5,
};

/**
 * xs_model_new() - create a store holding "/", "/local" and "/local/domain",
 * owned by dom0 with no access for others, and xenstored's default quotas.
 * @fire: watch event callback (may be NULL); it must not call into the model.
 * @opaque: passed to @fire.
 * @ret: the new model.
 *
 * Return: 0, or -ENOMEM.
 */
int xs_model_new(xs_model_watch_fn fire, void *opaque, struct xs_model **ret)
{
	static const struct xs_model_caller dom0 = { .domid = 0, .privileged = true };
	static const struct xs_model_perm_entry none = { 0, XS_MODEL_PERM_NONE };
	struct xs_model *m = calloc(1, sizeof(*m));
	struct xsm_node *root;

	if (!m)
		return -ENOMEM;
	m->fire = fire;
	m->opaque = opaque;
	m->next_txid = 1;
	m->quota = default_quota;
	root = xsm_node_new("/", 1);
	if (xsm_htab_init(&m->nodes) < 0 || !root || xsm_perms_copy(&root->perms, &none, 1) < 0 ||
	    xsm_counts_slot(&m->owned, 0) < 0 || xsm_perms_copy(&m->special[0], &none, 1) < 0 ||
	    xsm_perms_copy(&m->special[1], &none, 1) < 0) {
		xsm_node_free(root);
		xs_model_free(m);
		return -ENOMEM;
	}
	xsm_tree_put(m, root);
	if (xs_model_mkdir(m, &dom0, 0, "/local/domain") < 0) {
		xs_model_free(m);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

/**
 * xs_model_free() - free @m with its nodes, watches and transactions.
 * @m: the model, or NULL.
 *
 * Return: NULL.
 */
struct xs_model *xs_model_free(struct xs_model *m)
{
	struct xsm_hent *e, *next;
	size_t i;

	if (!m)
		return NULL;
	xsm_watches_drop(m, 0, true);
	xsm_txs_drop(m, 0, true);
	for (i = 0; i < m->nodes.nslots; i++) {
		for (e = m->nodes.slot[i]; e; e = next) {
			next = e->next;
			xsm_node_free((struct xsm_node *)e);
		}
	}
	xsm_htab_done(&m->nodes);
	free(m->owned.v);
	free(m->special[0].e);
	free(m->special[1].e);
	free(m);
	return NULL;
}

/**
 * xs_model_set_quota() - replace the quotas for unprivileged callers.
 * @m: the model.
 * @q: the new quotas; 0 in a field means unlimited.
 */
void xs_model_set_quota(struct xs_model *m, const struct xs_model_quota *q)
{
	m->quota = *q;
}

/* Every request starts the same way: the caller's view (plain or inside
 * its transaction), then the path made absolute and checked. */
static int begin(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		 const char *path, bool special_ok, struct xsm_view *v, char *buf, bool *rel)
{
	int r = xsm_view_open(m, c, tx, v);

	if (r < 0)
		return r;
	return xsm_canonicalize(c, path, special_ok, buf, rel);
}

/**
 * xs_model_read() - read a node's value (needs READ).
 * @m: the model.
 * @c: the caller.
 * @tx: transaction id, or 0.
 * @path: absolute or relative path.
 * @ret_value: the value, valid until the next call that may change the model.
 * @ret_len: its length.
 *
 * Return: 0, -EINVAL (bad path), -ENOENT, -EACCES or -ENOMEM.
 */
int xs_model_read(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		  const char *path, const char **ret_value, size_t *ret_len)
{
	char buf[XSM_PATH_BUF];
	struct xsm_view v;
	struct xsm_node *n;
	bool rel;
	int r;

	r = begin(m, c, tx, path, false, &v, buf, &rel);
	if (r < 0)
		return r;
	r = xsm_view_get_checked(&v, buf, XS_MODEL_PERM_READ, &n);
	if (r < 0)
		return r;
	*ret_value = n->value;
	*ret_len = n->len;
	return 0;
}

/* write and mkdir: find @buf with WRITE on it, or learn that it is to be
 * created (WRITE on the nearest existing ancestor). */
static int write_prepare(struct xsm_view *v, const char *buf, struct xsm_node **ret,
			 bool *ret_created)
{
	int r = xsm_view_get_checked(v, buf, XS_MODEL_PERM_WRITE, ret);

	*ret_created = r == -ENOENT;
	return *ret_created ? 0 : r;
}

/**
 * xs_model_write() - set a node's value, creating it and missing ancestors.
 * @m: the model.
 * @c: the caller.
 * @tx: transaction id, or 0.
 * @path: absolute or relative path.
 * @value: the bytes (may be NULL when @len is 0).
 * @len: their number.
 *
 * Return: 0, -E2BIG (over XS_MODEL_VALUE_MAX), -ENOSPC (value or node quota),
 * -EINVAL, -EACCES, -ENOENT (bad transaction) or -ENOMEM.
 */
int xs_model_write(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		   const char *path, const void *value, size_t len)
{
	char buf[XSM_PATH_BUF];
	struct xsm_view v;
	struct xsm_node *n;
	bool rel, created;
	int r;

	if (len > XS_MODEL_VALUE_MAX)
		return -E2BIG;
	r = begin(m, c, tx, path, false, &v, buf, &rel);
	if (r < 0)
		return r;
	r = write_prepare(&v, buf, &n, &created);
	if (r < 0)
		return r;
	/* xenstored limits the whole record (2048 bytes with the permissions
	 * and child names); the value alone is what clients can plan for. */
	if (!c->privileged && m->quota.value_bytes && len > m->quota.value_bytes)
		return -ENOSPC;
	if (created) {
		r = xsm_view_create(&v, buf, value, len, &n);
	} else {
		r = xsm_node_set_value(n, value, len);
		if (r >= 0)
			xsm_view_touch(&v, n);
	}
	if (r < 0)
		return r;
	xsm_view_changed(&v, buf, false, n, NULL);
	return 0;
}

/**
 * xs_model_mkdir() - create an empty node and missing ancestors; an existing
 * node (which needs WRITE, as in xenstored) is left alone, firing nothing.
 * @m: the model.
 * @c: the caller.
 * @tx: transaction id, or 0.
 * @path: absolute or relative path.
 *
 * Return: 0, -ENOSPC (node quota), -EINVAL, -EACCES, -ENOENT or -ENOMEM.
 */
int xs_model_mkdir(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		   const char *path)
{
	char buf[XSM_PATH_BUF];
	struct xsm_view v;
	struct xsm_node *n;
	bool rel, created;
	int r;

	r = begin(m, c, tx, path, false, &v, buf, &rel);
	if (r < 0)
		return r;
	r = write_prepare(&v, buf, &n, &created);
	if (r < 0 || !created)
		return r;
	r = xsm_view_create(&v, buf, NULL, 0, &n);
	if (r < 0)
		return r;
	xsm_view_changed(&v, buf, false, n, NULL);
	return 0;
}

/**
 * xs_model_rm() - remove a node and everything below it (needs WRITE on it).
 * @m: the model.
 * @c: the caller.
 * @tx: transaction id, or 0.
 * @path: absolute or relative path.
 *
 * Return: 0 (also when the node is missing but its parent exists), -ENOENT
 * (missing parent, or bad transaction), -EINVAL ("/" or a bad path),
 * -EACCES or -ENOMEM.
 */
int xs_model_rm(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx, const char *path)
{
	char buf[XSM_PATH_BUF], pbuf[XSM_PATH_BUF];
	struct xsm_node *n, *parent;
	struct xsm_view v;
	size_t plen;
	bool rel;
	int r;

	r = begin(m, c, tx, path, false, &v, buf, &rel);
	if (r < 0)
		return r;
	r = xsm_view_get_checked(&v, buf, XS_MODEL_PERM_WRITE, &n);
	if (r < 0 && r != -ENOENT)
		return r;
	plen = strcmp(buf, "/") ? xsm_parent_len(buf) : 1;
	memcpy(pbuf, buf, plen);
	pbuf[plen] = '\0';
	if (r == -ENOENT) {
		r = xsm_view_get(&v, pbuf, &parent);
		return r < 0 ? r : parent ? 0 : -ENOENT;
	}
	if (strcmp(buf, "/") == 0)
		return -EINVAL;

	r = xsm_view_get(&v, pbuf, &parent);
	if (r >= 0 && !parent)
		r = -EIO; /* an existing node always has a parent */
	if (r >= 0)
		r = xsm_view_rm_tree(&v, buf, strlen(buf), true);
	if (r < 0) {
		/* A half-removed subtree must never be committed. */
		if (v.tx)
			v.tx->failed = true;
		return r;
	}
	xsm_kids_remove(parent, strrchr(buf, '/') + 1);
	xsm_view_touch(&v, parent);
	return 0;
}

/**
 * xs_model_directory() - list a node's children (needs READ).
 * @m: the model.
 * @c: the caller.
 * @tx: transaction id, or 0.
 * @path: absolute or relative path.
 * @buf: receives the names, sorted by strcmp, each NUL-terminated.
 * @bufsz: its size.
 *
 * Return: bytes used, -E2BIG when @bufsz is too small, -EINVAL, -ENOENT,
 * -EACCES or -ENOMEM.
 */
int xs_model_directory(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		       const char *path, char *buf, size_t bufsz)
{
	char pbuf[XSM_PATH_BUF];
	struct xsm_view v;
	struct xsm_node *n;
	size_t total = 0, len;
	unsigned int i;
	bool rel;
	int r;

	r = begin(m, c, tx, path, false, &v, pbuf, &rel);
	if (r < 0)
		return r;
	r = xsm_view_get_checked(&v, pbuf, XS_MODEL_PERM_READ, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n->nkids; i++)
		total += strlen(n->kids[i]) + 1;
	if (total > bufsz || total > INT_MAX)
		return -E2BIG;
	for (i = 0, total = 0; i < n->nkids; i++) {
		len = strlen(n->kids[i]) + 1;
		memcpy(buf + total, n->kids[i], len);
		total += len;
	}
	return (int)total;
}

static int copy_perms_out(const struct xsm_perms *p, struct xs_model_perm_entry *perms,
			  unsigned int n)
{
	memcpy(perms, p->e, (n < p->n ? n : p->n) * sizeof(*perms));
	return (int)p->n;
}

/**
 * xs_model_get_perms() - a node's permission list (needs READ). The special
 * names "@introduceDomain" and "@releaseDomain" have lists of their own.
 * @m: the model.
 * @c: the caller.
 * @tx: transaction id, or 0.
 * @path: absolute, relative or special path.
 * @perms: receives up to @n entries.
 * @n: room in @perms.
 *
 * Return: the number of entries (may exceed @n), -EINVAL, -ENOENT, -EACCES
 * or -ENOMEM.
 */
int xs_model_get_perms(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		       const char *path, struct xs_model_perm_entry *perms, unsigned int n)
{
	char buf[XSM_PATH_BUF];
	struct xsm_perms *sp;
	struct xsm_view v;
	struct xsm_node *node;
	bool rel;
	int r;

	r = begin(m, c, tx, path, true, &v, buf, &rel);
	if (r < 0)
		return r;
	if (buf[0] == '@') {
		sp = xsm_special_perms(m, buf);
		if (!sp)
			return -ENOENT;
		if (!(xsm_caller_perm(&v, sp) & XS_MODEL_PERM_READ))
			return -EACCES;
		return copy_perms_out(sp, perms, n);
	}
	r = xsm_view_get_checked(&v, buf, XS_MODEL_PERM_READ, &node);
	return r < 0 ? r : copy_perms_out(&node->perms, perms, n);
}

/* Replace a special name's list: no node, no event (xenstored 4.17). */
static int set_special_perms(struct xsm_view *v, const char *name,
			     const struct xs_model_perm_entry *perms, unsigned int n)
{
	struct xsm_perms *sp = xsm_special_perms(v->m, name);
	struct xsm_perms copy;

	if (!sp)
		return -ENOENT;
	if ((xsm_caller_perm(v, sp) & PERM_WO) != PERM_WO)
		return -EACCES;
	if (xsm_perms_copy(&copy, perms, n) < 0)
		return -ENOMEM;
	free(sp->e);
	*sp = copy;
	return 0;
}

static int perms_validate(const struct xs_model_caller *c, const struct xs_model *m,
			  const struct xs_model_perm_entry *perms, unsigned int n)
{
	unsigned int i;

	if (!perms || n < 1 || n > XS_MODEL_PERMS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned int)perms[i].perm > XS_MODEL_PERM_BOTH)
			return -EINVAL;
	if (!c->privileged && m->quota.perms_per_node && n > m->quota.perms_per_node)
		return -ENOSPC;
	return 0;
}

/**
 * xs_model_set_perms() - replace a node's permission list. Needs ownership
 * (or privilege); an unprivileged caller cannot hand the node to another
 * domain (-EPERM, as xenstored). Fires the node's watches, letting watchers
 * that could read it under the old list see the change too.
 * @m: the model.
 * @c: the caller.
 * @tx: transaction id, or 0.
 * @path: absolute, relative or special path.
 * @perms: the list: entry 0 is the owner and everybody's default.
 * @n: its length, 1..XS_MODEL_PERMS_MAX.
 *
 * Return: 0, -EINVAL, -ENOSPC (more entries than the quota allows),
 * -EACCES, -EPERM, -ENOENT or -ENOMEM.
 */
int xs_model_set_perms(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		       const char *path, const struct xs_model_perm_entry *perms, unsigned int n)
{
	struct xsm_perms old, copy;
	struct xsm_counts *counts;
	char buf[XSM_PATH_BUF];
	struct xsm_view v;
	struct xsm_node *node;
	bool rel;
	int r;

	r = perms_validate(c, m, perms, n);
	if (r < 0)
		return r;
	r = begin(m, c, tx, path, true, &v, buf, &rel);
	if (r < 0)
		return r;
	if (buf[0] == '@')
		return set_special_perms(&v, buf, perms, n);
	r = xsm_view_get_checked(&v, buf, PERM_WO, &node);
	if (r < 0)
		return r;
	if (!c->privileged && perms[0].domid != xsm_owner(node))
		return -EPERM;
	r = xsm_view_reserve(&v, xsm_owner(node));
	if (r < 0 || (r = xsm_view_reserve(&v, perms[0].domid)) < 0 ||
	    (r = xsm_perms_copy(&copy, perms, n)) < 0)
		return r;
	old = node->perms;
	node->perms = copy;
	counts = v.tx ? &v.tx->delta : &m->owned;
	xsm_counts_add(counts, old.e[0].domid, -1);
	xsm_counts_add(counts, perms[0].domid, 1);
	xsm_view_touch(&v, node);
	xsm_view_changed(&v, buf, false, node, &old);
	free(old.e);
	return 0;
}

/**
 * xs_model_conn_gone() - forget a connection's watches and transactions.
 * @m: the model.
 * @conn: the connection.
 */
void xs_model_conn_gone(struct xs_model *m, uint64_t conn)
{
	xsm_watches_drop(m, conn, false);
	xsm_txs_drop(m, conn, false);
}

/**
 * xs_model_nodes_owned() - committed nodes whose owner is @domid.
 * @m: the model.
 * @domid: the domain.
 *
 * Return: the count.
 */
unsigned int xs_model_nodes_owned(const struct xs_model *m, uint32_t domid)
{
	long n = xsm_counts_get(&m->owned, domid);

	return n > 0 ? (unsigned int)n : 0;
}

static bool kid_listed(const struct xsm_node *p, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->nkids; i++)
		if (strcmp(p->kids[i], name) == 0)
			return true;
	return false;
}

static bool node_ok(const struct xs_model *m, const struct xsm_node *n)
{
	char buf[XSM_PATH_BUF];
	const struct xsm_node *p;
	unsigned int i;
	size_t len;
	int w;

	if (!n->perms.n || n->perms.n > XS_MODEL_PERMS_MAX || n->value[n->len] != '\0')
		return false;
	for (i = 0; i < n->nkids; i++) {
		if (i && strcmp(n->kids[i - 1], n->kids[i]) >= 0)
			return false;
		w = snprintf(buf, sizeof(buf), "%s/%s", strcmp(n->path, "/") ? n->path : "",
			     n->kids[i]);
		if (w < 0 || (size_t)w >= sizeof(buf) || !xsm_lookup(m, buf))
			return false;
	}
	if (strcmp(n->path, "/") == 0)
		return true;
	len = xsm_parent_len(n->path);
	memcpy(buf, n->path, len);
	buf[len] = '\0';
	p = xsm_lookup(m, buf);
	return p && kid_listed(p, n->path + (len == 1 ? 1 : len + 1));
}

/* Recount ownership from scratch; every owner must have a slot already. */
static bool counts_ok(const struct xs_model *m)
{
	const struct xsm_hent *e;
	long *tally = calloc(m->owned.len + 1, sizeof(*tally));
	bool ok = tally != NULL;
	unsigned int i;
	size_t s;

	for (s = 0; ok && s < m->nodes.nslots; s++) {
		for (e = m->nodes.slot[s]; ok && e; e = e->next) {
			for (i = 0; i < m->owned.len; i++)
				if (m->owned.v[i].domid == xsm_owner((const struct xsm_node *)e))
					break;
			ok = i < m->owned.len;
			if (ok)
				tally[i]++;
		}
	}
	for (i = 0; ok && i < m->owned.len; i++)
		ok = tally[i] == m->owned.v[i].n;
	free(tally);
	return ok;
}

/**
 * xs_model_check() - check the committed tree's invariants.
 * @m: the model.
 *
 * Return: 0 when every node's parent lists it, every listed child exists,
 * children are sorted and the ownership counts match a recount; -EUCLEAN
 * otherwise.
 */
int xs_model_check(const struct xs_model *m)
{
	const struct xsm_hent *e;
	size_t s;

	if (!xsm_lookup(m, "/"))
		return -EUCLEAN;
	for (s = 0; s < m->nodes.nslots; s++)
		for (e = m->nodes.slot[s]; e; e = e->next)
			if (!node_ok(m, (const struct xsm_node *)e))
				return -EUCLEAN;
	return counts_ok(m) ? 0 : -EUCLEAN;
}
