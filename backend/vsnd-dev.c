// SPDX-License-Identifier: MIT
/*
 * vsnd-dev.c - the device layer under sndbe_xenbus: at connect, the dom0
 * policy and the pinned configuration decide what each stream is (its
 * direction, limits, caps and host device) into a plan (vsnd-dev.h); the
 * plan is then served in this process (vsnd-dev-run.c) or handed to the
 * layer's runner, the broker's per-guest workers (broker.h). Disconnect
 * undoes either; a policy reload reaches either.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "stream.h"
#include "util.h"
#include "vsnd-dev.h"
#include "vsnd/xscfg.h"
#include "xenif/xenif.h"

/* What the broker side keeps of a connected stream, for policy reloads. */
struct conn_stream {
	unsigned int pcm;
	unsigned int idx;
	bool capture; /* a capture stream */
	bool host_capture; /* ... connected to its host source (policy: allow) */
	char *uid; /* its unique-id at connect, for policy lookups; or NULL */
};

/* A connected device: where it runs, and what reloads need to know. */
struct sndbe_dev_conn {
	struct sndbe_dev_layer *l;
	struct sndbe_dev_conn *next;
	uint32_t domid;
	uint32_t devid;
	struct sndbe_dev *local; /* served in this process, or */
	void *remote; /* by the layer's runner */
	unsigned int n;
	struct conn_stream st[];
};

_Static_assert(SNDBE_POLICY_NAME_MAX + 1 == sizeof(((struct xenif_dominfo *)0)->name),
	       "a domain name fits the policy's");

/* What a stream was first connected with. */
struct pin_stream {
	unsigned int pcm;
	unsigned int stream;
	enum vsnd_xscfg_stream_type type;
	char *uid;
};

struct sndbe_dev_pin {
	struct sndbe_dev_pin *next;
	uint32_t domid;
	uint32_t devid;
	unsigned int n;
	struct pin_stream s[];
};

static const struct vsnd_xscfg_stream *cfg_stream(const struct vsnd_xscfg *cfg,
						  const struct sndbe_xb_stream_refs *ref)
{
	if (ref->pcm >= cfg->n_pcms || ref->stream >= cfg->pcms[ref->pcm]->n_streams)
		return NULL;
	return &cfg->pcms[ref->pcm]->streams[ref->stream];
}

static struct sndbe_dev_pin **pin_find(struct sndbe_dev_layer *l, uint32_t domid, uint32_t devid)
{
	struct sndbe_dev_pin **p = &l->pins;

	while (*p && ((*p)->domid != domid || (*p)->devid != devid))
		p = &(*p)->next;
	return p;
}

static struct sndbe_dev_pin *pin_free(struct sndbe_dev_pin *pin)
{
	for (unsigned int i = 0; pin && i < pin->n; i++)
		free(pin->s[i].uid);
	free(pin);
	return NULL;
}

static int pin_new(struct sndbe_dev_layer *l, uint32_t domid, uint32_t devid,
		   const struct vsnd_xscfg *cfg, const struct sndbe_xb_stream_refs *refs,
		   unsigned int n)
{
	struct sndbe_dev_pin *pin = calloc(1, sizeof(*pin) + n * sizeof(pin->s[0]));

	if (!pin)
		return -ENOMEM;
	pin->domid = domid;
	pin->devid = devid;
	for (unsigned int i = 0; i < n; i++, pin->n++) {
		const struct vsnd_xscfg_stream *xs = cfg_stream(cfg, &refs[i]);

		if (!xs) {
			pin_free(pin);
			return -EINVAL;
		}
		pin->s[i] = (struct pin_stream){ refs[i].pcm, refs[i].stream, xs->type, NULL };
		if (xs->unique_id && !(pin->s[i].uid = strdup(xs->unique_id))) {
			pin_free(pin);
			return -ENOMEM;
		}
	}
	pin->next = l->pins;
	l->pins = pin;
	return 0;
}

/* 0 when @cfg is what the device was first connected with, else -EPERM. */
static int pin_check(struct sndbe_xb_device *xbd, const struct sndbe_dev_pin *pin,
		     const struct vsnd_xscfg *cfg, const struct sndbe_xb_stream_refs *refs,
		     unsigned int n)
{
	static const char *const tail = "since the first connect: refused until restored or "
					"the toolstack recreates the device";

	if (n != pin->n) {
		sndbe_xb_device_set_error(xbd, "%u streams instead of %u %s", n, pin->n, tail);
		return -EPERM;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct vsnd_xscfg_stream *xs = cfg_stream(cfg, &refs[i]);
		const struct pin_stream *ps = &pin->s[i];
		const char *what = NULL;

		if (!xs || refs[i].pcm != ps->pcm || refs[i].stream != ps->stream)
			what = "layout";
		else if (xs->type != ps->type)
			what = "type";
		else if (!xs->unique_id != !ps->uid || (ps->uid && strcmp(xs->unique_id, ps->uid)))
			what = "unique-id";
		if (what) {
			sndbe_xb_device_set_error(xbd, "pcm %u stream %u: %s changed %s", ps->pcm,
						  ps->stream, what, tail);
			return -EPERM;
		}
	}
	return 0;
}

/*
 * The domain's name for policy lookups, "" when no section uses names:
 * dom0's /local/domain/<id>/name, which only the toolstack writes.
 */
static int policy_name(struct sndbe_dev_layer *l, uint32_t domid,
		       char name[SNDBE_POLICY_NAME_MAX + 1])
{
	struct xenif_dominfo info;
	int r;

	name[0] = '\0';
	if (!sndbe_policy_uses_names(l->policy))
		return 0;
	r = xenif_domain_info(l->x, domid, &info);
	if (r < 0)
		return r;
	memcpy(name, info.name, sizeof(info.name));
	return 0;
}

/*
 * Before anything of a device is set up: its domain's name when the policy
 * needs it (in @name, 64 octets), the pinned configuration, max-streams.
 */
static int dev_admit(struct sndbe_dev_layer *l, struct sndbe_xb_device *xbd,
		     const struct vsnd_xscfg *cfg, const struct sndbe_xb_stream_refs *refs,
		     unsigned int n, char *name)
{
	uint32_t domid = sndbe_xb_device_domid(xbd), devid = sndbe_xb_device_devid(xbd);
	struct sndbe_dev_pin **pin = pin_find(l, domid, devid);
	struct sndbe_policy_settings ps;
	int r;

	r = policy_name(l, domid, name);
	if (r < 0) {
		sndbe_xb_device_set_error(xbd, "the domain's name is unknown (%s) and the "
					  "policy selects domains by name", strerror(-r));
		return r;
	}
	r = *pin ? pin_check(xbd, *pin, cfg, refs, n) : pin_new(l, domid, devid, cfg, refs, n);
	if (r < 0)
		return r;
	sndbe_policy_lookup(l->policy,
			    &(struct sndbe_policy_key){ .domid = domid, .name = name, .card = devid,
							.pcm = -1, .stream = -1 },
			    &ps);
	if (ps.max_streams && n > ps.max_streams) {
		sndbe_xb_device_set_error(xbd, "%u streams, the policy's max-streams is %u", n,
					  ps.max_streams);
		return -EDQUOT;
	}
	return 0;
}

static void dev_forget(void *ud, struct sndbe_xb_device *xbd)
{
	struct sndbe_dev_layer *l = ud;
	struct sndbe_dev_pin **p = pin_find(l, sndbe_xb_device_domid(xbd),
					    sndbe_xb_device_devid(xbd));
	struct sndbe_dev_pin *pin = *p;

	if (!pin)
		return;
	*p = pin->next;
	pin_free(pin);
}

/*
 * The policy's part of stream @ref: limits, caps, capture rule and host
 * device in @sp; the capture flags in @cs.
 */
static int sp_policy(struct sndbe_dev_conn *c, struct conn_stream *cs, const char *name,
		     const struct vsnd_xscfg_stream *xs, struct sndbe_dev_stream_plan *sp)
{
	struct sndbe_policy_key key = { .domid = c->domid, .name = name, .card = c->devid,
					.pcm = (int)sp->ref.pcm, .stream = (int)sp->ref.stream,
					.uid = xs->unique_id };
	struct sndbe_policy_settings ps;
	const char *tmpl;

	sndbe_policy_lookup(c->l->policy, &key, &ps);
	tmpl = ps.sink ? ps.sink : c->l->spec;
	cs->capture = sp->dir == VSND_DIR_CAPTURE;
	cs->host_capture = cs->capture && ps.capture == SNDBE_CAPTURE_ALLOW;
	if (cs->capture && ps.capture != SNDBE_CAPTURE_ALLOW) {
		/* Nothing of the host is opened, not even probed: the paced
		 * null source gives zeros at the stream's rate. */
		tmpl = "null";
		if (ps.capture == SNDBE_CAPTURE_DENY)
			sp->open_error = -EACCES;
	}
	sndbe_policy_narrow(&ps, &sp->lim);
	sp->buffer_bytes_cap = c->l->buffer_bytes_cap;
	if (ps.max_buffer_bytes &&
	    (!sp->buffer_bytes_cap || ps.max_buffer_bytes < sp->buffer_bytes_cap))
		sp->buffer_bytes_cap = ps.max_buffer_bytes;
	sp->volume_capped = ps.has_max_volume;
	sp->volume_max_mdb = ps.max_volume_mdb;
	return sndbe_dev_expand_spec(tmpl, c->domid, sp->ref.pcm, sp->ref.stream, sp->spec,
				     sizeof(sp->spec));
}

/* Stream @ref of @cfg into @sp and @cs. */
static int sp_build(struct sndbe_dev_conn *c, const struct vsnd_xscfg *cfg, const char *name,
		    const struct sndbe_xb_stream_refs *ref, struct conn_stream *cs,
		    struct sndbe_dev_stream_plan *sp)
{
	const struct vsnd_xscfg_stream *xs = cfg_stream(cfg, ref);
	int r;

	cs->pcm = ref->pcm;
	cs->idx = ref->stream;
	sp->ref = *ref;
	if (!xs || (xs->type != VSND_XSCFG_STREAM_PLAYBACK && xs->type != VSND_XSCFG_STREAM_CAPTURE))
		return -EINVAL;
	sp->dir = xs->type == VSND_XSCFG_STREAM_CAPTURE ? VSND_DIR_CAPTURE : VSND_DIR_PLAYBACK;
	r = vsnd_xscfg_limits(cfg, (int)ref->pcm, (int)ref->stream, 0, &sp->lim);
	if (r < 0)
		return r;
	if (xs->unique_id && !(cs->uid = strdup(xs->unique_id)))
		return -ENOMEM;
	return sp_policy(c, cs, name, xs, sp);
}

static void conn_free(struct sndbe_dev_conn *c)
{
	for (unsigned int i = 0; c && i < c->n; i++)
		free(c->st[i].uid);
	free(c);
}

/* The plan of every stream, then the device served in process or not. */
static int conn_start(struct sndbe_dev_conn *c, struct sndbe_xb_device *xbd,
		      const struct vsnd_xscfg *cfg, const struct sndbe_xb_stream_refs *refs,
		      const char *name)
{
	struct sndbe_dev_layer *l = c->l;
	_cleanup_free_ struct sndbe_dev_stream_plan *sp = calloc(c->n, sizeof(*sp));
	struct sndbe_dev_plan plan = { .domid = c->domid, .devid = c->devid, .n = c->n, .st = sp };
	int r;

	if (!sp)
		return -ENOMEM;
	for (unsigned int i = 0; i < c->n; i++) {
		r = sp_build(c, cfg, name, &refs[i], &c->st[i], &sp[i]);
		if (r < 0)
			return r;
	}
	if (l->runner)
		return l->runner->start(l->runner_data, &plan, xbd, &c->remote);
	return sndbe_dev_start(l, &plan, &c->local);
}

static int dev_connect(void *ud, struct sndbe_xb_device *xbd, const struct vsnd_xscfg *cfg,
		       const struct sndbe_xb_stream_refs *refs, unsigned int n)
{
	struct sndbe_dev_layer *l = ud;
	char name[SNDBE_POLICY_NAME_MAX + 1];
	struct sndbe_dev_conn *c;
	int r;

	r = dev_admit(l, xbd, cfg, refs, n, name);
	if (r < 0) {
		l->connect_errors++;
		return r;
	}
	c = calloc(1, sizeof(*c) + n * sizeof(c->st[0]));
	if (!c)
		return -ENOMEM;
	*c = (struct sndbe_dev_conn){ .l = l, .domid = sndbe_xb_device_domid(xbd),
				.devid = sndbe_xb_device_devid(xbd), .n = n };
	r = conn_start(c, xbd, cfg, refs, name);
	if (r < 0) {
		conn_free(c);
		l->connect_errors++;
		return r;
	}
	c->next = l->conns;
	l->conns = c;
	l->n_devs++;
	sndbe_xb_device_set_priv(xbd, c);
	return 0;
}

static void dev_disconnect(void *ud, struct sndbe_xb_device *xbd)
{
	struct sndbe_dev_layer *l = ud;
	struct sndbe_dev_conn *c = sndbe_xb_device_get_priv(xbd);

	if (!c)
		return;
	for (struct sndbe_dev_conn **p = &l->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	if (c->remote)
		l->runner->stop(l->runner_data, c->remote);
	else
		sndbe_dev_stop(l, c->local);
	l->n_devs--;
	conn_free(c);
	sndbe_xb_device_set_priv(xbd, NULL);
}

const struct sndbe_xenbus_ops sndbe_dev_ops = {
	.connect = dev_connect,
	.disconnect = dev_disconnect,
	.forget = dev_forget,
};

/* Apply the capture rule of the layer's policy to @c's capture streams. */
static unsigned int conn_recapture(struct sndbe_dev_conn *c)
{
	struct sndbe_dev_layer *l = c->l;
	char name[SNDBE_POLICY_NAME_MAX + 1];
	bool known = policy_name(l, c->domid, name) >= 0;
	unsigned int withheld = 0;

	for (unsigned int i = 0; i < c->n; i++) {
		struct conn_stream *cs = &c->st[i];
		struct sndbe_policy_key key = { .domid = c->domid, .name = name, .card = c->devid,
						.pcm = (int)cs->pcm, .stream = (int)cs->idx,
						.uid = cs->uid };
		struct sndbe_policy_settings ps;
		bool deliver;
		int err;

		if (!cs->capture)
			continue;
		sndbe_policy_lookup(l->policy, &key, &ps);
		/* A name that cannot be read any more: deliver nothing. */
		deliver = known && cs->host_capture && ps.capture == SNDBE_CAPTURE_ALLOW;
		err = !known || ps.capture == SNDBE_CAPTURE_DENY ? -EACCES : 0;
		if (c->remote)
			l->runner->set_capture(l->runner_data, c->remote, i, deliver, err);
		else
			sndbe_dev_set_capture(c->local, i, deliver, err);
		withheld += !deliver;
	}
	return withheld;
}

/**
 * sndbe_dev_reapply_capture() - see vsnd-dev.h.
 * @l: the layer, its policy just replaced.
 *
 * Return: the number of connected capture streams that deliver nothing now.
 */
unsigned int sndbe_dev_reapply_capture(struct sndbe_dev_layer *l)
{
	unsigned int withheld = 0;

	for (struct sndbe_dev_conn *c = l->conns; c; c = c->next)
		withheld += conn_recapture(c);
	return withheld;
}
