/* SPDX-License-Identifier: MIT */
/*
 * shbuf.h - the shared buffer of an open stream: the guest pages an OPEN
 * describes by its page directory (protocol.md 3.4, 3.5; REQ-9, REQ-10,
 * REQ-11, REQ-13; security.md 5.2).
 *
 * sndbe_shbuf_map() walks the directory (bounded, each directory page
 * mapped read-only and unmapped before the next) and maps every buffer page
 * in one contiguous read-write area, all or nothing. The area is reachable
 * only through the two bounds-checked copies below: the stream layer copies
 * WRITE and SET_VOLUME data out of it and READ and GET_VOLUME data into it
 * while serving that request, and never keeps a pointer into it (REQ-13).
 * Read-write, not read-only for playback: volume data travels in the same
 * buffer (DESIGN.md overrides rule 19); the playback path only copies out.
 *
 * Every page mapped through this file, directory pages included while they
 * are, is counted in one process-wide counter (sndbe_shbuf_mapped_pages()),
 * so tests and vsndctl can see that nothing leaks (rules 17, 18, 21).
 *
 * Context: a struct sndbe_shbuf is used from one thread; the counter may be
 * read from any.
 */
#ifndef VSND_BACKEND_SHBUF_H
#define VSND_BACKEND_SHBUF_H

#include <stdint.h>

struct xenif;
struct sndbe_shbuf;

/**
 * sndbe_shbuf_map() - map the buffer of an OPEN.
 * @x: the worker's xenif context.
 * @domid: the guest; only its grants are mapped.
 * @gref_directory: OPEN's gref_directory.
 * @buffer_bytes: OPEN's buffer_sz.
 * @max_bytes: the largest buffer accepted (policy, XenStore's buffer-size);
 *	0 or anything above VSND_BUFFER_BYTES_HARD_MAX means that hard cap.
 *	Checked before anything is mapped or allocated (rule 12).
 * @ret: receives the buffer.
 *
 * On failure nothing stays mapped and the page counter is unchanged.
 * Context: blocks for one map per directory page and one for the buffer.
 * Return: 0; -EINVAL for buffer_bytes 0 or above @max_bytes, a malformed
 * directory (gref 0, early end, loop, longer chain than the buffer needs),
 * or a page Xen refuses (not granted to dom0, read-only, revoked); -ENOMEM;
 * another map error unchanged.
 */
int sndbe_shbuf_map(struct xenif *x, uint32_t domid, uint32_t gref_directory, uint32_t buffer_bytes,
		    uint32_t max_bytes, struct sndbe_shbuf **ret);

/**
 * sndbe_shbuf_unmap() - unmap and free a buffer.
 * @b: the buffer, or NULL.
 *
 * Return: NULL, for "b = sndbe_shbuf_unmap(b);".
 */
struct sndbe_shbuf *sndbe_shbuf_unmap(struct sndbe_shbuf *b);

/* For _cleanup_(sndbe_shbuf_unmapp). */
static inline void sndbe_shbuf_unmapp(struct sndbe_shbuf **b)
{
	*b = sndbe_shbuf_unmap(*b);
}

/**
 * sndbe_shbuf_size() - the buffer's size in octets (OPEN's buffer_sz).
 * @b: the buffer.
 */
uint32_t sndbe_shbuf_size(const struct sndbe_shbuf *b);

/**
 * sndbe_shbuf_copy_out() - copy guest data out of the buffer.
 * @b: the buffer.
 * @offset: octets into the buffer.
 * @dst: private memory receiving @len octets.
 * @len: octets; 0 copies nothing.
 *
 * The guest may change the bytes while they are copied; only @dst, which
 * it cannot reach, is looked at afterwards.
 * Return: 0, or -EINVAL when offset + len > the buffer size (computed
 * without wrap-around); nothing is copied then.
 */
int sndbe_shbuf_copy_out(const struct sndbe_shbuf *b, uint32_t offset, void *dst, uint32_t len);

/**
 * sndbe_shbuf_copy_in() - copy data into the buffer for the guest.
 * @b: the buffer.
 * @offset: octets into the buffer.
 * @src: @len octets.
 * @len: octets; 0 copies nothing.
 *
 * Return: 0, or -EINVAL when offset + len > the buffer size (computed
 * without wrap-around); nothing is copied then.
 */
int sndbe_shbuf_copy_in(struct sndbe_shbuf *b, uint32_t offset, const void *src, uint32_t len);

/**
 * sndbe_shbuf_mapped_pages() - guest pages this process maps through
 * shbuf right now (buffers, and directory pages during a walk).
 */
uint64_t sndbe_shbuf_mapped_pages(void);

#endif /* VSND_BACKEND_SHBUF_H */
