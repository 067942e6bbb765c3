// SPDX-License-Identifier: MIT
/*
 * The xl.cfg examples in xenstore-config/examples/ are test fixtures too:
 * each parses as xl would, its libxl nodes pass the strict XenStore model
 * without a warning, and a Linux guest would see the card the example's
 * comment describes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vtest.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"
#include "vsnd/xscfg.h"
#include "xlcfg.h"

#define MAX_NODES 512

struct tree {
	unsigned int n;
	char path[MAX_NODES][48];
	char value[MAX_NODES][256];
};

static int collect(void *ctx, const char *relpath, const char *value)
{
	struct tree *t = ctx;

	ASSERT_LT(t->n, MAX_NODES);
	snprintf(t->path[t->n], sizeof(t->path[0]), "%s", relpath);
	snprintf(t->value[t->n], sizeof(t->value[0]), "%s", value);
	t->n++;
	return 0;
}

/* A node exists if it was written or is the parent of one (a directory). */
static int tree_read(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	const struct tree *t = ctx;
	size_t n = strlen(relpath);

	for (unsigned int i = 0; i < t->n; i++) {
		if (strcmp(t->path[i], relpath) == 0) {
			snprintf(buf, bufsz, "%s", t->value[i]);
			return (int)strlen(t->value[i]);
		}
	}
	for (unsigned int i = 0; i < t->n; i++)
		if (strncmp(t->path[i], relpath, n) == 0 && t->path[i][n] == '/') {
			if (bufsz)
				buf[0] = '\0';
			return 0;
		}
	return -ENOENT;
}

static struct vsnd_xscfg *load(const char *name)
{
	static struct tree t;
	const char *dir = getenv("VTEST_EXAMPLES_DIR");
	struct vsnd_xs_reader rd = { .read = tree_read, .ctx = &t };
	struct vsnd_xl_config *xl = NULL;
	struct vsnd_xscfg_warnings w = { 0 };
	struct vsnd_xscfg_error err = { { 0 } };
	struct vsnd_xl_diag d;
	struct vsnd_xscfg *cfg = NULL;
	char path[512], text[8192];
	size_t len;
	FILE *f;

	ASSERT_NOT_NULL(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ASSERT_NOT_NULL(f);
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	ASSERT_LT(len, sizeof(text));
	if (vsnd_xl_parse_file(text, len, &xl, &d) < 0)
		vtest_fail(__FILE__, __LINE__, "%s: %s", name, d.error);
	ASSERT_EQ(d.n_warnings, 0);
	ASSERT_EQ(xl->n_cards, 1);
	memset(&t, 0, sizeof(t));
	ASSERT_OK(vsnd_xl_card_nodes(&xl->cards[0], collect, &t));
	vsnd_xl_config_free(xl);
	if (vsnd_xscfg_parse(&rd, VSND_XSCFG_MODE_STRICT, &cfg, &err) < 0)
		vtest_fail(__FILE__, __LINE__, "%s: strict parse: %s", name, err.msg);
	ASSERT_OK(vsnd_xscfg_validate(cfg, &w, &err));
	if (cfg->warnings.n || w.n)
		vtest_fail(__FILE__, __LINE__, "%s: warning: %s", name,
			   cfg->warnings.n ? cfg->warnings.msg[0] : w.msg[0]);
	return cfg;
}

#define BIT(c) VSND_FORMAT_BIT(XENSND_PCM_FORMAT_##c)

static void expect_stream(const struct vsnd_xscfg *cfg, int pcm, int stream, uint64_t formats,
			  uint32_t rate, uint32_t ch_min, uint32_t ch_max, uint32_t buffer)
{
	struct vsnd_stream_limits lim;

	ASSERT_OK(vsnd_xscfg_limits(cfg, pcm, stream, 0, &lim));
	ASSERT_EQ_U(lim.formats, formats);
	ASSERT_TRUE(vsnd_rate_set_contains(&lim.rates, rate));
	ASSERT_EQ(lim.channels_min, ch_min);
	ASSERT_EQ(lim.channels_max, ch_max);
	ASSERT_EQ(lim.buffer_bytes_max, buffer);
}

TEST(stereo)
{
	struct vsnd_xscfg *cfg = load("stereo.cfg");

	ASSERT_EQ(cfg->n_pcms, 1);
	ASSERT_EQ(cfg->pcms[0]->n_streams, 2);
	expect_stream(cfg, 0, 0, BIT(S16_LE) | BIT(S32_LE), 44100, 1, 2, 65536);
	expect_stream(cfg, 0, 1, BIT(S16_LE) | BIT(S32_LE), 48000, 1, 2, 65536);
	ASSERT_EQ(cfg->pcms[0]->streams[1].type, VSND_XSCFG_STREAM_CAPTURE);
	vsnd_xscfg_free(cfg);
}

TEST(android_nine_streams_over_two_pcms)
{
	struct vsnd_xscfg *cfg = load("android.cfg");
	struct vsnd_stream_limits lim;

	ASSERT_EQ(cfg->n_pcms, 2);
	ASSERT_EQ(vsnd_xscfg_stream_count(cfg), 9);
	ASSERT_LE(cfg->pcms[0]->n_streams, VSND_MAX_STREAMS_PER_PCM);
	ASSERT_EQ(cfg->pcms[0]->n_ignored_streams + cfg->pcms[1]->n_ignored_streams, 0);
	for (unsigned int p = 0; p < 2; p++)
		for (unsigned int s = 0; s < cfg->pcms[p]->n_streams; s++) {
			ASSERT_OK(vsnd_xscfg_limits(cfg, (int)p, (int)s, 0, &lim));
			ASSERT_EQ(lim.rates.n, 1);
			ASSERT_EQ(lim.rates.rates[0], 48000);
		}
	expect_stream(cfg, 0, 6, BIT(S16_LE), 48000, 2, 2, 32768);
	expect_stream(cfg, 1, 1, BIT(S16_LE), 48000, 1, 2, 32768);
	ASSERT_STREQ(cfg->pcms[1]->streams[1].unique_id, "mic_in");
	vsnd_xscfg_free(cfg);
}

TEST(agl_one_pcm_per_role)
{
	struct vsnd_xscfg *cfg = load("agl.cfg");
	struct vsnd_stream_limits lim;

	ASSERT_EQ(cfg->n_pcms, 4);
	ASSERT_EQ(vsnd_xscfg_stream_count(cfg), 5);
	expect_stream(cfg, 0, 0, BIT(S16_LE) | BIT(S32_LE), 48000, 1, 2, 65536);
	expect_stream(cfg, 1, 0, BIT(S16_LE) | BIT(S32_LE), 48000, 1, 1, 65536);
	expect_stream(cfg, 3, 1, BIT(S16_LE), 16000, 1, 1, 65536);
	ASSERT_OK(vsnd_xscfg_limits(cfg, 3, 0, 0, &lim));
	ASSERT_FALSE(vsnd_rate_set_contains(&lim.rates, 48000));
	vsnd_xscfg_free(cfg);
}
