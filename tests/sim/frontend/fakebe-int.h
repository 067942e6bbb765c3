/* SPDX-License-Identifier: MIT */
/*
 * fakebe-int.h - the command protocol between the test (fakebe-ctl.c) and
 * the backend double's child process (fakebe.c): one fixed-size command
 * per SEQPACKET message, answered by one struct fakebe_info.
 */
#ifndef VSND_TEST_FAKEBE_INT_H
#define VSND_TEST_FAKEBE_INT_H

#include "fakebe.h"

enum fb_op {
	FB_QUIT,
	FB_INFO,
	FB_MODE,
	FB_QUERY_ANSWER,
	FB_VOLUME_ANSWER,
	FB_EVENTS,
	FB_SET_STATE,
	FB_RESTART,
	FB_IGNORE_CLOSE,
};

struct fb_cmd {
	enum fb_op op;
	uint32_t stream;
	int64_t a, b, c, d;
	struct xensnd_query_hw_param hw;
	int32_t values[8];
};

/* The child: never returns. */
_Noreturn void fakebe_child_main(const struct fakebe_config *cfg, int sock);

#endif /* VSND_TEST_FAKEBE_INT_H */
