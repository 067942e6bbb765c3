// SPDX-License-Identifier: MIT
/*
 * The capability space of an "alsa:PCM" device, for HW_PARAM_QUERY: each
 * sndif format the device takes, with its rates among Linux's twelve and its
 * channel, buffer and period bounds; formats with equal bounds share an
 * entry.
 */
#include <alsa/asoundlib.h>

#include <errno.h>
#include <string.h>

#include "audio-impl.h"
#include "util.h"
#include "vsnd/format-alsa.h"
#include "vsnd/format.h"
#include "vsnd/limits.h"

static void hw_params_freep(snd_pcm_hw_params_t **p)
{
	if (*p)
		snd_pcm_hw_params_free(*p);
}

static void pcm_closep(snd_pcm_t **p)
{
	if (*p)
		snd_pcm_close(*p);
}

#define _cleanup_hw_params_ _cleanup_(hw_params_freep)
#define _cleanup_pcm_ _cleanup_(pcm_closep)

/* ---- probe --------------------------------------------------------------------- */

static uint32_t clamp_u32(snd_pcm_uframes_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The bounds of one format: 0, or -EINVAL when the device cannot do it. */
static int probe_format(snd_pcm_t *pcm, const snd_pcm_hw_params_t *any, uint8_t code,
			snd_pcm_hw_params_t *p, struct vsnd_hw_cap *ret)
{
	snd_pcm_uframes_t lo, hi;
	unsigned int cmin, cmax;
	int dir;

	snd_pcm_hw_params_copy(p, any);
	if (snd_pcm_hw_params_set_format(pcm, p, vsnd_format_to_alsa(code)) < 0)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->formats = VSND_FORMAT_BIT(code);
	for (unsigned int i = 0; i < VSND_LINUX_RATES_COUNT; i++)
		if (snd_pcm_hw_params_test_rate(pcm, p, vsnd_linux_rates[i], 0) == 0)
			(void)vsnd_rate_set_add(&ret->rates, vsnd_linux_rates[i]);
	if (ret->rates.n == 0 || snd_pcm_hw_params_get_channels_min(p, &cmin) < 0 ||
	    snd_pcm_hw_params_get_channels_max(p, &cmax) < 0 || cmin > 255)
		return -EINVAL;
	vsnd_interval_set(&ret->channels, cmin < 1 ? 1 : cmin, cmax > 255 ? 255 : cmax);
	if (snd_pcm_hw_params_get_buffer_size_min(p, &lo) < 0 ||
	    snd_pcm_hw_params_get_buffer_size_max(p, &hi) < 0)
		return -EINVAL;
	vsnd_interval_set(&ret->buffer_frames, clamp_u32(lo), clamp_u32(hi));
	if (snd_pcm_hw_params_get_period_size_min(p, &lo, &dir) < 0 ||
	    snd_pcm_hw_params_get_period_size_max(p, &hi, &dir) < 0)
		return -EINVAL;
	vsnd_interval_set(&ret->period_frames, clamp_u32(lo), clamp_u32(hi));
	return 0;
}

static bool interval_eq(const struct vsnd_interval *a, const struct vsnd_interval *b)
{
	return a->min == b->min && a->max == b->max;
}

static bool same_bounds(const struct vsnd_hw_cap *a, const struct vsnd_hw_cap *b)
{
	return a->rates.n == b->rates.n &&
	       memcmp(a->rates.rates, b->rates.rates, a->rates.n * sizeof(uint32_t)) == 0 &&
	       interval_eq(&a->channels, &b->channels) &&
	       interval_eq(&a->buffer_frames, &b->buffer_frames) &&
	       interval_eq(&a->period_frames, &b->period_frames);
}

static void widen(struct vsnd_interval *i, const struct vsnd_interval *by)
{
	vsnd_interval_set(i, i->min < by->min ? i->min : by->min,
			  i->max > by->max ? i->max : by->max);
}

/* Formats with equal bounds share an entry; past the last entry, the last
 * one grows to hold the newcomer (a superset: OPEN then has the last word). */
static void caps_add(struct vsnd_hw_caps *caps, const struct vsnd_hw_cap *c)
{
	struct vsnd_hw_cap *last;

	for (uint32_t i = 0; i < caps->n; i++)
		if (same_bounds(&caps->cap[i], c)) {
			caps->cap[i].formats |= c->formats;
			return;
		}
	if (caps->n < VSND_HW_CAPS_MAX) {
		caps->cap[caps->n++] = *c;
		return;
	}
	last = &caps->cap[VSND_HW_CAPS_MAX - 1];
	last->formats |= c->formats;
	for (uint32_t i = 0; i < c->rates.n; i++)
		(void)vsnd_rate_set_add(&last->rates, c->rates.rates[i]);
	widen(&last->channels, &c->channels);
	widen(&last->buffer_frames, &c->buffer_frames);
	widen(&last->period_frames, &c->period_frames);
}

/**
 * sndbe_audio_alsa_probe() - the capability space of an ALSA PCM.
 * @name: the ALSA PCM name.
 * @capture: which direction to open.
 * @ret: one entry per group of formats with equal bounds.
 *
 * Context: opens the device (may block as in sndbe_audio_alsa_open()).
 * Return: 0, -ENODEV, -EBUSY, -EINVAL (no usable format), -ENOMEM, or
 * alsa-lib's errno.
 */
int sndbe_audio_alsa_probe(const char *name, bool capture, struct vsnd_hw_caps *ret)
{
	_cleanup_hw_params_ snd_pcm_hw_params_t *any = NULL, *p = NULL;
	_cleanup_pcm_ snd_pcm_t *pcm = NULL;
	struct vsnd_hw_caps caps = { 0 };
	int r;

	r = sndbe_alsa_open_errno(snd_pcm_open(&pcm, name, capture ? SND_PCM_STREAM_CAPTURE :
						 SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK));
	if (r < 0)
		return r;
	if (snd_pcm_hw_params_malloc(&any) < 0 || snd_pcm_hw_params_malloc(&p) < 0)
		return -ENOMEM;
	r = snd_pcm_hw_params_any(pcm, any);
	if (r < 0)
		return r;
	r = snd_pcm_hw_params_set_access(pcm, any, SND_PCM_ACCESS_RW_INTERLEAVED);
	if (r < 0)
		return r;
	for (uint8_t code = 0; code < VSND_FORMAT_COUNT; code++) {
		struct vsnd_hw_cap c;

		if (vsnd_format_phys_bytes(code) == 0 || probe_format(pcm, any, code, p, &c) < 0)
			continue;
		caps_add(&caps, &c);
	}
	if (caps.n == 0)
		return -EINVAL;
	*ret = caps;
	return 0;
}
