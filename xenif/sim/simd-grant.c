// SPDX-License-Identifier: MIT
/*
 * simd-grant.c - grant tables: sharing pages, mapping them, revoking them.
 *
 * A granted page is a memfd of exactly one page named "dom<D>-gref<R>",
 * sealed against resizing (so a granter cannot shrink it under a mapper
 * and make it fault). The sharer and every mapper mmap the same memfd, so
 * the page really is shared, and the name shows in /proc/PID/maps of each.
 *
 * Mapping applies Xen's checks: only the grantee maps, a read-only grant
 * is never mapped writable (and read-only maps get read-only fds, so the
 * mapper cannot mprotect its way to writing), revoked or unknown refs and
 * a dying granter fail, and a batch maps all of its refs or none. Every
 * failure of a map answers EINVAL, as the Linux gntdev driver does for any
 * grant status other than GNTST_okay.
 *
 * Accounting: each grant counts its mappings, each domain the pages it
 * maps of others and the pages of it others map. Revoked grants live on
 * while mapped; a dying domain lives on (zombie) while any of its pages is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "simd-int.h"

#define DOMID_FIRST_RESERVED 0x7ff0u

static struct simd_grant *grant_get(const struct simd_domain *d, uint32_t ref)
{
	return ref < d->grants_cap ? d->grants[ref] : NULL;
}

static uint32_t refs_available(const struct simd_domain *d)
{
	return d->nfree_refs + (SIMD_GREF_LIMIT - d->next_ref);
}

static int table_reserve(struct simd_domain *d)
{
	struct simd_grant **g;
	uint32_t *f;

	if (d->grants_cap == SIMD_GREF_LIMIT)
		return 0;
	/* sized for the whole ref space at once: 32768 pointers */
	g = calloc(SIMD_GREF_LIMIT, sizeof(*g));
	f = calloc(SIMD_GREF_LIMIT, sizeof(*f));
	if (!g || !f) {
		free(g);
		free(f);
		return -ENOMEM;
	}
	d->grants = g;
	d->free_refs = f;
	d->grants_cap = SIMD_GREF_LIMIT;
	return 0;
}

static uint32_t ref_take(struct simd_domain *d)
{
	/* reused last-freed first, as Linux's grant reference free list */
	if (d->nfree_refs)
		return d->free_refs[--d->nfree_refs];
	return d->next_ref++;
}

static void grant_free(struct simd_domain *d, struct simd_grant *g)
{
	d->grants[g->ref] = NULL;
	d->free_refs[d->nfree_refs++] = g->ref;
	close(g->memfd);
	free(g);
}

static void grant_revoke(struct simd_domain *d, struct simd_grant *g)
{
	g->revoked = true;
	if (g->maps == 0)
		grant_free(d, g);
}

static int page_memfd(uint32_t domid, uint32_t ref)
{
	char name[40];
	int fd;

	snprintf(name, sizeof(name), "dom%u-gref%u", domid, ref);
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, SIMD_PAGE_SIZE) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static int share_one(struct simd_conn *c, struct simd_domain *d, uint32_t grantee,
		     bool readonly, uint32_t *ret_ref)
{
	struct simd_grant *g = calloc(1, sizeof(*g));
	uint32_t ref;
	int fd;

	if (!g)
		return -ENOMEM;
	ref = ref_take(d);
	fd = page_memfd(d->domid, ref);
	if (fd < 0) {
		d->free_refs[d->nfree_refs++] = ref;
		free(g);
		return fd == -EMFILE || fd == -ENFILE ? -ENOMEM : fd;
	}
	g->ref = ref;
	g->grantee = grantee;
	g->readonly = readonly;
	g->memfd = fd;
	g->sharer = c->id;
	d->grants[ref] = g;
	*ret_ref = ref;
	return 0;
}

static int do_share(struct simd_conn *c, const struct xsd_sockmsg *h, const unsigned char *p)
{
	struct simd_domain *d = simd_domain_get(c->srv, c->domid);
	uint32_t req[3], *refs = NULL;
	int *fds = NULL;
	uint32_t i;
	int r = 0;

	if (h->len != sizeof(req))
		return -EINVAL;
	memcpy(req, p, sizeof(req));
	if (req[1] == 0 || req[0] >= DOMID_FIRST_RESERVED || (req[2] & ~XSIM_GNT_READONLY))
		return -EINVAL;
	if (req[1] > XSIM_GNT_MAX_BATCH)
		return -E2BIG;
	if (!d || d->dying)
		return -ESRCH;
	if (table_reserve(d) < 0)
		return -ENOMEM;
	if (refs_available(d) < req[1])
		return -ENOSPC;
	refs = calloc(req[1], sizeof(*refs));
	fds = calloc(req[1], sizeof(*fds));
	for (i = 0; refs && fds && i < req[1]; i++) {
		r = share_one(c, d, req[0], req[2] & XSIM_GNT_READONLY, &refs[i]);
		if (r < 0)
			break;
		fds[i] = d->grants[refs[i]]->memfd;
	}
	if (!refs || !fds)
		r = -ENOMEM;
	if (r < 0) {
		/* all or nothing: take back what was granted */
		while (refs && i--)
			grant_free(d, d->grants[refs[i]]);
	} else {
		simd_conn_send(c, h, h->type, refs, req[1] * sizeof(*refs), fds, req[1]);
	}
	free(refs);
	free(fds);
	return r;
}

static int do_unshare(struct simd_conn *c, const struct xsd_sockmsg *h,
		      const unsigned char *p)
{
	struct simd_domain *d = simd_domain_get(c->srv, c->domid);
	uint32_t count, ref;

	if (h->len < sizeof(count))
		return -EINVAL;
	memcpy(&count, p, sizeof(count));
	if (count == 0 || count > XSIM_GNT_MAX_BATCH ||
	    h->len != sizeof(count) + count * sizeof(ref) || !d)
		return -EINVAL;
	/* check every ref before revoking any */
	for (uint32_t i = 0; i < count; i++) {
		struct simd_grant *g;

		memcpy(&ref, p + sizeof(count) + i * sizeof(ref), sizeof(ref));
		g = grant_get(d, ref);
		if (!g || g->revoked || g->sharer != c->id)
			return -EINVAL;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct simd_grant *g;

		memcpy(&ref, p + sizeof(count) + i * sizeof(ref), sizeof(ref));
		g = grant_get(d, ref);
		if (g && !g->revoked)	/* a ref listed twice */
			grant_revoke(d, g);
	}
	return simd_conn_send(c, h, h->type, NULL, 0, NULL, 0);
}

/* Xen's checks on one ref of a map batch. */
static int map_check(const struct simd_conn *c, const struct simd_domain *granter,
		     uint32_t ref, bool writable)
{
	const struct simd_grant *g = grant_get(granter, ref);

	if (!g || g->revoked || g->grantee != c->domid)
		return -EINVAL;
	if (writable && g->readonly)
		return -EINVAL;
	return 0;
}

static void map_account(struct simd_conn *c, struct simd_domain *granter,
			const struct simd_map *m, bool add)
{
	struct simd_domain *mapper = simd_domain_get(c->srv, c->domid);

	for (uint32_t i = 0; i < m->count; i++) {
		struct simd_grant *g = granter->grants[m->refs[i]];

		if (add)
			g->maps++;
		else
			g->maps--;
	}
	if (add) {
		granter->pages_mapped_of += m->count;
		if (mapper)
			mapper->pages_mapped_by += m->count;
	} else {
		granter->pages_mapped_of -= m->count;
		if (mapper)
			mapper->pages_mapped_by -= m->count;
	}
}

/* The fds a mapper gets: the page itself, or a read-only reopening of it
 * so that a read-only map cannot become writable. */
static int map_fds(const struct simd_domain *granter, const struct simd_map *m,
		   bool writable, int *fds)
{
	for (uint32_t i = 0; i < m->count; i++) {
		const struct simd_grant *g = granter->grants[m->refs[i]];
		char proc[40];

		if (writable) {
			fds[i] = g->memfd;
			continue;
		}
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", g->memfd);
		fds[i] = open(proc, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int r = errno == EMFILE || errno == ENFILE ? -ENOMEM : -errno;

			while (i--)
				close(fds[i]);
			return r;
		}
	}
	return 0;
}

static int map_reply(struct simd_conn *c, const struct xsd_sockmsg *h,
		     struct simd_domain *granter, struct simd_map *m, bool writable)
{
	/* padding bytes for the fd chunks to travel on (simproto.h) */
	size_t pad = m->count > XSIM_FDS_PER_SEND ?
		(m->count + XSIM_FDS_PER_SEND - 1) / XSIM_FDS_PER_SEND : 0;
	unsigned char *out = calloc(1, sizeof(m->id) + pad);
	int *fds = calloc(m->count, sizeof(*fds));
	int r;

	r = out && fds ? map_fds(granter, m, writable, fds) : -ENOMEM;
	if (r == 0) {
		memcpy(out, &m->id, sizeof(m->id));
		simd_conn_send(c, h, h->type, out, sizeof(m->id) + pad, fds, m->count);
		if (!writable)
			for (uint32_t i = 0; i < m->count; i++)
				close(fds[i]);
	}
	free(out);
	free(fds);
	return r;
}

static int do_map(struct simd_conn *c, const struct xsd_sockmsg *h, const unsigned char *p)
{
	struct simd_domain *granter;
	uint32_t req[3];
	struct simd_map *m;
	bool writable;
	int r;

	if (h->len < sizeof(req))
		return -EINVAL;
	memcpy(req, p, sizeof(req));
	if (req[1] == 0 || req[1] > XSIM_GNT_MAX_BATCH || (req[2] & ~XSIM_GNT_WRITABLE) ||
	    h->len != sizeof(req) + req[1] * sizeof(uint32_t))
		return -EINVAL;
	writable = req[2] & XSIM_GNT_WRITABLE;
	granter = simd_domain_get(c->srv, req[0]);
	if (!granter || granter->dying)
		return -EINVAL;
	m = calloc(1, sizeof(*m) + req[1] * sizeof(uint32_t));
	if (!m)
		return -ENOMEM;
	m->granter = req[0];
	m->count = req[1];
	memcpy(m->refs, p + sizeof(req), req[1] * sizeof(uint32_t));
	for (uint32_t i = 0; i < m->count; i++) {
		r = map_check(c, granter, m->refs[i], writable);
		if (r < 0) {
			free(m);
			return r;
		}
	}
	m->id = c->srv->next_map_id++;
	r = map_reply(c, h, granter, m, writable);
	if (r < 0) {
		free(m);
		return r;
	}
	map_account(c, granter, m, true);
	m->next = c->maps;
	c->maps = m;
	return 0;
}

/* Drop one mapping; the granter may be reaped (deferred free). */
static void unmap(struct simd_conn *c, struct simd_map *m)
{
	struct simd_domain *granter = simd_domain_get(c->srv, m->granter);

	if (granter) {
		map_account(c, granter, m, false);
		for (uint32_t i = 0; i < m->count; i++) {
			struct simd_grant *g = granter->grants[m->refs[i]];

			if (g && g->revoked && g->maps == 0)
				grant_free(granter, g);
		}
		simd_domain_maybe_reap(granter);
	}
	free(m);
}

static int do_unmap(struct simd_conn *c, const struct xsd_sockmsg *h,
		    const unsigned char *p)
{
	uint64_t id;

	if (h->len != sizeof(id))
		return -EINVAL;
	memcpy(&id, p, sizeof(id));
	for (struct simd_map **pp = &c->maps; *pp; pp = &(*pp)->next) {
		struct simd_map *m = *pp;

		if (m->id == id) {
			*pp = m->next;
			unmap(c, m);
			return simd_conn_send(c, h, h->type, NULL, 0, NULL, 0);
		}
	}
	return -ENOENT;
}

/**
 * simd_grant_handle() - answer XSIM_GNT_SHARE/UNSHARE/MAP/UNMAP.
 * @c: the connection.
 * @h: the request header.
 * @p: its payload.
 */
void simd_grant_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
		       const unsigned char *p)
{
	int r;

	switch (h->type) {
	case XSIM_GNT_SHARE:
		r = do_share(c, h, p);
		break;
	case XSIM_GNT_UNSHARE:
		r = do_unshare(c, h, p);
		break;
	case XSIM_GNT_MAP:
		r = do_map(c, h, p);
		break;
	default:
		r = do_unmap(c, h, p);
		break;
	}
	if (r < 0)
		simd_conn_send_error(c, h, -r, false);
}

/**
 * simd_grant_conn_gone() - a connection closed: drop its mappings and
 * revoke the grants it shared (the pages stay with their mappers).
 * @c: the closed connection.
 */
void simd_grant_conn_gone(struct simd_conn *c)
{
	struct simd_domain *d = simd_domain_get(c->srv, c->domid);

	while (c->maps) {
		struct simd_map *m = c->maps;

		c->maps = m->next;
		unmap(c, m);
	}
	if (!d || !d->grants)
		return;
	for (uint32_t ref = SIMD_GREF_FIRST; ref < d->next_ref; ref++) {
		struct simd_grant *g = d->grants[ref];

		if (g && !g->revoked && g->sharer == c->id)
			grant_revoke(d, g);
	}
}

/**
 * simd_grant_domain_dead() - a domain died: none of its grants may be
 * mapped again; those nobody maps are freed now.
 * @d: the dying domain.
 */
void simd_grant_domain_dead(struct simd_domain *d)
{
	if (!d->grants)
		return;
	for (uint32_t ref = SIMD_GREF_FIRST; ref < d->next_ref; ref++) {
		struct simd_grant *g = d->grants[ref];

		if (g && !g->revoked)
			grant_revoke(d, g);
	}
}

/**
 * simd_grant_table_free() - free a domain's grant table.
 * @d: the domain being freed.
 */
void simd_grant_table_free(struct simd_domain *d)
{
	for (uint32_t ref = 0; d->grants && ref < d->next_ref; ref++) {
		if (d->grants[ref]) {
			close(d->grants[ref]->memfd);
			free(d->grants[ref]);
		}
	}
	free(d->grants);
	free(d->free_refs);
	d->grants = NULL;
	d->free_refs = NULL;
}
