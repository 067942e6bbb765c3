// SPDX-License-Identifier: MIT
/*
 * xsconfig-write.c - `vsnd-xsconfig write`: an xl `vsnd` entry into
 * XenStore, node for node and permission for permission what libxl writes
 * (protocol.md 5.2, libxl__device_generic_add): for every card, in one
 * transaction for all of them,
 *
 *   LX = /libxl/G/device/vsnd/N           removed, then frontend, backend  (n0)
 *   FE = /local/domain/G/device/vsnd/N    removed, then backend, backend-id,
 *        state = 1, and the configuration nodes          (nG,rB on each node)
 *   BE = /local/domain/B/backend/vsnd/G/N removed, then frontend,
 *        frontend-id, online = 1, state = 1              (nB,rG on each node)
 *   LX again: the copy of BE's frontend-id, online, state (n0)
 *
 * libxl sets the permissions on the two directories and on the FE nodes it
 * writes and lets the rest inherit them; here every node created (the PCM
 * and stream directories the configuration nodes imply included) gets its
 * list explicitly, with the same result. The ancestors of the three
 * directories are left as XenStore creates them, as libxl leaves them.
 *
 * Before anything is written each card's nodes go through the strict model
 * (vsnd_xscfg_parse in STRICT mode over the in-memory nodes): its warnings
 * are printed; an error is printed too, and the card is still written, as
 * xl would write it, unless --strict asks to refuse it.
 */
#include "xsconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vsnd/xscfg.h"
#include "xlcfg.h"

/* An xl.cfg is a few KiB; refuse anything absurd before reading it. */
#define XSC_CONFIG_MAX (1024 * 1024)

struct card_plan {
	uint32_t devid;
	uint32_t backend;
	struct xsc_nodes nodes;	/* the configuration nodes, libxl's order */
};

static int read_file(const char *name, char **ret, size_t *ret_len)
{
	_cleanup_(fclosep) FILE *f = fopen(name, "re");
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (!f) {
		int e = errno;

		xsc_error("--config %s: cannot open: %s", name, strerror(e));
		return -e;
	}
	buf = malloc(XSC_CONFIG_MAX + 1);
	if (!buf)
		return -ENOMEM;
	len = fread(buf, 1, XSC_CONFIG_MAX + 1, f);
	if (ferror(f)) {
		xsc_error("--config %s: cannot read: %s", name, strerror(EIO));
		return -EIO;
	}
	if (len > XSC_CONFIG_MAX) {
		xsc_error("--config %s: larger than %d octets, not an xl.cfg", name,
			  XSC_CONFIG_MAX);
		return -EFBIG;
	}
	buf[len] = '\0';
	*ret = buf;
	buf = NULL;
	*ret_len = len;
	return 0;
}

/* Parse --config or --value as xl would; xl's quirks become warnings. */
static int load_config(const struct xsc_opts *o, struct vsnd_xl_config **ret)
{
	_cleanup_free_ char *text = NULL;
	const char *what = o->config ? o->config : "--value";
	struct vsnd_xl_diag d = { 0 };
	size_t len;
	int r;

	if (o->config) {
		r = read_file(o->config, &text, &len);
		if (r < 0)
			return r;
		r = vsnd_xl_parse_file(text, len, ret, &d);
	} else {
		r = vsnd_xl_parse_value(o->value, strlen(o->value), ret, &d);
	}
	for (uint32_t i = 0; i < d.n_warnings; i++)
		xsc_warning("%s: %s", what, d.warnings[i]);
	if (d.lost_warnings)
		xsc_warning("%s: %u more warnings not shown", what, d.lost_warnings);
	if (r == -ENOENT)
		xsc_error("%s: no vsnd entry in the file", what);
	else if (r == -ENOMEM)
		xsc_error("%s: out of memory", what);
	else if (r < 0)
		xsc_error("%s: %s", what, d.error);
	else if ((*ret)->n_cards == 0)
		xsc_error("%s: the vsnd entry holds no card", what);
	if (r == 0 && (*ret)->n_cards == 0) {
		*ret = vsnd_xl_config_free(*ret);
		return -EINVAL;
	}
	return r;
}

/* The card's nodes through the strict model; 1 when it has an error. */
static int check_card(const struct vsnd_xl_card *card, unsigned int idx, struct xsc_nodes *nodes,
		      bool strict)
{
	struct vsnd_xs_reader rd = { .read = xsc_nodes_read, .ctx = nodes };
	struct vsnd_xscfg_error err = { { 0 } };
	struct vsnd_xscfg *cfg = NULL;
	int r;

	r = vsnd_xl_card_nodes(card, xsc_nodes_add, nodes);
	if (r < 0) {
		xsc_error("card %u: %s", idx, strerror(-r));
		return -1;
	}
	r = vsnd_xscfg_parse(&rd, VSND_XSCFG_MODE_STRICT, &cfg, &err);
	if (r == -ENOMEM) {
		xsc_error("card %u: out of memory", idx);
		return -1;
	}
	if (r < 0) {
		if (strict)
			xsc_error("card %u: %s", idx, err.msg);
		else
			xsc_warning("card %u: %s (written anyway, as xl would; --strict refuses it)",
				    idx, err.msg);
		return 1;
	}
	for (unsigned int i = 0; i < cfg->warnings.n; i++)
		xsc_warning("card %u: %s", idx, cfg->warnings.msg[i]);
	if (cfg->warnings.lost)
		xsc_warning("card %u: %u more warnings not shown", idx, cfg->warnings.lost);
	vsnd_xscfg_free(cfg);
	return 0;
}

static int node_exists(struct xenif *x, const char *path)
{
	_cleanup_free_ char *v = NULL;
	int r = xenif_xs_read(x, XENIF_TX_NONE, path, &v, NULL);

	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

/* A domain by id or name, as libxl_domain_qualifier_to_domid() reads it. */
static int domain_by_name(struct xenif *x, const char *name, uint32_t *ret)
{
	_cleanup_strv_ char **doms = NULL;
	unsigned int found = 0;
	int n = xenif_xs_directory(x, XENIF_TX_NONE, "/local/domain", &doms);

	if (n < 0) {
		xsc_error("backend=%s: cannot list /local/domain: %s", name, strerror(-n));
		return n;
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *v = NULL;
		char path[XSC_PATH_MAX];
		uint32_t id;

		if (xsc_parse_u32(doms[i], XENIF_DOMID_MAX, &id) < 0)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%u/name", id);
		if (xenif_xs_read(x, XENIF_TX_NONE, path, &v, NULL) == 0 && strcmp(v, name) == 0) {
			*ret = id;
			found++;
		}
	}
	if (found == 1)
		return 0;
	if (found == 0)
		xsc_error("backend=%s: no domain has that name", name);
	else
		xsc_error("backend=%s: %u domains have that name; give the domain id", name, found);
	return -ENOENT;
}

static int resolve_backend(struct xenif *x, const char *spec, uint32_t dflt, uint32_t *ret)
{
	size_t digits = strspn(spec ? spec : "", "0123456789");
	unsigned long v;

	if (!spec) {
		*ret = dflt;
		return 0;
	}
	if (digits == 0 || spec[digits])
		return domain_by_name(x, spec, ret);
	v = strtoul(spec, NULL, 10);
	if (digits > 5 || v > XENIF_DOMID_MAX) {
		xsc_error("backend=%s: not a domain id (0..%u)", spec, XENIF_DOMID_MAX);
		return -ERANGE;
	}
	*ret = (uint32_t)v;
	return 0;
}

static int check_domain(struct xenif *x, uint32_t domid, const char *what)
{
	char path[XSC_PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	r = node_exists(x, path);
	if (r == 0)
		xsc_error("%s %u: no such domain (%s does not exist)", what, domid, path);
	else if (r < 0)
		xsc_error("%s %u: cannot read %s: %s", what, domid, path, strerror(-r));
	return r == 1 ? 0 : -ENOENT;
}

/* ---- inside the transaction ---------------------------------------------- */

struct perms {
	struct xenif_xs_perm p[2];
	unsigned int n;
};

struct txw {
	struct xenif *x;
	xenif_tx_t tx;
};

static int put(const struct txw *w, const char *path, const char *value, const struct perms *pm)
{
	int r = xenif_xs_write(w->x, w->tx, path, value, strlen(value));

	if (r >= 0)
		r = xenif_xs_set_perms(w->x, w->tx, path, pm->p, pm->n);
	if (r < 0)
		xsc_error("writing %s = \"%s\": %s", path, value, strerror(-r));
	return r;
}

static int put_fmt(const struct txw *w, const char *dir, const char *key, const char *value,
		   const struct perms *pm)
{
	char path[XSC_PATH_MAX + VSND_XSCFG_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return put(w, path, value, pm);
}

/* Remove @path and create it afresh, empty, with @pm. */
static int recreate(const struct txw *w, const char *path, const struct perms *pm)
{
	int r = xenif_xs_rm(w->x, w->tx, path);

	if (r == -ENOENT)
		r = 0;
	if (r >= 0)
		r = xenif_xs_mkdir(w->x, w->tx, path);
	if (r >= 0)
		r = xenif_xs_set_perms(w->x, w->tx, path, pm->p, pm->n);
	if (r < 0)
		xsc_error("recreating %s: %s", path, strerror(-r));
	return r;
}

/* The directories a relative node path implies ("0", "0/1" for "0/1/type"),
 * each created once with the FE permissions. */
static int put_parents(const struct txw *w, const char *fe, const char *relpath,
		       struct xsc_nodes *made, const struct perms *pm)
{
	char dir[VSND_XSCFG_PATH_MAX * 2];
	int r;

	for (const char *s = strchr(relpath, '/'); s; s = strchr(s + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(s - relpath), relpath);
		if (xsc_nodes_read(made, dir, NULL, 0) >= 0)
			continue;
		r = xsc_nodes_add(made, dir, "");
		if (r >= 0)
			r = put_fmt(w, fe, dir, "", pm);
		if (r < 0)
			return r;
	}
	return 0;
}

static int write_fe(const struct txw *w, const struct xsc_paths *p, const struct card_plan *c,
		    const struct perms *pm)
{
	struct xsc_nodes made = { 0 };
	char num[16];
	int r;

	snprintf(num, sizeof(num), "%u", c->backend);
	r = recreate(w, p->fe, pm);
	if (r >= 0)
		r = put_fmt(w, p->fe, "backend", p->be, pm);
	if (r >= 0)
		r = put_fmt(w, p->fe, "backend-id", num, pm);
	if (r >= 0)
		r = put_fmt(w, p->fe, "state", "1", pm);
	for (size_t i = 0; r >= 0 && i < c->nodes.n; i++) {
		r = put_parents(w, p->fe, c->nodes.path[i], &made, pm);
		if (r >= 0)
			r = put_fmt(w, p->fe, c->nodes.path[i], c->nodes.value[i], pm);
	}
	xsc_nodes_clear(&made);
	return r;
}

/* BE's entries after `frontend`, which libxl also copies into LX. */
static int write_bents(const struct txw *w, const char *dir, uint32_t domid,
		       const struct perms *pm)
{
	char num[16];
	int r;

	snprintf(num, sizeof(num), "%u", domid);
	r = put_fmt(w, dir, "frontend-id", num, pm);
	if (r >= 0)
		r = put_fmt(w, dir, "online", "1", pm);
	if (r >= 0)
		r = put_fmt(w, dir, "state", "1", pm);
	return r;
}

static int write_card(const struct txw *w, uint32_t domid, const struct card_plan *c)
{
	const struct perms fe = { { { domid, XENIF_PERM_NONE }, { c->backend, XENIF_PERM_READ } }, 2 };
	const struct perms be = { { { c->backend, XENIF_PERM_NONE }, { domid, XENIF_PERM_READ } }, 2 };
	const struct perms lx = { { { 0, XENIF_PERM_NONE } }, 1 };
	struct xsc_paths p;
	int r;

	xsc_paths(&p, domid, c->devid, c->backend);
	r = recreate(w, p.lx, &lx);
	if (r >= 0)
		r = put_fmt(w, p.lx, "frontend", p.fe, &lx);
	if (r >= 0)
		r = put_fmt(w, p.lx, "backend", p.be, &lx);
	if (r >= 0)
		r = write_fe(w, &p, c, &fe);
	if (r >= 0)
		r = recreate(w, p.be, &be);
	if (r >= 0)
		r = put_fmt(w, p.be, "frontend", p.fe, &be);
	if (r >= 0)
		r = write_bents(w, p.be, domid, &be);
	if (r >= 0)
		r = write_bents(w, p.lx, domid, &lx);
	return r;
}

/* Give each card its devid: --devid N, N+1, ... or, as libxl allocates
 * them, the lowest ids without a frontend directory. */
static int assign_devids(const struct txw *w, const struct xsc_opts *o, struct card_plan *cards,
			 uint32_t n)
{
	_cleanup_free_ uint32_t *used = NULL;
	uint32_t next = o->have_devid ? o->devid : 0;
	int k = 0;

	if (!o->have_devid) {
		k = xsc_list_devids(w->x, w->tx, o->domid, &used);
		if (k < 0) {
			xsc_error("domain %u: cannot list its vsnd devices: %s", o->domid,
				  strerror(-k));
			return k;
		}
	}
	for (uint32_t i = 0; i < n; i++, next++) {
		for (int j = 0; j < k; j++)
			if (used[j] == next)
				next++;
		if (next > XSC_DEVID_MAX) {
			xsc_error("card %u: devid %u: beyond %u", i, next, XSC_DEVID_MAX);
			return -ERANGE;
		}
		cards[i].devid = next;
	}
	return 0;
}

static int commit_cards(struct xenif *x, const struct xsc_opts *o, struct card_plan *cards,
			uint32_t n)
{
	for (int attempt = 0; attempt < XSC_TX_RETRIES; attempt++) {
		struct txw w = { .x = x };
		int r = xenif_xs_transaction_start(x, &w.tx);

		if (r < 0) {
			xsc_error("cannot start a XenStore transaction: %s", strerror(-r));
			return r;
		}
		r = assign_devids(&w, o, cards, n);
		for (uint32_t i = 0; r >= 0 && i < n; i++)
			r = write_card(&w, o->domid, &cards[i]);
		if (r < 0) {
			xenif_xs_transaction_end(x, w.tx, true);
			return r;
		}
		r = xenif_xs_transaction_end(x, w.tx, false);
		if (r != -EAGAIN) {
			if (r < 0)
				xsc_error("committing the transaction: %s", strerror(-r));
			return r;
		}
	}
	xsc_error("the transaction conflicted %d times in a row; nothing was written",
		  XSC_TX_RETRIES);
	return -EAGAIN;
}

static void clear_plans(struct card_plan *cards, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		xsc_nodes_clear(&cards[i].nodes);
}

/* Check and plan every card before touching XenStore; 0, 1 (refused by
 * --strict) or a negative errno (message printed). */
static int plan_cards(struct xenif *x, const struct xsc_opts *o, const struct vsnd_xl_config *cfg,
		      struct card_plan *cards)
{
	int bad = 0, r;

	for (uint32_t i = 0; i < cfg->n_cards; i++) {
		r = check_card(&cfg->cards[i], i, &cards[i].nodes, o->strict);
		if (r < 0)
			return r;
		bad |= r;
		r = resolve_backend(x, cfg->cards[i].backend, o->backend, &cards[i].backend);
		if (r >= 0)
			r = check_domain(x, cards[i].backend, "backend domain");
		if (r < 0)
			return r;
	}
	return o->strict ? bad : 0;
}

int xsc_cmd_write(const struct xsc_opts *o)
{
	struct card_plan cards[VSND_XL_MAX_CARDS] = { 0 };
	struct vsnd_xl_config *cfg = NULL;
	struct xenif *x = NULL;
	int r;

	r = load_config(o, &cfg);
	if (r < 0)
		return XSC_EXIT_FAIL;
	r = xsc_open(o, &x);
	if (r >= 0)
		r = check_domain(x, o->domid, "guest domain");
	if (r >= 0)
		r = plan_cards(x, o, cfg, cards);
	if (r == 1)
		xsc_error("nothing written: the configuration has errors (--strict)");
	if (r == 0)
		r = commit_cards(x, o, cards, cfg->n_cards);
	for (uint32_t i = 0; r == 0 && i < cfg->n_cards; i++)
		printf("domain %u: vsnd device %u written (backend domain %u)\n", o->domid,
		       cards[i].devid, cards[i].backend);
	clear_plans(cards, cfg->n_cards);
	vsnd_xl_config_free(cfg);
	xenif_close(x);
	return r == 0 ? XSC_EXIT_OK : XSC_EXIT_FAIL;
}

/* ---- remove ------------------------------------------------------------------ */

/* Where BE is: from LX (dom0's own copy) or else FE's backend-id. FE is the
 * guest's to rewrite, so only a domid is taken from it and the path is
 * built, never followed. */
static int find_backend(const struct txw *w, const struct xsc_opts *o, const struct xsc_paths *p,
			uint32_t *ret)
{
	_cleanup_free_ char *v = NULL;
	char path[XSC_PATH_MAX + 16], want[XSC_PATH_MAX];
	uint32_t b = 0;
	int r;

	snprintf(path, sizeof(path), "%s/backend", p->lx);
	r = xenif_xs_read(w->x, w->tx, path, &v, NULL);
	if (r == 0) {
		/* /local/domain/B/backend/vsnd/G/N, nothing else */
		if (sscanf(v, "/local/domain/%u/", &b) == 1 && b <= XENIF_DOMID_MAX) {
			snprintf(want, sizeof(want), "/local/domain/%u/backend/vsnd/%u/%u", b,
				 o->domid, o->devid);
			if (strcmp(want, v) == 0) {
				*ret = b;
				return 0;
			}
		}
		xsc_warning("%s: \"%s\": not this device's backend path; ignored", path, v);
	}
	free(v);
	v = NULL;
	snprintf(path, sizeof(path), "%s/backend-id", p->fe);
	r = xenif_xs_read(w->x, w->tx, path, &v, NULL);
	if (r == 0 && xsc_parse_u32(v, XENIF_DOMID_MAX, &b) == 0) {
		*ret = b;
		return 0;
	}
	return -ENOENT;
}

static int exists_tx(const struct txw *w, const char *path)
{
	_cleanup_free_ char *v = NULL;
	int r = xenif_xs_read(w->x, w->tx, path, &v, NULL);

	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

/*
 * Remove @path, then each parent that is left empty (an empty value and no
 * children), as libxl's libxl__xs_path_cleanup() does when it removes a
 * device: `xl vsnd-detach` leaves no empty device/vsnd, backend/vsnd/<G> or
 * /libxl/<G>/device/vsnd directories behind, and neither do we.
 */
static int path_cleanup(const struct txw *w, const char *path)
{
	char buf[XSC_PATH_MAX];
	char *last;
	int r;

	r = xenif_xs_rm(w->x, w->tx, path);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%s", path);
	while ((last = strrchr(buf, '/')) && last != buf) {
		_cleanup_free_ char *value = NULL;
		char **names = NULL;
		int n;

		*last = '\0';
		if (xenif_xs_read(w->x, w->tx, buf, &value, NULL) < 0 || value[0] != '\0')
			break;
		n = xenif_xs_directory(w->x, w->tx, buf, &names);
		xenif_strv_free(names);
		if (n != 0)
			break;
		r = xenif_xs_rm(w->x, w->tx, buf);
		if (r < 0)
			return r;
	}
	return 0;
}

/* 1 when something was removed, 0 when the device does not exist. */
static int remove_card(const struct txw *w, const struct xsc_opts *o)
{
	const char *what[3];
	struct xsc_paths p;
	uint32_t b = o->backend;
	int found = 0, r;

	xsc_paths(&p, o->domid, o->devid, 0);
	if (find_backend(w, o, &p, &b) < 0)
		b = o->backend;
	xsc_paths(&p, o->domid, o->devid, b);
	what[0] = p.fe;
	what[1] = p.be;
	what[2] = p.lx;
	for (int i = 0; i < 3; i++) {
		r = exists_tx(w, what[i]);
		if (r > 0) {
			found = 1;
			r = path_cleanup(w, what[i]);
		}
		if (r < 0) {
			xsc_error("removing %s: %s", what[i], strerror(-r));
			return r;
		}
	}
	return found;
}

/* One attempt: 1 removed, 0 nothing to remove, -EAGAIN retry, < 0 failed. */
static int remove_once(struct txw *w, const struct xsc_opts *o)
{
	int r = xenif_xs_transaction_start(w->x, &w->tx);

	if (r < 0) {
		xsc_error("cannot start a XenStore transaction: %s", strerror(-r));
		return r;
	}
	r = remove_card(w, o);
	if (r <= 0) {
		xenif_xs_transaction_end(w->x, w->tx, true);
		return r;
	}
	r = xenif_xs_transaction_end(w->x, w->tx, false);
	if (r < 0 && r != -EAGAIN)
		xsc_error("committing the transaction: %s", strerror(-r));
	return r < 0 ? r : 1;
}

int xsc_cmd_remove(const struct xsc_opts *o)
{
	struct txw w = { 0 };
	int r, attempt = 0;

	r = xsc_open(o, &w.x);
	if (r < 0)
		return XSC_EXIT_FAIL;
	do
		r = remove_once(&w, o);
	while (r == -EAGAIN && ++attempt < XSC_TX_RETRIES);
	if (r == 0)
		xsc_error("domain %u: no vsnd device %u (no frontend, backend or libxl directory)",
			  o->domid, o->devid);
	else if (r == -EAGAIN)
		xsc_error("the transaction conflicted %d times in a row; nothing was removed",
			  XSC_TX_RETRIES);
	else if (r > 0)
		printf("domain %u: vsnd device %u removed\n", o->domid, o->devid);
	xenif_close(w.x);
	return r > 0 ? XSC_EXIT_OK : XSC_EXIT_FAIL;
}
