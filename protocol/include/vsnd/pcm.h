/* SPDX-License-Identifier: MIT */
/*
 * vsnd/pcm.h - the per-stream PCM state machine that TRIGGER drives, and the
 * CUR_POS position realignment of REQ-20.
 *
 * state \ TRIGGER  START              STOP              PAUSE             RESUME
 * CLOSED           -EINVAL            -EINVAL           -EINVAL           -EINVAL
 * PREPARED         RUNNING            (no-op)           (no-op)           -EINVAL
 * RUNNING          -EINVAL            STOPPED           PAUSED            -EINVAL
 * PAUSED           RUNNING, realign   STOPPED           (no-op)           RUNNING
 * STOPPED          RUNNING, realign   (no-op)           (no-op)           -EINVAL
 *
 * OPEN takes any state to PREPARED (an OPEN on an open stream closes the old
 * instance first, REQ-9); CLOSE takes any state to CLOSED.
 *
 * START is accepted from PREPARED, STOPPED and PAUSED, because Linux sends
 * PAUSE on suspend and START afterwards, never RESUME (protocol.md 3.8,
 * REQ-14). STOP and PAUSE on a stream that is not running are accepted and
 * change nothing, so they never reach the host device in an invalid state.
 * RESUME is accepted only from PAUSED; START while running is an error.
 */
#ifndef VSND_PCM_H
#define VSND_PCM_H

#include <stdbool.h>
#include <stdint.h>

enum vsnd_pcm_state {
	VSND_PCM_CLOSED,
	VSND_PCM_PREPARED,
	VSND_PCM_RUNNING,
	VSND_PCM_PAUSED,
	VSND_PCM_STOPPED,
	_VSND_PCM_STATE_MAX,
};

struct vsnd_pcm_transition {
	enum vsnd_pcm_state next;
	/* The host device must act (start, stop, pause, resume). */
	bool host_action;
	/* START after STOP/PAUSE: realign the position first (REQ-20). */
	bool realign;
};

/**
 * vsnd_pcm_trigger() - the transition TRIGGER @type causes in state @cur.
 * Return: 0 with @ret filled, or -EINVAL (unknown type, stream not open,
 * START while running, RESUME when not paused).
 */
int vsnd_pcm_trigger(enum vsnd_pcm_state cur, unsigned int type,
		     struct vsnd_pcm_transition *ret);

/* "CLOSED", "PREPARED", "RUNNING", "PAUSED", "STOPPED", or "unknown". */
const char *vsnd_pcm_state_to_string(enum vsnd_pcm_state s);

/**
 * vsnd_pos_realign() - the first multiple of @buffer_bytes at or above
 * @pos (REQ-20): the guest's pointer is position mod buffer while ALSA resets
 * its own to 0 on re-prepare. @pos unchanged when @buffer_bytes is 0 or the
 * result would pass UINT64_MAX.
 */
uint64_t vsnd_pos_realign(uint64_t pos, uint32_t buffer_bytes);

#endif /* VSND_PCM_H */
