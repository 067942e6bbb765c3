/* SPDX-License-Identifier: MIT */
/*
 * vsnd/request.h - decoding and validation of sndif requests.
 *
 * A peer copies each request out of the shared ring once (RING_COPY_REQUEST)
 * and hands the copy to vsnd_req_decode(), which checks everything that can
 * be checked without knowing the stream: the operation, the OPEN parameters
 * against each other, the trigger type, the HW_PARAM_QUERY intervals. Then
 * vsnd_req_validate() checks the request against the stream it is for:
 * direction, whether it is open, the buffer bounds, the stream's limits.
 *
 * Reserved fields are never read: the Linux frontend reuses ring slots
 * without clearing them (docs/protocol-notes.md). Unknown operations map to
 * -ENOSYS, malformed fields to -EINVAL; id and operation are always decoded
 * so that the response can echo them (REQ-8).
 */
#ifndef VSND_REQUEST_H
#define VSND_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "vsnd/hwparams.h"
#include "vsnd/limits.h"

struct xensnd_req;
struct xensnd_resp;
struct xensnd_evt;

enum vsnd_dir {
	VSND_DIR_PLAYBACK,
	VSND_DIR_CAPTURE,
};

/* Hard ceiling on any shared buffer, whatever XenStore or policy says:
 * 64 MiB is 16384 pages and 17 directory pages. */
#define VSND_BUFFER_BYTES_HARD_MAX (64u * 1024u * 1024u)

struct vsnd_open_params {
	uint32_t rate;
	uint8_t format;
	uint8_t channels;
	uint32_t buffer_bytes;
	uint32_t gref_directory;
	uint32_t period_bytes;	/* 0: the frontend wants no CUR_POS events */
	/* Derived with the physical sample width (REQ-21). */
	uint32_t frame_bytes;
	uint32_t buffer_frames;
	uint32_t period_frames;
};

struct vsnd_rw_params {
	uint32_t offset;	/* octets into the shared buffer */
	uint32_t length;	/* octets */
};

struct vsnd_req {
	uint16_t id;
	uint8_t op;
	union {
		struct vsnd_open_params open;
		struct vsnd_rw_params rw;	/* READ, WRITE, volume and mute */
		uint8_t trigger;
		struct vsnd_hw_space hw;
	} u;
};

/* What vsnd_req_validate() needs to know about the target stream. */
struct vsnd_stream_ctx {
	enum vsnd_dir dir;
	const struct vsnd_stream_limits *lim;
	/* Policy cap on buffer_bytes (0: VSND_BUFFER_BYTES_HARD_MAX). */
	uint32_t buffer_bytes_cap;
	/* The current OPEN, if the stream is open. */
	bool open;
	uint32_t buffer_bytes;
	uint32_t frame_bytes;
	uint8_t channels;
};

/**
 * vsnd_req_decode() - decode a request copied out of the ring.
 * @copy: the private copy; shared memory must never be passed here.
 * @ret: receives the decoded request; id and op are set even on error.
 *
 * Context: pure; reads each field of @copy once.
 * Return: 0; -ENOSYS for an operation sndif does not define; -EINVAL for a
 * malformed field (OPEN: unknown or variable-size format, 0 channels, rate 0,
 * buffer 0 or not whole frames, period not whole frames or larger than the
 * buffer, gref_directory 0, derived sizes overflowing; TRIGGER: unknown
 * type; HW_PARAM_QUERY: an interval with min > max).
 */
int vsnd_req_decode(const struct xensnd_req *copy, struct vsnd_req *ret);

/**
 * vsnd_req_validate() - check a decoded request against its stream.
 *
 * OPEN: format, rate and channels within the stream's limits; buffer within
 * `buffer-size`, the policy cap and VSND_BUFFER_BYTES_HARD_MAX. OPEN on an
 * open stream is valid (the caller closes the old instance, REQ-9).
 * READ/WRITE: the stream is open and of the right direction; a zero length
 * is valid and does nothing; otherwise offset < buffer, offset + length <=
 * buffer without 32-bit wrap, both whole frames. Volume: open, length =
 * channels x 4; mute: length = channels or channels x 4; in bounds.
 * CLOSE, TRIGGER and HW_PARAM_QUERY have no stream-dependent field checks
 * (trigger states: vsnd_pcm_trigger()).
 *
 * Return: 0, or -EINVAL (bad value, wrong direction, not open), -ENOSYS.
 */
int vsnd_req_validate(const struct vsnd_req *req, const struct vsnd_stream_ctx *ctx);

/**
 * vsnd_resp_init() - start the response to @req: zero all 64 octets (no
 * reserved byte may leak), echo id and operation, set the wire status from
 * @err through vsnd_status_from_errno().
 */
void vsnd_resp_init(struct xensnd_resp *rsp, const struct vsnd_req *req, int err);

/**
 * vsnd_evt_cur_pos_init() - a zeroed CUR_POS event with @id and @position.
 */
void vsnd_evt_cur_pos_init(struct xensnd_evt *evt, uint16_t id, uint64_t position);

#endif /* VSND_REQUEST_H */
