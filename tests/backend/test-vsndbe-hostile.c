// SPDX-License-Identifier: MIT
/*
 * test-vsndbe-hostile.c - the vsndbe binary against a hostile guest while
 * another guest plays (security.md 5.1-5.4: "survives" means no crash, the
 * other guests unaffected, only the offending device errored).
 *
 * xensimd plays Xen. Domain 5 is an honest player on libvsndfront, in a
 * child process: it keeps a 16 KiB buffer fed period by period, like a
 * real player, until told to stop, and times every request it makes.
 * Domain 6 is the hostile guest, on the raw frontend (rawfe.h) in this
 * process: it sends every malformed request of rules 5-35 on its own
 * stream, floods its ring, then breaks it. At the end the player's WAV
 * must hold exactly what it played, none of its requests may have taken
 * the protocol's 3 s, and vsndbe must hold no mapping of domain 6 (counted
 * in its /proc/PID/maps, xenif G6) and exit 0 on SIGTERM.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetree.h"
#include "hostile.h"
#include "player.h"
#include "rawfe.h"
#include "simd.h"
#include "util.h"
#include "vsndbe-proc.h"
#include "vsndfront.h"
#include "vtest.h"
#include "xenif/xenif.h"

#define PLAYER 5u
#define BUFFER PLAYER_BUFFER
/* What vsndbe may log over the whole run: start, device counts, the
 * broken ring and its disconnection, exit. */
#define LOG_LINES_MAX 40

static unsigned int count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}
#define DEADLINE_MS 3000u /* protocol.md: every request answered in 3 s */
#define WAIT_MS 30000


/* ---- the test ------------------------------------------------------------- */

TEST_TIMEOUT(hostile_guest_beside_a_player, 600)
{
	struct fetree tp = { .guest = PLAYER, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct fetree th = { .guest = HOSTILE_GUEST,
			     .buffer_size = "4194304",
			     .n_streams = 1,
			     .s = { { 0, 0, "p" } } };
	struct player_result res;
	struct hostile h = { 0 };
	struct vsndbe_world w;
	struct vsndbe_proc be;
	struct player pl;
	char wav[128];
	uint32_t len;
	uint8_t *d;

	vsndbe_world_begin(&w);
	vsndbe_world_guest(&w, &tp, "player");
	vsndbe_world_guest(&w, &th, "hostile");
	/* A budget of 2 sends most of the flood through the backlog path. */
	vsndbe_proc_spawn(&be,
			  (const char *const[]){ w.xen, w.sink,
						 "--ring-budget=2", NULL },
			  true);
	vsndbe_proc_wait_ready(&be);
	player_start(&pl, w.sim.spec, PLAYER);

	h.be_pid = be.pid;
	h.dom0 = w.ts;
	rawfe_connect(&h.f, w.sim.spec, &th, NULL, NULL);
	hostile_run_all(&h);

	player_finish(&pl, &res);
	ASSERT_EQ(res.status, 0);
	ASSERT_LT(res.max_req_ms, DEADLINE_MS);
	ASSERT_GE(res.bytes, 4 * BUFFER);
	d = vsndbe_wav_data(vsndbe_world_wav(&w, PLAYER, wav, sizeof(wav)), &len);
	ASSERT_EQ(len, res.bytes);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != player_pattern(i))
			vtest_fail(__FILE__, __LINE__, "byte %u: %u != %u", i, d[i], player_pattern(i));
	free(d);

	rawfe_close(&h.f);
	vsndbe_proc_stop(&be);
	/* Rule 56: some 15000 bad requests and a broken ring, and vsndbe
	 * (without -v) says only what a device's life says. */
	fputs(be.log, stderr);
	ASSERT_LT(count_lines(be.log), LOG_LINES_MAX);
	vsndbe_world_end(&w);
}
