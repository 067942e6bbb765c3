// SPDX-License-Identifier: MIT
/*
 * test-stream-formats.c - bit-exact playback and capture through the stream
 * layer at several rates, formats and channel counts, with a libvsndfront
 * guest and "file:" host devices (stream-rig.h).
 *
 * The matrix is a covering subset of rates {8000, 44100, 48000, 96000} x
 * formats {U8, S16_LE, S24_LE, S32_LE, F32_LE, MU_LAW} (what a WAV file
 * holds, sndbe_audio_probe()) x channels {1, 2, 6}, 20 combinations: every
 * rate five times, and every format with all three channel counts and at
 * least three rates (the table gives the channels of each combination):
 *
 *   rate   U8     S16_LE  S24_LE  S32_LE  F32_LE  MU_LAW
 *   8000   1      2       .       1       2       1
 *   44100  .      2       6       6       1       6
 *   48000  2      1       1       2       6       .
 *   96000  6      6       2       .       1       2
 *
 * The card has four playback and four capture streams, so a round plays
 * (or captures) four combinations at once; a buffer lasts 40 ms at its
 * rate, and the five rounds of each direction take well under a second.
 * Playback: the guest writes a pattern, and the sink's WAV has the right
 * format, rate and channels in its header and the pattern, byte for byte,
 * in its data chunk. Capture: a WAV source of the combination is READ back
 * by the guest byte for byte. Unity gain is never applied, so every octet
 * value is fine, floats' NaNs included.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stream-rig.h"
#include "util.h"
#include "vsnd/format.h"
#include "vtest.h"

#define PER_ROUND 4u

struct combo {
	uint32_t rate;
	uint8_t format;
	uint8_t channels;
};

static const struct combo matrix[] = {
	{ 8000, XENSND_PCM_FORMAT_U8, 1 },	{ 8000, XENSND_PCM_FORMAT_S16_LE, 2 },
	{ 8000, XENSND_PCM_FORMAT_S32_LE, 1 },	{ 8000, XENSND_PCM_FORMAT_F32_LE, 2 },
	{ 8000, XENSND_PCM_FORMAT_MU_LAW, 1 },	{ 44100, XENSND_PCM_FORMAT_S16_LE, 2 },
	{ 44100, XENSND_PCM_FORMAT_S24_LE, 6 }, { 44100, XENSND_PCM_FORMAT_S32_LE, 6 },
	{ 44100, XENSND_PCM_FORMAT_F32_LE, 1 }, { 44100, XENSND_PCM_FORMAT_MU_LAW, 6 },
	{ 48000, XENSND_PCM_FORMAT_U8, 2 },	{ 48000, XENSND_PCM_FORMAT_S16_LE, 1 },
	{ 48000, XENSND_PCM_FORMAT_S24_LE, 1 }, { 48000, XENSND_PCM_FORMAT_S32_LE, 2 },
	{ 48000, XENSND_PCM_FORMAT_F32_LE, 6 }, { 96000, XENSND_PCM_FORMAT_U8, 6 },
	{ 96000, XENSND_PCM_FORMAT_S16_LE, 6 }, { 96000, XENSND_PCM_FORMAT_S24_LE, 2 },
	{ 96000, XENSND_PCM_FORMAT_F32_LE, 1 }, { 96000, XENSND_PCM_FORMAT_MU_LAW, 2 },
};

_Static_assert(ARRAY_SIZE(matrix) % PER_ROUND == 0, "whole rounds");

/* Streams 0-3 are playback (pcm 0), 4-7 capture (pcm 1). */
static const struct rig_config card = {
	.n_streams = 2 * PER_ROUND,
	.s = { { 0, 0, "p" },
	       { 0, 1, "p" },
	       { 0, 2, "p" },
	       { 0, 3, "p" },
	       { 1, 0, "c" },
	       { 1, 1, "c" },
	       { 1, 2, "c" },
	       { 1, 3, "c" } },
	.sample_rates = "8000,44100,48000,96000",
	.sample_formats = "u8,s16_le,s24_le,s32_le,float_le,mu_law",
	.channels_min = "1",
	.channels_max = "6",
	.buffer_size = "262144",
};

/* A buffer of 40 ms (a whole number of frames, four periods). */
static uint32_t buffer_bytes(const struct combo *c)
{
	uint32_t frame;

	ASSERT_OK(vsnd_frame_bytes(c->format, c->channels, &frame));
	return c->rate / 25u * frame;
}

static void open_combo(struct rig *rig, struct guest *g, unsigned int i, const struct combo *c)
{
	uint32_t bytes = buffer_bytes(c);

	ASSERT_OK(g_open(rig, g, i, c->rate, c->format, c->channels, bytes, bytes / 4));
}

static void check_sink(struct rig *rig, unsigned int k, const struct combo *c, uint32_t seed)
{
	uint32_t bytes = buffer_bytes(c);
	struct rig_wav w;
	char path[256];

	rig_wav_read(rig_wav_path(rig, 0, k, path, sizeof(path)), &w);
	if (w.format != c->format || w.rate != c->rate || w.channels != c->channels)
		vtest_fail(__FILE__, __LINE__, "%s: format %u, %u Hz, %u channels", path, w.format,
			   w.rate, w.channels);
	ASSERT_EQ(w.data_len, bytes);
	for (uint32_t i = 0; i < bytes; i++)
		if (w.data[i] != rig_pat(seed, i))
			vtest_fail(__FILE__, __LINE__, "%s: octet %u is %#x, not %#x", path, i,
				   w.data[i], rig_pat(seed, i));
	free(w.data);
}

static void play_round(struct rig *rig, struct guest *g, const struct combo *c)
{
	for (unsigned int k = 0; k < PER_ROUND; k++) {
		open_combo(rig, g, k, &c[k]);
		ASSERT_OK(g_write(rig, g, k, 0, buffer_bytes(&c[k]), 40 + k, 0));
	}
	for (unsigned int k = 0; k < PER_ROUND; k++)
		ASSERT_OK(g_trigger(rig, g, k, XENSND_OP_TRIGGER_START));
	for (unsigned int k = 0; k < PER_ROUND; k++) {
		struct vsndfe_stream_stats st;

		ASSERT_GE(g_wait_pos(rig, g, k, buffer_bytes(&c[k]), &st), 0);
		ASSERT_EQ_U(st.position_bytes, buffer_bytes(&c[k]));
	}
	for (unsigned int k = 0; k < PER_ROUND; k++) {
		ASSERT_OK(g_trigger(rig, g, k, XENSND_OP_TRIGGER_STOP));
		ASSERT_OK(g_close(rig, g, k));
		check_sink(rig, k, &c[k], 40 + k);
	}
}

TEST_TIMEOUT(playback_matrix_bit_exact, 120)
{
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, &card);
	for (size_t r = 0; r < ARRAY_SIZE(matrix); r += PER_ROUND)
		play_round(&rig, &g, &matrix[r]);
	rig_down(&rig, &g);
}

static void capture_round(struct rig *rig, struct guest *g, const struct combo *c)
{
	char path[256];

	for (unsigned int k = 0; k < PER_ROUND; k++) {
		rig_wav_write(rig_wav_path(rig, 1, k, path, sizeof(path)), c[k].format, c[k].rate,
			      c[k].channels, 60 + k, buffer_bytes(&c[k]));
		open_combo(rig, g, PER_ROUND + k, &c[k]);
	}
	for (unsigned int k = 0; k < PER_ROUND; k++)
		ASSERT_OK(g_trigger(rig, g, PER_ROUND + k, XENSND_OP_TRIGGER_START));
	for (unsigned int k = 0; k < PER_ROUND; k++) {
		uint32_t bytes = buffer_bytes(&c[k]);

		ASSERT_GE(g_wait_pos(rig, g, PER_ROUND + k, bytes, NULL), 0);
		ASSERT_OK(g_read(rig, g, PER_ROUND + k, 0, bytes, 60 + k, 0, bytes, 0));
		ASSERT_OK(g_trigger(rig, g, PER_ROUND + k, XENSND_OP_TRIGGER_STOP));
		/* Capture kept moving after the wait: take the events queued
		 * before STOP, which libvsndfront would otherwise check against
		 * the next OPEN's positions. */
		ASSERT_GE(g_events(rig, g, PER_ROUND + k, NULL), 0);
		ASSERT_OK(g_close(rig, g, PER_ROUND + k));
	}
}

TEST_TIMEOUT(capture_matrix_bit_exact, 120)
{
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, &card);
	for (size_t r = 0; r < ARRAY_SIZE(matrix); r += PER_ROUND)
		capture_round(&rig, &g, &matrix[r]);
	rig_down(&rig, &g);
}

TEST_TIMEOUT(capture_source_of_another_format_is_refused, 120)
{
	static const struct combo s16 = { 48000, XENSND_PCM_FORMAT_S16_LE, 2 };
	struct rig rig;
	struct guest g;
	char path[256];

	rig_up(&rig, &g, &card);
	rig_wav_write(rig_wav_path(&rig, 1, 0, path, sizeof(path)), s16.format, s16.rate,
		      s16.channels, 1, buffer_bytes(&s16));
	/* Another format, another channel count: OPEN fails and leaves the
	 * stream closed; the right ones open. */
	ASSERT_ERR(g_open(&rig, &g, PER_ROUND, 48000, XENSND_PCM_FORMAT_S32_LE, 2, 7680, 1920),
		   EINVAL);
	ASSERT_ERR(g_open(&rig, &g, PER_ROUND, 48000, XENSND_PCM_FORMAT_S16_LE, 1, 3840, 960),
		   EINVAL);
	ASSERT_ERR(g_read(&rig, &g, PER_ROUND, 0, 4, 1, 0, 0, 0), EINVAL);
	open_combo(&rig, &g, PER_ROUND, &s16);
	/* A file that is not there. */
	ASSERT_ERR(g_open(&rig, &g, PER_ROUND + 1, 48000, XENSND_PCM_FORMAT_S16_LE, 2, 7680, 1920),
		   ENOENT);
	rig_down(&rig, &g);
}
