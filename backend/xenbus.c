// SPDX-License-Identifier: MIT
/*
 * xenbus.c - the backend's XenBus state machine (see xenbus.h).
 *
 * Nothing here trusts a watch event: every pass re-reads BE (trusted, the
 * toolstack's and ours) and FE's state (the guest's) and derives what to do
 * from the state we last wrote, so a repeated, spurious or lost event
 * cannot make a transition happen twice or not at all. The frontend's
 * configuration and transport nodes are read only at the moment of
 * connecting, strictly validated, and never kept (REQ-1, REQ-3).
 *
 * The transitions, with S = the backend state we last wrote (protocol.md
 * 2.4; "tear down" = the disconnect callback when connected):
 *
 *   S        | event                                | action
 *   ---------+--------------------------------------+---------------------
 *   (new)    | BE/state = 1                         | versions = 2, S -> 2
 *   (new)    | BE/state = 2 or 6                    | adopt it as S
 *   (new)    | BE/state anything else (old daemon)  | S -> 5 -> 6
 *   any      | BE/state = 1 not written by us       | forget close, -> 2
 *   any      | BE/state other, not by us, or        | tear down, S -> 6,
 *            | online = 0                           | stay while so
 *   any      | FE gone (state missing, domain dead) | tear down, S -> 6
 *   1        | -                                    | versions = 2, S -> 2
 *   2        | FE 3 or 4                            | connect: S -> 4, or
 *            |                                      | error, S -> 5 -> 6
 *   2        | FE 5 / FE 6                          | S -> 5 / S -> 6
 *   4        | FE 5 / FE 6                          | tear down, S -> 5 / 6
 *   4, 5, 6  | FE 1                                 | tear down, S -> 2
 *   5        | FE 6                                 | S -> 6
 *   (gone)   | BE dir removed                       | tear down, forget
 *
 * Going back to 2 always clears the error and asks for a fresh set of
 * transport nodes: the frontend republishes them before its next 3.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "xenbus.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "xenbus-int.h"

/*
 * A canonical decimal u32 <= @max: digits only, no sign, no space, no
 * leading zero, nothing after. Guests write "%u"; anything else is either a
 * bug or an attack, and either way not a number we act on (rule 42).
 */
static int parse_u32(const char *s, size_t len, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;

	if (len == 0 || len > XB_U32_DIGITS || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int xs_read_u32(struct sndbe_xenbus *xb, const char *path, uint32_t max, uint32_t *ret)
{
	_cleanup_free_ char *v = NULL;
	size_t len;
	int r;

	r = xenif_xs_read(xb->x, XENIF_TX_NONE, path, &v, &len);
	if (r < 0)
		return r;
	return parse_u32(v, len, max, ret);
}

/* A XenbusState node; a value that is no state reads as Unknown, as
 * Linux's xenbus_read_driver_state() has it. */
static int xs_read_state(struct sndbe_xenbus *xb, const char *path, int *ret)
{
	uint32_t v;
	int r;

	r = xs_read_u32(xb, path, XB_CLOSED + 2, &v);
	if (r == -EINVAL)
		v = XB_UNKNOWN;
	else if (r < 0)
		return r;
	*ret = (int)v;
	return 0;
}

/*
 * Write BE/<key> only while BE still exists: a plain write would recreate
 * a directory the toolstack has just removed, leaving a stray device.
 */
static int be_write(struct sndbe_xb_device *d, const char *key, const char *value)
{
	struct xenif *x = d->xb->x;
	char path[XB_PATH_SZ + 32];
	xenif_tx_t tx;
	int r;

	snprintf(path, sizeof(path), "%s/%s", d->be, key);
	for (int tries = 0; tries < XB_TX_RETRIES; tries++) {
		_cleanup_free_ char *v = NULL;

		r = xenif_xs_transaction_start(x, &tx);
		if (r < 0)
			return r;
		r = xenif_xs_read(x, tx, d->be, &v, NULL);
		if (r >= 0)
			r = xenif_xs_write(x, tx, path, value, strlen(value));
		if (r < 0) {
			xenif_xs_transaction_end(x, tx, true);
			return r;
		}
		r = xenif_xs_transaction_end(x, tx, false);
		if (r != -EAGAIN)
			return r;
	}
	return -EAGAIN;
}

/* Return 1 (a transition happened) or a negative errno. */
static int set_state(struct sndbe_xb_device *d, int state)
{
	char v[4];
	int r;

	snprintf(v, sizeof(v), "%d", state);
	r = be_write(d, "state", v);
	if (r < 0)
		return r;
	d->state = state;
	d->history[d->n_history % SNDBE_XB_HISTORY] = (uint8_t)state;
	d->n_history++;
	return 1;
}

static void error_dir(const struct sndbe_xb_device *d, char *buf, size_t size)
{
	snprintf(buf, size, "/local/domain/%u/error/backend/vsnd/%u/%u", d->xb->self, d->domid,
		 d->devid);
}

static void error_clear(struct sndbe_xb_device *d)
{
	char path[XB_PATH_SZ];

	if (!d->error[0])
		return;
	d->error[0] = '\0';
	error_dir(d, path, sizeof(path));
	/* Absent already is fine: the goal is only that no stale text stays. */
	xenif_xs_rm(d->xb->x, XENIF_TX_NONE, path);
}

/*
 * Record why the device failed, for sndbe_xenbus_info() and, in the xenbus
 * convention ("<errno> <text>"), for the toolstack. A failing write of the
 * node is not reported: the state change that follows matters more.
 */
static void __attribute__((format(printf, 3, 4)))
error_set(struct sndbe_xb_device *d, int err, const char *fmt, ...)
{
	char path[XB_PATH_SZ + 8], node[SNDBE_XB_ERROR_MAX + 16];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	error_dir(d, path, sizeof(path));
	strcat(path, "/error");
	n = snprintf(node, sizeof(node), "%d %s", err < 0 ? -err : err, d->error);
	xenif_xs_write(d->xb->x, XENIF_TX_NONE, path, node, (size_t)n < sizeof(node) ?
		       (size_t)n : sizeof(node) - 1);
}

static void dev_disconnect(struct sndbe_xb_device *d)
{
	if (!d->connected)
		return;
	d->connected = false;
	d->xb->ops->disconnect(d->xb->userdata, d);
}

static int dev_reset_initwait(struct sndbe_xb_device *d)
{
	int r;

	dev_disconnect(d);
	error_clear(d);
	/* REQ-2: advertise the version before leaving Initialising. */
	r = be_write(d, "versions", "2");
	if (r < 0)
		return r;
	return set_state(d, XB_INITWAIT);
}

/* Closing then Closed: Linux reacts to Closed by restarting at 1. */
static int dev_close_chain(struct sndbe_xb_device *d)
{
	int r;

	dev_disconnect(d);
	if (d->state != XB_CLOSING) {
		r = set_state(d, XB_CLOSING);
		if (r < 0)
			return r;
	}
	return set_state(d, XB_CLOSED);
}

/* Straight to Closed: the toolstack or a vanished frontend waits for 6. */
static int dev_go_closed(struct sndbe_xb_device *d)
{
	dev_disconnect(d);
	if (d->state == XB_CLOSED)
		return 0;
	return set_state(d, XB_CLOSED);
}

/* The config parser's view of FE: paths relative to the card directory. */
static int fe_reader(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	struct sndbe_xb_device *d = ctx;
	_cleanup_free_ char *v = NULL;
	char path[XB_PATH_SZ + VSND_XSCFG_PATH_MAX];
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/%s", d->fe, relpath);
	r = xenif_xs_read(d->xb->x, XENIF_TX_NONE, path, &v, &len);
	if (r < 0)
		return r;
	if (bufsz > 0) {
		size_t n = len < bufsz - 1 ? len : bufsz - 1;

		memcpy(buf, v, n);
		buf[n] = '\0';
	}
	/* XenStore values never exceed its 4096-byte payload. */
	return (int)len;
}

static int read_ref(struct sndbe_xb_device *d, const char *dir, const char *key, uint32_t *ret)
{
	_cleanup_free_ char *v = NULL;
	char path[XB_PATH_SZ + 64];
	char rel[VSND_XSCFG_PATH_MAX];
	struct vsnd_xscfg_error e;
	size_t len;
	int r;

	snprintf(rel, sizeof(rel), "%s/%s", dir, key);
	snprintf(path, sizeof(path), "%s/%s", d->fe, rel);
	r = xenif_xs_read(d->xb->x, XENIF_TX_NONE, path, &v, &len);
	if (r == -ENOENT) {
		error_set(d, -EINVAL, "%s: missing", rel);
		return -EINVAL;
	}
	if (r < 0) {
		error_set(d, r, "%s: cannot be read", rel);
		return r;
	}
	if (parse_u32(v, len, UINT32_MAX, ret) < 0 || *ret == 0) {
		vsnd_xscfg_node_error(&e, rel, v, len, "not a non-zero decimal u32");
		error_set(d, -EINVAL, "%s", e.msg);
		return -EINVAL;
	}
	return 0;
}

static int read_stream_refs(struct sndbe_xb_device *d, const struct vsnd_xscfg *cfg,
			    struct sndbe_xb_stream_refs *refs, unsigned int n)
{
	char dir[VSND_XSCFG_PATH_MAX];
	int r = 0;

	for (unsigned int i = 0; i < n && r >= 0; i++) {
		struct sndbe_xb_stream_refs *s = &refs[i];

		r = vsnd_xscfg_stream_at(cfg, i, &s->pcm, &s->stream);
		if (r < 0)
			return r;
		vsnd_xscfg_path(dir, sizeof(dir), (int)s->pcm, (int)s->stream, NULL);
		r = read_ref(d, dir, "ring-ref", &s->ring_ref);
		r = r < 0 ? r : read_ref(d, dir, "event-channel", &s->evtchn);
		r = r < 0 ? r : read_ref(d, dir, "evt-ring-ref", &s->evt_ring_ref);
		r = r < 0 ? r : read_ref(d, dir, "evt-event-channel", &s->evt_evtchn);
	}
	return r;
}

/* REQ-2: the frontend need not say, but if it does it must say 2. */
static int check_version(struct sndbe_xb_device *d)
{
	_cleanup_free_ char *v = NULL;
	char path[XB_PATH_SZ + 16];
	struct vsnd_xscfg_error e;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/version", d->fe);
	r = xenif_xs_read(d->xb->x, XENIF_TX_NONE, path, &v, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		error_set(d, r, "version: cannot be read");
		return r;
	}
	if (len != 1 || v[0] != '2') {
		vsnd_xscfg_node_error(&e, "version", v, len, "only version 2 is supported");
		error_set(d, -EINVAL, "%s", e.msg);
		return -EINVAL;
	}
	return 0;
}

/* Everything of step 4 of protocol.md 2.2 up to the callback. */
static int dev_connect(struct sndbe_xb_device *d)
{
	struct vsnd_xs_reader rd = { .read = fe_reader, .ctx = d };
	_cleanup_free_ struct sndbe_xb_stream_refs *refs = NULL;
	struct vsnd_xscfg *cfg = NULL;
	struct vsnd_xscfg_error e;
	unsigned int n;
	int r;

	r = check_version(d);
	if (r < 0)
		return r;
	r = vsnd_xscfg_parse(&rd, VSND_XSCFG_MODE_STRICT, &cfg, &e);
	if (r < 0) {
		error_set(d, r, "%s", r == -ENODEV ? "no PCM device configured" : e.msg);
		return r;
	}
	n = vsnd_xscfg_stream_count(cfg);
	refs = calloc(n ? n : 1, sizeof(*refs));
	r = refs ? read_stream_refs(d, cfg, refs, n) : -ENOMEM;
	if (r >= 0) {
		d->reason[0] = '\0';
		r = d->xb->ops->connect(d->xb->userdata, d, cfg, refs, n);
		if (r < 0 && d->reason[0])
			error_set(d, r, "%s", d->reason);
		else if (r < 0)
			error_set(d, r, "connecting the streams failed: %s", strerror(-r));
	} else if (r == -ENOMEM) {
		error_set(d, r, "out of memory");
	}
	vsnd_xscfg_free(cfg);
	return r;
}

static int dev_try_connect(struct sndbe_xb_device *d)
{
	int r;

	r = dev_connect(d);
	if (r < 0)
		return dev_close_chain(d);
	d->connected = true;
	d->connects++;
	r = set_state(d, XB_CONNECTED);
	/* Unannounced streams must not stay mapped. */
	if (r < 0)
		dev_disconnect(d);
	return r;
}

/* The frontend's move, with both BE facts (online, our state) settled. */
static int dev_step(struct sndbe_xb_device *d, int fe)
{
	switch (d->state) {
	case XB_INITIALISING:
		return dev_reset_initwait(d);
	case XB_INITWAIT:
		if (fe == XB_INITIALISED || fe == XB_CONNECTED)
			return dev_try_connect(d);
		if (fe == XB_CLOSING || fe == XB_CLOSED)
			return set_state(d, fe);
		return 0;
	case XB_CONNECTED:
		if (fe == XB_CLOSING || fe == XB_CLOSED) {
			dev_disconnect(d);
			return set_state(d, fe);
		}
		return fe == XB_INITIALISING ? dev_reset_initwait(d) : 0;
	case XB_CLOSING:
		if (fe == XB_CLOSED)
			return set_state(d, XB_CLOSED);
		return fe == XB_INITIALISING ? dev_reset_initwait(d) : 0;
	case XB_CLOSED:
		return fe == XB_INITIALISING ? dev_reset_initwait(d) : 0;
	default:
		return 0;
	}
}

/*
 * BE/frontend comes from the toolstack, but a path outside the guest's own
 * tree would make us act on (and watch) somebody else's nodes.
 */
static int dev_read_frontend(struct sndbe_xb_device *d)
{
	_cleanup_free_ char *v = NULL;
	char path[XB_PATH_SZ + 16], prefix[48];
	uint32_t id;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/frontend-id", d->be);
	r = xs_read_u32(d->xb, path, XENIF_DOMID_MAX, &id);
	if (r < 0 || id != d->domid) {
		error_set(d, -EINVAL, "frontend-id: missing or not %u", d->domid);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/frontend", d->be);
	r = xenif_xs_read(d->xb->x, XENIF_TX_NONE, path, &v, &len);
	snprintf(prefix, sizeof(prefix), "/local/domain/%u/", d->domid);
	if (r < 0 || len >= sizeof(d->fe) - 8 || strncmp(v, prefix, strlen(prefix)) != 0 ||
	    strlen(v) != len) {
		error_set(d, -EINVAL, "frontend: missing or not under %s", prefix);
		return -EINVAL;
	}
	memcpy(d->fe, v, len + 1);
	snprintf(d->fe_state_path, sizeof(d->fe_state_path), "%s/state", d->fe);
	r = xenif_xs_watch(d->xb->x, d->fe_state_path, TOKEN_FE);
	if (r < 0 && r != -EEXIST)
		return r;
	d->fe_watched = true;
	return 0;
}

/* The first look at a device, at discovery or at daemon start. */
static int dev_adopt(struct sndbe_xb_device *d, int be_state)
{
	int r;

	d->adopted = true;
	d->state = be_state;
	r = dev_read_frontend(d);
	if (r == -EINVAL) {
		d->ts_closed = true;	/* unusable until the toolstack redoes it */
		return dev_close_chain(d);
	}
	if (r < 0) {
		d->adopted = false;
		return r;
	}
	if (be_state == XB_INITIALISING || be_state == XB_INITWAIT || be_state == XB_CLOSED)
		return 1;
	/* A previous instance's connection: its mappings died with it. */
	return dev_close_chain(d);
}

/* BE/state holds a value we did not write: the toolstack's. */
static void dev_toolstack(struct sndbe_xb_device *d, int be_state)
{
	dev_disconnect(d);
	if (be_state == XB_INITIALISING) {
		/* Re-added: start over. */
		d->ts_closed = false;
		d->state = XB_INITIALISING;
	} else {
		d->ts_closed = true;
	}
}

static int dev_reconcile_once(struct sndbe_xb_device *d)
{
	struct sndbe_xenbus *xb = d->xb;
	_cleanup_free_ char *v = NULL;
	char path[XB_PATH_SZ + 16];
	uint32_t online = 0;
	int be_state = XB_UNKNOWN, r;

	r = xenif_xs_read(xb->x, XENIF_TX_NONE, d->be, &v, NULL);
	if (r < 0)
		return r;	/* -ENOENT: the caller forgets the device */
	snprintf(path, sizeof(path), "%s/state", d->be);
	r = xs_read_state(xb, path, &be_state);
	if (r < 0 && r != -ENOENT)
		return r;
	snprintf(path, sizeof(path), "%s/online", d->be);
	r = xs_read_u32(xb, path, 1, &online);
	if (r < 0 && r != -ENOENT && r != -EINVAL)
		return r;
	d->online = online == 1;
	if (!d->adopted)
		return dev_adopt(d, be_state);
	if (be_state != d->state)
		dev_toolstack(d, be_state);
	if (!d->online || d->ts_closed)
		return dev_go_closed(d);
	r = d->dead ? -ENOENT : xs_read_state(xb, d->fe_state_path, &d->fe_state);
	if (r == -ENOENT) {
		d->fe_state = XB_UNKNOWN;
		return dev_go_closed(d);
	}
	if (r < 0)
		return r;
	return dev_step(d, d->fe_state);
}

static void dev_free(struct sndbe_xb_device *d)
{
	dev_disconnect(d);
	if (d->xb->ops->forget)
		d->xb->ops->forget(d->xb->userdata, d);
	if (d->fe_watched)
		xenif_xs_unwatch(d->xb->x, d->fe_state_path, TOKEN_FE);
	error_clear(d);
	free(d);
}

static void xb_forget(struct sndbe_xenbus *xb, unsigned int i)
{
	dev_free(xb->devs[i]);
	memmove(&xb->devs[i], &xb->devs[i + 1], (xb->n_devs - i - 1) * sizeof(xb->devs[0]));
	xb->n_devs--;
}

struct sndbe_xb_device *sndbe_xb_lookup(const struct sndbe_xenbus *xb, uint32_t domid,
					uint32_t devid)
{
	for (unsigned int i = 0; i < xb->n_devs; i++)
		if (xb->devs[i]->domid == domid && xb->devs[i]->devid == devid)
			return xb->devs[i];
	return NULL;
}

static int xb_add(struct sndbe_xenbus *xb, uint32_t domid, uint32_t devid)
{
	struct sndbe_xb_device *d;

	if (xb->n_devs == xb->cap_devs) {
		unsigned int cap = xb->cap_devs ? xb->cap_devs * 2 : 8;
		struct sndbe_xb_device **v = reallocarray(xb->devs, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		xb->devs = v;
		xb->cap_devs = cap;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->xb = xb;
	d->domid = domid;
	d->devid = devid;
	d->seen = true;
	snprintf(d->be, sizeof(d->be), "%s/%u/%u", xb->root, domid, devid);
	xb->devs[xb->n_devs++] = d;
	return 0;
}

/* Mark (adding when new) the devices of one guest's BE directory. */
static int xb_scan_domain(struct sndbe_xenbus *xb, uint32_t domid, const char *name)
{
	char path[XB_PATH_SZ];
	char **devids = NULL;
	int n, r = 0;

	snprintf(path, sizeof(path), "%s/%s", xb->root, name);
	n = xenif_xs_directory(xb->x, XENIF_TX_NONE, path, &devids);
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	for (int i = 0; i < n && r >= 0; i++) {
		struct sndbe_xb_device *d;
		uint32_t devid;

		if (parse_u32(devids[i], strlen(devids[i]), UINT32_MAX, &devid) < 0)
			continue;	/* not a device of ours */
		d = sndbe_xb_lookup(xb, domid, devid);
		if (d)
			d->seen = true;
		else
			r = xb_add(xb, domid, devid);
	}
	xenif_strv_free(devids);
	return r;
}

static int xb_discover(struct sndbe_xenbus *xb)
{
	char **doms = NULL;
	int n, r = 0;

	for (unsigned int i = 0; i < xb->n_devs; i++)
		xb->devs[i]->seen = false;
	n = xenif_xs_directory(xb->x, XENIF_TX_NONE, xb->root, &doms);
	if (n < 0 && n != -ENOENT)
		return n;
	for (int i = 0; i < n && r >= 0; i++) {
		uint32_t domid;

		if (parse_u32(doms[i], strlen(doms[i]), XENIF_DOMID_MAX, &domid) == 0)
			r = xb_scan_domain(xb, domid, doms[i]);
	}
	xenif_strv_free(doms);
	if (r < 0)
		return r;	/* keep every device: "not seen" is not known */
	for (unsigned int i = xb->n_devs; i-- > 0;)
		if (!xb->devs[i]->seen)
			xb_forget(xb, i);
	return 0;
}

/* After @releaseDomain: which guests are gone or dying. */
static void xb_check_domains(struct sndbe_xenbus *xb)
{
	for (unsigned int i = 0; i < xb->n_devs; i++) {
		struct sndbe_xb_device *d = xb->devs[i];
		struct xenif_dominfo info;
		int r;

		r = xenif_domain_info(xb->x, d->domid, &info);
		if (r == -ENOENT || (r == 0 && info.dying))
			d->dead = true;
	}
}

static int xb_rescan(struct sndbe_xenbus *xb)
{
	int first = 0, r;

	r = xb_discover(xb);
	if (r < 0)
		return r;
	if (xb->check_domains) {
		xb->check_domains = false;
		xb_check_domains(xb);
	}
	for (unsigned int i = xb->n_devs; i-- > 0;) {
		for (int round = 0; round < XB_ROUNDS; round++) {
			r = dev_reconcile_once(xb->devs[i]);
			if (r <= 0)
				break;
		}
		if (r == -ENOENT)
			xb_forget(xb, i);
		else if (r < 0 && first == 0)
			first = r;
	}
	return first;
}

int sndbe_xenbus_process(struct sndbe_xenbus *xb)
{
	char *path, *token;
	int r;

	if (!xb)
		return -EINVAL;
	for (;;) {
		r = xenif_xs_read_watch(xb->x, &path, &token);
		if (r == -EAGAIN)
			break;
		if (r < 0)
			return r;
		if (strcmp(token, TOKEN_REL) == 0)
			xb->check_domains = true;
		xb->rescan = true;
		free(path);
		free(token);
	}
	if (!xb->rescan)
		return 0;
	xb->rescan = false;
	r = xb_rescan(xb);
	if (r < 0)
		xb->rescan = true;	/* try again on the next call */
	return r;
}

int sndbe_xenbus_new(struct xenif *x, const struct sndbe_xenbus_ops *ops, void *userdata,
		     struct sndbe_xenbus **ret)
{
	struct sndbe_xenbus *xb;
	int r;

	if (!x || !ops || !ops->connect || !ops->disconnect || !ret)
		return -EINVAL;
	if (xenif_domid(x) == XENIF_DOMID_SELF)
		return -ENXIO;
	xb = calloc(1, sizeof(*xb));
	if (!xb)
		return -ENOMEM;
	xb->x = x;
	xb->ops = ops;
	xb->userdata = userdata;
	xb->self = xenif_domid(x);
	xb->rescan = true;
	xb->check_domains = true;
	snprintf(xb->root, sizeof(xb->root), "/local/domain/%u/backend/vsnd", xb->self);
	r = xenif_xs_watch(x, xb->root, TOKEN_BE);
	if (r < 0) {
		free(xb);
		return r;
	}
	r = xenif_xs_watch(x, "@releaseDomain", TOKEN_REL);
	if (r < 0) {
		xenif_xs_unwatch(x, xb->root, TOKEN_BE);
		free(xb);
		return r;
	}
	*ret = xb;
	return 0;
}

struct sndbe_xenbus *sndbe_xenbus_free(struct sndbe_xenbus *xb)
{
	if (!xb)
		return NULL;
	for (unsigned int i = 0; i < xb->n_devs; i++) {
		struct sndbe_xb_device *d = xb->devs[i];

		dev_disconnect(d);
		if (xb->ops->forget)
			xb->ops->forget(xb->userdata, d);
		if (d->fe_watched)
			xenif_xs_unwatch(xb->x, d->fe_state_path, TOKEN_FE);
		free(d);
	}
	free(xb->devs);
	xenif_xs_unwatch(xb->x, "@releaseDomain", TOKEN_REL);
	xenif_xs_unwatch(xb->x, xb->root, TOKEN_BE);
	free(xb);
	return NULL;
}

int sndbe_xenbus_fail(struct sndbe_xenbus *xb, uint32_t domid, uint32_t devid, int err,
		      const char *why)
{
	struct sndbe_xb_device *d = xb ? sndbe_xb_lookup(xb, domid, devid) : NULL;

	if (!d || !d->connected)
		return -ENOENT;
	error_set(d, err, "%s", why ? why : strerror(err < 0 ? -err : err));
	return dev_close_chain(d);
}
