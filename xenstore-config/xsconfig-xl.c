// SPDX-License-Identifier: MIT
/*
 * xsconfig-xl.c - `dump --format=xl`: one card of the strict model as the
 * inner list of an xl `vsnd` entry, so that writing it back (with xl or
 * `vsnd-xsconfig write`) gives the same frontend nodes.
 *
 * What xl cannot carry is refused with the node, its value and the reason:
 * a ',' in a string (xl splits items on it). What xl carries differently is
 * a warning: float formats come back in libxl's spelling (f32_le), the only
 * one xl accepts. Strings are quoted '...' with C escapes for '\\', '\'' and
 * control characters, which xl's parser reads back.
 */
#include "xsconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/xscfg.h"
#include "xlcfg.h"

/* ", key=value" for a string the model holds; -EINVAL when xl cannot say it. */
static int add_string(FILE *m, const char *fe, int pcm, int stream, const char *key,
		      const char *value)
{
	char rel[VSND_XSCFG_PATH_MAX];

	if (!value)
		return 0;
	if (strchr(value, ',')) {
		vsnd_xscfg_path(rel, sizeof(rel), pcm, stream, key);
		xsc_error("%s/%s: \"%s\": xl splits items on ',', so the value cannot be "
			  "written in a vsnd entry", fe, rel, value);
		return -EINVAL;
	}
	fprintf(m, ", %s=%s", key, value);
	return 0;
}

static void add_formats(FILE *m, const struct vsnd_xscfg_params *p, const char *fe, int pcm,
			int stream)
{
	char rel[VSND_XSCFG_PATH_MAX];

	fputs(", sample-formats=", m);
	for (uint32_t i = 0; i < p->n_formats; i++) {
		const char *xl = vsnd_xl_format_name(p->formats[i]);
		const char *sndif = vsnd_format_to_string(p->formats[i]);

		fprintf(m, "%s%s", i ? ";" : "", xl ? xl : sndif);
		if (xl && strcmp(xl, sndif) != 0 && !(p->formats_libxl & (1u << i))) {
			vsnd_xscfg_path(rel, sizeof(rel), pcm, stream, "sample-formats");
			xsc_warning("%s/%s: %s is spelled %s in xl, which libxl writes back "
				    "(Linux ignores that spelling)", fe, rel, sndif, xl);
		}
	}
}

static void add_params(FILE *m, const struct vsnd_xscfg_params *p, const char *fe, int pcm,
		       int stream)
{
	if (p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_RATES) && p->n_rates) {
		fputs(", sample-rates=", m);
		for (uint32_t i = 0; i < p->n_rates; i++)
			fprintf(m, "%s%u", i ? ";" : "", p->rates[i]);
	}
	if (p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_FORMATS) && p->n_formats)
		add_formats(m, p, fe, pcm, stream);
	if (p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_CHANNELS_MIN) && p->channels_min)
		fprintf(m, ", channels-min=%u", p->channels_min);
	if (p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_CHANNELS_MAX) && p->channels_max)
		fprintf(m, ", channels-max=%u", p->channels_max);
	if (p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_BUFFER_SIZE) && p->buffer_bytes)
		fprintf(m, ", buffer-size=%u", p->buffer_bytes);
}

/* Print @item as an xl string: '...' with C escapes, and a comma (xl
 * accepts one after the last element of a list too). */
static void print_item(FILE *out, const char *indent, const char *item)
{
	fputs(indent, out);
	fputc('\'', out);
	for (const unsigned char *p = (const unsigned char *)item; *p; p++) {
		if (*p == '\\' || *p == '\'')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	fputs("',\n", out);
}

/* Build one item with @fn into a string and print it to @out. */
static int emit(FILE *out, const char *indent,
		int (*fn)(FILE *m, const void *a, const void *b), const void *a, const void *b)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	{
		_cleanup_(fclosep) FILE *m = open_memstream(&buf, &len);

		if (!m)
			return -ENOMEM;
		r = fn(m, a, b);
	}
	if (r < 0)
		return r;
	if (!buf)
		return -ENOMEM;
	print_item(out, indent, buf);
	return 0;
}

struct item_ctx {
	const char *fe;
	uint32_t backend;
	int pcm;
	int stream;
};

static int card_item(FILE *m, const void *a, const void *b)
{
	const struct vsnd_xscfg *cfg = a;
	const struct item_ctx *c = b;
	int r;

	fprintf(m, "CARD, backend=%u", c->backend);
	r = add_string(m, c->fe, -1, -1, "short-name", cfg->short_name);
	if (r >= 0)
		r = add_string(m, c->fe, -1, -1, "long-name", cfg->long_name);
	if (r >= 0)
		add_params(m, &cfg->params, c->fe, -1, -1);
	return r;
}

static int pcm_item(FILE *m, const void *a, const void *b)
{
	const struct vsnd_xscfg_pcm *pcm = a;
	const struct item_ctx *c = b;
	int r;

	fputs("PCM", m);
	r = add_string(m, c->fe, c->pcm, -1, "name", pcm->name);
	if (r >= 0)
		add_params(m, &pcm->params, c->fe, c->pcm, -1);
	return r;
}

static int stream_item(FILE *m, const void *a, const void *b)
{
	const struct vsnd_xscfg_stream *s = a;
	const struct item_ctx *c = b;
	int r;

	fputs("STREAM", m);
	r = add_string(m, c->fe, c->pcm, c->stream, "unique-id", s->unique_id);
	if (r < 0)
		return r;
	if (s->type == VSND_XSCFG_STREAM_PLAYBACK)
		fputs(", type=p", m);
	else if (s->type == VSND_XSCFG_STREAM_CAPTURE)
		fputs(", type=c", m);
	add_params(m, &s->params, c->fe, c->pcm, c->stream);
	return 0;
}

static int print_card(FILE *out, const struct vsnd_xscfg *cfg, struct item_ctx *c)
{
	int r;

	r = emit(out, "  [ ", card_item, cfg, c);
	for (unsigned int i = 0; r >= 0 && i < cfg->n_pcms; i++) {
		const struct vsnd_xscfg_pcm *pcm = cfg->pcms[i];

		c->pcm = (int)i;
		c->stream = -1;
		r = emit(out, "    ", pcm_item, pcm, c);
		for (unsigned int j = 0; r >= 0 && j < pcm->n_streams; j++) {
			c->stream = (int)j;
			r = emit(out, "      ", stream_item, &pcm->streams[j], c);
		}
	}
	if (r >= 0)
		fputs("  ],\n", out);
	return r;
}

int xsc_print_xl_card(const struct vsnd_xscfg *cfg, uint32_t backend, const char *fe)
{
	struct item_ctx c = { .fe = fe, .backend = backend, .pcm = -1, .stream = -1 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	/* The card goes to a buffer first: a value xl cannot carry prints
	 * no half card. */
	{
		_cleanup_(fclosep) FILE *m = open_memstream(&buf, &len);

		if (!m)
			return -ENOMEM;
		r = print_card(m, cfg, &c);
	}
	if (r < 0)
		return r;
	if (!buf)
		return -ENOMEM;
	fputs(buf, stdout);
	return 0;
}
