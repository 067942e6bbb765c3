/* SPDX-License-Identifier: MIT */
/*
 * xenif-sim-evtchn.c - event channels against xensimd.
 *
 * Each handle has a connection of its own (xensimd applies
 * XSIM_EVT_RESTRICT per connection, as Linux applies it per open of
 * /dev/xen/evtchn). Binding a port yields two eventfds: ours, which the
 * peer writes, and the peer's, which we write to notify. xensimd is not on
 * the data path: notify is one write(), delivery one read().
 *
 * The handle's fd is an epoll fd over the unmasked ports' eventfds. pending()
 * takes a readable one, reads it (which clears it: notifications since the
 * last delivery coalesce into one) and masks the port by disarming it in the
 * epoll set; unmask() re-arms it, so an event that came in while masked is
 * reported then, as Xen keeps it pending.
 *
 * The notify-delay knob (XSIM_FAULT_NOTIFY_DELAY, @nth = milliseconds): a
 * notification is then held back; the first one held arms a timerfd in the
 * same epoll set for the delay, and every port notified meanwhile is sent
 * once when it expires (held notifications coalesce). Expiry is acted on
 * when the notifying handle is next used (notify, pending, unmask) or its
 * fd, which the timer makes readable, is serviced; unbind and close send
 * what is held at once. A program that notifies must therefore service its
 * own event-channel fd, which every vsnd peer does anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "sim.h"
#include "util.h"

#define TIMER_TAG (UINT64_C(1) << 32)	/* epoll data of the timerfd; ports fit 32 bits */

struct sim_port {
	uint32_t port;
	int rfd;	/* ours: readable when the peer notifies */
	int wfd;	/* the peer's: written to notify it */
	bool masked;
	bool held;	/* a notification held back by the notify-delay knob */
};

struct sim_evtchn {
	struct xenif_evtchn base;
	struct xenif_sim *sim;
	struct sim_conn *conn;
	int epfd;
	int timerfd;	/* -1 until the notify-delay knob is first used */
	bool timer_armed;
	struct sim_port *ports;
	unsigned int nports;
	unsigned int cap;
};

static struct sim_evtchn *to_evt(struct xenif_evtchn *h)
{
	return container_of(h, struct sim_evtchn, base);
}

static struct sim_port *find_port(struct sim_evtchn *e, uint32_t port)
{
	for (unsigned int i = 0; i < e->nports; i++)
		if (e->ports[i].port == port)
			return &e->ports[i];
	return NULL;
}

static int kick(int wfd)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is saturated, so an event is pending anyway. */
	if (write(wfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return negative_errno();
	return 0;
}

static void send_held(struct sim_evtchn *e)
{
	for (unsigned int i = 0; i < e->nports; i++) {
		if (e->ports[i].held) {
			(void)kick(e->ports[i].wfd);
			e->ports[i].held = false;
		}
	}
	e->timer_armed = false;
}

/* Send held notifications once the delay has passed. */
static void send_due(struct sim_evtchn *e)
{
	uint64_t expirations;

	if (e->timer_armed && read(e->timerfd, &expirations, sizeof(expirations)) > 0)
		send_held(e);
}

static int hold(struct sim_evtchn *e, struct sim_port *p, unsigned int delay_ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = delay_ms / 1000, .tv_nsec = (delay_ms % 1000) * 1000000L },
	};

	if (e->timerfd < 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TIMER_TAG };

		e->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (e->timerfd < 0)
			return negative_errno();
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->timerfd, &ev) < 0) {
			e->timerfd = safe_close(e->timerfd);
			return negative_errno();
		}
	}
	if (!e->timer_armed) {
		if (timerfd_settime(e->timerfd, 0, &its, NULL) < 0)
			return negative_errno();
		e->timer_armed = true;
	}
	p->held = true;
	return 0;
}

static int sim_evtchn_notify(struct xenif_evtchn *h, uint32_t port)
{
	struct sim_evtchn *e = to_evt(h);
	struct sim_port *p;
	unsigned int delay_ms;

	send_due(e);
	p = find_port(e, port);
	if (!p)
		return -ENOTCONN;
	delay_ms = sim_notify_delay_ms(e->sim);
	if (delay_ms > 0)
		return hold(e, p, delay_ms);
	return kick(p->wfd);
}

static int arm(struct sim_evtchn *e, struct sim_port *p, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u64 = p->port };

	if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, p->rfd, &ev) < 0)
		return negative_errno();
	p->masked = !on;
	return 0;
}

static int sim_evtchn_pending(struct xenif_evtchn *h)
{
	struct sim_evtchn *e = to_evt(h);

	send_due(e);
	/* Each turn either delivers or consumes one stale readiness. */
	for (unsigned int turn = 0; turn <= e->nports + 1; turn++) {
		struct epoll_event ev;
		struct sim_port *p;
		uint64_t count;
		int n;

		n = epoll_wait(e->epfd, &ev, 1, 0);
		if (n < 0)
			return errno == EINTR ? -EAGAIN : negative_errno();
		if (n == 0)
			return -EAGAIN;
		if (ev.data.u64 == TIMER_TAG) {
			send_due(e);
			continue;
		}
		p = find_port(e, (uint32_t)ev.data.u64);
		if (!p || read(p->rfd, &count, sizeof(count)) != sizeof(count))
			continue;
		if (arm(e, p, false) < 0)
			continue;
		return (int)p->port;
	}
	return -EAGAIN;
}

static int sim_evtchn_unmask(struct xenif_evtchn *h, uint32_t port)
{
	struct sim_evtchn *e = to_evt(h);
	struct sim_port *p;

	send_due(e);
	p = find_port(e, port);
	if (!p)
		return -ENOTCONN;
	return p->masked ? arm(e, p, true) : 0;
}

static int sim_evtchn_fd(struct xenif_evtchn *h)
{
	return to_evt(h)->epfd;
}

static int tell_unbind(struct sim_evtchn *e, uint32_t port)
{
	struct sim_reply rep;
	int r = sim_conn_call(e->conn, XSIM_EVT_UNBIND, 0, &port, sizeof(port), NULL, &rep);

	if (r == 0)
		sim_reply_done(&rep);
	return r;
}

/* Take over a freshly bound port's fds; on failure the caller closes them. */
static int add_port(struct sim_evtchn *e, uint32_t port, const int fds[2])
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = port };
	int fl;

	if (port == 0 || port > INT32_MAX || find_port(e, port))
		return -EPROTO;
	if (e->nports == e->cap) {
		unsigned int cap = e->cap ? e->cap * 2 : 4;
		struct sim_port *np = realloc(e->ports, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		e->ports = np;
		e->cap = cap;
	}
	/* Only we read our eventfd; non-blocking guards against a peer that
	 * never wrote despite epoll's word. */
	fl = fcntl(fds[0], F_GETFL);
	if (fl < 0 || fcntl(fds[0], F_SETFL, fl | O_NONBLOCK) < 0)
		return negative_errno();
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fds[0], &ev) < 0)
		return negative_errno();
	e->ports[e->nports++] = (struct sim_port){ .port = port, .rfd = fds[0], .wfd = fds[1] };
	return (int)port;
}

/* XSIM_EVT_BIND and XSIM_EVT_ALLOC_UNBOUND: {u32 port} + two eventfds. */
static int bind_call(struct sim_evtchn *e, uint32_t type, const uint32_t *req, size_t len)
{
	int fds[2] = { -1, -1 };
	struct sim_fd_sink sink = { .want = 2, .take = sim_take_fd, .opaque = fds };
	struct sim_reply rep;
	uint32_t port = 0;
	int r;

	r = sim_conn_call(e->conn, type, 0, req, len, &sink, &rep);
	if (r == 0) {
		if (rep.len == sizeof(port))
			memcpy(&port, rep.body, sizeof(port));
		else
			r = -EPROTO;
		sim_reply_done(&rep);
	}
	if (r == 0) {
		r = add_port(e, port, fds);
		if (r < 0 && r != -EPROTO)
			(void)tell_unbind(e, port);
	}
	if (r < 0) {
		safe_close(fds[0]);
		safe_close(fds[1]);
	}
	return r;
}

static int sim_evtchn_bind_interdomain(struct xenif_evtchn *h, uint32_t remote_domid,
				       uint32_t remote_port)
{
	uint32_t req[2] = { remote_domid, remote_port };

	return bind_call(to_evt(h), XSIM_EVT_BIND, req, sizeof(req));
}

static int sim_evtchn_alloc_unbound(struct xenif_evtchn *h, uint32_t remote_domid)
{
	return bind_call(to_evt(h), XSIM_EVT_ALLOC_UNBOUND, &remote_domid, sizeof(remote_domid));
}

static void drop_port(struct sim_evtchn *e, struct sim_port *p)
{
	if (p->held)
		(void)kick(p->wfd);
	epoll_ctl(e->epfd, EPOLL_CTL_DEL, p->rfd, NULL);
	close(p->rfd);
	close(p->wfd);
	*p = e->ports[--e->nports];
}

static int sim_evtchn_unbind(struct xenif_evtchn *h, uint32_t port)
{
	struct sim_evtchn *e = to_evt(h);
	struct sim_port *p = find_port(e, port);

	if (!p)
		return -ENOTCONN;
	drop_port(e, p);
	return tell_unbind(e, port);
}

static int sim_evtchn_restrict(struct xenif_evtchn *h, uint32_t domid)
{
	struct sim_evtchn *e = to_evt(h);
	struct sim_reply rep;
	int r;

	r = sim_conn_call(e->conn, XSIM_EVT_RESTRICT, 0, &domid, sizeof(domid), NULL, &rep);
	if (r == 0)
		sim_reply_done(&rep);
	return r;
}

static void sim_evtchn_close(struct xenif_evtchn *h)
{
	struct sim_evtchn *e = to_evt(h);

	send_held(e);
	while (e->nports > 0) {
		uint32_t port = e->ports[0].port;

		drop_port(e, &e->ports[0]);
		(void)tell_unbind(e, port);
	}
	free(e->ports);
	sim_conn_free(e->conn);
	safe_close(e->timerfd);
	safe_close(e->epfd);
	free(e);
}

static int sim_evtchn_open(struct xenif *x, struct xenif_evtchn **ret)
{
	struct xenif_sim *s = to_sim(x);
	struct sim_evtchn *e;
	int fault_fd = -1;
	int r;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->sim = s;
	e->timerfd = -1;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	r = e->epfd < 0 ? negative_errno() : sim_conn_open(s->dir, x->domid, &e->conn);
	/* The handle uses its context's fault table; this copy is not needed. */
	if (r == 0)
		r = sim_hello(e->conn, x->domid, &fault_fd);
	safe_close(fault_fd);
	if (r < 0) {
		sim_evtchn_close(&e->base);
		return r;
	}
	*ret = &e->base;
	return 0;
}

const struct xenif_evtchn_ops sim_evtchn_ops = {
	.open = sim_evtchn_open,
	.close = sim_evtchn_close,
	.fd = sim_evtchn_fd,
	.bind_interdomain = sim_evtchn_bind_interdomain,
	.alloc_unbound = sim_evtchn_alloc_unbound,
	.notify = sim_evtchn_notify,
	.pending = sim_evtchn_pending,
	.unmask = sim_evtchn_unmask,
	.unbind = sim_evtchn_unbind,
	.restrict_to = sim_evtchn_restrict,
};
