// SPDX-License-Identifier: MIT
/*
 * The shared buffer of an OPEN (backend/shbuf.c) against xensimd: domain 5
 * shares buffer and directory pages as Linux's frontend does (protocol.md
 * 3.5), dom0 maps them through sndbe_shbuf_map(). Buffers of one and two
 * directory pages share bytes both ways; hostile directories and grants
 * fail cleanly, leaving the page counter and /proc/self/maps as they were
 * (security.md rules 11-18, 21); copies are bounds-checked without 32-bit
 * wrap-around (rules 22-24).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shbuf.h"
#include "simd.h"
#include "vsnd/pgdir.h"
#include "vsnd/request.h"
#include "vsnd/wire.h"
#include "vtest.h"
#include "xenif/xenif.h"

#define GUEST 5u
#define OTHER 7u		/* a domain the guest may grant to; never mapped */

struct rig {
	struct vtest_simd simd;
	struct xenif *x0;	/* the backend, dom0 */
	struct xenif *xg;	/* the guest */
};

/* A buffer shared the way Linux's xen-front-pgdir-shbuf does it. */
struct gbuf {
	uint32_t bytes, pages, dirs;
	uint32_t *refs;		/* buffer grefs, in order */
	uint8_t *data;		/* the guest's view of the buffer */
	uint32_t *dir_refs;
	uint8_t *dir;		/* the guest's view of the directory pages */
};

static void rig_start(struct rig *g)
{
	vtest_simd_start(&g->simd);
	vtest_simd_domain_create(&g->simd, GUEST, "guest5");
	ASSERT_OK(xenif_open(g->simd.spec, 0, &g->x0));
	ASSERT_OK(xenif_open(g->simd.spec, GUEST, &g->xg));
}

static void rig_stop(struct rig *g)
{
	xenif_close(g->xg);
	xenif_close(g->x0);
	vtest_simd_stop(&g->simd);
}

static struct xensnd_page_directory *dir_page(struct gbuf *b, uint32_t d)
{
	return (struct xensnd_page_directory *)(b->dir + (size_t)d * VSND_PAGE_SIZE);
}

/* Share @bytes (buffer pages read-only when @readonly) and its directory. */
static void gbuf_share(struct rig *g, struct gbuf *b, uint32_t bytes, bool readonly)
{
	void *data, *dir;

	memset(b, 0, sizeof(*b));
	b->bytes = bytes;
	ASSERT_OK(vsnd_pgdir_size(bytes, &b->pages, &b->dirs));
	b->refs = calloc(b->pages, sizeof(*b->refs));
	b->dir_refs = calloc(b->dirs, sizeof(*b->dir_refs));
	ASSERT_TRUE(b->refs && b->dir_refs);
	ASSERT_OK(xenif_gnt_share(g->xg, 0, b->pages, !readonly, b->refs, &data));
	ASSERT_OK(xenif_gnt_share(g->xg, 0, b->dirs, true, b->dir_refs, &dir));
	b->data = data;
	b->dir = dir;

	for (uint32_t d = 0, done = 0; d < b->dirs; d++) {
		struct xensnd_page_directory *p = dir_page(b, d);
		uint32_t n = b->pages - done < VSND_PGDIR_ENTRIES ? b->pages - done
								  : VSND_PGDIR_ENTRIES;

		p->gref_dir_next_page = d + 1 < b->dirs ? b->dir_refs[d + 1] : 0;
		memcpy(p->gref, b->refs + done, n * sizeof(uint32_t));
		done += n;
	}
}

static void gbuf_unshare(struct rig *g, struct gbuf *b)
{
	ASSERT_OK(xenif_gnt_unshare(g->xg, b->data, b->pages));
	ASSERT_OK(xenif_gnt_unshare(g->xg, b->dir, b->dirs));
	free(b->refs);
	free(b->dir_refs);
}

/* Mappings of the guest's pages in this process, the guest's own views
 * included (xenif G6: one memfd "dom5-gref<R>" per page). */
static int guest_maps(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	ASSERT_NOT_NULL(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/memfd:dom5-gref"))
			n++;
	fclose(f);
	return n;
}

static void fault_gnt_map(struct rig *g, uint32_t nth, uint32_t count)
{
	char n[16], c[16];
	const char *argv[] = { "fault", "op", "--domid", "0", "--op", "gnt_map", "--nth", n,
			       "--errno", "EIO", "--count", c, NULL };

	snprintf(n, sizeof(n), "%u", nth);
	snprintf(c, sizeof(c), "%u", count);
	ASSERT_EQ(vtest_simd_ctl(&g->simd, argv), 0);
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* Map @b, check both directions at a few places, unmap; the counter and
 * the mappings come back to where they were. */
static void check_round_trip(struct rig *g, struct gbuf *b)
{
	uint64_t pages0 = sndbe_shbuf_mapped_pages();
	int maps0 = guest_maps();
	struct sndbe_shbuf *sb = NULL;
	uint8_t *tmp = malloc(b->bytes);
	const uint8_t hello[] = "written by the backend";

	ASSERT_NOT_NULL(tmp);
	ASSERT_OK(sndbe_shbuf_map(g->x0, GUEST, b->dir_refs[0], b->bytes, 0, &sb));
	ASSERT_NOT_NULL(sb);
	ASSERT_EQ(sndbe_shbuf_size(sb), b->bytes);
	ASSERT_EQ_U(sndbe_shbuf_mapped_pages(), pages0 + b->pages);
	/* The buffer pages; the directory pages are unmapped again. */
	ASSERT_EQ(guest_maps(), maps0 + (int)b->pages);

	fill(b->data, b->bytes, b->bytes);
	ASSERT_OK(sndbe_shbuf_copy_out(sb, 0, tmp, b->bytes));
	ASSERT_MEMEQ(tmp, b->data, b->bytes);
	ASSERT_OK(sndbe_shbuf_copy_out(sb, b->bytes - 100, tmp, 100));
	ASSERT_MEMEQ(tmp, b->data + b->bytes - 100, 100);

	ASSERT_OK(sndbe_shbuf_copy_in(sb, 4090, hello, sizeof(hello)));	/* across a page */
	ASSERT_MEMEQ(b->data + 4090, hello, sizeof(hello));
	ASSERT_OK(sndbe_shbuf_copy_in(sb, b->bytes - sizeof(hello), hello, sizeof(hello)));
	ASSERT_MEMEQ(b->data + b->bytes - sizeof(hello), hello, sizeof(hello));

	sb = sndbe_shbuf_unmap(sb);
	ASSERT_NULL(sb);
	ASSERT_EQ_U(sndbe_shbuf_mapped_pages(), pages0);
	ASSERT_EQ(guest_maps(), maps0);
	free(tmp);
}

TEST_TIMEOUT(map_one_directory_page, 60)
{
	struct rig g;
	struct gbuf b;

	rig_start(&g);
	gbuf_share(&g, &b, 16 * VSND_PAGE_SIZE, false);
	ASSERT_EQ(b.dirs, 1);
	check_round_trip(&g, &b);
	/* Rule 20's flat counts: map and unmap again and again. */
	for (int i = 0; i < 50; i++)
		check_round_trip(&g, &b);
	gbuf_unshare(&g, &b);
	rig_stop(&g);
}

TEST_TIMEOUT(map_two_directory_pages, 60)
{
	struct rig g;
	struct gbuf b;

	rig_start(&g);
	/* 1100 pages, the last one partly used: 2 directory pages. */
	gbuf_share(&g, &b, 1100 * VSND_PAGE_SIZE - 100, false);
	ASSERT_EQ(b.pages, 1100);
	ASSERT_EQ(b.dirs, 2);
	check_round_trip(&g, &b);
	gbuf_unshare(&g, &b);
	rig_stop(&g);
}

/* Map @b as described by its (corrupted) directory: must fail with @err,
 * leaving no mapping and the counter unchanged. */
static void expect_map_fails(struct rig *g, struct gbuf *b, uint32_t dir_gref, int err)
{
	uint64_t pages0 = sndbe_shbuf_mapped_pages();
	int maps0 = guest_maps();
	struct sndbe_shbuf *sb = NULL;

	ASSERT_EQ(sndbe_shbuf_map(g->x0, GUEST, dir_gref, b->bytes, 0, &sb), err);
	ASSERT_NULL(sb);
	ASSERT_EQ_U(sndbe_shbuf_mapped_pages(), pages0);
	ASSERT_EQ(guest_maps(), maps0);
}

TEST_TIMEOUT(hostile_directories_fail_cleanly, 60)
{
	struct rig g;
	struct gbuf b, b3;
	uint32_t foreign, saved;
	void *fpage;

	rig_start(&g);
	gbuf_share(&g, &b, 1100 * VSND_PAGE_SIZE, false);

	/* A chain that points back to itself (rule 14). */
	dir_page(&b, 0)->gref_dir_next_page = b.dir_refs[0];
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	/* A chain that ends early (rule 15). */
	dir_page(&b, 0)->gref_dir_next_page = 0;
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	dir_page(&b, 0)->gref_dir_next_page = b.dir_refs[1];

	/* gref 0 in the first and the second directory page. */
	saved = dir_page(&b, 0)->gref[5];
	dir_page(&b, 0)->gref[5] = 0;
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	dir_page(&b, 0)->gref[5] = saved;
	saved = dir_page(&b, 1)->gref[1100 - 1023 - 1];
	dir_page(&b, 1)->gref[1100 - 1023 - 1] = 0;
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	dir_page(&b, 1)->gref[1100 - 1023 - 1] = saved;

	/* A page the guest granted to another domain, as a buffer page and
	 * as a directory page (rule 17); a ref that does not exist. */
	ASSERT_OK(xenif_gnt_share(g.xg, OTHER, 1, true, &foreign, &fpage));
	saved = dir_page(&b, 1)->gref[3];
	dir_page(&b, 1)->gref[3] = foreign;
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	dir_page(&b, 1)->gref[3] = 999999;
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	dir_page(&b, 1)->gref[3] = saved;
	dir_page(&b, 0)->gref_dir_next_page = foreign;
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	dir_page(&b, 0)->gref_dir_next_page = b.dir_refs[1];
	expect_map_fails(&g, &b, foreign, -EINVAL);
	ASSERT_OK(xenif_gnt_unshare(g.xg, fpage, 1));

	/* Three directory pages whose third points back to the first. */
	gbuf_share(&g, &b3, 2100 * VSND_PAGE_SIZE, false);
	ASSERT_EQ(b3.dirs, 3);
	dir_page(&b3, 1)->gref_dir_next_page = b3.dir_refs[0];
	expect_map_fails(&g, &b3, b3.dir_refs[0], -EINVAL);
	gbuf_unshare(&g, &b3);

	/* Repaired, the same directory maps. */
	check_round_trip(&g, &b);
	gbuf_unshare(&g, &b);
	rig_stop(&g);
}

/* Read-only buffer grants: the walk succeeds, the writable map does not. */
TEST_TIMEOUT(readonly_grant_refused, 60)
{
	struct rig g;
	struct gbuf b;

	rig_start(&g);
	gbuf_share(&g, &b, 16 * VSND_PAGE_SIZE, true);
	expect_map_fails(&g, &b, b.dir_refs[0], -EINVAL);
	gbuf_unshare(&g, &b);
	rig_stop(&g);
}

/* Rule 18: a map failing part-way (second directory page, or the buffer
 * after the whole walk) unmaps exactly what succeeded. */
TEST_TIMEOUT(failing_maps_leave_nothing_mapped, 60)
{
	struct rig g;
	struct gbuf b;

	rig_start(&g);
	gbuf_share(&g, &b, 1100 * VSND_PAGE_SIZE, false);
	for (uint32_t nth = 1; nth <= 3; nth++) {
		fault_gnt_map(&g, nth, 1);
		expect_map_fails(&g, &b, b.dir_refs[0], -EIO);
	}
	fault_gnt_map(&g, 1, 0);
	check_round_trip(&g, &b);
	gbuf_unshare(&g, &b);
	rig_stop(&g);
}

/* Rules 11-12: sizes are refused before anything is mapped (every map
 * would fail with EIO here) or allocated. */
TEST_TIMEOUT(sizes_rejected_before_any_map, 60)
{
	struct sndbe_shbuf *sb = NULL;
	struct rig g;
	struct gbuf b;

	rig_start(&g);
	gbuf_share(&g, &b, 16 * VSND_PAGE_SIZE, false);
	fault_gnt_map(&g, 1, 1000);
	ASSERT_ERR(sndbe_shbuf_map(g.x0, GUEST, b.dir_refs[0], 0, 0, &sb), EINVAL);
	ASSERT_ERR(sndbe_shbuf_map(g.x0, GUEST, b.dir_refs[0], b.bytes, b.bytes - 1, &sb),
		   EINVAL);
	ASSERT_ERR(sndbe_shbuf_map(g.x0, GUEST, b.dir_refs[0], 0xffffffffu, 0, &sb), EINVAL);
	ASSERT_ERR(sndbe_shbuf_map(g.x0, GUEST, b.dir_refs[0], VSND_BUFFER_BYTES_HARD_MAX + 1,
				   0xffffffffu, &sb), EINVAL);
	ASSERT_ERR(sndbe_shbuf_map(g.x0, GUEST, 0, b.bytes, 0, &sb), EINVAL);
	ASSERT_ERR(sndbe_shbuf_map(NULL, GUEST, b.dir_refs[0], b.bytes, 0, &sb), EINVAL);
	ASSERT_NULL(sb);
	/* The fault is armed: a valid request does reach the map. */
	ASSERT_ERR(sndbe_shbuf_map(g.x0, GUEST, b.dir_refs[0], b.bytes, b.bytes, &sb), EIO);
	fault_gnt_map(&g, 1, 0);
	ASSERT_OK(sndbe_shbuf_map(g.x0, GUEST, b.dir_refs[0], b.bytes, b.bytes, &sb));
	sb = sndbe_shbuf_unmap(sb);
	gbuf_unshare(&g, &b);
	rig_stop(&g);
}

/* Rules 22-24: offset + len is checked in 64 bits; len 0 is a no-op. */
TEST_TIMEOUT(copy_bounds, 60)
{
	struct sndbe_shbuf *sb = NULL;
	uint8_t tmp[64] = { 0 };
	struct rig g;
	struct gbuf b;
	uint32_t size;

	rig_start(&g);
	/* Two pages mapped, 5000 octets usable. */
	gbuf_share(&g, &b, 5000, false);
	ASSERT_OK(sndbe_shbuf_map(g.x0, GUEST, b.dir_refs[0], b.bytes, 0, &sb));
	size = sndbe_shbuf_size(sb);
	ASSERT_EQ(size, 5000);

	ASSERT_OK(sndbe_shbuf_copy_out(sb, size - 1, tmp, 1));
	ASSERT_ERR(sndbe_shbuf_copy_out(sb, size, tmp, 1), EINVAL);
	ASSERT_ERR(sndbe_shbuf_copy_in(sb, size, tmp, 1), EINVAL);
	ASSERT_ERR(sndbe_shbuf_copy_out(sb, size - 63, tmp, 64), EINVAL);
	/* 32-bit wrap: 0xffffffff + 2 = 1, 0x10 + 0xfffffff8 = 8. */
	ASSERT_ERR(sndbe_shbuf_copy_out(sb, 0xffffffffu, tmp, 2), EINVAL);
	ASSERT_ERR(sndbe_shbuf_copy_in(sb, 0xffffffffu, tmp, 2), EINVAL);
	ASSERT_ERR(sndbe_shbuf_copy_out(sb, 0x10, tmp, 0xfffffff8u), EINVAL);
	ASSERT_ERR(sndbe_shbuf_copy_in(sb, 0x10, tmp, 0xfffffff8u), EINVAL);
	/* Length 0: nothing touched, even with no memory behind it. */
	ASSERT_OK(sndbe_shbuf_copy_out(sb, 0, NULL, 0));
	ASSERT_OK(sndbe_shbuf_copy_out(sb, size, NULL, 0));
	ASSERT_OK(sndbe_shbuf_copy_in(sb, size, NULL, 0));
	ASSERT_ERR(sndbe_shbuf_copy_out(sb, size + 1, NULL, 0), EINVAL);
	/* Nothing was written by the refused copies. */
	for (uint32_t i = 0; i < 2 * VSND_PAGE_SIZE; i++)
		ASSERT_EQ(b.data[i], 0);
	ASSERT_ERR(sndbe_shbuf_copy_out(NULL, 0, tmp, 1), EINVAL);
	ASSERT_NULL(sndbe_shbuf_unmap(NULL));

	sb = sndbe_shbuf_unmap(sb);
	gbuf_unshare(&g, &b);
	rig_stop(&g);
}
