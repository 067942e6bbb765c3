// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the xl `vsnd` entry parser of vsnd-xsconfig. The input is an
 * xl.cfg file. Invariants: parsing never crashes or leaks; an error always
 * has a message; a parsed card's nodes have well-formed relative paths
 * ("key", "P/key", "P/S/key" with decimal P and S) and values without
 * embedded NULs (empty values are legitimate: libxl writes `short-name=`
 * as an empty node).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_node(void *ctx, const char *relpath, const char *value)
{
	const char *p = relpath;

	(void)ctx;
	(void)value;
	for (int level = 0; level < 2 && isdigit((unsigned char)*p); level++) {
		while (isdigit((unsigned char)*p))
			p++;
		if (*p++ != '/')
			abort();
	}
	if (*p == '\0' || strchr(p, '/'))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsnd_xl_config *cfg = NULL;
	struct vsnd_xl_diag diag;
	int r;

	r = vsnd_xl_parse_file((const char *)data, size, &cfg, &diag);
	if (r < 0) {
		if (cfg || diag.error[0] == '\0')
			abort();
		return 0;
	}
	for (uint32_t i = 0; i < cfg->n_cards; i++)
		if (vsnd_xl_card_nodes(&cfg->cards[i], check_node, NULL) < 0)
			abort();
	vsnd_xl_config_free(cfg);
	return 0;
}
