/* SPDX-License-Identifier: MIT */
/*
 * vsndfront.h - libvsndfront, the guest side of Xen PV sound (sndif v2) in
 * user space.
 *
 * A program that acts as a guest's sound frontend (vsnd-play, the pcm_vsnd
 * ALSA plugin, tests, the conformance harness) opens one vsnd device of its
 * domain, connects to the backend through the XenBus handshake and then
 * drives each stream with the sndif requests. It runs in a real domU (Xen's
 * gntalloc and evtchn devices through xenif "real") or against xensimd
 * ("sim:DIR" with the domain to act as).
 *
 * The library does not trust the backend: every response is checked (ring
 * producer overflow, id and operation echoed, status 0 or a known negative
 * errno) and every event too (ids 0, 1, 2, ... per connection, positions
 * monotonic since OPEN, within 2^63); a violation answers -EPROTO and marks
 * the card broken until it reconnects.
 *
 * Threading: none inside. A card and its streams are used from one thread.
 * Calls that wait (the handshake, each request: one outstanding per stream,
 * answered within the timeout, 3 s by default as Linux) block in poll() on
 * the card's own fds; everything else returns at once. Programs with their
 * own loop poll vsndfe_card_fd() and vsndfe_stream_evt_fd() and call
 * vsndfe_card_process() / vsndfe_stream_process_events() when they are
 * readable.
 *
 * Errors: negative errno everywhere. -ETIMEDOUT: the backend did not answer
 * in time; -ENOTCONN: the card is not connected (yet, or any more);
 * -EPROTO: the backend broke the protocol (and every request answers it
 * until the backend reconnects); -EBUSY: the request ring is full of
 * requests the backend never answered; otherwise the status the backend
 * answered, as a local errno.
 */
#ifndef VSNDFRONT_H
#define VSNDFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsnd/hwparams.h"
#include "vsnd/limits.h"
#include "vsnd/xscfg.h"

struct vsndfe_card;
struct vsndfe_stream;

enum vsndfe_log_level { VSNDFE_LOG_ERR, VSNDFE_LOG_WARN, VSNDFE_LOG_INFO, VSNDFE_LOG_DEBUG };

struct vsndfe_options {
	const char *xen;		/* "real" (default) or "sim:DIR" */
	uint32_t domid;			/* sim: the domain to act as; real: ignored */
	uint32_t devid;			/* the vsnd device (card) id */
	unsigned int timeout_ms;	/* per request; 0 = 3000 */
	unsigned int connect_timeout_ms; /* handshake; 0 = 10000 */
	void (*log)(void *opaque, enum vsndfe_log_level level, const char *msg);
	void *log_opaque;
};

/**
 * vsndfe_card_open() - read a vsnd device's configuration and connect.
 *
 * Reads FE (/local/domain/<domid>/device/vsnd/<devid>) with the Linux
 * frontend's rules (vsnd/xscfg.h, Linux mode), then runs the handshake:
 * waits for the backend's InitWait, allocates for every stream a zeroed
 * request-ring page and event page granted to the backend, two unbound event
 * channels, publishes ring-ref, event-channel, evt-ring-ref and
 * evt-event-channel for all streams in one transaction (and version = 2 when
 * the backend's versions list has 2), writes Initialised, waits for the
 * backend's Connected and writes Connected.
 *
 * Return: 0; -ENOENT when the device does not exist; -EINVAL for a
 * configuration Linux would refuse (no PCM, a stream without a type);
 * -ETIMEDOUT when the backend never reaches InitWait or Connected.
 */
int vsndfe_card_open(const struct vsndfe_options *opt, struct vsndfe_card **ret);

/**
 * vsndfe_card_close() - close every stream (CLOSE before revoking its
 * buffer), write Closing, wait (bounded) for the backend's Closing or
 * Closed, write Closed, revoke the rings and free. NULL is fine.
 */
struct vsndfe_card *vsndfe_card_close(struct vsndfe_card *card);

/* The parsed configuration (valid while the card is open). */
const struct vsnd_xscfg *vsndfe_card_config(const struct vsndfe_card *card);

/* XenStore watch fd: readable when the backend's state may have changed. */
int vsndfe_card_fd(struct vsndfe_card *card);

/**
 * vsndfe_card_process() - follow the backend's state (Linux's reactions,
 * protocol.md 2.3): InitWait again means the backend restarted, so every
 * stream is torn down (their buffers revoked; callers must OPEN again) and
 * the handshake is redone with new rings, channels and event ids; Closed
 * tears down and waits for the next InitWait.
 * Return: 1 when the connection was (re)established by this call, 0 when
 * nothing changed, or a negative errno.
 */
int vsndfe_card_process(struct vsndfe_card *card);

/* Block until connected (reconnecting as needed), at most @timeout_ms. */
int vsndfe_card_wait_connected(struct vsndfe_card *card, unsigned int timeout_ms);
bool vsndfe_card_connected(const struct vsndfe_card *card);

/* Streams, by card-wide index (device-then-stream order, as Linux numbers
 * them) or by (pcm, stream). NULL when out of range. */
unsigned int vsndfe_card_stream_count(const struct vsndfe_card *card);
struct vsndfe_stream *vsndfe_card_stream(struct vsndfe_card *card, unsigned int index);
struct vsndfe_stream *vsndfe_card_stream_at(struct vsndfe_card *card, unsigned int pcm,
					    unsigned int stream);

/* Playback (true) or capture (false). */
bool vsndfe_stream_is_playback(const struct vsndfe_stream *s);
/* The stream's effective XenStore limits (what Linux would offer). */
int vsndfe_stream_limits(const struct vsndfe_stream *s, struct vsnd_stream_limits *ret);

/**
 * vsndfe_stream_query() - HW_PARAM_QUERY: send @space (frames for buffer and
 * period) and replace it by its intersection with the answer.
 * Return: 0; -EINVAL when the backend says nothing is feasible or the answer
 * does not intersect; -EPROTO for a malformed answer.
 */
int vsndfe_stream_query(struct vsndfe_stream *s, struct vsnd_hw_space *space);

struct vsndfe_pcm_params {
	uint32_t rate;
	uint8_t format;		/* sndif format code */
	uint8_t channels;
	uint32_t buffer_bytes;
	uint32_t period_bytes;	/* 0: no CUR_POS events */
};

/**
 * vsndfe_stream_open() - allocate a zeroed buffer of @p->buffer_bytes,
 * share it with a page directory (protocol.md 3.5, all grants read-write),
 * send OPEN. An open stream is closed first (CLOSE, then revoke).
 */
int vsndfe_stream_open(struct vsndfe_stream *s, const struct vsndfe_pcm_params *p);
/* CLOSE, then revoke and free the buffer (even when CLOSE fails). */
int vsndfe_stream_close(struct vsndfe_stream *s);

/* The shared buffer of the current OPEN (NULL when closed). */
void *vsndfe_stream_buffer(struct vsndfe_stream *s, uint32_t *ret_bytes);
/* Whether the stream is open (an OPEN succeeded and nothing closed it since;
 * a reconnection closes every stream). */
bool vsndfe_stream_is_open(const struct vsndfe_stream *s);

/*
 * WRITE: the data is already at [offset, offset + length) of the buffer.
 * READ: on success the data is at [offset, offset + length) of the buffer.
 * Both: -EBADFD when the stream is not open, -EINVAL when the range leaves
 * the buffer; otherwise as any request.
 */
int vsndfe_stream_write(struct vsndfe_stream *s, uint32_t offset, uint32_t length);
int vsndfe_stream_read(struct vsndfe_stream *s, uint32_t offset, uint32_t length);
/* TRIGGER: XENSND_OP_TRIGGER_START, _PAUSE, _STOP or _RESUME (else -EINVAL). */
int vsndfe_stream_trigger(struct vsndfe_stream *s, unsigned int type);

/*
 * Volume (0.001 dB per channel) and mute (one flag per channel). The values
 * travel in the shared buffer (sndif.h): the library saves the first octets
 * of the buffer, puts the values there, sends the request and restores the
 * audio, so they can be used at any time while the stream is open. Mute
 * entries are sent as 4-octet slots (docs/protocol-notes.md). @n must be the
 * OPEN's channel count (else -EINVAL); -EBADFD when the stream is not open.
 */
int vsndfe_stream_set_volume(struct vsndfe_stream *s, const int32_t *mdb, unsigned int n);
int vsndfe_stream_get_volume(struct vsndfe_stream *s, int32_t *ret_mdb, unsigned int n);
int vsndfe_stream_mute(struct vsndfe_stream *s, const bool *channels, unsigned int n);
int vsndfe_stream_unmute(struct vsndfe_stream *s, const bool *channels, unsigned int n);

/* Event-channel fd of the stream's event page: readable when CUR_POS
 * events may be queued. Each connection has its own: fetch it again after
 * vsndfe_card_process() reported a reconnection. -ENOTCONN without one. */
int vsndfe_stream_evt_fd(struct vsndfe_stream *s);

/**
 * vsndfe_stream_process_events() - consume queued events, checking ids
 * (lockstep from 0 per connection, like Linux) and positions (octets since
 * OPEN, never decreasing).
 * Return: the number of CUR_POS events consumed, or -EPROTO.
 */
int vsndfe_stream_process_events(struct vsndfe_stream *s);

struct vsndfe_stream_stats {
	uint64_t position_bytes;	/* last CUR_POS position */
	uint64_t events;		/* CUR_POS events consumed */
	uint64_t requests;		/* requests answered */
	uint64_t queries;		/* HW_PARAM_QUERY round trips */
	int32_t last_status;		/* last response status (as sent) */
	/*
	 * The period wakeups the upstream Linux frontend would give its
	 * application for the CUR_POS events consumed since the last OPEN
	 * (protocol.md 4.8): per event, the frames moved since the previous
	 * one (d = position / frame - last) are added to an accumulator, and
	 * only when it holds strictly more than a period (acc > period
	 * frames) does a wakeup count and the accumulator keep acc % period.
	 * Events exactly one period apart thus count a wakeup every second
	 * period. Reset, with the accumulator, at OPEN; stays 0 for an OPEN
	 * without a period (period_bytes = 0).
	 */
	uint64_t periods_elapsed;
};

void vsndfe_stream_stats(const struct vsndfe_stream *s, struct vsndfe_stream_stats *ret);

#endif /* VSNDFRONT_H */
