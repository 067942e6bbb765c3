// SPDX-License-Identifier: MIT
/*
 * Name tables for sndif operations, trigger and event types and XenBus
 * states (vsnd/names.h), indexed with designated initializers so a code and
 * its name cannot drift apart.
 */
#include "vsnd/names.h"

#include <errno.h>
#include <strings.h>

#include "vsnd/wire.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const op_names[] = {
	[XENSND_OP_OPEN] = "OPEN",
	[XENSND_OP_CLOSE] = "CLOSE",
	[XENSND_OP_READ] = "READ",
	[XENSND_OP_WRITE] = "WRITE",
	[XENSND_OP_SET_VOLUME] = "SET_VOLUME",
	[XENSND_OP_GET_VOLUME] = "GET_VOLUME",
	[XENSND_OP_MUTE] = "MUTE",
	[XENSND_OP_UNMUTE] = "UNMUTE",
	[XENSND_OP_TRIGGER] = "TRIGGER",
	[XENSND_OP_HW_PARAM_QUERY] = "HW_PARAM_QUERY",
};

static const char *const trigger_names[] = {
	[XENSND_OP_TRIGGER_START] = "START",
	[XENSND_OP_TRIGGER_PAUSE] = "PAUSE",
	[XENSND_OP_TRIGGER_STOP] = "STOP",
	[XENSND_OP_TRIGGER_RESUME] = "RESUME",
};

static const char *const evt_names[] = {
	[XENSND_EVT_CUR_POS] = "CUR_POS",
};

/* XenbusState numbers (xen/io/xenbus.h), protocol.md 2.1. */
static const char *const xenbus_state_names[] = {
	[0] = "Unknown",     [1] = "Initialising", [2] = "InitWait",
	[3] = "Initialised", [4] = "Connected",	   [5] = "Closing",
	[6] = "Closed",	     [7] = "Reconfiguring", [8] = "Reconfigured",
};

static const char *lookup(const char *const *table, size_t n, unsigned int v)
{
	return v < n && table[v] ? table[v] : "unknown";
}

const char *vsnd_op_to_string(unsigned int op)
{
	return lookup(op_names, ARRAY_SIZE(op_names), op);
}

const char *vsnd_trigger_to_string(unsigned int type)
{
	return lookup(trigger_names, ARRAY_SIZE(trigger_names), type);
}

const char *vsnd_evt_to_string(unsigned int type)
{
	return lookup(evt_names, ARRAY_SIZE(evt_names), type);
}

const char *vsnd_xenbus_state_to_string(int state)
{
	if (state < 0)
		return "unknown";
	return lookup(xenbus_state_names, ARRAY_SIZE(xenbus_state_names), (unsigned int)state);
}

int vsnd_op_from_string(const char *name)
{
	if (!name)
		return -EINVAL;
	for (unsigned int i = 0; i < ARRAY_SIZE(op_names); i++)
		if (op_names[i] && strcasecmp(name, op_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}
