// SPDX-License-Identifier: MIT
/*
 * simd-domain.c - simulated domains: their sockets, their XenStore
 * skeleton, their death and their afterlife as zombies.
 *
 * "domain create N" does what libxl__domain_make() does in XenStore (one
 * transaction: /local/domain/N owned by dom0 and readable by N, the
 * toolstack's /vm and /libxl entries, N's writable data/, control/ leaves,
 * error/ and friends), then opens DIR/domN.sock and fires @introduceDomain.
 *
 * "domain destroy N" is what the hypervisor and the toolstack do together:
 * N's connections close (so its event channels close and its mappings go),
 * its grants stop being mappable, its XenStore entries are removed and
 * @releaseDomain fires. While another domain still maps one of N's pages,
 * N stays listed as dying; the last unmap reaps it and fires
 * @releaseDomain again, as Xen's final domain teardown does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "simd-int.h"

/* The toolstack's own writes: privileged, on no client connection. */
static const struct xs_model_caller toolstack = { .domid = 0, .privileged = true };

struct skel_node {
	const char *fmt;	/* under /local/domain/N unless absolute */
	int perms;		/* PERMS_* */
};

enum { PERMS_RO, PERMS_RW };

/* libxl__domain_make(): roperm = {n0, rN}; rwperm = {nN} (owned by N). */
static const struct skel_node skeleton[] = {
	{ "cpu", PERMS_RO },
	{ "memory", PERMS_RO },
	{ "device", PERMS_RO },
	{ "control", PERMS_RO },
	{ "control/shutdown", PERMS_RW },
	{ "control/feature-poweroff", PERMS_RW },
	{ "control/feature-reboot", PERMS_RW },
	{ "control/feature-suspend", PERMS_RW },
	{ "control/sysrq", PERMS_RW },
	{ "device/suspend/event-channel", PERMS_RW },
	{ "data", PERMS_RW },
	{ "drivers", PERMS_RW },
	{ "feature", PERMS_RW },
	{ "attr", PERMS_RW },
	{ "error", PERMS_RW },
};

static void listener_handle(struct simd_io *io, uint32_t events)
{
	struct simd_domain *d = (struct simd_domain *)io;
	int r;

	(void)events;
	if (d->listener.fd < 0)
		return;
	r = simd_conn_accept(d->srv, d->listener.fd, d->domid);
	if (r < 0 && r != -EAGAIN && r != -EINTR)
		simd_log("dom%u: accept: %s", d->domid, strerror(-r));
}

static int listener_open(struct simd_domain *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)];
	int fd, r;

	snprintf(path, sizeof(path), "%s/dom%u.sock", d->srv->run_dir, d->domid);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	d->sock_path = strdup(path);
	if (!d->sock_path)
		return -ENOMEM;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	d->listener.fd = fd;
	d->listener.handle = listener_handle;
	r = simd_epoll_add(d->srv, &d->listener, EPOLLIN);
	if (r < 0) {
		close(fd);
		d->listener.fd = -1;
		unlink(path);
	}
	return r;
}

static void listener_close(struct simd_domain *d)
{
	if (d->listener.fd >= 0) {
		simd_epoll_del(d->srv, &d->listener);
		close(d->listener.fd);
		d->listener.fd = -1;
	}
	if (d->sock_path) {
		unlink(d->sock_path);
		free(d->sock_path);
		d->sock_path = NULL;
	}
}

static void domain_free(void *ptr)
{
	struct simd_domain *d = ptr;

	simd_grant_table_free(d);
	simd_evtchn_table_free(d);
	free(d);
}

/**
 * simd_domain_get() - a domain by id, live or dying.
 * @srv: the server.
 * @domid: any value.
 *
 * Return: the domain, or NULL when there is none with that id.
 */
struct simd_domain *simd_domain_get(struct simd_server *srv, uint32_t domid)
{
	return domid <= SIMD_DOMID_MAX ? srv->domains[domid] : NULL;
}

static struct simd_domain *domain_new(struct simd_server *srv, uint32_t domid,
				      const char *name)
{
	struct simd_domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->srv = srv;
	d->domid = domid;
	d->listener.fd = -1;
	d->next_ref = SIMD_GREF_FIRST;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->uuid, sizeof(d->uuid), "00000000-0000-4000-8000-%012x", domid);
	return d;
}

static int xs_node(uint32_t tx, struct xs_model *m, const char *path, uint32_t domid,
		   int perms)
{
	struct xs_model_perm_entry ro[] = {
		{ 0, XS_MODEL_PERM_NONE },
		{ domid, XS_MODEL_PERM_READ },
	};
	struct xs_model_perm_entry rw[] = { { domid, XS_MODEL_PERM_NONE } };
	int r;

	r = xs_model_mkdir(m, &toolstack, tx, path);
	if (r == 0 && perms == PERMS_RO)
		r = xs_model_set_perms(m, &toolstack, tx, path, ro, domid ? 2 : 1);
	else if (r == 0)
		r = xs_model_set_perms(m, &toolstack, tx, path, rw, 1);
	return r;
}

static int xs_put(uint32_t tx, struct xs_model *m, const char *path, const char *value)
{
	return xs_model_write(m, &toolstack, tx, path, value, strlen(value));
}

static int skeleton_write(struct xs_model *m, uint32_t tx, const struct simd_domain *d)
{
	const uint32_t n = d->domid;
	char home[64], vm[80], libxl[64], path[160], num[16];
	int r;

	snprintf(home, sizeof(home), "/local/domain/%u", n);
	snprintf(vm, sizeof(vm), "/vm/%s", d->uuid);
	snprintf(libxl, sizeof(libxl), "/libxl/%u", n);
	snprintf(num, sizeof(num), "%u", n);
	xs_model_rm(m, &toolstack, tx, home);
	r = xs_node(tx, m, home, n, PERMS_RO);
	if (r == 0 && n == 0)
		goto names;
	xs_model_rm(m, &toolstack, tx, vm);
	xs_model_rm(m, &toolstack, tx, libxl);
	if (r == 0)
		r = xs_node(tx, m, vm, n, PERMS_RO);
	if (r == 0)
		r = xs_node(tx, m, libxl, 0, PERMS_RO);
	snprintf(path, sizeof(path), "%s/device", libxl);
	if (r == 0)
		r = xs_node(tx, m, path, 0, PERMS_RO);
	snprintf(path, sizeof(path), "%s/vm", home);
	if (r == 0)
		r = xs_put(tx, m, path, vm);
names:
	snprintf(path, sizeof(path), "%s/name", home);
	if (r == 0)
		r = xs_put(tx, m, path, d->name);
	snprintf(path, sizeof(path), "%s/domid", home);
	if (r == 0)
		r = xs_put(tx, m, path, num);
	return r;
}

static int skeleton_write_rest(struct xs_model *m, uint32_t tx, const struct simd_domain *d)
{
	char path[160];
	int r = 0;

	for (size_t i = 0; i < SIMD_ARRAY_SIZE(skeleton) && r == 0; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/%s", d->domid, skeleton[i].fmt);
		r = xs_node(tx, m, path, d->domid, skeleton[i].perms);
	}
	snprintf(path, sizeof(path), "/vm/%s/uuid", d->uuid);
	if (r == 0)
		r = xs_put(tx, m, path, d->uuid);
	snprintf(path, sizeof(path), "/vm/%s/name", d->uuid);
	if (r == 0)
		r = xs_put(tx, m, path, d->name);
	snprintf(path, sizeof(path), "/local/domain/%u/control/"
		 "platform-feature-multiprocessor-suspend", d->domid);
	if (r == 0)
		r = xs_put(tx, m, path, "1");
	snprintf(path, sizeof(path), "/local/domain/%u/control/"
		 "platform-feature-xs_reset_watches", d->domid);
	if (r == 0)
		r = xs_put(tx, m, path, "1");
	snprintf(path, sizeof(path), "/libxl/%u/type", d->domid);
	if (r == 0)
		r = xs_put(tx, m, path, "pv");
	return r;
}

/* One transaction, retried on conflict as libxl retries it. */
static int skeleton_build(struct simd_server *srv, const struct simd_domain *d)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		uint32_t tx;
		int r;

		r = xs_model_tx_start(srv->xs, &toolstack, &tx);
		if (r < 0)
			return r;
		r = skeleton_write(srv->xs, tx, d);
		if (r == 0 && d->domid != 0)
			r = skeleton_write_rest(srv->xs, tx, d);
		if (r < 0) {
			xs_model_tx_end(srv->xs, &toolstack, tx, false);
			return r;
		}
		r = xs_model_tx_end(srv->xs, &toolstack, tx, true);
		if (r != -EAGAIN)
			return r;
	}
	return -EAGAIN;
}

/**
 * simd_domain_boot_dom0() - bring up Domain-0 and DIR/dom0.sock.
 * @srv: the server.
 *
 * Return: 0 or a negative errno.
 */
int simd_domain_boot_dom0(struct simd_server *srv)
{
	struct simd_domain *d = domain_new(srv, 0, "Domain-0");
	int r;

	if (!d)
		return -ENOMEM;
	srv->domains[0] = d;
	r = skeleton_build(srv, d);
	if (r == 0)
		r = listener_open(d);
	return r;
}

static void remove_xs_entries(struct simd_server *srv, const struct simd_domain *d)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u", d->domid);
	xs_model_rm(srv->xs, &toolstack, 0, path);
	snprintf(path, sizeof(path), "/vm/%s", d->uuid);
	xs_model_rm(srv->xs, &toolstack, 0, path);
	snprintf(path, sizeof(path), "/libxl/%u", d->domid);
	xs_model_rm(srv->xs, &toolstack, 0, path);
}

static int domain_create(struct simd_server *srv, uint32_t domid, const char *name)
{
	struct simd_domain *d;
	int r;

	if (domid == 0 || domid > SIMD_DOMID_MAX || !*name)
		return -EINVAL;
	if (srv->domains[domid])
		return -EEXIST;
	d = domain_new(srv, domid, name);
	if (!d)
		return -ENOMEM;
	r = skeleton_build(srv, d);
	if (r == 0) {
		r = listener_open(d);
		if (r < 0)
			remove_xs_entries(srv, d);
	}
	if (r < 0) {
		listener_close(d);
		domain_free(d);
		return r;
	}
	srv->domains[domid] = d;
	simd_log("dom%u (%s) created", domid, d->name);
	xs_model_fire_special(srv->xs, "@introduceDomain");
	return 0;
}

static void domain_reap(struct simd_domain *d, bool announce)
{
	struct simd_server *srv = d->srv;

	if (d->reaped)
		return;
	d->reaped = true;
	srv->domains[d->domid] = NULL;
	listener_close(d);
	simd_log("dom%u reaped", d->domid);
	simd_defer_free(srv, d, domain_free);
	if (announce)
		xs_model_fire_special(srv->xs, "@releaseDomain");
}

/**
 * simd_domain_maybe_reap() - reap a dying domain nobody maps any more.
 * @d: the domain whose pages were just unmapped.
 */
void simd_domain_maybe_reap(struct simd_domain *d)
{
	if (d->dying && d->pages_mapped_of == 0)
		domain_reap(d, true);
}

static int domain_destroy(struct simd_server *srv, uint32_t domid)
{
	struct simd_domain *d = simd_domain_get(srv, domid);
	struct simd_conn *c, *next;

	if (domid == 0)
		return -EINVAL;
	if (!d)
		return -ESRCH;
	if (d->dying)
		return 0;
	d->dying = true;
	listener_close(d);
	for (c = srv->conns; c; c = next) {
		next = c->next;
		if (c->domid == domid)
			simd_conn_close(c, "domain destroyed");
	}
	simd_grant_domain_dead(d);
	remove_xs_entries(srv, d);
	simd_log("dom%u destroyed%s", domid,
		 d->pages_mapped_of ? " (zombie: its pages are still mapped)" : "");
	xs_model_fire_special(srv->xs, "@releaseDomain");
	if (d->pages_mapped_of == 0)
		domain_reap(d, false);
	return 0;
}

static void fill_info(const struct simd_domain *d, struct xsim_dominfo *info)
{
	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	info->flags = XSIM_DOMINFO_EXISTS | (d->dying ? XSIM_DOMINFO_DYING : 0);
	snprintf(info->name, sizeof(info->name), "%s", d->name);
}

static void do_list(struct simd_conn *c, const struct xsd_sockmsg *h)
{
	struct simd_server *srv = c->srv;
	uint32_t n = 0;
	unsigned char *out;
	size_t len;

	for (uint32_t i = 0; i <= SIMD_DOMID_MAX; i++)
		n += srv->domains[i] != NULL;
	len = sizeof(n) + n * sizeof(struct xsim_dominfo);
	out = calloc(1, len);
	if (!out) {
		simd_conn_send_error(c, h, ENOMEM, false);
		return;
	}
	memcpy(out, &n, sizeof(n));
	n = 0;
	for (uint32_t i = 0; i <= SIMD_DOMID_MAX; i++) {
		struct xsim_dominfo info;

		if (!srv->domains[i])
			continue;
		fill_info(srv->domains[i], &info);
		memcpy(out + sizeof(n) + n++ * sizeof(info), &info, sizeof(info));
	}
	simd_conn_send(c, h, h->type, out, len, NULL, 0);
	free(out);
}

static int do_info(struct simd_conn *c, const struct xsd_sockmsg *h, uint32_t domid)
{
	struct simd_domain *d = simd_domain_get(c->srv, domid);
	struct xsim_dominfo info;

	if (!d)
		return -ENOENT;
	fill_info(d, &info);
	return simd_conn_send(c, h, h->type, &info, sizeof(info), NULL, 0);
}

static int do_mappings(struct simd_conn *c, const struct xsd_sockmsg *h, uint32_t domid)
{
	struct simd_domain *d = simd_domain_get(c->srv, domid);
	uint32_t out[2] = { 0, 0 };

	if (d) {
		out[0] = d->pages_mapped_by;
		out[1] = d->pages_mapped_of;
	}
	return simd_conn_send(c, h, h->type, out, sizeof(out), NULL, 0);
}

static int do_create(struct simd_conn *c, const struct xsd_sockmsg *h,
		     const unsigned char *p)
{
	char name[64];
	uint32_t domid;

	if (h->len != sizeof(domid) + sizeof(name))
		return -EINVAL;
	memcpy(&domid, p, sizeof(domid));
	memcpy(name, p + sizeof(domid), sizeof(name));
	if (!memchr(name, '\0', sizeof(name)))
		return -EINVAL;
	return domain_create(c->srv, domid, name);
}

/**
 * simd_domain_handle() - answer XSIM_DOMAIN_* and XSIM_MAPPINGS.
 * @c: the connection.
 * @h: the request header.
 * @p: its payload.
 */
void simd_domain_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
			const unsigned char *p)
{
	bool dom0_only = h->type == XSIM_DOMAIN_CREATE || h->type == XSIM_DOMAIN_DESTROY;
	uint32_t domid = 0;
	int r = 0;

	if (dom0_only && !c->privileged) {
		simd_conn_send_error(c, h, EPERM, false);
		return;
	}
	if (h->type != XSIM_DOMAIN_CREATE && h->type != XSIM_DOMAIN_LIST) {
		if (h->len != sizeof(domid))
			r = -EINVAL;
		else
			memcpy(&domid, p, sizeof(domid));
	}
	if (r == 0) {
		switch (h->type) {
		case XSIM_DOMAIN_INFO:
			r = do_info(c, h, domid);
			break;
		case XSIM_DOMAIN_CREATE:
			r = do_create(c, h, p);
			break;
		case XSIM_DOMAIN_DESTROY:
			r = domain_destroy(c->srv, domid);
			break;
		case XSIM_DOMAIN_LIST:
			do_list(c, h);
			return;
		case XSIM_MAPPINGS:
			r = do_mappings(c, h, domid);
			break;
		default:
			r = -EINVAL;
			break;
		}
	}
	if (r < 0)
		simd_conn_send_error(c, h, -r, false);
	else if (dom0_only)
		simd_conn_send(c, h, h->type, NULL, 0, NULL, 0);
}

/**
 * simd_domain_free_all() - free every domain at shutdown.
 * @srv: the server, with no connection left.
 */
void simd_domain_free_all(struct simd_server *srv)
{
	for (uint32_t i = 0; i <= SIMD_DOMID_MAX; i++) {
		struct simd_domain *d = srv->domains[i];

		if (!d)
			continue;
		srv->domains[i] = NULL;
		listener_close(d);
		simd_defer_free(srv, d, domain_free);
	}
}
