// SPDX-License-Identifier: MIT
/*
 * The frontend nodes libxl writes for one vsnd card (libxl__set_xenstore_vsnd
 * in libxl_vsnd.c), in the same order and with the same spelling: lists
 * joined by ',', numbers as %u, formats by libxl's enum names, and only the
 * values that are set (non-zero numbers, non-empty lists, present strings).
 */
#include "xlcfg.h"

#include <errno.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>

/* 64 entries of at most 18 characters ("iec958_subframe_le") and a comma. */
#define LIST_BUF (VSND_XL_MAX_LIST * 20u)

struct emit {
	vsnd_xl_node_fn fn;
	void *ctx;
	char prefix[32];	/* "", "3/", "3/7/" */
};

static int put(const struct emit *e, const char *key, const char *value)
{
	char path[64];

	static_assert(sizeof(path) > sizeof(((struct emit *)0)->prefix) + sizeof("sample-formats"),
		      "room for the longest key");

	snprintf(path, sizeof(path), "%s%s", e->prefix, key);
	return e->fn(e->ctx, path, value);
}

static int put_u32(const struct emit *e, const char *key, uint32_t v)
{
	char buf[16];

	if (v == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%u", v);
	return put(e, key, buf);
}

static int put_params(const struct emit *e, const struct vsnd_xl_params *p)
{
	char buf[LIST_BUF];
	size_t n = 0;
	int r;

	if (p->n_rates) {
		for (uint32_t i = 0; i < p->n_rates; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? "," : "",
					      p->rates[i]);
		r = put(e, "sample-rates", buf);
		if (r < 0)
			return r;
	}
	if (p->n_formats) {
		n = 0;
		for (uint32_t i = 0; i < p->n_formats; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
					      vsnd_xl_format_name(p->formats[i]));
		r = put(e, "sample-formats", buf);
		if (r < 0)
			return r;
	}
	r = put_u32(e, "channels-min", p->channels_min);
	if (r >= 0)
		r = put_u32(e, "channels-max", p->channels_max);
	if (r >= 0)
		r = put_u32(e, "buffer-size", p->buffer_size);
	return r;
}

static int put_stream(struct emit *e, uint32_t pcm, uint32_t idx, const struct vsnd_xl_stream *s)
{
	int r = 0;

	snprintf(e->prefix, sizeof(e->prefix), "%u/%u/", pcm, idx);
	if (s->unique_id)
		r = put(e, "unique-id", s->unique_id);
	if (r >= 0 && s->type != VSND_XL_STREAM_UNSET)
		r = put(e, "type", s->type == VSND_XL_STREAM_P ? "p" : "c");
	if (r >= 0)
		r = put_params(e, &s->params);
	return r;
}

static int put_pcm(struct emit *e, uint32_t idx, const struct vsnd_xl_pcm *pcm)
{
	int r = 0;

	snprintf(e->prefix, sizeof(e->prefix), "%u/", idx);
	if (pcm->name)
		r = put(e, "name", pcm->name);
	if (r >= 0)
		r = put_params(e, &pcm->params);
	for (uint32_t j = 0; r >= 0 && j < pcm->n_streams; j++)
		r = put_stream(e, idx, j, &pcm->streams[j]);
	return r;
}

int vsnd_xl_card_nodes(const struct vsnd_xl_card *card, vsnd_xl_node_fn fn, void *ctx)
{
	struct emit e = { .fn = fn, .ctx = ctx };
	int r = 0;

	if (card->long_name)
		r = put(&e, "long-name", card->long_name);
	if (r >= 0 && card->short_name)
		r = put(&e, "short-name", card->short_name);
	if (r >= 0)
		r = put_params(&e, &card->params);
	for (uint32_t i = 0; r >= 0 && i < card->n_pcms; i++)
		r = put_pcm(&e, i, &card->pcms[i]);
	return r < 0 ? r : 0;
}
