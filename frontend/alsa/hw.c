// SPDX-License-Identifier: MIT
/*
 * hw.c - pcm_vsnd's hardware parameters.
 *
 * ioplug takes only static constraints: lists (access, formats, rates) and
 * ranges (channels, period and buffer in octets, periods), each independent
 * of the others. So at open the plugin asks the backend once what the
 * stream can do: one HW_PARAM_QUERY over the stream's whole XenStore space,
 * whose answer (already narrowed by the backend's host device and dom0
 * policy) becomes the lists and ranges. Whatever those cannot express (a
 * period that depends on the format, a host device taking only some
 * combinations) is checked at hw_params with a second query holding the
 * exact choice: a refusal fails snd_pcm_hw_params() with -EINVAL and the
 * stream is never OPENed with it.
 *
 * Sizes: sndif counts the buffer and period in octets and HW_PARAM_QUERY in
 * frames; octets per frame use the physical sample width (S24_LE takes 4).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "vsnd-common/util.h"
#include "vsnd/format-alsa.h"
#include "vsnd/format.h"

/* Linux's smallest period and fewest periods per buffer (protocol.md 4.2). */
#define PERIOD_BYTES_MIN 64u
#define PERIODS_MIN 2u

static uint32_t lo(const struct vsnd_interval *i)
{
	return i->openmin ? i->min + 1 : i->min;
}

static uint32_t hi(const struct vsnd_interval *i)
{
	return i->openmax ? i->max - 1 : i->max;
}

static uint32_t clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The stream's whole space, narrowed by the backend's answer. */
static int ask_backend(struct vsnd_pcm *vp, struct vsnd_stream_limits *lim,
		       struct vsnd_hw_space *sp)
{
	int r = vsndfe_stream_limits(vp->s, lim);

	if (r < 0)
		return r;
	memset(sp, 0, sizeof(*sp));
	sp->formats = lim->formats & VSND_FORMATS_FIXED;
	vsnd_interval_set(&sp->rates, lim->rates.min, lim->rates.max);
	vsnd_interval_set(&sp->channels, lim->channels_min, lim->channels_max);
	vsnd_interval_set(&sp->buffer_frames, 1, lim->buffer_bytes_max);
	vsnd_interval_set(&sp->period_frames, 1, lim->buffer_bytes_max);
	r = vsndfe_stream_query(vp->s, sp);
	if (r < 0)
		SNDERR("vsnd: HW_PARAM_QUERY of stream %u: %s", vp->index,
		       r == -EINVAL ? "the backend finds nothing feasible" : strerror(-r));
	return r;
}

/* The ALSA formats of @formats; the smallest and largest sample widths. */
static int set_formats(struct vsnd_pcm *vp, uint64_t formats, uint32_t *ret_min,
		       uint32_t *ret_max)
{
	unsigned int list[VSND_FORMAT_COUNT], n = 0;

	*ret_min = UINT32_MAX;
	*ret_max = 0;
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT; c++) {
		uint32_t w = vsnd_format_phys_bytes(c);

		if (!(formats & VSND_FORMAT_BIT(c)) || !w ||
		    vsnd_format_to_alsa(c) == SND_PCM_FORMAT_UNKNOWN)
			continue;
		list[n++] = (unsigned int)vsnd_format_to_alsa(c);
		*ret_min = w < *ret_min ? w : *ret_min;
		*ret_max = w > *ret_max ? w : *ret_max;
	}
	if (!n) {
		SNDERR("vsnd: stream %u offers no format with a fixed frame size", vp->index);
		return -EINVAL;
	}
	return snd_pcm_ioplug_set_param_list(&vp->io, SND_PCM_IOPLUG_HW_FORMAT, n, list);
}

/* A discrete rate list stays a list (of the rates the answer keeps). */
static int set_rates(struct vsnd_pcm *vp, const struct vsnd_rate_set *rates,
		     const struct vsnd_interval *answer)
{
	unsigned int list[VSND_MAX_RATES], n = 0;

	if (!rates->n)
		return snd_pcm_ioplug_set_param_minmax(&vp->io, SND_PCM_IOPLUG_HW_RATE,
						       lo(answer), hi(answer));
	for (uint32_t i = 0; i < rates->n && i < VSND_MAX_RATES; i++)
		if (vsnd_interval_contains(answer, rates->rates[i]))
			list[n++] = rates->rates[i];
	if (!n) {
		SNDERR("vsnd: stream %u: the backend keeps none of its rates", vp->index);
		return -EINVAL;
	}
	return snd_pcm_ioplug_set_param_list(&vp->io, SND_PCM_IOPLUG_HW_RATE, n, list);
}

/* Period and buffer octets: the answer's frames times the frame sizes
 * possible, within the stream's buffer-size. */
static int set_sizes(struct vsnd_pcm *vp, const struct vsnd_stream_limits *lim,
		     const struct vsnd_hw_space *sp, uint32_t fmin, uint32_t fmax)
{
	uint32_t pmin, pmax, bmin, bmax;
	int r;

	pmin = clamp_u32((uint64_t)lo(&sp->period_frames) * fmin);
	pmin = pmin > PERIOD_BYTES_MIN ? pmin : PERIOD_BYTES_MIN;
	pmax = clamp_u32((uint64_t)hi(&sp->period_frames) * fmax);
	pmax = pmax < lim->buffer_bytes_max / PERIODS_MIN ? pmax
							   : lim->buffer_bytes_max / PERIODS_MIN;
	bmin = clamp_u32((uint64_t)lo(&sp->buffer_frames) * fmin);
	bmin = bmin > PERIODS_MIN * pmin ? bmin : PERIODS_MIN * pmin;
	bmax = clamp_u32((uint64_t)hi(&sp->buffer_frames) * fmax);
	bmax = bmax < lim->buffer_bytes_max ? bmax : lim->buffer_bytes_max;
	if (pmin > pmax || bmin > bmax) {
		SNDERR("vsnd: stream %u: no period of %u octets or more fits its buffer-size "
		       "of %u octets", vp->index, pmin, lim->buffer_bytes_max);
		return -EINVAL;
	}
	r = snd_pcm_ioplug_set_param_minmax(&vp->io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, pmin, pmax);
	if (r == 0)
		r = snd_pcm_ioplug_set_param_minmax(&vp->io, SND_PCM_IOPLUG_HW_BUFFER_BYTES,
						    bmin, bmax);
	if (r == 0)
		r = snd_pcm_ioplug_set_param_minmax(&vp->io, SND_PCM_IOPLUG_HW_PERIODS,
						    PERIODS_MIN, bmax / pmin);
	return r;
}

int vsnd_pcm_set_constraints(struct vsnd_pcm *vp)
{
	static const unsigned int access[] = {
		SND_PCM_ACCESS_RW_INTERLEAVED,
		SND_PCM_ACCESS_MMAP_INTERLEAVED,
	};
	struct vsnd_stream_limits lim;
	struct vsnd_hw_space sp;
	uint32_t wmin, wmax;
	int r;

	r = ask_backend(vp, &lim, &sp);
	if (r < 0)
		return r;
	r = snd_pcm_ioplug_set_param_list(&vp->io, SND_PCM_IOPLUG_HW_ACCESS,
					  ARRAY_SIZE(access), access);
	if (r == 0)
		r = set_formats(vp, sp.formats, &wmin, &wmax);
	if (r == 0)
		r = snd_pcm_ioplug_set_param_minmax(&vp->io, SND_PCM_IOPLUG_HW_CHANNELS,
						    lo(&sp.channels), hi(&sp.channels));
	if (r == 0)
		r = set_rates(vp, &lim.rates, &sp.rates);
	if (r == 0)
		r = set_sizes(vp, &lim, &sp, wmin * lo(&sp.channels), wmax * hi(&sp.channels));
	return r;
}

/* The exact choice, as one HW_PARAM_QUERY: the backend must keep all of it. */
static int check_exact(struct vsnd_pcm *vp, const struct vsndfe_pcm_params *p,
		       uint32_t buffer_frames, uint32_t period_frames)
{
	struct vsnd_hw_space sp = { .formats = VSND_FORMAT_BIT(p->format) };
	int r;

	vsnd_interval_set(&sp.rates, p->rate, p->rate);
	vsnd_interval_set(&sp.channels, p->channels, p->channels);
	vsnd_interval_set(&sp.buffer_frames, buffer_frames, buffer_frames);
	vsnd_interval_set(&sp.period_frames, period_frames, period_frames);
	r = vsndfe_stream_query(vp->s, &sp);
	if (r == -EINVAL)
		SNDERR("vsnd: stream %u: the backend refuses %s, %u Hz, %u channels, a buffer "
		       "of %u frames and a period of %u frames", vp->index,
		       snd_pcm_format_name(vp->io.format), p->rate, p->channels, buffer_frames,
		       period_frames);
	else if (r < 0)
		SNDERR("vsnd: HW_PARAM_QUERY of stream %u: %s", vp->index, strerror(-r));
	return r;
}

/* The sndif parameters of what ALSA chose. */
static int to_params(struct vsnd_pcm *vp, struct vsndfe_pcm_params *p)
{
	const snd_pcm_ioplug_t *io = &vp->io;
	int code = vsnd_format_from_alsa(io->format);
	uint64_t buffer, period;

	if (code < 0 || io->channels > UINT8_MAX ||
	    vsnd_frame_bytes((unsigned int)code, io->channels, &vp->frame_bytes) < 0)
		return -EINVAL;
	buffer = (uint64_t)io->buffer_size * vp->frame_bytes;
	period = (uint64_t)io->period_size * vp->frame_bytes;
	if (buffer > UINT32_MAX || period > buffer || io->buffer_size > UINT32_MAX)
		return -EINVAL;
	p->rate = io->rate;
	p->format = (uint8_t)code;
	p->channels = (uint8_t)io->channels;
	p->buffer_bytes = (uint32_t)buffer;
	p->period_bytes = (uint32_t)period;
	return 0;
}

/* One area per channel over the shared buffer (its address is set at each OPEN). */
static int make_areas(struct vsnd_pcm *vp)
{
	unsigned int width = (unsigned int)snd_pcm_format_physical_width(vp->io.format);

	free(vp->areas);
	vp->areas = calloc(vp->io.channels, sizeof(*vp->areas));
	if (!vp->areas)
		return -ENOMEM;
	for (unsigned int c = 0; c < vp->io.channels; c++) {
		vp->areas[c].first = c * width;
		vp->areas[c].step = vp->frame_bytes * 8;
	}
	return 0;
}

int vsnd_pcm_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params)
{
	struct vsnd_pcm *vp = io->private_data;
	struct vsndfe_pcm_params p;
	int r;

	(void)params;
	vp->have_params = false;
	r = to_params(vp, &p);
	if (r < 0) {
		SNDERR("vsnd: stream %u: %s with %u channels, a buffer of %lu frames: not "
		       "expressible in sndif", vp->index, snd_pcm_format_name(io->format),
		       io->channels, (unsigned long)io->buffer_size);
		return r;
	}
	r = check_exact(vp, &p, (uint32_t)io->buffer_size, (uint32_t)io->period_size);
	if (r < 0)
		return r;
	r = make_areas(vp);
	if (r < 0)
		return r;
	/* New parameters: the next prepare OPENs with them. */
	if (vsndfe_stream_is_open(vp->s))
		(void)vsndfe_stream_close(vp->s);
	vp->params = p;
	vp->buffer_frames = io->buffer_size;
	vp->boundary = 0;
	vp->stop_threshold = io->buffer_size;
	vp->have_params = true;
	vsnd_pcm_log(vp, "hw_params: %s, %u Hz, %u channels, buffer %u octets, period %u "
		     "octets", snd_pcm_format_name(io->format), p.rate, p.channels,
		     p.buffer_bytes, p.period_bytes);
	return 0;
}

int vsnd_pcm_hw_free(snd_pcm_ioplug_t *io)
{
	struct vsnd_pcm *vp = io->private_data;
	int r = 0;

	if (vsndfe_stream_is_open(vp->s))
		r = vsndfe_stream_close(vp->s);
	vp->have_params = false;
	free(vp->areas);
	vp->areas = NULL;
	return r == -ENOTCONN ? 0 : r;
}

int vsnd_pcm_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params)
{
	struct vsnd_pcm *vp = io->private_data;
	snd_pcm_uframes_t v;

	if (snd_pcm_sw_params_get_boundary(params, &v) == 0)
		vp->boundary = v;
	if (snd_pcm_sw_params_get_stop_threshold(params, &v) == 0)
		vp->stop_threshold = v;
	return 0;
}
