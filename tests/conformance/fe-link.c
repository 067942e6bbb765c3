// SPDX-License-Identifier: MIT
/*
 * fe-link.c - vsnd-conform's frontend transport: finding the card, the
 * XenBus handshake, rings and event pages (fe-link.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "fe-link.h"
#include "vsnd-common/util.h"

#define BE_TOKEN "vsnd-conform-be"

int fe_xs_read_u32(struct fe_link *l, const char *path, uint32_t *ret)
{
	_cleanup_free_ char *v = NULL;
	char *end = NULL;
	unsigned long n;
	size_t len;
	int r;

	r = xenif_xs_read(l->x, XENIF_TX_NONE, path, &v, &len);
	if (r < 0)
		return r;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)n;
	return 0;
}

int fe_xs_write_str(struct fe_link *l, const char *path, const char *v)
{
	return cf_xs_write_str(l->x, path, v);
}

/* The card's streams in Linux's order, with the limits Linux derives. */
static int read_card(struct fe_link *l, char *why, size_t whysz)
{
	unsigned int n;
	int r;

	r = cf_card_parse(l->x, l->fe, &l->cfg, why, whysz);
	if (r < 0)
		return r;
	n = vsnd_xscfg_stream_count(l->cfg);
	if (n > FE_MAX_STREAMS)
		n = FE_MAX_STREAMS;
	for (unsigned int i = 0; i < n; i++) {
		struct fe_stream *s = &l->st[i];
		const struct vsnd_xscfg_stream *xs;

		r = vsnd_xscfg_stream_at(l->cfg, i, &s->pcm, &s->stream);
		if (r < 0)
			return r;
		xs = &l->cfg->pcms[s->pcm]->streams[s->stream];
		s->capture = xs->type == VSND_XSCFG_STREAM_CAPTURE;
		r = vsnd_xscfg_limits(l->cfg, (int)s->pcm, (int)s->stream, 0, &s->lim);
		if (r < 0)
			return r;
	}
	l->n = n;
	return 0;
}

static int find_backend(struct fe_link *l, char *why, size_t whysz)
{
	_cleanup_free_ char *v = NULL;
	char path[128];
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/backend", l->fe);
	r = xenif_xs_read(l->x, XENIF_TX_NONE, path, &v, &len);
	if (r < 0 || len == 0 || len >= sizeof(l->be)) {
		snprintf(why, whysz, "%s: no usable backend node (%s)", path,
			 r < 0 ? strerror(-r) : "bad length");
		return r < 0 ? r : -EINVAL;
	}
	memcpy(l->be, v, len + 1);
	snprintf(path, sizeof(path), "%s/backend-id", l->fe);
	r = fe_xs_read_u32(l, path, &l->be_domid);
	if (r < 0 || l->be_domid > XENIF_DOMID_MAX) {
		snprintf(why, whysz, "%s: no usable backend-id", path);
		return r < 0 ? r : -EINVAL;
	}
	return 0;
}

int fe_link_open(struct fe_link *l, const char *spec, uint32_t domid, uint32_t devid,
		 char *why, size_t whysz)
{
	char path[160];
	int r;

	memset(l, 0, sizeof(*l));
	l->devid = devid;
	r = xenif_open(spec, domid, &l->x);
	if (r < 0) {
		snprintf(why, whysz, "cannot open Xen (%s) as domain %u: %s", spec, domid,
			 strerror(-r));
		return r;
	}
	l->domid = xenif_domid(l->x);
	if (l->domid == XENIF_DOMID_SELF) {
		snprintf(why, whysz, "cannot tell which domain this is: give --domid");
		return -EINVAL;
	}
	snprintf(l->fe, sizeof(l->fe), "/local/domain/%u/device/vsnd/%u", l->domid, devid);
	r = find_backend(l, why, whysz);
	if (r >= 0)
		r = read_card(l, why, whysz);
	if (r >= 0 && (r = xenif_evtchn_open(l->x, &l->h)) < 0)
		snprintf(why, whysz, "no event channels: %s", strerror(-r));
	snprintf(path, sizeof(path), "%s/state", l->be);
	if (r >= 0 && (r = xenif_xs_watch(l->x, path, BE_TOKEN)) < 0)
		snprintf(why, whysz, "cannot watch %s: %s", path, strerror(-r));
	return r;
}

void fe_link_close(struct fe_link *l)
{
	char path[160];

	if (!l->x)
		return;
	snprintf(path, sizeof(path), "%s/state", l->be);
	xenif_xs_unwatch(l->x, path, BE_TOKEN);
	fe_unshare(l);
	l->h = xenif_evtchn_close(l->h);
	l->cfg = vsnd_xscfg_free(l->cfg);
	l->x = xenif_close(l->x);
}

int fe_be_state(struct fe_link *l)
{
	char path[160];
	uint32_t v;
	int r;

	snprintf(path, sizeof(path), "%s/state", l->be);
	r = fe_xs_read_u32(l, path, &v);
	return r < 0 ? r : (int)(v > 64 ? 64 : v);
}

static void drain_watches(struct fe_link *l)
{
	char *p, *t;

	while (xenif_xs_read_watch(l->x, &p, &t) >= 0) {
		free(p);
		free(t);
	}
}

int fe_wait_be(struct fe_link *l, unsigned int mask, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	for (;;) {
		struct pollfd p = { .fd = xenif_xs_fd(l->x), .events = POLLIN };
		int st = fe_be_state(l);
		uint64_t now = now_ms();

		if (st >= 0 && st < 32 && (mask & (1u << st)))
			return st;
		if (now >= end)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(end - now < 200 ? end - now : 200)) > 0)
			drain_watches(l);
	}
}

int fe_set_state(struct fe_link *l, int state)
{
	char path[96], v[16];

	snprintf(path, sizeof(path), "%s/state", l->fe);
	snprintf(v, sizeof(v), "%d", state);
	return fe_xs_write_str(l, path, v);
}
