// SPDX-License-Identifier: MIT
/*
 * test-vsndbe.c - the vsndbe daemon (backend/main.c, backend/loop.c) as a
 * binary, through xensimd.
 *
 * xensimd plays Xen; domain 5 gets a stereo playback card written as libxl
 * would (fetree.c); vsndbe ($VTEST_VSNDBE) runs as a subprocess with "file:"
 * host devices in a temporary directory, and the test process itself is the
 * guest, on libvsndfront: it plays 16 KiB of a pattern and checks that the
 * WAV file vsndbe wrote holds exactly that pattern, then ends vsndbe with
 * SIGTERM. The command-line errors are checked too. Every wait is on a pipe
 * with a generous bound, never on time passing.
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
#include "simd.h"
#include "util.h"
#include "vsndbe-proc.h"
#include "vsnd/wire.h"
#include "vsndfront.h"
#include "vtest.h"
#include "xenif/xenif.h"

#define WAIT_MS 30000
#define GUEST 5u
#define BUFFER 16384u
#define PERIOD 4096u

static uint8_t pat(uint32_t i)
{
	return (uint8_t)(i * 7u + 3u + (i >> 8) * 13u);
}

/* The guest @domid: play BUFFER bytes of the pattern on stream 0. */
static void guest_play(const char *spec, uint32_t domid)
{
	struct vsndfe_options opt = { .xen = spec, .domid = domid, .connect_timeout_ms = WAIT_MS };
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD };
	uint64_t deadline = now_ms() + WAIT_MS;
	struct vsndfe_stream_stats st;
	struct vsndfe_card *card = NULL;
	struct vsndfe_stream *s;
	uint32_t size;
	uint8_t *buf;

	ASSERT_OK(vsndfe_card_open(&opt, &card));
	s = vsndfe_card_stream(card, 0);
	ASSERT_NOT_NULL(s);
	ASSERT_OK(vsndfe_stream_open(s, &p));
	buf = vsndfe_stream_buffer(s, &size);
	ASSERT_NOT_NULL(buf);
	ASSERT_GE(size, BUFFER);
	for (uint32_t i = 0; i < BUFFER; i++)
		buf[i] = pat(i);
	ASSERT_OK(vsndfe_stream_write(s, 0, BUFFER));
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START));
	for (;;) {
		struct pollfd pf = { .fd = vsndfe_stream_evt_fd(s), .events = POLLIN };

		ASSERT_GE(vsndfe_stream_process_events(s), 0);
		vsndfe_stream_stats(s, &st);
		if (st.position_bytes >= BUFFER)
			break;
		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "position stuck at %llu",
				   (unsigned long long)st.position_bytes);
		poll(&pf, 1, 500);
	}
	ASSERT_EQ(st.position_bytes, BUFFER);
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(vsndfe_stream_close(s));
	vsndfe_card_close(card);
}

/* The WAV of guest @domid's stream 0 holds exactly BUFFER pattern bytes. */
static void expect_wav(const struct vsndbe_world *w, uint32_t domid)
{
	char wav[128];
	uint32_t len;
	uint8_t *d = vsndbe_wav_data(vsndbe_world_wav(w, domid, wav, sizeof(wav)), &len);

	ASSERT_EQ(len, BUFFER);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != pat(i))
			vtest_fail(__FILE__, __LINE__, "byte %u: %u != %u", i, d[i], pat(i));
	free(d);
}

TEST_TIMEOUT(plays_bit_exact_and_exits_on_sigterm, 180)
{
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vsndbe_world w;
	struct vsndbe_proc c;

	vsndbe_world_begin(&w);
	vsndbe_world_guest(&w, &t, "guest5");
	vsndbe_proc_spawn(&c, (const char *const[]){ w.xen, "--single-process", w.sink, "-v", NULL },
			  false);
	vsndbe_proc_wait_ready(&c);
	guest_play(w.sim.spec, GUEST);
	expect_wav(&w, GUEST);
	vsndbe_proc_stop(&c);
	vsndbe_world_end(&w);
}

/* The guest in a child: open, fill, START, say 'r', then wait to be killed. */
static pid_t guest_start_and_hang(const char *spec, int *ret_fd)
{
	int p[2];
	pid_t pid;

	ASSERT_OK(pipe2(p, O_CLOEXEC));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct vsndfe_options opt = { .xen = spec, .domid = GUEST,
					      .connect_timeout_ms = WAIT_MS };
		struct vsndfe_pcm_params pp = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER,
						PERIOD };
		struct vsndfe_card *card = NULL;
		struct vsndfe_stream *s;

		close(p[0]);
		if (vsndfe_card_open(&opt, &card) < 0 || !(s = vsndfe_card_stream(card, 0)) ||
		    vsndfe_stream_open(s, &pp) < 0 || vsndfe_stream_write(s, 0, BUFFER) < 0 ||
		    vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START) < 0 ||
		    write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	*ret_fd = p[0];
	return pid;
}

/* Guest 5 dies mid-stream (SIGKILL, domain destroyed): vsndbe keeps no
 * mapping of it; the guest "reboots" as domain 7 and plays bit-exact. */
TEST_TIMEOUT(guest_killed_then_rebooted_with_a_new_domid, 180)
{
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vsndbe_world w;
	struct vsndbe_proc be;
	char c = 0;
	pid_t g;
	int fd;

	vsndbe_world_begin(&w);
	vsndbe_world_guest(&w, &t, "guest");
	vsndbe_proc_spawn(&be, (const char *const[]){ w.xen, "--single-process", w.sink, NULL },
			  true);
	vsndbe_proc_wait_ready(&be);

	g = guest_start_and_hang(w.sim.spec, &fd);
	ASSERT_EQ(read(fd, &c, 1), 1);
	ASSERT_EQ(c, 'r');
	close(fd);
	/* Ring, event page and the 4-page buffer. */
	ASSERT_GE(vsndbe_proc_grant_maps(be.pid, GUEST), 3);
	/* The log so far, up to the connection (it also said "0 connected"
	 * once, before). */
	ASSERT_TRUE(vsndbe_proc_wait_log(&be, "1 device(s) known, 1 connected", WAIT_MS));
	ASSERT_OK(kill(g, SIGKILL));
	ASSERT_EQ(waitpid(g, NULL, 0), g);
	vtest_simd_domain_destroy(&w.sim, GUEST);
	ASSERT_TRUE(vsndbe_proc_wait_log(&be, "1 device(s) known, 0 connected", WAIT_MS));
	ASSERT_EQ(vsndbe_proc_grant_maps(be.pid, GUEST), 0);

	/* The same guest, rebooted: a new domain id and a new card. */
	t.guest = 7;
	vsndbe_world_guest(&w, &t, "guest");
	guest_play(w.sim.spec, 7);
	expect_wav(&w, 7);
	ASSERT_EQ(vsndbe_proc_grant_maps(be.pid, GUEST), 0);
	vsndbe_proc_stop(&be);
	vsndbe_world_end(&w);
}

TEST_TIMEOUT(requires_single_process, 60)
{
	char err[1024];
	int status = vsndbe_proc_run((const char *const[]){ "--xen=sim:/nonexistent", NULL }, err,
				sizeof(err));

	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 2);
	ASSERT_NOT_NULL(strstr(err, "vsndbe: per-guest workers are not implemented yet; "
				    "run with --single-process\n"));
}

TEST_TIMEOUT(bad_xen_is_a_usage_error, 60)
{
	char err[1024];
	int status = vsndbe_proc_run((const char *const[]){ "--xen=bogus", "--single-process", NULL },
				err, sizeof(err));

	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 2);
	ASSERT_NOT_NULL(strstr(err, "--xen=bogus"));
}

TEST_TIMEOUT(bad_values_are_usage_errors, 60)
{
	static const char *const bad[] = {
		"--buffer-cap=lots", "--sink=file:%s",	  "--frobnicate",	    "--pos-ticks=0",
		"--pos-ticks=65",    "--pos-floor-us=99", "--pos-floor-us=1000001", "--ring-budget=0", "--ring-budget=1025",
	};
	char err[1024];

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		int status = vsndbe_proc_run((const char *const[]){ bad[i], "--single-process", NULL },
					err, sizeof(err));

		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(WEXITSTATUS(status), 2);
		ASSERT_NOT_NULL(strstr(err, bad[i] + 2));
	}
}
