// SPDX-License-Identifier: MIT
/*
 * Hand-written tests of the HW_PARAM_QUERY solver (protocol/solver.c): the
 * couplings that matter to guests (buffer-bytes cap against channels, S24
 * in 4 octets, period <= buffer, rate lists against ranges), failures, and
 * extremes. The property test against a brute-force oracle is in
 * test-solver-property.c.
 */
#include "solver-fixture.h"

static void space_set(struct vsnd_hw_space *s, uint64_t formats, uint32_t r0, uint32_t r1,
		      uint32_t c0, uint32_t c1, uint32_t b0, uint32_t b1, uint32_t p0, uint32_t p1)
{
	s->formats = formats;
	vsnd_interval_set(&s->rates, r0, r1);
	vsnd_interval_set(&s->channels, c0, c1);
	vsnd_interval_set(&s->buffer_frames, b0, b1);
	vsnd_interval_set(&s->period_frames, p0, p1);
}

static void expect_interval(const struct vsnd_interval *i, uint32_t lo, uint32_t hi)
{
	ASSERT_TRUE(i->integer && !i->openmin && !i->openmax && !i->empty);
	ASSERT_EQ_U(i->min, lo);
	ASSERT_EQ_U(i->max, hi);
}

static void expect_space(const struct vsnd_hw_space *s, uint64_t formats, uint32_t r0, uint32_t r1,
			 uint32_t c0, uint32_t c1, uint32_t b0, uint32_t b1, uint32_t p0,
			 uint32_t p1)
{
	ASSERT_EQ_U(s->formats, formats);
	expect_interval(&s->rates, r0, r1);
	expect_interval(&s->channels, c0, c1);
	expect_interval(&s->buffer_frames, b0, b1);
	expect_interval(&s->period_frames, p0, p1);
}

struct fixture {
	struct vsnd_stream_limits lim;
	struct vsnd_hw_caps caps;
	struct vsnd_hw_space req;
	struct vsnd_hw_space ans;
};

/* Linux's default limits and a host that can do anything. */
static void setup_default(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	vsnd_stream_limits_linux_default(&f->lim);
	vsnd_hw_caps_any(&f->caps);
}

static int solve(struct fixture *f)
{
	return vsnd_hw_solve(&f->req, &f->lim, &f->caps, &f->ans);
}

/* Solving the answer again must give the same answer. */
static void expect_fixed_point(const struct fixture *f)
{
	struct vsnd_hw_space again;

	memset(&again, 0, sizeof(again));
	ASSERT_OK(vsnd_hw_solve(&f->ans, &f->lim, &f->caps, &again));
	ASSERT_MEMEQ(&again, &f->ans, sizeof(again));
}

TEST(linux_default_vs_48k_s16_stereo)
{
	struct fixture f;
	struct xensnd_query_hw_param w = {
		.formats = BIT(U8) | BIT(S16_LE),
		.rates = { 5512, 48000 },
		.channels = { 1, 2 },
		.buffer = { 16, 65536 },
		.period = { 16, 65536 },
	};

	setup_default(&f);
	f.caps.cap[0].formats = BIT(S16_LE);
	f.caps.cap[0].rates = (struct vsnd_rate_set){ .n = 0 };
	ASSERT_OK(vsnd_rate_set_add(&f.caps.cap[0].rates, 48000));
	vsnd_interval_set(&f.caps.cap[0].channels, 2, 2);
	ASSERT_OK(vsnd_hw_space_from_wire(&w, &f.req));

	ASSERT_OK(solve(&f));
	/* 65536 bytes / (2 channels x 2 octets) = 16384 frames. */
	expect_space(&f.ans, BIT(S16_LE), 48000, 48000, 2, 2, 16, 16384, 16, 16384);
	expect_fixed_point(&f);
}

TEST(buffer_bytes_cap_couples_channels)
{
	struct fixture f;

	setup_default(&f);
	f.lim.formats = BIT(S16_LE);
	f.lim.channels_min = 1;
	f.lim.channels_max = 8;
	f.lim.buffer_bytes_max = 4096;
	space_set(&f.req, VSND_FORMATS_ALL, 8000, 48000, 1, 8, 1024, 4096, 1, UMAX);

	/* 1024 frames x 2 octets leave room for 2 channels; 1 channel allows 2048 frames. */
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(S16_LE), 8000, 48000, 1, 2, 1024, 2048, 1, 2048);
	expect_fixed_point(&f);

	/* Asking for at least 3 channels leaves 682 frames, below the request. */
	vsnd_interval_set(&f.req.channels, 3, 8);
	ASSERT_ERR(solve(&f), EINVAL);
	vsnd_interval_set(&f.req.buffer_frames, 1, 4096);
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(S16_LE), 8000, 48000, 3, 8, 1, 682, 1, 682);
}

TEST(s24_counts_four_octets)
{
	struct fixture f;

	setup_default(&f);
	f.lim.formats = BIT(S24_LE);
	f.lim.channels_min = 2;
	space_set(&f.req, UINT64_MAX, 0, UMAX, 0, UMAX, 0, UMAX, 0, UMAX);

	/* 65536 / (2 x 4) = 8192, not the 10922 a 3-octet sample would give. */
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(S24_LE), 5512, 48000, 2, 2, 1, 8192, 1, 8192);

	/* F64 takes 8 octets; mixing it with U8 widens to U8's 32768 frames. */
	f.lim.formats = BIT(F64_LE) | BIT(U8);
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(F64_LE) | BIT(U8), 5512, 48000, 2, 2, 1, 32768, 1, 32768);
	f.lim.formats = BIT(F64_LE);
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(F64_LE), 5512, 48000, 2, 2, 1, 4096, 1, 4096);
}

TEST(period_not_above_buffer)
{
	struct fixture f;

	setup_default(&f);
	space_set(&f.req, BIT(S16_LE), 44100, 44100, 2, 2, 50, 150, 100, 200);
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(S16_LE), 44100, 44100, 2, 2, 100, 150, 100, 150);

	space_set(&f.req, BIT(S16_LE), 44100, 44100, 2, 2, 50, 99, 100, 200);
	ASSERT_ERR(solve(&f), EINVAL);
}

TEST(rate_lists_and_ranges)
{
	static const uint32_t lim_rates[] = { 8000, 44100, 48000, 96000 };
	struct fixture f;

	setup_default(&f);
	f.lim.rates = (struct vsnd_rate_set){ .n = 0 };
	for (size_t k = 0; k < sizeof(lim_rates) / sizeof(lim_rates[0]); k++)
		ASSERT_OK(vsnd_rate_set_add(&f.lim.rates, lim_rates[k]));
	ASSERT_OK(vsnd_rate_set_range(&f.caps.cap[0].rates, 40000, 50000));
	space_set(&f.req, BIT(U8), 0, UMAX, 1, 2, 1, UMAX, 1, UMAX);
	ASSERT_OK(solve(&f));
	expect_interval(&f.ans.rates, 44100, 48000);

	/* Two lists meet in one rate. */
	f.caps.cap[0].rates = (struct vsnd_rate_set){ .n = 0 };
	ASSERT_OK(vsnd_rate_set_add(&f.caps.cap[0].rates, 44100));
	ASSERT_OK(vsnd_rate_set_add(&f.caps.cap[0].rates, 192000));
	ASSERT_OK(solve(&f));
	expect_interval(&f.ans.rates, 44100, 44100);

	/* A request between two listed rates holds none of them. */
	vsnd_interval_set(&f.req.rates, 44101, 95999);
	ASSERT_ERR(solve(&f), EINVAL);
}

TEST(entries_union)
{
	struct fixture f;

	setup_default(&f);
	f.caps.n = 2;
	f.caps.cap[1] = f.caps.cap[0];
	f.caps.cap[0].formats = BIT(S16_LE);
	f.caps.cap[0].rates = (struct vsnd_rate_set){ .n = 0 };
	ASSERT_OK(vsnd_rate_set_add(&f.caps.cap[0].rates, 44100));
	vsnd_interval_set(&f.caps.cap[0].channels, 2, 2);
	vsnd_interval_set(&f.caps.cap[0].period_frames, 64, 1024);
	f.caps.cap[1].formats = BIT(U8) | BIT(S16_LE);
	ASSERT_OK(vsnd_rate_set_range(&f.caps.cap[1].rates, 8000, 16000));
	vsnd_interval_set(&f.caps.cap[1].channels, 1, 1);
	vsnd_interval_set(&f.caps.cap[1].buffer_frames, 32, 100);

	space_set(&f.req, UINT64_MAX, 0, UMAX, 0, UMAX, 0, UMAX, 0, UMAX);
	ASSERT_OK(solve(&f));
	/*
	 * Buffer minimum 32 and period minimum 1 come from entry 1, buffer
	 * maximum 16384 (S16 stereo) and period maximum 1024 from entry 0.
	 */
	expect_space(&f.ans, BIT(U8) | BIT(S16_LE), 8000, 44100, 1, 2, 32, 16384, 1, 1024);
	expect_fixed_point(&f);

	/* Entry 0 alone for stereo. */
	vsnd_interval_set(&f.req.channels, 2, 2);
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(S16_LE), 44100, 44100, 2, 2, 64, 16384, 64, 1024);
}

TEST(disjoint_request_fails)
{
	struct fixture f;

	setup_default(&f);
	space_set(&f.req, BIT(S16_LE), 96000, 192000, 1, 2, 1, UMAX, 1, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
	space_set(&f.req, BIT(S16_LE), 8000, 48000, 3, 8, 1, UMAX, 1, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
	space_set(&f.req, BIT(S32_LE), 8000, 48000, 1, 2, 1, UMAX, 1, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
	/* Bigger than 64 KiB even for mono U8. */
	space_set(&f.req, BIT(U8), 8000, 48000, 1, 2, 65537, UMAX, 1, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
}

TEST(min_above_max_fails)
{
	struct fixture f;

	setup_default(&f);
	for (unsigned int d = 0; d < DIM_COUNT; d++) {
		struct vsnd_interval *i = space_dim(&f.req, d);

		space_set(&f.req, UINT64_MAX, 8000, 48000, 1, 2, 64, 4096, 32, 1024);
		/* Flagged empty, and min > max without the flag. */
		vsnd_interval_set(i, i->max, i->min);
		ASSERT_ERR(solve(&f), EINVAL);
		i->empty = false;
		ASSERT_ERR(solve(&f), EINVAL);
	}
	/* Limits with min > max are infeasible too. */
	space_set(&f.req, UINT64_MAX, 8000, 48000, 1, 2, 64, 4096, 32, 1024);
	f.lim.channels_min = 3;
	ASSERT_ERR(solve(&f), EINVAL);
	vsnd_stream_limits_linux_default(&f.lim);
	f.lim.rates.min = 48001;
	ASSERT_ERR(solve(&f), EINVAL);
}

TEST(formats_empty_or_variable_fail)
{
	struct vsnd_hw_space before;
	struct fixture f;

	setup_default(&f);
	space_set(&f.req, 0, 8000, 48000, 1, 2, 1, UMAX, 1, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
	f.req.formats = UINT64_MAX;
	f.lim.formats = 0;
	ASSERT_ERR(solve(&f), EINVAL);
	/* Variable-size formats and bits past the table are never offered. */
	f.lim.formats = UINT64_MAX;
	f.caps.cap[0].formats = BIT(IMA_ADPCM) | BIT(MPEG) | BIT(GSM) | ~VSND_FORMATS_ALL;
	ASSERT_ERR(solve(&f), EINVAL);
	f.caps.n = 0;
	/* A failed query leaves the answer alone. */
	memset(&f.ans, 0x5a, sizeof(f.ans));
	before = f.ans;
	ASSERT_ERR(solve(&f), EINVAL);
	ASSERT_MEMEQ(&f.ans, &before, sizeof(before));
}

TEST(all_ones_masks)
{
	struct fixture f;

	setup_default(&f);
	f.lim.formats = UINT64_MAX;
	f.caps.cap[0].formats = UINT64_MAX;
	space_set(&f.req, UINT64_MAX, 0, UMAX, 0, UMAX, 0, UMAX, 0, UMAX);
	ASSERT_OK(solve(&f));
	/* U8 mono can fill all 65536 octets with frames. */
	expect_space(&f.ans, VSND_FORMATS_FIXED, 5512, 48000, 1, 2, 1, 65536, 1, 65536);
	expect_fixed_point(&f);
}

TEST(zero_ranges)
{
	struct fixture f;

	setup_default(&f);
	for (unsigned int d = 0; d < DIM_COUNT; d++) {
		space_set(&f.req, UINT64_MAX, 8000, 48000, 1, 2, 64, 4096, 32, 1024);
		vsnd_interval_set(space_dim(&f.req, d), 0, 0);
		ASSERT_ERR(solve(&f), EINVAL);
	}
	/* A range starting at 0 answers from 1. */
	space_set(&f.req, BIT(U8), 8000, 48000, 0, 2, 0, 100, 0, 100);
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(U8), 8000, 48000, 1, 2, 1, 100, 1, 100);
	/* No buffer bytes at all. */
	f.lim.buffer_bytes_max = 0;
	ASSERT_ERR(solve(&f), EINVAL);
	/* Zero channels in the limits cannot lift the buffer-bytes cap. */
	f.lim.buffer_bytes_max = 64;
	f.lim.channels_min = 0;
	space_set(&f.req, BIT(U8), 8000, 48000, 0, 2, 0, UMAX, 0, UMAX);
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(U8), 8000, 48000, 1, 2, 1, 64, 1, 64);
}

TEST(no_overflow_at_extremes)
{
	struct fixture f;

	setup_default(&f);
	f.lim.formats = BIT(F64_LE);
	f.lim.channels_max = UMAX;
	f.lim.buffer_bytes_max = UMAX;
	ASSERT_OK(vsnd_rate_set_range(&f.lim.rates, 0, UMAX));
	space_set(&f.req, UINT64_MAX, 0, UMAX, 0, UMAX, 0, UMAX, 0, UMAX);
	ASSERT_OK(solve(&f));
	/* Channels stop at 255: OPEN carries them in one octet. */
	expect_space(&f.ans, BIT(F64_LE), 1, UMAX, 1, 255, 1, UMAX / 8, 1, UMAX / 8);
	expect_fixed_point(&f);

	/* UINT32_MAX frames x 8 octets would wrap 32 bits; it must not fit. */
	vsnd_interval_set(&f.req.buffer_frames, UMAX, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
	vsnd_interval_set(&f.req.buffer_frames, 1, UMAX);
	vsnd_interval_set(&f.req.channels, UMAX, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
	vsnd_interval_set(&f.req.channels, 256, UMAX);
	ASSERT_ERR(solve(&f), EINVAL);
	vsnd_interval_set(&f.req.channels, 255, UMAX);
	ASSERT_OK(solve(&f));
	/* 255 channels x 8 octets: at most UMAX / 2040 frames. */
	expect_space(&f.ans, BIT(F64_LE), 1, UMAX, 255, 255, 1, UMAX / 2040, 1, UMAX / 2040);
}

TEST(open_request_ends_close_inward)
{
	struct fixture f;

	setup_default(&f);
	space_set(&f.req, BIT(S16_LE), 8000, 48000, 1, 2, 64, 4096, 32, 1024);
	f.req.rates.openmax = true;
	f.req.buffer_frames.openmin = true;
	f.req.period_frames =
		(struct vsnd_interval){ .min = 32, .max = 64, .openmin = true, .openmax = true };
	ASSERT_OK(solve(&f));
	expect_space(&f.ans, BIT(S16_LE), 8000, 47999, 1, 2, 65, 4096, 33, 63);
}

/*
 * Property test. Every dimension of an instance is small enough to
 * enumerate: the limits hold rates <= GRID_RATE and at most GRID_CHANNELS
 * channels, and capability entries hold at most GRID_FRAMES buffer and
 * period frames, so no feasible configuration lies outside the grid even
 * when the request reaches UINT32_MAX.
 */
