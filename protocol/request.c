// SPDX-License-Identifier: MIT
/*
 * Request decoding and validation (vsnd/request.h). Everything here works on
 * a private copy of the request: shared memory is read once, by the caller's
 * RING_COPY_REQUEST, and never again (security.md rule 1).
 */
#include "vsnd/request.h"

#include <errno.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/status.h"
#include "vsnd/wire.h"

static int decode_open(const struct xensnd_open_req *w, struct vsnd_open_params *o)
{
	int r;

	o->rate = w->pcm_rate;
	o->format = w->pcm_format;
	o->channels = w->pcm_channels;
	o->buffer_bytes = w->buffer_sz;
	o->gref_directory = w->gref_directory;
	o->period_bytes = w->period_sz;

	if (o->rate == 0 || o->buffer_bytes == 0 || o->gref_directory == 0)
		return -EINVAL;
	/* Unknown and variable-size formats, and 0 channels, fail here. */
	r = vsnd_frame_bytes(o->format, o->channels, &o->frame_bytes);
	if (r < 0)
		return r;
	r = vsnd_bytes_to_frames(o->buffer_bytes, o->format, o->channels, &o->buffer_frames);
	if (r < 0)
		return -EINVAL;
	/* period_sz 0 is sndif's "no CUR_POS events"; otherwise whole frames
	 * and no larger than the buffer. */
	if (o->period_bytes > o->buffer_bytes)
		return -EINVAL;
	r = vsnd_bytes_to_frames(o->period_bytes, o->format, o->channels, &o->period_frames);
	if (r < 0)
		return -EINVAL;
	return 0;
}

int vsnd_req_decode(const struct xensnd_req *copy, struct vsnd_req *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->id = copy->id;
	ret->op = copy->operation;

	switch (ret->op) {
	case XENSND_OP_OPEN:
		return decode_open(&copy->op.open, &ret->u.open);
	case XENSND_OP_CLOSE:
		return 0;
	case XENSND_OP_READ:
	case XENSND_OP_WRITE:
	case XENSND_OP_SET_VOLUME:
	case XENSND_OP_GET_VOLUME:
	case XENSND_OP_MUTE:
	case XENSND_OP_UNMUTE:
		ret->u.rw.offset = copy->op.rw.offset;
		ret->u.rw.length = copy->op.rw.length;
		return 0;
	case XENSND_OP_TRIGGER:
		ret->u.trigger = copy->op.trigger.type;
		return ret->u.trigger <= XENSND_OP_TRIGGER_RESUME ? 0 : -EINVAL;
	case XENSND_OP_HW_PARAM_QUERY:
		return vsnd_hw_space_from_wire(&copy->op.hw_param, &ret->u.hw);
	default:
		return -ENOSYS;
	}
}

static uint32_t buffer_cap(const struct vsnd_stream_ctx *ctx)
{
	uint32_t cap = VSND_BUFFER_BYTES_HARD_MAX;

	if (ctx->buffer_bytes_cap && ctx->buffer_bytes_cap < cap)
		cap = ctx->buffer_bytes_cap;
	if (ctx->lim && ctx->lim->buffer_bytes_max < cap)
		cap = ctx->lim->buffer_bytes_max;
	return cap;
}

static int validate_open(const struct vsnd_open_params *o, const struct vsnd_stream_ctx *ctx)
{
	const struct vsnd_stream_limits *lim = ctx->lim;

	if (o->buffer_bytes > buffer_cap(ctx))
		return -EINVAL;
	if (!lim)
		return 0;
	if (!(lim->formats & VSND_FORMAT_BIT(o->format)))
		return -EINVAL;
	if (!vsnd_rate_set_contains(&lim->rates, o->rate))
		return -EINVAL;
	if (o->channels < lim->channels_min || o->channels > lim->channels_max)
		return -EINVAL;
	return 0;
}

/* [offset, offset + length) inside the open buffer, computed in 64 bits so
 * that a 32-bit wrap cannot pass (security.md rule 24). */
static int check_span(const struct vsnd_rw_params *rw, const struct vsnd_stream_ctx *ctx)
{
	if (rw->offset >= ctx->buffer_bytes)
		return -EINVAL;
	if ((uint64_t)rw->offset + rw->length > ctx->buffer_bytes)
		return -EINVAL;
	return 0;
}

static int validate_pcm_io(const struct vsnd_req *req, const struct vsnd_stream_ctx *ctx)
{
	enum vsnd_dir want = req->op == XENSND_OP_WRITE ? VSND_DIR_PLAYBACK : VSND_DIR_CAPTURE;
	const struct vsnd_rw_params *rw = &req->u.rw;

	if (ctx->dir != want || ctx->frame_bytes == 0)
		return -EINVAL;
	if (rw->length == 0)
		return 0;
	if (rw->offset % ctx->frame_bytes || rw->length % ctx->frame_bytes)
		return -EINVAL;
	return check_span(rw, ctx);
}

static int validate_control(const struct vsnd_req *req, const struct vsnd_stream_ctx *ctx)
{
	const struct vsnd_rw_params *rw = &req->u.rw;
	uint32_t slots = (uint32_t)ctx->channels * 4u;

	if (ctx->channels == 0)
		return -EINVAL;
	if (req->op == XENSND_OP_SET_VOLUME || req->op == XENSND_OP_GET_VOLUME) {
		if (rw->length != slots)
			return -EINVAL;
	} else if (rw->length != slots && rw->length != ctx->channels) {
		/* sndif's mute entry is a u8 in the text, a 4-octet slot in
		 * the diagram: both widths are accepted (protocol-notes.md). */
		return -EINVAL;
	}
	return check_span(rw, ctx);
}

int vsnd_req_validate(const struct vsnd_req *req, const struct vsnd_stream_ctx *ctx)
{
	switch (req->op) {
	case XENSND_OP_OPEN:
		return validate_open(&req->u.open, ctx);
	case XENSND_OP_CLOSE:
	case XENSND_OP_TRIGGER:
	case XENSND_OP_HW_PARAM_QUERY:
		return 0;
	case XENSND_OP_READ:
	case XENSND_OP_WRITE:
		return ctx->open ? validate_pcm_io(req, ctx) : -EINVAL;
	case XENSND_OP_SET_VOLUME:
	case XENSND_OP_GET_VOLUME:
	case XENSND_OP_MUTE:
	case XENSND_OP_UNMUTE:
		return ctx->open ? validate_control(req, ctx) : -EINVAL;
	default:
		return -ENOSYS;
	}
}

void vsnd_resp_init(struct xensnd_resp *rsp, const struct vsnd_req *req, int err)
{
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = req->id;
	rsp->operation = req->op;
	rsp->status = vsnd_status_from_errno(err);
}

void vsnd_evt_cur_pos_init(struct xensnd_evt *evt, uint16_t id, uint64_t position)
{
	memset(evt, 0, sizeof(*evt));
	evt->id = id;
	evt->type = XENSND_EVT_CUR_POS;
	evt->op.cur_pos.position = position;
}
