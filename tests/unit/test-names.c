// SPDX-License-Identifier: MIT
/*
 * Name tables and the PCM trigger state machine: every cell of the table in
 * vsnd/pcm.h, and the REQ-20 realignment arithmetic.
 */
#include <errno.h>

#include "vtest.h"
#include "vsnd/names.h"
#include "vsnd/pcm.h"
#include "vsnd/wire.h"

TEST(op_names_cover_every_op)
{
	for (unsigned int op = 0; op <= VSND_OP_MAX; op++) {
		const char *n = vsnd_op_to_string(op);

		ASSERT_TRUE(strcmp(n, "unknown") != 0);
		ASSERT_EQ(vsnd_op_from_string(n), op);
	}
	for (unsigned int op = VSND_OP_MAX + 1; op < 256; op++)
		ASSERT_STREQ(vsnd_op_to_string(op), "unknown");
	ASSERT_STREQ(vsnd_op_to_string(XENSND_OP_HW_PARAM_QUERY), "HW_PARAM_QUERY");
	ASSERT_EQ(vsnd_op_from_string("write"), XENSND_OP_WRITE);
	ASSERT_ERR(vsnd_op_from_string("WRITEX"), EINVAL);
	ASSERT_ERR(vsnd_op_from_string(NULL), EINVAL);
}

TEST(other_names)
{
	ASSERT_STREQ(vsnd_trigger_to_string(XENSND_OP_TRIGGER_PAUSE), "PAUSE");
	ASSERT_STREQ(vsnd_trigger_to_string(4), "unknown");
	ASSERT_STREQ(vsnd_evt_to_string(XENSND_EVT_CUR_POS), "CUR_POS");
	ASSERT_STREQ(vsnd_evt_to_string(1), "unknown");
	ASSERT_STREQ(vsnd_xenbus_state_to_string(2), "InitWait");
	ASSERT_STREQ(vsnd_xenbus_state_to_string(8), "Reconfigured");
	ASSERT_STREQ(vsnd_xenbus_state_to_string(9), "unknown");
	ASSERT_STREQ(vsnd_xenbus_state_to_string(-1), "unknown");
	ASSERT_STREQ(vsnd_pcm_state_to_string(VSND_PCM_PAUSED), "PAUSED");
	ASSERT_STREQ(vsnd_pcm_state_to_string(_VSND_PCM_STATE_MAX), "unknown");
}

#define X _VSND_PCM_STATE_MAX /* -EINVAL */

TEST(trigger_table)
{
	static const struct {
		enum vsnd_pcm_state from;
		unsigned int type;
		enum vsnd_pcm_state to;
		bool action, realign;
	} rows[] = {
		{ VSND_PCM_CLOSED, XENSND_OP_TRIGGER_START, X, 0, 0 },
		{ VSND_PCM_CLOSED, XENSND_OP_TRIGGER_STOP, X, 0, 0 },
		{ VSND_PCM_CLOSED, XENSND_OP_TRIGGER_PAUSE, X, 0, 0 },
		{ VSND_PCM_CLOSED, XENSND_OP_TRIGGER_RESUME, X, 0, 0 },
		{ VSND_PCM_PREPARED, XENSND_OP_TRIGGER_START, VSND_PCM_RUNNING, 1, 0 },
		{ VSND_PCM_PREPARED, XENSND_OP_TRIGGER_STOP, VSND_PCM_PREPARED, 0, 0 },
		{ VSND_PCM_PREPARED, XENSND_OP_TRIGGER_PAUSE, VSND_PCM_PREPARED, 0, 0 },
		{ VSND_PCM_PREPARED, XENSND_OP_TRIGGER_RESUME, X, 0, 0 },
		{ VSND_PCM_RUNNING, XENSND_OP_TRIGGER_START, X, 0, 0 },
		{ VSND_PCM_RUNNING, XENSND_OP_TRIGGER_STOP, VSND_PCM_STOPPED, 1, 0 },
		{ VSND_PCM_RUNNING, XENSND_OP_TRIGGER_PAUSE, VSND_PCM_PAUSED, 1, 0 },
		{ VSND_PCM_RUNNING, XENSND_OP_TRIGGER_RESUME, X, 0, 0 },
		{ VSND_PCM_PAUSED, XENSND_OP_TRIGGER_START, VSND_PCM_RUNNING, 1, 1 },
		{ VSND_PCM_PAUSED, XENSND_OP_TRIGGER_STOP, VSND_PCM_STOPPED, 1, 0 },
		{ VSND_PCM_PAUSED, XENSND_OP_TRIGGER_PAUSE, VSND_PCM_PAUSED, 0, 0 },
		{ VSND_PCM_PAUSED, XENSND_OP_TRIGGER_RESUME, VSND_PCM_RUNNING, 1, 0 },
		{ VSND_PCM_STOPPED, XENSND_OP_TRIGGER_START, VSND_PCM_RUNNING, 1, 1 },
		{ VSND_PCM_STOPPED, XENSND_OP_TRIGGER_STOP, VSND_PCM_STOPPED, 0, 0 },
		{ VSND_PCM_STOPPED, XENSND_OP_TRIGGER_PAUSE, VSND_PCM_STOPPED, 0, 0 },
		{ VSND_PCM_STOPPED, XENSND_OP_TRIGGER_RESUME, X, 0, 0 },
	};

	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct vsnd_pcm_transition t;
		int r = vsnd_pcm_trigger(rows[i].from, rows[i].type, &t);

		if (rows[i].to == X) {
			ASSERT_ERR(r, EINVAL);
			continue;
		}
		ASSERT_OK(r);
		ASSERT_EQ(t.next, rows[i].to);
		ASSERT_EQ(t.host_action, rows[i].action);
		ASSERT_EQ(t.realign, rows[i].realign);
	}
}

TEST(trigger_rejects_unknown_values)
{
	struct vsnd_pcm_transition t;

	for (unsigned int type = 4; type < 256; type++)
		ASSERT_ERR(vsnd_pcm_trigger(VSND_PCM_RUNNING, type, &t), EINVAL);
	ASSERT_ERR(vsnd_pcm_trigger(_VSND_PCM_STATE_MAX, 0, &t), EINVAL);
	ASSERT_ERR(vsnd_pcm_trigger((enum vsnd_pcm_state)-1, 0, &t), EINVAL);
}

TEST(realign)
{
	ASSERT_EQ_U(vsnd_pos_realign(0, 4096), 0);
	ASSERT_EQ_U(vsnd_pos_realign(1, 4096), 4096);
	ASSERT_EQ_U(vsnd_pos_realign(4096, 4096), 4096);
	ASSERT_EQ_U(vsnd_pos_realign(4097, 4096), 8192);
	ASSERT_EQ_U(vsnd_pos_realign(12345, 0), 12345);
	/* Above 2^32: positions are 64-bit. */
	ASSERT_EQ_U(vsnd_pos_realign((UINT64_C(1) << 32) + 1, 1000),
		    ((UINT64_C(1) << 32) / 1000 + 1) * 1000);
	/* Never past UINT64_MAX. */
	ASSERT_EQ_U(vsnd_pos_realign(UINT64_MAX - 5, 4096), UINT64_MAX - 5);
}
