// SPDX-License-Identifier: MIT
/*
 * test-stream.c - the stream and device layers (backend/stream.c,
 * backend/vsnd-dev.c) under sndbe_xenbus, against libvsndfront guests
 * through xensimd.
 *
 * The backend runs in the test process and the guest, libvsndfront, in a
 * forked child (stream-rig.h). Requests libvsndfront cannot send (an
 * unknown operation, OPEN without CLOSE) also go straight to
 * sndbe_stream_handle() of a stream built on plain memory, with a buffer
 * shared by a guest context of its own. Every wait is on fds with a
 * generous bound, never on time passing. More of the layers is tested by
 * test-stream-ops.c, test-stream-formats.c, test-stream-query.c and
 * test-stream-pos.c on the same rig.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shbuf.h"
#include "stream-rig.h"
#include "stream.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsnd/pgdir.h"
#include "vtest.h"

#define GUEST RIG_GUEST
#define RATE 48000u
#define CHANNELS 2u
#define FRAME 4u
#define BUFFER 16384u
#define PERIOD 4096u

static void open_s16(struct rig *rig, struct guest *g)
{
	ASSERT_OK(g_open(rig, g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, CHANNELS, BUFFER, PERIOD));
}

/* Play @bytes of pattern @seed at volume @mdb; return the WAV's data. */
static uint8_t *play(struct rig *rig, struct guest *g, int32_t mdb, uint32_t seed,
		     uint32_t *ret_len)
{
	int32_t vol[CHANNELS] = { mdb, mdb };
	struct vsndfe_stream_stats st;
	struct rig_wav w;
	char path[256];
	int events;

	open_s16(rig, g);
	ASSERT_OK(g_values(rig, g, 0, XENSND_OP_SET_VOLUME, vol, CHANNELS));
	ASSERT_OK(g_write(rig, g, 0, 0, BUFFER, seed, 0));
	ASSERT_OK(g_trigger(rig, g, 0, XENSND_OP_TRIGGER_START));
	events = g_wait_pos(rig, g, 0, BUFFER, &st);
	ASSERT_GE(events, 0);
	ASSERT_EQ_U(st.position_bytes, BUFFER);
	/* More than one event per period (protocol.md 4.11). */
	ASSERT_GT(events, (int)(BUFFER / PERIOD));
	ASSERT_OK(g_trigger(rig, g, 0, XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(g_close(rig, g, 0));
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 0);
	rig_wav_read(rig_wav_path(rig, 0, 0, path, sizeof(path)), &w);
	ASSERT_EQ(w.format, XENSND_PCM_FORMAT_S16_LE);
	ASSERT_EQ(w.channels, CHANNELS);
	ASSERT_EQ(w.rate, RATE);
	*ret_len = w.data_len;
	return w.data;
}

/* ---- tests over xensimd ------------------------------------------------- */

TEST_TIMEOUT(playback_bit_exact, 120)
{
	struct rig rig;
	struct guest g;
	uint8_t *d;
	uint32_t len;

	rig_up(&rig, &g, NULL);
	d = play(&rig, &g, 0, 3, &len);
	ASSERT_EQ(len, BUFFER);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != rig_pat(3, i))
			vtest_fail(__FILE__, __LINE__, "byte %u: %u != %u", i, d[i], rig_pat(3, i));
	free(d);
	rig_down(&rig, &g);
}

TEST_TIMEOUT(volume_minus_6db, 120)
{
	struct rig rig;
	struct guest g;
	uint32_t len, same = 0;
	uint8_t *d;

	rig_up(&rig, &g, NULL);
	d = play(&rig, &g, -6000, 5, &len);
	ASSERT_EQ(len, BUFFER);
	for (uint32_t i = 0; i < len; i += 2) {
		int16_t in = (int16_t)(rig_pat(5, i) | rig_pat(5, i + 1) << 8);
		int16_t out = (int16_t)(d[i] | d[i + 1] << 8);

		same += in == out;
		/* -6 dB is a gain of 0.501: about half, rounding aside. */
		ASSERT_LE(100 * abs(out), 51 * abs(in) + 100);
		ASSERT_GE(100 * abs(out), 49 * abs(in) - 100);
	}
	ASSERT_LT(same, len / 2 / 8);
	free(d);
	rig_down(&rig, &g);
}

static int guest_query(struct gstate *g, struct gmsg *m)
{
	struct vsndfe_stream *s = vsndfe_card_stream(g->card, m->stream);
	struct vsnd_hw_space sp;
	int r;

	memset(&sp, 0, sizeof(sp));
	sp.formats =
		VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE) | VSND_FORMAT_BIT(XENSND_PCM_FORMAT_U8);
	vsnd_interval_set(&sp.rates, 8000, 96000);
	vsnd_interval_set(&sp.channels, 1, 8);
	vsnd_interval_set(&sp.buffer_frames, 64, 65536);
	vsnd_interval_set(&sp.period_frames, 32, 32768);
	r = vsndfe_stream_query(s, &sp);
	m->u[0] = sp.rates.min;
	m->u[1] = sp.rates.max;
	if (r >= 0 &&
	    (sp.channels.max != 2 || sp.formats != VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE)))
		r = -EDOM;
	return r;
}

TEST_TIMEOUT(query_narrows, 120)
{
	struct rig rig;
	struct guest g;
	struct gmsg m = { .fn = guest_query };

	rig_up(&rig, &g, NULL);
	/* fetree: rates 44100,48000, channels 1..2, s16_le and s32_le. */
	ASSERT_OK(guest_call(&rig, &g, &m));
	ASSERT_EQ(m.u[0], 44100);
	ASSERT_EQ(m.u[1], 48000);
	rig_down(&rig, &g);
}

TEST_TIMEOUT(start_after_pause_realigns, 120)
{
	struct vsndfe_stream_stats st;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, NULL);
	open_s16(&rig, &g);
	ASSERT_OK(g_write(&rig, &g, 0, 0, BUFFER / 2, 1, 0));
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, BUFFER / 2, &st), 0);
	ASSERT_EQ_U(st.position_bytes, BUFFER / 2);
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_PAUSE));
	/* PAUSE twice is harmless; RESUME from PAUSED is not what Linux sends. */
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_PAUSE));
	ASSERT_OK(g_write(&rig, &g, 0, 0, BUFFER / 2, 1, BUFFER / 2));
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	/* Realigned to the next buffer multiple, then half a buffer more. */
	ASSERT_GE(g_wait_pos(&rig, &g, 0, BUFFER + BUFFER / 2, &st), 0);
	ASSERT_EQ_U(st.position_bytes, BUFFER + BUFFER / 2);
	ASSERT_ERR(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START), EINVAL);
	rig_down(&rig, &g);
}

TEST_TIMEOUT(capture_reads_the_file, 120)
{
	static const struct rig_config cfg = { 1, { { 0, 0, "c" } } };
	struct rig rig;
	struct guest g;
	char path[256];

	rig_up(&rig, &g, &cfg);
	rig_wav_write(rig_wav_path(&rig, 0, 0, path, sizeof(path)), XENSND_PCM_FORMAT_S16_LE, RATE,
		      CHANNELS, 9, 2 * BUFFER);
	open_s16(&rig, &g);
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, BUFFER, NULL), 0);
	ASSERT_OK(g_read(&rig, &g, 0, 0, BUFFER, 9, 0, BUFFER, 0));
	/* Playback requests on a capture stream are refused. */
	ASSERT_ERR(g_write(&rig, &g, 0, 0, FRAME, 9, 0), EINVAL);
	rig_down(&rig, &g);
}

TEST_TIMEOUT(disconnect_unmaps_everything, 120)
{
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, NULL);
	open_s16(&rig, &g);
	ASSERT_OK(g_write(&rig, &g, 0, 0, BUFFER, 1, 0));
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, PERIOD, NULL), 0);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), BUFFER / 4096);
	ASSERT_GT(rig_gref_maps(GUEST), 0);
	/* The card goes away with the stream open and running. */
	g_card_close(&rig, &g);
	rig_wait_disconnected(&rig);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 0);
	ASSERT_EQ(rig_gref_maps(GUEST), 0);
	rig_down(&rig, &g);
}

/* ---- raw requests on a stream over plain memory -------------------------- */

static int no_notify(void *ud)
{
	(void)ud;
	return 0;
}

static void raw(struct sndbe_stream *s, struct xensnd_req *req, struct xensnd_resp *rsp)
{
	memset(rsp, 0, sizeof(*rsp));
	sndbe_stream_handle(s, req, rsp);
	ASSERT_EQ(rsp->id, req->id);
	ASSERT_EQ(rsp->operation, req->operation);
}

/* A stream over plain memory, its guest sharing a one-page buffer. */
struct raw_rig {
	struct vtest_simd sim;
	struct xenif *x, *xg;
	struct sndbe_stream *s;
	uint32_t ref[2];
	void *data, *dp;
};

static void raw_begin(struct raw_rig *r)
{
	static uint8_t ring[4096] __attribute__((aligned(4096)));
	static uint8_t evt[4096] __attribute__((aligned(4096)));
	struct sndbe_stream_config cfg = {
		.dir = VSND_DIR_PLAYBACK,
		.spec = "null",
		.sring = (struct xen_sndif_sring *)ring,
		.evt_page = (struct xensnd_event_page *)evt,
		.notify = no_notify,
		.evt_notify = no_notify,
	};
	struct xensnd_page_directory *dir;

	vtest_simd_start(&r->sim);
	vtest_simd_domain_create(&r->sim, GUEST, "guest5");
	ASSERT_OK(xenif_open(r->sim.spec, 0, &r->x));
	ASSERT_OK(xenif_open(r->sim.spec, GUEST, &r->xg));
	ASSERT_OK(xenif_gnt_share(r->xg, 0, 1, true, &r->ref[0], &r->data));
	ASSERT_OK(xenif_gnt_share(r->xg, 0, 1, true, &r->ref[1], &r->dp));
	dir = r->dp;
	dir->gref_dir_next_page = 0;
	dir->gref[0] = r->ref[0];
	cfg.x = r->x;
	cfg.domid = GUEST;
	vsnd_stream_limits_linux_default(&cfg.lim);
	ASSERT_OK(sndbe_stream_new(&cfg, &r->s));
}

static void raw_end(struct raw_rig *r)
{
	/* Freeing an open stream unmaps its buffer. */
	r->s = sndbe_stream_free(r->s);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 0);
	ASSERT_EQ(rig_gref_maps(GUEST), 2); /* the guest's own two views */
	ASSERT_OK(xenif_gnt_unshare(r->xg, r->data, 1));
	ASSERT_OK(xenif_gnt_unshare(r->xg, r->dp, 1));
	xenif_close(r->xg);
	xenif_close(r->x);
	vtest_simd_stop(&r->sim);
}

TEST_TIMEOUT(raw_unknown_operation_and_closed_stream, 120)
{
	struct xensnd_req req;
	struct xensnd_resp rsp;
	struct raw_rig r;

	raw_begin(&r);
	/* An operation sndif does not define. */
	memset(&req, 0, sizeof(req));
	req.id = 77;
	req.operation = 0xee;
	raw(r.s, &req, &rsp);
	ASSERT_EQ(rsp.status, -ENOSYS);
	/* CLOSE on a closed stream is fine; WRITE is not. */
	req.operation = XENSND_OP_CLOSE;
	raw(r.s, &req, &rsp);
	ASSERT_EQ(rsp.status, 0);
	req.operation = XENSND_OP_WRITE;
	req.op.rw.length = 4;
	raw(r.s, &req, &rsp);
	ASSERT_EQ(rsp.status, -EINVAL);
	raw_end(&r);
}

TEST_TIMEOUT(raw_open_twice_and_bad_triggers, 120)
{
	struct sndbe_stream_stats st;
	struct xensnd_req req;
	struct xensnd_resp rsp;
	struct raw_rig r;

	raw_begin(&r);
	/* OPEN, then OPEN again without CLOSE: one buffer mapped. */
	memset(&req, 0, sizeof(req));
	req.operation = XENSND_OP_OPEN;
	req.op.open.pcm_rate = RATE;
	req.op.open.pcm_format = XENSND_PCM_FORMAT_S16_LE;
	req.op.open.pcm_channels = CHANNELS;
	req.op.open.buffer_sz = 4096;
	req.op.open.period_sz = 1024;
	req.op.open.gref_directory = r.ref[1];
	for (int i = 0; i < 3; i++) {
		req.id = (uint16_t)i;
		raw(r.s, &req, &rsp);
		ASSERT_EQ(rsp.status, 0);
		ASSERT_EQ(sndbe_shbuf_mapped_pages(), 1);
	}
	/* Unknown trigger type; RESUME when not paused. */
	memset(&req, 0, sizeof(req));
	req.operation = XENSND_OP_TRIGGER;
	req.op.trigger.type = 9;
	raw(r.s, &req, &rsp);
	ASSERT_EQ(rsp.status, -EINVAL);
	req.op.trigger.type = XENSND_OP_TRIGGER_RESUME;
	raw(r.s, &req, &rsp);
	ASSERT_EQ(rsp.status, -EINVAL);
	sndbe_stream_stats(r.s, &st);
	ASSERT_EQ(st.state, VSND_PCM_PREPARED);
	ASSERT_EQ(st.errors, 2);
	raw_end(&r);
}

TEST(expand_spec)
{
	char b[64];

	ASSERT_OK(sndbe_dev_expand_spec("file:/d/dom%u-%u-%u.wav", 5, 1, 2, b, sizeof(b)));
	ASSERT_STREQ(b, "file:/d/dom5-1-2.wav");
	ASSERT_OK(sndbe_dev_expand_spec("null", 5, 1, 2, b, sizeof(b)));
	ASSERT_STREQ(b, "null");
	ASSERT_OK(sndbe_dev_expand_spec("a%%%u", 5, 1, 2, b, sizeof(b)));
	ASSERT_STREQ(b, "a%5");
	ASSERT_ERR(sndbe_dev_expand_spec("%s", 5, 1, 2, b, sizeof(b)), EINVAL);
	ASSERT_ERR(sndbe_dev_expand_spec("%u%u%u%u", 5, 1, 2, b, sizeof(b)), EINVAL);
	ASSERT_ERR(sndbe_dev_expand_spec("file:/very/long/path", 5, 1, 2, b, 8), ENAMETOOLONG);
}
