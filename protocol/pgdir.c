// SPDX-License-Identifier: MIT
/*
 * The bounded page-directory walk (vsnd/pgdir.h). The number of directory
 * pages is derived from buffer_sz before the first map, so a hostile chain
 * can cost at most that many maps; each page's needed prefix is copied into
 * a private buffer and the page unmapped before the copy is examined.
 */
#include "vsnd/pgdir.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vsnd/wire.h"

/* The largest chain any u32 buffer_sz can need: ceil(2^20 / 1023). */
#define PGDIR_MAX_DIR_PAGES 1026u

/* A private copy of what one directory page says. */
struct dir_copy {
	uint32_t next;
	uint32_t grefs[VSND_PGDIR_ENTRIES];
};

int vsnd_pgdir_size(uint32_t buffer_bytes, uint32_t *ret_pages, uint32_t *ret_dir_pages)
{
	uint32_t pages;

	if (buffer_bytes == 0)
		return -EINVAL;
	/* Written so that buffer_bytes near 2^32 cannot wrap. */
	pages = buffer_bytes / VSND_PAGE_SIZE + (buffer_bytes % VSND_PAGE_SIZE ? 1 : 0);
	*ret_pages = pages;
	*ret_dir_pages = pages / VSND_PGDIR_ENTRIES + (pages % VSND_PGDIR_ENTRIES ? 1 : 0);
	return 0;
}

static bool visited(const uint32_t *seen, uint32_t n, uint32_t gref)
{
	for (uint32_t i = 0; i < n; i++)
		if (seen[i] == gref)
			return true;
	return false;
}

/* Map directory page @gref, copy its next pointer and @count entries, unmap. */
static int copy_dir_page(const struct vsnd_pgdir_ops *ops, void *ctx, uint32_t gref,
			 uint32_t count, struct dir_copy *out)
{
	const void *page;
	int r;

	r = ops->map(ctx, gref, &page);
	if (r < 0)
		return r;
	memcpy(&out->next, page, sizeof(out->next));
	memcpy(out->grefs, (const uint8_t *)page + sizeof(uint32_t), count * sizeof(uint32_t));
	ops->unmap(ctx, page);
	return 0;
}

int vsnd_pgdir_walk(uint32_t dir_gref, uint32_t buffer_bytes, uint32_t max_buffer_bytes,
		    const struct vsnd_pgdir_ops *ops, void *ctx, uint32_t *ret_grefs,
		    uint32_t n_grefs)
{
	uint32_t seen[PGDIR_MAX_DIR_PAGES];
	struct dir_copy copy;
	uint32_t pages, dirs, done = 0;
	int r;

	if (buffer_bytes == 0 || buffer_bytes > max_buffer_bytes || dir_gref == 0)
		return -EINVAL;
	r = vsnd_pgdir_size(buffer_bytes, &pages, &dirs);
	if (r < 0)
		return r;
	if (n_grefs < pages)
		return -ENOBUFS;
	if (pages > (uint32_t)INT32_MAX || dirs > PGDIR_MAX_DIR_PAGES)
		return -EINVAL;

	for (uint32_t d = 0; d < dirs; d++) {
		uint32_t count = pages - done;

		if (count > VSND_PGDIR_ENTRIES)
			count = VSND_PGDIR_ENTRIES;
		/* A chain that comes back to a page already walked loops. */
		if (visited(seen, d, dir_gref))
			return -EINVAL;
		seen[d] = dir_gref;

		r = copy_dir_page(ops, ctx, dir_gref, count, &copy);
		if (r < 0)
			return r;
		for (uint32_t i = 0; i < count; i++) {
			if (copy.grefs[i] == 0)
				return -EINVAL;
			ret_grefs[done + i] = copy.grefs[i];
		}
		done += count;
		/* Past the last page `next` is ignored; before it, 0 ends the
		 * chain early. */
		if (done < pages && copy.next == 0)
			return -EINVAL;
		dir_gref = copy.next;
	}
	return (int)pages;
}
