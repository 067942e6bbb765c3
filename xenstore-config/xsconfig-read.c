// SPDX-License-Identifier: MIT
/*
 * xsconfig-read.c - `vsnd-xsconfig validate` and `dump`: a guest's card
 * read back through XenStore (as dom0, inside one transaction so that the
 * card is seen whole) and run through the strict configuration model.
 *
 * validate prints, on stdout, every error and warning of the strict parse
 * as "<FE>: error: <node>: \"<value>\": <reason>" (warnings likewise) and
 * a verdict line per card; the exit status is 1 when a card is invalid.
 *
 * dump prints each card either as a tree, `relative/path = "value"` lines
 * in the order libxl writes them (the toolstack's backend, backend-id and
 * state first, then the configuration as the model formats it), or as an
 * xl `vsnd = [...]` entry that writes the same configuration back. A card
 * the strict model rejects is not dumped (validate says why).
 */
#include "xsconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "vsnd/xscfg.h"

struct xs_rd {
	struct xenif *x;
	xenif_tx_t tx;
	const char *fe;
};

static int xs_read_node(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	const struct xs_rd *rd = ctx;
	_cleanup_free_ char *v = NULL;
	char path[XSC_PATH_MAX + VSND_XSCFG_PATH_MAX];
	size_t len = 0;
	int r;

	snprintf(path, sizeof(path), "%s/%s", rd->fe, relpath);
	r = xenif_xs_read(rd->x, rd->tx, path, &v, &len);
	if (r < 0)
		return r;
	if (bufsz) {
		size_t n = len < bufsz - 1 ? len : bufsz - 1;

		memcpy(buf, v, n);
		buf[n] = '\0';
	}
	return len > INT_MAX ? INT_MAX : (int)len;
}

/* The card's strict parse, and FE's backend-id (UINT32_MAX when unreadable),
 * from one snapshot. Return: the parse's result, or a transaction error. */
static int parse_card(struct xenif *x, const char *fe, struct vsnd_xscfg **cfg,
		      struct vsnd_xscfg_error *err, uint32_t *backend)
{
	struct xs_rd ctx = { .x = x, .fe = fe };
	struct vsnd_xs_reader rd = { .read = xs_read_node, .ctx = &ctx };
	_cleanup_free_ char *v = NULL;
	char path[XSC_PATH_MAX + 16];
	int r;

	r = xenif_xs_transaction_start(x, &ctx.tx);
	if (r < 0)
		return r;
	*backend = UINT32_MAX;
	snprintf(path, sizeof(path), "%s/backend-id", fe);
	if (xenif_xs_read(x, ctx.tx, path, &v, NULL) == 0 &&
	    xsc_parse_u32(v, XENIF_DOMID_MAX, backend) < 0)
		*backend = UINT32_MAX;
	r = vsnd_xscfg_parse(&rd, VSND_XSCFG_MODE_STRICT, cfg, err);
	/* Read-only: nothing to commit. */
	xenif_xs_transaction_end(x, ctx.tx, true);
	return r;
}

/* The cards the command is about: --devid N (which must exist) or all. */
static int select_cards(struct xenif *x, const struct xsc_opts *o, uint32_t **ret)
{
	int n = xsc_list_devids(x, XENIF_TX_NONE, o->domid, ret);

	if (n < 0) {
		xsc_error("domain %u: cannot list /local/domain/%u/device/vsnd: %s", o->domid,
			  o->domid, strerror(-n));
		return n;
	}
	if (o->have_devid) {
		for (int i = 0; i < n; i++) {
			if ((*ret)[i] == o->devid) {
				(*ret)[0] = o->devid;
				return 1;
			}
		}
		xsc_error("domain %u: no vsnd device %u (/local/domain/%u/device/vsnd/%u does "
			  "not exist)", o->domid, o->devid, o->domid, o->devid);
		return -ENOENT;
	}
	if (n == 0) {
		xsc_error("domain %u: no vsnd device (/local/domain/%u/device/vsnd is empty or "
			  "absent)", o->domid, o->domid);
		return -ENOENT;
	}
	return n;
}

/* 0 valid, 1 invalid, < 0 could not read. */
static int validate_card(struct xenif *x, const char *fe)
{
	struct vsnd_xscfg_error err = { { 0 } };
	struct vsnd_xscfg *cfg = NULL;
	uint32_t backend;
	int r = parse_card(x, fe, &cfg, &err, &backend);

	if (r == -EINVAL || r == -ENODEV) {
		printf("%s: error: %s\n", fe,
		       err.msg[0] ? err.msg : "0: no PCM device (Linux: no devices configured)");
		printf("%s: invalid\n", fe);
		return 1;
	}
	if (r < 0) {
		xsc_error("%s: cannot read the card: %s", fe, strerror(-r));
		return r;
	}
	for (unsigned int i = 0; i < cfg->warnings.n; i++)
		printf("%s: warning: %s\n", fe, cfg->warnings.msg[i]);
	if (cfg->warnings.lost)
		printf("%s: warning: %u more warnings not shown\n", fe, cfg->warnings.lost);
	printf("%s: valid (%u warning%s)\n", fe, cfg->warnings.n + cfg->warnings.lost,
	       cfg->warnings.n + cfg->warnings.lost == 1 ? "" : "s");
	vsnd_xscfg_free(cfg);
	return 0;
}

int xsc_cmd_validate(const struct xsc_opts *o)
{
	_cleanup_free_ uint32_t *ids = NULL;
	struct xenif *x = NULL;
	int n, worst = 0;

	if (xsc_open(o, &x) < 0)
		return XSC_EXIT_FAIL;
	n = select_cards(x, o, &ids);
	for (int i = 0; i < n; i++) {
		struct xsc_paths p;
		int r;

		xsc_paths(&p, o->domid, ids[i], 0);
		r = validate_card(x, p.fe);
		if (r != 0)
			worst = 1;
	}
	xenif_close(x);
	return n < 0 || worst ? XSC_EXIT_FAIL : XSC_EXIT_OK;
}

/* ---- dump ------------------------------------------------------------------ */

static int print_node(void *ctx, const char *relpath, const char *value)
{
	_cleanup_free_ char *e = xsc_escape(value);

	(void)ctx;
	if (!e)
		return -ENOMEM;
	printf("%s = \"%s\"\n", relpath, e);
	return 0;
}

/* The toolstack's own FE nodes, as they are now. */
static int print_toolstack_nodes(struct xenif *x, const char *fe)
{
	static const char *const keys[] = { "backend", "backend-id", "state" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		_cleanup_free_ char *v = NULL;
		char path[XSC_PATH_MAX + 16];
		int r;

		snprintf(path, sizeof(path), "%s/%s", fe, keys[i]);
		r = xenif_xs_read(x, XENIF_TX_NONE, path, &v, NULL);
		if (r == -ENOENT)
			continue;
		if (r >= 0)
			r = print_node(NULL, keys[i], v);
		if (r < 0) {
			xsc_error("%s: cannot read: %s", path, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* What the model does not hold (what Linux never reads) is not dumped. */
static void warn_unseen(const struct vsnd_xscfg *cfg, const char *fe)
{
	for (unsigned int i = 0; i < cfg->n_pcms; i++)
		if (cfg->pcms[i]->n_ignored_streams)
			xsc_warning("%s/%u: %u stream(s) beyond the %uth not dumped (Linux reads "
				    "only %u per device)", fe, i, cfg->pcms[i]->n_ignored_streams,
				    VSND_MAX_STREAMS_PER_PCM, VSND_MAX_STREAMS_PER_PCM);
	if (cfg->n_ignored_pcms)
		xsc_warning("%s: %u PCM device(s) beyond the %uth not dumped", fe,
			    cfg->n_ignored_pcms, VSND_MAX_PCMS);
}

static int dump_card(struct xenif *x, const struct xsc_opts *o, const char *fe)
{
	struct vsnd_xs_writer wr = { .write = print_node };
	struct vsnd_xscfg_error err = { { 0 } };
	struct vsnd_xscfg *cfg = NULL;
	uint32_t backend;
	int r = parse_card(x, fe, &cfg, &err, &backend);

	if (r == -EINVAL || r == -ENODEV) {
		xsc_error("%s: not dumped, the configuration is invalid: %s", fe,
			  err.msg[0] ? err.msg : "no PCM device");
		return r;
	}
	if (r < 0) {
		xsc_error("%s: cannot read the card: %s", fe, strerror(-r));
		return r;
	}
	warn_unseen(cfg, fe);
	if (o->format == XSC_FORMAT_XL) {
		if (backend == UINT32_MAX) {
			xsc_warning("%s/backend-id: missing or not a domain id; backend=0 written",
				    fe);
			backend = 0;
		}
		r = xsc_print_xl_card(cfg, backend, fe);
	} else {
		printf("# %s\n", fe);
		r = print_toolstack_nodes(x, fe);
		if (r >= 0)
			r = vsnd_xscfg_format(cfg, &wr, 0, &err);
		if (r < 0 && err.msg[0])
			xsc_error("%s: %s", fe, err.msg);
	}
	vsnd_xscfg_free(cfg);
	return r;
}

int xsc_cmd_dump(const struct xsc_opts *o)
{
	_cleanup_free_ uint32_t *ids = NULL;
	struct xenif *x = NULL;
	int n, r = 0;

	if (xsc_open(o, &x) < 0)
		return XSC_EXIT_FAIL;
	n = select_cards(x, o, &ids);
	if (n > 0 && o->format == XSC_FORMAT_XL)
		printf("vsnd = [\n");
	for (int i = 0; r >= 0 && i < n; i++) {
		struct xsc_paths p;

		xsc_paths(&p, o->domid, ids[i], 0);
		r = dump_card(x, o, p.fe);
	}
	if (n > 0 && r >= 0 && o->format == XSC_FORMAT_XL)
		printf("]\n");
	xenif_close(x);
	return n < 0 || r < 0 ? XSC_EXIT_FAIL : XSC_EXIT_OK;
}
