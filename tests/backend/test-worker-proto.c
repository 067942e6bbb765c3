// SPDX-License-Identifier: MIT
/*
 * test-worker-proto.c - the broker/worker messages (backend/worker-proto.c):
 * a plan survives encoding and decoding whole; a packet of the wrong length,
 * magic, version or type is refused; and every field of DEVICE and STREAM
 * out of its range makes the worker refuse the message, so that a confused
 * broker cannot make a worker map from the wrong domain, overrun a table or
 * use a string without its NUL. Plus a round trip over a real socketpair,
 * with a receive that times out and one that sees the peer gone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"
#include "vsnd/format.h"
#include "vsnd/xscfg.h"
#include "vtest.h"
#include "worker-proto.h"
#include "xenif/xenif.h"

static struct sndbe_dev_stream_plan good_stream(void)
{
	struct sndbe_dev_stream_plan sp = {
		.ref = { .pcm = 1, .stream = 2, .ring_ref = 8, .evtchn = 9, .evt_ring_ref = 10,
			 .evt_evtchn = 11 },
		.dir = VSND_DIR_CAPTURE,
		.lim = { .formats = VSND_FORMAT_BIT(3) | VSND_FORMAT_BIT(5),
			 .rates = { .rates = { 44100, 48000 }, .n = 2, .min = 44100, .max = 48000 },
			 .channels_min = 1, .channels_max = 2, .buffer_bytes_max = 65536 },
		.buffer_bytes_cap = 32768,
		.open_error = -EACCES,
		.volume_capped = true,
		.volume_max_mdb = -6000,
	};

	snprintf(sp.spec, sizeof(sp.spec), "file:/tmp/dom5-1-2.wav");
	return sp;
}

TEST(plan_round_trip)
{
	struct sndbe_dev_stream_plan sp = good_stream(), back;
	struct sndbe_dev_plan p = { .domid = 5, .devid = 3, .n = 1, .st = &sp }, q = { 0 };
	struct sndbe_wk_options o = { 2, 4, 1000 }, ob;
	struct sndbe_wk_device dm;
	struct sndbe_wk_stream sm;

	sndbe_wk_encode_device(&p, &o, &dm);
	ASSERT_EQ(sndbe_wk_hdr_check(&dm, sizeof(dm)), SNDBE_WK_DEVICE);
	ASSERT_OK(sndbe_wk_decode_device(&dm, &q, &ob));
	ASSERT_EQ(q.domid, 5);
	ASSERT_EQ(q.devid, 3);
	ASSERT_EQ(q.n, 1);
	ASSERT_EQ(ob.ring_budget, 2);
	ASSERT_EQ(ob.pos_ticks, 4);
	ASSERT_EQ(ob.pos_floor_us, 1000);
	sndbe_wk_encode_stream(&sp, 0, &sm);
	ASSERT_EQ(sndbe_wk_hdr_check(&sm, sizeof(sm)), SNDBE_WK_STREAM);
	ASSERT_OK(sndbe_wk_decode_stream(&sm, 0, &back));
	ASSERT_EQ(memcmp(&back, &sp, sizeof(sp)), 0);
}

TEST(headers_are_checked)
{
	struct sndbe_wk_status st = { .err = 0 };
	char buf[sizeof(st) + 1] = { 0 };

	sndbe_wk_hdr_init(&st.h, SNDBE_WK_READY, sizeof(st), 0);
	ASSERT_EQ(sndbe_wk_hdr_check(&st, sizeof(st)), SNDBE_WK_READY);
	ASSERT_ERR(sndbe_wk_hdr_check(&st, sizeof(st) - 1), EPROTO);
	memcpy(buf, &st, sizeof(st));
	ASSERT_ERR(sndbe_wk_hdr_check(buf, sizeof(buf)), EPROTO);
	ASSERT_ERR(sndbe_wk_hdr_check(&st, 3), EPROTO);
	st.h.magic++;
	ASSERT_ERR(sndbe_wk_hdr_check(&st, sizeof(st)), EPROTO);
	st.h.magic--;
	st.h.version++;
	ASSERT_ERR(sndbe_wk_hdr_check(&st, sizeof(st)), EPROTO);
	st.h.version--;
	/* PING has the size of a bare header: READY's size under its type is
	 * refused, and so are type 0 and an unknown type. */
	st.h.type = SNDBE_WK_PING;
	ASSERT_ERR(sndbe_wk_hdr_check(&st, sizeof(st)), EPROTO);
	st.h.type = 0;
	ASSERT_ERR(sndbe_wk_hdr_check(&st, sizeof(st)), EPROTO);
	st.h.type = 200;
	ASSERT_ERR(sndbe_wk_hdr_check(&st, sizeof(st)), EPROTO);
}

/* Spoil field @i of @m; false past the last one. */
static bool spoil_device(struct sndbe_wk_device *m, unsigned int i)
{
	switch (i) {
	case 0: m->domid = 0; break;
	case 1: m->domid = XENIF_DOMID_MAX + 1; break;
	case 2: m->n_streams = 0; break;
	case 3: m->n_streams = SNDBE_WK_MAX_STREAMS + 1; break;
	case 4: m->ring_budget = SNDBE_RING_BUDGET_MAX + 1; break;
	case 5: m->pos_ticks = SNDBE_STREAM_POS_TICKS_MAX + 1; break;
	case 6: m->pos_floor_us = SNDBE_STREAM_POS_FLOOR_US_MIN - 1; break;
	case 7: m->pos_floor_us = SNDBE_STREAM_POS_FLOOR_US_MAX + 1; break;
	default: return false;
	}
	return true;
}

TEST(device_fields_out_of_range)
{
	struct sndbe_dev_stream_plan sp = good_stream();
	struct sndbe_dev_plan p = { .domid = 5, .devid = 0, .n = 1, .st = &sp }, q;
	struct sndbe_wk_options o = { 0 };
	struct sndbe_wk_device m;

	for (unsigned int i = 0;; i++) {
		sndbe_wk_encode_device(&p, &o, &m);
		ASSERT_OK(sndbe_wk_decode_device(&m, &q, &o));
		if (!spoil_device(&m, i))
			break;
		if (sndbe_wk_decode_device(&m, &q, &o) != -EINVAL)
			vtest_fail(__FILE__, __LINE__, "spoiled field %u accepted", i);
	}
}

/* Spoil field @i of @m; false past the last one. */
static bool spoil_stream(struct sndbe_wk_stream *m, unsigned int i)
{
	switch (i) {
	case 0: m->index = 1; break;
	case 1: m->pcm = VSND_MAX_PCMS; break;
	case 2: m->stream = VSND_MAX_STREAMS_PER_PCM; break;
	case 3: m->ring_ref = 0; break;
	case 4: m->evtchn = 0; break;
	case 5: m->evt_ring_ref = 0; break;
	case 6: m->evt_evtchn = 0; break;
	case 7: m->dir = 2; break;
	case 8: m->open_error = 1; break;
	case 9: m->open_error = -4096; break;
	case 10: m->volume_capped = 2; break;
	case 11: m->volume_max_mdb = 1; break;
	case 12: m->volume_max_mdb = SNDBE_POLICY_VOLUME_MIN_MDB - 1; break;
	case 13: m->formats |= UINT64_C(1) << 63; break;
	case 14: m->n_rates = VSND_MAX_RATES + 1; break;
	case 15: m->rates[1] = 44100; break;
	case 16: m->rates[0] = 0; m->rate_min = 0; break;
	case 17: m->rate_min = 8000; break;
	case 18: m->n_rates = 0; m->rate_min = 48001; break;
	case 19: m->n_rates = 0; m->rate_max = VSND_XSCFG_RATE_MAX + 1; break;
	case 20: m->channels_min = 0; break;
	case 21: m->channels_min = 3; break;
	case 22: m->channels_max = VSND_XSCFG_MAX_CHANNELS + 1; break;
	case 23: m->buffer_bytes_max = VSND_XSCFG_BUFFER_BYTES_MAX + 1; break;
	case 24: m->spec[0] = '\0'; break;
	case 25: memset(m->spec, 'x', sizeof(m->spec)); break;
	default: return false;
	}
	return true;
}

TEST(stream_fields_out_of_range)
{
	struct sndbe_dev_stream_plan sp = good_stream(), out;
	struct sndbe_wk_stream m;

	for (unsigned int i = 0;; i++) {
		sndbe_wk_encode_stream(&sp, 0, &m);
		ASSERT_OK(sndbe_wk_decode_stream(&m, 0, &out));
		if (!spoil_stream(&m, i))
			break;
		if (sndbe_wk_decode_stream(&m, 0, &out) != -EINVAL)
			vtest_fail(__FILE__, __LINE__, "spoiled field %u accepted", i);
	}
}

TEST(socketpair_round_trip)
{
	struct sndbe_wk_hdr h, back;
	char big[SNDBE_WK_MSG_MAX + 8] = { 0 };
	int sv[2];

	ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	ASSERT_ERR(sndbe_wk_recv(sv[1], &back, sizeof(back), 0), EAGAIN);
	ASSERT_ERR(sndbe_wk_recv(sv[1], &back, sizeof(back), now_ms() + 50), ETIMEDOUT);
	sndbe_wk_hdr_init(&h, SNDBE_WK_PING, sizeof(h), 42);
	ASSERT_OK(sndbe_wk_send(sv[0], &h, sizeof(h), now_ms() + 1000));
	ASSERT_EQ(sndbe_wk_recv(sv[1], &back, sizeof(back), now_ms() + 1000), sizeof(back));
	ASSERT_EQ(sndbe_wk_hdr_check(&back, sizeof(back)), SNDBE_WK_PING);
	ASSERT_EQ(back.seq, 42);
	/* A packet larger than any message is dropped, not split. */
	ASSERT_OK(sndbe_wk_send(sv[0], big, sizeof(big), now_ms() + 1000));
	ASSERT_ERR(sndbe_wk_recv(sv[1], big, SNDBE_WK_MSG_MAX, now_ms() + 1000), EMSGSIZE);
	close(sv[0]);
	ASSERT_ERR(sndbe_wk_recv(sv[1], &back, sizeof(back), now_ms() + 1000), EPIPE);
	ASSERT_ERR(sndbe_wk_send(sv[1], &h, sizeof(h), now_ms() + 1000), EPIPE);
	close(sv[1]);
}
