// SPDX-License-Identifier: MIT
/*
 * test-vsndfront.c - libvsndfront against the scripted backend double
 * through xensimd: the handshake and what it publishes, every request type
 * round trip, and CUR_POS events.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetest.h"
#include "vsnd/format.h"

static void check_node_u32(struct fetest *t, const char *dir, const char *key, uint32_t want)
{
	char path[200], *v;

	snprintf(path, sizeof(path), "%s/%s/%s", FETEST_FE, dir, key);
	v = fetest_read(t, path);
	ASSERT_NOT_NULL(v);
	ASSERT_EQ(strtoul(v, NULL, 10), want);
	free(v);
}

TEST(handshake_publishes_in_one_transaction)
{
	static const char *const dirs[] = { "0/0", "0/1", "1/0" };
	/* A second commit would fail: the handshake must need only one. */
	static const char *const knob[] = { "fault", "op", "--domid", "5", "--op",
					    "xs_transaction_end", "--nth", "2", "--errno", "EIO",
					    NULL };
	struct fetest t;
	struct fakebe_info info;
	char *v;

	fetest_begin(&t, FETEST_THREE);
	fetest_ctl(&t, knob);
	fetest_start_be(&t);
	ASSERT_OK(fetest_open(&t));
	ASSERT_TRUE(vsndfe_card_connected(t.card));
	ASSERT_EQ(vsndfe_card_stream_count(t.card), 3);
	ASSERT_TRUE(vsndfe_stream_is_playback(vsndfe_card_stream(t.card, 0)));
	ASSERT_FALSE(vsndfe_stream_is_playback(vsndfe_card_stream(t.card, 1)));
	ASSERT_TRUE(vsndfe_card_stream_at(t.card, 1, 0) == vsndfe_card_stream(t.card, 2));
	ASSERT_NULL(vsndfe_card_stream(t.card, 3));

	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.connections, 1);
	ASSERT_EQ(info.connect_err, 0);
	ASSERT_FALSE(info.partial_seen);
	ASSERT_STREQ(info.version, "2");
	ASSERT_EQ(info.be_state, 4);
	for (unsigned int i = 0; i < 3; i++) {
		/* The double mapped these refs and bound these ports. */
		ASSERT_TRUE(info.s[i].ring_init_ok);
		check_node_u32(&t, dirs[i], "ring-ref", info.s[i].ring_ref);
		check_node_u32(&t, dirs[i], "event-channel", info.s[i].req_port);
		check_node_u32(&t, dirs[i], "evt-ring-ref", info.s[i].evt_ref);
		check_node_u32(&t, dirs[i], "evt-event-channel", info.s[i].evt_port);
	}
	/* The ring pages really are shared: a request crosses them. */
	ASSERT_OK(vsndfe_stream_trigger(vsndfe_card_stream(t.card, 2), XENSND_OP_TRIGGER_STOP));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[2].requests, 1);
	ASSERT_EQ(info.s[2].op_count[XENSND_OP_TRIGGER], 1);
	v = fetest_read(&t, FETEST_FE "/state");
	ASSERT_STREQ(v, "4");
	free(v);
	fetest_end(&t);
}

TEST(handshake_failed_commit_publishes_nothing)
{
	static const char *const knob[] = { "fault", "op", "--domid", "5", "--op",
					    "xs_transaction_end", "--nth", "1", "--errno", "EIO",
					    NULL };
	static const char *const keys[] = { "ring-ref", "event-channel", "evt-ring-ref",
					    "evt-event-channel" };
	struct fetest t;
	char path[200], *v;

	fetest_begin(&t, FETEST_PC);
	fetest_ctl(&t, knob);
	fetest_start_be(&t);
	ASSERT_ERR(fetest_open(&t), EIO);
	/* Nothing was written outside the transaction that failed. */
	for (unsigned int s = 0; s < 2; s++)
		for (unsigned int k = 0; k < 4; k++) {
			snprintf(path, sizeof(path), "%s/0/%u/%s", FETEST_FE, s, keys[k]);
			ASSERT_NULL(fetest_read(&t, path));
		}
	snprintf(path, sizeof(path), "%s/version", FETEST_FE);
	ASSERT_NULL(fetest_read(&t, path));
	v = fetest_read(&t, FETEST_FE "/state");
	ASSERT_STREQ(v, "1");
	free(v);
	fetest_end(&t);
}

TEST(handshake_retries_eagain_and_survives_spurious_watches)
{
	static const char *const eagain[] = { "fault", "tx-eagain", "--domid", "5", "--count",
					      "3", NULL };
	static const char *const spurious[] = { "fault", "spurious-watch", "--domid", "5",
						"--count", "4", NULL };
	struct fetest t;
	struct fakebe_info info;

	fetest_begin(&t, FETEST_PC);
	fetest_ctl(&t, eagain);
	fetest_start_be(&t);
	ASSERT_OK(fetest_open(&t));
	fetest_ctl(&t, spurious);
	/* Spurious events change nothing: no second handshake. */
	ASSERT_EQ(vsndfe_card_process(t.card), 0);
	ASSERT_EQ(vsndfe_card_process(t.card), 0);
	ASSERT_TRUE(vsndfe_card_connected(t.card));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.connections, 1);
	ASSERT_FALSE(info.partial_seen);
	ASSERT_OK(vsndfe_stream_trigger(vsndfe_card_stream(t.card, 1), XENSND_OP_TRIGGER_STOP));
	fetest_end(&t);
}

TEST(handshake_without_versions_writes_no_version)
{
	struct fetest t;
	struct fakebe_info info;

	fetest_begin(&t, FETEST_ONE_P);
	t.bcfg.no_versions = true;
	fetest_start_be(&t);
	ASSERT_OK(fetest_open(&t));
	fakebe_info(&t.be, &info);
	ASSERT_STREQ(info.version, "");
	ASSERT_NULL(fetest_read(&t, FETEST_FE "/version"));
	fetest_end(&t);
}

TEST(open_fails_cleanly)
{
	struct fetest t;
	struct vsndfe_card *card = NULL;

	/* No such device. */
	fetest_begin(&t, FETEST_ONE_P);
	t.opt.devid = 7;
	ASSERT_ERR(vsndfe_card_open(&t.opt, &card), ENOENT);
	/* A backend that never reaches InitWait. */
	t.opt.devid = 0;
	t.opt.connect_timeout_ms = 300;
	t.bcfg.no_initwait = true;
	fetest_start_be(&t);
	ASSERT_ERR(vsndfe_card_open(&t.opt, &card), ETIMEDOUT);
	ASSERT_NULL(card);
	fetest_end(&t);

	/* A stream without a type fails the card, as in Linux. */
	fetest_begin(&t, FETEST_NO_TYPE);
	ASSERT_ERR(vsndfe_card_open(&t.opt, &card), EINVAL);
	fetest_end(&t);
}

TEST(open_one_page_buffer)
{
	struct fetest t;
	struct fakebe_info info;
	struct vsndfe_stream *s;
	uint32_t bytes;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	ASSERT_NULL(vsndfe_stream_buffer(s, &bytes));
	ASSERT_OK(fetest_open_stream(s, 4096));
	ASSERT_TRUE(vsndfe_stream_is_open(s));
	ASSERT_NOT_NULL(vsndfe_stream_buffer(s, &bytes));
	ASSERT_EQ(bytes, 4096);
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].open_err, 0);
	ASSERT_EQ(info.s[0].open_pages, 1);
	ASSERT_EQ(info.s[0].open_dir_pages, 1);
	ASSERT_TRUE(info.s[0].open_dir_ok);
	ASSERT_TRUE(info.s[0].buffer_mapped);
	ASSERT_EQ(info.s[0].last_req.op.open.pcm_rate, 48000);
	ASSERT_EQ(info.s[0].last_req.op.open.pcm_channels, 2);
	ASSERT_EQ(info.s[0].last_req.op.open.pcm_format, XENSND_PCM_FORMAT_S16_LE);
	ASSERT_EQ(info.s[0].last_req.op.open.period_sz, 1024);
	/* Invalid parameters never reach the backend. */
	struct vsndfe_pcm_params bad = { .rate = 48000, .format = XENSND_PCM_FORMAT_S16_LE,
					 .channels = 2, .buffer_bytes = 4098 };
	ASSERT_ERR(vsndfe_stream_open(s, &bad), EINVAL);
	fetest_end(&t);
}

TEST(open_directory_chain)
{
	/* 1100 pages need two directory pages (1023 + 77 entries). */
	const uint32_t bytes = 1100u * 4096u;
	struct fetest t;
	struct fakebe_info info;
	struct vsndfe_stream *s;
	uint8_t *buf;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	ASSERT_OK(fetest_open_stream(s, bytes));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].open_pages, 1100);
	ASSERT_EQ(info.s[0].open_dir_pages, 2);
	ASSERT_TRUE(info.s[0].open_dir_ok);
	/* The last page is the right one: its bytes arrive. */
	buf = vsndfe_stream_buffer(s, NULL);
	for (uint32_t i = 0; i < 8192; i++)
		buf[bytes - 8192 + i] = (uint8_t)(i * 7 + 3);
	ASSERT_OK(vsndfe_stream_write(s, bytes - 8192, 8192));
	fakebe_info(&t.be, &info);
	ASSERT_EQ_U(info.s[0].write_hash, fakebe_hash(buf + bytes - 8192, 8192));
	fetest_end(&t);
}

TEST(write_and_read_bytes)
{
	struct fetest t;
	struct fakebe_info info;
	struct vsndfe_stream *p, *c;
	uint8_t *buf;

	fetest_up(&t, FETEST_PC, 0);
	p = vsndfe_card_stream(t.card, 0);
	c = vsndfe_card_stream(t.card, 1);
	ASSERT_OK(fetest_open_stream(p, 65536));
	buf = vsndfe_stream_buffer(p, NULL);
	for (uint32_t i = 0; i < 65536; i++)
		buf[i] = (uint8_t)(i ^ (i >> 7));
	ASSERT_OK(vsndfe_stream_write(p, 1000, 5000));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].write_off, 1000);
	ASSERT_EQ(info.s[0].write_len, 5000);
	ASSERT_EQ_U(info.s[0].write_hash, fakebe_hash(buf + 1000, 5000));
	ASSERT_ERR(vsndfe_stream_write(p, 65000, 1000), EINVAL);

	ASSERT_ERR(vsndfe_stream_read(c, 0, 4), EBADFD);
	ASSERT_OK(fetest_open_stream(c, 32768));
	ASSERT_OK(vsndfe_stream_read(c, 4096, 8192));
	buf = vsndfe_stream_buffer(c, NULL);
	for (uint32_t i = 4096; i < 4096 + 8192; i++)
		ASSERT_EQ(buf[i], fakebe_pattern(i));
	ASSERT_EQ(buf[4095], 0);
	ASSERT_EQ(buf[4096 + 8192], 0);
	fetest_end(&t);
}

TEST(trigger_round_trip)
{
	static const unsigned int types[] = { XENSND_OP_TRIGGER_START, XENSND_OP_TRIGGER_PAUSE,
					      XENSND_OP_TRIGGER_RESUME, XENSND_OP_TRIGGER_STOP };
	struct fetest t;
	struct fakebe_info info;
	struct vsndfe_stream_stats st;
	struct vsndfe_stream *s;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	for (unsigned int i = 0; i < 4; i++) {
		ASSERT_OK(vsndfe_stream_trigger(s, types[i]));
		fakebe_info(&t.be, &info);
		ASSERT_EQ(info.s[0].last_trigger, types[i]);
	}
	ASSERT_ERR(vsndfe_stream_trigger(s, 4), EINVAL);
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].requests, 4);
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ(st.requests, 4);
	/* Ids come from a per-stream counter. */
	ASSERT_EQ(info.s[0].last_req.id, 3);
	fetest_end(&t);
}

static void space_init(struct vsnd_hw_space *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->formats = VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE) |
		      VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S32_LE);
	vsnd_interval_set(&sp->rates, 8000, 96000);
	vsnd_interval_set(&sp->channels, 1, 8);
	vsnd_interval_set(&sp->buffer_frames, 64, 65536);
	vsnd_interval_set(&sp->period_frames, 32, 32768);
}

TEST(query_narrows_the_space)
{
	struct fetest t;
	struct fakebe_info info;
	struct vsnd_hw_space sp;
	struct xensnd_query_hw_param ans = {
		.formats = VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE) |
			   VSND_FORMAT_BIT(XENSND_PCM_FORMAT_U8),
		.rates = { 44100, 48000 },
		.channels = { 2, 2 },
		.buffer = { 1024, 100000 },
		.period = { 16, 1024 },
	};
	struct vsndfe_stream *s;
	struct vsndfe_stream_stats st;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	/* An echoing backend changes nothing. */
	space_init(&sp);
	ASSERT_OK(vsndfe_stream_query(s, &sp));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].last_query.buffer.min, 64);
	ASSERT_EQ(info.s[0].last_query.period.max, 32768);
	ASSERT_EQ(sp.rates.min, 8000);

	fakebe_query_answer(&t.be, 0, &ans);
	ASSERT_OK(vsndfe_stream_query(s, &sp));
	ASSERT_EQ_U(sp.formats, VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE));
	ASSERT_EQ(sp.rates.min, 44100);
	ASSERT_EQ(sp.rates.max, 48000);
	ASSERT_EQ(sp.channels.min, 2);
	ASSERT_EQ(sp.channels.max, 2);
	ASSERT_EQ(sp.buffer_frames.min, 1024);
	ASSERT_EQ(sp.buffer_frames.max, 65536);
	ASSERT_EQ(sp.period_frames.min, 32);
	ASSERT_EQ(sp.period_frames.max, 1024);

	/* Disjoint answer: -EINVAL and the space is left alone. */
	ans.rates.min = ans.rates.max = 192000;
	fakebe_query_answer(&t.be, 0, &ans);
	ASSERT_ERR(vsndfe_stream_query(s, &sp), EINVAL);
	ASSERT_EQ(sp.rates.min, 44100);
	/* The backend says nothing is feasible. */
	fakebe_mode(&t.be, 0, FAKEBE_STATUS, -22, 1);
	ASSERT_ERR(vsndfe_stream_query(s, &sp), EINVAL);
	ASSERT_TRUE(vsndfe_card_connected(t.card));
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ(st.queries, 4);
	ASSERT_EQ(st.last_status, -22);
	fetest_end(&t);
}

TEST(volume_and_mute)
{
	static const int32_t set[2] = { -6000, 1500 }, get[2] = { -3000, -4500 };
	static const bool mute[2] = { true, false };
	struct fetest t;
	struct fakebe_info info;
	struct vsndfe_stream *s;
	int32_t got[2];
	uint8_t *buf, saved[64];

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	ASSERT_ERR(vsndfe_stream_set_volume(s, set, 2), EBADFD);
	ASSERT_OK(fetest_open_stream(s, 8192));
	buf = vsndfe_stream_buffer(s, NULL);
	for (unsigned int i = 0; i < sizeof(saved); i++)
		buf[i] = saved[i] = (uint8_t)(0xa0 + i);

	ASSERT_OK(vsndfe_stream_set_volume(s, set, 2));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].n_volume, 2);
	ASSERT_EQ(info.s[0].volume[0], -6000);
	ASSERT_EQ(info.s[0].volume[1], 1500);
	ASSERT_EQ(info.s[0].last_req.op.rw.length, 8);
	ASSERT_MEMEQ(buf, saved, sizeof(saved));

	fakebe_volume_answer(&t.be, 0, get, 2);
	ASSERT_OK(vsndfe_stream_get_volume(s, got, 2));
	ASSERT_EQ(got[0], -3000);
	ASSERT_EQ(got[1], -4500);
	ASSERT_MEMEQ(buf, saved, sizeof(saved));

	ASSERT_OK(vsndfe_stream_mute(s, mute, 2));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].mute_op, XENSND_OP_MUTE);
	ASSERT_EQ(info.s[0].n_mute, 2);
	ASSERT_EQ(info.s[0].mute[0], 1);
	ASSERT_EQ(info.s[0].mute[1], 0);
	ASSERT_OK(vsndfe_stream_unmute(s, mute, 2));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].mute_op, XENSND_OP_UNMUTE);
	ASSERT_MEMEQ(buf, saved, sizeof(saved));

	/* A failing request restores the audio too. */
	fakebe_mode(&t.be, 0, FAKEBE_STATUS, -38, 1);
	ASSERT_ERR(vsndfe_stream_set_volume(s, set, 2), ENOSYS);
	ASSERT_MEMEQ(buf, saved, sizeof(saved));
	ASSERT_ERR(vsndfe_stream_set_volume(s, set, 1), EINVAL);
	fetest_end(&t);
}

TEST(close_before_revoke)
{
	struct fetest t;
	struct fakebe_info info;
	struct vsndfe_stream *s;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	ASSERT_OK(fetest_open_stream(s, 16384));
	ASSERT_OK(vsndfe_stream_close(s));
	ASSERT_FALSE(vsndfe_stream_is_open(s));
	ASSERT_NULL(vsndfe_stream_buffer(s, NULL));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].closes, 1);
	ASSERT_TRUE(info.s[0].close_buffer_granted);
	ASSERT_FALSE(info.s[0].buffer_mapped);
	/* Closing a closed stream sends nothing. */
	ASSERT_OK(vsndfe_stream_close(s));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].closes, 1);

	/* OPEN on an open stream closes it first, still before revoking. */
	ASSERT_OK(fetest_open_stream(s, 16384));
	ASSERT_OK(fetest_open_stream(s, 32768));
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].closes, 2);
	ASSERT_TRUE(info.s[0].close_buffer_granted);
	ASSERT_EQ(info.s[0].implicit_closes, 0);
	ASSERT_EQ(info.s[0].op_count[XENSND_OP_OPEN], 3);
	ASSERT_EQ(info.s[0].open_buffer_bytes, 32768);
	fetest_end(&t);
}

static void wait_evt(struct vsndfe_stream *s)
{
	struct pollfd p = { .fd = vsndfe_stream_evt_fd(s), .events = POLLIN };

	ASSERT_TRUE(p.fd >= 0);
	ASSERT_EQ(poll(&p, 1, 10000), 1);
}

TEST(cur_pos_events)
{
	struct fetest t;
	struct vsndfe_stream *s;
	struct vsndfe_stream_stats st;
	struct fakebe_info info;
	uint64_t pos = 0;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	ASSERT_OK(fetest_open_stream(s, 16384));
	ASSERT_EQ(vsndfe_stream_process_events(s), 0);
	fakebe_events(&t.be, 0, 5, 0, 1024, 0);
	wait_evt(s);
	ASSERT_EQ(vsndfe_stream_process_events(s), 5);
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ_U(st.position_bytes, 4096);
	ASSERT_EQ(st.events, 5);
	/* Wrap the 63-slot ring several times; equal positions are fine. */
	pos = 4096;
	for (unsigned int round = 0; round < 4; round++) {
		fakebe_events(&t.be, 0, 40, pos, 512, 0);
		pos += 39 * 512;
		wait_evt(s);
		ASSERT_EQ(vsndfe_stream_process_events(s), 40);
	}
	fakebe_events(&t.be, 0, 3, pos, 0, 0);
	wait_evt(s);
	ASSERT_EQ(vsndfe_stream_process_events(s), 3);
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ_U(st.position_bytes, pos);
	ASSERT_EQ(st.events, 5 + 160 + 3);
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.s[0].evt_id_next, 168);

	/* A new OPEN resets the position origin, not the event ids. */
	ASSERT_OK(fetest_open_stream(s, 16384));
	fakebe_events(&t.be, 0, 2, 0, 256, 0);
	wait_evt(s);
	ASSERT_EQ(vsndfe_stream_process_events(s), 2);
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ_U(st.position_bytes, 256);
	fetest_end(&t);
}

/* Send @n events at @pos0, @pos0 + @step, ... and consume them all. */
static void events_in(struct fetest *t, struct vsndfe_stream *s, uint32_t n, uint64_t pos0,
		      int64_t step)
{
	fakebe_events(&t->be, 0, n, pos0, step, 0);
	wait_evt(s);
	ASSERT_EQ(vsndfe_stream_process_events(s), (int)n);
}

static uint64_t periods(struct vsndfe_stream *s)
{
	struct vsndfe_stream_stats st;

	vsndfe_stream_stats(s, &st);
	return st.periods_elapsed;
}

/* Events the guest left unread when it stopped belong to that OPEN: the
 * next OPEN takes them first, and its own positions start from 0. */
TEST(open_takes_the_events_left_from_the_last_open)
{
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, 16384, 4096 };
	struct vsndfe_stream_stats st;
	struct fetest t;
	struct vsndfe_stream *s;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	ASSERT_OK(vsndfe_stream_open(s, &p));
	fakebe_events(&t.be, 0, 3, 40000, 1000, 0);
	wait_evt(s);
	ASSERT_OK(vsndfe_stream_close(s));
	ASSERT_OK(vsndfe_stream_open(s, &p));
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ(st.events, 3);
	ASSERT_EQ(st.position_bytes, 0);
	/* The new OPEN's first event is not "going backwards". */
	events_in(&t, s, 1, 246, 0);
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ(st.position_bytes, 246);
	fetest_end(&t);
}

TEST(periods_elapsed_follows_linux_rule)
{
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, 16384, 4096 };
	struct fetest t;
	struct vsndfe_stream *s;

	fetest_up(&t, FETEST_ONE_P, 0);
	s = vsndfe_card_stream(t.card, 0);
	ASSERT_OK(vsndfe_stream_open(s, &p));
	ASSERT_EQ_U(periods(s), 0);
	/* Exactly one period (1024 frames) apart: acc reaches 1024, which is
	 * not more than a period, so only every second event wakes. */
	events_in(&t, s, 4, 4096, 4096);
	ASSERT_EQ_U(periods(s), 2);
	/* A quarter period apart from acc = 0: the 5th, 9th and 13th events
	 * cross, and the 16th only reaches a period again. */
	events_in(&t, s, 16, 16384 + 1024, 1024);
	ASSERT_EQ_U(periods(s), 5);
	/* The same position again moves nothing. */
	events_in(&t, s, 2, 32768, 0);
	ASSERT_EQ_U(periods(s), 5);
	/* One frame past a period, from acc = 1024: fires, keeps 1025 % 1024. */
	events_in(&t, s, 1, 32768 + 4, 0);
	ASSERT_EQ_U(periods(s), 6);
	events_in(&t, s, 1, 32768 + 4 + 4092, 0);
	ASSERT_EQ_U(periods(s), 6);
	events_in(&t, s, 1, 32768 + 4 + 4096, 0);
	ASSERT_EQ_U(periods(s), 7);

	/* OPEN resets the count, the accumulator and the frame origin; a
	 * frame of 8 octets (S32_LE stereo) turns octets into frames. */
	p.format = XENSND_PCM_FORMAT_S32_LE;
	p.period_bytes = 8192;
	ASSERT_OK(vsndfe_stream_open(s, &p));
	ASSERT_EQ_U(periods(s), 0);
	events_in(&t, s, 1, 8192, 0);
	ASSERT_EQ_U(periods(s), 0);
	events_in(&t, s, 1, 8192 + 8, 0);
	ASSERT_EQ_U(periods(s), 1);

	/* No period, no wakeups, however far the position goes. */
	p.period_bytes = 0;
	ASSERT_OK(vsndfe_stream_open(s, &p));
	events_in(&t, s, 8, 8192, 8192);
	ASSERT_EQ_U(periods(s), 0);
	fetest_end(&t);
}
