// SPDX-License-Identifier: MIT
/*
 * The items of an xl `vsnd` entry ('CARD, key=value, ...', 'PCM, ...',
 * 'STREAM, ...'), read exactly as xl's parse_vsnd_item() reads them, so that
 * the nodes written afterwards are the ones libxl would write. Deviations
 * from what a user likely meant become warnings; what xl refuses (or would
 * crash on) is an error naming the token and the reason.
 */
#include "xlcfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsnd/format.h"
#include "vsnd/wire.h"

#include "vsnd-common/util.h"

__attribute__((format(printf, 2, 3))) static int fail(struct vsnd_xl_diag *d, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

__attribute__((format(printf, 2, 3))) static void warn(struct vsnd_xl_diag *d, const char *fmt,
						       ...)
{
	va_list ap;

	if (d->n_warnings >= VSND_XL_WARN_MAX) {
		d->lost_warnings++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->warnings[d->n_warnings++], VSND_XL_MSG_MAX, fmt, ap);
	va_end(ap);
}

const char *vsnd_xl_format_name(unsigned int code)
{
	const struct vsnd_format_info *f = vsnd_format_info(code);

	if (!f)
		return NULL;
	return f->libxl_name ? f->libxl_name : f->name;
}

/* libxl_vsnd_pcm_format_from_string(): its enum names, case-insensitively. */
static int libxl_format(const char *s)
{
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT; c++)
		if (strcasecmp(s, vsnd_xl_format_name(c)) == 0)
			return (int)c;
	return -EINVAL;
}

/* strtoul(s, NULL, 0) truncated to the u32 libxl stores, with a warning
 * when that is not the plain decimal the text looks like. */
static uint32_t xl_number(const char *key, const char *s, struct vsnd_xl_diag *d)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (end == s)
		warn(d, "%s=%s: not a number, xl reads 0", key, s);
	else if (*end)
		warn(d, "%s=%s: xl ignores \"%s\" and reads %lu", key, s, end, v);
	else if (errno == ERANGE || v > UINT32_MAX)
		warn(d, "%s=%s: too large, libxl keeps %u", key, s, (uint32_t)v);
	else if (s[0] == '0' && s[1] != '\0')
		warn(d, "%s=%s: xl reads a leading 0 as octal or hex: %lu", key, s, v);
	return (uint32_t)v;
}

static int parse_rates(struct vsnd_xl_params *p, char *list, struct vsnd_xl_diag *d)
{
	char *save = NULL;
	uint32_t n = 0;

	for (char *t = strtok_r(list, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		if (n == VSND_XL_MAX_LIST)
			return fail(d, "sample-rates: more than %u entries", VSND_XL_MAX_LIST);
		p->rates[n++] = xl_number("sample-rates", t, d);
	}
	p->n_rates = n;
	return 0;
}

static int parse_formats(struct vsnd_xl_params *p, char *list, struct vsnd_xl_diag *d)
{
	char *save = NULL;
	uint32_t n = 0;

	for (char *t = strtok_r(list, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		int c = libxl_format(t);

		if (c < 0) {
			int sndif = vsnd_format_from_name(t, strlen(t));

			if (sndif >= 0)
				return fail(d, "sample-formats: \"%s\": xl spells it \"%s\"", t,
					    vsnd_xl_format_name((unsigned int)sndif));
			return fail(d, "sample-formats: \"%s\" is not a pcm format xl knows", t);
		}
		if (n == VSND_XL_MAX_LIST)
			return fail(d, "sample-formats: more than %u entries", VSND_XL_MAX_LIST);
		p->formats[n++] = (uint8_t)c;
	}
	p->n_formats = n;
	return 0;
}

/* The value after "key=" if @token starts with it (xl's MATCH_OPTION). */
static const char *option(const char *token, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(token, key, n) == 0 && token[n] == '=')
		return token + n + 1;
	return NULL;
}

/* parse_vsnd_params(): 1 when @token is none of the shared keys. */
static int parse_params(struct vsnd_xl_params *p, const char *token, struct vsnd_xl_diag *d)
{
	_cleanup_free_ char *list = NULL;
	const char *v;

	if ((v = option(token, "sample-rates")) || (v = option(token, "sample-formats"))) {
		/* xl's list splitter dereferences NULL on an empty list. */
		if (v[strspn(v, ";")] == '\0')
			return fail(d, "%s: empty list (xl would crash on it)", token);
		list = strdup(v);
		if (!list)
			return -ENOMEM;
		return token[7] == 'r' ? parse_rates(p, list, d) : parse_formats(p, list, d);
	}
	if ((v = option(token, "channels-min")))
		p->channels_min = xl_number("channels-min", v, d);
	else if ((v = option(token, "channels-max")))
		p->channels_max = xl_number("channels-max", v, d);
	else if ((v = option(token, "buffer-size")))
		p->buffer_size = xl_number("buffer-size", v, d);
	else
		return 1;
	return 0;
}

static int set_string(char **field, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int card_param(struct vsnd_xl_card *card, const char *token, struct vsnd_xl_diag *d)
{
	const char *v;
	int r = parse_params(&card->params, token, d);

	if (r <= 0)
		return r;
	if ((v = option(token, "backend")))
		return set_string(&card->backend, v);
	if ((v = option(token, "short-name")))
		return set_string(&card->short_name, v);
	if ((v = option(token, "long-name")))
		return set_string(&card->long_name, v);
	return fail(d, "CARD: invalid parameter \"%s\"", token);
}

static int pcm_param(struct vsnd_xl_pcm *pcm, const char *token, struct vsnd_xl_diag *d)
{
	const char *v;
	int r = parse_params(&pcm->params, token, d);

	if (r <= 0)
		return r;
	if ((v = option(token, "name")))
		return set_string(&pcm->name, v);
	return fail(d, "PCM: invalid parameter \"%s\"", token);
}

static int stream_param(struct vsnd_xl_stream *s, const char *token, struct vsnd_xl_diag *d)
{
	const char *v;
	int r = parse_params(&s->params, token, d);

	if (r <= 0)
		return r;
	if ((v = option(token, "unique-id")))
		return set_string(&s->unique_id, v);
	if ((v = option(token, "type"))) {
		if (strcasecmp(v, "p") == 0)
			s->type = VSND_XL_STREAM_P;
		else if (strcasecmp(v, "c") == 0)
			s->type = VSND_XL_STREAM_C;
		else
			return fail(d, "STREAM: invalid stream type \"%s\" (p or c)", v);
		return 0;
	}
	/* The man page's `id=` never parsed (protocol.md 6.1). */
	if (option(token, "id"))
		return fail(d, "STREAM: invalid parameter \"%s\": xl knows unique-id=, not id=",
			    token);
	return fail(d, "STREAM: invalid parameter \"%s\"", token);
}

static int add_pcm(struct vsnd_xl_card *card, struct vsnd_xl_diag *d)
{
	struct vsnd_xl_pcm *p;

	if (card->n_pcms == VSND_XL_MAX_PCMS)
		return fail(d, "more than %u PCM devices in one card", VSND_XL_MAX_PCMS);
	p = realloc(card->pcms, (card->n_pcms + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	card->pcms = p;
	memset(&p[card->n_pcms++], 0, sizeof(*p));
	return 0;
}

static int add_stream(struct vsnd_xl_card *card, struct vsnd_xl_diag *d)
{
	struct vsnd_xl_stream *s;
	struct vsnd_xl_pcm *pcm;
	int r;

	/* A STREAM before any PCM creates PCM 0, as xl does. */
	if (card->n_pcms == 0 && (r = add_pcm(card, d)) < 0)
		return r;
	pcm = &card->pcms[card->n_pcms - 1];
	if (pcm->n_streams == VSND_XL_MAX_STREAMS)
		return fail(d, "more than %u streams in one PCM", VSND_XL_MAX_STREAMS);
	s = realloc(pcm->streams, (pcm->n_streams + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	pcm->streams = s;
	memset(&s[pcm->n_streams++], 0, sizeof(*s));
	return 0;
}

enum item_kind { ITEM_CARD, ITEM_PCM, ITEM_STREAM };

static int item_start(struct vsnd_xl_card *card, const char *key, enum item_kind *ret,
		      struct vsnd_xl_diag *d)
{
	if (strcasecmp(key, "card") == 0) {
		*ret = ITEM_CARD;
		return 0;
	}
	if (strcasecmp(key, "pcm") == 0) {
		*ret = ITEM_PCM;
		return add_pcm(card, d);
	}
	if (strcasecmp(key, "stream") == 0) {
		*ret = ITEM_STREAM;
		return add_stream(card, d);
	}
	return fail(d, "invalid item \"%s\" (CARD, PCM or STREAM)", key);
}

static int item_param(struct vsnd_xl_card *card, enum item_kind kind, const char *token,
		      struct vsnd_xl_diag *d)
{
	struct vsnd_xl_pcm *pcm;

	if (kind == ITEM_CARD)
		return card_param(card, token, d);
	pcm = &card->pcms[card->n_pcms - 1];
	if (kind == ITEM_PCM)
		return pcm_param(pcm, token, d);
	return stream_param(&pcm->streams[pcm->n_streams - 1], token, d);
}

int vsnd_xl_parse_item(struct vsnd_xl_card *card, const char *spec, struct vsnd_xl_diag *d)
{
	_cleanup_free_ char *buf = strdup(spec);
	enum item_kind kind = ITEM_CARD;
	bool have_key = false;
	char *save = NULL;
	int r;

	if (!buf)
		return -ENOMEM;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (!have_key) {
			r = item_start(card, t, &kind, d);
			have_key = true;
		} else {
			r = item_param(card, kind, t, d);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

void vsnd_xl_card_clear(struct vsnd_xl_card *card)
{
	for (uint32_t i = 0; i < card->n_pcms; i++) {
		struct vsnd_xl_pcm *pcm = &card->pcms[i];

		for (uint32_t j = 0; j < pcm->n_streams; j++)
			free(pcm->streams[j].unique_id);
		free(pcm->streams);
		free(pcm->name);
	}
	free(card->pcms);
	free(card->backend);
	free(card->short_name);
	free(card->long_name);
	memset(card, 0, sizeof(*card));
}

struct vsnd_xl_config *vsnd_xl_config_free(struct vsnd_xl_config *cfg)
{
	if (!cfg)
		return NULL;
	for (uint32_t i = 0; i < cfg->n_cards && i < VSND_XL_MAX_CARDS; i++)
		vsnd_xl_card_clear(&cfg->cards[i]);
	free(cfg);
	return NULL;
}
