/* SPDX-License-Identifier: MIT */
/*
 * vsnd/names.h - names of sndif operations, trigger types, event types and
 * XenBus states, for logs and tools. Every function accepts any value
 * (guest-supplied ones included) and returns a static string, "unknown" for
 * a value outside its table.
 */
#ifndef VSND_NAMES_H
#define VSND_NAMES_H

/* "OPEN", "CLOSE", ... "HW_PARAM_QUERY". */
const char *vsnd_op_to_string(unsigned int op);
/* "START", "PAUSE", "STOP", "RESUME". */
const char *vsnd_trigger_to_string(unsigned int type);
/* "CUR_POS". */
const char *vsnd_evt_to_string(unsigned int type);
/* "Unknown", "Initialising", "InitWait", ... "Reconfigured". */
const char *vsnd_xenbus_state_to_string(int state);

/**
 * vsnd_op_from_string() - parse an operation name (case-insensitive).
 * Return: the operation code, or -EINVAL.
 */
int vsnd_op_from_string(const char *name);

#endif /* VSND_NAMES_H */
