// SPDX-License-Identifier: MIT
/*
 * Interval and mask arithmetic with ALSA's snd_interval/snd_mask semantics,
 * and conversion of hardware parameter spaces to and from the HW_PARAM_QUERY
 * wire layout (protocol.md 3.9). The guest frontend refines its ALSA space
 * with our answers, so these rules must agree with the kernel's: an integer
 * interval never keeps an open end (the end moves inward by one), a closed
 * singleton is integral, and every operation that leaves no value reports
 * -EINVAL. Unlike the kernel, moving an open end inward never wraps around at
 * 0 or UINT32_MAX: the interval becomes empty instead.
 */
#include "vsnd/hwparams.h"

#include <errno.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/wire.h"

void vsnd_interval_any(struct vsnd_interval *i)
{
	vsnd_interval_set(i, 0, UINT32_MAX);
}

void vsnd_interval_set(struct vsnd_interval *i, uint32_t min, uint32_t max)
{
	memset(i, 0, sizeof(*i));
	i->min = min;
	i->max = max;
	i->integer = true;
	i->empty = min > max;
}

int vsnd_interval_closed(const struct vsnd_interval *i, uint32_t *ret_min, uint32_t *ret_max)
{
	uint32_t lo = i->min, hi = i->max;

	if (i->empty)
		return -EINVAL;
	if (i->openmin) {
		if (lo == UINT32_MAX)
			return -EINVAL;
		lo++;
	}
	if (i->openmax) {
		if (hi == 0)
			return -EINVAL;
		hi--;
	}
	if (lo > hi)
		return -EINVAL;
	*ret_min = lo;
	*ret_max = hi;
	return 0;
}

bool vsnd_interval_is_empty(const struct vsnd_interval *i)
{
	uint32_t lo, hi;

	/* An integer interval is empty when no integer is left, e.g. (3, 4). */
	if (i->integer)
		return vsnd_interval_closed(i, &lo, &hi) < 0;
	return i->empty || i->min > i->max || (i->min == i->max && (i->openmin || i->openmax));
}

bool vsnd_interval_contains(const struct vsnd_interval *i, uint32_t v)
{
	if (vsnd_interval_is_empty(i))
		return false;
	if (v < i->min || (v == i->min && i->openmin))
		return false;
	if (v > i->max || (v == i->max && i->openmax))
		return false;
	return true;
}

/*
 * Bring @i to ALSA's canonical form after a refinement. Return false (and
 * mark @i empty) when nothing is left.
 */
static bool interval_normalize(struct vsnd_interval *i)
{
	if (i->integer) {
		if (i->openmin) {
			if (i->min == UINT32_MAX)
				goto none;
			i->min++;
			i->openmin = false;
		}
		if (i->openmax) {
			if (i->max == 0)
				goto none;
			i->max--;
			i->openmax = false;
		}
	} else if (!i->openmin && !i->openmax && i->min == i->max) {
		i->integer = true;
	}
	if (i->min > i->max || (i->min == i->max && (i->openmin || i->openmax)))
		goto none;
	return true;
none:
	i->empty = true;
	return false;
}

int vsnd_interval_refine(struct vsnd_interval *i, const struct vsnd_interval *v)
{
	int changed = 0;

	if (vsnd_interval_is_empty(i)) {
		i->empty = true;
		return -EINVAL;
	}
	if (vsnd_interval_is_empty(v)) {
		i->empty = true;
		return -EINVAL;
	}
	/* At equal bounds an open end is the narrower one. */
	if (i->min < v->min || (i->min == v->min && v->openmin && !i->openmin)) {
		i->min = v->min;
		i->openmin = v->openmin;
		changed = 1;
	}
	if (i->max > v->max || (i->max == v->max && v->openmax && !i->openmax)) {
		i->max = v->max;
		i->openmax = v->openmax;
		changed = 1;
	}
	if (v->integer && !i->integer) {
		i->integer = true;
		changed = 1;
	}
	if (!interval_normalize(i))
		return -EINVAL;
	return changed;
}

int vsnd_interval_refine_min(struct vsnd_interval *i, uint32_t min, bool openmin)
{
	struct vsnd_interval v = { .min = min, .max = UINT32_MAX, .openmin = openmin };

	return vsnd_interval_refine(i, &v);
}

int vsnd_interval_refine_max(struct vsnd_interval *i, uint32_t max, bool openmax)
{
	struct vsnd_interval v = { .min = 0, .max = max, .openmax = openmax };

	return vsnd_interval_refine(i, &v);
}

int vsnd_mask_refine(uint64_t *mask, uint64_t v)
{
	uint64_t old = *mask;

	if (old == 0)
		return -EINVAL;
	*mask = old & v;
	if (*mask == 0)
		return -EINVAL;
	return *mask != old;
}

static int interval_from_wire(uint32_t min, uint32_t max, struct vsnd_interval *ret)
{
	if (min > max)
		return -EINVAL;
	vsnd_interval_set(ret, min, max);
	return 0;
}

int vsnd_hw_space_from_wire(const struct xensnd_query_hw_param *w, struct vsnd_hw_space *ret)
{
	struct vsnd_hw_space s = { .formats = w->formats };

	if (interval_from_wire(w->rates.min, w->rates.max, &s.rates) < 0 ||
	    interval_from_wire(w->channels.min, w->channels.max, &s.channels) < 0 ||
	    interval_from_wire(w->buffer.min, w->buffer.max, &s.buffer_frames) < 0 ||
	    interval_from_wire(w->period.min, w->period.max, &s.period_frames) < 0)
		return -EINVAL;
	*ret = s;
	return 0;
}

int vsnd_hw_space_to_wire(const struct vsnd_hw_space *s, struct xensnd_query_hw_param *ret)
{
	struct xensnd_query_hw_param w;

	memset(&w, 0, sizeof(w));
	w.formats = s->formats;
	if (vsnd_interval_closed(&s->rates, &w.rates.min, &w.rates.max) < 0 ||
	    vsnd_interval_closed(&s->channels, &w.channels.min, &w.channels.max) < 0 ||
	    vsnd_interval_closed(&s->buffer_frames, &w.buffer.min, &w.buffer.max) < 0 ||
	    vsnd_interval_closed(&s->period_frames, &w.period.min, &w.period.max) < 0)
		return -EINVAL;
	*ret = w;
	return 0;
}

void vsnd_hw_caps_any(struct vsnd_hw_caps *ret)
{
	struct vsnd_hw_cap *c;

	memset(ret, 0, sizeof(*ret));
	ret->n = 1;
	c = &ret->cap[0];
	c->formats = VSND_FORMATS_FIXED;
	(void)vsnd_rate_set_range(&c->rates, 0, UINT32_MAX);
	vsnd_interval_any(&c->channels);
	vsnd_interval_any(&c->buffer_frames);
	vsnd_interval_any(&c->period_frames);
}
