// SPDX-License-Identifier: MIT
/*
 * policy-keys.c - the keys of a policy section (vsndbe.conf(5)) and their
 * values: one parser per key, each refusing what it does not know with a
 * reason; the host device template check and its expansion; narrowing a
 * stream's limits by the resolved settings.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-int.h"
#include "policy.h"
#include "vsnd/xscfg.h"

static const char *const key_names[_POLICY_KEY_MAX] = {
	[POLICY_KEY_SINK] = "sink",
	[POLICY_KEY_CAPTURE] = "capture",
	[POLICY_KEY_MAX_STREAMS] = "max-streams",
	[POLICY_KEY_MAX_BUFFER_BYTES] = "max-buffer-bytes",
	[POLICY_KEY_RATES] = "rates",
	[POLICY_KEY_MAX_CHANNELS] = "max-channels",
	[POLICY_KEY_MAX_VOLUME_MDB] = "max-volume-mdb",
};

int policy_key_from_name(const char *name)
{
	for (int k = 0; k < _POLICY_KEY_MAX; k++)
		if (strcmp(name, key_names[k]) == 0)
			return k;
	return -EINVAL;
}

/* A canonical decimal, '-' allowed when @neg, within [min, max]. */
static bool parse_int(const char *s, bool neg, int64_t min, int64_t max, int64_t *ret)
{
	bool minus = neg && s[0] == '-';
	const char *d = minus ? s + 1 : s;
	size_t len = strlen(d);
	int64_t v = 0;

	if (len == 0 || len > 10 || (d[0] == '0' && len > 1) || (minus && strcmp(d, "0") == 0))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
		v = v * 10 + (d[i] - '0');
	}
	if (minus)
		v = -v;
	if (v < min || v > max)
		return false;
	*ret = v;
	return true;
}

int sndbe_dev_expand_spec(const char *tmpl, uint32_t domid, unsigned int pcm, unsigned int stream,
			  char *buf, size_t size)
{
	const unsigned int v[3] = { domid, pcm, stream };
	unsigned int used = 0;
	size_t off = 0;

	for (const char *c = tmpl; *c; c++) {
		char tmp[16];
		size_t len;

		if (*c != '%') {
			tmp[0] = *c;
			tmp[1] = '\0';
		} else if (c[1] == '%') {
			strcpy(tmp, "%");
			c++;
		} else if (c[1] == 'u' && used < 3) {
			snprintf(tmp, sizeof(tmp), "%u", v[used++]);
			c++;
		} else {
			return -EINVAL;
		}
		len = strlen(tmp);
		if (off + len >= size)
			return -ENAMETOOLONG;
		memcpy(buf + off, tmp, len);
		off += len;
	}
	if (off >= size)
		return -ENAMETOOLONG;
	buf[off] = '\0';
	return 0;
}

int sndbe_spec_check(const char *tmpl, const char **why)
{
	char spec[SNDBE_POLICY_SPEC_MAX];
	int r;

	r = sndbe_dev_expand_spec(tmpl, 0, 0, 0, spec, sizeof(spec));
	if (r == -ENAMETOOLONG) {
		*why = "longer than 511 characters once expanded";
		return -EINVAL;
	}
	if (r < 0) {
		*why = "'%' may only start \"%u\" (at most three) or \"%%\"";
		return -EINVAL;
	}
	if (strcmp(spec, "null") == 0 || strcmp(spec, "null:unpaced") == 0)
		return 0;
	if ((strncmp(spec, "file:", 5) == 0 && spec[5]) ||
	    (strncmp(spec, "alsa:", 5) == 0 && spec[5]))
		return 0;
	*why = "expected null, null:unpaced, file:PATH or alsa:PCM";
	return -EINVAL;
}

static int parse_sink(struct policy_rule *rule, const char *value, const char **why)
{
	char *s;

	if (sndbe_spec_check(value, why) < 0)
		return -EINVAL;
	s = strdup(value);
	if (!s)
		return -ENOMEM;
	free(rule->sink);
	rule->sink = s;
	return 0;
}

static int parse_capture(struct policy_rule *rule, const char *value, const char **why)
{
	static const char *const names[] = {
		[SNDBE_CAPTURE_ALLOW] = "allow",
		[SNDBE_CAPTURE_DENY] = "deny",
		[SNDBE_CAPTURE_SILENCE] = "silence",
	};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(value, names[i]) == 0) {
			rule->v.capture = (enum sndbe_capture)i;
			return 0;
		}
	}
	*why = "expected allow, deny or silence";
	return -EINVAL;
}

/* One rate of a list or range: a decimal in 1..VSND_XSCFG_RATE_MAX. */
static bool parse_rate(const char *s, size_t len, uint32_t *ret)
{
	char tmp[12];
	int64_t v;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (!parse_int(tmp, false, 1, VSND_XSCFG_RATE_MAX, &v))
		return false;
	*ret = (uint32_t)v;
	return true;
}

/* "MIN-MAX" or "R1,R2,...": no blanks, each rate 1..768000. */
static int parse_rates(struct policy_rule *rule, const char *value, const char **why)
{
	const char *dash = strchr(value, '-');
	struct vsnd_rate_set set = { .n = 0 };
	uint32_t lo, hi;

	if (dash) {
		if (!parse_rate(value, (size_t)(dash - value), &lo) ||
		    !parse_rate(dash + 1, strlen(dash + 1), &hi) || lo > hi) {
			*why = "a range is MIN-MAX, two rates from 1 to 768000 with MIN <= MAX";
			return -EINVAL;
		}
		(void)vsnd_rate_set_range(&set, lo, hi);
		rule->v.rates = set;
		return 0;
	}
	for (const char *s = value;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (!parse_rate(s, len, &lo)) {
			*why = "expected MIN-MAX or a comma-separated list of rates from 1 to 768000";
			return -EINVAL;
		}
		if (vsnd_rate_set_contains(&set, lo) && set.n) {
			*why = "a rate is listed twice";
			return -EINVAL;
		}
		if (vsnd_rate_set_add(&set, lo) < 0) {
			*why = "a list holds at most 32 rates";
			return -EINVAL;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	rule->v.rates = set;
	return 0;
}

/* The numeric keys: bounds and the reason given when a value is refused. */
static int parse_number(struct policy_rule *rule, int key, const char *value, const char **why)
{
	int64_t v;

	switch (key) {
	case POLICY_KEY_MAX_STREAMS:
		if (rule->sel.level > POLICY_LV_CARD) {
			*why = "max-streams counts a card's streams: only in [defaults], "
			       "[domain:D] or [domain:D/CARD]";
			return -EINVAL;
		}
		if (!parse_int(value, false, 1, VSND_MAX_PCMS * VSND_MAX_STREAMS_PER_PCM, &v)) {
			*why = "expected a number from 1 to 792";
			return -EINVAL;
		}
		rule->v.max_streams = (uint32_t)v;
		return 0;
	case POLICY_KEY_MAX_BUFFER_BYTES:
		if (!parse_int(value, false, VSND_XSCFG_BUFFER_BYTES_MIN,
			       VSND_XSCFG_BUFFER_BYTES_MAX, &v)) {
			*why = "expected a number of bytes from 128 to 16777216";
			return -EINVAL;
		}
		rule->v.max_buffer_bytes = (uint32_t)v;
		return 0;
	case POLICY_KEY_MAX_CHANNELS:
		if (!parse_int(value, false, 1, VSND_XSCFG_MAX_CHANNELS, &v)) {
			*why = "expected a number from 1 to 64";
			return -EINVAL;
		}
		rule->v.max_channels = (uint32_t)v;
		return 0;
	default: /* POLICY_KEY_MAX_VOLUME_MDB */
		if (!parse_int(value, true, SNDBE_POLICY_VOLUME_MIN_MDB,
			       SNDBE_POLICY_VOLUME_MAX_MDB, &v)) {
			*why = "expected a gain in 0.001 dB from -120000 to 0";
			return -EINVAL;
		}
		rule->v.max_volume_mdb = (int32_t)v;
		return 0;
	}
}

int policy_key_parse(struct policy_rule *rule, int key, const char *value, const char **why)
{
	int r;

	if (!*value) {
		*why = "the value is empty";
		return -EINVAL;
	}
	switch (key) {
	case POLICY_KEY_SINK:
		r = parse_sink(rule, value, why);
		break;
	case POLICY_KEY_CAPTURE:
		r = parse_capture(rule, value, why);
		break;
	case POLICY_KEY_RATES:
		r = parse_rates(rule, value, why);
		break;
	default:
		r = parse_number(rule, key, value, why);
		break;
	}
	return r < 0 ? r : key;
}

void policy_key_copy(const struct policy_rule *rule, int key, struct sndbe_policy_settings *ret)
{
	switch (key) {
	case POLICY_KEY_SINK:
		ret->sink = rule->sink;
		break;
	case POLICY_KEY_CAPTURE:
		ret->capture = rule->v.capture;
		break;
	case POLICY_KEY_MAX_STREAMS:
		ret->max_streams = rule->v.max_streams;
		break;
	case POLICY_KEY_MAX_BUFFER_BYTES:
		ret->max_buffer_bytes = rule->v.max_buffer_bytes;
		break;
	case POLICY_KEY_RATES:
		ret->has_rates = true;
		ret->rates = rule->v.rates;
		break;
	case POLICY_KEY_MAX_CHANNELS:
		ret->max_channels = rule->v.max_channels;
		break;
	default: /* POLICY_KEY_MAX_VOLUME_MDB */
		ret->has_max_volume = true;
		ret->max_volume_mdb = rule->v.max_volume_mdb;
		break;
	}
}

/* @a ∩ @b into @ret; an empty result is the range [1, 0]. */
static void rates_meet(const struct vsnd_rate_set *a, const struct vsnd_rate_set *b,
		       struct vsnd_rate_set *ret)
{
	struct vsnd_rate_set out = { .n = 0 };
	const struct vsnd_rate_set *list = a->n ? a : b, *other = a->n ? b : a;

	if (!a->n && !b->n) {
		out.min = a->min > b->min ? a->min : b->min;
		out.max = a->max < b->max ? a->max : b->max;
		if (out.min > out.max)
			out.min = 1, out.max = 0;
		*ret = out;
		return;
	}
	for (uint32_t i = 0; i < list->n && i < VSND_MAX_RATES; i++)
		if (vsnd_rate_set_contains(other, list->rates[i]))
			(void)vsnd_rate_set_add(&out, list->rates[i]);
	if (!out.n)
		out.min = 1, out.max = 0;
	*ret = out;
}

void sndbe_policy_narrow(const struct sndbe_policy_settings *ps, struct vsnd_stream_limits *lim)
{
	if (ps->has_rates)
		rates_meet(&lim->rates, &ps->rates, &lim->rates);
	if (ps->max_channels && lim->channels_max > ps->max_channels)
		lim->channels_max = ps->max_channels;
	if (ps->max_buffer_bytes && lim->buffer_bytes_max > ps->max_buffer_bytes)
		lim->buffer_bytes_max = ps->max_buffer_bytes;
}
