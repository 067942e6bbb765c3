// SPDX-License-Identifier: MIT
/*
 * test-stream-pos.c - CUR_POS as a libvsndfront guest sees it through the
 * stream layer (stream-rig.h), with "file:" sinks paced in real time.
 *
 * libvsndfront itself checks that event ids come gap-free and positions
 * never go back (vsndfe_stream_process_events() answers -EPROTO
 * otherwise); these tests play the way a real player does (prefill, START,
 * one period written each time a period is free) and check that no such
 * violation happens, that the final position is every octet written and
 * the WAV holds them all, and that no event comes while the stream is
 * prepared, paused or stopped.
 *
 * Linux's period rule (protocol.md 4.8, struct vsndfe_stream_stats'
 * periods_elapsed): with the default of four events per period, playing N
 * periods must give the application nearly N wakeups; the layer's
 * pos_ticks and pos_floor_us change the event rate as they say.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream-rig.h"
#include "stream.h"
#include "util.h"
#include "vsnd/format.h"
#include "vtest.h"

#define RATE 48000u
#define BUFFER 16384u
#define PERIOD 4096u
#define PERIODS 16u

/* Write [written, written + PERIOD) of the stream at its place in the ring
 * buffer. */
static int refill(struct vsndfe_stream *s, uint64_t written, uint32_t seed)
{
	uint8_t *buf = vsndfe_stream_buffer(s, NULL);
	uint32_t off = (uint32_t)(written % BUFFER);

	for (uint32_t i = 0; i < PERIOD; i++)
		buf[off + i] = rig_pat(seed, (uint32_t)written + i);
	return vsndfe_stream_write(s, off, PERIOD);
}

/*
 * The player, in the guest: a[0] octets in all, a[1] the pattern seed. The
 * stream is open; prefill a buffer, START, then each time a period is free
 * write the next one, until the position reaches the end.
 */
static int play_refill(struct gstate *g, struct gmsg *m)
{
	struct vsndfe_stream *s = vsndfe_card_stream(g->card, m->stream);
	uint64_t total = m->a[0], written = 0, deadline = now_ms() + RIG_WAIT_MS;
	struct vsndfe_stream_stats st;
	int r = 0;

	while (r == 0 && written < BUFFER) {
		r = refill(s, written, m->a[1]);
		written += PERIOD;
	}
	if (r == 0)
		r = vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START);
	while (r >= 0) {
		struct pollfd p = { .fd = vsndfe_stream_evt_fd(s), .events = POLLIN };

		r = vsndfe_stream_process_events(s);
		if (r < 0)
			break;
		vsndfe_stream_stats(s, &st);
		if (st.position_bytes > written) {
			r = -ERANGE;
			break;
		}
		if (st.position_bytes == total)
			break;
		while (r >= 0 && written < total &&
		       written - st.position_bytes <= BUFFER - PERIOD) {
			r = refill(s, written, m->a[1]);
			written += PERIOD;
		}
		if (now_ms() >= deadline)
			r = -ETIMEDOUT;
		else
			poll(&p, 1, 500);
	}
	m->u[0] = written;
	vsndfe_stream_stats(s, &m->st);
	return r < 0 ? r : 0;
}

/* Play PERIODS periods with refills; return the guest's stats. */
static void play(struct rig *rig, struct guest *g, uint32_t seed, struct vsndfe_stream_stats *st)
{
	struct gmsg m = { .fn = play_refill, .a = { PERIODS * PERIOD, seed } };
	struct rig_wav w;
	char path[256];

	ASSERT_OK(g_open(rig, g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD));
	ASSERT_OK(guest_call(rig, g, &m));
	ASSERT_EQ_U(m.u[0], PERIODS * PERIOD);
	ASSERT_EQ_U(m.st.position_bytes, PERIODS * PERIOD);
	ASSERT_OK(g_trigger(rig, g, 0, XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(g_close(rig, g, 0));
	rig_wav_read(rig_wav_path(rig, 0, 0, path, sizeof(path)), &w);
	ASSERT_EQ(w.data_len, PERIODS * PERIOD);
	for (uint32_t i = 0; i < w.data_len; i++)
		if (w.data[i] != rig_pat(seed, i))
			vtest_fail(__FILE__, __LINE__, "octet %u: %#x, not %#x", i, w.data[i],
				   rig_pat(seed, i));
	free(w.data);
	*st = m.st;
	fprintf(stderr, "%u periods: %" PRIu64 " events, %" PRIu64 " period wakeups\n", PERIODS,
		st->events, st->periods_elapsed);
}

TEST_TIMEOUT(refills_play_every_octet_with_default_ticks, 120)
{
	struct vsndfe_stream_stats st;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, NULL);
	play(&rig, &g, 21, &st);
	/* About four events a period (two at least, a loaded machine may
	 * merge timer ticks), and a wakeup for nearly every period: the first
	 * may come late, the last may not be due yet. */
	ASSERT_GE(st.events, 2 * PERIODS);
	ASSERT_GE(st.periods_elapsed, PERIODS - 2);
	ASSERT_LE(st.periods_elapsed, PERIODS);
	rig_down(&rig, &g);
}

/*
 * One event per period: about one event a period, and still every octet.
 * What Linux's rule makes of it is logged, not asserted: the position timer
 * is armed just after the paced clock starts and wakes a little late, so
 * consecutive positions are a period plus a few frames apart, strictly
 * more than a period, and the rule fires on nearly every event here (14 or
 * 15 of 16 periods in the runs so far, as with four ticks). The
 * every-second-period penalty needs positions exactly a period apart (a
 * host whose period is the guest's); libvsndfront's own test
 * (periods_elapsed_follows_linux_rule) scripts that case.
 */
TEST_TIMEOUT(one_tick_per_period, 120)
{
	static const struct rig_config cfg = { .pos_ticks = 1 };
	struct vsndfe_stream_stats st;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, &cfg);
	play(&rig, &g, 22, &st);
	ASSERT_LE(st.events, PERIODS + 2);
	ASSERT_GE(st.events, PERIODS / 2);
	rig_down(&rig, &g);
}

/*
 * The floor wins over the ticks: periods of 1024 frames at 48 kHz are
 * 21.3 ms, and a floor of 40 ms allows about one event every second
 * period, so Linux's rule can wake at most that often.
 */
TEST_TIMEOUT(floor_spaces_events_beyond_a_period, 120)
{
	static const struct rig_config cfg = { .pos_floor_us = 40000 };
	struct vsndfe_stream_stats st;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, &cfg);
	play(&rig, &g, 23, &st);
	ASSERT_LE(st.events, PERIODS / 2 + 2);
	ASSERT_LE(st.periods_elapsed, PERIODS / 2 + 2);
	ASSERT_GE(st.events, 2);
	rig_down(&rig, &g);
}

/* Nothing new for @ms: no event at the guest, none made by the backend. */
static void quiet_window(struct rig *rig, struct guest *g, unsigned int ms)
{
	struct vsndfe_stream_stats before, after;
	struct sndbe_stream_stats b0, b1;

	ASSERT_GE(g_events(rig, g, 0, &before), 0);
	sndbe_stream_stats(rig_stream(rig, 0), &b0);
	rig_serve_for(rig, ms);
	ASSERT_EQ(g_events(rig, g, 0, &after), 0);
	sndbe_stream_stats(rig_stream(rig, 0), &b1);
	ASSERT_EQ_U(after.events, before.events);
	ASSERT_EQ_U(after.position_bytes, before.position_bytes);
	ASSERT_EQ_U(b1.events, b0.events);
	ASSERT_EQ_U(b1.events_dropped, b0.events_dropped);
}

TEST_TIMEOUT(no_events_while_prepared_paused_or_stopped, 120)
{
	struct vsndfe_stream_stats st;
	struct sndbe_stream_stats bst;
	struct rig rig;
	struct guest g;

	rig_up(&rig, &g, NULL);
	ASSERT_OK(g_open(&rig, &g, 0, RATE, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD));
	ASSERT_OK(g_write(&rig, &g, 0, 0, BUFFER, 3, 0));
	/* Prepared, with a buffer queued: the clock does not run. */
	quiet_window(&rig, &g, 100);
	sndbe_stream_stats(rig_stream(&rig, 0), &bst);
	ASSERT_EQ_U(bst.events, 0);
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, PERIOD, &st), 1);
	ASSERT_LT(st.position_bytes, BUFFER);
	/* Paused half way: the position holds, no event comes. */
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_PAUSE));
	quiet_window(&rig, &g, 150);
	/* START realigns to the next buffer and the rest plays out. */
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_START));
	ASSERT_GE(g_wait_pos(&rig, &g, 0, BUFFER, &st), 1);
	ASSERT_GE(st.position_bytes, BUFFER);
	ASSERT_OK(g_trigger(&rig, &g, 0, XENSND_OP_TRIGGER_STOP));
	quiet_window(&rig, &g, 150);
	ASSERT_OK(g_close(&rig, &g, 0));
	rig_down(&rig, &g);
}
