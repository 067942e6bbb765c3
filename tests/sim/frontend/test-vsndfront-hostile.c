// SPDX-License-Identifier: MIT
/*
 * test-vsndfront-hostile.c - libvsndfront against a misbehaving backend
 * double (wrong ids and operations, producer overflows, bad statuses,
 * silence, bad events), and the connection's life: reconnection after the
 * backend goes back to InitWait or Closed, and the close handshake.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetest.h"

/* Short enough for tests, long enough for a loaded machine. */
#define SHORT_TIMEOUT_MS 500

static struct vsndfe_stream *stream0(struct fetest *t)
{
	return vsndfe_card_stream(t->card, 0);
}

static void wait_evt(struct vsndfe_stream *s)
{
	struct pollfd p = { .fd = vsndfe_stream_evt_fd(s), .events = POLLIN };

	ASSERT_TRUE(p.fd >= 0);
	ASSERT_EQ(poll(&p, 1, 10000), 1);
}

/* After -EPROTO the card refuses everything until it reconnects. */
static void check_broken(struct fetest *t)
{
	ASSERT_FALSE(vsndfe_card_connected(t->card));
	ASSERT_ERR(vsndfe_stream_trigger(stream0(t), XENSND_OP_TRIGGER_STOP), EPROTO);
}

TEST(unrequested_response_is_eproto)
{
	struct fetest t;

	/* Two answers to one request: more responses than requests is a
	 * producer overflow even within the ring's 32 slots. (Late answers
	 * to requests that timed out are dropped: see the test below.) */
	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_WRONG_ID_THEN_RIGHT, 0, 1);
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), EPROTO);
	check_broken(&t);
	fetest_end(&t);
}

TEST(wrong_id_only_times_out)
{
	struct fetest t;
	uint64_t t0;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_WRONG_ID, 0, 1);
	t0 = fetest_now_ms();
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), ETIMEDOUT);
	ASSERT_GE(fetest_now_ms() - t0, SHORT_TIMEOUT_MS - 50);
	/* The stray answer did no harm. */
	ASSERT_OK(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_STOP));
	fetest_end(&t);
}

TEST(no_answer_times_out_and_late_answer_is_dropped)
{
	struct fetest t;
	uint64_t t0, dt;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_NO_ANSWER, 0, 1);
	t0 = fetest_now_ms();
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), ETIMEDOUT);
	dt = fetest_now_ms() - t0;
	ASSERT_GE(dt, SHORT_TIMEOUT_MS - 50);
	ASSERT_LT(dt, 3000);
	ASSERT_TRUE(vsndfe_card_connected(t.card));

	/* The answer to this one comes just before the next one's. */
	fakebe_mode(&t.be, 0, FAKEBE_LATE, 0, 1);
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), ETIMEDOUT);
	ASSERT_OK(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START));
	fetest_end(&t);
}

TEST(wrong_operation_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_PC, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_WRONG_OP, 0, 1);
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), EPROTO);
	check_broken(&t);
	/* The whole card, every stream. */
	ASSERT_ERR(vsndfe_stream_trigger(vsndfe_card_stream(t.card, 1), 0), EPROTO);
	fetest_end(&t);
}

TEST(response_producer_overflow_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_PROD_OVERFLOW, 0, 1);
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), EPROTO);
	check_broken(&t);
	fetest_end(&t);
}

TEST(positive_status_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_STATUS, 5, 1);
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), EPROTO);
	check_broken(&t);
	fetest_end(&t);
}

TEST(unknown_status_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_STATUS, -9999, 1);
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), EPROTO);
	check_broken(&t);
	fetest_end(&t);
}

TEST(known_status_is_passed_on)
{
	struct fetest t;
	struct vsndfe_stream_stats st;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_mode(&t.be, 0, FAKEBE_STATUS, -16, 1);
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START), EBUSY);
	vsndfe_stream_stats(stream0(&t), &st);
	ASSERT_EQ(st.last_status, -16);
	ASSERT_TRUE(vsndfe_card_connected(t.card));
	/* A failed OPEN leaves the stream closed. */
	fakebe_mode(&t.be, 0, FAKEBE_STATUS, -19, 1);
	ASSERT_ERR(fetest_open_stream(stream0(&t), 4096), ENODEV);
	ASSERT_FALSE(vsndfe_stream_is_open(stream0(&t)));
	ASSERT_OK(vsndfe_stream_trigger(stream0(&t), XENSND_OP_TRIGGER_START));
	fetest_end(&t);
}

TEST(positions_going_backwards_are_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	ASSERT_OK(fetest_open_stream(stream0(&t), 16384));
	fakebe_events(&t.be, 0, 3, 8192, -1024, 0);
	wait_evt(stream0(&t));
	ASSERT_ERR(vsndfe_stream_process_events(stream0(&t)), EPROTO);
	check_broken(&t);
	fetest_end(&t);
}

TEST(position_beyond_2_63_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_events(&t.be, 0, 1, UINT64_C(1) << 63, 0, 0);
	wait_evt(stream0(&t));
	ASSERT_ERR(vsndfe_stream_process_events(stream0(&t)), EPROTO);
	fetest_end(&t);
}

TEST(event_id_gap_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_events(&t.be, 0, 2, 0, 64, 0);
	wait_evt(stream0(&t));
	ASSERT_EQ(vsndfe_stream_process_events(stream0(&t)), 2);
	fakebe_events(&t.be, 0, 2, 128, 64, FAKEBE_EVT_SKIP_ID);
	wait_evt(stream0(&t));
	ASSERT_ERR(vsndfe_stream_process_events(stream0(&t)), EPROTO);
	check_broken(&t);
	fetest_end(&t);
}

TEST(event_id_duplicate_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_events(&t.be, 0, 2, 0, 64, 0);
	wait_evt(stream0(&t));
	ASSERT_EQ(vsndfe_stream_process_events(stream0(&t)), 2);
	fakebe_events(&t.be, 0, 1, 128, 64, FAKEBE_EVT_DUP_ID);
	wait_evt(stream0(&t));
	ASSERT_ERR(vsndfe_stream_process_events(stream0(&t)), EPROTO);
	fetest_end(&t);
}

TEST(event_producer_overflow_is_eproto)
{
	struct fetest t;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_events(&t.be, 0, 1, 0, 0, FAKEBE_EVT_OVERFLOW);
	wait_evt(stream0(&t));
	ASSERT_ERR(vsndfe_stream_process_events(stream0(&t)), EPROTO);
	fetest_end(&t);
}

static bool is_connected(struct vsndfe_card *card)
{
	return vsndfe_card_connected(card);
}

static bool is_disconnected(struct vsndfe_card *card)
{
	return !vsndfe_card_connected(card);
}

TEST(reconnect_after_backend_initwait)
{
	struct fetest t;
	struct fakebe_info before, after;
	struct vsndfe_stream *s;
	struct vsndfe_stream_stats st;
	int r;

	fetest_up(&t, FETEST_PC, SHORT_TIMEOUT_MS);
	s = stream0(&t);
	ASSERT_OK(fetest_open_stream(s, 16384));
	fakebe_events(&t.be, 0, 3, 0, 100, 0);
	wait_evt(s);
	ASSERT_EQ(vsndfe_stream_process_events(s), 3);
	/* Break the card first: a reconnection also heals that. */
	fakebe_mode(&t.be, 0, FAKEBE_WRONG_OP, 0, 1);
	ASSERT_ERR(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START), EPROTO);
	fakebe_info(&t.be, &before);

	fakebe_restart(&t.be);
	do {
		struct pollfd p = { .fd = vsndfe_card_fd(t.card), .events = POLLIN };

		ASSERT_EQ(poll(&p, 1, 10000), 1);
		r = vsndfe_card_process(t.card);
		ASSERT_OK(r);
	} while (r != 1);
	ASSERT_TRUE(vsndfe_card_connected(t.card));
	/* Every stream was torn down: buffers revoked, OPEN needed again. */
	ASSERT_FALSE(vsndfe_stream_is_open(s));
	ASSERT_ERR(vsndfe_stream_write(s, 0, 4), EBADFD);

	fakebe_info(&t.be, &after);
	ASSERT_EQ(after.connections, 2);
	for (unsigned int i = 0; i < 2; i++) {
		ASSERT_TRUE(after.s[i].ring_init_ok);
		ASSERT_TRUE(after.s[i].ring_ref != before.s[i].ring_ref ||
			    after.s[i].evt_ref != before.s[i].evt_ref);
	}
	/* Event ids restart at 0 on the new connection. */
	ASSERT_OK(fetest_open_stream(s, 16384));
	fakebe_events(&t.be, 0, 2, 0, 100, 0);
	wait_evt(s);
	ASSERT_EQ(vsndfe_stream_process_events(s), 2);
	vsndfe_stream_stats(s, &st);
	ASSERT_EQ_U(st.position_bytes, 100);
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START));
	fetest_end(&t);
}

TEST(backend_closed_then_back)
{
	struct fetest t;
	struct fakebe_info info;
	char *v;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	ASSERT_OK(fetest_open_stream(stream0(&t), 8192));
	/* Closing is ignored, as Linux does. */
	fakebe_set_state(&t.be, 5);
	fetest_wait_node(&t, FETEST_BE "/state", "5");
	ASSERT_EQ(vsndfe_card_process(t.card), 0);
	ASSERT_TRUE(vsndfe_card_connected(t.card));

	/* Closed: tear down and go to Initialising (not Closed). */
	fakebe_set_state(&t.be, 6);
	fetest_process_until(&t, is_disconnected);
	v = fetest_read(&t, FETEST_FE "/state");
	ASSERT_STREQ(v, "1");
	free(v);
	ASSERT_FALSE(vsndfe_stream_is_open(stream0(&t)));
	ASSERT_ERR(vsndfe_stream_trigger(stream0(&t), 0), ENOTCONN);

	/* The double answers Initialising with InitWait; we reconnect. */
	ASSERT_OK(vsndfe_card_wait_connected(t.card, 10000));
	fetest_process_until(&t, is_connected);
	fakebe_info(&t.be, &info);
	ASSERT_EQ(info.connections, 2);
	ASSERT_OK(vsndfe_stream_trigger(stream0(&t), 0));
	fetest_end(&t);
}

TEST(close_handshake)
{
	struct fetest t;
	struct fakebe_info info;
	uint64_t t0;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	ASSERT_OK(fetest_open_stream(stream0(&t), 8192));
	t0 = fetest_now_ms();
	t.card = vsndfe_card_close(t.card);
	ASSERT_LT(fetest_now_ms() - t0, 900);
	fetest_wait_node(&t, FETEST_FE "/state", "6");
	fetest_wait_node(&t, FETEST_BE "/state", "6");
	fakebe_info(&t.be, &info);
	ASSERT_TRUE(info.fe_states_seen & (1u << 5));
	ASSERT_EQ(info.s[0].closes, 1);
	ASSERT_TRUE(info.s[0].close_buffer_granted);
	fetest_end(&t);
}

TEST(close_handshake_with_silent_backend)
{
	struct fetest t;
	uint64_t t0, dt;
	char *v;

	fetest_up(&t, FETEST_ONE_P, SHORT_TIMEOUT_MS);
	fakebe_ignore_close(&t.be, true);
	t0 = fetest_now_ms();
	t.card = vsndfe_card_close(t.card);
	dt = fetest_now_ms() - t0;
	/* Bounded: about one second, then Closed anyway. */
	ASSERT_GE(dt, 900);
	ASSERT_LT(dt, 3000);
	v = fetest_read(&t, FETEST_FE "/state");
	ASSERT_STREQ(v, "6");
	free(v);
	fetest_end(&t);
}
