// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the page-directory walk. The input picks buffer_sz and the
 * first directory gref and fills a small fake grant table (8 pages) whose
 * contents are the rest of the input. Invariants: every map is unmapped,
 * never more directory pages are mapped than the buffer needs, a success
 * returns exactly ceil(buffer_sz / 4096) non-zero grefs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vsnd/pgdir.h"
#include "vsnd/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAKE_PAGES 8u
#define MAX_BUFFER (4u * 1024u * 4096u)	/* 4 directory pages at most */

struct fake {
	uint8_t pages[FAKE_PAGES][VSND_PAGE_SIZE];
	unsigned int maps, live;
};

static int fake_map(void *ctx, uint32_t gref, const void **ret_page)
{
	struct fake *f = ctx;

	if (gref == 0 || gref > FAKE_PAGES)
		return -EFAULT;
	f->maps++;
	f->live++;
	*ret_page = f->pages[gref - 1];
	return 0;
}

static void fake_unmap(void *ctx, const void *page)
{
	struct fake *f = ctx;

	(void)page;
	if (f->live == 0)
		abort();
	f->live--;
}

static const struct vsnd_pgdir_ops ops = { .map = fake_map, .unmap = fake_unmap };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t grefs[MAX_BUFFER / VSND_PAGE_SIZE];
	struct fake *f;
	uint32_t buffer_bytes, dir_gref, pages, dirs;
	int r;

	if (size < 8)
		return 0;
	memcpy(&buffer_bytes, data, 4);
	memcpy(&dir_gref, data + 4, 4);
	f = calloc(1, sizeof(*f));
	if (!f)
		return 0;
	/* Spread the rest of the input over the pages' first words, where the
	 * next pointer and the first grefs live, and small gref values so
	 * chains actually form. */
	for (size_t i = 8; i < size; i++) {
		size_t k = i - 8;
		uint32_t *w = (uint32_t *)f->pages[(k / 16) % FAKE_PAGES];

		w[k % 16] = data[i] % (FAKE_PAGES + 2);
	}
	for (uint32_t p = 0; p < FAKE_PAGES; p++)
		for (uint32_t i = 16; i <= VSND_PGDIR_ENTRIES; i++)
			((uint32_t *)f->pages[p])[i] = p + 1;

	r = vsnd_pgdir_walk(dir_gref, buffer_bytes, MAX_BUFFER, &ops, f, grefs,
			    sizeof(grefs) / sizeof(grefs[0]));
	if (f->live != 0)
		abort();
	if (vsnd_pgdir_size(buffer_bytes, &pages, &dirs) == 0 && f->maps > dirs)
		abort();
	if (r > 0) {
		if ((uint32_t)r != pages)
			abort();
		for (int i = 0; i < r; i++)
			if (grefs[i] == 0)
				abort();
	}
	free(f);
	return 0;
}
