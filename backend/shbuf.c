// SPDX-License-Identifier: MIT
/*
 * The shared buffer of an open stream (shbuf.h): the bounded page-directory
 * walk of libvsnd over one-page read-only maps, then one all-or-nothing
 * read-write map of the buffer, and bounds-checked copies as the only way
 * in or out.
 *
 * Lifetime of the shared memory owned here:
 *   - directory pages: mapped read-only one at a time inside
 *     sndbe_shbuf_map(), copied by the walk and unmapped before the next one
 *     is mapped and before any buffer page is (rule 16);
 *   - buffer pages: mapped once the walk has succeeded, from OPEN until
 *     sndbe_shbuf_unmap(), which the stream layer calls on CLOSE, on an
 *     implicit close (OPEN on an open stream) and at teardown, before
 *     answering (REQ-13); in between they are touched only by the copies,
 *     while a request is being served.
 * The guest keeps write access to every page throughout, so nothing read
 * from them is trusted beyond the copy that read it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "shbuf.h"
#include "util.h"
#include "vsnd/pgdir.h"
#include "vsnd/request.h"
#include "vsnd/wire.h"
#include "xenif/xenif.h"

_Static_assert(VSND_BUFFER_BYTES_HARD_MAX / VSND_PAGE_SIZE <= XENIF_GNT_MAX_PAGES,
	       "the largest buffer fits one xenif_gnt_map() batch");

struct sndbe_shbuf {
	struct xenif *x;
	void *addr;		/* pages x 4096 octets, contiguous */
	uint32_t pages;
	uint32_t bytes;		/* OPEN's buffer_sz; the bound of every copy */
};

/* Pages mapped through this file, process-wide. */
static uint64_t mapped_pages;

static void count_pages(uint32_t n, bool mapped)
{
	if (mapped)
		__atomic_add_fetch(&mapped_pages, n, __ATOMIC_RELAXED);
	else
		__atomic_sub_fetch(&mapped_pages, n, __ATOMIC_RELAXED);
}

uint64_t sndbe_shbuf_mapped_pages(void)
{
	return __atomic_load_n(&mapped_pages, __ATOMIC_RELAXED);
}

struct walk_ctx {
	struct xenif *x;
	uint32_t domid;
};

static int dir_map(void *ctx, uint32_t gref, const void **ret_page)
{
	struct walk_ctx *w = ctx;
	void *page;
	int r;

	/* Read-only: the walk has no business writing the directory. */
	r = xenif_gnt_map(w->x, w->domid, &gref, 1, false, &page);
	if (r < 0)
		return r;
	count_pages(1, true);
	*ret_page = page;
	return 0;
}

static void dir_unmap(void *ctx, const void *page)
{
	struct walk_ctx *w = ctx;

	/* xenif unmaps locally even when it reports an error, and the page
	 * came from dir_map(): there is nothing left to undo either way. */
	(void)xenif_gnt_unmap(w->x, (void *)page, 1);
	count_pages(1, false);
}

static const struct vsnd_pgdir_ops dir_ops = {
	.map = dir_map,
	.unmap = dir_unmap,
};

int sndbe_shbuf_map(struct xenif *x, uint32_t domid, uint32_t gref_directory, uint32_t buffer_bytes,
		    uint32_t max_bytes, struct sndbe_shbuf **ret)
{
	_cleanup_free_ struct sndbe_shbuf *b = NULL;
	_cleanup_free_ uint32_t *grefs = NULL;
	struct walk_ctx w = { .x = x, .domid = domid };
	uint32_t pages, dir_pages;
	void *addr;
	int r;

	if (!x || !ret)
		return -EINVAL;
	if (max_bytes == 0 || max_bytes > VSND_BUFFER_BYTES_HARD_MAX)
		max_bytes = VSND_BUFFER_BYTES_HARD_MAX;
	/* Before any allocation proportional to the guest's number. */
	if (buffer_bytes == 0 || buffer_bytes > max_bytes)
		return -EINVAL;
	r = vsnd_pgdir_size(buffer_bytes, &pages, &dir_pages);
	if (r < 0)
		return r;

	grefs = calloc(pages, sizeof(*grefs));
	b = calloc(1, sizeof(*b));
	if (!grefs || !b)
		return -ENOMEM;

	r = vsnd_pgdir_walk(gref_directory, buffer_bytes, max_bytes, &dir_ops, &w, grefs, pages);
	if (r < 0)
		return r;
	if ((uint32_t)r != pages)
		return -EPROTO;	/* the walk broke its contract */

	/* All or nothing (xenif G4): a failure leaves no page mapped. */
	r = xenif_gnt_map(x, domid, grefs, pages, true, &addr);
	if (r < 0)
		return r;
	count_pages(pages, true);

	b->x = x;
	b->addr = addr;
	b->pages = pages;
	b->bytes = buffer_bytes;
	*ret = TAKE_PTR(b);
	return 0;
}

struct sndbe_shbuf *sndbe_shbuf_unmap(struct sndbe_shbuf *b)
{
	if (!b)
		return NULL;
	/* Unmapped locally even if xenif reports an error (xenif.h). */
	(void)xenif_gnt_unmap(b->x, b->addr, b->pages);
	count_pages(b->pages, false);
	free(b);
	return NULL;
}

uint32_t sndbe_shbuf_size(const struct sndbe_shbuf *b)
{
	return b ? b->bytes : 0;
}

/* offset + len within the buffer, in 64 bits so that it cannot wrap. */
static bool in_bounds(const struct sndbe_shbuf *b, uint32_t offset, uint32_t len)
{
	return b && (uint64_t)offset + len <= b->bytes;
}

int sndbe_shbuf_copy_out(const struct sndbe_shbuf *b, uint32_t offset, void *dst, uint32_t len)
{
	if (!in_bounds(b, offset, len))
		return -EINVAL;
	if (len > 0)
		memcpy(dst, (const uint8_t *)b->addr + offset, len);
	return 0;
}

int sndbe_shbuf_copy_in(struct sndbe_shbuf *b, uint32_t offset, const void *src, uint32_t len)
{
	if (!in_bounds(b, offset, len))
		return -EINVAL;
	if (len > 0)
		memcpy((uint8_t *)b->addr + offset, src, len);
	return 0;
}
