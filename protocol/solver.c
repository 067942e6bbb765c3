// SPDX-License-Identifier: MIT
/*
 * The HW_PARAM_QUERY solver (vsnd/hwparams.h, protocol.md 3.9). The feasible
 * set is a union over (format, capability entry) pairs, so its bounding box
 * is the union of the pairs' bounding boxes, and each of those is computed in
 * closed form instead of by search: the rate is coupled to nothing, and the
 * only couplings left, b * c * width <= buffer_bytes_max and p <= b, are
 * monotone, so every extreme of one dimension is reached with the others at
 * their smallest feasible value. The work is bounded by the format count,
 * VSND_HW_CAPS_MAX and VSND_MAX_RATES, never by the magnitudes a guest
 * chooses, and every product is formed in 64 bits.
 */
#include "vsnd/hwparams.h"

#include <errno.h>

#include "vsnd/format.h"

/* A closed integer range, empty when lo > hi. */
struct span {
	uint32_t lo;
	uint32_t hi;
};

/* The coupled dimensions of a configuration. */
struct shape {
	struct span channels;
	struct span buffer;
	struct span period;
};

/* The bounding box of the feasible configurations found so far. */
struct box {
	uint64_t formats;
	struct span rates;
	struct shape shape;
};

static bool span_meet(struct span *s, uint32_t lo, uint32_t hi)
{
	if (s->lo < lo)
		s->lo = lo;
	if (s->hi > hi)
		s->hi = hi;
	return s->lo <= s->hi;
}

/* Narrow @s to the integers of @i. */
static bool span_meet_interval(struct span *s, const struct vsnd_interval *i)
{
	uint32_t lo, hi;

	if (vsnd_interval_closed(i, &lo, &hi) < 0)
		return false;
	return span_meet(s, lo, hi);
}

/* The integers of @i that are >= @floor. */
static bool span_of(const struct vsnd_interval *i, uint32_t floor, struct span *ret)
{
	ret->lo = floor;
	ret->hi = UINT32_MAX;
	return span_meet_interval(ret, i);
}

static void span_join(struct span *acc, const struct span *s)
{
	if (s->lo < acc->lo)
		acc->lo = s->lo;
	if (s->hi > acc->hi)
		acc->hi = s->hi;
}

static uint32_t min_u64_u32(uint64_t a, uint32_t b)
{
	return a < b ? (uint32_t)a : b;
}

/* A corrupt count must not walk past the array. */
static uint32_t rate_count(const struct vsnd_rate_set *set)
{
	return set->n < VSND_MAX_RATES ? set->n : VSND_MAX_RATES;
}

/*
 * The smallest and largest rate in @a, in @b and in @win. A discrete list
 * is scanned (without trusting its order); two ranges simply intersect.
 */
static bool rates_meet(const struct vsnd_rate_set *a, const struct vsnd_rate_set *b,
		       struct span win, struct span *ret)
{
	const struct vsnd_rate_set *t;
	bool found = false;

	if (a->n == 0 && b->n == 0) {
		if (!span_meet(&win, a->min, a->max) || !span_meet(&win, b->min, b->max))
			return false;
		*ret = win;
		return true;
	}
	if (a->n == 0) {
		t = a;
		a = b;
		b = t;
	}
	for (uint32_t k = 0; k < rate_count(a); k++) {
		uint32_t r = a->rates[k];

		if (r < win.lo || r > win.hi || !vsnd_rate_set_contains(b, r))
			continue;
		if (!found || r < ret->lo)
			ret->lo = r;
		if (!found || r > ret->hi)
			ret->hi = r;
		found = true;
	}
	return found;
}

/*
 * Project the coupled dimensions for one sample width. @in holds the
 * uncoupled ranges, each already non-empty and starting at 1 or more, so no
 * divisor below can be 0. The smallest buffer must also hold the smallest
 * period; with it the byte cap bounds the channels, and with the fewest
 * channels it bounds the buffer, which in turn bounds the period.
 */
static bool shape_project(const struct shape *in, uint32_t width, uint32_t bytes_max,
			  struct shape *ret)
{
	uint32_t c0 = in->channels.lo, p0 = in->period.lo;
	uint32_t b0 = in->buffer.lo > p0 ? in->buffer.lo : p0;
	uint64_t c_cap, b_cap;

	if (width == 0 || c0 == 0 || b0 == 0 || b0 > in->buffer.hi)
		return false;
	c_cap = bytes_max / ((uint64_t)b0 * width);
	if (c_cap < c0)
		return false;
	b_cap = bytes_max / ((uint64_t)c0 * width);
	ret->channels.lo = c0;
	ret->channels.hi = min_u64_u32(c_cap, in->channels.hi);
	ret->buffer.lo = b0;
	ret->buffer.hi = min_u64_u32(b_cap, in->buffer.hi);
	ret->period.lo = p0;
	ret->period.hi = in->period.hi < ret->buffer.hi ? in->period.hi : ret->buffer.hi;
	return true;
}

static void box_add(struct box *box, unsigned int code, const struct span *rates,
		    const struct shape *s)
{
	if (box->formats == 0) {
		box->rates = *rates;
		box->shape = *s;
	} else {
		span_join(&box->rates, rates);
		span_join(&box->shape.channels, &s->channels);
		span_join(&box->shape.buffer, &s->buffer);
		span_join(&box->shape.period, &s->period);
	}
	box->formats |= VSND_FORMAT_BIT(code);
}

/* Add what capability entry @e makes feasible to @box. */
static void solve_entry(const struct vsnd_hw_cap *e, uint64_t formats, struct span rates,
			const struct shape *want, const struct vsnd_stream_limits *lim,
			struct box *box)
{
	struct shape in = *want, out;
	/* Set by rates_meet() before use; initialised for -Wmaybe-uninitialized. */
	struct span r = { 0, 0 };

	formats &= e->formats;
	if (formats == 0 || !rates_meet(&lim->rates, &e->rates, rates, &r))
		return;
	if (!span_meet_interval(&in.channels, &e->channels) ||
	    !span_meet_interval(&in.buffer, &e->buffer_frames) ||
	    !span_meet_interval(&in.period, &e->period_frames))
		return;
	for (unsigned int code = 0; code < VSND_FORMAT_COUNT; code++) {
		if (!(formats & VSND_FORMAT_BIT(code)))
			continue;
		/* Width 0: no fixed frame size, never offered. */
		if (!shape_project(&in, vsnd_format_phys_bytes(code), lim->buffer_bytes_max, &out))
			continue;
		box_add(box, code, &r, &out);
	}
}

int vsnd_hw_solve(const struct vsnd_hw_space *req, const struct vsnd_stream_limits *lim,
		  const struct vsnd_hw_caps *caps, struct vsnd_hw_space *ret)
{
	uint32_t n = caps->n < VSND_HW_CAPS_MAX ? caps->n : VSND_HW_CAPS_MAX;
	uint64_t formats = req->formats & lim->formats;
	struct box box = { .formats = 0 };
	struct shape want;
	struct span rates;

	/* Zero channels, rate, buffer or period can never be opened. */
	if (!span_of(&req->rates, 1, &rates) || !span_of(&req->channels, 1, &want.channels) ||
	    !span_of(&req->buffer_frames, 1, &want.buffer) ||
	    !span_of(&req->period_frames, 1, &want.period))
		return -EINVAL;
	/* OPEN carries the channel count in one octet. */
	if (!span_meet(&want.channels, lim->channels_min, lim->channels_max) ||
	    !span_meet(&want.channels, 1, UINT8_MAX))
		return -EINVAL;
	for (uint32_t k = 0; k < n && formats != 0; k++)
		solve_entry(&caps->cap[k], formats, rates, &want, lim, &box);
	if (box.formats == 0)
		return -EINVAL;

	ret->formats = box.formats;
	vsnd_interval_set(&ret->rates, box.rates.lo, box.rates.hi);
	vsnd_interval_set(&ret->channels, box.shape.channels.lo, box.shape.channels.hi);
	vsnd_interval_set(&ret->buffer_frames, box.shape.buffer.lo, box.shape.buffer.hi);
	vsnd_interval_set(&ret->period_frames, box.shape.period.lo, box.shape.period.hi);
	return 0;
}
