/* SPDX-License-Identifier: MIT */
/*
 * xenif-impl.h - what an implementation of the seam provides: one ops table
 * per area (XenStore, event channels, grant map, grant share, domains) plus
 * a core table, bound to a context that is always passed explicitly.
 *
 * xenif.c validates arguments, runs the core's fault hook and then calls
 * through these tables; implementations may therefore assume non-NULL
 * pointers, non-empty paths within XenStore's limits, valid ports and
 * domids, and page counts in 1..XENIF_GNT_MAX_PAGES.
 *
 * Lifetime: an implementation allocates its context with struct xenif as
 * the first member (and its handles with struct xenif_evtchn first);
 * xenif.c keeps the list of open handles and closes them before the
 * context's core->close().
 */
#ifndef XENIF_SRC_XENIF_IMPL_H
#define XENIF_SRC_XENIF_IMPL_H

#include <stddef.h>

#include "xenif/xenif.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct xenif_core_ops {
	const char *name;
	void (*close)(struct xenif *x);
	/* Fault injection: 0, or the -errno the call of @op must fail with.
	 * NULL when the implementation has no fault knobs. */
	int (*fault)(struct xenif *x, enum xenif_op op);
};

struct xenif_xs_ops {
	int (*read)(struct xenif *x, xenif_tx_t tx, const char *path, char **ret_value,
		    size_t *ret_len);
	int (*write)(struct xenif *x, xenif_tx_t tx, const char *path, const char *value,
		     size_t len);
	int (*mkdir)(struct xenif *x, xenif_tx_t tx, const char *path);
	int (*rm)(struct xenif *x, xenif_tx_t tx, const char *path);
	int (*directory)(struct xenif *x, xenif_tx_t tx, const char *path, char ***ret_names);
	int (*get_perms)(struct xenif *x, xenif_tx_t tx, const char *path,
			 struct xenif_xs_perm *perms, unsigned int n);
	int (*set_perms)(struct xenif *x, xenif_tx_t tx, const char *path,
			 const struct xenif_xs_perm *perms, unsigned int n);
	int (*watch)(struct xenif *x, const char *path, const char *token);
	int (*unwatch)(struct xenif *x, const char *path, const char *token);
	int (*fd)(struct xenif *x);
	int (*read_watch)(struct xenif *x, char **ret_path, char **ret_token);
	int (*transaction_start)(struct xenif *x, xenif_tx_t *ret_tx);
	int (*transaction_end)(struct xenif *x, xenif_tx_t tx, bool abort);
};

struct xenif_evtchn_ops {
	int (*open)(struct xenif *x, struct xenif_evtchn **ret);
	void (*close)(struct xenif_evtchn *h);
	int (*fd)(struct xenif_evtchn *h);
	int (*bind_interdomain)(struct xenif_evtchn *h, uint32_t remote_domid,
				uint32_t remote_port);
	int (*alloc_unbound)(struct xenif_evtchn *h, uint32_t remote_domid);
	int (*notify)(struct xenif_evtchn *h, uint32_t port);
	int (*pending)(struct xenif_evtchn *h);
	int (*unmask)(struct xenif_evtchn *h, uint32_t port);
	int (*unbind)(struct xenif_evtchn *h, uint32_t port);
	int (*restrict_to)(struct xenif_evtchn *h, uint32_t domid);
};

struct xenif_gnttab_ops {
	int (*map)(struct xenif *x, uint32_t domid, const uint32_t *refs, uint32_t n,
		   bool writable, void **ret_addr);
	int (*unmap)(struct xenif *x, void *addr, uint32_t n);
};

struct xenif_gntshr_ops {
	int (*share)(struct xenif *x, uint32_t domid, uint32_t n, bool writable,
		     uint32_t *ret_refs, void **ret_addr);
	int (*unshare)(struct xenif *x, void *addr, uint32_t n);
};

struct xenif_domain_ops {
	int (*info)(struct xenif *x, uint32_t domid, struct xenif_dominfo *ret);
};

struct xenif {
	const struct xenif_core_ops *core;
	const struct xenif_xs_ops *xs;
	const struct xenif_evtchn_ops *evtchn;
	const struct xenif_gnttab_ops *gnttab;
	const struct xenif_gntshr_ops *gntshr;
	const struct xenif_domain_ops *domain;
	uint32_t domid;
	struct xenif_evtchn *handles;	/* open event-channel handles */
};

struct xenif_evtchn {
	struct xenif *x;
	struct xenif_evtchn *next;
};

/* Implementations' constructors, called by xenif_open(). */
int xenif_sim_open(const char *dir, uint32_t domid, struct xenif **ret);
#ifdef XENIF_HAVE_REAL
int xenif_real_open(uint32_t domid, struct xenif **ret);
#endif

#endif /* XENIF_SRC_XENIF_IMPL_H */
