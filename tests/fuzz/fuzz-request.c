// SPDX-License-Identifier: MIT
/*
 * Fuzz target: request decode + validate. The first 64 octets are the
 * request as the guest put it in the ring, the next ones describe the stream
 * it is validated against. Invariants: decode never reads past the copy,
 * the response always echoes id and operation with a status of 0 or a
 * negative Xen errno, and an accepted READ/WRITE lies inside the buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/request.h"
#include "vsnd/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx_bytes {
	uint8_t dir, open, channels, format;
	uint32_t buffer_bytes, cap;
};

static void check_accepted(const struct vsnd_req *r, const struct vsnd_stream_ctx *ctx)
{
	if (r->op == XENSND_OP_READ || r->op == XENSND_OP_WRITE) {
		if (!ctx->open)
			abort();
		if (r->u.rw.length && (uint64_t)r->u.rw.offset + r->u.rw.length > ctx->buffer_bytes)
			abort();
	}
	if (r->op == XENSND_OP_OPEN) {
		if (r->u.open.buffer_bytes == 0 || r->u.open.buffer_bytes > VSND_BUFFER_BYTES_HARD_MAX)
			abort();
		if (r->u.open.period_bytes > r->u.open.buffer_bytes)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsnd_stream_limits lim;
	struct vsnd_stream_ctx ctx;
	struct xensnd_req copy;
	struct xensnd_resp rsp;
	struct ctx_bytes cb;
	struct vsnd_req r;
	uint32_t fb;
	int ret;

	if (size < sizeof(copy))
		return 0;
	memcpy(&copy, data, sizeof(copy));
	memset(&cb, 0, sizeof(cb));
	memcpy(&cb, data + sizeof(copy),
	       size - sizeof(copy) < sizeof(cb) ? size - sizeof(copy) : sizeof(cb));

	vsnd_stream_limits_linux_default(&lim);
	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = cb.dir & 1 ? VSND_DIR_CAPTURE : VSND_DIR_PLAYBACK;
	ctx.lim = &lim;
	ctx.buffer_bytes_cap = cb.cap;
	if (cb.open & 1 && vsnd_frame_bytes(cb.format % VSND_FORMAT_COUNT, cb.channels, &fb) == 0) {
		ctx.open = true;
		ctx.channels = cb.channels;
		ctx.frame_bytes = fb;
		ctx.buffer_bytes = cb.buffer_bytes - cb.buffer_bytes % fb;
	}

	ret = vsnd_req_decode(&copy, &r);
	if (r.id != copy.id || r.op != copy.operation)
		abort();
	if (ret == 0) {
		ret = vsnd_req_validate(&r, &ctx);
		if (ret == 0)
			check_accepted(&r, &ctx);
	}
	vsnd_resp_init(&rsp, &r, ret);
	if (rsp.status > 0 || rsp.id != copy.id || rsp.operation != copy.operation)
		abort();
	if ((ret == 0) != (rsp.status == 0))
		abort();
	return 0;
}
