/* SPDX-License-Identifier: MIT */
/*
 * xenif-sim-gnt.c - grant sharing and mapping against xensimd.
 *
 * xensimd answers XSIM_GNT_SHARE and XSIM_GNT_MAP with one memfd per page
 * (named "dom<D>-gref<R>", so /proc/PID/maps shows what a process maps).
 * Each area is laid out as
 *
 *	[guard page][page 0][page 1]...[page n-1][guard page]
 *
 * in one reserved PROT_NONE region, the pages mmap()ed MAP_SHARED |
 * MAP_FIXED over it, so an overrun by one byte in either direction faults
 * (ASan does not check mmap()ed memory; this is what catches it here).
 *
 * Lifetime: every area is recorded in the context until unmapped or
 * unshared; xenif_close() releases those left. munmap() of the whole region
 * is what really drops this process's hold on the pages; telling xensimd
 * keeps its bookkeeping (zombie domains, XSIM_MAPPINGS) in step.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"
#include "util.h"

struct sim_region {
	struct sim_region *next;
	uint8_t *base;		/* the leading guard page */
	uint32_t n;		/* pages between the guards */
	bool shared;		/* from xenif_gnt_share(), else a map */
	uint64_t map_id;	/* map: xensimd's handle */
	uint32_t *refs;		/* share: what to revoke */
};

/* Filling a reserved region with the fds of a reply, one page each. */
struct page_sink {
	uint8_t *pages;
	uint32_t n;
	int prot;
};

static size_t region_bytes(uint32_t n)
{
	return ((size_t)n + 2) * XENIF_PAGE_SIZE;
}

static int reserve(uint32_t n, uint8_t **ret)
{
	void *p = mmap(NULL, region_bytes(n), PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return negative_errno();
	*ret = p;
	return 0;
}

static int take_page(void *opaque, unsigned int i, int fd)
{
	struct page_sink *ps = opaque;
	struct stat st;
	void *p;
	int r = 0;

	/* A memfd shorter than a page would SIGBUS on access, not fail here:
	 * check what xensimd sent before trusting it. */
	if (i >= ps->n || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)XENIF_PAGE_SIZE) {
		r = -EPROTO;
	} else {
		p = mmap(ps->pages + (size_t)i * XENIF_PAGE_SIZE, XENIF_PAGE_SIZE, ps->prot,
			 MAP_SHARED | MAP_FIXED, fd, 0);
		if (p == MAP_FAILED)
			r = negative_errno();
	}
	close(fd);
	return r;
}

static void region_free(struct sim_region *rg)
{
	munmap(rg->base, region_bytes(rg->n));
	free(rg->refs);
	free(rg);
}

static void region_add(struct xenif_sim *s, struct sim_region *rg)
{
	rg->next = s->regions;
	s->regions = rg;
}

/* Unlink the region whose pages start at @addr; NULL unless it matches. */
static struct sim_region *region_take(struct xenif_sim *s, void *addr, uint32_t n, bool shared)
{
	for (struct sim_region **pp = &s->regions; *pp; pp = &(*pp)->next) {
		struct sim_region *rg = *pp;

		if (rg->base + XENIF_PAGE_SIZE != (uint8_t *)addr)
			continue;
		if (rg->n != n || rg->shared != shared)
			return NULL;
		*pp = rg->next;
		return rg;
	}
	return NULL;
}

static int send_unmap(struct xenif_sim *s, uint64_t map_id)
{
	struct sim_reply rep;
	int r = sim_conn_call(s->conn, XSIM_GNT_UNMAP, 0, &map_id, sizeof(map_id), NULL, &rep);

	if (r == 0)
		sim_reply_done(&rep);
	return r;
}

static int send_unshare(struct xenif_sim *s, const uint32_t *refs, uint32_t n)
{
	_cleanup_free_ uint32_t *req = malloc(((size_t)n + 1) * sizeof(uint32_t));
	struct sim_reply rep;
	int r;

	if (!req)
		return -ENOMEM;
	req[0] = n;
	memcpy(req + 1, refs, (size_t)n * sizeof(uint32_t));
	r = sim_conn_call(s->conn, XSIM_GNT_UNSHARE, 0, req, ((size_t)n + 1) * sizeof(uint32_t),
			  NULL, &rep);
	if (r == 0)
		sim_reply_done(&rep);
	return r;
}

/* ---- map ------------------------------------------------------------------ */

static size_t map_padding(uint32_t n)
{
	return n > XSIM_FDS_PER_SEND ? (n + XSIM_FDS_PER_SEND - 1) / XSIM_FDS_PER_SEND : 0;
}

/* Ask xensimd for the pages; on any local failure, give them back. */
static int request_map(struct xenif_sim *s, uint32_t domid, const uint32_t *refs, uint32_t n,
		       bool writable, struct sim_region *rg)
{
	struct page_sink ps = { .pages = rg->base + XENIF_PAGE_SIZE, .n = n,
				.prot = PROT_READ | (writable ? PROT_WRITE : 0) };
	struct sim_fd_sink sink = { .want = n, .take = take_page, .opaque = &ps };
	size_t len = (3 + (size_t)n) * sizeof(uint32_t);
	_cleanup_free_ uint32_t *req = malloc(len);
	struct sim_reply rep;
	int r;

	if (!req)
		return -ENOMEM;
	req[0] = domid;
	req[1] = n;
	req[2] = writable ? XSIM_GNT_WRITABLE : 0;
	memcpy(req + 3, refs, (size_t)n * sizeof(uint32_t));

	r = sim_conn_call(s->conn, XSIM_GNT_MAP, 0, req, len, &sink, &rep);
	if (r < 0)
		return r;
	/* Past XSIM_FDS_PER_SEND fds, zero bytes of padding follow map_id
	 * for the later fds to travel on (simproto.h). */
	if (rep.len != sizeof(uint64_t) + map_padding(n)) {
		sim_reply_done(&rep);
		return -EPROTO;
	}
	memcpy(&rg->map_id, rep.body, sizeof(uint64_t));
	sim_reply_done(&rep);
	if (sink.err) {
		(void)send_unmap(s, rg->map_id);
		return sink.err;
	}
	return 0;
}

static int sim_gnt_map(struct xenif *x, uint32_t domid, const uint32_t *refs, uint32_t n,
		       bool writable, void **ret_addr)
{
	struct xenif_sim *s = to_sim(x);
	struct sim_region *rg;
	int r;

	rg = calloc(1, sizeof(*rg));
	if (!rg)
		return -ENOMEM;
	rg->n = n;
	r = reserve(n, &rg->base);
	if (r < 0) {
		free(rg);
		return r;
	}
	r = request_map(s, domid, refs, n, writable, rg);
	/* Like gntdev in a PV dom0 (VM_DONTCOPY), a forked child does not
	 * inherit grant mappings (docs/xenif.md, G9). */
	if (r >= 0 && madvise(rg->base, region_bytes(n), MADV_DONTFORK) < 0)
		r = negative_errno();
	if (r < 0) {
		region_free(rg);
		return r;
	}
	region_add(s, rg);
	*ret_addr = rg->base + XENIF_PAGE_SIZE;
	return 0;
}

static int sim_gnt_unmap(struct xenif *x, void *addr, uint32_t n)
{
	struct xenif_sim *s = to_sim(x);
	struct sim_region *rg = region_take(s, addr, n, false);
	int r;

	if (!rg)
		return -EINVAL;
	r = send_unmap(s, rg->map_id);
	region_free(rg);
	return r;
}

const struct xenif_gnttab_ops sim_gnttab_ops = {
	.map = sim_gnt_map,
	.unmap = sim_gnt_unmap,
};

/* ---- share ---------------------------------------------------------------- */

static int request_share(struct xenif_sim *s, uint32_t domid, uint32_t n, bool writable,
			 struct sim_region *rg)
{
	struct page_sink ps = { .pages = rg->base + XENIF_PAGE_SIZE, .n = n,
				.prot = PROT_READ | PROT_WRITE };
	struct sim_fd_sink sink = { .want = n, .take = take_page, .opaque = &ps };
	uint32_t req[3] = { domid, n, writable ? 0 : XSIM_GNT_READONLY };
	struct sim_reply rep;
	int r;

	r = sim_conn_call(s->conn, XSIM_GNT_SHARE, 0, req, sizeof(req), &sink, &rep);
	if (r < 0)
		return r;
	if (rep.len != (size_t)n * sizeof(uint32_t)) {
		/* Without the refs there is nothing we could revoke. */
		sim_reply_done(&rep);
		return -EPROTO;
	}
	memcpy(rg->refs, rep.body, rep.len);
	sim_reply_done(&rep);
	if (sink.err) {
		(void)send_unshare(s, rg->refs, n);
		return sink.err;
	}
	return 0;
}

static int sim_gnt_share(struct xenif *x, uint32_t domid, uint32_t n, bool writable,
			 uint32_t *ret_refs, void **ret_addr)
{
	struct xenif_sim *s = to_sim(x);
	struct sim_region *rg;
	int r;

	rg = calloc(1, sizeof(*rg));
	if (!rg)
		return -ENOMEM;
	rg->n = n;
	rg->shared = true;
	rg->refs = calloc(n, sizeof(uint32_t));
	r = rg->refs ? reserve(n, &rg->base) : -ENOMEM;
	if (r < 0) {
		free(rg->refs);
		free(rg);
		return r;
	}
	r = request_share(s, domid, n, writable, rg);
	if (r < 0) {
		region_free(rg);
		return r;
	}
	region_add(s, rg);
	memcpy(ret_refs, rg->refs, (size_t)n * sizeof(uint32_t));
	*ret_addr = rg->base + XENIF_PAGE_SIZE;
	return 0;
}

static int sim_gnt_unshare(struct xenif *x, void *addr, uint32_t n)
{
	struct xenif_sim *s = to_sim(x);
	struct sim_region *rg = region_take(s, addr, n, true);
	int r;

	if (!rg)
		return -EINVAL;
	r = send_unshare(s, rg->refs, rg->n);
	region_free(rg);
	return r;
}

const struct xenif_gntshr_ops sim_gntshr_ops = {
	.share = sim_gnt_share,
	.unshare = sim_gnt_unshare,
};

/**
 * sim_gnt_release_all() - unmap and unshare every area still held.
 * @s: the context being closed.
 *
 * Best effort: xensimd's answers are ignored, the memory is freed anyway.
 */
void sim_gnt_release_all(struct xenif_sim *s)
{
	struct sim_region *rg;

	while ((rg = s->regions)) {
		s->regions = rg->next;
		if (rg->shared)
			(void)send_unshare(s, rg->refs, rg->n);
		else
			(void)send_unmap(s, rg->map_id);
		region_free(rg);
	}
}
