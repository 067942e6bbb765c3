// SPDX-License-Identifier: MIT
/*
 * vsnd-dev.c - the device layer under sndbe_xenbus: per stream one request
 * ring page and one event page mapped from the guest, two bound event
 * channels and a struct sndbe_stream; all of a device's ports on one event
 * channel handle, whose fd the loop polls. A freshly bound port starts with
 * one pending event (xenif E6): it is served like any other, an empty ring
 * pass or an ignored event-page kick.
 *
 * A request port's event buys one budget of requests (ring.h) and no more:
 * a stream with requests left is marked as a backlog and served again by
 * sndbe_dev_serve_backlog() once the loop has looked at everything else
 * (security.md rule 9), so a guest flooding its ring delays the others by
 * at most a budget per turn. A ring the guest broke (-EPROTO) marks its
 * device broken; the caller disconnects it through sndbe_xenbus_fail()
 * (rule 2), outside of any device callback.
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

struct dev_stream {
	struct sndbe_dev *dev;
	void *ring_page;
	void *evt_page;
	uint32_t port;
	uint32_t evt_port;
	unsigned int pcm;
	unsigned int idx;
	bool backlog; /* requests left after a budget */
	bool capture; /* a capture stream */
	bool host_capture; /* ... connected to its host source (policy: allow) */
	char *uid; /* its unique-id at connect, for policy lookups; or NULL */
	struct sndbe_stream *s;
};

struct sndbe_dev {
	struct sndbe_dev_layer *l;
	struct sndbe_dev *next;
	uint32_t domid;
	uint32_t devid;
	struct xenif_evtchn *h;
	int broken; /* negative errno once a ring is broken */
	bool broken_told; /* sndbe_dev_next_broken() returned it */
	unsigned int n;
	struct dev_stream st[];
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

	name[0] = '\0';
	if (sndbe_policy_uses_names(l->policy)) {
		struct xenif_dominfo info;

		/* dom0's /local/domain/<id>/name: only the toolstack writes it. */
		r = xenif_domain_info(l->x, domid, &info);
		if (r < 0) {
			sndbe_xb_device_set_error(xbd, "the domain's name is unknown (%s) and the "
						  "policy selects domains by name", strerror(-r));
			return r;
		}
		memcpy(name, info.name, sizeof(info.name));
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
 * The policy's part of stream @ref: limits, caps and capture rule in @sc.
 * Return: the host device template to use.
 */
static const char *ds_policy(struct sndbe_dev *d, struct dev_stream *ds, const char *name,
			     const struct sndbe_xb_stream_refs *ref,
			     const struct vsnd_xscfg_stream *xs, struct sndbe_stream_config *sc)
{
	struct sndbe_policy_key key = { .domid = d->domid, .name = name, .card = d->devid,
					.pcm = (int)ref->pcm, .stream = (int)ref->stream,
					.uid = xs->unique_id };
	struct sndbe_policy_settings ps;
	const char *tmpl;

	sndbe_policy_lookup(d->l->policy, &key, &ps);
	tmpl = ps.sink ? ps.sink : d->l->spec;
	ds->capture = sc->dir == VSND_DIR_CAPTURE;
	ds->host_capture = ds->capture && ps.capture == SNDBE_CAPTURE_ALLOW;
	if (sc->dir == VSND_DIR_CAPTURE && ps.capture != SNDBE_CAPTURE_ALLOW) {
		/* Nothing of the host is opened, not even probed: the paced
		 * null source gives zeros at the stream's rate. */
		tmpl = "null";
		if (ps.capture == SNDBE_CAPTURE_DENY)
			sc->open_error = -EACCES;
	}
	sndbe_policy_narrow(&ps, &sc->lim);
	if (ps.max_buffer_bytes &&
	    (!sc->buffer_bytes_cap || ps.max_buffer_bytes < sc->buffer_bytes_cap))
		sc->buffer_bytes_cap = ps.max_buffer_bytes;
	sc->volume_capped = ps.has_max_volume;
	sc->volume_max_mdb = ps.max_volume_mdb;
	return tmpl;
}

static int ds_notify(void *ud)
{
	struct dev_stream *ds = ud;

	return xenif_evtchn_notify(ds->dev->h, ds->port);
}

static int ds_evt_notify(void *ud)
{
	struct dev_stream *ds = ud;

	return xenif_evtchn_notify(ds->dev->h, ds->evt_port);
}

static void dev_free(struct sndbe_dev *d)
{
	struct xenif *x = d->l->x;

	for (unsigned int i = 0; i < d->n; i++) {
		struct dev_stream *ds = &d->st[i];

		ds->s = sndbe_stream_free(ds->s);
		free(ds->uid);
		if (ds->ring_page)
			xenif_gnt_unmap(x, ds->ring_page, 1);
		if (ds->evt_page)
			xenif_gnt_unmap(x, ds->evt_page, 1);
	}
	xenif_evtchn_close(d->h);
	free(d);
}

static int ds_map(struct sndbe_dev *d, const struct sndbe_xb_stream_refs *ref,
		  struct dev_stream *ds)
{
	struct xenif *x = d->l->x;
	int r;

	r = xenif_gnt_map(x, d->domid, &ref->ring_ref, 1, true, &ds->ring_page);
	if (r < 0) {
		ds->ring_page = NULL;
		return r;
	}
	r = xenif_gnt_map(x, d->domid, &ref->evt_ring_ref, 1, true, &ds->evt_page);
	if (r < 0) {
		ds->evt_page = NULL;
		return r;
	}
	r = xenif_evtchn_bind_interdomain(d->h, d->domid, ref->evtchn);
	if (r < 0)
		return r;
	ds->port = (uint32_t)r;
	r = xenif_evtchn_bind_interdomain(d->h, d->domid, ref->evt_evtchn);
	if (r < 0)
		return r;
	ds->evt_port = (uint32_t)r;
	return 0;
}

static int ds_setup(struct sndbe_dev *d, const struct vsnd_xscfg *cfg, const char *name,
		    const struct sndbe_xb_stream_refs *ref, struct dev_stream *ds)
{
	struct sndbe_stream_config sc = {
		.x = d->l->x,
		.domid = d->domid,
		.buffer_bytes_cap = d->l->buffer_bytes_cap,
		.ring_budget = d->l->ring_budget,
		.fd_gen = &d->l->fd_gen,
		.pos_ticks = d->l->pos_ticks,
		.pos_floor_us = d->l->pos_floor_us,
		.notify = ds_notify,
		.evt_notify = ds_evt_notify,
		.userdata = ds,
	};
	char spec[SNDBE_DEV_SPEC_MAX];
	const struct vsnd_xscfg_stream *xs = cfg_stream(cfg, ref);
	const char *tmpl;
	int r;

	ds->dev = d;
	ds->pcm = ref->pcm;
	ds->idx = ref->stream;
	if (!xs || (xs->type != VSND_XSCFG_STREAM_PLAYBACK && xs->type != VSND_XSCFG_STREAM_CAPTURE))
		return -EINVAL;
	sc.dir = xs->type == VSND_XSCFG_STREAM_CAPTURE ? VSND_DIR_CAPTURE : VSND_DIR_PLAYBACK;
	r = vsnd_xscfg_limits(cfg, (int)ref->pcm, (int)ref->stream, 0, &sc.lim);
	if (r < 0)
		return r;
	if (xs->unique_id && !(ds->uid = strdup(xs->unique_id)))
		return -ENOMEM;
	tmpl = ds_policy(d, ds, name, ref, xs, &sc);
	r = sndbe_dev_expand_spec(tmpl, d->domid, ref->pcm, ref->stream, spec, sizeof(spec));
	if (r < 0)
		return r;
	sc.spec = spec;
	r = ds_map(d, ref, ds);
	if (r < 0)
		return r;
	sc.sring = ds->ring_page;
	sc.evt_page = ds->evt_page;
	return sndbe_stream_new(&sc, &ds->s);
}

static int dev_connect(void *ud, struct sndbe_xb_device *xbd, const struct vsnd_xscfg *cfg,
		       const struct sndbe_xb_stream_refs *refs, unsigned int n)
{
	struct sndbe_dev_layer *l = ud;
	char name[SNDBE_POLICY_NAME_MAX + 1];
	struct sndbe_dev *d;
	int r;

	r = dev_admit(l, xbd, cfg, refs, n, name);
	if (r < 0) {
		l->connect_errors++;
		return r;
	}
	d = calloc(1, sizeof(*d) + n * sizeof(d->st[0]));
	if (!d)
		return -ENOMEM;
	d->l = l;
	d->domid = sndbe_xb_device_domid(xbd);
	d->devid = sndbe_xb_device_devid(xbd);
	r = xenif_evtchn_open(l->x, &d->h);
	if (r < 0) {
		free(d);
		l->connect_errors++;
		return r;
	}
	for (unsigned int i = 0; i < n && r >= 0; i++) {
		d->n = i + 1;
		r = ds_setup(d, cfg, name, &refs[i], &d->st[i]);
	}
	if (r < 0) {
		dev_free(d);
		l->connect_errors++;
		return r;
	}
	d->next = l->devs;
	l->devs = d;
	l->n_devs++;
	l->fd_gen++;
	sndbe_xb_device_set_priv(xbd, d);
	return 0;
}

static void dev_disconnect(void *ud, struct sndbe_xb_device *xbd)
{
	struct sndbe_dev_layer *l = ud;
	struct sndbe_dev *d = sndbe_xb_device_get_priv(xbd);

	if (!d)
		return;
	for (struct sndbe_dev **p = &l->devs; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			l->n_devs--;
			l->fd_gen++;
			break;
		}
	}
	dev_free(d);
	sndbe_xb_device_set_priv(xbd, NULL);
}

const struct sndbe_xenbus_ops sndbe_dev_ops = {
	.connect = dev_connect,
	.disconnect = dev_disconnect,
	.forget = dev_forget,
};

/**
 * sndbe_dev_fds() - every fd of every connected device to poll.
 * @l: the layer.
 * @fds: receives them.
 * @n: room in @fds.
 *
 * Return: the number written, or -ENOBUFS.
 */
int sndbe_dev_fds(struct sndbe_dev_layer *l, struct pollfd *fds, unsigned int n)
{
	unsigned int k = 0;

	for (struct sndbe_dev *d = l->devs; d; d = d->next) {
		if (k >= n)
			return -ENOBUFS;
		fds[k++] = (struct pollfd){ .fd = xenif_evtchn_fd(d->h), .events = POLLIN };
		for (unsigned int i = 0; i < d->n; i++) {
			int r = sndbe_stream_fds(d->st[i].s, fds + k, n - k);

			if (r < 0)
				return r;
			k += (unsigned int)r;
		}
	}
	return (int)k;
}

/* One budget of @ds's requests; remember what is left and a broken ring. */
static int ds_serve(struct dev_stream *ds)
{
	int r = sndbe_stream_service_ring(ds->s);

	ds->backlog = r == 1;
	if (r == -EPROTO && !ds->dev->broken)
		ds->dev->broken = r;
	return r < 0 ? r : 0;
}

/* Serve every pending port of @d, one budget each. */
static int dev_serve_ports(struct sndbe_dev *d)
{
	int port, ret = 0;

	while ((port = xenif_evtchn_pending(d->h)) > 0) {
		for (unsigned int i = 0; i < d->n; i++) {
			int r;

			if (d->st[i].port != (uint32_t)port)
				continue;
			r = ds_serve(&d->st[i]);
			if (r < 0 && !ret)
				ret = r;
		}
		xenif_evtchn_unmask(d->h, (uint32_t)port);
	}
	return ret;
}

/**
 * sndbe_dev_backlog() - whether a stream has requests left over.
 * @l: the layer.
 *
 * Return: true when sndbe_dev_serve_backlog() has work.
 */
bool sndbe_dev_backlog(const struct sndbe_dev_layer *l)
{
	for (const struct sndbe_dev *d = l->devs; d; d = d->next)
		for (unsigned int i = 0; i < d->n; i++)
			if (d->st[i].backlog)
				return true;
	return false;
}

/**
 * sndbe_dev_serve_backlog() - one more budget for every stream with
 * requests left over.
 * @l: the layer.
 *
 * Return: 0, or the first negative errno met (the streams keep being served).
 */
int sndbe_dev_serve_backlog(struct sndbe_dev_layer *l)
{
	int ret = 0;

	for (struct sndbe_dev *d = l->devs; d; d = d->next) {
		for (unsigned int i = 0; i < d->n; i++) {
			int r;

			if (!d->st[i].backlog)
				continue;
			r = ds_serve(&d->st[i]);
			if (r < 0 && !ret)
				ret = r;
		}
	}
	return ret;
}

/**
 * sndbe_dev_next_broken() - a broken device not reported yet.
 * @l: the layer.
 * @domid: receives its guest.
 * @devid: receives its device id.
 *
 * Return: the device's negative errno (each device once), or 0 when there
 * is none.
 */
int sndbe_dev_next_broken(struct sndbe_dev_layer *l, uint32_t *domid, uint32_t *devid)
{
	for (struct sndbe_dev *d = l->devs; d; d = d->next) {
		if (!d->broken || d->broken_told)
			continue;
		d->broken_told = true;
		*domid = d->domid;
		*devid = d->devid;
		return d->broken;
	}
	return 0;
}

/**
 * sndbe_dev_fd_generation() - see vsnd-dev.h.
 * @l: the layer.
 *
 * Return: the generation.
 */
uint64_t sndbe_dev_fd_generation(const struct sndbe_dev_layer *l)
{
	return l->fd_gen;
}

/**
 * sndbe_dev_process() - serve one ready fd.
 * @l: the layer.
 * @fd: the fd.
 * @revents: what poll() saw.
 *
 * Return: 1 when served, 0 when no device owns @fd, or a negative errno.
 */
int sndbe_dev_process(struct sndbe_dev_layer *l, int fd, short revents)
{
	for (struct sndbe_dev *d = l->devs; d; d = d->next) {
		if (fd == xenif_evtchn_fd(d->h)) {
			int r = dev_serve_ports(d);

			return r < 0 ? r : 1;
		}
		for (unsigned int i = 0; i < d->n; i++) {
			int r = sndbe_stream_process(d->st[i].s, fd, revents);

			if (r != 0)
				return r;
		}
	}
	return 0;
}

/**
 * sndbe_dev_stream() - a connected device's stream, for inspection.
 * @l: the layer.
 * @domid: the guest.
 * @devid: the device id.
 * @index: the card-wide stream index.
 *
 * Return: the stream, or NULL.
 */
struct sndbe_stream *sndbe_dev_stream(struct sndbe_dev_layer *l, uint32_t domid, uint32_t devid,
				      unsigned int index)
{
	for (struct sndbe_dev *d = l->devs; d; d = d->next)
		if (d->domid == domid && d->devid == devid && index < d->n)
			return d->st[index].s;
	return NULL;
}

/* The domain's name for policy lookups, "" when no section uses names. */
static int dev_name(struct sndbe_dev *d, char name[SNDBE_POLICY_NAME_MAX + 1])
{
	struct xenif_dominfo info;
	int r;

	name[0] = '\0';
	if (!sndbe_policy_uses_names(d->l->policy))
		return 0;
	r = xenif_domain_info(d->l->x, d->domid, &info);
	if (r < 0)
		return r;
	memcpy(name, info.name, sizeof(info.name));
	return 0;
}

/* Apply the capture rule of the layer's policy to @d's capture streams. */
static unsigned int dev_recapture(struct sndbe_dev *d)
{
	char name[SNDBE_POLICY_NAME_MAX + 1];
	bool known = dev_name(d, name) >= 0;
	unsigned int withheld = 0;

	for (unsigned int i = 0; i < d->n; i++) {
		struct dev_stream *ds = &d->st[i];
		struct sndbe_policy_key key = { .domid = d->domid, .name = name, .card = d->devid,
						.pcm = (int)ds->pcm, .stream = (int)ds->idx,
						.uid = ds->uid };
		struct sndbe_policy_settings ps;
		bool deliver;

		if (!ds->capture)
			continue;
		sndbe_policy_lookup(d->l->policy, &key, &ps);
		/* A name that cannot be read any more: deliver nothing. */
		deliver = known && ds->host_capture && ps.capture == SNDBE_CAPTURE_ALLOW;
		sndbe_stream_set_capture(ds->s, deliver,
					 !known || ps.capture == SNDBE_CAPTURE_DENY ? -EACCES : 0);
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

	for (struct sndbe_dev *d = l->devs; d; d = d->next)
		withheld += dev_recapture(d);
	return withheld;
}
