// SPDX-License-Identifier: MIT
/*
 * The PCM trigger state machine and position realignment (vsnd/pcm.h). The
 * table below is the one in the header; a unit test walks every cell.
 */
#include "vsnd/pcm.h"

#include <errno.h>

#include "vsnd/wire.h"

#define BAD { .next = _VSND_PCM_STATE_MAX }
#define STAY(s) { .next = (s) }
#define GO(s) { .next = (s), .host_action = true }
#define GO_REALIGN(s) { .next = (s), .host_action = true, .realign = true }

static const struct vsnd_pcm_transition table[_VSND_PCM_STATE_MAX][4] = {
	[VSND_PCM_CLOSED] = {
		[XENSND_OP_TRIGGER_START] = BAD,
		[XENSND_OP_TRIGGER_STOP] = BAD,
		[XENSND_OP_TRIGGER_PAUSE] = BAD,
		[XENSND_OP_TRIGGER_RESUME] = BAD,
	},
	[VSND_PCM_PREPARED] = {
		[XENSND_OP_TRIGGER_START] = GO(VSND_PCM_RUNNING),
		[XENSND_OP_TRIGGER_STOP] = STAY(VSND_PCM_PREPARED),
		[XENSND_OP_TRIGGER_PAUSE] = STAY(VSND_PCM_PREPARED),
		[XENSND_OP_TRIGGER_RESUME] = BAD,
	},
	[VSND_PCM_RUNNING] = {
		[XENSND_OP_TRIGGER_START] = BAD,
		[XENSND_OP_TRIGGER_STOP] = GO(VSND_PCM_STOPPED),
		[XENSND_OP_TRIGGER_PAUSE] = GO(VSND_PCM_PAUSED),
		[XENSND_OP_TRIGGER_RESUME] = BAD,
	},
	[VSND_PCM_PAUSED] = {
		[XENSND_OP_TRIGGER_START] = GO_REALIGN(VSND_PCM_RUNNING),
		[XENSND_OP_TRIGGER_STOP] = GO(VSND_PCM_STOPPED),
		[XENSND_OP_TRIGGER_PAUSE] = STAY(VSND_PCM_PAUSED),
		[XENSND_OP_TRIGGER_RESUME] = GO(VSND_PCM_RUNNING),
	},
	[VSND_PCM_STOPPED] = {
		[XENSND_OP_TRIGGER_START] = GO_REALIGN(VSND_PCM_RUNNING),
		[XENSND_OP_TRIGGER_STOP] = STAY(VSND_PCM_STOPPED),
		[XENSND_OP_TRIGGER_PAUSE] = STAY(VSND_PCM_STOPPED),
		[XENSND_OP_TRIGGER_RESUME] = BAD,
	},
};

int vsnd_pcm_trigger(enum vsnd_pcm_state cur, unsigned int type,
		     struct vsnd_pcm_transition *ret)
{
	const struct vsnd_pcm_transition *t;

	if ((unsigned int)cur >= _VSND_PCM_STATE_MAX || type > XENSND_OP_TRIGGER_RESUME)
		return -EINVAL;
	t = &table[cur][type];
	if (t->next == _VSND_PCM_STATE_MAX)
		return -EINVAL;
	*ret = *t;
	return 0;
}

const char *vsnd_pcm_state_to_string(enum vsnd_pcm_state s)
{
	static const char *const names[_VSND_PCM_STATE_MAX] = {
		[VSND_PCM_CLOSED] = "CLOSED",	[VSND_PCM_PREPARED] = "PREPARED",
		[VSND_PCM_RUNNING] = "RUNNING", [VSND_PCM_PAUSED] = "PAUSED",
		[VSND_PCM_STOPPED] = "STOPPED",
	};

	if ((unsigned int)s >= _VSND_PCM_STATE_MAX)
		return "unknown";
	return names[s];
}

uint64_t vsnd_pos_realign(uint64_t pos, uint32_t buffer_bytes)
{
	uint64_t rem;

	if (buffer_bytes == 0)
		return pos;
	rem = pos % buffer_bytes;
	if (rem == 0 || pos > UINT64_MAX - (buffer_bytes - rem))
		return pos;
	return pos + (buffer_bytes - rem);
}
