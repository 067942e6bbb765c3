// SPDX-License-Identifier: MIT
/*
 * Software volume and mute (backend/volume.c): unity is bit-exact for every
 * format, gains scale around zero or the unsigned midpoint with rounding and
 * saturation, byte order and the S24 container are honoured, mute and the
 * lowest gain write each format's silence, and invalid gains are refused.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "audio.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"
#include "vtest.h"

#define HALF_MDB (-6021)	/* 20 log10(0.5) = -6.0206 dB */

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void volume_one(struct sndbe_volume *v, uint8_t channels, int32_t mdb)
{
	sndbe_volume_init(v, channels);
	for (unsigned int c = 0; c < channels; c++)
		ASSERT_OK(sndbe_volume_set(v, c, mdb));
}

static int16_t s16le(const uint8_t *p)
{
	return (int16_t)(p[0] | p[1] << 8);
}

static void put_s16le(uint8_t *p, int16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)((uint16_t)v >> 8);
}

TEST(unity_is_bit_exact_for_every_format)
{
	for (uint8_t code = 0; code < VSND_FORMAT_COUNT; code++) {
		uint8_t buf[3 * 8 * 16], ref[sizeof(buf)];
		struct sndbe_volume v;

		if (vsnd_format_phys_bytes(code) == 0)
			continue;
		fill_pattern(buf, sizeof(buf), code);
		memcpy(ref, buf, sizeof(buf));
		volume_one(&v, 3, 0);
		ASSERT_TRUE(sndbe_volume_is_unity(&v));
		ASSERT_OK(sndbe_volume_apply(&v, code, buf, 16));
		ASSERT_MEMEQ(buf, ref, sizeof(buf));
	}
}

TEST(minus_6_db_halves_s16)
{
	static const int16_t in[] = { 0, 1000, -1000, 32767, -32768, 12345, -7 };
	enum { N_IN = sizeof(in) / sizeof(in[0]) };
	uint8_t buf[sizeof(in)];
	struct sndbe_volume v;

	for (size_t i = 0; i < N_IN; i++)
		put_s16le(buf + 2 * i, in[i]);
	volume_one(&v, 1, HALF_MDB);
	ASSERT_FALSE(sndbe_volume_is_unity(&v));
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S16_LE, buf, N_IN));
	for (size_t i = 0; i < N_IN; i++) {
		int32_t want = (int32_t)lround(in[i] / 2.0), got = s16le(buf + 2 * i);

		ASSERT_LE(abs(got - want), 1);
	}
}

TEST(extremes_saturate_without_wrapping)
{
	uint8_t b32[8], b16[4];
	struct sndbe_volume v;
	int32_t hi, lo;

	/* The smallest step below unity: the extremes must stay in range and
	 * keep their sign, not wrap around. */
	volume_one(&v, 2, -1);
	memcpy(b32, &(int32_t){ INT32_MAX }, 4);
	memcpy(b32 + 4, &(int32_t){ INT32_MIN }, 4);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S32_LE, b32, 1));
	memcpy(&hi, b32, 4);
	memcpy(&lo, b32 + 4, 4);
	ASSERT_GT(hi, INT32_MAX - 400000);
	ASSERT_LT(lo, INT32_MIN + 400000);
	ASSERT_LT(lo, 0);

	put_s16le(b16, INT16_MAX);
	put_s16le(b16 + 2, INT16_MIN);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S16_LE, b16, 1));
	ASSERT_GE(s16le(b16), 32760);
	ASSERT_LE(s16le(b16 + 2), -32760);
}

/* Big- or little-endian unsigned value of @n octets. */
static uint64_t get_uint(const uint8_t *p, unsigned int n, bool be)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

/* -6.021 dB is 0.49997, not 0.5: allow its relative error plus rounding. */
#define ASSERT_HALF(got, full)                                                         \
	do {                                                                           \
		int64_t g_ = (got), w_ = (full) / 2;                                   \
		ASSERT_LE(llabs(g_ - w_), 1 + llabs(w_) / 10000);                      \
	} while (0)

TEST(unsigned_formats_scale_around_their_midpoint)
{
	uint8_t u8[] = { 0x80, 0xff, 0x00, 0x90 };
	uint8_t u16le[] = { 0x00, 0x80, 0x00, 0xc0 };	/* 0x8000, 0xc000 */
	uint8_t u16be[] = { 0x80, 0x00, 0x40, 0x00 };	/* 0x8000, 0x4000 */
	struct sndbe_volume v;

	volume_one(&v, 1, HALF_MDB);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_U8, u8, 4));
	ASSERT_EQ(u8[0], 0x80);
	ASSERT_HALF(u8[1] - 0x80, 127);
	ASSERT_EQ(u8[2], 0x40);			/* -128 -> -64 */
	ASSERT_EQ(u8[3], 0x88);			/* +16 -> +8 */

	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_U16_LE, u16le, 2));
	ASSERT_EQ(get_uint(u16le, 2, false), 0x8000);
	ASSERT_HALF((int64_t)get_uint(u16le + 2, 2, false) - 0x8000, 0x4000);

	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_U16_BE, u16be, 2));
	ASSERT_EQ(get_uint(u16be, 2, true), 0x8000);
	ASSERT_HALF((int64_t)get_uint(u16be + 2, 2, true) - 0x8000, -0x4000);
}

TEST(big_endian_byte_order)
{
	uint8_t s16[] = { 0x10, 0x00, 0xf0, 0x00 };	/* 4096, -4096 */
	uint8_t s32[] = { 0x01, 0x00, 0x00, 0x00 };	/* 1 << 24 */
	struct sndbe_volume v;

	volume_one(&v, 1, HALF_MDB);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S16_BE, s16, 2));
	ASSERT_HALF((int16_t)get_uint(s16, 2, true), 4096);
	ASSERT_HALF((int16_t)get_uint(s16 + 2, 2, true), -4096);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S32_BE, s32, 1));
	ASSERT_HALF((int32_t)get_uint(s32, 4, true), 1 << 24);
}

/* The signed 24-bit value in a container's low bits. */
static int32_t s24(const uint8_t *p, bool be)
{
	uint32_t v = (uint32_t)get_uint(p, 4, be) & 0xffffffu;

	return (int32_t)(v ^ 0x800000u) - 0x800000;
}

TEST(s24_sign_lives_in_bit_23_of_the_container)
{
	/* -0x400000 and +0x400000 in the low 24 bits; padding octets 0x00 and
	 * 0xab must stay as they were. */
	uint8_t le[] = { 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x40, 0xab };
	uint8_t be[] = { 0xab, 0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00 };
	uint8_t u24[] = { 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xc0, 0x00 };
	struct sndbe_volume v;

	volume_one(&v, 2, HALF_MDB);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S24_LE, le, 1));
	ASSERT_HALF(s24(le, false), -0x400000);
	ASSERT_HALF(s24(le + 4, false), 0x400000);
	ASSERT_EQ(le[3], 0x00);
	ASSERT_EQ(le[7], 0xab);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S24_BE, be, 1));
	ASSERT_HALF(s24(be, true), -0x400000);
	ASSERT_HALF(s24(be + 4, true), 0x400000);
	ASSERT_EQ(be[0], 0xab);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_U24_LE, u24, 1));
	ASSERT_EQ(get_uint(u24, 4, false), 0x800000);
	ASSERT_HALF((int64_t)get_uint(u24 + 4, 4, false) - 0x800000, 0x400000);
}

TEST(floats_scale_as_floats)
{
	float f[2] = { 0.5f, -1.0f };
	uint8_t be[8];
	double d;
	struct sndbe_volume v;

	volume_one(&v, 2, HALF_MDB);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_F32_LE, f, 1));
	ASSERT_TRUE(fabsf(f[0] - 0.25f) < 1e-4f);
	ASSERT_TRUE(fabsf(f[1] + 0.5f) < 1e-4f);

	/* 0.5 as a big-endian double is 3f e0 00 .. 00. */
	memset(be, 0, sizeof(be));
	be[0] = 0x3f;
	be[1] = 0xe0;
	volume_one(&v, 1, HALF_MDB);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_F64_BE, be, 1));
	for (int i = 0; i < 4; i++) {
		uint8_t t = be[i];

		be[i] = be[7 - i];
		be[7 - i] = t;
	}
	memcpy(&d, be, sizeof(d));
	ASSERT_TRUE(fabs(d - 0.25) < 1e-4);
}

static void check_silence(uint8_t code, const uint8_t *want, unsigned int bytes)
{
	uint8_t buf[2 * 8], fill[2 * 8];
	struct sndbe_volume v;

	fill_pattern(buf, sizeof(buf), 7u + code);
	sndbe_volume_init(&v, 2);
	ASSERT_OK(sndbe_volume_set_mute(&v, 0, true));
	ASSERT_OK(sndbe_volume_set_mute(&v, 1, true));
	ASSERT_OK(sndbe_volume_apply(&v, code, buf, 1));
	ASSERT_MEMEQ(buf, want, bytes);
	ASSERT_MEMEQ(buf + bytes, want, bytes);
	ASSERT_OK(sndbe_format_fill_silence(code, fill, 2));
	ASSERT_MEMEQ(fill, buf, 2 * bytes);
}

TEST(mute_writes_each_formats_silence)
{
	check_silence(XENSND_PCM_FORMAT_U8, (const uint8_t[]){ 0x80 }, 1);
	check_silence(XENSND_PCM_FORMAT_S8, (const uint8_t[]){ 0x00 }, 1);
	check_silence(XENSND_PCM_FORMAT_S16_LE, (const uint8_t[]){ 0, 0 }, 2);
	check_silence(XENSND_PCM_FORMAT_U16_LE, (const uint8_t[]){ 0x00, 0x80 }, 2);
	check_silence(XENSND_PCM_FORMAT_U16_BE, (const uint8_t[]){ 0x80, 0x00 }, 2);
	check_silence(XENSND_PCM_FORMAT_U24_LE, (const uint8_t[]){ 0, 0, 0x80, 0 }, 4);
	check_silence(XENSND_PCM_FORMAT_U24_BE, (const uint8_t[]){ 0, 0x80, 0, 0 }, 4);
	check_silence(XENSND_PCM_FORMAT_U32_BE, (const uint8_t[]){ 0x80, 0, 0, 0 }, 4);
	check_silence(XENSND_PCM_FORMAT_F32_LE, (const uint8_t[]){ 0, 0, 0, 0 }, 4);
	check_silence(XENSND_PCM_FORMAT_F64_BE, (const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }, 8);
	check_silence(XENSND_PCM_FORMAT_MU_LAW, (const uint8_t[]){ 0x7f }, 1);
	check_silence(XENSND_PCM_FORMAT_A_LAW, (const uint8_t[]){ 0x55 }, 1);
}

TEST(lowest_gain_is_silence)
{
	uint8_t buf[4] = { 0x12, 0x34, 0x56, 0x78 };
	struct sndbe_volume v;

	volume_one(&v, 1, SNDBE_VOLUME_MIN_MDB);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_U16_LE, buf, 2));
	ASSERT_EQ(buf[0], 0x00);
	ASSERT_EQ(buf[1], 0x80);
	ASSERT_EQ(buf[2], 0x00);
	ASSERT_EQ(buf[3], 0x80);
}

TEST(gains_and_mutes_are_per_channel)
{
	uint8_t buf[3 * 2 * 4], ref[sizeof(buf)];
	struct sndbe_volume v;

	for (unsigned int i = 0; i < 12; i++)
		put_s16le(buf + 2 * i, (int16_t)(1000 * (i + 1)));
	memcpy(ref, buf, sizeof(buf));
	sndbe_volume_init(&v, 3);
	ASSERT_OK(sndbe_volume_set(&v, 1, HALF_MDB));
	ASSERT_OK(sndbe_volume_set_mute(&v, 2, true));
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_S16_LE, buf, 4));
	for (unsigned int f = 0; f < 4; f++) {
		const uint8_t *p = buf + 6 * f, *r = ref + 6 * f;

		ASSERT_MEMEQ(p, r, 2);	/* channel 0: untouched, bit for bit */
		ASSERT_LE(abs(s16le(p + 2) - s16le(r + 2) / 2), 1);
		ASSERT_EQ(s16le(p + 4), 0);
	}
}

/* The G.711 reference expansion (ITU-T G.711, mu-law). */
static int mulaw_ref(uint8_t u)
{
	int t;

	u = (uint8_t)~u;
	t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
	return u & 0x80 ? 0x84 - t : t - 0x84;
}

TEST(g711_scales_through_linear)
{
	uint8_t mu[] = { 0x00, 0x80, 0x10, 0x90 };
	uint8_t in[sizeof(mu)];
	struct sndbe_volume v;

	memcpy(in, mu, sizeof(mu));
	volume_one(&v, 1, HALF_MDB);
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_MU_LAW, mu, sizeof(mu)));
	for (size_t i = 0; i < sizeof(mu); i++) {
		double ratio = (double)mulaw_ref(mu[i]) / mulaw_ref(in[i]);

		ASSERT_TRUE(ratio > 0.45 && ratio < 0.55);
	}
}

TEST(invalid_gains_and_formats_are_refused)
{
	uint8_t buf[8] = { 0 };
	struct sndbe_volume v;

	sndbe_volume_init(&v, 2);
	ASSERT_ERR(sndbe_volume_set(&v, 0, 1), EINVAL);
	ASSERT_ERR(sndbe_volume_set(&v, 0, SNDBE_VOLUME_MIN_MDB - 1), EINVAL);
	ASSERT_ERR(sndbe_volume_set(&v, 2, -100), EINVAL);
	ASSERT_ERR(sndbe_volume_set_mute(&v, 2, true), EINVAL);
	ASSERT_OK(sndbe_volume_set(&v, 1, SNDBE_VOLUME_MIN_MDB));
	ASSERT_OK(sndbe_volume_set(&v, 1, 0));
	ASSERT_TRUE(sndbe_volume_is_unity(&v));
	ASSERT_ERR(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_IMA_ADPCM, buf, 1), EINVAL);
	ASSERT_ERR(sndbe_volume_apply(&v, VSND_FORMAT_COUNT, buf, 1), EINVAL);
	ASSERT_ERR(sndbe_format_fill_silence(XENSND_PCM_FORMAT_GSM, buf, 1), EINVAL);
	/* IEC958 carries a bitstream: untouched at unity, never scaled. */
	ASSERT_OK(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_IEC958_SUBFRAME_LE, buf, 1));
	ASSERT_OK(sndbe_volume_set(&v, 0, -100));
	ASSERT_ERR(sndbe_volume_apply(&v, XENSND_PCM_FORMAT_IEC958_SUBFRAME_LE, buf, 1),
		   EOPNOTSUPP);
}
