// SPDX-License-Identifier: MIT
/*
 * Unit tests of the interval and mask arithmetic and of the wire conversion
 * (protocol/hwparams.c). The interval rows are {a, b, expected, changed}:
 * the oracle is snd_interval_refine's documented behaviour (open ends,
 * integer flag, 1/0/-EINVAL), plus our one deliberate difference: moving an
 * open end past 0 or UINT32_MAX empties the interval instead of wrapping.
 */
#include "vtest.h"

#include <errno.h>

#include "vsnd/format.h"
#include "vsnd/hwparams.h"
#include "vsnd/wire.h"

#define UMAX UINT32_MAX

/* Closed integer [lo, hi]. */
#define CI(lo, hi) { .min = (lo), .max = (hi), .integer = true }
/* Any flags: open min, open max, integer. */
#define IV(lo, hi, om, oM, in) \
	{ .min = (lo), .max = (hi), .openmin = (om), .openmax = (oM), .integer = (in) }
#define EMPTY { .min = 1, .max = 0, .integer = true, .empty = true }

struct refine_row {
	const char *what;
	struct vsnd_interval a;
	struct vsnd_interval b;
	struct vsnd_interval expected; /* ignored when changed < 0 */
	int changed;
};

static const struct refine_row refine_rows[] = {
	{ "identical", CI(10, 20), CI(10, 20), CI(10, 20), 0 },
	{ "wider leaves alone", CI(10, 20), CI(0, 100), CI(10, 20), 0 },
	{ "narrower both ends", CI(10, 20), CI(12, 18), CI(12, 18), 1 },
	{ "narrower min only", CI(10, 20), CI(15, 30), CI(15, 20), 1 },
	{ "narrower max only", CI(10, 20), CI(0, 15), CI(10, 15), 1 },
	{ "disjoint above", CI(10, 20), CI(21, 30), { 0 }, -EINVAL },
	{ "disjoint below", CI(10, 20), CI(0, 9), { 0 }, -EINVAL },
	{ "touch at one point", CI(10, 20), CI(20, 30), CI(20, 20), 1 },
	{ "zero range", CI(0, 0), CI(0, 0), CI(0, 0), 0 },
	{ "zero range vs one", CI(0, 0), CI(1, 1), { 0 }, -EINVAL },
	{ "zero range kept", CI(0, 10), CI(0, 0), CI(0, 0), 1 },
	{ "any vs any", CI(0, UMAX), CI(0, UMAX), CI(0, UMAX), 0 },
	{ "saturate at top", CI(0, UMAX), CI(UMAX, UMAX), CI(UMAX, UMAX), 1 },
	{ "top stays", CI(UMAX, UMAX), CI(0, UMAX), CI(UMAX, UMAX), 0 },
	/* Integer: open ends move inward. */
	{ "int openmin moves up", CI(0, 10), IV(2, 10, true, false, false), CI(3, 10), 1 },
	{ "int openmax moves down", CI(0, 10), IV(0, 8, false, true, false), CI(0, 7), 1 },
	{ "int both open", CI(0, 10), IV(2, 8, true, true, true), CI(3, 7), 1 },
	{ "int open at same min", CI(2, 10), IV(2, 10, true, false, false), CI(3, 10), 1 },
	{ "int open leaves one", CI(0, 10), IV(4, 6, true, true, false), CI(5, 5), 1 },
	{ "int open leaves none", CI(0, 10), IV(4, 5, true, true, false), { 0 }, -EINVAL },
	{ "int open meets closed", CI(0, 5), IV(5, 10, true, false, true), { 0 }, -EINVAL },
	{ "int open not reached", CI(3, 7), IV(2, 8, true, true, false), CI(3, 7), 0 },
	{ "openmin at UINT32_MAX", CI(UMAX, UMAX), IV(UMAX - 1, UMAX, true, false, false),
	  CI(UMAX, UMAX), 0 },
	{ "openmin past UINT32_MAX", CI(0, UMAX), IV(UMAX, UMAX, true, false, true), { 0 },
	  -EINVAL },
	{ "int openmin near top", CI(0, UMAX), IV(UMAX - 1, UMAX, true, false, false),
	  CI(UMAX, UMAX), 1 },
	{ "openmax below 0", CI(0, 0), IV(0, 0, false, true, true), { 0 }, -EINVAL },
	{ "int openmax near 0", CI(0, 10), IV(0, 1, false, true, false), CI(0, 0), 1 },
	/* Real (non-integer) intervals keep open ends. */
	{ "real narrowed open", IV(1, 3, false, false, false), IV(1, 3, true, true, false),
	  IV(1, 3, true, true, false), 1 },
	{ "real open kept", IV(1, 3, true, true, false), IV(1, 3, true, true, false),
	  IV(1, 3, true, true, false), 0 },
	{ "real open wider", IV(1, 3, true, false, false), IV(0, 3, false, false, false),
	  IV(1, 3, true, false, false), 0 },
	{ "real closed vs open at min", IV(1, 3, true, false, false),
	  IV(1, 3, false, false, false), IV(1, 3, true, false, false), 0 },
	{ "real point vs open", IV(0, 5, false, false, false), IV(5, 10, true, false, false),
	  { 0 }, -EINVAL },
	{ "real half open", IV(0, 10, false, false, false), IV(5, 20, true, false, false),
	  IV(5, 10, true, false, false), 1 },
	{ "real singleton turns integer", IV(5, 5, false, false, false),
	  IV(0, 10, false, false, false), CI(5, 5), 0 },
	{ "real to singleton", IV(0, 5, false, false, false), IV(5, 10, false, false, false),
	  CI(5, 5), 1 },
	/* The integer flag spreads and counts as a change. */
	{ "integer flag spreads", IV(1, 3, false, false, false), CI(0, 10), CI(1, 3), 1 },
	{ "integer flag closes open", IV(1, 3, true, false, false), CI(0, 10), CI(2, 3), 1 },
	{ "integer kept vs real", CI(1, 3), IV(0, 10, false, false, false), CI(1, 3), 0 },
	{ "real open to integer empty", IV(1, 2, true, true, false), CI(0, 10), { 0 }, -EINVAL },
	/* Empty operands and min > max. */
	{ "empty a", EMPTY, CI(0, 10), { 0 }, -EINVAL },
	{ "empty b", CI(0, 10), EMPTY, { 0 }, -EINVAL },
	{ "a min > max", CI(5, 4), CI(0, 10), { 0 }, -EINVAL },
	{ "b min > max", CI(0, 10), CI(7, 3), { 0 }, -EINVAL },
	{ "b real open point", CI(0, 10), IV(4, 4, true, false, false), { 0 }, -EINVAL },
	{ "b int open pair", CI(0, 10), IV(4, 5, true, true, true), { 0 }, -EINVAL },
};

static void check_interval(const char *what, const struct vsnd_interval *got,
			   const struct vsnd_interval *exp)
{
	if (got->min != exp->min || got->max != exp->max || got->openmin != exp->openmin ||
	    got->openmax != exp->openmax || got->integer != exp->integer || got->empty)
		vtest_fail(__FILE__, __LINE__,
			   "%s: got %s%u,%u%s int=%d empty=%d, expected %s%u,%u%s int=%d", what,
			   got->openmin ? "(" : "[", got->min, got->max, got->openmax ? ")" : "]",
			   got->integer, got->empty, exp->openmin ? "(" : "[", exp->min, exp->max,
			   exp->openmax ? ")" : "]", exp->integer);
}

TEST(interval_refine_table)
{
	for (size_t k = 0; k < sizeof(refine_rows) / sizeof(refine_rows[0]); k++) {
		const struct refine_row *row = &refine_rows[k];
		struct vsnd_interval a = row->a;
		int r = vsnd_interval_refine(&a, &row->b);

		if (r != row->changed)
			vtest_fail(__FILE__, __LINE__, "%s: returned %d, expected %d", row->what, r,
				   row->changed);
		if (r < 0)
			ASSERT_TRUE(vsnd_interval_is_empty(&a));
		else
			check_interval(row->what, &a, &row->expected);
	}
}

TEST(interval_refine_is_intersection)
{
	/* Every closed integer pair over a small range against its oracle. */
	for (uint32_t a0 = 0; a0 < 6; a0++)
		for (uint32_t a1 = a0; a1 < 6; a1++)
			for (uint32_t b0 = 0; b0 < 7; b0++)
				for (uint32_t b1 = 0; b1 < 7; b1++) {
					struct vsnd_interval a, b;
					uint32_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
					int r;

					vsnd_interval_set(&a, a0, a1);
					vsnd_interval_set(&b, b0, b1);
					r = vsnd_interval_refine(&a, &b);
					if (lo > hi) {
						ASSERT_ERR(r, EINVAL);
						continue;
					}
					ASSERT_EQ(r, lo != a0 || hi != a1);
					ASSERT_EQ_U(a.min, lo);
					ASSERT_EQ_U(a.max, hi);
				}
}

TEST(interval_refine_min_max)
{
	struct vsnd_interval i;

	vsnd_interval_set(&i, 10, 20);
	ASSERT_EQ(vsnd_interval_refine_min(&i, 5, false), 0);
	ASSERT_EQ(vsnd_interval_refine_min(&i, 10, true), 1);
	ASSERT_EQ_U(i.min, 11);
	ASSERT_FALSE(i.openmin);
	ASSERT_EQ(vsnd_interval_refine_max(&i, 25, true), 0);
	ASSERT_EQ(vsnd_interval_refine_max(&i, 20, true), 1);
	ASSERT_EQ_U(i.max, 19);
	ASSERT_EQ(vsnd_interval_refine_max(&i, 19, false), 0);
	ASSERT_ERR(vsnd_interval_refine_min(&i, 20, false), EINVAL);
	ASSERT_TRUE(vsnd_interval_is_empty(&i));

	vsnd_interval_any(&i);
	ASSERT_ERR(vsnd_interval_refine_min(&i, UMAX, true), EINVAL);
	vsnd_interval_any(&i);
	ASSERT_EQ(vsnd_interval_refine_min(&i, UMAX, false), 1);
	ASSERT_EQ_U(i.min, UMAX);
	vsnd_interval_any(&i);
	ASSERT_ERR(vsnd_interval_refine_max(&i, 0, true), EINVAL);
	vsnd_interval_any(&i);
	ASSERT_EQ(vsnd_interval_refine_max(&i, 0, false), 1);
	ASSERT_EQ_U(i.max, 0);
}

TEST(interval_set_any_contains)
{
	struct vsnd_interval i;

	vsnd_interval_any(&i);
	ASSERT_EQ_U(i.min, 0);
	ASSERT_EQ_U(i.max, UMAX);
	ASSERT_TRUE(i.integer);
	ASSERT_FALSE(i.openmin || i.openmax || i.empty);
	ASSERT_TRUE(vsnd_interval_contains(&i, 0));
	ASSERT_TRUE(vsnd_interval_contains(&i, UMAX));

	vsnd_interval_set(&i, 3, 2);
	ASSERT_TRUE(vsnd_interval_is_empty(&i));
	ASSERT_FALSE(vsnd_interval_contains(&i, 2));
	ASSERT_FALSE(vsnd_interval_contains(&i, 3));

	vsnd_interval_set(&i, 0, 0);
	ASSERT_FALSE(vsnd_interval_is_empty(&i));
	ASSERT_TRUE(vsnd_interval_contains(&i, 0));
	ASSERT_FALSE(vsnd_interval_contains(&i, 1));

	i = (struct vsnd_interval)IV(4, 8, true, true, false);
	ASSERT_FALSE(vsnd_interval_contains(&i, 4));
	ASSERT_TRUE(vsnd_interval_contains(&i, 5));
	ASSERT_TRUE(vsnd_interval_contains(&i, 7));
	ASSERT_FALSE(vsnd_interval_contains(&i, 8));

	/* An open pair holds reals but no integer. */
	i = (struct vsnd_interval)IV(4, 5, true, true, false);
	ASSERT_FALSE(vsnd_interval_is_empty(&i));
	i.integer = true;
	ASSERT_TRUE(vsnd_interval_is_empty(&i));
	i = (struct vsnd_interval)IV(4, 4, false, true, false);
	ASSERT_TRUE(vsnd_interval_is_empty(&i));
}

TEST(interval_closed)
{
	struct vsnd_interval i = IV(4, 8, true, true, false);
	uint32_t lo = 0, hi = 0;

	ASSERT_OK(vsnd_interval_closed(&i, &lo, &hi));
	ASSERT_EQ_U(lo, 5);
	ASSERT_EQ_U(hi, 7);
	i = (struct vsnd_interval)IV(4, 5, true, true, false);
	ASSERT_ERR(vsnd_interval_closed(&i, &lo, &hi), EINVAL);
	i = (struct vsnd_interval)IV(UMAX, UMAX, true, false, true);
	ASSERT_ERR(vsnd_interval_closed(&i, &lo, &hi), EINVAL);
	i = (struct vsnd_interval)IV(0, 0, false, true, true);
	ASSERT_ERR(vsnd_interval_closed(&i, &lo, &hi), EINVAL);
	i = (struct vsnd_interval)IV(0, UMAX, false, false, true);
	ASSERT_OK(vsnd_interval_closed(&i, &lo, &hi));
	ASSERT_EQ_U(lo, 0);
	ASSERT_EQ_U(hi, UMAX);
	i = (struct vsnd_interval)EMPTY;
	ASSERT_ERR(vsnd_interval_closed(&i, &lo, &hi), EINVAL);
}

struct mask_row {
	uint64_t a;
	uint64_t b;
	uint64_t expected; /* ignored when changed < 0 */
	int changed;
};

static const struct mask_row mask_rows[] = {
	{ UINT64_MAX, UINT64_MAX, UINT64_MAX, 0 },
	{ UINT64_MAX, 1, 1, 1 },
	{ 1, UINT64_MAX, 1, 0 },
	{ 0x6, 0x4, 0x4, 1 },
	{ 0x6, 0xe, 0x6, 0 },
	{ 0x6, 0x1, 0, -EINVAL },
	{ 0, UINT64_MAX, 0, -EINVAL },
	{ UINT64_MAX, 0, 0, -EINVAL },
	{ 0, 0, 0, -EINVAL },
	{ UINT64_C(1) << 63, UINT64_MAX, UINT64_C(1) << 63, 0 },
	{ VSND_FORMATS_ALL, VSND_FORMATS_FIXED, VSND_FORMATS_FIXED, 1 },
};

TEST(mask_refine_table)
{
	for (size_t k = 0; k < sizeof(mask_rows) / sizeof(mask_rows[0]); k++) {
		const struct mask_row *row = &mask_rows[k];
		uint64_t m = row->a;
		int r = vsnd_mask_refine(&m, row->b);

		if (r != row->changed)
			vtest_fail(__FILE__, __LINE__, "row %zu: returned %d, expected %d", k, r,
				   row->changed);
		if (r >= 0)
			ASSERT_EQ_U(m, row->expected);
		else
			ASSERT_EQ_U(m, 0);
	}
}

static void wire_fill(struct xensnd_query_hw_param *w, uint64_t formats, const uint32_t v[8])
{
	memset(w, 0, sizeof(*w));
	w->formats = formats;
	w->rates.min = v[0];
	w->rates.max = v[1];
	w->channels.min = v[2];
	w->channels.max = v[3];
	w->buffer.min = v[4];
	w->buffer.max = v[5];
	w->period.min = v[6];
	w->period.max = v[7];
}

TEST(wire_round_trip)
{
	static const struct {
		uint64_t formats;
		uint32_t v[8];
	} rows[] = {
		{ 0x6, { 5512, 48000, 1, 2, 16, 16384, 16, 8192 } },
		{ UINT64_MAX, { 0, UMAX, 0, UMAX, 0, UMAX, 0, UMAX } },
		{ 0, { 0, 0, 0, 0, 0, 0, 0, 0 } },
		{ 1, { UMAX, UMAX, UMAX, UMAX, UMAX, UMAX, UMAX, UMAX } },
		{ VSND_FORMATS_ALL, { 48000, 48000, 2, 2, 1024, 1024, 256, 256 } },
	};

	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		struct xensnd_query_hw_param w, back;
		struct vsnd_hw_space s;

		wire_fill(&w, rows[k].formats, rows[k].v);
		ASSERT_OK(vsnd_hw_space_from_wire(&w, &s));
		ASSERT_EQ_U(s.formats, rows[k].formats);
		ASSERT_TRUE(s.rates.integer && !s.rates.openmin && !s.rates.openmax);
		ASSERT_EQ_U(s.rates.min, rows[k].v[0]);
		ASSERT_EQ_U(s.period_frames.max, rows[k].v[7]);
		memset(&back, 0xa5, sizeof(back));
		ASSERT_OK(vsnd_hw_space_to_wire(&s, &back));
		ASSERT_MEMEQ(&w, &back, sizeof(w));
	}
}

TEST(wire_from_rejects_min_above_max)
{
	static const uint32_t ok[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	for (unsigned int field = 0; field < 4; field++) {
		struct xensnd_query_hw_param w;
		struct vsnd_hw_space s, before;
		uint32_t v[8];

		memcpy(v, ok, sizeof(v));
		v[2 * field] = v[2 * field + 1] + 1;
		wire_fill(&w, 0x4, v);
		memset(&s, 0x5a, sizeof(s));
		before = s;
		ASSERT_ERR(vsnd_hw_space_from_wire(&w, &s), EINVAL);
		/* Nothing is written on failure. */
		ASSERT_MEMEQ(&s, &before, sizeof(s));
	}
}

TEST(wire_to_closes_inward)
{
	struct xensnd_query_hw_param w, before;
	struct vsnd_hw_space s;

	s.formats = 0x4;
	s.rates = (struct vsnd_interval)IV(44100, 48000, true, false, false);
	s.channels = (struct vsnd_interval)IV(1, 3, false, true, false);
	s.buffer_frames = (struct vsnd_interval)IV(10, 20, true, true, true);
	s.period_frames = (struct vsnd_interval)CI(0, 0);
	ASSERT_OK(vsnd_hw_space_to_wire(&s, &w));
	ASSERT_EQ_U(w.formats, 0x4);
	ASSERT_EQ_U(w.rates.min, 44101);
	ASSERT_EQ_U(w.rates.max, 48000);
	ASSERT_EQ_U(w.channels.min, 1);
	ASSERT_EQ_U(w.channels.max, 2);
	ASSERT_EQ_U(w.buffer.min, 11);
	ASSERT_EQ_U(w.buffer.max, 19);
	ASSERT_EQ_U(w.period.min, 0);
	ASSERT_EQ_U(w.period.max, 0);

	/* Nothing is written on failure. */
	s.channels = (struct vsnd_interval)IV(1, 2, true, true, false);
	memset(&w, 0x5a, sizeof(w));
	before = w;
	ASSERT_ERR(vsnd_hw_space_to_wire(&s, &w), EINVAL);
	ASSERT_MEMEQ(&w, &before, sizeof(w));
	s.channels = (struct vsnd_interval)EMPTY;
	ASSERT_ERR(vsnd_hw_space_to_wire(&s, &w), EINVAL);
	vsnd_interval_set(&s.channels, 2, 1);
	ASSERT_ERR(vsnd_hw_space_to_wire(&s, &w), EINVAL);
}

TEST(caps_any)
{
	struct vsnd_hw_caps caps;
	const struct vsnd_hw_cap *c;

	memset(&caps, 0x5a, sizeof(caps));
	vsnd_hw_caps_any(&caps);
	ASSERT_EQ_U(caps.n, 1);
	c = &caps.cap[0];
	ASSERT_EQ_U(c->formats, VSND_FORMATS_FIXED);
	ASSERT_EQ_U(c->rates.n, 0);
	ASSERT_TRUE(vsnd_rate_set_contains(&c->rates, 1));
	ASSERT_TRUE(vsnd_rate_set_contains(&c->rates, 384000));
	ASSERT_TRUE(vsnd_rate_set_contains(&c->rates, UMAX));
	ASSERT_TRUE(vsnd_interval_contains(&c->channels, UMAX));
	ASSERT_TRUE(vsnd_interval_contains(&c->buffer_frames, 1));
	ASSERT_TRUE(vsnd_interval_contains(&c->period_frames, UMAX));
	ASSERT_TRUE(vsnd_interval_contains(&c->period_frames, 0));
}
