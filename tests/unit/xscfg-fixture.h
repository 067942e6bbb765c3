/* SPDX-License-Identifier: MIT */
/*
 * xscfg-fixture.h - what the XenStore configuration tests share: an in-memory
 * node table that stands in for XenStore (reader and writer callbacks),
 * parse/format wrappers, expectations on effective limits, and the
 * protocol.md 5.3 example card. Header-only so each test binary stays one
 * source file; only test-xscfg*.c include it.
 */
#ifndef VSND_TEST_XSCFG_FIXTURE_H
#define VSND_TEST_XSCFG_FIXTURE_H

#include <errno.h>

#include "vtest.h"
#include "vsnd/format.h"
#include "vsnd/limits.h"
#include "vsnd/wire.h"
#include "vsnd/xscfg.h"

/* ---- an in-memory XenStore subtree ---------------------------------------- */

#define TREE_NODES 1200
#define TREE_POOL (64 * 1024)

struct node {
	char path[48];
	size_t off;
	size_t len;
	int err;
};

struct tree {
	unsigned int n;
	size_t used;
	unsigned int reads;
	struct node nodes[TREE_NODES];
	char pool[TREE_POOL];
};

/* Static: big, and no leak for LeakSanitizer to find when a test exits. */
static struct tree t_in __attribute__((unused)), t_out __attribute__((unused)),
	t_again __attribute__((unused));

static inline void tree_reset(struct tree *t)
{
	t->n = 0;
	t->used = 0;
	t->reads = 0;
}

static inline void tree_add_len(struct tree *t, const char *path, const char *value, size_t len)
{
	struct node *nd;

	if (t->n >= TREE_NODES || t->used + len + 1 > TREE_POOL || strlen(path) >= sizeof(nd->path))
		vtest_fail(__FILE__, __LINE__, "test tree full");
	nd = &t->nodes[t->n++];
	snprintf(nd->path, sizeof(nd->path), "%s", path);
	memcpy(t->pool + t->used, value, len);
	t->pool[t->used + len] = '\0';
	nd->off = t->used;
	nd->len = len;
	nd->err = 0;
	t->used += len + 1;
}

static inline void tree_add(struct tree *t, const char *path, const char *value)
{
	tree_add_len(t, path, value, strlen(value));
}

/* "path=value" lines, NULL-terminated. */
static inline void tree_load(struct tree *t, const char *const *lines)
{
	tree_reset(t);
	for (; *lines; lines++) {
		const char *eq = strchr(*lines, '=');
		char path[48];

		snprintf(path, sizeof(path), "%.*s", (int)(eq - *lines), *lines);
		tree_add(t, path, eq + 1);
	}
}

static inline void tree_fail(struct tree *t, const char *path, int err)
{
	tree_add(t, path, "");
	t->nodes[t->n - 1].err = err;
}

static inline int tree_read(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	struct tree *t = ctx;
	size_t plen = strlen(relpath);

	t->reads++;
	for (unsigned int i = 0; i < t->n; i++) {
		const struct node *nd = &t->nodes[i];
		size_t n = nd->len < bufsz - 1 ? nd->len : bufsz - 1;

		if (strcmp(nd->path, relpath) != 0)
			continue;
		if (nd->err)
			return nd->err;
		memcpy(buf, t->pool + nd->off, n);
		buf[n] = '\0';
		return (int)nd->len;
	}
	/* XenStore directories read as an empty value. */
	for (unsigned int i = 0; i < t->n; i++)
		if (strncmp(t->nodes[i].path, relpath, plen) == 0 && t->nodes[i].path[plen] == '/') {
			buf[0] = '\0';
			return 0;
		}
	return -ENOENT;
}

static inline int tree_write(void *ctx, const char *relpath, const char *value)
{
	tree_add(ctx, relpath, value);
	return 0;
}

static inline const char *tree_value(const struct tree *t, const char *path)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (strcmp(t->nodes[i].path, path) == 0)
			return t->pool + t->nodes[i].off;
	return NULL;
}

static inline int parse(struct tree *t, enum vsnd_xscfg_mode mode, struct vsnd_xscfg **ret,
		 struct vsnd_xscfg_error *err)
{
	struct vsnd_xs_reader rd = { .read = tree_read, .ctx = t };

	return vsnd_xscfg_parse(&rd, mode, ret, err);
}

static inline int format(const struct vsnd_xscfg *cfg, struct tree *out, unsigned int flags)
{
	struct vsnd_xs_writer wr = { .write = tree_write, .ctx = out };
	struct vsnd_xscfg_error err;
	int r;

	tree_reset(out);
	r = vsnd_xscfg_format(cfg, &wr, flags, &err);
	if (r < 0)
		fprintf(stderr, "format: %s\n", err.msg);
	return r;
}

/* Whether any warning contains every one of the given substrings. */
static inline bool warned(const struct vsnd_xscfg_warnings *w, const char *a, const char *b)
{
	for (unsigned int i = 0; i < w->n; i++)
		if (strstr(w->msg[i], a) && (!b || strstr(w->msg[i], b)))
			return true;
	return false;
}

static inline void dump_warnings(const struct vsnd_xscfg_warnings *w)
{
	for (unsigned int i = 0; i < w->n; i++)
		fprintf(stderr, "warning: %s\n", w->msg[i]);
}

#define ASSERT_CONTAINS(s, sub)                                                           \
	do {                                                                              \
		if (!strstr((s), (sub)))                                                  \
			vtest_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", (s), \
				   (sub));                                                \
	} while (0)

static inline struct vsnd_stream_limits limits(const struct vsnd_xscfg *cfg, int pcm, int stream,
					unsigned int flags)
{
	struct vsnd_stream_limits l;

	if (vsnd_xscfg_limits(cfg, pcm, stream, flags, &l) < 0)
		vtest_fail(__FILE__, __LINE__, "no limits for %d/%d", pcm, stream);
	return l;
}

/* What a level's effective settings must be; 0 fields are not checked. */
struct expect {
	uint64_t formats;
	uint32_t ch_min, ch_max, buffer;
	uint32_t n_rates;	/* DEFAULT_RATES: Linux's continuous 5512..48000 */
	uint32_t rates[4];
};

#define DEFAULT_RATES UINT32_MAX
#define EXPECT(cfg, pcm, stream, flags, ...)                                              \
	expect_limits(__LINE__, cfg, pcm, stream, flags, &(const struct expect){ __VA_ARGS__ })

static inline void expect_u(int line, const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		vtest_fail(__FILE__, line, "%s: got %#" PRIx64 ", want %#" PRIx64, what, got, want);
}

static inline void expect_limits(int line, const struct vsnd_xscfg *cfg, int pcm, int stream,
			  unsigned int flags, const struct expect *e)
{
	struct vsnd_stream_limits l = limits(cfg, pcm, stream, flags);
	bool dflt = e->n_rates == DEFAULT_RATES;

	if (e->formats)
		expect_u(line, "formats", l.formats, e->formats);
	if (e->ch_min)
		expect_u(line, "channels_min", l.channels_min, e->ch_min);
	if (e->ch_max)
		expect_u(line, "channels_max", l.channels_max, e->ch_max);
	if (e->buffer)
		expect_u(line, "buffer", l.buffer_bytes_max, e->buffer);
	if (!e->n_rates)
		return;
	expect_u(line, "rates.n", l.rates.n, dflt ? 0 : e->n_rates);
	expect_u(line, "rates.min", l.rates.min, dflt ? VSND_LINUX_DEFAULT_RATE_MIN : e->rates[0]);
	expect_u(line, "rates.max", l.rates.max,
		 dflt ? VSND_LINUX_DEFAULT_RATE_MAX : e->rates[e->n_rates - 1]);
	for (uint32_t k = 0; !dflt && k < e->n_rates; k++)
		expect_u(line, "rate", l.rates.rates[k], e->rates[k]);
}

static inline void assert_same_limits(const struct vsnd_stream_limits *a,
			       const struct vsnd_stream_limits *b)
{
	ASSERT_MEMEQ(a, b, sizeof(*a));
}

#define BIT(c) VSND_FORMAT_BIT(XENSND_PCM_FORMAT_##c)
#define DEFAULT_FORMATS (BIT(U8) | BIT(S16_LE))

static inline int load_parse(const char *const *lines, enum vsnd_xscfg_mode mode,
		      struct vsnd_xscfg **ret, struct vsnd_xscfg_error *err)
{
	tree_load(&t_in, lines);
	return parse(&t_in, mode, ret, err);
}

/* protocol.md 5.3, FE nodes as libxl writes them, plus the transport nodes
 * a connected Linux frontend adds (1.4), which the model must ignore. */
static const char *const example[] __attribute__((unused)) = {
	"backend=/local/domain/0/backend/vsnd/5/0",
	"backend-id=0",
	"state=1",
	"long-name=Xen PV sound",
	"short-name=XenSnd",
	"sample-rates=44100,48000",
	"sample-formats=s16_le,s32_le",
	"channels-min=1",
	"channels-max=2",
	"buffer-size=65536",
	"0/name=analog",
	"0/0/unique-id=main-p",
	"0/0/type=p",
	"0/0/ring-ref=8",
	"0/0/event-channel=11",
	"0/0/evt-ring-ref=9",
	"0/0/evt-event-channel=12",
	"0/1/unique-id=main-c",
	"0/1/type=c",
	"0/1/channels-max=1",
	"1/name=hdmi",
	"1/sample-rates=48000",
	"1/0/unique-id=hdmi-p",
	"1/0/type=p",
	NULL,
};

static inline void check_example(const struct vsnd_xscfg *cfg)
{
	const uint64_t s16_s32 = BIT(S16_LE) | BIT(S32_LE);
	unsigned int p, s;

	ASSERT_EQ(cfg->n_pcms, 2);
	ASSERT_STREQ(cfg->short_name, "XenSnd");
	ASSERT_STREQ(cfg->long_name, "Xen PV sound");
	ASSERT_STREQ(cfg->pcms[0]->name, "analog");
	ASSERT_STREQ(cfg->pcms[1]->name, "hdmi");
	ASSERT_EQ(cfg->pcms[0]->n_streams, 2);
	ASSERT_EQ(cfg->pcms[1]->n_streams, 1);
	ASSERT_EQ(cfg->pcms[0]->streams[0].type, VSND_XSCFG_STREAM_PLAYBACK);
	ASSERT_EQ(cfg->pcms[0]->streams[1].type, VSND_XSCFG_STREAM_CAPTURE);
	ASSERT_STREQ(cfg->pcms[0]->streams[1].unique_id, "main-c");
	ASSERT_STREQ(cfg->pcms[1]->streams[0].unique_id, "hdmi-p");
	EXPECT(cfg, 0, 0, 0, s16_s32, 1, 2, 65536, 2, { 44100, 48000 });
	EXPECT(cfg, 0, 1, 0, s16_s32, 1, 1, 65536, 2, { 44100, 48000 });
	EXPECT(cfg, 1, 0, 0, s16_s32, 1, 2, 65536, 1, { 48000 });

	ASSERT_EQ(vsnd_xscfg_stream_count(cfg), 3);
	ASSERT_EQ(vsnd_xscfg_stream_index(cfg, 0, 0), 0);
	ASSERT_EQ(vsnd_xscfg_stream_index(cfg, 0, 1), 1);
	ASSERT_EQ(vsnd_xscfg_stream_index(cfg, 1, 0), 2);
	ASSERT_ERR(vsnd_xscfg_stream_index(cfg, 1, 1), ENOENT);
	ASSERT_ERR(vsnd_xscfg_stream_index(cfg, 2, 0), ENOENT);
	ASSERT_OK(vsnd_xscfg_stream_at(cfg, 2, &p, &s));
	ASSERT_TRUE(p == 1 && s == 0);
	ASSERT_ERR(vsnd_xscfg_stream_at(cfg, 3, &p, &s), ENOENT);
	ASSERT_EQ(vsnd_xscfg_substream(cfg, 0, 0), 0);
	ASSERT_EQ(vsnd_xscfg_substream(cfg, 0, 1), 0);
	ASSERT_EQ(vsnd_xscfg_substream(cfg, 1, 0), 0);
	ASSERT_ERR(vsnd_xscfg_substream(cfg, 1, 1), ENOENT);
	ASSERT_EQ(vsnd_xscfg_pcm_substreams(cfg->pcms[0], VSND_XSCFG_STREAM_PLAYBACK), 1);
	ASSERT_EQ(vsnd_xscfg_pcm_substreams(cfg->pcms[0], VSND_XSCFG_STREAM_CAPTURE), 1);
	ASSERT_EQ(vsnd_xscfg_pcm_substreams(cfg->pcms[1], VSND_XSCFG_STREAM_CAPTURE), 0);
}

#endif /* VSND_TEST_XSCFG_FIXTURE_H */
