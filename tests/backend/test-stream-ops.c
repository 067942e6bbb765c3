// SPDX-License-Identifier: MIT
/*
 * test-stream-ops.c - the stream layer's volume, mute and READ operations
 * sent by a libvsndfront guest (stream-rig.h), and OPEN on an open stream
 * through the whole path (ring, device layer, stream) by a raw guest.
 *
 * Volume and mute are checked where they show: GET_VOLUME answers what
 * SET_VOLUME set (0 dB before any), and the WAV a "file:" sink writes holds
 * silence exactly in the muted channel and the guest's bytes everywhere
 * else. READ never hands out more than was captured (security.md rule 28):
 * the guest's buffer is filled with 0xAA first, and what READ leaves there
 * must be the source file's data, then silence (zero in S16_LE), never a
 * byte of 0xAA nor anything stale. An OPEN without a period (period_sz 0,
 * sndif.h's "no CUR_POS events") plays and sends no event.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rawfe.h"
#include "shbuf.h"
#include "stream-rig.h"
#include "stream.h"
#include "util.h"
#include "vsnd/format.h"
#include "vtest.h"

#define RATE 48000u
#define BUFFER 16384u
#define PERIOD 4096u

static const struct rig_config six_channels = {
	.channels_max = "6",
};

static const struct rig_config one_capture = {
	.n_streams = 1,
	.s = { { 0, 0, "c" } },
};

/* ---- volume and mute ------------------------------------------------------ */

TEST_TIMEOUT(volume_set_then_get_per_channel, 120)
{
	const int32_t set[6] = { -3000, -12500, 0, SNDBE_VOLUME_MIN_MDB, -1, -60000 };
	int32_t v[6];
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, &six_channels);
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 6, 12 * 1024, 3 * 1024));
	/* 0 dB on every channel until a SET. */
	memset(v, 0x55, sizeof(v));
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_GET_VOLUME, v, 6));
	for (unsigned int i = 0; i < 6; i++)
		ASSERT_EQ(v[i], 0);
	memcpy(v, set, sizeof(v));
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_SET_VOLUME, v, 6));
	memset(v, 0, sizeof(v));
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_GET_VOLUME, v, 6));
	for (unsigned int i = 0; i < 6; i++)
		ASSERT_EQ(v[i], set[i]);
	/* A gain above 0 dB or below the floor on one channel is refused and
	 * changes no channel. */
	memcpy(v, set, sizeof(v));
	v[0] = -1000;
	v[3] = 1;
	ASSERT_ERR(g_values(&rig, &g, 0, XENSND_OP_SET_VOLUME, v, 6), EINVAL);
	v[3] = SNDBE_VOLUME_MIN_MDB - 1;
	ASSERT_ERR(g_values(&rig, &g, 0, XENSND_OP_SET_VOLUME, v, 6), EINVAL);
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_GET_VOLUME, v, 6));
	for (unsigned int i = 0; i < 6; i++)
		ASSERT_EQ(v[i], set[i]);
	/* Mute is not a gain: GET still answers the gains. */
	for (unsigned int i = 0; i < 6; i++)
		v[i] = 1;
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_MUTE, v, 6));
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_GET_VOLUME, v, 6));
	for (unsigned int i = 0; i < 6; i++)
		ASSERT_EQ(v[i], set[i]);
	/* A new OPEN starts at 0 dB again. */
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD));
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_GET_VOLUME, v, 2));
	ASSERT_EQ(v[0], 0);
	ASSERT_EQ(v[1], 0);
	rig_down(&rig, &g);
}

/* Stop, close and read back the WAV of stream 0/0. */
static void stop_and_read(struct rig *rig, struct guest *g, struct rig_wav *w)
{
	char path[256];

	ASSERT_OK(g_trigger(rig, g, 0, XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(g_close(rig, g, 0));
	rig_wav_read(rig_wav_path(rig, 0, 0, path, sizeof(path)), w);
}

TEST_TIMEOUT(mute_one_channel_then_unmute_bit_exact, 120)
{
	int32_t ch0[2] = { 1, 0 };
	struct rig_wav w;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, NULL);
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD));
	/* Volume applies when WRITE copies the frames out: the first half is
	 * written muted on channel 0, the second after UNMUTE. */
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_MUTE, ch0, 2));
	ASSERT_OK(g_write(&rig, &g, 0, 0, BUFFER / 2, 7, 0));
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_UNMUTE, ch0, 2));
	ASSERT_OK(g_write(&rig, &g, 0, BUFFER / 2, BUFFER / 2, 7, BUFFER / 2));
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, BUFFER, NULL), 0);
	stop_and_read(&rig, &g, &w);
	ASSERT_EQ(w.data_len, BUFFER);
	for (uint32_t i = 0; i < BUFFER; i++) {
		/* Octets 0-1 of a frame are channel 0, 2-3 channel 1. */
		bool silent = i < BUFFER / 2 && i % 4 < 2;
		uint8_t want = silent ? 0 : rig_pat(7, i);

		if (w.data[i] != want)
			vtest_fail(__FILE__, __LINE__, "octet %u: %#x, expected %#x", i, w.data[i],
				   want);
	}
	free(w.data);
	rig_down(&rig, &g);
}

TEST_TIMEOUT(mute_all_then_unmute_one, 120)
{
	int32_t both[2] = { 1, 1 }, ch1[2] = { 0, 1 };
	struct rig_wav w;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, NULL);
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S32_LE, 2, BUFFER, PERIOD));
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_MUTE, both, 2));
	/* UNMUTE with a zero entry leaves that channel muted. */
	ASSERT_OK(g_values(&rig, &g, 0, XENSND_OP_UNMUTE, ch1, 2));
	ASSERT_OK(g_write(&rig, &g, 0, 0, BUFFER, 8, 0));
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, BUFFER, NULL), 0);
	stop_and_read(&rig, &g, &w);
	ASSERT_EQ(w.format, XENSND_PCM_FORMAT_S32_LE);
	ASSERT_EQ(w.data_len, BUFFER);
	for (uint32_t i = 0; i < BUFFER; i++) {
		uint8_t want = i % 8 < 4 ? 0 : rig_pat(8, i);

		if (w.data[i] != want)
			vtest_fail(__FILE__, __LINE__, "octet %u: %#x, expected %#x", i, w.data[i],
				   want);
	}
	free(w.data);
	rig_down(&rig, &g);
}

/* ---- READ: never more than captured ---------------------------------------- */

static void source(struct rig *rig, uint32_t seed, uint32_t bytes)
{
	char path[256];

	rig_wav_write(rig_wav_path(rig, 0, 0, path, sizeof(path)), XENSND_PCM_FORMAT_S16_LE, RATE,
		      2, seed, bytes);
}

TEST_TIMEOUT(read_past_the_end_of_the_source_is_zeros, 120)
{
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, &one_capture);
	source(&rig, 11, BUFFER / 2 + 4);
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD));
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, BUFFER, NULL), 0);
	/* The file's half buffer and one frame, then silence. */
	ASSERT_OK(g_read(&rig, &g, 0, 0, BUFFER, 11, 0, BUFFER / 2 + 4, 0));
	/* Everything after is silence, however far the position goes. */
	ASSERT_GE(g_wait_pos(&rig, &g, 0, 2 * BUFFER, NULL), 0);
	ASSERT_OK(g_read(&rig, &g, 0, PERIOD, BUFFER - PERIOD, 11, 0, 0, 0));
	rig_down(&rig, &g);
}

TEST_TIMEOUT(read_before_start_is_zeros_and_takes_nothing, 120)
{
	struct sndbe_stream_stats st;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, &one_capture);
	source(&rig, 12, 2 * BUFFER);
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD));
	/* Nothing is captured before START: a whole buffer of zeros. */
	ASSERT_OK(g_read(&rig, &g, 0, 0, BUFFER, 12, 0, 0, 0));
	sndbe_stream_stats(rig_stream(&rig, 0), &st);
	ASSERT_EQ_U(st.frames_missing, BUFFER / 4);
	/* A zero-length READ anywhere inside is fine and moves nothing. */
	ASSERT_OK(g_read(&rig, &g, 0, BUFFER, 0, 12, 0, 0, 0));
	/* That READ consumed nothing: the first captured frames are the
	 * file's first. */
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, PERIOD, NULL), 0);
	ASSERT_OK(g_read(&rig, &g, 0, 0, PERIOD, 12, 0, PERIOD, 0));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, 2 * PERIOD, NULL), 0);
	ASSERT_OK(g_read(&rig, &g, 0, PERIOD, PERIOD, 12, PERIOD, PERIOD, 0));
	sndbe_stream_stats(rig_stream(&rig, 0), &st);
	ASSERT_EQ_U(st.frames_missing, BUFFER / 4);
	rig_down(&rig, &g);
}

/* ---- OPEN on an open stream, through the ring ------------------------------ */

static void serve(void *userdata, int ms)
{
	rig_turn(userdata, -1, ms);
}

struct rawbuf {
	void *area; /* the directory page, then the buffer */
	uint32_t pages; /* buffer pages */
	uint32_t dir_ref;
};

/* Share a one-directory-page buffer of @bytes with dom0. */
static void rawbuf_share(struct rawfe *f, struct rawbuf *b, uint32_t bytes)
{
	uint32_t refs[8];
	struct xensnd_page_directory *dir;

	b->pages = (bytes + 4095u) / 4096u;
	ASSERT_LT(b->pages, ARRAY_SIZE(refs));
	ASSERT_OK(xenif_gnt_share(f->x, 0, b->pages + 1, true, refs, &b->area));
	dir = b->area;
	dir->gref_dir_next_page = 0;
	for (uint32_t i = 0; i < b->pages; i++)
		dir->gref[i] = refs[i + 1];
	b->dir_ref = refs[0];
}

static void rawbuf_fill(struct rawbuf *b, uint32_t bytes, uint32_t seed)
{
	uint8_t *d = (uint8_t *)b->area + 4096;

	for (uint32_t i = 0; i < bytes; i++)
		d[i] = rig_pat(seed, i);
}

static int32_t raw_open(struct rawfe *f, uint16_t id, const struct rawbuf *b, uint32_t rate,
			uint8_t format, uint32_t bytes, uint32_t period)
{
	struct xensnd_req req = { .id = id, .operation = XENSND_OP_OPEN };

	req.op.open.pcm_rate = rate;
	req.op.open.pcm_format = format;
	req.op.open.pcm_channels = 2;
	req.op.open.buffer_sz = bytes;
	req.op.open.period_sz = period;
	req.op.open.gref_directory = b->dir_ref;
	return rawfe_call(f, 0, &req, RIG_WAIT_MS);
}

static int32_t raw_rw(struct rawfe *f, uint16_t id, uint8_t op, uint32_t off, uint32_t len)
{
	struct xensnd_req req = { .id = id, .operation = op };

	if (op == XENSND_OP_TRIGGER) {
		req.op.trigger.type = (uint8_t)off;
	} else {
		req.op.rw.offset = off;
		req.op.rw.length = len;
	}
	return rawfe_call(f, 0, &req, RIG_WAIT_MS);
}

/* Consume CUR_POS events until @pos is reached: the first ones of the
 * connection, so ids from 0 in lockstep, positions never going back. */
static void raw_wait_pos(struct rig *rig, struct rawfe *f, uint64_t pos)
{
	struct xensnd_event_page *page = f->st[0].evt;
	uint64_t last = 0, end = now_ms() + RIG_WAIT_MS;
	uint32_t cons = page->in_cons;
	uint16_t id = 0;

	while (last < pos) {
		uint32_t prod = __atomic_load_n(&page->in_prod, __ATOMIC_ACQUIRE);

		for (; cons != prod; cons++) {
			struct xensnd_evt e = XENSND_IN_RING_REF(page, cons);

			ASSERT_EQ(e.id, id++);
			ASSERT_EQ(e.type, XENSND_EVT_CUR_POS);
			ASSERT_GE(e.op.cur_pos.position, last);
			last = e.op.cur_pos.position;
		}
		__atomic_store_n(&page->in_cons, cons, __ATOMIC_RELEASE);
		ASSERT_LT(now_ms(), end);
		rig_turn(rig, -1, 100);
	}
	ASSERT_EQ_U(last, pos);
}

TEST_TIMEOUT(open_again_without_close_through_the_ring, 120)
{
	struct rawbuf a, b;
	struct rig_wav w;
	struct rawfe f;
	struct rig rig;
	char path[256];

	rig_begin(&rig, NULL);
	rawfe_connect(&f, rig.sim.spec, &rig.tree, serve, &rig);
	rawbuf_share(&f, &a, 8192);
	rawbuf_share(&f, &b, 12288);
	/* S16_LE at 48 kHz, two pages, written but never started. */
	ASSERT_EQ(raw_open(&f, 1, &a, 48000, XENSND_PCM_FORMAT_S16_LE, 8192, 2048), 0);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 2);
	rawbuf_fill(&a, 8192, 1);
	ASSERT_EQ(raw_rw(&f, 2, XENSND_OP_WRITE, 0, 8192), 0);
	/* OPEN again, S32_LE at 44.1 kHz over three other pages: the first
	 * buffer is unmapped and its frames are gone with its sink. */
	ASSERT_EQ(raw_open(&f, 3, &b, 44100, XENSND_PCM_FORMAT_S32_LE, 12288, 3072), 0);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 3);
	rawbuf_fill(&b, 12288, 2);
	/* Ranges are checked against the new buffer: [8192, 12288) was out of
	 * the first one, and the end of the new one is out now. */
	ASSERT_EQ(raw_rw(&f, 4, XENSND_OP_WRITE, 0, 8192), 0);
	ASSERT_EQ(raw_rw(&f, 5, XENSND_OP_WRITE, 8192, 4096), 0);
	ASSERT_EQ(raw_rw(&f, 5, XENSND_OP_WRITE, 12288, 8), -EINVAL);
	ASSERT_EQ(raw_rw(&f, 6, XENSND_OP_TRIGGER, XENSND_OP_TRIGGER_START, 0), 0);
	raw_wait_pos(&rig, &f, 12288);
	ASSERT_EQ(raw_rw(&f, 7, XENSND_OP_TRIGGER, XENSND_OP_TRIGGER_STOP, 0), 0);
	ASSERT_EQ(raw_rw(&f, 8, XENSND_OP_CLOSE, 0, 0), 0);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 0);

	rig_wav_read(rig_wav_path(&rig, 0, 0, path, sizeof(path)), &w);
	ASSERT_EQ(w.format, XENSND_PCM_FORMAT_S32_LE);
	ASSERT_EQ(w.rate, 44100);
	ASSERT_EQ(w.channels, 2);
	ASSERT_EQ(w.data_len, 12288);
	for (uint32_t i = 0; i < w.data_len; i++)
		if (w.data[i] != rig_pat(2, i))
			vtest_fail(__FILE__, __LINE__, "octet %u: %#x", i, w.data[i]);
	free(w.data);
	ASSERT_OK(xenif_gnt_unshare(f.x, a.area, a.pages + 1));
	ASSERT_OK(xenif_gnt_unshare(f.x, b.area, b.pages + 1));
	rawfe_close(&f);
	rig_end(&rig);
}

/* sndif.h: period_sz 0 is "send no CUR_POS events" (protocol-notes.md). */
TEST_TIMEOUT(open_without_period_plays_without_events, 120)
{
	struct sndbe_stream_stats st;
	struct rig_wav w;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, NULL);
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, 0));
	ASSERT_OK(g_write(&rig, &g, 0, 0, BUFFER, 9, 0));
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	rig_serve_for(&rig, 50);
	sndbe_stream_stats(rig_stream(&rig, 0), &st);
	ASSERT_EQ_U(st.events, 0);
	stop_and_read(&rig, &g, &w);
	ASSERT_GT(w.data_len, 0);
	ASSERT_LE(w.data_len, BUFFER);
	for (uint32_t i = 0; i < w.data_len; i++)
		ASSERT_EQ(w.data[i], rig_pat(9, i));
	free(w.data);
	rig_down(&rig, &g);
}
