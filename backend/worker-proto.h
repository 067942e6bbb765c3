/* SPDX-License-Identifier: MIT */
/*
 * worker-proto.h - what the broker and a per-guest worker say to each
 * other over their socketpair (AF_UNIX, SOCK_SEQPACKET: one message per
 * packet). Every message starts with struct sndbe_wk_hdr; its size is fixed
 * by its type, and a packet of any other length is refused.
 *
 * Broker to worker, once: DEVICE, then one STREAM per stream in card-wide
 * index order; the worker answers READY with 0 once every stream is mapped,
 * bound and served, or with a negative errno (and exits). Afterwards the
 * broker may send PING (answered by PONG with the same seq) and CAPTURE (a
 * policy reload), and the worker may send BROKEN when its guest broke a
 * request ring. The broker ends a worker by closing its end (or SIGTERM);
 * a worker whose socket closes unmaps everything and exits.
 *
 * The worker trusts the broker more than the guest, but not blindly: every
 * field is range-checked by sndbe_wk_decode_*() before it is used, so a
 * confused broker cannot make a worker map another domain or overrun a
 * table.
 */
#ifndef VSND_BACKEND_WORKER_PROTO_H
#define VSND_BACKEND_WORKER_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vsnd-dev.h"
#include "vsnd/limits.h"

#define SNDBE_WK_MAGIC 0x6b77736eu /* "nswk" */
#define SNDBE_WK_VERSION 1u
/* A card's streams: every PCM Linux numbers times its streams. */
#define SNDBE_WK_MAX_STREAMS (VSND_MAX_PCMS * VSND_MAX_STREAMS_PER_PCM)
/* Largest --ring-budget. */
#define SNDBE_RING_BUDGET_MAX 1024u
/* Largest message. */
#define SNDBE_WK_MSG_MAX 1024u

enum sndbe_wk_type {
	SNDBE_WK_DEVICE = 1,
	SNDBE_WK_STREAM,
	SNDBE_WK_READY,
	SNDBE_WK_PING,
	SNDBE_WK_PONG,
	SNDBE_WK_CAPTURE,
	SNDBE_WK_BROKEN,
};

struct sndbe_wk_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t size;	/* of the whole message */
	uint32_t seq;	/* PING/PONG; 0 otherwise */
};

struct sndbe_wk_device {
	struct sndbe_wk_hdr h;
	uint32_t domid;		/* 1 .. XENIF_DOMID_MAX */
	uint32_t devid;
	uint32_t n_streams;	/* 1 .. SNDBE_WK_MAX_STREAMS */
	uint32_t ring_budget;	/* 0 (default) .. SNDBE_RING_BUDGET_MAX */
	uint32_t pos_ticks;	/* 0 (default) .. SNDBE_STREAM_POS_TICKS_MAX */
	uint32_t pos_floor_us;	/* 0 (default) or the bounds of stream.h */
};

struct sndbe_wk_stream {
	struct sndbe_wk_hdr h;
	uint32_t index;		/* card-wide, in order from 0 */
	uint32_t pcm;
	uint32_t stream;
	uint32_t ring_ref;	/* non-zero, as xenbus.c read them */
	uint32_t evtchn;
	uint32_t evt_ring_ref;
	uint32_t evt_evtchn;
	uint32_t dir;		/* enum vsnd_dir */
	uint32_t buffer_bytes_cap;
	int32_t open_error;	/* 0 or -1 .. -4095 */
	uint32_t volume_capped;	/* 0 or 1 */
	int32_t volume_max_mdb;	/* SNDBE_POLICY_VOLUME_MIN_MDB .. 0 */
	uint64_t formats;
	uint32_t rates[VSND_MAX_RATES];
	uint32_t n_rates;
	uint32_t rate_min;
	uint32_t rate_max;
	uint32_t channels_min;
	uint32_t channels_max;
	uint32_t buffer_bytes_max;
	char spec[SNDBE_DEV_SPEC_MAX];	/* NUL-terminated, not empty */
};

/* READY and BROKEN. */
struct sndbe_wk_status {
	struct sndbe_wk_hdr h;
	int32_t err;		/* 0 or a negative errno */
	uint32_t index;		/* the stream concerned (BROKEN, failed READY) */
};

struct sndbe_wk_capture {
	struct sndbe_wk_hdr h;
	uint32_t index;
	uint32_t deliver;	/* 0 or 1 */
	int32_t open_error;	/* 0 or -1 .. -4095 */
};

_Static_assert(sizeof(struct sndbe_wk_stream) <= SNDBE_WK_MSG_MAX, "a stream fits a message");

/* The device-wide options a worker's layer runs with. */
struct sndbe_wk_options {
	uint32_t ring_budget;
	uint32_t pos_ticks;
	uint32_t pos_floor_us;
};

/* Fill @h for a message of @type, @size octets. */
void sndbe_wk_hdr_init(struct sndbe_wk_hdr *h, enum sndbe_wk_type type, size_t size, uint32_t seq);

/**
 * sndbe_wk_hdr_check() - a received packet's header.
 * @buf: the packet.
 * @len: its length.
 *
 * Return: its type, or -EPROTO (bad magic, version, unknown type, or a
 * length other than the type's size).
 */
int sndbe_wk_hdr_check(const void *buf, size_t len);

void sndbe_wk_encode_device(const struct sndbe_dev_plan *p, const struct sndbe_wk_options *o,
			    struct sndbe_wk_device *m);
void sndbe_wk_encode_stream(const struct sndbe_dev_stream_plan *sp, unsigned int index,
			    struct sndbe_wk_stream *m);

/**
 * sndbe_wk_decode_device() - check a DEVICE message and take it apart.
 * @m: the message (header already checked).
 * @p: receives domid, devid and n (st is left alone).
 * @o: receives the options.
 *
 * Return: 0, or -EINVAL naming no field (every one is checked).
 */
int sndbe_wk_decode_device(const struct sndbe_wk_device *m, struct sndbe_dev_plan *p,
			   struct sndbe_wk_options *o);

/**
 * sndbe_wk_decode_stream() - check a STREAM message and take it apart.
 * @m: the message (header already checked).
 * @index: the index it must carry.
 * @sp: receives the stream's plan.
 *
 * Return: 0, or -EINVAL.
 */
int sndbe_wk_decode_stream(const struct sndbe_wk_stream *m, unsigned int index,
			   struct sndbe_dev_stream_plan *sp);

/**
 * sndbe_wk_send() - send one message, waiting for room until @deadline_ms
 * (now_ms()); never raises SIGPIPE.
 * Return: 0, -ETIMEDOUT, or the errno of send() (-EPIPE: peer gone).
 */
int sndbe_wk_send(int fd, const void *msg, size_t len, uint64_t deadline_ms);

/**
 * sndbe_wk_recv() - receive one packet into @buf, waiting until
 * @deadline_ms (0: do not wait).
 * Return: its length; -EPIPE at end of file (peer gone); -EMSGSIZE for a
 * packet larger than @size (dropped); -EAGAIN (@deadline_ms 0) or
 * -ETIMEDOUT when nothing came; another errno.
 */
ssize_t sndbe_wk_recv(int fd, void *buf, size_t size, uint64_t deadline_ms);

#endif /* VSND_BACKEND_WORKER_PROTO_H */
