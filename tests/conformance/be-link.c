// SPDX-License-Identifier: MIT
/*
 * be-link.c - the backend role's XenBus side: finding the device, the
 * backend state machine of protocol.md 2.4 with the script's state steps,
 * and connecting or tearing down every stream (be.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be.h"
#include "vsnd-common/util.h"

#define FE_TOKEN "vsnd-conform-fe-state"

enum {
	XB_UNKNOWN,
	XB_INITIALISING,
	XB_INITWAIT,
	XB_INITIALISED,
	XB_CONNECTED,
	XB_CLOSING,
	XB_CLOSED
};

static int xs_read_u32(struct be_role *b, const char *path, uint32_t *ret)
{
	_cleanup_free_ char *v = NULL;
	char *end = NULL;
	unsigned long n;
	int r;

	r = xenif_xs_read(b->x, XENIF_TX_NONE, path, &v, NULL);
	if (r < 0)
		return r;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)n;
	return 0;
}


static int read_card(struct be_role *b, char *why, size_t whysz)
{
	int r;

	r = cf_card_parse(b->x, b->fe, &b->cfg, why, whysz);
	if (r < 0)
		return r;
	b->n = vsnd_xscfg_stream_count(b->cfg);
	if (b->n > BE_MAX_STREAMS)
		b->n = BE_MAX_STREAMS;
	for (unsigned int i = 0; i < b->n; i++) {
		struct be_stream *s = &b->st[i];

		r = vsnd_xscfg_stream_at(b->cfg, i, &s->pcm, &s->stream);
		if (r < 0)
			return r;
		s->capture =
			b->cfg->pcms[s->pcm]->streams[s->stream].type == VSND_XSCFG_STREAM_CAPTURE;
	}
	return 0;
}

/* Open as dom0 to read the device's backend-id, then as that domain. */
static int open_as_backend(struct be_role *b, const struct cf_options *o, char *why, size_t whysz)
{
	char path[192];
	int r;

	snprintf(b->fe, sizeof(b->fe), "/local/domain/%u/device/vsnd/%u", b->guest, o->devid);
	r = xenif_open(o->xen, strcmp(o->xen, "real") == 0 ? XENIF_DOMID_SELF : 0, &b->x);
	if (r < 0) {
		snprintf(why, whysz, "cannot open Xen (%s): %s", o->xen, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/backend-id", b->fe);
	r = xs_read_u32(b, path, &b->be_domid);
	if (r < 0 || b->be_domid > XENIF_DOMID_MAX) {
		snprintf(why, whysz, "%s: no usable backend-id", path);
		return r < 0 ? r : -EINVAL;
	}
	if (strcmp(o->xen, "real") == 0 || b->be_domid == 0)
		return 0;
	b->x = xenif_close(b->x);
	r = xenif_open(o->xen, b->be_domid, &b->x);
	if (r < 0)
		snprintf(why, whysz, "cannot act as domain %u: %s", b->be_domid, strerror(-r));
	return r;
}

/* BE must be ours and name the guest; FE must point at it. */
static int check_backend(struct be_role *b, char *why, size_t whysz)
{
	_cleanup_free_ char *v = NULL;
	char path[224];
	uint32_t id;
	int r;

	snprintf(b->be, sizeof(b->be), "/local/domain/%u/backend/vsnd/%u/%s", b->be_domid, b->guest,
		 strrchr(b->fe, '/') + 1);
	snprintf(path, sizeof(path), "%s/backend", b->fe);
	r = xenif_xs_read(b->x, XENIF_TX_NONE, path, &v, NULL);
	if (r < 0 || strcmp(v, b->be) != 0) {
		snprintf(why, whysz, "%s is not %s", path, b->be);
		return r < 0 ? r : -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/frontend-id", b->be);
	r = xs_read_u32(b, path, &id);
	if (r < 0 || id != b->guest) {
		snprintf(why, whysz, "%s does not name domain %u", path, b->guest);
		return r < 0 ? r : -EINVAL;
	}
	return 0;
}

int be_link_open(struct be_role *b, const struct cf_options *o, char *why, size_t whysz)
{
	char path[192];
	int r;

	b->guest = o->domid;
	b->pid = -1;
	b->out_fd = -1;
	r = open_as_backend(b, o, why, whysz);
	if (r < 0)
		return r;
	r = check_backend(b, why, whysz);
	if (r < 0)
		return r;
	r = read_card(b, why, whysz);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/state", b->fe);
	r = xenif_xs_watch(b->x, path, FE_TOKEN);
	if (r < 0) {
		snprintf(why, whysz, "watching %s: %s", path, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/versions", b->be);
	cf_xs_write_str(b->x, path, "2");
	b->be_state = -1;
	return 0;
}

void be_link_close(struct be_role *b)
{
	if (!b->x)
		return;
	be_teardown(b);
	if (b->be_state > 0)
		be_set_state(b, XB_CLOSED);
	b->cfg = vsnd_xscfg_free(b->cfg);
	b->x = xenif_close(b->x);
}

void be_set_state(struct be_role *b, int state)
{
	char path[192], v[8];

	snprintf(path, sizeof(path), "%s/state", b->be);
	snprintf(v, sizeof(v), "%d", state);
	cf_xs_write_str(b->x, path, v);
	b->be_state = state;
	b->ob.be_writes++;
}

void be_teardown(struct be_role *b)
{
	for (unsigned int i = 0; i < b->n; i++) {
		struct be_stream *s = &b->st[i];

		be_unmap_buffer(b, s);
		if (s->ring_page)
			xenif_gnt_unmap(b->x, s->ring_page, 1);
		if (s->evt_page)
			xenif_gnt_unmap(b->x, s->evt_page, 1);
		s->ring_page = NULL;
		s->evt_page = NULL;
		s->running = false;
	}
	b->h = xenif_evtchn_close(b->h);
	b->connected = false;
}

static int read_fe_state(struct be_role *b)
{
	char path[192];
	uint32_t v;

	snprintf(path, sizeof(path), "%s/state", b->fe);
	if (xs_read_u32(b, path, &v) < 0 || v > 8)
		return XB_UNKNOWN;
	return (int)v;
}

void be_reset(struct be_role *b)
{
	be_teardown(b);
	memset(&b->sc, 0, sizeof(b->sc));
	memset(&b->ob, 0, sizeof(b->ob));
	memset(b->op_seen, 0, sizeof(b->op_seen));
	b->silent = false;
	b->steps_armed = b->steps_running = b->hold_connect = false;
	b->step_next = 0;
	if (b->be_state != XB_INITWAIT)
		be_set_state(b, XB_INITWAIT);
	b->ob.be_writes = 0;
	/* A state left by the previous frontend is not a transition. */
	b->fe_last = read_fe_state(b);
}

static void note_fe(struct be_role *b, int fe)
{
	struct be_obs *ob = &b->ob;

	if (ob->n_fe && ob->fe_seq[ob->n_fe - 1] == fe)
		return;
	if (ob->n_fe == BE_MAX_FE_SEQ)
		return;
	ob->fe_seq[ob->n_fe] = fe;
	ob->fe_seq_be[ob->n_fe] = ob->be_writes;
	ob->fe_seq_ms[ob->n_fe] = now_ms();
	ob->n_fe++;
}

static void do_connect(struct be_role *b)
{
	_cleanup_free_ char *v = NULL;
	char path[192];
	int r = xenif_evtchn_open(b->x, &b->h);

	for (unsigned int i = 0; i < b->n && r >= 0; i++)
		r = be_connect_stream(b, i);
	if (r < 0) {
		snprintf(b->ob.connect_err, sizeof(b->ob.connect_err), "%s", strerror(-r));
		be_teardown(b);
		be_set_state(b, XB_CLOSING);
		be_set_state(b, XB_CLOSED);
		return;
	}
	snprintf(path, sizeof(path), "%s/version", b->fe);
	b->ob.version[0] = '\0';
	if (xenif_xs_read(b->x, XENIF_TX_NONE, path, &v, NULL) == 0)
		snprintf(b->ob.version, sizeof(b->ob.version), "%s", v);
	b->connected = true;
	b->ob.connections++;
	be_set_state(b, XB_CONNECTED);
}

/* protocol.md 2.4 for a transition of FE to @fe. */
static void react(struct be_role *b, int fe)
{
	int be = b->be_state;

	if ((fe == XB_INITIALISED || fe == XB_CONNECTED) && be == XB_INITWAIT && !b->connected) {
		if (b->sc.n_steps && !b->sc.steps_on_start && !b->steps_armed) {
			b->hold_connect = true;
			be_steps_start(b);
		} else if (!b->hold_connect) {
			do_connect(b);
		}
	} else if (fe == XB_CLOSING && (be == XB_INITWAIT || be == XB_CONNECTED)) {
		be_teardown(b);
		be_set_state(b, XB_CLOSING);
	} else if (fe == XB_CLOSED && be != XB_CLOSED) {
		be_teardown(b);
		be_set_state(b, XB_CLOSED);
	} else if (fe == XB_INITIALISING &&
		   (be == XB_CONNECTED || be == XB_CLOSING || be == XB_CLOSED)) {
		be_teardown(b);
		be_set_state(b, XB_INITWAIT);
	}
}

void be_on_xs(struct be_role *b)
{
	char *p, *t;
	int fe;

	while (xenif_xs_read_watch(b->x, &p, &t) == 0) {
		free(p);
		free(t);
	}
	fe = read_fe_state(b);
	note_fe(b, fe);
	if (fe == b->fe_last)
		return;
	b->fe_last = fe;
	react(b, fe);
}

void be_steps_start(struct be_role *b)
{
	if (b->steps_armed || !b->sc.n_steps)
		return;
	b->steps_armed = b->steps_running = true;
	b->step_next = 0;
	b->step_due_ms = now_ms() + b->sc.steps[0].delay_ms;
	be_run_steps(b);
}

void be_run_steps(struct be_role *b)
{
	while (b->steps_running && now_ms() >= b->step_due_ms) {
		const struct be_step *st = &b->sc.steps[b->step_next];

		if (st->state != XB_CONNECTED)
			be_teardown(b);
		be_set_state(b, st->state);
		if (!b->ob.steps_done++)
			b->ob.step_be_write = b->ob.be_writes;
		if (!b->ob.misbehaved) {
			b->ob.misbehaved = true;
			b->ob.misbehaved_ms = now_ms();
			b->ob.fe_state_then = b->fe_last;
		}
		if (++b->step_next == b->sc.n_steps) {
			b->steps_running = false;
			b->hold_connect = false;
			/* Before connecting: now answer the state the frontend is
			 * in. After START: wait for its next transition (2.4). */
			if (!b->sc.steps_on_start) {
				b->fe_last = -1;
				be_on_xs(b);
			}
			break;
		}
		b->step_due_ms = now_ms() + b->sc.steps[b->step_next].delay_ms;
	}
}
