// SPDX-License-Identifier: MIT
/*
 * simd-evtchn.c - interdomain event channels.
 *
 * Ports are numbered per domain from 1. A channel is born unbound in one
 * domain for a named remote domain, which alone may bind to it; from then
 * on notifications go peer to peer, never through xensimd: the channel
 * owns two eventfds, each end reads one and writes the other. When one end
 * closes (unbind, its connection goes, its domain dies), the other end's
 * port becomes unbound again, remote domain unchanged, exactly as
 * EVTCHNOP_close leaves it on Xen; a later bind to it reuses the same
 * eventfds, which the surviving end still holds.
 *
 * Errors follow Xen and the Linux evtchn driver: EACCES for what a
 * restricted handle may not do, ESRCH for a remote domain that does not
 * exist, EINVAL for a port that is not unbound for the caller, ENOTCONN
 * for unbinding a port the connection does not hold, ENOSPC when every
 * port is taken.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "simd-int.h"

#define DOMID_SELF 0x7ff0u
#define DOMID_FIRST_RESERVED 0x7ff0u

static void pair_put(struct simd_evpair *pair)
{
	if (--pair->refs)
		return;
	close(pair->efd[0]);
	close(pair->efd[1]);
	free(pair);
}

static struct simd_evpair *pair_new(void)
{
	struct simd_evpair *pair = calloc(1, sizeof(*pair));

	if (!pair)
		return NULL;
	pair->efd[0] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pair->efd[1] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pair->efd[0] < 0 || pair->efd[1] < 0) {
		if (pair->efd[0] >= 0)
			close(pair->efd[0]);
		if (pair->efd[1] >= 0)
			close(pair->efd[1]);
		free(pair);
		return NULL;
	}
	pair->refs = 1;
	return pair;
}

/* The lowest free port of @d; 0 when all are taken. */
static uint32_t port_alloc(struct simd_domain *d)
{
	if (!d->ports) {
		d->ports = calloc(SIMD_EVTCHN_PORTS, sizeof(*d->ports));
		if (!d->ports)
			return 0;
		d->ports_cap = SIMD_EVTCHN_PORTS;
	}
	for (uint32_t p = 1; p < d->ports_cap; p++)
		if (d->ports[p].state == SIMD_PORT_FREE)
			return p;
	return 0;
}

static struct simd_port *port_get(struct simd_domain *d, uint32_t port)
{
	return d && port > 0 && port < d->ports_cap ? &d->ports[port] : NULL;
}

/* Close one end; the peer's port becomes unbound. */
static void port_close(struct simd_server *srv, struct simd_domain *d, struct simd_port *p)
{
	if (p->state == SIMD_PORT_INTERDOMAIN) {
		struct simd_port *peer = port_get(simd_domain_get(srv, p->remote_domid),
						  p->remote_port);

		if (peer && peer->state == SIMD_PORT_INTERDOMAIN) {
			peer->state = SIMD_PORT_UNBOUND;
			peer->remote_domid = d->domid;
			peer->remote_port = 0;
		}
	}
	if (p->pair)
		pair_put(p->pair);
	memset(p, 0, sizeof(*p));
}

static int send_port(struct simd_conn *c, const struct xsd_sockmsg *h, uint32_t port,
		     const struct simd_port *p)
{
	int fds[2] = { p->pair->efd[p->recv_idx], p->pair->efd[!p->recv_idx] };

	return simd_conn_send(c, h, h->type, &port, sizeof(port), fds, 2);
}

static int do_alloc_unbound(struct simd_conn *c, const struct xsd_sockmsg *h,
			    uint32_t remote)
{
	struct simd_domain *d = simd_domain_get(c->srv, c->domid);
	struct simd_port *p;
	uint32_t port;

	if (c->restricted)
		return -EACCES;
	if (remote == DOMID_SELF)
		remote = c->domid;
	if (remote > SIMD_DOMID_MAX || !d)
		return -EINVAL;
	port = port_alloc(d);
	if (!port)
		return d->ports ? -ENOSPC : -ENOMEM;
	p = &d->ports[port];
	p->pair = pair_new();
	if (!p->pair)
		return -ENOMEM;
	p->state = SIMD_PORT_UNBOUND;
	p->owner = c->id;
	p->remote_domid = remote;
	p->recv_idx = 0;
	return send_port(c, h, port, p);
}

static int do_bind(struct simd_conn *c, const struct xsd_sockmsg *h, uint32_t rdomid,
		   uint32_t rport)
{
	struct simd_domain *d = simd_domain_get(c->srv, c->domid), *rd;
	struct simd_port *p, *rp;
	uint64_t stale;
	uint32_t port;

	if (rdomid == DOMID_SELF)
		rdomid = c->domid;
	if (c->restricted && rdomid != c->restrict_domid)
		return -EACCES;
	rd = simd_domain_get(c->srv, rdomid);
	if (!rd || !d)
		return -ESRCH;
	rp = port_get(rd, rport);
	if (!rp || rp->state != SIMD_PORT_UNBOUND || rp->remote_domid != c->domid)
		return -EINVAL;
	port = port_alloc(d);
	if (!port)
		return d->ports ? -ENOSPC : -ENOMEM;
	p = &d->ports[port];
	p->state = SIMD_PORT_INTERDOMAIN;
	p->owner = c->id;
	p->remote_domid = rdomid;
	p->remote_port = rport;
	p->pair = rp->pair;
	p->pair->refs++;
	p->recv_idx = !rp->recv_idx;
	rp->state = SIMD_PORT_INTERDOMAIN;
	rp->remote_port = port;
	/*
	 * Xen's EVTCHNOP_bind_interdomain conservatively marks the new local
	 * port pending, since a notification may have been lost while the
	 * remote port was unbound; the real-Xen rig sees that event. Collapse
	 * whatever was sent meanwhile into exactly that one event.
	 */
	if (read(p->pair->efd[p->recv_idx], &stale, sizeof(stale)) < 0)
		stale = 0;
	stale = 1;
	if (write(p->pair->efd[p->recv_idx], &stale, sizeof(stale)) < 0)
		return -errno;
	return send_port(c, h, port, p);
}

static int do_unbind(struct simd_conn *c, uint32_t port)
{
	struct simd_domain *d = simd_domain_get(c->srv, c->domid);
	struct simd_port *p;

	if (port == 0 || port >= SIMD_EVTCHN_PORTS)
		return -EINVAL;
	p = port_get(d, port);
	if (!p || p->state == SIMD_PORT_FREE || p->owner != c->id)
		return -ENOTCONN;
	port_close(c->srv, d, p);
	return 0;
}

static int do_restrict(struct simd_conn *c, uint32_t domid)
{
	if (c->restricted)
		return -EACCES;
	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	c->restricted = true;
	c->restrict_domid = domid;
	return 0;
}

/**
 * simd_evtchn_handle() - answer XSIM_EVT_*.
 * @c: the connection.
 * @h: the request header.
 * @p: its payload.
 */
void simd_evtchn_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
			const unsigned char *p)
{
	uint32_t arg[2] = { 0, 0 };
	size_t want = h->type == XSIM_EVT_BIND ? 8 : 4;
	int r;

	if (h->len != want) {
		simd_conn_send_error(c, h, EINVAL, false);
		return;
	}
	memcpy(arg, p, want);
	switch (h->type) {
	case XSIM_EVT_ALLOC_UNBOUND:
		r = do_alloc_unbound(c, h, arg[0]);
		break;
	case XSIM_EVT_BIND:
		r = do_bind(c, h, arg[0], arg[1]);
		break;
	case XSIM_EVT_UNBIND:
		r = do_unbind(c, arg[0]);
		if (r == 0)
			r = simd_conn_send(c, h, h->type, NULL, 0, NULL, 0);
		break;
	default:
		r = do_restrict(c, arg[0]);
		if (r == 0)
			r = simd_conn_send(c, h, h->type, NULL, 0, NULL, 0);
		break;
	}
	if (r < 0)
		simd_conn_send_error(c, h, -r, false);
}

/**
 * simd_evtchn_conn_gone() - close the ports a closed connection held.
 * @c: the connection.
 */
void simd_evtchn_conn_gone(struct simd_conn *c)
{
	struct simd_domain *d = simd_domain_get(c->srv, c->domid);

	for (uint32_t port = 1; d && port < d->ports_cap; port++)
		if (d->ports[port].state != SIMD_PORT_FREE && d->ports[port].owner == c->id)
			port_close(c->srv, d, &d->ports[port]);
}

/**
 * simd_evtchn_table_free() - free a domain's ports.
 * @d: the domain being freed.
 */
void simd_evtchn_table_free(struct simd_domain *d)
{
	for (uint32_t port = 1; port < d->ports_cap; port++)
		if (d->ports[port].state != SIMD_PORT_FREE)
			port_close(d->srv, d, &d->ports[port]);
	free(d->ports);
	d->ports = NULL;
	d->ports_cap = 0;
}
