// SPDX-License-Identifier: MIT
/*
 * simd-fault.c - the hello handshake and the fault knobs.
 *
 * The fault table is one shared page (a memfd) that every client maps
 * after XSIM_HELLO. xensimd writes its entries; clients count their calls
 * in it and fail the Nth one themselves, which is how the knobs reach
 * operations that never pass through xensimd (notify, pending, unmask).
 * An entry is published by writing its fields first and "active" last,
 * with a release barrier, and "generation" is bumped after every change
 * so a client can cache what it read.
 *
 * The spurious-watch and transaction knobs act inside xensimd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "simd-int.h"

/**
 * simd_fault_init() - create and map the shared fault table.
 * @srv: the server.
 *
 * Return: 0 or a negative errno.
 */
int simd_fault_init(struct simd_server *srv)
{
	void *p;

	srv->fault_fd = memfd_create("xsim-faults", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (srv->fault_fd < 0)
		return -errno;
	if (ftruncate(srv->fault_fd, SIMD_PAGE_SIZE) < 0 ||
	    fcntl(srv->fault_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return -errno;
	p = mmap(NULL, SIMD_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, srv->fault_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	srv->faults = p;
	srv->faults->version = XSIM_PROTO_VERSION;
	return 0;
}

/**
 * simd_fault_fini() - unmap and close the fault table.
 * @srv: the server.
 */
void simd_fault_fini(struct simd_server *srv)
{
	if (srv->faults)
		munmap(srv->faults, SIMD_PAGE_SIZE);
	if (srv->fault_fd >= 0)
		close(srv->fault_fd);
	srv->faults = NULL;
	srv->fault_fd = -1;
}

static void publish(struct simd_server *srv, struct xsim_fault_entry *e,
		    const struct xsim_fault_req *rq, bool active)
{
	__atomic_store_n(&e->active, 0, __ATOMIC_RELEASE);
	e->kind = rq->kind;
	e->domid = rq->domid;
	e->op = rq->op;
	e->nth = rq->nth;
	e->err = rq->err;
	__atomic_store_n(&e->count, rq->count, __ATOMIC_RELAXED);
	__atomic_store_n(&e->calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->active, active ? 1u : 0u, __ATOMIC_RELEASE);
	__atomic_add_fetch(&srv->faults->generation, 1, __ATOMIC_RELEASE);
}

/* Set, replace or clear the table entry for (kind, domid, op). */
static int table_set(struct simd_server *srv, const struct xsim_fault_req *rq, bool active)
{
	struct xsim_fault_entry *free_slot = NULL;

	for (unsigned int i = 0; i < XSIM_FAULT_SLOTS; i++) {
		struct xsim_fault_entry *e = &srv->faults->e[i];

		if (!e->active) {
			if (!free_slot)
				free_slot = e;
			continue;
		}
		if (e->kind == rq->kind && e->domid == rq->domid &&
		    (rq->kind != XSIM_FAULT_OP_ERRNO || e->op == rq->op)) {
			publish(srv, e, rq, active);
			return 0;
		}
	}
	if (!active)
		return 0;
	if (!free_slot)
		return -ENOSPC;
	publish(srv, free_slot, rq, true);
	return 0;
}

static int apply_fault(struct simd_server *srv, const struct xsim_fault_req *rq)
{
	struct simd_domain *d;

	if (rq->domid > SIMD_DOMID_MAX)
		return -EINVAL;
	switch (rq->kind) {
	case XSIM_FAULT_OP_ERRNO:
		if (rq->op >= simd_op_count() || rq->err <= 0 || rq->err >= 4096 ||
		    (rq->count && rq->nth == 0))
			return -EINVAL;
		return table_set(srv, rq, rq->count != 0);
	case XSIM_FAULT_NOTIFY_DELAY:
		return table_set(srv, rq, rq->nth != 0);
	case XSIM_FAULT_SPURIOUS_WATCH:
		simd_xs_spurious(srv, rq->domid, rq->count);
		return 0;
	case XSIM_FAULT_TX_EAGAIN:
		d = simd_domain_get(srv, rq->domid);
		if (!d || d->dying)
			return -ESRCH;
		d->tx_eagain = rq->count;
		return 0;
	default:
		return -EINVAL;
	}
}

static int do_hello(struct simd_conn *c, const struct xsd_sockmsg *h, const unsigned char *p)
{
	uint32_t version, out[2];

	if (h->len != sizeof(version))
		return -EINVAL;
	memcpy(&version, p, sizeof(version));
	if (version != XSIM_PROTO_VERSION)
		return -EPROTO;
	out[0] = XSIM_PROTO_VERSION;
	out[1] = c->domid;
	return simd_conn_send(c, h, h->type, out, sizeof(out), &c->srv->fault_fd, 1);
}

/**
 * simd_fault_handle() - answer XSIM_HELLO and XSIM_FAULT.
 * @c: the connection.
 * @h: the request header.
 * @p: its payload.
 */
void simd_fault_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
		       const unsigned char *p)
{
	struct xsim_fault_req rq;
	int r;

	if (h->type == XSIM_HELLO) {
		r = do_hello(c, h, p);
	} else if (!c->privileged) {
		r = -EPERM;
	} else if (h->len != sizeof(rq)) {
		r = -EINVAL;
	} else {
		memcpy(&rq, p, sizeof(rq));
		r = apply_fault(c->srv, &rq);
		if (r == 0)
			r = simd_conn_send(c, h, h->type, NULL, 0, NULL, 0);
	}
	if (r < 0)
		simd_conn_send_error(c, h, -r, false);
}
