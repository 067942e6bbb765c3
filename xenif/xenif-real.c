/* SPDX-License-Identifier: MIT */
/*
 * xenif-real.c - the seam on the real Xen libraries: libxenstore,
 * libxenevtchn, libxengnttab (xengnttab_* and xengntshr_*) and libxenctrl.
 * It is the only file of vsnd that includes their headers (a unit test
 * checks that), and it is compiled only when they are found.
 *
 * Each wrapper converts the libraries' NULL / false / -1 + errno into a
 * negative errno right after the call. Only XenStore is opened by
 * xenif_open(); the grant, share and control handles are opened on first
 * use and event-channel handles by xenif_evtchn_open(), so a XenStore-only
 * program (or a test against xensimd through $XENSTORED_PATH) needs no
 * /dev/xen device nodes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "util.h"
#include "xenif-impl.h"

struct xenif_real {
	struct xenif base;
	struct xs_handle *xs;
	xengnttab_handle *gnttab;	/* opened on first map */
	xengntshr_handle *gntshr;	/* opened on first share */
	xc_interface *xc;		/* opened on first domain_info */
};

struct real_evtchn {
	struct xenif_evtchn base;
	xenevtchn_handle *xce;
};

static struct xenif_real *to_real(struct xenif *x)
{
	return container_of(x, struct xenif_real, base);
}

static struct real_evtchn *to_revt(struct xenif_evtchn *h)
{
	return container_of(h, struct real_evtchn, base);
}

/*
 * The libraries log their errors to stderr unless given a logger. Library
 * code stays quiet (style.md 5.6): the errno we return says it all, so
 * every handle gets this logger that drops messages.
 */
static void quiet_vmessage(struct xentoollog_logger *l, xentoollog_level level, int errnoval,
			   const char *context, const char *format, va_list al)
{
	(void)l;
	(void)level;
	(void)errnoval;
	(void)context;
	(void)format;
	(void)al;
}

static void quiet_destroy(struct xentoollog_logger *l)
{
	(void)l;
}

static struct xentoollog_logger quiet_logger = {
	.vmessage = quiet_vmessage,
	.destroy = quiet_destroy,
};

/* ---- XenStore ----------------------------------------------------------- */

static int real_xs_read(struct xenif *x, xenif_tx_t tx, const char *path, char **ret_value,
			size_t *ret_len)
{
	unsigned int len;
	char *v = xs_read(to_real(x)->xs, tx, path, &len);

	if (!v)
		return negative_errno();
	/* libxenstore NUL-terminates what it returns, as our API promises. */
	if (ret_len)
		*ret_len = len;
	*ret_value = v;
	return 0;
}

static int real_xs_write(struct xenif *x, xenif_tx_t tx, const char *path, const char *value,
			 size_t len)
{
	if (!xs_write(to_real(x)->xs, tx, path, value, (unsigned int)len))
		return negative_errno();
	return 0;
}

static int real_xs_mkdir(struct xenif *x, xenif_tx_t tx, const char *path)
{
	if (!xs_mkdir(to_real(x)->xs, tx, path))
		return negative_errno();
	return 0;
}

static int real_xs_rm(struct xenif *x, xenif_tx_t tx, const char *path)
{
	if (!xs_rm(to_real(x)->xs, tx, path))
		return negative_errno();
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int real_xs_directory(struct xenif *x, xenif_tx_t tx, const char *path,
			     char ***ret_names)
{
	unsigned int num;
	_cleanup_free_ char **lib = xs_directory(to_real(x)->xs, tx, path, &num);
	char **v;

	if (!lib)
		return negative_errno();
	/* libxenstore returns one block; ours frees entry by entry. */
	v = calloc((size_t)num + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (unsigned int i = 0; i < num; i++) {
		v[i] = strdup(lib[i]);
		if (!v[i]) {
			xenif_strv_free(v);
			return -ENOMEM;
		}
	}
	qsort(v, num, sizeof(char *), cmp_str);
	*ret_names = v;
	return (int)num;
}

static int real_xs_get_perms(struct xenif *x, xenif_tx_t tx, const char *path,
			     struct xenif_xs_perm *perms, unsigned int n)
{
	unsigned int num;
	_cleanup_free_ struct xs_permissions *lib =
		xs_get_permissions(to_real(x)->xs, tx, path, &num);

	if (!lib)
		return negative_errno();
	if (num > n)
		return -E2BIG;
	for (unsigned int i = 0; i < num; i++) {
		perms[i].domid = lib[i].id;
		perms[i].perm = (enum xenif_perm)(lib[i].perms & (XS_PERM_READ | XS_PERM_WRITE));
	}
	return (int)num;
}

static int real_xs_set_perms(struct xenif *x, xenif_tx_t tx, const char *path,
			     const struct xenif_xs_perm *perms, unsigned int n)
{
	struct xs_permissions lib[XENIF_XS_PERMS_MAX];

	for (unsigned int i = 0; i < n; i++) {
		lib[i].id = perms[i].domid;
		lib[i].perms = (unsigned int)perms[i].perm;
	}
	if (!xs_set_permissions(to_real(x)->xs, tx, path, lib, n))
		return negative_errno();
	return 0;
}

static int real_xs_watch(struct xenif *x, const char *path, const char *token)
{
	if (!xs_watch(to_real(x)->xs, path, token))
		return negative_errno();
	return 0;
}

static int real_xs_unwatch(struct xenif *x, const char *path, const char *token)
{
	if (!xs_unwatch(to_real(x)->xs, path, token))
		return negative_errno();
	return 0;
}

static int real_xs_fd(struct xenif *x)
{
	int fd = xs_fileno(to_real(x)->xs);

	return fd < 0 ? negative_errno() : fd;
}

static int real_xs_read_watch(struct xenif *x, char **ret_path, char **ret_token)
{
	/* xs_check_watch() never blocks: NULL with EAGAIN means drained. */
	_cleanup_free_ char **ev = xs_check_watch(to_real(x)->xs);
	char *path, *token;

	if (!ev)
		return negative_errno();
	path = strdup(ev[XS_WATCH_PATH]);
	token = strdup(ev[XS_WATCH_TOKEN]);
	if (!path || !token) {
		free(path);
		free(token);
		return -ENOMEM;
	}
	*ret_path = path;
	*ret_token = token;
	return 0;
}

static int real_xs_transaction_start(struct xenif *x, xenif_tx_t *ret_tx)
{
	xs_transaction_t t = xs_transaction_start(to_real(x)->xs);

	if (t == XBT_NULL)
		return negative_errno();
	*ret_tx = t;
	return 0;
}

static int real_xs_transaction_end(struct xenif *x, xenif_tx_t tx, bool abort)
{
	if (!xs_transaction_end(to_real(x)->xs, tx, abort))
		return negative_errno();
	return 0;
}

static const struct xenif_xs_ops real_xs_ops = {
	.read = real_xs_read,
	.write = real_xs_write,
	.mkdir = real_xs_mkdir,
	.rm = real_xs_rm,
	.directory = real_xs_directory,
	.get_perms = real_xs_get_perms,
	.set_perms = real_xs_set_perms,
	.watch = real_xs_watch,
	.unwatch = real_xs_unwatch,
	.fd = real_xs_fd,
	.read_watch = real_xs_read_watch,
	.transaction_start = real_xs_transaction_start,
	.transaction_end = real_xs_transaction_end,
};

/* ---- Event channels ------------------------------------------------------ */

static int real_evtchn_open(struct xenif *x, struct xenif_evtchn **ret)
{
	struct real_evtchn *e;
	int fd, fl;

	(void)x;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->xce = xenevtchn_open(&quiet_logger, 0);
	if (!e->xce) {
		int r = negative_errno();

		free(e);
		return r;
	}
	/* pending() must not block; it also polls first, since old kernels
	 * ignored O_NONBLOCK here (xenevtchn.h). */
	fd = xenevtchn_fd(e->xce);
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	*ret = &e->base;
	return 0;
}

static void real_evtchn_close(struct xenif_evtchn *h)
{
	struct real_evtchn *e = to_revt(h);

	/* Closing the handle unbinds every port bound through it. */
	xenevtchn_close(e->xce);
	free(e);
}

static int real_evtchn_fd(struct xenif_evtchn *h)
{
	return xenevtchn_fd(to_revt(h)->xce);
}

static int real_evtchn_bind_interdomain(struct xenif_evtchn *h, uint32_t remote_domid,
					uint32_t remote_port)
{
	xenevtchn_port_or_error_t p =
		xenevtchn_bind_interdomain(to_revt(h)->xce, remote_domid, remote_port);

	return p < 0 ? negative_errno() : p;
}

static int real_evtchn_alloc_unbound(struct xenif_evtchn *h, uint32_t remote_domid)
{
	xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(to_revt(h)->xce, remote_domid);

	return p < 0 ? negative_errno() : p;
}

static int real_evtchn_notify(struct xenif_evtchn *h, uint32_t port)
{
	return xenevtchn_notify(to_revt(h)->xce, port) < 0 ? negative_errno() : 0;
}

static int real_evtchn_pending(struct xenif_evtchn *h)
{
	struct pollfd p = { .fd = xenevtchn_fd(to_revt(h)->xce), .events = POLLIN };
	xenevtchn_port_or_error_t port;

	if (poll(&p, 1, 0) <= 0)
		return -EAGAIN;
	port = xenevtchn_pending(to_revt(h)->xce);
	return port < 0 ? negative_errno() : port;
}

static int real_evtchn_unmask(struct xenif_evtchn *h, uint32_t port)
{
	return xenevtchn_unmask(to_revt(h)->xce, port) < 0 ? negative_errno() : 0;
}

static int real_evtchn_unbind(struct xenif_evtchn *h, uint32_t port)
{
	return xenevtchn_unbind(to_revt(h)->xce, port) < 0 ? negative_errno() : 0;
}

static int real_evtchn_restrict(struct xenif_evtchn *h, uint32_t domid)
{
	return xenevtchn_restrict(to_revt(h)->xce, (domid_t)domid) < 0 ? negative_errno() : 0;
}

static const struct xenif_evtchn_ops real_evtchn_ops = {
	.open = real_evtchn_open,
	.close = real_evtchn_close,
	.fd = real_evtchn_fd,
	.bind_interdomain = real_evtchn_bind_interdomain,
	.alloc_unbound = real_evtchn_alloc_unbound,
	.notify = real_evtchn_notify,
	.pending = real_evtchn_pending,
	.unmask = real_evtchn_unmask,
	.unbind = real_evtchn_unbind,
	.restrict_to = real_evtchn_restrict,
};

/* ---- Grants ---------------------------------------------------------------- */

static int real_gnt_map(struct xenif *x, uint32_t domid, const uint32_t *refs, uint32_t n,
			bool writable, void **ret_addr)
{
	struct xenif_real *rx = to_real(x);
	_cleanup_free_ uint32_t *copy = NULL;
	void *p;

	if (!rx->gnttab) {
		rx->gnttab = xengnttab_open(&quiet_logger, 0);
		if (!rx->gnttab)
			return negative_errno();
	}
	/* The library's prototype takes non-const refs; do not cast it away. */
	copy = malloc((size_t)n * sizeof(uint32_t));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, refs, (size_t)n * sizeof(uint32_t));

	p = xengnttab_map_domain_grant_refs(rx->gnttab, n, domid, copy,
					    PROT_READ | (writable ? PROT_WRITE : 0));
	if (!p)
		return negative_errno();
	*ret_addr = p;
	return 0;
}

static int real_gnt_unmap(struct xenif *x, void *addr, uint32_t n)
{
	struct xenif_real *rx = to_real(x);

	if (!rx->gnttab)
		return -EINVAL;
	return xengnttab_unmap(rx->gnttab, addr, n) < 0 ? negative_errno() : 0;
}

static const struct xenif_gnttab_ops real_gnttab_ops = {
	.map = real_gnt_map,
	.unmap = real_gnt_unmap,
};

static int real_gnt_share(struct xenif *x, uint32_t domid, uint32_t n, bool writable,
			  uint32_t *ret_refs, void **ret_addr)
{
	struct xenif_real *rx = to_real(x);
	void *p;

	if (!rx->gntshr) {
		rx->gntshr = xengntshr_open(&quiet_logger, 0);
		if (!rx->gntshr)
			return negative_errno();
	}
	/* gntalloc hands out zeroed pages, as our API promises. */
	p = xengntshr_share_pages(rx->gntshr, domid, (int)n, ret_refs, writable);
	if (!p)
		return negative_errno();
	*ret_addr = p;
	return 0;
}

static int real_gnt_unshare(struct xenif *x, void *addr, uint32_t n)
{
	struct xenif_real *rx = to_real(x);

	if (!rx->gntshr)
		return -EINVAL;
	return xengntshr_unshare(rx->gntshr, addr, n) < 0 ? negative_errno() : 0;
}

static const struct xenif_gntshr_ops real_gntshr_ops = {
	.share = real_gnt_share,
	.unshare = real_gnt_unshare,
};

/* ---- Domains --------------------------------------------------------------- */

static void read_name(struct xenif_real *rx, uint32_t domid, struct xenif_dominfo *ret)
{
	char path[64];
	unsigned int len;
	_cleanup_free_ char *name = NULL;

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	name = xs_read(rx->xs, XBT_NULL, path, &len);
	/* No name (or no right to read it) leaves it empty, as documented. */
	if (name)
		snprintf(ret->name, sizeof(ret->name), "%s", name);
}

static int real_domain_info(struct xenif *x, uint32_t domid, struct xenif_dominfo *ret)
{
	struct xenif_real *rx = to_real(x);
	xc_dominfo_t info;
	int n;

	if (!rx->xc) {
		rx->xc = xc_interface_open(&quiet_logger, &quiet_logger, 0);
		if (!rx->xc)
			return negative_errno();
	}
	/* Xen 4.17's call lists domains from @domid upwards: the first one
	 * returned may be a later domain when @domid does not exist. */
	n = xc_domain_getinfo(rx->xc, domid, 1, &info);
	/* Past the last domain Xen answers ESRCH (seen in the real-Xen rig);
	 * the contract's word for "no such domain" is -ENOENT (D1). */
	if (n < 0 && errno == ESRCH)
		return -ENOENT;
	if (n < 0)
		return negative_errno();
	if (n == 0 || info.domid != domid)
		return -ENOENT;
	ret->domid = domid;
	ret->dying = info.dying;
	read_name(rx, domid, ret);
	return 0;
}

static const struct xenif_domain_ops real_domain_ops = {
	.info = real_domain_info,
};

/* ---- the context ------------------------------------------------------------ */

static void real_close(struct xenif *x)
{
	struct xenif_real *rx = to_real(x);

	if (rx->gnttab)
		xengnttab_close(rx->gnttab);
	if (rx->gntshr)
		xengntshr_close(rx->gntshr);
	if (rx->xc)
		xc_interface_close(rx->xc);
	xs_close(rx->xs);
	free(rx);
}

static const struct xenif_core_ops real_core_ops = {
	.name = "real",
	.close = real_close,
};

/*
 * Our own domid: XenStore's relative "domid" node when it is there; else 0
 * in a control domain (what dom0 reads in /proc/xen/capabilities); else
 * unknown.
 */
static uint32_t own_domid(struct xs_handle *xs)
{
	_cleanup_free_ char *v = NULL;
	char caps[256] = "";
	unsigned int len;
	unsigned long d;
	FILE *f;
	char *end;

	v = xs_read(xs, XBT_NULL, "domid", &len);
	if (v) {
		d = strtoul(v, &end, 10);
		if (end != v && *end == '\0' && d <= XENIF_DOMID_MAX)
			return (uint32_t)d;
	}
	f = fopen("/proc/xen/capabilities", "re");
	if (f) {
		if (!fgets(caps, sizeof(caps), f))
			caps[0] = '\0';
		fclose(f);
	}
	return strstr(caps, "control_d") ? 0 : XENIF_DOMID_SELF;
}

/**
 * xenif_real_open() - open XenStore through libxenstore.
 * @domid: XENIF_DOMID_SELF to find out, or the caller's own domid.
 * @ret: the new context.
 *
 * libxenstore connects to $XENSTORED_PATH when set (how the tests point it
 * at xensimd), else to xenstored's socket or /dev/xen/xenbus.
 * Return: 0, or the errno of xs_open().
 */
int xenif_real_open(uint32_t domid, struct xenif **ret)
{
	struct xenif_real *rx;

	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return -ENOMEM;
	rx->xs = xs_open(0);
	if (!rx->xs) {
		int r = negative_errno();

		free(rx);
		return r;
	}
	rx->base.core = &real_core_ops;
	rx->base.xs = &real_xs_ops;
	rx->base.evtchn = &real_evtchn_ops;
	rx->base.gnttab = &real_gnttab_ops;
	rx->base.gntshr = &real_gntshr_ops;
	rx->base.domain = &real_domain_ops;
	rx->base.domid = domid == XENIF_DOMID_SELF ? own_domid(rx->xs) : domid;
	*ret = &rx->base;
	return 0;
}
