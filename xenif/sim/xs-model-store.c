/* SPDX-License-Identifier: MIT */
/*
 * xs-model-store.c - the node store under the XenStore model's requests:
 * the hash table of committed nodes, ownership counts, path rules, the
 * permission check, and the views through which requests see the store
 * (the committed tree, or a transaction laid over it), with the two tree
 * changes every request is built from: creating a node with its missing
 * ancestors, and removing a subtree.
 *
 * Behaviour follows the C xenstored of Xen 4.17 where a client can see it:
 * which errno each failure gives (a caller learns ENOENT only where it may
 * access the nearest existing ancestor), that new nodes take the nearest
 * ancestor's permissions and an unprivileged creator owns them, and that rm
 * fires the watches of every removed node.
 */
#include "xs-model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs-model-int.h"

#define HTAB_MIN_SLOTS 64u
#define PERM_ALL (XS_MODEL_PERM_BOTH | XSM_PERM_OWNER)

static size_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (size_t)h;
}

int xsm_htab_init(struct xsm_htab *t)
{
	t->slot = calloc(HTAB_MIN_SLOTS, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->nslots = HTAB_MIN_SLOTS;
	t->count = 0;
	return 0;
}

struct xsm_hent *xsm_htab_find(const struct xsm_htab *t, const char *key)
{
	struct xsm_hent *e;

	for (e = t->slot[hash_str(key) % t->nslots]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Best effort: when the bigger array cannot be had, chains just grow. */
static void htab_grow(struct xsm_htab *t)
{
	size_t n = t->nslots * 2, i, h;
	struct xsm_hent **slot, *e, *next;

	slot = calloc(n, sizeof(*slot));
	if (!slot)
		return;
	for (i = 0; i < t->nslots; i++) {
		for (e = t->slot[i]; e; e = next) {
			next = e->next;
			h = hash_str(e->key) % n;
			e->next = slot[h];
			slot[h] = e;
		}
	}
	free(t->slot);
	t->slot = slot;
	t->nslots = n;
}

/* Never fails, so callers may add after the point of no return. */
void xsm_htab_add(struct xsm_htab *t, struct xsm_hent *e)
{
	size_t h;

	if (t->count >= t->nslots)
		htab_grow(t);
	h = hash_str(e->key) % t->nslots;
	e->next = t->slot[h];
	t->slot[h] = e;
	t->count++;
}

struct xsm_hent *xsm_htab_del(struct xsm_htab *t, const char *key)
{
	struct xsm_hent **pp, *e;

	for (pp = &t->slot[hash_str(key) % t->nslots]; (e = *pp); pp = &e->next) {
		if (strcmp(e->key, key) == 0) {
			*pp = e->next;
			t->count--;
			return e;
		}
	}
	return NULL;
}

void xsm_htab_done(struct xsm_htab *t)
{
	free(t->slot);
	t->slot = NULL;
	t->nslots = t->count = 0;
}

/* Slots are never removed, so an index stays valid; reserving one before a
 * change lets xsm_counts_add() run where failing is no longer allowed. */
int xsm_counts_slot(struct xsm_counts *c, uint32_t domid)
{
	struct xsm_count *v;
	unsigned int i, cap;

	for (i = 0; i < c->len; i++)
		if (c->v[i].domid == domid)
			return (int)i;
	if (c->len == c->cap) {
		cap = c->cap ? c->cap * 2 : 8;
		v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->len] = (struct xsm_count){ .domid = domid, .n = 0 };
	return (int)c->len++;
}

long xsm_counts_get(const struct xsm_counts *c, uint32_t domid)
{
	unsigned int i;

	for (i = 0; i < c->len; i++)
		if (c->v[i].domid == domid)
			return c->v[i].n;
	return 0;
}

void xsm_counts_add(struct xsm_counts *c, uint32_t domid, long d)
{
	int i = xsm_counts_slot(c, domid);

	if (i >= 0)
		c->v[i].n += d;
}

uint32_t xsm_owner(const struct xsm_node *n)
{
	return n->perms.e[0].domid;
}

struct xsm_node *xsm_node_free(struct xsm_node *n)
{
	unsigned int i;

	if (!n)
		return NULL;
	for (i = 0; i < n->nkids; i++)
		free(n->kids[i]);
	free(n->kids);
	free(n->perms.e);
	free(n->value);
	free(n->path);
	free(n);
	return NULL;
}

struct xsm_node *xsm_node_new(const char *path, size_t len)
{
	struct xsm_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = strndup(path, len);
	n->value = calloc(1, 1);
	if (!n->path || !n->value)
		return xsm_node_free(n);
	n->h.key = n->path;
	return n;
}

int xsm_node_set_value(struct xsm_node *n, const void *value, size_t len)
{
	char *v = malloc(len + 1);

	if (!v)
		return -ENOMEM;
	if (len)
		memcpy(v, value, len);
	v[len] = '\0';
	free(n->value);
	n->value = v;
	n->len = len;
	return 0;
}

/* Fills @dst (whose old list the caller has freed or kept) on success only. */
int xsm_perms_copy(struct xsm_perms *dst, const struct xs_model_perm_entry *e, unsigned int n)
{
	struct xs_model_perm_entry *copy = malloc((n ? n : 1) * sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	if (n)
		memcpy(copy, e, n * sizeof(*copy));
	dst->e = copy;
	dst->n = n;
	return 0;
}

static int kids_reserve(struct xsm_node *n, unsigned int more)
{
	unsigned int cap = n->kids_cap ? n->kids_cap : 4;
	char **k;

	if (n->nkids + more <= n->kids_cap)
		return 0;
	while (cap < n->nkids + more)
		cap *= 2;
	k = realloc(n->kids, cap * sizeof(*k));
	if (!k)
		return -ENOMEM;
	n->kids = k;
	n->kids_cap = cap;
	return 0;
}

/* Index of @name among the sorted children, or where it would go. */
static unsigned int kids_pos(const struct xsm_node *n, const char *name, bool *found)
{
	unsigned int lo = 0, hi = n->nkids, mid;
	int c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(n->kids[mid], name);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Takes @name; room was reserved with kids_reserve(). */
static void kids_insert(struct xsm_node *n, char *name)
{
	bool found;
	unsigned int i = kids_pos(n, name, &found);

	if (found) {
		free(name);
		return;
	}
	memmove(n->kids + i + 1, n->kids + i, (n->nkids - i) * sizeof(*n->kids));
	n->kids[i] = name;
	n->nkids++;
}

void xsm_kids_remove(struct xsm_node *n, const char *name)
{
	bool found;
	unsigned int i = kids_pos(n, name, &found);

	if (!found)
		return;
	free(n->kids[i]);
	n->nkids--;
	memmove(n->kids + i, n->kids + i + 1, (n->nkids - i) * sizeof(*n->kids));
}

struct xsm_node *xsm_node_dup(const struct xsm_node *src)
{
	struct xsm_node *n = xsm_node_new(src->path, strlen(src->path));
	unsigned int i;

	if (!n)
		return NULL;
	if (xsm_node_set_value(n, src->value, src->len) < 0 ||
	    xsm_perms_copy(&n->perms, src->perms.e, src->perms.n) < 0 ||
	    kids_reserve(n, src->nkids) < 0)
		return xsm_node_free(n);
	for (i = 0; i < src->nkids; i++) {
		n->kids[i] = strdup(src->kids[i]);
		if (!n->kids[i])
			return xsm_node_free(n);
		n->nkids++;
	}
	n->gen = src->gen;
	return n;
}

/* xenstored's perm_for_conn(): the owner and privileged callers get
 * everything, else the first entry naming the domain, else entry 0. */
unsigned int xsm_perm_for(uint32_t domid, bool privileged, const struct xsm_perms *p)
{
	unsigned int i;

	if (privileged || p->e[0].domid == domid)
		return PERM_ALL;
	for (i = 1; i < p->n; i++)
		if (p->e[i].domid == domid)
			return p->e[i].perm;
	return p->e[0].perm;
}

/* Length of a leading "/local/domain/<domid>/": xenstored limits only what
 * follows it to XENSTORE_REL_PATH_MAX (its sscanf takes up to 5 digits). */
static size_t home_prefix_len(const char *path)
{
	static const char local[] = "/local/domain/";
	size_t i = sizeof(local) - 1, d;

	if (strncmp(path, local, i) != 0)
		return 0;
	for (d = 0; d < 5 && path[i + d] >= '0' && path[i + d] <= '9'; d++)
		;
	if (d == 0 || path[i + d] != '/')
		return 0;
	return i + d + 1;
}

/*
 * xenstored's canonicalize() and is_valid_nodename(): only [A-Za-z0-9-/_@]
 * ('@' is allowed anywhere, as xenstored does, but a leading one marks a
 * special watch name); relative paths hang off /local/domain/<domid>; no
 * "//", no trailing '/'. @buf receives the result (XSM_PATH_BUF bytes).
 */
int xsm_canonicalize(const struct xs_model_caller *c, const char *path, bool allow_special,
		     char *buf, bool *ret_relative)
{
	static const char valid[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789-/_@";
	size_t len, off = 0;

	if (!path)
		return -EINVAL;
	len = strnlen(path, XS_MODEL_ABS_PATH_MAX + 1);
	if (len > XS_MODEL_ABS_PATH_MAX || strspn(path, valid) != len)
		return -EINVAL;
	*ret_relative = false;
	if (path[0] == '@') {
		if (!allow_special || len > XS_MODEL_REL_PATH_MAX)
			return -EINVAL;
		memcpy(buf, path, len + 1);
		return 0;
	}
	if (path[0] != '/') {
		off = (size_t)snprintf(buf, XSM_PATH_BUF, "/local/domain/%u/", c->domid);
		*ret_relative = true;
	}
	memcpy(buf + off, path, len + 1);
	len += off;
	if ((len > 1 && buf[len - 1] == '/') || strstr(buf, "//"))
		return -EINVAL;
	if (len - home_prefix_len(buf) > XS_MODEL_REL_PATH_MAX)
		return -EINVAL;
	return 0;
}

size_t xsm_parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == path ? 1 : (size_t)(slash - path);
}

/* Is @child @parent or below it? Component-wise: /a/bc is not below /a/b. */
bool xsm_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	return strncmp(child, parent, len) == 0 && (child[len] == '/' || child[len] == '\0');
}

struct xsm_perms *xsm_special_perms(struct xs_model *m, const char *name)
{
	if (strcmp(name, XSM_SPECIAL_INTRODUCE) == 0)
		return &m->special[0];
	if (strcmp(name, XSM_SPECIAL_RELEASE) == 0)
		return &m->special[1];
	return NULL;
}

struct xsm_node *xsm_lookup(const struct xs_model *m, const char *path)
{
	return (struct xsm_node *)xsm_htab_find(&m->nodes, path);
}

void xsm_tree_remove(struct xs_model *m, const char *path)
{
	struct xsm_node *n = (struct xsm_node *)xsm_htab_del(&m->nodes, path);

	if (!n)
		return;
	xsm_counts_add(&m->owned, xsm_owner(n), -1);
	xsm_node_free(n);
}

/* Takes @n, replacing any node of its path; the owner's count slot must
 * have been reserved. Every committed change gets a new generation. */
void xsm_tree_put(struct xs_model *m, struct xsm_node *n)
{
	xsm_tree_remove(m, n->path);
	n->gen = ++m->gen;
	xsm_htab_add(&m->nodes, &n->h);
	xsm_counts_add(&m->owned, xsm_owner(n), 1);
}

/*
 * Views. Outside a transaction they act on the committed tree at once and
 * fire watches at once. Inside one they act on the transaction's copies
 * (xsm_view_get() makes one on first touch), count node ownership as deltas and
 * only note which events to fire at commit.
 */
static struct xsm_tx_entry *tx_entry(struct xsm_tx *tx, const char *path)
{
	return (struct xsm_tx_entry *)xsm_htab_find(&tx->entries, path);
}

int xsm_view_get(struct xsm_view *v, const char *path, struct xsm_node **ret)
{
	struct xsm_tx_entry *e;
	int r;

	if (!v->tx) {
		*ret = xsm_lookup(v->m, path);
		return 0;
	}
	r = xsm_tx_get(v->tx, v->m, path, &e);
	if (r < 0)
		return r;
	*ret = e->node;
	return 0;
}

/* @n came from xsm_view_get() and has just been changed. */
void xsm_view_touch(struct xsm_view *v, struct xsm_node *n)
{
	if (v->tx)
		tx_entry(v->tx, n->path)->modified = true;
	else
		n->gen = ++v->m->gen;
}

/* Takes @n, whose path xsm_view_get() found empty; its owner slot is reserved. */
static void view_insert(struct xsm_view *v, struct xsm_node *n)
{
	struct xsm_tx_entry *e;

	if (!v->tx) {
		xsm_tree_put(v->m, n);
		return;
	}
	e = tx_entry(v->tx, n->path);
	e->node = n;
	e->modified = true;
	xsm_counts_add(&v->tx->delta, xsm_owner(n), 1);
	v->tx->created++;
}

static void view_remove(struct xsm_view *v, const char *path)
{
	struct xsm_tx_entry *e;

	if (!v->tx) {
		xsm_tree_remove(v->m, path);
		return;
	}
	e = tx_entry(v->tx, path);
	xsm_counts_add(&v->tx->delta, xsm_owner(e->node), -1);
	e->node = xsm_node_free(e->node);
	e->modified = true;
}

int xsm_view_reserve(struct xsm_view *v, uint32_t domid)
{
	int r = xsm_counts_slot(v->tx ? &v->tx->delta : &v->m->owned, domid);

	return r < 0 ? r : 0;
}

static long view_owned(const struct xsm_view *v, uint32_t domid)
{
	long n = xsm_counts_get(&v->m->owned, domid);

	return v->tx ? n + xsm_counts_get(&v->tx->delta, domid) : n;
}

void xsm_view_changed(struct xsm_view *v, const char *path, bool exact, const struct xsm_node *n,
		      const struct xsm_perms *old_perms)
{
	struct xsm_tx_entry *e;

	if (!v->tx) {
		xsm_fire(v->m, path, exact, n, old_perms);
		return;
	}
	/* As xenstored queues them: a subtree event supersedes an exact one. */
	e = tx_entry(v->tx, path);
	e->exact = e->fire ? e->exact && exact : exact;
	e->fire = true;
}

int xsm_view_open(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		  struct xsm_view *v)
{
	v->m = m;
	v->c = c;
	v->tx = NULL;
	return tx ? xsm_tx_find(m, c, tx, &v->tx) : 0;
}

unsigned int xsm_caller_perm(const struct xsm_view *v, const struct xsm_perms *p)
{
	return xsm_perm_for(v->c->domid, v->c->privileged, p);
}

/*
 * Find @path for an access needing all of @need, with xenstored's errors:
 * -EACCES when the node exists without them; when it is missing, -ENOENT
 * if its nearest existing ancestor grants any of @need, else -EACCES, so
 * that nobody learns whether nodes it could not see exist. *ret is the node
 * (NULL when missing) even on failure.
 */
int xsm_view_get_checked(struct xsm_view *v, const char *path, unsigned int need,
			 struct xsm_node **ret)
{
	char buf[XSM_PATH_BUF];
	struct xsm_node *n;
	size_t len;
	int r;

	r = xsm_view_get(v, path, ret);
	if (r < 0)
		return r;
	if (*ret)
		return (xsm_caller_perm(v, &(*ret)->perms) & need) == need ? 0 : -EACCES;
	len = strlen(path);
	memcpy(buf, path, len + 1);
	do {
		len = xsm_parent_len(buf);
		buf[len] = '\0';
		r = xsm_view_get(v, buf, &n);
		if (r < 0)
			return r;
	} while (!n && len > 1);
	return n && (xsm_caller_perm(v, &n->perms) & need) ? -ENOENT : -EACCES;
}

/* The missing nodes from below @anc down to @path, each holding the next
 * one's name and @anc's permissions with @owner; the last gets the value. */
static int chain_build(const char *path, size_t start, const struct xsm_node *anc,
		       uint32_t owner_id, const void *value, size_t len, struct xsm_node **chain,
		       unsigned int nmiss)
{
	size_t pos = start, end, plen = strlen(path);
	const char *next;
	unsigned int k;
	char *kid;

	for (k = 0; k < nmiss; k++, pos = end) {
		next = strchr(path + pos + 1, '/');
		end = next ? (size_t)(next - path) : plen;
		chain[k] = xsm_node_new(path, end);
		if (!chain[k] || xsm_perms_copy(&chain[k]->perms, anc->perms.e, anc->perms.n) < 0)
			return -ENOMEM;
		chain[k]->perms.e[0].domid = owner_id;
		if (k + 1 == nmiss)
			return xsm_node_set_value(chain[k], value, len);
		next = strchr(path + end + 1, '/');
		kid = strndup(path + end + 1, (next ? (size_t)(next - path) : plen) - end - 1);
		if (!kid || kids_reserve(chain[k], 1) < 0) {
			free(kid);
			return -ENOMEM;
		}
		kids_insert(chain[k], kid);
	}
	return 0;
}

/*
 * Create the missing @path and its missing ancestors (xenstored's
 * create_node()): each new node copies the permissions of the nearest
 * existing ancestor, owned by the caller when unprivileged, and the whole
 * chain counts against the caller's node quota (-ENOSPC, as xenstored).
 */
int xsm_view_create(struct xsm_view *v, const char *path, const void *value, size_t len,
		    struct xsm_node **ret)
{
	struct xsm_node *anc, **chain;
	char buf[XSM_PATH_BUF], *kid0;
	size_t alen, start, i, plen = strlen(path);
	unsigned int nmiss = 0, k;
	uint32_t owner_id;
	int r;

	memcpy(buf, path, plen + 1);
	do {
		alen = xsm_parent_len(buf);
		buf[alen] = '\0';
		r = xsm_view_get(v, buf, &anc);
		if (r < 0)
			return r;
	} while (!anc);
	start = alen == 1 ? 0 : alen;
	for (i = start; i < plen; i++)
		nmiss += path[i] == '/';
	if (!v->c->privileged && v->m->quota.nodes &&
	    view_owned(v, v->c->domid) + (long)nmiss > (long)v->m->quota.nodes)
		return -ENOSPC;
	owner_id = v->c->privileged ? xsm_owner(anc) : v->c->domid;
	r = xsm_view_reserve(v, owner_id);
	if (r < 0 || (r = kids_reserve(anc, 1)) < 0)
		return r;

	chain = calloc(nmiss, sizeof(*chain));
	kid0 = strndup(path + start + 1, strcspn(path + start + 1, "/"));
	r = -ENOMEM;
	if (chain && kid0)
		r = chain_build(path, start, anc, owner_id, value, len, chain, nmiss);
	if (r < 0) {
		for (k = 0; chain && k < nmiss; k++)
			xsm_node_free(chain[k]);
		free(chain);
		free(kid0);
		return r;
	}
	kids_insert(anc, kid0);
	xsm_view_touch(v, anc);
	for (k = 0; k < nmiss; k++)
		view_insert(v, chain[k]);
	*ret = chain[nmiss - 1];
	free(chain);
	return 0;
}

/*
 * Remove the subtree at @buf (@blen long; restored on return), children
 * first, each node firing its own watches (exact) and the top one its
 * ancestors' too, while the node and its parent are still there to check
 * the watchers' permissions against: xenstored's delnode_sub().
 */
int xsm_view_rm_tree(struct xsm_view *v, char *buf, size_t blen, bool top)
{
	struct xsm_node *n;
	size_t klen, clen = blen == 1 ? 0 : blen;
	unsigned int i;
	int r;

	r = xsm_view_get(v, buf, &n);
	if (r < 0 || !n)
		return r;
	for (i = 0; i < n->nkids; i++) {
		klen = strlen(n->kids[i]);
		if (clen + 1 + klen >= XSM_PATH_BUF)
			return -EIO;
		buf[clen] = '/';
		memcpy(buf + clen + 1, n->kids[i], klen + 1);
		r = xsm_view_rm_tree(v, buf, clen + 1 + klen, false);
		buf[blen] = '\0';
		if (r < 0)
			return r;
	}
	r = xsm_view_reserve(v, xsm_owner(n));
	if (r < 0)
		return r;
	xsm_view_changed(v, buf, !top, n, NULL);
	view_remove(v, buf);
	return 0;
}
