// SPDX-License-Identifier: MIT
/*
 * cf-card.c - reading a device's card from XenStore with Linux's rules,
 * for both roles of vsnd-conform (conform.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "vsnd-common/util.h"

struct card_src {
	struct xenif *x;
	const char *fe;
};

/* The config parser's view of FE: paths relative to the card directory. */
static int card_reader(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	const struct card_src *src = ctx;
	_cleanup_free_ char *v = NULL;
	char path[256];
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/%s", src->fe, relpath);
	r = xenif_xs_read(src->x, XENIF_TX_NONE, path, &v, &len);
	if (r < 0)
		return r;
	if (bufsz) {
		size_t k = len < bufsz - 1 ? len : bufsz - 1;

		memcpy(buf, v, k);
		buf[k] = '\0';
	}
	return len > INT32_MAX ? INT32_MAX : (int)len;
}

int cf_card_parse(struct xenif *x, const char *fe, struct vsnd_xscfg **ret, char *why,
		  size_t whysz)
{
	struct card_src src = { x, fe };
	struct vsnd_xs_reader rd = { .read = card_reader, .ctx = &src };
	struct vsnd_xscfg_error e;
	int r;

	r = vsnd_xscfg_parse(&rd, VSND_XSCFG_MODE_LINUX, ret, &e);
	if (r < 0)
		snprintf(why, whysz, "%s: card unreadable: %s", fe, e.msg);
	return r;
}

int cf_xs_write_str(struct xenif *x, const char *path, const char *v)
{
	return xenif_xs_write(x, XENIF_TX_NONE, path, v, strlen(v));
}
