/* SPDX-License-Identifier: MIT */
/*
 * xs-model.h - a pure model of xenstored: the node tree with permissions,
 * watches, transactions and quotas, with no I/O. xensimd serves it over the
 * XenStore wire protocol; tests drive it directly.
 *
 * Semantics follow the C xenstored shipped with Xen 4.17 wherever a vsnd
 * peer (libxl, the Linux frontend, libxenstore, xenstore-utils) can tell the
 * difference; docs/xenif.md lists them. Errors are the errno values
 * xenstored sends on the wire (the xsd_errors table of <xen/io/xs_wire.h>):
 * EINVAL, EACCES, ENOENT, EEXIST, ENOSPC, E2BIG, EAGAIN, EPERM, ENOMEM.
 * There is no EQUOTA on the wire: xenstored 4.17 reports the node, value
 * size, permission-entry and transaction quotas as ENOSPC and the watch
 * quota as E2BIG, and so does the model.
 *
 * Callers: each request names its caller (domain, privilege, connection).
 * Privileged callers (dom0) bypass permission checks. Paths are absolute
 * ("/local/domain/5/name") or relative to the caller's home
 * ("/local/domain/<domid>"); special watch paths start with '@'. As in
 * xenstored, a path uses [A-Za-z0-9-/_@], has no "//" and no trailing '/',
 * and has at most XS_MODEL_REL_PATH_MAX characters after a leading
 * "/local/domain/<domid>/" (or in all); anything else is -EINVAL.
 */
#ifndef VSND_XS_MODEL_H
#define VSND_XS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs_model;

/* Node permission bits (as XS_PERM_* in libxenstore). */
enum xs_model_perm {
	XS_MODEL_PERM_NONE = 0,
	XS_MODEL_PERM_READ = 1,
	XS_MODEL_PERM_WRITE = 2,
	XS_MODEL_PERM_BOTH = 3,
};

struct xs_model_perm_entry {
	uint32_t domid;
	enum xs_model_perm perm;
};

/* entry 0: owner and the permission of every domain not listed later. */
#define XS_MODEL_PERMS_MAX 64u
#define XS_MODEL_VALUE_MAX 4096u	/* XENSTORE_PAYLOAD_MAX */
#define XS_MODEL_ABS_PATH_MAX 3072u
#define XS_MODEL_REL_PATH_MAX 2048u

struct xs_model_caller {
	uint32_t domid;
	bool privileged;
	uint64_t conn;		/* owns watches and transactions */
};

/* Quotas for unprivileged callers (xenstored's defaults); 0 = unlimited.
 * As in xenstored 4.17, watches and transactions are compared with '>', so
 * one more than the quota is accepted (129 watches, 11 transactions), and a
 * commit that would leave a domain at or over its node quota fails. */
struct xs_model_quota {
	uint32_t nodes;		/* nodes owned by a domain (1000) */
	uint32_t watches;	/* watches per connection (128) */
	uint32_t transactions;	/* open transactions per connection (10) */
	uint32_t value_bytes;	/* largest value (2048; xenstored counts the
				 * whole node record, permissions included) */
	uint32_t perms_per_node;	/* entries in a permission list (5) */
};

/* Called for every watch event, in order; path and token are valid only
 * during the call. @path is as the watcher registered it (relative stays
 * relative). It must not call into the model. */
typedef void (*xs_model_watch_fn)(void *opaque, uint64_t conn, const char *path,
				  const char *token);

int xs_model_new(xs_model_watch_fn fire, void *opaque, struct xs_model **ret);
struct xs_model *xs_model_free(struct xs_model *m);
void xs_model_set_quota(struct xs_model *m, const struct xs_model_quota *q);

/* Reads and writes; tx 0 = no transaction. *ret_value stays valid until the
 * next call that may mutate the model. */
int xs_model_read(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		  const char *path, const char **ret_value, size_t *ret_len);
/* Creates missing ancestors as xenstored does (inheriting permissions; an
 * unprivileged creator owns what it creates). */
int xs_model_write(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		   const char *path, const void *value, size_t len);
int xs_model_mkdir(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		   const char *path);
/* Removing a missing node whose parent exists succeeds (xenstored). */
int xs_model_rm(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		const char *path);
/* Child names, sorted, each NUL-terminated, packed into @buf.
 * Return: the number of bytes used, -E2BIG when @bufsz is too small. */
int xs_model_directory(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		       const char *path, char *buf, size_t bufsz);
/* Return: number of entries (may exceed @n: then only @n were written). */
int xs_model_get_perms(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		       const char *path, struct xs_model_perm_entry *perms, unsigned int n);
int xs_model_set_perms(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		       const char *path, const struct xs_model_perm_entry *perms,
		       unsigned int n);

int xs_model_tx_start(struct xs_model *m, const struct xs_model_caller *c, uint32_t *ret_tx);
/* Commit (@commit true) or abort. -EAGAIN: a node the transaction read or
 * wrote changed meanwhile; nothing was applied. */
int xs_model_tx_end(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		    bool commit);

/* Registration fires the watch once. Events go only to watchers allowed to
 * read the node (for a removed node: before its removal). */
int xs_model_watch(struct xs_model *m, const struct xs_model_caller *c, const char *path,
		   const char *token);
int xs_model_unwatch(struct xs_model *m, const struct xs_model_caller *c, const char *path,
		     const char *token);
/* Forget a connection: its watches and open transactions. */
void xs_model_conn_gone(struct xs_model *m, uint64_t conn);

/* Fire a special watch ("@introduceDomain", "@releaseDomain") to every
 * connection watching it. */
void xs_model_fire_special(struct xs_model *m, const char *special);
/* Fire @path's watches as if it changed (spurious events, fault knob). */
void xs_model_fire_spurious(struct xs_model *m, const char *path);
/* Make the next @count transaction commits fail with -EAGAIN (fault knob). */
void xs_model_fail_commits(struct xs_model *m, unsigned int count);

/* Debugging and tests: number of nodes owned by @domid. */
unsigned int xs_model_nodes_owned(const struct xs_model *m, uint32_t domid);
/* Debugging and tests: check the store's invariants (every node's parent
 * lists it, children exist and are sorted, ownership counts match a full
 * count). Return: 0, or -EUCLEAN. */
int xs_model_check(const struct xs_model *m);

#endif /* VSND_XS_MODEL_H */
