/* SPDX-License-Identifier: MIT */
/*
 * fe-scen.h - what the frontend role's scenarios share: the context, the
 * checked request call, request builders, a stream configuration the card
 * allows, and a player that keeps a playback buffer fed as Linux does.
 */
#ifndef VSND_CONFORM_FE_SCEN_H
#define VSND_CONFORM_FE_SCEN_H

#include "conform.h"
#include "fe-link.h"

/* protocol.md 4.4: the Linux frontend waits 3 s for every answer. */
#define CF_ANSWER_MS 3000

struct cf_ctx {
	struct cf_options o;
	struct fe_link l;
	char msg[CF_MSG_MAX];
	bool need_connect;
	int pb;			/* the first playback stream, or -1 */
	int cp;			/* the first capture stream, or -1 */
	uint64_t slowest_ms;	/* the slowest answer seen so far */
	struct be_role *be;	/* the backend role's state (be.h); NULL here */
};

/* A stream configuration: sizes in octets. */
struct cf_pcm {
	uint32_t rate;
	uint8_t format;
	uint8_t channels;
	uint32_t buffer;
	uint32_t period;
	uint32_t frame;
};

/* An open stream: its buffer, configuration and what was written. */
struct cf_stream {
	unsigned int i;
	struct cf_pcm p;
	struct fe_buf b;
	uint64_t written;	/* octets sent by WRITE since OPEN */
};

/* Request builders. */
struct xensnd_req cf_req(uint8_t op);
struct xensnd_req cf_req_rw(uint8_t op, uint32_t offset, uint32_t length);
struct xensnd_req cf_req_trigger(uint8_t type);
struct xensnd_req cf_req_open(const struct cf_pcm *p, uint32_t dir_ref);

/*
 * Send @req (its id is set here) on stream @i and take the answer: it must
 * come within 3 s, echo id and operation, have zero reserved bytes (and a
 * zero payload unless it is a successful HW_PARAM_QUERY) and a status of 0
 * or below. @rsp may be NULL.
 */
enum cf_result cf_call(struct cf_ctx *c, unsigned int i, struct xensnd_req *req,
		       struct xensnd_resp *rsp);
/* cf_call() and the status must be @want. */
enum cf_result cf_expect(struct cf_ctx *c, unsigned int i, struct xensnd_req req, int32_t want,
			 const char *what);
/* cf_call() and the status must be an error. */
enum cf_result cf_expect_err(struct cf_ctx *c, unsigned int i, struct xensnd_req req,
			     const char *what);

/* The first playback / capture stream, or CF_SKIP. */
enum cf_result cf_need_playback(struct cf_ctx *c, unsigned int *i);
enum cf_result cf_need_capture(struct cf_ctx *c, unsigned int *i);
/* A configuration stream @i's limits allow, S16_LE stereo 48 kHz if it can. */
enum cf_result cf_pick(struct cf_ctx *c, unsigned int i, struct cf_pcm *p);

/* Share a buffer for @p and OPEN stream @i with it (status 0 required). */
enum cf_result cf_open(struct cf_ctx *c, unsigned int i, const struct cf_pcm *p,
		       struct cf_stream *s);
/* CLOSE (status 0 required) and free the buffer; safe on an unopened @s. */
enum cf_result cf_close(struct cf_ctx *c, struct cf_stream *s);
/* Free the buffer without CLOSE (for cleanup paths). */
void cf_stream_drop(struct cf_stream *s);
/* WRITE @len octets at the next position (a pattern), status 0 required. */
enum cf_result cf_write_next(struct cf_ctx *c, struct cf_stream *s, uint32_t len);
/* TRIGGER @type, status 0 required. */
enum cf_result cf_trigger(struct cf_ctx *c, struct cf_stream *s, uint8_t type);

/* Take stream @i's events; fail on a broken id lockstep or page. */
enum cf_result cf_events(struct cf_ctx *c, unsigned int i);
/* Wait @ms, taking events all along. */
enum cf_result cf_idle(struct cf_ctx *c, unsigned int i, int ms);
/*
 * A running playback stream for @ms: refill period by period as positions
 * advance, as the Linux frontend's application does; check the positions
 * never go backwards and never pass what was written.
 */
enum cf_result cf_play(struct cf_ctx *c, struct cf_stream *s, int ms);
/* Open @i with @p, fill the buffer and START (a playing stream). */
enum cf_result cf_start_playing(struct cf_ctx *c, unsigned int i, const struct cf_pcm *p,
				struct cf_stream *s);

/*
 * START again after STOP or PAUSE as Linux does after a re-prepare: refill
 * the whole buffer from offset 0 and START; the first position (returned)
 * must be at or above the buffer multiple at or above the last one seen
 * (REQ-20). Leaves @s ready for cf_play().
 */
enum cf_result cf_restart(struct cf_ctx *c, struct cf_stream *s, uint64_t *ret_first);

/* Scenario groups. */
#define CF_SCENARIO(fn) enum cf_result fn(struct cf_ctx *c)

/* fe-scen-basic.c */
CF_SCENARIO(sc_initwait);
CF_SCENARIO(sc_versions);
CF_SCENARIO(sc_connect);
CF_SCENARIO(sc_ready_at_connected);
CF_SCENARIO(sc_open_close);
CF_SCENARIO(sc_close_unopened);
CF_SCENARIO(sc_write);
CF_SCENARIO(sc_read);
CF_SCENARIO(sc_volume);
CF_SCENARIO(sc_mute);
CF_SCENARIO(sc_start_stop);
CF_SCENARIO(sc_pause_resume);
CF_SCENARIO(sc_query);
CF_SCENARIO(sc_write_zero);
CF_SCENARIO(sc_before_open);
CF_SCENARIO(sc_after_close);
CF_SCENARIO(sc_wrong_direction);
/* fe-scen-linux.c */
CF_SCENARIO(sc_reopen);
CF_SCENARIO(sc_start_paused);
CF_SCENARIO(sc_query_narrow);
CF_SCENARIO(sc_query_many);
CF_SCENARIO(sc_query_running);
CF_SCENARIO(sc_answer_3s);
CF_SCENARIO(sc_ids_from_zero);
CF_SCENARIO(sc_ids_across_reopen);
CF_SCENARIO(sc_monotonic);
CF_SCENARIO(sc_finer_than_period);
CF_SCENARIO(sc_silent_stopped);
CF_SCENARIO(sc_realign);
CF_SCENARIO(sc_pos_from_open);
CF_SCENARIO(sc_period_zero);
CF_SCENARIO(sc_evt_reserved);
/* fe-scen-hostile.c */
CF_SCENARIO(sc_unknown_ops);
CF_SCENARIO(sc_bad_rates);
CF_SCENARIO(sc_bad_channels);
CF_SCENARIO(sc_bad_formats);
CF_SCENARIO(sc_bad_buffer);
CF_SCENARIO(sc_bad_period);
CF_SCENARIO(sc_dir_loop);
CF_SCENARIO(sc_dir_short);
CF_SCENARIO(sc_dir_foreign);
CF_SCENARIO(sc_bad_offset);
CF_SCENARIO(sc_wrap);
CF_SCENARIO(sc_partial_frame);
CF_SCENARIO(sc_query_malformed);
CF_SCENARIO(sc_trigger_unknown);
CF_SCENARIO(sc_volume_bad);
CF_SCENARIO(sc_ring_full);
CF_SCENARIO(sc_storm);
/* fe-scen-xs.c */
CF_SCENARIO(sc_reconnect);
CF_SCENARIO(sc_ids_after_reconnect);
CF_SCENARIO(sc_version_bad);
CF_SCENARIO(sc_garbage_ring_ref);
CF_SCENARIO(sc_garbage_evtchn);
CF_SCENARIO(sc_rewrite_live);
CF_SCENARIO(sc_rewrite_reconnect);
CF_SCENARIO(sc_ring_overflow);

#endif /* VSND_CONFORM_FE_SCEN_H */
