/* SPDX-License-Identifier: MIT */
/*
 * fakebe.h - a scripted sndif backend for libvsndfront's tests. It is a
 * test double, not a backend: it does exactly what the test tells it, and
 * tells the test exactly what it saw.
 *
 * fakebe_start() forks a child that acts as dom0 through xenif's simulator
 * client: it watches the frontend's directory, answers the handshake
 * (InitWait, and on the frontend's Initialised: map both pages of every
 * stream, bind both event channels, Connected), serves requests and
 * produces CUR_POS events. The test steers it through a socketpair: each
 * command gets one reply carrying a snapshot of everything the double has
 * observed (struct fakebe_info), so the test never waits for time to pass.
 *
 * Per stream, a "mode" makes the next @count responses misbehave (wrong id,
 * wrong operation, producer overflow, a chosen status, no answer, a late
 * answer), HW_PARAM_QUERY and GET_VOLUME answers can be scripted, and event
 * batches can skip or repeat ids, go backwards or overflow the event ring.
 * OPEN walks the page directory with vsnd_pgdir_walk() and maps the buffer;
 * WRITE hashes the bytes it finds; READ fills the range with a pattern.
 */
#ifndef VSND_TEST_FAKEBE_H
#define VSND_TEST_FAKEBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vsnd/wire.h"

#define FAKEBE_MAX_STREAMS 4u

enum fakebe_mode {
	FAKEBE_NORMAL,
	FAKEBE_WRONG_ID,		/* answer with another id only */
	FAKEBE_WRONG_ID_THEN_RIGHT,	/* an unrequested answer, then the right one */
	FAKEBE_WRONG_OP,		/* echo the id, not the operation */
	FAKEBE_PROD_OVERFLOW,		/* rsp_prod far beyond what was asked */
	FAKEBE_STATUS,			/* answer with status = arg */
	FAKEBE_NO_ANSWER,		/* swallow the request */
	FAKEBE_LATE,			/* hold the answer until the next request */
};

/* Flags of fakebe_events(). */
#define FAKEBE_EVT_SKIP_ID (1u << 0)	/* the first event skips an id */
#define FAKEBE_EVT_DUP_ID (1u << 1)	/* the first event repeats the last id */
#define FAKEBE_EVT_OVERFLOW (1u << 2)	/* in_prod jumps 64 ahead of in_cons */

struct fakebe_stream_info {
	/* As read from XenStore at the last connection. */
	uint32_t ring_ref, evt_ref, req_port, evt_port;
	bool ring_init_ok;		/* SHARED_RING_INIT done by the frontend */
	uint32_t requests;
	uint32_t op_count[16];
	struct xensnd_req last_req;
	/* OPEN */
	uint32_t open_buffer_bytes;
	uint32_t open_pages;		/* buffer grefs the walk returned */
	uint32_t open_dir_pages;	/* directory pages mapped */
	bool open_dir_ok;		/* tails zero, last next 0, mapped writable */
	int open_err;
	bool buffer_mapped;
	uint32_t implicit_closes;	/* OPEN while a buffer was mapped */
	/* CLOSE */
	uint32_t closes;
	bool close_buffer_granted;	/* the buffer was still granted at CLOSE */
	/* READ / WRITE */
	uint64_t write_hash;
	uint32_t write_off, write_len;
	uint32_t read_off, read_len;
	uint32_t last_trigger;
	int32_t volume[8];
	uint32_t n_volume;
	int32_t mute[8];
	uint32_t n_mute;
	uint8_t mute_op;
	struct xensnd_query_hw_param last_query;
	uint16_t evt_id_next;
};

struct fakebe_info {
	int be_state;
	int fe_state;			/* as last read */
	uint32_t fe_states_seen;	/* bit n: FE/state n was read once */
	uint32_t connections;
	bool partial_seen;		/* transport nodes seen half written */
	char version[8];		/* FE/version at connection ("" if none) */
	int connect_err;
	uint32_t n_streams;
	struct fakebe_stream_info s[FAKEBE_MAX_STREAMS];
};

struct fakebe_config {
	const char *spec;		/* xenif spec of the simulator */
	uint32_t guest;
	uint32_t devid;
	uint32_t n_streams;		/* card-wide streams, in Linux order */
	const char *stream_dirs[FAKEBE_MAX_STREAMS]; /* "0/0", "0/1", ... */
	bool no_versions;		/* do not write BE/versions */
	bool no_initwait;		/* stay in Initialising */
};

struct fakebe {
	pid_t pid;
	int sock;
};

void fakebe_start(struct fakebe *be, const struct fakebe_config *cfg);
/* Ask the double to quit and check that it ended well. */
void fakebe_stop(struct fakebe *be);

void fakebe_info(struct fakebe *be, struct fakebe_info *ret);
void fakebe_mode(struct fakebe *be, unsigned int stream, enum fakebe_mode mode, int32_t arg,
		 uint32_t count);
void fakebe_query_answer(struct fakebe *be, unsigned int stream,
			 const struct xensnd_query_hw_param *answer);
void fakebe_volume_answer(struct fakebe *be, unsigned int stream, const int32_t *mdb,
			  unsigned int n);
/* Produce @n CUR_POS events at @pos0, @pos0 + @step, ... and notify. */
void fakebe_events(struct fakebe *be, unsigned int stream, uint32_t n, uint64_t pos0,
		   int64_t step, unsigned int flags);
/* Write BE/state = @state (the double's own transitions continue). */
void fakebe_set_state(struct fakebe *be, int state);
/* Restart: unmap everything and go back to InitWait. */
void fakebe_restart(struct fakebe *be);
/* Do not answer the frontend's Closing/Closed (the close wait must end). */
void fakebe_ignore_close(struct fakebe *be, bool ignore);

/* The READ fill pattern and the WRITE hash, shared with the tests. */
static inline uint8_t fakebe_pattern(uint32_t offset)
{
	return (uint8_t)(offset * 31u + (offset >> 8) + 0x5au);
}

static inline uint64_t fakebe_hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#endif /* VSND_TEST_FAKEBE_H */
