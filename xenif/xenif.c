/* SPDX-License-Identifier: MIT */
/*
 * xenif.c - the seam's front door: picks an implementation from the spec
 * given to xenif_open(), checks every argument once for both
 * implementations, consults the fault hook, then dispatches through the
 * context's ops tables (xenif/src/xenif-impl.h). The public functions are
 * documented in xenif/xenif.h.
 *
 * Argument checks come before the fault hook on purpose: a call rejected
 * here never reaches Xen or xensimd, so it is not "a call of the op" that
 * the simulator's OP_ERRNO knob counts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "util.h"
#include "xenif-impl.h"

static const char *const op_names[_XENIF_OP_MAX] = {
	[XENIF_OP_XS_READ] = "xs_read",
	[XENIF_OP_XS_WRITE] = "xs_write",
	[XENIF_OP_XS_MKDIR] = "xs_mkdir",
	[XENIF_OP_XS_RM] = "xs_rm",
	[XENIF_OP_XS_DIRECTORY] = "xs_directory",
	[XENIF_OP_XS_GET_PERMS] = "xs_get_perms",
	[XENIF_OP_XS_SET_PERMS] = "xs_set_perms",
	[XENIF_OP_XS_WATCH] = "xs_watch",
	[XENIF_OP_XS_UNWATCH] = "xs_unwatch",
	[XENIF_OP_XS_READ_WATCH] = "xs_read_watch",
	[XENIF_OP_XS_TRANSACTION_START] = "xs_transaction_start",
	[XENIF_OP_XS_TRANSACTION_END] = "xs_transaction_end",
	[XENIF_OP_EVTCHN_OPEN] = "evtchn_open",
	[XENIF_OP_EVTCHN_BIND_INTERDOMAIN] = "evtchn_bind_interdomain",
	[XENIF_OP_EVTCHN_ALLOC_UNBOUND] = "evtchn_alloc_unbound",
	[XENIF_OP_EVTCHN_NOTIFY] = "evtchn_notify",
	[XENIF_OP_EVTCHN_PENDING] = "evtchn_pending",
	[XENIF_OP_EVTCHN_UNMASK] = "evtchn_unmask",
	[XENIF_OP_EVTCHN_UNBIND] = "evtchn_unbind",
	[XENIF_OP_EVTCHN_RESTRICT] = "evtchn_restrict",
	[XENIF_OP_GNT_MAP] = "gnt_map",
	[XENIF_OP_GNT_UNMAP] = "gnt_unmap",
	[XENIF_OP_GNT_SHARE] = "gnt_share",
	[XENIF_OP_GNT_UNSHARE] = "gnt_unshare",
	[XENIF_OP_DOMAIN_INFO] = "domain_info",
};

const char *xenif_op_to_string(enum xenif_op op)
{
	if ((unsigned int)op >= ARRAY_SIZE(op_names))
		return NULL;
	return op_names[op];
}

int xenif_op_from_string(const char *name)
{
	if (!name)
		return -EINVAL;
	for (unsigned int i = 0; i < ARRAY_SIZE(op_names); i++)
		if (strcmp(op_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

static int fault(struct xenif *x, enum xenif_op op)
{
	return x->core->fault ? x->core->fault(x, op) : 0;
}

/*
 * A path must fit xenstored's limit; xenstored would answer EINVAL, and a
 * request over the payload limit would even make it drop the connection,
 * so both are caught here. Return: the path's length, or -EINVAL.
 */
static int path_len(const char *path)
{
	size_t len;

	if (!path || !*path)
		return -EINVAL;
	len = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);
	if (len > XENSTORE_ABS_PATH_MAX)
		return -EINVAL;
	return (int)len;
}

static bool domid_ok(uint32_t domid)
{
	return domid <= XENIF_DOMID_MAX;
}

int xenif_open(const char *spec, uint32_t domid, struct xenif **ret)
{
	struct xenif *x = NULL;
	int r;

	if (!spec || !ret)
		return -EINVAL;

	if (strcmp(spec, "real") == 0) {
		if (domid != XENIF_DOMID_SELF && !domid_ok(domid))
			return -EINVAL;
#ifdef XENIF_HAVE_REAL
		r = xenif_real_open(domid, &x);
#else
		r = -ENOTSUP;
#endif
	} else if (strncmp(spec, "sim:", 4) == 0 && spec[4] != '\0') {
		if (!domid_ok(domid))
			return -EINVAL;
		r = xenif_sim_open(spec + 4, domid, &x);
	} else {
		r = -EINVAL;
	}
	if (r < 0)
		return r;

	x->handles = NULL;
	*ret = x;
	return 0;
}

struct xenif *xenif_close(struct xenif *x)
{
	if (!x)
		return NULL;
	while (x->handles)
		xenif_evtchn_close(x->handles);
	x->core->close(x);
	return NULL;
}

uint32_t xenif_domid(const struct xenif *x)
{
	return x ? x->domid : XENIF_DOMID_SELF;
}

/* ---- XenStore ----------------------------------------------------------- */

int xenif_xs_read(struct xenif *x, xenif_tx_t tx, const char *path, char **ret_value,
		  size_t *ret_len)
{
	int r;

	if (!x || path_len(path) < 0 || !ret_value)
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_READ);
	if (r < 0)
		return r;
	return x->xs->read(x, tx, path, ret_value, ret_len);
}

int xenif_xs_write(struct xenif *x, xenif_tx_t tx, const char *path, const char *value,
		   size_t len)
{
	int plen = path_len(path);
	int r;

	if (!x || plen < 0 || (!value && len > 0))
		return -EINVAL;
	if (len > XENSTORE_PAYLOAD_MAX || (size_t)plen + 1 + len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	r = fault(x, XENIF_OP_XS_WRITE);
	if (r < 0)
		return r;
	return x->xs->write(x, tx, path, value ? value : "", len);
}

int xenif_xs_mkdir(struct xenif *x, xenif_tx_t tx, const char *path)
{
	int r;

	if (!x || path_len(path) < 0)
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_MKDIR);
	if (r < 0)
		return r;
	return x->xs->mkdir(x, tx, path);
}

int xenif_xs_rm(struct xenif *x, xenif_tx_t tx, const char *path)
{
	int r;

	if (!x || path_len(path) < 0)
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_RM);
	if (r < 0)
		return r;
	return x->xs->rm(x, tx, path);
}

int xenif_xs_directory(struct xenif *x, xenif_tx_t tx, const char *path, char ***ret_names)
{
	int r;

	if (!x || path_len(path) < 0 || !ret_names)
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_DIRECTORY);
	if (r < 0)
		return r;
	return x->xs->directory(x, tx, path, ret_names);
}

int xenif_xs_get_perms(struct xenif *x, xenif_tx_t tx, const char *path,
		       struct xenif_xs_perm *perms, unsigned int n)
{
	int r;

	if (!x || path_len(path) < 0 || (!perms && n > 0))
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_GET_PERMS);
	if (r < 0)
		return r;
	return x->xs->get_perms(x, tx, path, perms, n);
}

int xenif_xs_set_perms(struct xenif *x, xenif_tx_t tx, const char *path,
		       const struct xenif_xs_perm *perms, unsigned int n)
{
	int r;

	if (!x || path_len(path) < 0 || !perms || n == 0 || n > XENIF_XS_PERMS_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if (!domid_ok(perms[i].domid) || (unsigned int)perms[i].perm > XENIF_PERM_BOTH)
			return -EINVAL;
	r = fault(x, XENIF_OP_XS_SET_PERMS);
	if (r < 0)
		return r;
	return x->xs->set_perms(x, tx, path, perms, n);
}

/* A watch request carries "path\0token\0"; keep it within the payload. */
static int check_watch_args(struct xenif *x, const char *path, const char *token)
{
	int plen = path_len(path);

	if (!x || plen < 0 || !token || !*token)
		return -EINVAL;
	if ((size_t)plen + strnlen(token, XENSTORE_PAYLOAD_MAX) + 2 > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	return 0;
}

int xenif_xs_watch(struct xenif *x, const char *path, const char *token)
{
	int r = check_watch_args(x, path, token);

	if (r < 0)
		return r;
	r = fault(x, XENIF_OP_XS_WATCH);
	if (r < 0)
		return r;
	return x->xs->watch(x, path, token);
}

int xenif_xs_unwatch(struct xenif *x, const char *path, const char *token)
{
	int r = check_watch_args(x, path, token);

	if (r < 0)
		return r;
	r = fault(x, XENIF_OP_XS_UNWATCH);
	if (r < 0)
		return r;
	return x->xs->unwatch(x, path, token);
}

int xenif_xs_fd(struct xenif *x)
{
	if (!x)
		return -EINVAL;
	return x->xs->fd(x);
}

int xenif_xs_read_watch(struct xenif *x, char **ret_path, char **ret_token)
{
	int r;

	if (!x || !ret_path || !ret_token)
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_READ_WATCH);
	if (r < 0)
		return r;
	return x->xs->read_watch(x, ret_path, ret_token);
}

int xenif_xs_transaction_start(struct xenif *x, xenif_tx_t *ret_tx)
{
	int r;

	if (!x || !ret_tx)
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_TRANSACTION_START);
	if (r < 0)
		return r;
	return x->xs->transaction_start(x, ret_tx);
}

int xenif_xs_transaction_end(struct xenif *x, xenif_tx_t tx, bool abort)
{
	int r;

	if (!x || tx == XENIF_TX_NONE)
		return -EINVAL;
	r = fault(x, XENIF_OP_XS_TRANSACTION_END);
	if (r < 0)
		return r;
	return x->xs->transaction_end(x, tx, abort);
}

void xenif_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* ---- Event channels ------------------------------------------------------ */

int xenif_evtchn_open(struct xenif *x, struct xenif_evtchn **ret)
{
	struct xenif_evtchn *h = NULL;
	int r;

	if (!x || !ret)
		return -EINVAL;
	r = fault(x, XENIF_OP_EVTCHN_OPEN);
	if (r < 0)
		return r;
	r = x->evtchn->open(x, &h);
	if (r < 0)
		return r;

	h->x = x;
	h->next = x->handles;
	x->handles = h;
	*ret = h;
	return 0;
}

struct xenif_evtchn *xenif_evtchn_close(struct xenif_evtchn *h)
{
	struct xenif_evtchn **pp;

	if (!h)
		return NULL;
	for (pp = &h->x->handles; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	h->x->evtchn->close(h);
	return NULL;
}

int xenif_evtchn_fd(struct xenif_evtchn *h)
{
	if (!h)
		return -EINVAL;
	return h->x->evtchn->fd(h);
}

int xenif_evtchn_bind_interdomain(struct xenif_evtchn *h, uint32_t remote_domid,
				  uint32_t remote_port)
{
	int r;

	if (!h || !domid_ok(remote_domid) || remote_port == 0 || remote_port > INT32_MAX)
		return -EINVAL;
	r = fault(h->x, XENIF_OP_EVTCHN_BIND_INTERDOMAIN);
	if (r < 0)
		return r;
	return h->x->evtchn->bind_interdomain(h, remote_domid, remote_port);
}

int xenif_evtchn_alloc_unbound(struct xenif_evtchn *h, uint32_t remote_domid)
{
	int r;

	if (!h || !domid_ok(remote_domid))
		return -EINVAL;
	r = fault(h->x, XENIF_OP_EVTCHN_ALLOC_UNBOUND);
	if (r < 0)
		return r;
	return h->x->evtchn->alloc_unbound(h, remote_domid);
}

int xenif_evtchn_notify(struct xenif_evtchn *h, uint32_t port)
{
	int r;

	if (!h || port == 0 || port > INT32_MAX)
		return -EINVAL;
	r = fault(h->x, XENIF_OP_EVTCHN_NOTIFY);
	if (r < 0)
		return r;
	return h->x->evtchn->notify(h, port);
}

int xenif_evtchn_pending(struct xenif_evtchn *h)
{
	int r;

	if (!h)
		return -EINVAL;
	r = fault(h->x, XENIF_OP_EVTCHN_PENDING);
	if (r < 0)
		return r;
	return h->x->evtchn->pending(h);
}

int xenif_evtchn_unmask(struct xenif_evtchn *h, uint32_t port)
{
	int r;

	if (!h || port == 0 || port > INT32_MAX)
		return -EINVAL;
	r = fault(h->x, XENIF_OP_EVTCHN_UNMASK);
	if (r < 0)
		return r;
	return h->x->evtchn->unmask(h, port);
}

int xenif_evtchn_unbind(struct xenif_evtchn *h, uint32_t port)
{
	int r;

	if (!h || port == 0 || port > INT32_MAX)
		return -EINVAL;
	r = fault(h->x, XENIF_OP_EVTCHN_UNBIND);
	if (r < 0)
		return r;
	return h->x->evtchn->unbind(h, port);
}

int xenif_evtchn_restrict(struct xenif_evtchn *h, uint32_t domid)
{
	int r;

	/* Linux's evtchn driver refuses dom0 too; both implementations agree. */
	if (!h || domid == 0 || !domid_ok(domid))
		return -EINVAL;
	r = fault(h->x, XENIF_OP_EVTCHN_RESTRICT);
	if (r < 0)
		return r;
	return h->x->evtchn->restrict_to(h, domid);
}

/* ---- Grants ---------------------------------------------------------------- */

static bool count_ok(uint32_t n)
{
	return n > 0 && n <= XENIF_GNT_MAX_PAGES;
}

int xenif_gnt_map(struct xenif *x, uint32_t domid, const uint32_t *refs, uint32_t n,
		  bool writable, void **ret_addr)
{
	int r;

	if (!x || !domid_ok(domid) || !refs || !count_ok(n) || !ret_addr)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++)
		if (refs[i] == 0)
			return -EINVAL;
	r = fault(x, XENIF_OP_GNT_MAP);
	if (r < 0)
		return r;
	return x->gnttab->map(x, domid, refs, n, writable, ret_addr);
}

int xenif_gnt_unmap(struct xenif *x, void *addr, uint32_t n)
{
	int r;

	if (!x || !addr || !count_ok(n) || (uintptr_t)addr % XENIF_PAGE_SIZE != 0)
		return -EINVAL;
	r = fault(x, XENIF_OP_GNT_UNMAP);
	if (r < 0)
		return r;
	return x->gnttab->unmap(x, addr, n);
}

int xenif_gnt_share(struct xenif *x, uint32_t domid, uint32_t n, bool writable,
		    uint32_t *ret_refs, void **ret_addr)
{
	int r;

	if (!x || !domid_ok(domid) || !count_ok(n) || !ret_refs || !ret_addr)
		return -EINVAL;
	r = fault(x, XENIF_OP_GNT_SHARE);
	if (r < 0)
		return r;
	return x->gntshr->share(x, domid, n, writable, ret_refs, ret_addr);
}

int xenif_gnt_unshare(struct xenif *x, void *addr, uint32_t n)
{
	int r;

	if (!x || !addr || !count_ok(n) || (uintptr_t)addr % XENIF_PAGE_SIZE != 0)
		return -EINVAL;
	r = fault(x, XENIF_OP_GNT_UNSHARE);
	if (r < 0)
		return r;
	return x->gntshr->unshare(x, addr, n);
}

/* ---- Domains --------------------------------------------------------------- */

int xenif_domain_info(struct xenif *x, uint32_t domid, struct xenif_dominfo *ret)
{
	int r;

	if (!x || !domid_ok(domid) || !ret)
		return -EINVAL;
	r = fault(x, XENIF_OP_DOMAIN_INFO);
	if (r < 0)
		return r;
	memset(ret, 0, sizeof(*ret));
	return x->domain->info(x, domid, ret);
}
