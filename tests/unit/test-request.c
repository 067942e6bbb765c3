// SPDX-License-Identifier: MIT
/*
 * Request decoding and validation against the hostile inputs of security.md
 * 5.1-5.4: every unknown operation, zero and all-ones fields, 32-bit wrap of
 * offset + length, partial frames, wrong direction, requests before OPEN.
 */
#include <errno.h>

#include "vtest.h"
#include "vsnd/format.h"
#include "vsnd/request.h"
#include "vsnd/status.h"
#include "vsnd/wire.h"

/* A slot full of stale bytes, as Linux leaves reused ring slots. */
static struct xensnd_req dirty_req(uint8_t op)
{
	struct xensnd_req r;

	memset(&r, 0xa5, sizeof(r));
	r.id = 0x1234;
	r.operation = op;
	return r;
}

static struct xensnd_req open_req(uint32_t rate, uint8_t fmt, uint8_t ch, uint32_t buf,
				  uint32_t period)
{
	struct xensnd_req r = dirty_req(XENSND_OP_OPEN);

	r.op.open.pcm_rate = rate;
	r.op.open.pcm_format = fmt;
	r.op.open.pcm_channels = ch;
	r.op.open.buffer_sz = buf;
	r.op.open.gref_directory = 77;
	r.op.open.period_sz = period;
	return r;
}

static struct vsnd_stream_limits limits48k(void)
{
	struct vsnd_stream_limits lim;

	vsnd_stream_limits_linux_default(&lim);
	lim.formats |= VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S24_LE);
	memset(&lim.rates, 0, sizeof(lim.rates));
	ASSERT_OK(vsnd_rate_set_add(&lim.rates, 44100));
	ASSERT_OK(vsnd_rate_set_add(&lim.rates, 48000));
	return lim;
}

static int decode(struct xensnd_req w, struct vsnd_req *out)
{
	return vsnd_req_decode(&w, out);
}

TEST(unknown_ops_are_enosys_and_echoed)
{
	for (unsigned int op = VSND_OP_MAX + 1; op < 256; op++) {
		struct vsnd_req r;
		struct xensnd_resp rsp;

		ASSERT_ERR(decode(dirty_req((uint8_t)op), &r), ENOSYS);
		ASSERT_EQ(r.id, 0x1234);
		ASSERT_EQ(r.op, op);
		vsnd_resp_init(&rsp, &r, -ENOSYS);
		ASSERT_EQ(rsp.id, 0x1234);
		ASSERT_EQ(rsp.operation, op);
		ASSERT_EQ(rsp.status, -38);
	}
}

TEST(response_reserved_bytes_are_zero)
{
	struct xensnd_resp rsp;
	struct vsnd_req r;
	uint8_t zero[56] = { 0 };

	ASSERT_OK(decode(dirty_req(XENSND_OP_CLOSE), &r));
	memset(&rsp, 0xff, sizeof(rsp));
	vsnd_resp_init(&rsp, &r, 0);
	ASSERT_EQ(rsp.reserved, 0);
	ASSERT_EQ(rsp.status, 0);
	ASSERT_MEMEQ(rsp.resp.reserved1, zero, sizeof(zero));
	vsnd_resp_init(&rsp, &r, -EPIPE);
	ASSERT_EQ(rsp.status, -5);
}

TEST(cur_pos_event_is_clean)
{
	struct xensnd_evt e;
	uint8_t zero[5] = { 0 };

	memset(&e, 0xff, sizeof(e));
	vsnd_evt_cur_pos_init(&e, 65535, UINT64_C(0x123456789));
	ASSERT_EQ(e.id, 65535);
	ASSERT_EQ(e.type, XENSND_EVT_CUR_POS);
	ASSERT_MEMEQ(e.reserved, zero, sizeof(zero));
	ASSERT_EQ_U(e.op.cur_pos.position, UINT64_C(0x123456789));
	for (unsigned int i = 16; i < 64; i++)
		ASSERT_EQ(((uint8_t *)&e)[i], 0);
}

TEST(open_valid_with_stale_reserved_bytes)
{
	struct vsnd_req r;

	ASSERT_OK(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 65536, 16384), &r));
	ASSERT_EQ(r.u.open.frame_bytes, 4);
	ASSERT_EQ(r.u.open.buffer_frames, 16384);
	ASSERT_EQ(r.u.open.period_frames, 4096);
	ASSERT_EQ(r.u.open.gref_directory, 77);
	/* S24 is four octets per sample on the wire (REQ-21). */
	ASSERT_OK(decode(open_req(48000, XENSND_PCM_FORMAT_S24_LE, 2, 65536, 8192), &r));
	ASSERT_EQ(r.u.open.frame_bytes, 8);
	ASSERT_EQ(r.u.open.buffer_frames, 8192);
	/* period_sz 0: no CUR_POS events, not an error (sndif.h). */
	ASSERT_OK(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 65536, 0), &r));
	ASSERT_EQ(r.u.open.period_frames, 0);
}

TEST(open_malformed_fields)
{
	struct vsnd_req r;
	struct xensnd_req w;

	ASSERT_ERR(decode(open_req(0, XENSND_PCM_FORMAT_S16_LE, 2, 4096, 1024), &r), EINVAL);
	ASSERT_ERR(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 0, 4096, 1024), &r), EINVAL);
	ASSERT_ERR(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 0, 0), &r), EINVAL);
	ASSERT_ERR(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 4098, 1024), &r), EINVAL);
	ASSERT_ERR(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 4096, 1026), &r), EINVAL);
	ASSERT_ERR(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 4096, 8192), &r), EINVAL);
	for (unsigned int f = XENSND_PCM_FORMAT_IMA_ADPCM; f < 256; f++)
		ASSERT_ERR(decode(open_req(48000, (uint8_t)f, 2, 4096, 1024), &r), EINVAL);
	w = open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 4096, 1024);
	w.op.open.gref_directory = 0;
	ASSERT_ERR(decode(w, &r), EINVAL);
	/* All-ones sizes: a huge S8 mono buffer decodes, the limits refuse it. */
	ASSERT_ERR(decode(open_req(48000, XENSND_PCM_FORMAT_S16_LE, 2, 0xffffffffu, 0), &r),
		   EINVAL);
}

static int validate_open(struct xensnd_req w, const struct vsnd_stream_limits *lim, uint32_t cap)
{
	struct vsnd_stream_ctx ctx = { .dir = VSND_DIR_PLAYBACK, .lim = lim,
				       .buffer_bytes_cap = cap };
	struct vsnd_req r;
	int ret = decode(w, &r);

	return ret < 0 ? ret : vsnd_req_validate(&r, &ctx);
}

TEST(open_against_limits)
{
	struct vsnd_stream_limits lim = limits48k();
	const uint8_t s16 = XENSND_PCM_FORMAT_S16_LE;

	ASSERT_OK(validate_open(open_req(48000, s16, 2, 65536, 4096), &lim, 0));
	ASSERT_OK(validate_open(open_req(44100, s16, 1, 4096, 0), &lim, 0));
	ASSERT_ERR(validate_open(open_req(1, s16, 2, 4096, 1024), &lim, 0), EINVAL);
	ASSERT_ERR(validate_open(open_req(0xffffffffu, s16, 2, 4096, 1024), &lim, 0), EINVAL);
	ASSERT_ERR(validate_open(open_req(32000, s16, 2, 4096, 1024), &lim, 0), EINVAL);
	ASSERT_ERR(validate_open(open_req(48000, s16, 3, 4104, 1026), &lim, 0), EINVAL);
	ASSERT_ERR(validate_open(open_req(48000, s16, 255, 255 * 2 * 8, 0), &lim, 0), EINVAL);
	ASSERT_ERR(validate_open(open_req(48000, XENSND_PCM_FORMAT_S32_LE, 2, 4096, 1024), &lim,
				 0), EINVAL);
	/* buffer-size is 64 KiB; the policy cap can only lower it. */
	ASSERT_ERR(validate_open(open_req(48000, s16, 2, 65540, 4), &lim, 0), EINVAL);
	ASSERT_ERR(validate_open(open_req(48000, s16, 2, 32768, 4), &lim, 16384), EINVAL);
	ASSERT_OK(validate_open(open_req(48000, s16, 2, 16384, 4), &lim, 16384));
	lim.buffer_bytes_max = 0xffffffffu;
	lim.formats |= VSND_FORMAT_BIT(XENSND_PCM_FORMAT_U8);
	ASSERT_ERR(validate_open(open_req(48000, XENSND_PCM_FORMAT_U8, 1, 0xfffffffeu, 0), &lim,
				 0), EINVAL);
	ASSERT_OK(validate_open(open_req(48000, XENSND_PCM_FORMAT_U8, 1,
					 VSND_BUFFER_BYTES_HARD_MAX, 0), &lim, 0));
}

static struct vsnd_stream_ctx open_ctx(enum vsnd_dir dir)
{
	struct vsnd_stream_ctx ctx = {
		.dir = dir, .open = true, .buffer_bytes = 8192, .frame_bytes = 4, .channels = 2,
	};

	return ctx;
}

static int io(uint8_t op, uint32_t offset, uint32_t length, const struct vsnd_stream_ctx *ctx)
{
	struct xensnd_req w = dirty_req(op);
	struct vsnd_req r;
	int ret;

	w.op.rw.offset = offset;
	w.op.rw.length = length;
	ret = decode(w, &r);
	return ret < 0 ? ret : vsnd_req_validate(&r, ctx);
}

TEST(read_write_bounds)
{
	struct vsnd_stream_ctx pb = open_ctx(VSND_DIR_PLAYBACK);
	struct vsnd_stream_ctx cap = open_ctx(VSND_DIR_CAPTURE);

	ASSERT_OK(io(XENSND_OP_WRITE, 0, 8192, &pb));
	ASSERT_OK(io(XENSND_OP_WRITE, 4096, 4096, &pb));
	ASSERT_OK(io(XENSND_OP_READ, 8188, 4, &cap));
	ASSERT_OK(io(XENSND_OP_WRITE, 0, 0, &pb));
	ASSERT_OK(io(XENSND_OP_WRITE, 0xffffffffu, 0, &pb));
	ASSERT_ERR(io(XENSND_OP_WRITE, 8192, 4, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 4096, 4100, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 0xfffff000u, 0x2000, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 4, 0xfffffffcu, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 0xffffffffu, 1, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 0, 6, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 2, 4, &pb), EINVAL);
}

TEST(read_write_direction_and_state)
{
	struct vsnd_stream_ctx pb = open_ctx(VSND_DIR_PLAYBACK);
	struct vsnd_stream_ctx cap = open_ctx(VSND_DIR_CAPTURE);

	ASSERT_ERR(io(XENSND_OP_READ, 0, 4, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 0, 4, &cap), EINVAL);
	pb.open = false;
	pb.buffer_bytes = 0;
	pb.frame_bytes = 0;
	ASSERT_ERR(io(XENSND_OP_WRITE, 0, 4, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_WRITE, 0, 0, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_SET_VOLUME, 0, 8, &pb), EINVAL);
}

TEST(volume_and_mute_lengths)
{
	struct vsnd_stream_ctx pb = open_ctx(VSND_DIR_PLAYBACK);

	ASSERT_OK(io(XENSND_OP_SET_VOLUME, 0, 8, &pb));
	ASSERT_OK(io(XENSND_OP_GET_VOLUME, 8184, 8, &pb));
	ASSERT_ERR(io(XENSND_OP_SET_VOLUME, 0, 4, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_GET_VOLUME, 0, 2, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_SET_VOLUME, 8188, 8, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_SET_VOLUME, 0xfffffffcu, 8, &pb), EINVAL);
	/* Mute entries: one octet or one 4-octet slot per channel. */
	ASSERT_OK(io(XENSND_OP_MUTE, 0, 2, &pb));
	ASSERT_OK(io(XENSND_OP_UNMUTE, 3, 8, &pb));
	ASSERT_ERR(io(XENSND_OP_MUTE, 0, 4, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_UNMUTE, 0, 0, &pb), EINVAL);
	ASSERT_ERR(io(XENSND_OP_MUTE, 8191, 2, &pb), EINVAL);
}

TEST(trigger_types)
{
	struct vsnd_req r;

	for (unsigned int t = 0; t < 256; t++) {
		struct xensnd_req w = dirty_req(XENSND_OP_TRIGGER);

		w.op.trigger.type = (uint8_t)t;
		if (t <= XENSND_OP_TRIGGER_RESUME) {
			ASSERT_OK(decode(w, &r));
			ASSERT_EQ(r.u.trigger, t);
		} else {
			ASSERT_ERR(decode(w, &r), EINVAL);
		}
	}
}

TEST(hw_param_query_intervals)
{
	struct xensnd_req w = dirty_req(XENSND_OP_HW_PARAM_QUERY);
	struct vsnd_req r;

	w.op.hw_param.formats = ~UINT64_C(0);
	w.op.hw_param.rates.min = 8000;
	w.op.hw_param.rates.max = 48000;
	w.op.hw_param.channels.min = 1;
	w.op.hw_param.channels.max = 2;
	w.op.hw_param.buffer.min = 64;
	w.op.hw_param.buffer.max = 16384;
	w.op.hw_param.period.min = 32;
	w.op.hw_param.period.max = 8192;
	ASSERT_OK(decode(w, &r));
	ASSERT_EQ_U(r.u.hw.formats, ~UINT64_C(0));
	ASSERT_EQ(r.u.hw.rates.min, 8000);
	ASSERT_EQ(r.u.hw.period_frames.max, 8192);
	w.op.hw_param.channels.min = 3;
	ASSERT_ERR(decode(w, &r), EINVAL);
	w.op.hw_param.channels.min = 1;
	w.op.hw_param.buffer.min = 0xffffffffu;
	ASSERT_ERR(decode(w, &r), EINVAL);
}
