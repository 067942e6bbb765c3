// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the XenStore configuration model. The input is a
 * node table, one "relpath=value" per line ("!relpath" makes reading that
 * node fail with EIO). It is parsed in both modes, and the properties that
 * make the model trustworthy are checked, aborting on any violation:
 * effective limits are sane; what the strict parser accepts, the Linux-mode
 * parser accepts with identical Linux-view limits, and validation agrees;
 * what the Linux-mode parser rejects, the strict one rejects too; format ->
 * parse reproduces the same effective settings in both modes; formatting the
 * re-parsed model reproduces the very same nodes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/limits.h"
#include "vsnd/xscfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NODES 1024
#define MAX_INPUT_NODES 512
#define PATH_LEN 48

struct node {
	char path[PATH_LEN];
	size_t off;
	size_t len;
	int err;
};

struct table {
	struct node *nodes;
	unsigned int n;
	char *pool;
	size_t used;
	size_t cap;
};

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, \
				#cond);                                                        \
			abort();                                                               \
		}                                                                              \
	} while (0)

static int table_init(struct table *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->nodes = calloc(MAX_NODES, sizeof(*t->nodes));
	t->pool = malloc(cap ? cap : 1);
	t->cap = cap;
	return t->nodes && t->pool ? 0 : -ENOMEM;
}

static void table_done(struct table *t)
{
	free(t->nodes);
	free(t->pool);
}

static int table_add(struct table *t, const char *path, size_t plen, const char *value, size_t len,
		     int err)
{
	struct node *nd;

	if (t->n >= MAX_NODES || plen >= PATH_LEN)
		return -ENOSPC;
	if (t->used + len + 1 > t->cap) {
		size_t cap = (t->used + len + 1) * 2;
		char *pool = realloc(t->pool, cap);

		if (!pool)
			return -ENOMEM;
		t->pool = pool;
		t->cap = cap;
	}
	nd = &t->nodes[t->n++];
	memcpy(nd->path, path, plen);
	nd->path[plen] = '\0';
	memcpy(t->pool + t->used, value, len);
	t->pool[t->used + len] = '\0';
	nd->off = t->used;
	nd->len = len;
	nd->err = err;
	t->used += len + 1;
	return 0;
}

/* One line: "path=value", or "!path" for a node whose read fails. */
static void load_line(struct table *t, const char *line, size_t len)
{
	const char *eq;

	if (len && line[0] == '!') {
		(void)table_add(t, line + 1, len - 1, "", 0, -EIO);
		return;
	}
	eq = memchr(line, '=', len);
	if (!eq)
		return;
	/* A NUL in a path is not a XenStore path; skip such lines. */
	if (memchr(line, '\0', (size_t)(eq - line)))
		return;
	(void)table_add(t, line, (size_t)(eq - line), eq + 1, len - (size_t)(eq - line) - 1, 0);
}

static void load(struct table *t, const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end && t->n < MAX_INPUT_NODES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		load_line(t, p, len);
		p += len + 1;
	}
}

static int table_read(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	struct table *t = ctx;
	size_t plen = strlen(relpath);

	CHECK(bufsz > 0 && plen < PATH_LEN);
	for (unsigned int i = 0; i < t->n; i++) {
		const struct node *nd = &t->nodes[i];
		size_t n = nd->len < bufsz - 1 ? nd->len : bufsz - 1;

		if (strcmp(nd->path, relpath) != 0)
			continue;
		if (nd->err)
			return nd->err;
		memcpy(buf, t->pool + nd->off, n);
		buf[n] = '\0';
		return nd->len > INT32_MAX ? INT32_MAX : (int)nd->len;
	}
	for (unsigned int i = 0; i < t->n; i++)
		if (strncmp(t->nodes[i].path, relpath, plen) == 0 &&
		    t->nodes[i].path[plen] == '/') {
			buf[0] = '\0';
			return 0;
		}
	return -ENOENT;
}

static int table_write(void *ctx, const char *relpath, const char *value)
{
	CHECK(strlen(relpath) < VSND_XSCFG_PATH_MAX);
	return table_add(ctx, relpath, strlen(relpath), value, strlen(value), 0);
}

static int parse(struct table *t, enum vsnd_xscfg_mode mode, struct vsnd_xscfg **ret)
{
	struct vsnd_xs_reader rd = { .read = table_read, .ctx = t };
	struct vsnd_xscfg_error err;
	int r;

	*ret = NULL;
	r = vsnd_xscfg_parse(&rd, mode, ret, &err);
	CHECK(memchr(err.msg, '\0', sizeof(err.msg)));
	CHECK(r < 0 || *ret);
	CHECK(r >= 0 || (!*ret && err.msg[0]));
	return r;
}

static void check_limits(const struct vsnd_stream_limits *l)
{
	CHECK(l->channels_min >= 1 && l->channels_min <= l->channels_max);
	CHECK(l->buffer_bytes_max > 0);
	CHECK(l->formats && !(l->formats & ~VSND_FORMATS_ALL));
	CHECK(l->rates.n <= VSND_MAX_RATES && l->rates.min <= l->rates.max && l->rates.min > 0);
	for (uint32_t k = 1; k < l->rates.n; k++)
		CHECK(l->rates.rates[k - 1] < l->rates.rates[k]);
	if (l->rates.n)
		CHECK(l->rates.min == l->rates.rates[0] &&
		      l->rates.max == l->rates.rates[l->rates.n - 1]);
}

static void same_limits(const struct vsnd_xscfg *a, const struct vsnd_xscfg *b, int pcm, int stream,
			unsigned int flags)
{
	struct vsnd_stream_limits la, lb;

	CHECK(vsnd_xscfg_limits(a, pcm, stream, flags, &la) == 0);
	CHECK(vsnd_xscfg_limits(b, pcm, stream, flags, &lb) == 0);
	check_limits(&la);
	CHECK(la.formats == lb.formats);
	CHECK(la.channels_min == lb.channels_min && la.channels_max == lb.channels_max);
	CHECK(la.buffer_bytes_max == lb.buffer_bytes_max);
	CHECK(la.rates.n == lb.rates.n && la.rates.min == lb.rates.min &&
	      la.rates.max == lb.rates.max);
	CHECK(memcmp(la.rates.rates, lb.rates.rates, la.rates.n * sizeof(uint32_t)) == 0);
}

static bool same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Same tree shape, strings and effective settings (both views if @ext). */
static void same_model(const struct vsnd_xscfg *a, const struct vsnd_xscfg *b, bool ext)
{
	CHECK(a->n_pcms == b->n_pcms);
	CHECK(same_string(a->short_name, b->short_name));
	CHECK(same_string(a->long_name, b->long_name));
	for (unsigned int p = 0; p < a->n_pcms; p++) {
		const struct vsnd_xscfg_pcm *pa = a->pcms[p], *pb = b->pcms[p];

		CHECK(pa && pb && pa->n_streams == pb->n_streams);
		CHECK(same_string(pa->name, pb->name));
		for (int s = -1; s < (int)pa->n_streams; s++) {
			same_limits(a, b, (int)p, s, 0);
			if (ext)
				same_limits(a, b, (int)p, s, VSND_XSCFG_LIMITS_EXTENDED);
			if (s < 0)
				continue;
			CHECK(pa->streams[s].type == pb->streams[s].type);
			CHECK(same_string(pa->streams[s].unique_id, pb->streams[s].unique_id));
		}
	}
}

static void check_numbering(const struct vsnd_xscfg *cfg)
{
	unsigned int n = vsnd_xscfg_stream_count(cfg), p, s;

	CHECK(cfg->n_pcms >= 1 && cfg->n_pcms <= VSND_MAX_PCMS);
	for (unsigned int i = 0; i < n; i++) {
		CHECK(vsnd_xscfg_stream_at(cfg, i, &p, &s) == 0);
		CHECK(vsnd_xscfg_stream_index(cfg, p, s) == (int)i);
		CHECK(vsnd_xscfg_substream(cfg, p, s) >= 0);
		CHECK(cfg->pcms[p]->streams[s].type != VSND_XSCFG_STREAM_UNSET);
	}
	CHECK(vsnd_xscfg_stream_at(cfg, n, &p, &s) == -ENOENT);
	CHECK(cfg->warnings.n <= VSND_XSCFG_WARN_MAX);
	for (unsigned int i = 0; i < cfg->warnings.n; i++)
		CHECK(memchr(cfg->warnings.msg[i], '\0', VSND_XSCFG_MSG_MAX));
}

static void format_into(const struct vsnd_xscfg *cfg, struct table *out, unsigned int flags)
{
	struct vsnd_xs_writer wr = { .write = table_write, .ctx = out };
	struct vsnd_xscfg_error err;

	out->n = 0;
	out->used = 0;
	CHECK(vsnd_xscfg_format(cfg, &wr, flags, &err) == 0);
}

/* format -> parse gives the same model; formatting that gives the same nodes. */
static void round_trip(const struct vsnd_xscfg *cfg, enum vsnd_xscfg_mode mode, struct table *out,
		       struct table *again)
{
	struct vsnd_xscfg *back = NULL;

	format_into(cfg, out, 0);
	CHECK(parse(out, mode, &back) == 0);
	same_model(cfg, back, true);
	format_into(back, again, 0);
	CHECK(again->n == out->n && again->used == out->used);
	for (unsigned int i = 0; i < out->n; i++)
		CHECK(strcmp(out->nodes[i].path, again->nodes[i].path) == 0);
	CHECK(memcmp(out->pool, again->pool, out->used) == 0);
	format_into(back, again, VSND_XSCFG_FORMAT_LIBXL_NAMES);
	vsnd_xscfg_free(back);
}

static void run(struct table *in, struct table *out, struct table *again)
{
	struct vsnd_xscfg *lin = NULL, *strict = NULL;
	struct vsnd_xscfg_warnings w = { 0 };
	int rl, rs;

	rl = parse(in, VSND_XSCFG_MODE_LINUX, &lin);
	rs = parse(in, VSND_XSCFG_MODE_STRICT, &strict);
	/* Strict reads what Linux reads, and more carefully. */
	CHECK(rl == 0 || rs < 0);
	if (lin) {
		check_numbering(lin);
		(void)vsnd_xscfg_validate(lin, &w, NULL);
		round_trip(lin, VSND_XSCFG_MODE_LINUX, out, again);
	}
	if (strict) {
		check_numbering(strict);
		CHECK(vsnd_xscfg_validate(strict, NULL, NULL) == 0);
		/* Whatever strict accepts, Linux sees the same way. */
		same_model(strict, lin, false);
		round_trip(strict, VSND_XSCFG_MODE_STRICT, out, again);
	}
	vsnd_xscfg_free(lin);
	vsnd_xscfg_free(strict);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct table in, out, again;
	int r1 = table_init(&in, size), r2 = table_init(&out, 4096);
	int r3 = table_init(&again, 4096);

	if (r1 == 0 && r2 == 0 && r3 == 0) {
		load(&in, data, size);
		run(&in, &out, &again);
	}
	table_done(&in);
	table_done(&out);
	table_done(&again);
	return 0;
}
