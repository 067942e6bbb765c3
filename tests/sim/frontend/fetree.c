// SPDX-License-Identifier: MIT
/*
 * fetree.c - the toolstack's part of a vsnd device, for the tests (see
 * fetree.h). Every node gets its permissions set explicitly, so the result
 * does not depend on how the store inherits them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fetree.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct tw {
	struct xenif *x;
	xenif_tx_t tx;
	struct xenif_xs_perm perms[2];
};

static int node(struct tw *w, const char *path, const char *value)
{
	int r;

	if (value)
		r = xenif_xs_write(w->x, w->tx, path, value, strlen(value));
	else
		r = xenif_xs_mkdir(w->x, w->tx, path);
	if (r < 0)
		return r;
	return xenif_xs_set_perms(w->x, w->tx, path, w->perms, 2);
}

static int nodef(struct tw *w, const char *dir, const char *key, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return node(w, path, value);
}

/* A card-level setting: @value, @def when NULL, no node when "". */
static int setting(struct tw *w, const char *fe, const char *key, const char *value,
		   const char *def)
{
	if (!value)
		value = def;
	if (!*value)
		return 0;
	return nodef(w, fe, key, value);
}

static int write_fe(struct tw *w, const struct fetree *t, const char *fe, const char *be)
{
	char dom[64], v[32], dir[200];
	int r = 0;

	/* The guest owns its device/ directory, as libxl makes it. */
	snprintf(dom, sizeof(dom), "/local/domain/%u/device", t->guest);
	r = node(w, dom, NULL);
	r = r < 0 ? r : nodef(w, dom, "vsnd", NULL);
	r = r < 0 ? r : node(w, fe, NULL);
	r = r < 0 ? r : nodef(w, fe, "backend", be);
	snprintf(v, sizeof(v), "%u", t->backend);
	r = r < 0 ? r : nodef(w, fe, "backend-id", v);
	r = r < 0 ? r : nodef(w, fe, "state", "1");
	r = r < 0 ? r : nodef(w, fe, "long-name", "Xen PV sound");
	r = r < 0 ? r : nodef(w, fe, "short-name", "XenSnd");
	r = r < 0 ? r : setting(w, fe, "sample-rates", t->sample_rates, "44100,48000");
	r = r < 0 ? r : setting(w, fe, "sample-formats", t->sample_formats, "s16_le,s32_le");
	r = r < 0 ? r : setting(w, fe, "channels-min", t->channels_min, "1");
	r = r < 0 ? r : setting(w, fe, "channels-max", t->channels_max, "2");
	r = r < 0 ? r : nodef(w, fe, "buffer-size", t->buffer_size ? t->buffer_size : "65536");
	for (unsigned int i = 0; i < t->n_streams && r >= 0; i++) {
		const struct fetree_stream *s = &t->s[i];

		snprintf(dir, sizeof(dir), "%s/%u", fe, s->pcm);
		snprintf(v, sizeof(v), "pcm%u", s->pcm);
		r = nodef(w, dir, "name", v);
		snprintf(dir, sizeof(dir), "%s/%u/%u", fe, s->pcm, s->stream);
		snprintf(v, sizeof(v), "id-%u-%u", s->pcm, s->stream);
		r = r < 0 ? r : nodef(w, dir, "unique-id", v);
		if (r >= 0 && s->type)
			r = nodef(w, dir, "type", s->type);
	}
	return r;
}

static int write_be(struct tw *w, const struct fetree *t, const char *fe, const char *be)
{
	char v[32];
	int r;

	r = node(w, be, NULL);
	r = r < 0 ? r : nodef(w, be, "frontend", fe);
	snprintf(v, sizeof(v), "%u", t->guest);
	r = r < 0 ? r : nodef(w, be, "frontend-id", v);
	r = r < 0 ? r : nodef(w, be, "online", "1");
	r = r < 0 ? r : nodef(w, be, "state", "1");
	return r;
}

static int write_once(struct xenif *x, const struct fetree *t)
{
	struct tw w = { .x = x };
	char fe[128], be[128];
	int r;

	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vsnd/%u", t->guest, t->devid);
	snprintf(be, sizeof(be), "/local/domain/%u/backend/vsnd/%u/%u", t->backend, t->guest,
		 t->devid);
	r = xenif_xs_transaction_start(x, &w.tx);
	if (r < 0)
		return r;
	w.perms[0] = (struct xenif_xs_perm){ t->guest, XENIF_PERM_NONE };
	w.perms[1] = (struct xenif_xs_perm){ t->backend, XENIF_PERM_READ };
	r = write_fe(&w, t, fe, be);
	w.perms[0] = (struct xenif_xs_perm){ t->backend, XENIF_PERM_NONE };
	w.perms[1] = (struct xenif_xs_perm){ t->guest, XENIF_PERM_READ };
	if (r >= 0)
		r = write_be(&w, t, fe, be);
	if (r < 0) {
		xenif_xs_transaction_end(x, w.tx, true);
		return r;
	}
	return xenif_xs_transaction_end(x, w.tx, false);
}

int fetree_write(struct xenif *dom0, const struct fetree *t)
{
	int r;

	do
		r = write_once(dom0, t);
	while (r == -EAGAIN);
	return r;
}
