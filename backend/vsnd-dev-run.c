// SPDX-License-Identifier: MIT
/*
 * vsnd-dev-run.c - one device served in this process, from its plan
 * (vsnd-dev.h): per stream one request ring page and one event page mapped
 * from the plan's domain, two bound event channels and a struct
 * sndbe_stream; all of a device's ports on one event-channel handle, whose
 * fd the loop polls. The in-process devices of --single-process and the one
 * device of a per-guest worker are both this.
 *
 * A freshly bound port starts with one pending event (xenif E6): it is
 * served like any other, an empty ring pass or an ignored event-page kick.
 * A request port's event buys one budget of requests (ring.h) and no more:
 * a stream with requests left is marked as a backlog and served again by
 * sndbe_dev_serve_backlog() once the loop has looked at everything else
 * (security.md rule 9), so a guest flooding its ring delays the others by
 * at most a budget per turn. A ring the guest broke (-EPROTO) marks its
 * device broken; the caller disconnects it (rule 2), outside of any device
 * callback.
 *
 * Every grant mapped here is mapped from plan->domid and nothing else: a
 * worker cannot be steered to another domain's pages by what it is told
 * about refs (Linux's gntdev cannot be restricted to one domain).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "util.h"
#include "vsnd-dev.h"
#include "xenif/xenif.h"

struct dev_stream {
	struct sndbe_dev *dev;
	void *ring_page;
	void *evt_page;
	uint32_t port;
	uint32_t evt_port;
	bool backlog; /* requests left after a budget */
	bool capture;
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

static int ds_setup(struct sndbe_dev *d, const struct sndbe_dev_stream_plan *sp,
		    struct dev_stream *ds)
{
	struct sndbe_stream_config sc = {
		.x = d->l->x,
		.domid = d->domid,
		.dir = sp->dir,
		.lim = sp->lim,
		.buffer_bytes_cap = sp->buffer_bytes_cap,
		.spec = sp->spec,
		.open_error = sp->open_error,
		.volume_capped = sp->volume_capped,
		.volume_max_mdb = sp->volume_max_mdb,
		.ring_budget = d->l->ring_budget,
		.fd_gen = &d->l->fd_gen,
		.pos_ticks = d->l->pos_ticks,
		.pos_floor_us = d->l->pos_floor_us,
		.notify = ds_notify,
		.evt_notify = ds_evt_notify,
		.userdata = ds,
	};
	int r;

	ds->dev = d;
	ds->capture = sp->dir == VSND_DIR_CAPTURE;
	r = ds_map(d, &sp->ref, ds);
	if (r < 0)
		return r;
	sc.sring = ds->ring_page;
	sc.evt_page = ds->evt_page;
	return sndbe_stream_new(&sc, &ds->s);
}

int sndbe_dev_start(struct sndbe_dev_layer *l, const struct sndbe_dev_plan *plan,
		    struct sndbe_dev **ret)
{
	struct sndbe_dev *d;
	int r;

	if (!plan->n || !plan->st)
		return -EINVAL;
	d = calloc(1, sizeof(*d) + plan->n * sizeof(d->st[0]));
	if (!d)
		return -ENOMEM;
	d->l = l;
	d->domid = plan->domid;
	d->devid = plan->devid;
	r = xenif_evtchn_open(l->x, &d->h);
	if (r < 0) {
		free(d);
		return r;
	}
	if (l->restrict_evtchn)
		r = xenif_evtchn_restrict(d->h, d->domid);
	for (unsigned int i = 0; i < plan->n && r >= 0; i++) {
		d->n = i + 1;
		r = ds_setup(d, &plan->st[i], &d->st[i]);
	}
	if (r < 0) {
		dev_free(d);
		return r;
	}
	d->next = l->devs;
	l->devs = d;
	l->fd_gen++;
	*ret = d;
	return 0;
}

void sndbe_dev_stop(struct sndbe_dev_layer *l, struct sndbe_dev *d)
{
	if (!d)
		return;
	for (struct sndbe_dev **p = &l->devs; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			l->fd_gen++;
			break;
		}
	}
	dev_free(d);
}

int sndbe_dev_set_capture(struct sndbe_dev *d, unsigned int index, bool deliver, int open_error)
{
	if (index >= d->n || !d->st[index].capture)
		return -EINVAL;
	sndbe_stream_set_capture(d->st[index].s, deliver, open_error);
	return 0;
}

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

bool sndbe_dev_backlog(const struct sndbe_dev_layer *l)
{
	for (const struct sndbe_dev *d = l->devs; d; d = d->next)
		for (unsigned int i = 0; i < d->n; i++)
			if (d->st[i].backlog)
				return true;
	return false;
}

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

uint64_t sndbe_dev_fd_generation(const struct sndbe_dev_layer *l)
{
	return l->fd_gen;
}

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

struct sndbe_stream *sndbe_dev_stream(struct sndbe_dev_layer *l, uint32_t domid, uint32_t devid,
				      unsigned int index)
{
	for (struct sndbe_dev *d = l->devs; d; d = d->next)
		if (d->domid == domid && d->devid == devid && index < d->n)
			return d->st[index].s;
	return NULL;
}
