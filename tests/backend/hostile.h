/* SPDX-License-Identifier: MIT */
/*
 * hostile.h - the malicious guest of security.md 5.1-5.4 against a running
 * vsndbe, on the raw frontend (rawfe.h): one function per group of rules,
 * each asserting the backend's answer and that it held no more mappings of
 * the guest than before (counted in the backend's /proc/PID/maps, xenif
 * G6). The guest's card is one playback stream, S16_LE stereo at 44100 or
 * 48000 Hz, buffers up to 64 KiB (fetree.h's defaults).
 */
#ifndef VSND_TEST_HOSTILE_H
#define VSND_TEST_HOSTILE_H

#include <sys/types.h>

#include "rawfe.h"

#define HOSTILE_GUEST 6u

struct hostile {
	struct rawfe f;		/* connected by the caller */
	pid_t be_pid;		/* the backend process */
	struct xenif *dom0;	/* to read the backend's XenStore nodes */
	uint16_t next_id;
};

/* Every group below in order; the last one disconnects the device. */
void hostile_run_all(struct hostile *h);

void hostile_unknown_ops(struct hostile *h);	/* rules 5, 6, 7 */
void hostile_io_before_open(struct hostile *h);	/* rule 27 */
void hostile_open_params(struct hostile *h);	/* rules 11, 12, 30-33 */
void hostile_directories(struct hostile *h);	/* rules 13-15, 17 */
void hostile_io_spans(struct hostile *h);	/* rules 20-26 */
void hostile_controls(struct hostile *h);	/* rules 34, 35 */
void hostile_round_trips(struct hostile *h);	/* rules 9, 10 */
void hostile_break_ring(struct hostile *h);	/* rules 2, 3, 21 */

#endif /* VSND_TEST_HOSTILE_H */
