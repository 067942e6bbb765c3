// SPDX-License-Identifier: MIT
/*
 * fe-scen-xs.c - the frontend's XenStore and XenBus side (protocol.md 2.3-
 * 2.5, security.md 5.5) and the ring-breaking rule 2: reconnection, a bad
 * `version`, garbage transport nodes, a guest rewriting its stream's
 * `type` and `unique-id`, and a producer index far ahead.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe-scen.h"
#include "vsnd-common/util.h"

#define STATE_MS 10000
/* How long a backend may take to refuse a bad connection. */
#define REFUSE_MS 5000
#define BIT(s) (1u << (s))

CF_SCENARIO(sc_reconnect)
{
	char why[384];
	uint32_t old_ref;
	unsigned int i = 0;

	old_ref = c->l.st[i].ring_ref;
	CF_CHECK(c, fe_set_state(&c->l, 1) >= 0, "cannot write FE/state");
	CF_CHECK(c, fe_wait_be(&c->l, BIT(2), STATE_MS) == 2,
		 "backend state %d, not InitWait, after FE Initialising", fe_be_state(&c->l));
	CF_CHECK(c, fe_connect(&c->l, why, sizeof(why)) >= 0, "reconnecting: %s", why);
	CF_CHECK(c, c->l.st[i].ring_ref != old_ref || c->l.n == 0, "the ring was not renewed");
	for (i = 0; i < c->l.n; i++)
		CF_TRY(cf_expect(c, i, cf_req(XENSND_OP_CLOSE), 0, "CLOSE on the new ring"));
	return CF_OK;
}

CF_SCENARIO(sc_ids_after_reconnect)
{
	char why[384];
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_CHECK(c, fe_set_state(&c->l, 1) >= 0, "cannot write FE/state");
	CF_CHECK(c, fe_connect(&c->l, why, sizeof(why)) >= 0, "reconnecting: %s", why);
	/* Fresh pages: the lockstep restarts at id 0, so sc_ids_from_zero applies. */
	return sc_ids_from_zero(c);
}

/* FE 1, wait for InitWait, share and publish; then the caller spoils. */
static enum cf_result restart_to_publish(struct cf_ctx *c)
{
	c->l.connected = false;
	CF_CHECK(c, fe_set_state(&c->l, 1) >= 0, "cannot write FE/state");
	CF_CHECK(c, fe_wait_be(&c->l, BIT(2), STATE_MS) == 2,
		 "backend state %d, not InitWait, after FE Initialising", fe_be_state(&c->l));
	CF_CHECK(c, fe_share(&c->l) >= 0 && fe_publish(&c->l) >= 0, "cannot publish");
	return CF_OK;
}

/* FE Initialised: the backend must fail the connection (Closing/Closed). */
static enum cf_result expect_refused(struct cf_ctx *c, const char *what)
{
	int st;

	CF_CHECK(c, fe_set_state(&c->l, 3) >= 0, "cannot write FE/state");
	st = fe_wait_be(&c->l, BIT(4) | BIT(5) | BIT(6), REFUSE_MS);
	CF_CHECK(c, st != 4, "backend Connected with %s", what);
	CF_CHECK(c, st >= 0, "with %s the backend neither connected nor failed the connection "
		 "within %d ms (state %d)", what, REFUSE_MS, fe_be_state(&c->l));
	return CF_OK;
}

CF_SCENARIO(sc_version_bad)
{
	char path[96];
	enum cf_result r;

	snprintf(path, sizeof(path), "%s/version", c->l.fe);
	CF_TRY(restart_to_publish(c));
	CF_CHECK(c, fe_xs_write_str(&c->l, path, "1") >= 0, "cannot write %s", path);
	r = expect_refused(c, "FE version = 1");
	xenif_xs_rm(c->l.x, XENIF_TX_NONE, path);
	return r;
}

static enum cf_result garbage(struct cf_ctx *c, const char *key, const char *value)
{
	char path[192], what[96];
	int r;

	CF_TRY(restart_to_publish(c));
	snprintf(path, sizeof(path), "%s/%u/%u/%s", c->l.fe, c->l.st[0].pcm, c->l.st[0].stream,
		 key);
	snprintf(what, sizeof(what), "%s = \"%.40s%s\"", key, value, strlen(value) > 40 ? "..." : "");
	r = fe_xs_write_str(&c->l, path, value);
	CF_CHECK(c, r >= 0, "cannot write %s: %s", what, strerror(-r));
	return expect_refused(c, what);
}

/* A 2000-digit number (xenstored lets a guest write 2048 octets). */
static char *long_digits(void)
{
	char *v = malloc(2001);

	if (v) {
		memset(v, '7', 2000);
		v[2000] = '\0';
	}
	return v;
}

CF_SCENARIO(sc_garbage_ring_ref)
{
	static const char *const bad[] = { "abc", "-1", "12x", " 8", "4294967296", "0", "" };
	_cleanup_free_ char *huge = long_digits();

	CF_CHECK(c, huge, "out of memory");
	for (unsigned int k = 0; k < ARRAY_SIZE(bad); k++) {
		CF_TRY(garbage(c, "ring-ref", bad[k]));
		CF_TRY(garbage(c, "evt-ring-ref", bad[k]));
	}
	return garbage(c, "ring-ref", huge);
}

CF_SCENARIO(sc_garbage_evtchn)
{
	static const char *const bad[] = { "abc", "-3", "5 ", "99999999999", "0", "0x10" };
	_cleanup_free_ char *huge = long_digits();

	CF_CHECK(c, huge, "out of memory");
	for (unsigned int k = 0; k < ARRAY_SIZE(bad); k++) {
		CF_TRY(garbage(c, "event-channel", bad[k]));
		CF_TRY(garbage(c, "evt-event-channel", bad[k]));
	}
	return garbage(c, "event-channel", huge);
}

struct saved_node {
	char path[192];
	char *value;	/* NULL: absent */
};

static void save_node(struct cf_ctx *c, struct saved_node *n, unsigned int i, const char *key)
{
	size_t len;

	snprintf(n->path, sizeof(n->path), "%s/%u/%u/%s", c->l.fe, c->l.st[i].pcm,
		 c->l.st[i].stream, key);
	if (xenif_xs_read(c->l.x, XENIF_TX_NONE, n->path, &n->value, &len) < 0)
		n->value = NULL;
}

static void restore_node(struct cf_ctx *c, struct saved_node *n)
{
	if (n->value)
		fe_xs_write_str(&c->l, n->path, n->value);
	else
		xenif_xs_rm(c->l.x, XENIF_TX_NONE, n->path);
	free(n->value);
	n->value = NULL;
}

/* Stream @i still plays: OPEN, WRITE accepted, READ refused. */
static enum cf_result still_playback(struct cf_ctx *c, unsigned int i, const char *when)
{
	_cleanup_(cf_stream_drop) struct cf_stream s = { 0 };
	struct xensnd_resp rsp;
	struct xensnd_req r;
	struct cf_pcm p;

	CF_TRY(cf_pick(c, i, &p));
	CF_TRY(cf_open(c, i, &p, &s));
	r = cf_req_rw(XENSND_OP_READ, 0, p.period);
	CF_TRY(cf_call(c, i, &r, &rsp));
	CF_CHECK(c, rsp.status < 0, "%s: READ accepted on the playback stream", when);
	CF_TRY(cf_write_next(c, &s, p.period));
	return cf_close(c, &s);
}

/* Rewrite stream @i's type to "c" and its unique-id; run @check; restore. */
static enum cf_result with_rewrite(struct cf_ctx *c, unsigned int i, bool reconnect)
{
	struct saved_node type = { 0 }, uid = { 0 };
	enum cf_result r = CF_OK;
	char why[384];

	save_node(c, &type, i, "type");
	save_node(c, &uid, i, "unique-id");
	if (fe_xs_write_str(&c->l, type.path, "c") < 0 ||
	    fe_xs_write_str(&c->l, uid.path, "vsnd-conform-other") < 0)
		r = cf_fail(c, "cannot rewrite %s", type.path);
	if (r == CF_OK && !reconnect)
		r = still_playback(c, i, "type rewritten while connected");
	if (r == CF_OK && reconnect && fe_connect(&c->l, why, sizeof(why)) >= 0)
		r = still_playback(c, i, "type rewritten, then reconnected");
	restore_node(c, &type);
	restore_node(c, &uid);
	return r;
}

CF_SCENARIO(sc_rewrite_live)
{
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	return with_rewrite(c, i, false);
}

CF_SCENARIO(sc_rewrite_reconnect)
{
	unsigned int i;

	CF_TRY(cf_need_playback(c, &i));
	CF_CHECK(c, fe_set_state(&c->l, 1) >= 0, "cannot write FE/state");
	return with_rewrite(c, i, true);
}

CF_SCENARIO(sc_ring_overflow)
{
	struct xen_sndif_sring *s = c->l.st[0].sring;
	RING_IDX rsp_prod = s->rsp_prod;
	int st;

	s->req_prod = rsp_prod + VSND_REQ_RING_SLOTS + 5;
	xen_wmb();
	CF_CHECK(c, xenif_evtchn_notify(c->l.h, c->l.st[0].port) >= 0, "cannot notify");
	st = fe_wait_be(&c->l, ~BIT(4) & 0xffu, STATE_MS);
	CF_CHECK(c, st >= 0, "the backend stayed Connected with req_prod %u past rsp_prod %u",
		 VSND_REQ_RING_SLOTS + 5, rsp_prod);
	CF_CHECK(c, s->rsp_prod == rsp_prod, "the backend answered %u request(s) of the overflow",
		 s->rsp_prod - rsp_prod);
	c->l.connected = false;
	return CF_OK;
}
