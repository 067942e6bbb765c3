// SPDX-License-Identifier: MIT
/*
 * The page-directory walk against hostile chains (security.md 5.2, rules
 * 11-18): loops, early ends, overlong chains, gref 0, map failures at every
 * position, with a fake grant table that counts maps and unmaps.
 */
#include <errno.h>
#include <stdbool.h>

#include "vtest.h"
#include "vsnd/pgdir.h"
#include "vsnd/wire.h"

#define FAKE_PAGES 64

/* A fake grant table: gref g (1..FAKE_PAGES) maps page g. */
struct fake_gnt {
	uint8_t pages[FAKE_PAGES + 1][VSND_PAGE_SIZE];
	unsigned int maps, unmaps, mapped_now;
	uint32_t fail_gref;	/* map of this gref fails with -EFAULT */
	uint32_t last_mapped;
	bool poison_on_unmap;	/* overwrite a page when it is unmapped */
};

static int fake_map(void *ctx, uint32_t gref, const void **ret_page)
{
	struct fake_gnt *g = ctx;

	g->maps++;
	if (gref == 0 || gref > FAKE_PAGES || gref == g->fail_gref)
		return -EFAULT;
	g->mapped_now++;
	g->last_mapped = gref;
	*ret_page = g->pages[gref];
	return 0;
}

static void fake_unmap(void *ctx, const void *page)
{
	struct fake_gnt *g = ctx;

	ASSERT_TRUE(g->mapped_now > 0);
	ASSERT_TRUE(page == g->pages[g->last_mapped]);
	g->mapped_now--;
	g->unmaps++;
	if (g->poison_on_unmap)
		memset(g->pages[g->last_mapped], 0, VSND_PAGE_SIZE);
}

static const struct vsnd_pgdir_ops ops = { .map = fake_map, .unmap = fake_unmap };

static struct fake_gnt *fake_new(void)
{
	struct fake_gnt *g = calloc(1, sizeof(*g));

	ASSERT_NOT_NULL(g);
	return g;
}

static void dir_set(struct fake_gnt *g, uint32_t dir, uint32_t next, uint32_t first_data,
		    uint32_t count)
{
	uint32_t *w = (uint32_t *)g->pages[dir];

	w[0] = next;
	for (uint32_t i = 0; i < count; i++)
		w[1 + i] = first_data + i;
}

TEST(sizes)
{
	uint32_t p, d;

	ASSERT_ERR(vsnd_pgdir_size(0, &p, &d), EINVAL);
	ASSERT_OK(vsnd_pgdir_size(1, &p, &d));
	ASSERT_EQ(p, 1);
	ASSERT_EQ(d, 1);
	ASSERT_OK(vsnd_pgdir_size(65536, &p, &d));
	ASSERT_EQ(p, 16);
	ASSERT_EQ(d, 1);
	ASSERT_OK(vsnd_pgdir_size(1023 * 4096, &p, &d));
	ASSERT_EQ(d, 1);
	ASSERT_OK(vsnd_pgdir_size(1023 * 4096 + 1, &p, &d));
	ASSERT_EQ(p, 1024);
	ASSERT_EQ(d, 2);
	ASSERT_OK(vsnd_pgdir_size(0xffffffffu, &p, &d));
	ASSERT_EQ(p, 1048576);
	ASSERT_EQ(d, 1026);
}

TEST(single_page_directory)
{
	struct fake_gnt *g = fake_new();
	uint32_t grefs[16];

	dir_set(g, 1, 0xdeadbeef, 10, 16);	/* next ignored after the last page */
	ASSERT_EQ(vsnd_pgdir_walk(1, 65536, 65536, &ops, g, grefs, 16), 16);
	for (uint32_t i = 0; i < 16; i++)
		ASSERT_EQ(grefs[i], 10 + i);
	ASSERT_EQ(g->maps, 1);
	ASSERT_EQ(g->unmaps, 1);
	free(g);
}

TEST(two_page_chain)
{
	struct fake_gnt *g = fake_new();
	uint32_t *grefs = calloc(1030, sizeof(*grefs));
	uint32_t *w;

	/* 1030 buffer pages: 1023 on page 2, 7 on page 3. Data grefs may be
	 * anything non-zero; use 5 repeatedly. */
	w = (uint32_t *)g->pages[2];
	w[0] = 3;
	for (int i = 1; i <= 1023; i++)
		w[i] = 5;
	dir_set(g, 3, 0, 40, 7);
	ASSERT_EQ(vsnd_pgdir_walk(2, 1030 * 4096, 8u << 20, &ops, g, grefs, 1030), 1030);
	ASSERT_EQ(grefs[1022], 5);
	ASSERT_EQ(grefs[1023], 40);
	ASSERT_EQ(grefs[1029], 46);
	ASSERT_EQ(g->maps, 2);
	ASSERT_EQ(g->mapped_now, 0);
	free(grefs);
	free(g);
}

TEST(rejects_before_mapping)
{
	struct fake_gnt *g = fake_new();
	uint32_t grefs[16];

	/* Rule 11: zero size; rule 12: above the maximum, no work at all. */
	ASSERT_ERR(vsnd_pgdir_walk(1, 0, 65536, &ops, g, grefs, 16), EINVAL);
	ASSERT_ERR(vsnd_pgdir_walk(1, 0xffffffffu, 65536, &ops, g, grefs, 16), EINVAL);
	ASSERT_ERR(vsnd_pgdir_walk(0, 4096, 65536, &ops, g, grefs, 16), EINVAL);
	ASSERT_ERR(vsnd_pgdir_walk(1, 65536, 65536, &ops, g, grefs, 15), ENOBUFS);
	ASSERT_EQ(g->maps, 0);
	free(g);
}

TEST(chain_ending_early)
{
	struct fake_gnt *g = fake_new();
	uint32_t *grefs = calloc(2046, sizeof(*grefs));
	uint32_t *w = (uint32_t *)g->pages[2];

	/* Rule 15: 2046 pages owed, next = 0 after the first 1023. */
	w[0] = 0;
	for (int i = 1; i <= 1023; i++)
		w[i] = 9;
	ASSERT_ERR(vsnd_pgdir_walk(2, 2046 * 4096, 16u << 20, &ops, g, grefs, 2046), EINVAL);
	ASSERT_EQ(g->maps, 1);
	ASSERT_EQ(g->mapped_now, 0);
	free(grefs);
	free(g);
}

TEST(loops_rejected_within_bounded_maps)
{
	struct fake_gnt *g = fake_new();
	uint32_t pages = 3 * 1023;
	uint32_t *grefs = calloc(pages, sizeof(*grefs));

	/* Rule 14: a page pointing to itself ... */
	for (uint32_t d = 1; d <= 3; d++) {
		uint32_t *w = (uint32_t *)g->pages[d];

		for (int i = 1; i <= 1023; i++)
			w[i] = 9;
	}
	((uint32_t *)g->pages[1])[0] = 1;
	ASSERT_ERR(vsnd_pgdir_walk(1, pages * 4096, 16u << 20, &ops, g, grefs, pages), EINVAL);
	ASSERT_EQ(g->maps, 1);
	/* ... or to an earlier page. */
	g->maps = 0;
	((uint32_t *)g->pages[1])[0] = 2;
	((uint32_t *)g->pages[2])[0] = 1;
	ASSERT_ERR(vsnd_pgdir_walk(1, pages * 4096, 16u << 20, &ops, g, grefs, pages), EINVAL);
	ASSERT_EQ(g->maps, 2);
	ASSERT_EQ(g->mapped_now, 0);
	free(grefs);
	free(g);
}

TEST(chain_longer_than_needed_is_not_followed)
{
	struct fake_gnt *g = fake_new();
	uint32_t grefs[2];

	/* Rule 13: a 2-page buffer needs one directory page; `next` pointing
	 * on is never mapped. */
	dir_set(g, 1, 2, 20, 2);
	dir_set(g, 2, 3, 30, 2);
	ASSERT_EQ(vsnd_pgdir_walk(1, 8192, 65536, &ops, g, grefs, 2), 2);
	ASSERT_EQ(g->maps, 1);
	free(g);
}

TEST(gref_zero_in_directory)
{
	struct fake_gnt *g = fake_new();
	uint32_t grefs[4];

	dir_set(g, 1, 0, 20, 4);
	((uint32_t *)g->pages[1])[3] = 0;
	ASSERT_ERR(vsnd_pgdir_walk(1, 4 * 4096, 65536, &ops, g, grefs, 4), EINVAL);
	ASSERT_EQ(g->mapped_now, 0);
	free(g);
}

TEST(map_failure_at_each_position_leaks_nothing)
{
	uint32_t pages = 3 * 1023;
	uint32_t *grefs = calloc(pages, sizeof(*grefs));

	/* Rule 17/18: a foreign or invalid directory gref at any position
	 * fails the walk and every mapped page has been unmapped. */
	for (uint32_t bad = 1; bad <= 3; bad++) {
		struct fake_gnt *g = fake_new();

		for (uint32_t d = 1; d <= 3; d++) {
			uint32_t *w = (uint32_t *)g->pages[d];

			w[0] = d < 3 ? d + 1 : 0;
			for (int i = 1; i <= 1023; i++)
				w[i] = 9;
		}
		g->fail_gref = bad;
		ASSERT_ERR(vsnd_pgdir_walk(1, pages * 4096, 16u << 20, &ops, g, grefs, pages),
			   EFAULT);
		ASSERT_EQ(g->maps, bad);
		ASSERT_EQ(g->unmaps, bad - 1);
		ASSERT_EQ(g->mapped_now, 0);
		free(g);
	}
	free(grefs);
}

TEST(directory_copied_once)
{
	struct fake_gnt *g = fake_new();
	uint32_t grefs[4];

	/* Rule 16: the walk reads its private copy, never the page after
	 * unmapping it; the fake zeroes every page it unmaps, so a late read
	 * would see gref 0 and fail. */
	dir_set(g, 1, 0, 20, 4);
	g->poison_on_unmap = true;
	ASSERT_EQ(vsnd_pgdir_walk(1, 4 * 4096, 65536, &ops, g, grefs, 4), 4);
	ASSERT_EQ(((uint32_t *)g->pages[1])[1], 0);
	for (uint32_t i = 0; i < 4; i++)
		ASSERT_EQ(grefs[i], 20 + i);
	free(g);
}
