// SPDX-License-Identifier: MIT
/*
 * The HW_PARAM_QUERY solver against a brute-force oracle. The oracle
 * enumerates every configuration of small random instances straight from
 * the definition in vsnd/hwparams.h, with its own width table and
 * membership tests, and the solver's answer must be exactly the bounding
 * space of what it finds. PROP_ONE=k re-runs instance k alone.
 */
#include "solver-fixture.h"

#include <stdio.h>
#include <stdlib.h>

#define GRID_RATE 24u
#define GRID_CHANNELS 6u
#define GRID_FRAMES 40u
#define GRID_BYTES 200u
#define PROP_INSTANCES 20000u
#define PROP_SEED UINT64_C(0x5eed0f5017e4c0de)

/* U8, S16_LE, S24_LE, F64_LE, MU_LAW and IMA_ADPCM (no fixed size). */
static const unsigned int prop_codes[] = { 1, 2, 6, 16, 20, 22 };

static const char *const dim_names[DIM_COUNT] = { "rates", "channels", "buffer", "period" };

struct instance {
	struct vsnd_hw_space req;
	struct vsnd_stream_limits lim;
	struct vsnd_hw_caps caps;
};

/* The bounding space of the feasible configurations the oracle found. */
struct oracle {
	uint64_t formats;
	uint32_t lo[DIM_COUNT];
	uint32_t hi[DIM_COUNT];
};

/* xorshift64: the state is never 0 for the seeds used here. */
static uint32_t prng_next(uint64_t *p)
{
	*p ^= *p << 13;
	*p ^= *p >> 7;
	*p ^= *p << 17;
	return (uint32_t)(*p >> 32);
}

static uint32_t prng_below(uint64_t *p, uint32_t n)
{
	return prng_next(p) % n;
}

static bool prng_chance(uint64_t *p, uint32_t one_in)
{
	return prng_below(p, one_in) == 0;
}

/* protocol.md 3.13 written out again, so the oracle does not rely on format.c. */
static const uint8_t oracle_widths[25] = {
	1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 4, 4, 1, 1, 0, 0, 0,
};

static bool in_interval(const struct vsnd_interval *i, uint32_t v)
{
	if (i->empty || v < i->min || v > i->max)
		return false;
	return !(i->openmin && v == i->min) && !(i->openmax && v == i->max);
}

static bool in_rate_set(const struct vsnd_rate_set *s, uint32_t r)
{
	if (s->n == 0)
		return r >= s->min && r <= s->max;
	for (uint32_t k = 0; k < s->n; k++)
		if (s->rates[k] == r)
			return true;
	return false;
}

static uint64_t gen_mask(uint64_t *p)
{
	uint64_t m = 0;

	if (prng_chance(p, 10))
		return UINT64_MAX;
	if (prng_chance(p, 40))
		return 0;
	for (size_t k = 0; k < sizeof(prop_codes) / sizeof(prop_codes[0]); k++)
		if (!prng_chance(p, 4))
			m |= VSND_FORMAT_BIT(prop_codes[k]);
	/* A bit past the format table must never come back. */
	if (prng_chance(p, 10))
		m |= UINT64_C(1) << 40;
	return m;
}

/*
 * Two ends drawn from [0, grid]: spanning most of it (half of the time, so
 * that enough instances stay feasible), anywhere, or close together.
 */
static void gen_ends(uint64_t *p, uint32_t grid, uint32_t *ret_a, uint32_t *ret_b)
{
	uint32_t a, b, t;

	switch (prng_chance(p, 2) ? 1 : prng_below(p, 3)) {
	case 0:
		a = prng_below(p, grid + 1);
		b = prng_below(p, grid + 1);
		break;
	case 1:
		a = prng_below(p, grid / 3 + 1);
		b = grid - prng_below(p, grid / 3 + 1);
		break;
	default:
		a = prng_below(p, grid + 1);
		b = a + prng_below(p, 4);
		b = b > grid ? grid : b;
		break;
	}
	/* Now and then keep min > max. */
	if (a > b && !prng_chance(p, 15)) {
		t = a;
		a = b;
		b = t;
	}
	*ret_a = a;
	*ret_b = b;
}

/*
 * Mostly closed integer ranges; sometimes open ends, real, empty, or (when
 * @huge_ok, i.e. when another constraint keeps the feasible set on the grid)
 * reaching UINT32_MAX.
 */
static void gen_interval(uint64_t *p, uint32_t grid, bool huge_ok, struct vsnd_interval *ret)
{
	uint32_t a, b;

	gen_ends(p, grid, &a, &b);
	*ret = (struct vsnd_interval){ .min = a, .max = b, .integer = !prng_chance(p, 4) };
	if (huge_ok && prng_chance(p, 5))
		ret->max = UMAX;
	ret->openmin = prng_chance(p, 8);
	ret->openmax = prng_chance(p, 8);
	ret->empty = prng_chance(p, 200);
}

static void gen_rate_set(uint64_t *p, bool huge_ok, struct vsnd_rate_set *ret)
{
	uint32_t chosen = 0, picks = 1 + prng_below(p, 16);

	*ret = (struct vsnd_rate_set){ .n = 0 };
	if (prng_chance(p, 2)) {
		gen_ends(p, GRID_RATE, &ret->min, &ret->max);
		if (huge_ok && prng_chance(p, 4))
			ret->max = UMAX;
		return;
	}
	/* A discrete list, ascending without duplicates, rarely holding 0. */
	for (uint32_t k = 0; k < picks; k++)
		chosen |= UINT32_C(1) << prng_below(p, GRID_RATE + 1);
	for (uint32_t r = 0; r <= GRID_RATE; r++)
		if (chosen & (UINT32_C(1) << r))
			ret->rates[ret->n++] = r;
	ret->min = ret->rates[0];
	ret->max = ret->rates[ret->n - 1];
}

static void gen_instance(uint32_t k, struct instance *in)
{
	uint64_t p = PROP_SEED ^ ((uint64_t)(k + 1) * UINT64_C(0x2545f4914f6cdd1d));

	memset(in, 0, sizeof(*in));
	in->req.formats = gen_mask(&p);
	gen_interval(&p, GRID_RATE + 1, true, &in->req.rates);
	gen_interval(&p, GRID_CHANNELS + 1, true, &in->req.channels);
	gen_interval(&p, GRID_FRAMES + 1, true, &in->req.buffer_frames);
	gen_interval(&p, GRID_FRAMES + 1, true, &in->req.period_frames);

	in->lim.formats = gen_mask(&p);
	gen_rate_set(&p, false, &in->lim.rates);
	in->lim.channels_min = prng_below(&p, 3);
	in->lim.channels_max = in->lim.channels_min + prng_below(&p, GRID_CHANNELS - 1);
	if (prng_chance(&p, 10))
		in->lim.channels_max = prng_below(&p, GRID_CHANNELS + 1);
	in->lim.buffer_bytes_max = prng_chance(&p, 10) ? UMAX : prng_below(&p, GRID_BYTES + 1);

	in->caps.n = prng_chance(&p, 50) ? 0 : 1 + prng_below(&p, 3);
	for (uint32_t e = 0; e < in->caps.n; e++) {
		struct vsnd_hw_cap *c = &in->caps.cap[e];

		c->formats = gen_mask(&p);
		gen_rate_set(&p, true, &c->rates);
		gen_interval(&p, GRID_CHANNELS + 1, true, &c->channels);
		gen_interval(&p, GRID_FRAMES, false, &c->buffer_frames);
		gen_interval(&p, GRID_FRAMES, false, &c->period_frames);
	}
}

static void print_interval(const char *name, const struct vsnd_interval *i)
{
	fprintf(stderr, " %s=%s%" PRIu32 ",%" PRIu32 "%s%s%s", name, i->openmin ? "(" : "[", i->min,
		i->max, i->openmax ? ")" : "]", i->integer ? "" : "real", i->empty ? "EMPTY" : "");
}

static void print_rate_set(const char *name, const struct vsnd_rate_set *s)
{
	fprintf(stderr, " %s=", name);
	if (s->n == 0) {
		fprintf(stderr, "[%" PRIu32 "..%" PRIu32 "]", s->min, s->max);
		return;
	}
	for (uint32_t k = 0; k < s->n; k++)
		fprintf(stderr, "%s%" PRIu32, k ? "," : "{", s->rates[k]);
	fputc('}', stderr);
}

static void print_shape(const struct vsnd_interval *c, const struct vsnd_interval *b,
			const struct vsnd_interval *p)
{
	print_interval("channels", c);
	print_interval("buffer", b);
	print_interval("period", p);
	fputc('\n', stderr);
}

static void print_space(const char *name, const struct vsnd_hw_space *s)
{
	fprintf(stderr, "%s: formats=%#" PRIx64, name, s->formats);
	print_interval("rates", &s->rates);
	print_shape(&s->channels, &s->buffer_frames, &s->period_frames);
}

static void print_instance(uint32_t k, const struct instance *in)
{
	const struct vsnd_stream_limits *l = &in->lim;

	fprintf(stderr, "instance %" PRIu32 " (rerun alone with PROP_ONE=%" PRIu32 ")\n", k, k);
	print_space("  req", &in->req);
	fprintf(stderr, "  lim: formats=%#" PRIx64, l->formats);
	print_rate_set("rates", &l->rates);
	fprintf(stderr, " channels=%" PRIu32 "..%" PRIu32 " buffer_bytes_max=%" PRIu32 "\n",
		l->channels_min, l->channels_max, l->buffer_bytes_max);
	for (uint32_t e = 0; e < in->caps.n; e++) {
		const struct vsnd_hw_cap *c = &in->caps.cap[e];

		fprintf(stderr, "  cap[%" PRIu32 "]: formats=%#" PRIx64, e, c->formats);
		print_rate_set("rates", &c->rates);
		print_shape(&c->channels, &c->buffer_frames, &c->period_frames);
	}
}

static void oracle_note(struct oracle *o, unsigned int dim, uint32_t v)
{
	if (v < o->lo[dim])
		o->lo[dim] = v;
	if (v > o->hi[dim])
		o->hi[dim] = v;
}

static bool oracle_channels_ok(const struct instance *in, const struct vsnd_hw_cap *e, uint32_t c)
{
	return c >= 1 && in_interval(&in->req.channels, c) && c >= in->lim.channels_min &&
	       c <= in->lim.channels_max && in_interval(&e->channels, c);
}

/* Enumerate channels, buffer and period of one (entry, width) pair. */
static bool oracle_shape(const struct instance *in, const struct vsnd_hw_cap *e, uint32_t w,
			 struct oracle *o)
{
	bool found = false;

	for (uint32_t c = 0; c <= GRID_CHANNELS + 1; c++) {
		if (!oracle_channels_ok(in, e, c))
			continue;
		for (uint32_t b = 0; b <= GRID_FRAMES + 1; b++) {
			if (b < 1 || !in_interval(&in->req.buffer_frames, b) ||
			    !in_interval(&e->buffer_frames, b) ||
			    (uint64_t)b * c * w > in->lim.buffer_bytes_max)
				continue;
			for (uint32_t p = 1; p <= b; p++) {
				if (!in_interval(&in->req.period_frames, p) ||
				    !in_interval(&e->period_frames, p))
					continue;
				oracle_note(o, DIM_CHANNELS, c);
				oracle_note(o, DIM_BUFFER, b);
				oracle_note(o, DIM_PERIOD, p);
				found = true;
			}
		}
	}
	return found;
}

/*
 * The rate takes part in no coupling, so the feasible set of one (entry,
 * format) pair is (feasible rates) x (feasible channel/buffer/period
 * triples): both are enumerated, and the pair counts only when both are
 * non-empty.
 */
static void oracle_pair(const struct instance *in, const struct vsnd_hw_cap *e, unsigned int code,
			struct oracle *o)
{
	struct oracle pair = { .lo = { UMAX, UMAX, UMAX, UMAX } };
	uint32_t w = code < sizeof(oracle_widths) ? oracle_widths[code] : 0;
	bool rate_found = false;

	if (w == 0)
		return;
	for (uint32_t r = 1; r <= GRID_RATE + 1; r++) {
		if (in_interval(&in->req.rates, r) && in_rate_set(&in->lim.rates, r) &&
		    in_rate_set(&e->rates, r)) {
			oracle_note(&pair, DIM_RATE, r);
			rate_found = true;
		}
	}
	if (!rate_found || !oracle_shape(in, e, w, &pair))
		return;
	o->formats |= UINT64_C(1) << code;
	for (unsigned int d = 0; d < DIM_COUNT; d++) {
		oracle_note(o, d, pair.lo[d]);
		oracle_note(o, d, pair.hi[d]);
	}
}

static void oracle_run(const struct instance *in, struct oracle *o)
{
	*o = (struct oracle){ .lo = { UMAX, UMAX, UMAX, UMAX } };
	for (uint32_t e = 0; e < in->caps.n; e++) {
		const struct vsnd_hw_cap *c = &in->caps.cap[e];

		for (unsigned int code = 0; code < 64; code++) {
			uint64_t bit = UINT64_C(1) << code;

			if (in->req.formats & in->lim.formats & c->formats & bit)
				oracle_pair(in, c, code, o);
		}
	}
}

_Noreturn static void prop_fail(uint32_t k, const struct instance *in, const struct oracle *o,
				const struct vsnd_hw_space *ans, const char *why)
{
	print_instance(k, in);
	if (ans)
		print_space("  answer", ans);
	if (o->formats) {
		fprintf(stderr, "  oracle: formats=%#" PRIx64, o->formats);
		for (unsigned int d = 0; d < DIM_COUNT; d++)
			fprintf(stderr, " %s=[%" PRIu32 ",%" PRIu32 "]", dim_names[d], o->lo[d],
				o->hi[d]);
		fputc('\n', stderr);
	} else {
		fprintf(stderr, "  oracle: nothing feasible\n");
	}
	vtest_fail(__FILE__, __LINE__, "instance %" PRIu32 ": %s", k, why);
}

/*
 * The answer must be closed integer intervals inside the request, and equal
 * to the oracle's bounding space: containing every feasible configuration,
 * with every bound attained by one.
 */
static void check_answer(uint32_t k, const struct instance *in, const struct oracle *o,
			 const struct vsnd_hw_space *ans)
{
	struct vsnd_hw_space a_copy = *ans, r_copy = in->req;

	if (ans->formats & ~in->req.formats)
		prop_fail(k, in, o, ans, "answer formats outside the request");
	if (ans->formats != o->formats)
		prop_fail(k, in, o, ans, "answer formats are not the feasible formats");
	for (unsigned int d = 0; d < DIM_COUNT; d++) {
		const struct vsnd_interval *a = space_dim(&a_copy, d);
		const struct vsnd_interval *r = space_dim(&r_copy, d);

		if (!a->integer || a->openmin || a->openmax || a->empty || a->min > a->max)
			prop_fail(k, in, o, ans, "answer interval not closed and non-empty");
		if (!in_interval(r, a->min) || !in_interval(r, a->max))
			prop_fail(k, in, o, ans, "answer interval outside the request");
		if (a->min > o->lo[d] || a->max < o->hi[d])
			prop_fail(k, in, o, ans,
				  "a feasible configuration lies outside the answer");
		if (a->min != o->lo[d] || a->max != o->hi[d])
			prop_fail(k, in, o, ans, "an answer bound is attained by no configuration");
	}
}

/* Return: whether the instance has a feasible configuration. */
static bool check_instance(uint32_t k, const struct instance *in)
{
	struct vsnd_hw_space ans, again;
	struct oracle o;
	int r;

	oracle_run(in, &o);
	memset(&ans, 0, sizeof(ans));
	memset(&again, 0, sizeof(again));
	r = vsnd_hw_solve(&in->req, &in->lim, &in->caps, &ans);
	if (o.formats == 0) {
		if (r != -EINVAL)
			prop_fail(k, in, &o, r == 0 ? &ans : NULL,
				  "nothing is feasible but the solver did not return -EINVAL");
		return false;
	}
	if (r != 0)
		prop_fail(k, in, &o, NULL, "feasible but the solver failed");
	check_answer(k, in, &o, &ans);
	/* The answer keeps every feasible configuration, so it is a fixed point. */
	if (vsnd_hw_solve(&ans, &in->lim, &in->caps, &again) != 0 ||
	    memcmp(&again, &ans, sizeof(ans)) != 0)
		prop_fail(k, in, &o, &ans, "solving the answer again changed it");
	return true;
}

/* PROP_ONE=k re-runs instance k alone, printing it. */
TEST(solver_property)
{
	const char *one = getenv("PROP_ONE");
	uint32_t feasible = 0;
	struct instance in;

	if (one && *one) {
		uint32_t k = (uint32_t)strtoul(one, NULL, 10);

		gen_instance(k, &in);
		print_instance(k, &in);
		printf("feasible: %d\n", check_instance(k, &in));
		return;
	}
	for (uint32_t k = 0; k < PROP_INSTANCES; k++) {
		gen_instance(k, &in);
		feasible += check_instance(k, &in);
	}
	/* Keep the generator honest: both outcomes must be common. */
	printf("%" PRIu32 " of %u instances feasible\n", feasible, PROP_INSTANCES);
	ASSERT_GT(feasible, PROP_INSTANCES / 10);
	ASSERT_LT(feasible, PROP_INSTANCES - PROP_INSTANCES / 10);
}
