// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the HW_PARAM_QUERY solver and the interval arithmetic
 * under it. The input is a guest wire request followed by stream limits and
 * a capability space, decoded with a compact number encoding so that the
 * small values that make a request feasible are easy to reach, and with a
 * mode that fills rate lists raw (unsorted, over-long) to show the solver
 * never trusts their shape. Every answer is checked against what must hold
 * whatever the inputs: inside the request and the limits, closed and
 * non-empty, feasible at its smallest corner, a fixed point of the solver,
 * and representable on the wire. Violations abort().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/hwparams.h"
#include "vsnd/limits.h"
#include "vsnd/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint8_t take_u8(struct cursor *c)
{
	if (c->left == 0)
		return 0;
	c->left--;
	return *c->p++;
}

static uint64_t take_raw(struct cursor *c, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int k = 0; k < n; k++)
		v |= (uint64_t)take_u8(c) << (8 * k);
	return v;
}

/* One byte below 0x80, two below 0xc0, 0xff is UINT32_MAX, else 4 raw bytes. */
static uint32_t take_u32(struct cursor *c)
{
	uint8_t b = take_u8(c);

	if (b < 0x80)
		return b;
	if (b < 0xc0)
		return (uint32_t)(b & 0x3f) << 8 | take_u8(c);
	if (b == 0xff)
		return UINT32_MAX;
	return (uint32_t)take_raw(c, 4);
}

static void take_interval(struct cursor *c, struct vsnd_interval *ret)
{
	uint8_t flags;

	ret->min = take_u32(c);
	ret->max = take_u32(c);
	flags = take_u8(c);
	ret->openmin = flags & 1;
	ret->openmax = flags & 2;
	ret->integer = !(flags & 4);
	ret->empty = (flags & 0x18) == 0x18;
}

static void take_rate_set(struct cursor *c, struct vsnd_rate_set *ret)
{
	uint8_t mode = take_u8(c), n = take_u8(c);

	memset(ret, 0, sizeof(*ret));
	switch (mode % 3) {
	case 0:
		ret->min = take_u32(c);
		ret->max = take_u32(c);
		break;
	case 1:
		for (uint8_t k = 0; k < n % (VSND_MAX_RATES + 2); k++)
			(void)vsnd_rate_set_add(ret, take_u32(c));
		break;
	default:
		/* Raw: any order, duplicates, n past VSND_MAX_RATES. */
		ret->n = n;
		for (uint32_t k = 0; k < VSND_MAX_RATES && k < n; k++)
			ret->rates[k] = take_u32(c);
		ret->min = take_u32(c);
		ret->max = take_u32(c);
		break;
	}
}

static void take_caps(struct cursor *c, struct vsnd_hw_caps *ret)
{
	uint8_t n = take_u8(c);

	memset(ret, 0, sizeof(*ret));
	if (n == 0xff) {
		vsnd_hw_caps_any(ret);
		return;
	}
	/* n may exceed VSND_HW_CAPS_MAX by one: the solver must clamp it. */
	ret->n = n % (VSND_HW_CAPS_MAX + 2);
	for (uint32_t k = 0; k < VSND_HW_CAPS_MAX && k < ret->n; k++) {
		struct vsnd_hw_cap *e = &ret->cap[k];

		e->formats = take_raw(c, 8);
		take_rate_set(c, &e->rates);
		take_interval(c, &e->channels);
		take_interval(c, &e->buffer_frames);
		take_interval(c, &e->period_frames);
	}
}

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

/* Whether integer @v lies in @i, computed here rather than by the library. */
static bool inside(const struct vsnd_interval *i, uint32_t v)
{
	if (i->empty || v < i->min || v > i->max)
		return false;
	return !(i->openmin && v == i->min) && !(i->openmax && v == i->max);
}

static const struct vsnd_interval *dim(const struct vsnd_hw_space *s, unsigned int d)
{
	const struct vsnd_interval *all[] = { &s->rates, &s->channels, &s->buffer_frames,
					      &s->period_frames };

	return all[d];
}

static uint64_t caps_formats(const struct vsnd_hw_caps *caps)
{
	uint64_t m = 0;

	for (uint32_t k = 0; k < caps->n && k < VSND_HW_CAPS_MAX; k++)
		m |= caps->cap[k].formats;
	return m;
}

static uint32_t smallest_width(uint64_t formats)
{
	uint32_t w = 0;

	for (unsigned int code = 0; code < VSND_FORMAT_COUNT; code++) {
		uint32_t cw = vsnd_format_phys_bytes(code);

		if ((formats & VSND_FORMAT_BIT(code)) && cw && (w == 0 || cw < w))
			w = cw;
	}
	return w;
}

/* The answer's shape: closed, non-empty, inside the request and the limits. */
static void check_bounds(const struct vsnd_hw_space *req, const struct vsnd_stream_limits *lim,
			 const struct vsnd_hw_caps *caps, const struct vsnd_hw_space *ans)
{
	uint32_t w = smallest_width(ans->formats);

	CHECK(ans->formats != 0);
	CHECK((ans->formats & ~(req->formats & lim->formats & caps_formats(caps))) == 0);
	CHECK((ans->formats & ~VSND_FORMATS_FIXED) == 0);
	for (unsigned int d = 0; d < 4; d++) {
		const struct vsnd_interval *a = dim(ans, d);

		CHECK(a->integer && !a->openmin && !a->openmax && !a->empty);
		CHECK(a->min >= 1 && a->min <= a->max);
		CHECK(inside(dim(req, d), a->min) && inside(dim(req, d), a->max));
	}
	CHECK(vsnd_rate_set_contains(&lim->rates, ans->rates.min));
	CHECK(vsnd_rate_set_contains(&lim->rates, ans->rates.max));
	CHECK(ans->channels.min >= lim->channels_min && ans->channels.max <= lim->channels_max);
	CHECK(ans->period_frames.min <= ans->buffer_frames.max);
	/* The smallest corner is cheaper than any feasible configuration. */
	CHECK(w != 0);
	CHECK((uint64_t)ans->buffer_frames.min * ans->channels.min * w <= lim->buffer_bytes_max);
}

/* Re-solving the answer changes nothing, and the answer survives the wire. */
static void check_stable(const struct vsnd_stream_limits *lim, const struct vsnd_hw_caps *caps,
			 const struct vsnd_hw_space *req, const struct vsnd_hw_space *ans)
{
	struct xensnd_query_hw_param w;
	struct vsnd_hw_space again, back;

	memset(&again, 0, sizeof(again));
	memset(&back, 0, sizeof(back));
	CHECK(vsnd_hw_solve(ans, lim, caps, &again) == 0);
	CHECK(memcmp(&again, ans, sizeof(again)) == 0);
	CHECK(vsnd_hw_space_to_wire(ans, &w) == 0);
	CHECK(vsnd_hw_space_from_wire(&w, &back) == 0);
	CHECK(memcmp(&back, ans, sizeof(back)) == 0);
	/* The guest's refine with the answer narrows and never empties. */
	for (unsigned int d = 0; d < 4; d++) {
		struct vsnd_interval i = *dim(req, d);
		int r = vsnd_interval_refine(&i, dim(ans, d));

		CHECK(r == 0 || r == 1);
		CHECK(i.min == dim(ans, d)->min && i.max == dim(ans, d)->max);
	}
}

/* Refining keeps exactly the integers both operands hold. */
static void check_refine(const struct vsnd_interval *a, const struct vsnd_interval *b)
{
	struct vsnd_interval i = *a;
	uint32_t probes[12];
	unsigned int n = 0;
	int r = vsnd_interval_refine(&i, b);

	CHECK(r == 0 || r == 1 || r == -EINVAL);
	for (unsigned int k = 0; k < 2; k++) {
		const struct vsnd_interval *v = k ? b : a;

		probes[n++] = v->min;
		probes[n++] = v->max;
		probes[n++] = v->min + 1;
		probes[n++] = v->max - 1;
		probes[n++] = v->min - 1;
		probes[n++] = v->max + 1;
	}
	for (unsigned int k = 0; k < n; k++) {
		bool both = inside(a, probes[k]) && inside(b, probes[k]);

		if (r < 0)
			CHECK(!both);
		else
			CHECK(vsnd_interval_contains(&i, probes[k]) == both);
	}
	if (r >= 0)
		CHECK(!vsnd_interval_is_empty(&i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	struct xensnd_query_hw_param w;
	struct vsnd_stream_limits lim;
	struct vsnd_hw_space req, ans;
	struct vsnd_hw_caps caps;
	int r;

	memset(&w, 0, sizeof(w));
	memcpy(&w, data, size < sizeof(w) ? size : sizeof(w));
	c.p += size < sizeof(w) ? size : sizeof(w);
	c.left -= size < sizeof(w) ? size : sizeof(w);
	memset(&lim, 0, sizeof(lim));
	lim.formats = take_raw(&c, 8);
	take_rate_set(&c, &lim.rates);
	lim.channels_min = take_u32(&c);
	lim.channels_max = take_u32(&c);
	lim.buffer_bytes_max = take_u32(&c);
	take_caps(&c, &caps);

	if (vsnd_hw_space_from_wire(&w, &req) < 0) {
		/* Decoded by hand instead: min > max somewhere must fail. */
		req.formats = w.formats;
		vsnd_interval_set(&req.rates, w.rates.min, w.rates.max);
		vsnd_interval_set(&req.channels, w.channels.min, w.channels.max);
		vsnd_interval_set(&req.buffer_frames, w.buffer.min, w.buffer.max);
		vsnd_interval_set(&req.period_frames, w.period.min, w.period.max);
		CHECK(vsnd_hw_solve(&req, &lim, &caps, &ans) == -EINVAL);
		return 0;
	}
	if (caps.n > 0 && caps.n <= VSND_HW_CAPS_MAX) {
		check_refine(&req.channels, &caps.cap[0].channels);
		check_refine(&caps.cap[0].buffer_frames, &caps.cap[0].period_frames);
	}
	memset(&ans, 0, sizeof(ans));
	r = vsnd_hw_solve(&req, &lim, &caps, &ans);
	CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		check_bounds(&req, &lim, &caps, &ans);
		check_stable(&lim, &caps, &req, &ans);
	}
	return 0;
}
