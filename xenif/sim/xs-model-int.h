/* SPDX-License-Identifier: MIT */
/*
 * xs-model-int.h - what the files of the XenStore model share: xs-model.c
 * (life cycle and node requests), xs-model-store.c (the store and the views
 * requests work through), xs-model-watch.c (watches and events) and
 * xs-model-tx.c (transactions). Nothing outside xenif/sim/xs-model*.c may
 * include it.
 *
 * Layout: the committed tree is a hash table of nodes keyed by absolute
 * path; each node names its children (sorted), so no pointer links the
 * nodes and a transaction can hold private copies of any of them. Every
 * request runs against a "view": the committed tree, or a transaction's
 * copies laid over it. A transaction copies a node the first time it
 * touches it and remembers the node's generation then; commit checks every
 * such generation, as xenstored does, and moves the copies into the tree.
 *
 * Lifetime: the model owns every node, watch and transaction; a node
 * handed out by a view stays valid until the next mutating call.
 */
#ifndef VSND_XS_MODEL_INT_H
#define VSND_XS_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs-model.h"

/* Internal permission bit: what the owner (and a privileged caller) has on
 * top of read and write, as XS_PERM_OWNER in xenstored. */
#define XSM_PERM_OWNER 4u
/* Generation of a node that does not exist. */
#define XSM_GEN_NONE UINT64_MAX
/* Room for any canonical path plus a separator and a NUL. */
#define XSM_PATH_BUF (XS_MODEL_ABS_PATH_MAX + 32u)

#define XSM_SPECIAL_INTRODUCE "@introduceDomain"
#define XSM_SPECIAL_RELEASE "@releaseDomain"

struct xsm_hent {
	struct xsm_hent *next;
	const char *key;
};

/* Chained hash table; entries embed struct xsm_hent as their first member. */
struct xsm_htab {
	struct xsm_hent **slot;
	size_t nslots;
	size_t count;
};

struct xsm_perms {
	struct xs_model_perm_entry *e;
	unsigned int n;
};

struct xsm_node {
	struct xsm_hent h; /* h.key == path */
	char *path;
	uint64_t gen;
	char *value; /* never NULL, NUL-terminated for convenience */
	size_t len;
	struct xsm_perms perms;
	char **kids; /* child names, sorted by strcmp */
	unsigned int nkids;
	unsigned int kids_cap;
};

/* Node counts per owner domain (committed) or deltas (transaction). */
struct xsm_count {
	uint32_t domid;
	long n;
};

struct xsm_counts {
	struct xsm_count *v;
	unsigned int len;
	unsigned int cap;
};

struct xsm_watch {
	struct xsm_watch *next;
	uint64_t conn;
	uint32_t domid;
	bool privileged;
	char *path; /* canonical (absolute or "@...") */
	char *token;
	size_t prefix_len; /* stripped from event paths if relative */
};

struct xsm_tx_entry {
	struct xsm_hent h; /* h.key == path */
	struct xsm_tx_entry *next; /* first-touch order */
	char *path;
	struct xsm_node *node; /* the transaction's copy; NULL = absent */
	uint64_t gen0; /* committed generation at first touch */
	struct xsm_perms perms0; /* committed permissions then (n = 0: none) */
	bool modified;
	bool fire;
	bool exact;
};

struct xsm_tx {
	struct xsm_tx *next;
	uint32_t id;
	uint64_t conn;
	bool failed; /* out of memory half-way: commit refuses */
	struct xsm_htab entries;
	struct xsm_tx_entry *first;
	struct xsm_tx_entry **tail;
	struct xsm_counts delta; /* owned-node changes, per domain */
	unsigned int created; /* nodes created (quota is checked on commit) */
};

struct xs_model {
	xs_model_watch_fn fire;
	void *opaque;
	struct xsm_htab nodes;
	struct xsm_counts owned;
	uint64_t gen;
	struct xs_model_quota quota;
	struct xsm_watch *watches; /* registration order */
	struct xsm_tx *txs;
	uint32_t next_txid;
	unsigned int fail_commits;
	struct xsm_perms special[2]; /* @introduceDomain, @releaseDomain */
};

/* A request's view of the store: committed tree, or a transaction. */
struct xsm_view {
	struct xs_model *m;
	const struct xs_model_caller *c;
	struct xsm_tx *tx;
};

/* xs-model-store.c: hash table, counts, nodes, permissions, paths. */
int xsm_htab_init(struct xsm_htab *t);
struct xsm_hent *xsm_htab_find(const struct xsm_htab *t, const char *key);
void xsm_htab_add(struct xsm_htab *t, struct xsm_hent *e);
struct xsm_hent *xsm_htab_del(struct xsm_htab *t, const char *key);
void xsm_htab_done(struct xsm_htab *t);
int xsm_counts_slot(struct xsm_counts *c, uint32_t domid);
long xsm_counts_get(const struct xsm_counts *c, uint32_t domid);
void xsm_counts_add(struct xsm_counts *c, uint32_t domid, long d);
uint32_t xsm_owner(const struct xsm_node *n);
struct xsm_node *xsm_node_new(const char *path, size_t len);
struct xsm_node *xsm_node_dup(const struct xsm_node *src);
struct xsm_node *xsm_node_free(struct xsm_node *n);
int xsm_node_set_value(struct xsm_node *n, const void *value, size_t len);
void xsm_kids_remove(struct xsm_node *n, const char *name);
int xsm_perms_copy(struct xsm_perms *dst, const struct xs_model_perm_entry *e, unsigned int n);
unsigned int xsm_perm_for(uint32_t domid, bool privileged, const struct xsm_perms *p);
int xsm_canonicalize(const struct xs_model_caller *c, const char *path, bool allow_special,
		     char *buf, bool *ret_relative);
size_t xsm_parent_len(const char *path);
bool xsm_is_child(const char *child, const char *parent);
struct xsm_perms *xsm_special_perms(struct xs_model *m, const char *name);
struct xsm_node *xsm_lookup(const struct xs_model *m, const char *path);
void xsm_tree_put(struct xs_model *m, struct xsm_node *n);
void xsm_tree_remove(struct xs_model *m, const char *path);

/* xs-model-store.c: views (see there for each one's contract). */
int xsm_view_open(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		  struct xsm_view *v);
unsigned int xsm_caller_perm(const struct xsm_view *v, const struct xsm_perms *p);
int xsm_view_get(struct xsm_view *v, const char *path, struct xsm_node **ret);
int xsm_view_get_checked(struct xsm_view *v, const char *path, unsigned int need,
			 struct xsm_node **ret);
void xsm_view_touch(struct xsm_view *v, struct xsm_node *n);
int xsm_view_reserve(struct xsm_view *v, uint32_t domid);
void xsm_view_changed(struct xsm_view *v, const char *path, bool exact, const struct xsm_node *n,
		      const struct xsm_perms *old_perms);
int xsm_view_create(struct xsm_view *v, const char *path, const void *value, size_t len,
		    struct xsm_node **ret);
int xsm_view_rm_tree(struct xsm_view *v, char *buf, size_t blen, bool top);

/* xs-model-watch.c: event delivery. */
void xsm_fire(struct xs_model *m, const char *path, bool exact, const struct xsm_node *node,
	      const struct xsm_perms *old_perms);
void xsm_watches_drop(struct xs_model *m, uint64_t conn, bool all);

/* xs-model-tx.c: the transaction side of a view. */
int xsm_tx_find(struct xs_model *m, const struct xs_model_caller *c, uint32_t id,
		struct xsm_tx **ret);
int xsm_tx_get(struct xsm_tx *tx, struct xs_model *m, const char *path, struct xsm_tx_entry **ret);
void xsm_txs_drop(struct xs_model *m, uint64_t conn, bool all);

#endif /* VSND_XS_MODEL_INT_H */
