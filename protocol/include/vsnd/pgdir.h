/* SPDX-License-Identifier: MIT */
/*
 * vsnd/pgdir.h - the walk of a sndif page directory (protocol.md 3.5,
 * REQ-10, security.md 5.2 rules 11-18).
 *
 * The frontend describes an OPEN buffer by a chain of directory pages: a
 * page holds the grant of the next directory page (0 on the last one) and up
 * to 1023 buffer grefs. The buffer's page count is not sent; it is
 * ceil(buffer_sz / 4096), so the chain's length is known before the first
 * map: ceil(pages / 1023). The walk maps one directory page at a time through
 * a callback, copies what it needs out of it once, unmaps it, and only then
 * looks at the copy. It never maps more directory pages than the buffer
 * needs, rejects a chain that ends early, a page that points back to one
 * already visited, and gref 0 anywhere. Buffer pages are not mapped here;
 * the caller maps the returned grefs afterwards, once every directory page
 * is unmapped (rule 16).
 */
#ifndef VSND_PGDIR_H
#define VSND_PGDIR_H

#include <stdint.h>

struct vsnd_pgdir_ops {
	/* Map one directory page read-only; *ret_page points at 4096 octets. */
	int (*map)(void *ctx, uint32_t gref, const void **ret_page);
	/* Unmap a page returned by map. */
	void (*unmap)(void *ctx, const void *page);
};

/**
 * vsnd_pgdir_size() - pages and directory pages of a @buffer_bytes buffer.
 * Return: 0, or -EINVAL for 0 bytes.
 */
int vsnd_pgdir_size(uint32_t buffer_bytes, uint32_t *ret_pages, uint32_t *ret_dir_pages);

/**
 * vsnd_pgdir_walk() - collect the buffer grefs of a page directory.
 * @dir_gref: gref of the first directory page (OPEN's gref_directory).
 * @buffer_bytes: OPEN's buffer_sz.
 * @max_buffer_bytes: the largest buffer the caller accepts; checked before
 *	anything is mapped, so no work or memory is proportional to a larger one.
 * @ops, @ctx: how to map and unmap one directory page.
 * @ret_grefs: receives the ceil(buffer_bytes / 4096) buffer grefs in order.
 * @n_grefs: capacity of @ret_grefs.
 *
 * Context: every successful map is matched by an unmap before return, on
 * success and on every error path.
 * Return: the number of grefs written (> 0); -EINVAL for buffer_bytes 0 or
 * above @max_buffer_bytes, dir_gref 0, a gref 0 in the directory, a chain
 * that ends early or loops; -ENOBUFS when @n_grefs is too small; a map
 * error unchanged.
 */
int vsnd_pgdir_walk(uint32_t dir_gref, uint32_t buffer_bytes, uint32_t max_buffer_bytes,
		    const struct vsnd_pgdir_ops *ops, void *ctx, uint32_t *ret_grefs,
		    uint32_t n_grefs);

#endif /* VSND_PGDIR_H */
