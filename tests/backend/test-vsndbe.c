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
 * SIGTERM; in both modes, per-guest workers (the default) and
 * --single-process. With workers, the broker maps nothing (its own
 * /proc/PID/maps), each connected device has a worker of its own (vsndbe's
 * children in /proc), a worker killed with SIGKILL disconnects only its
 * device (error node, Closed) while another guest plays on bit-exact, and
 * its guest's reconnect gets a new worker. The command-line errors are
 * checked too. Every wait is on a pipe with a generous bound, never on time
 * passing.
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
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetree.h"
#include "player.h"
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

/* Play once through vsndbe started with @mode (NULL: the default). */
static void play_once(const char *mode)
{
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vsndbe_world w;
	struct vsndbe_proc c;

	vsndbe_world_begin(&w);
	vsndbe_world_guest(&w, &t, "guest5");
	vsndbe_proc_spawn(&c, (const char *const[]){ w.xen, w.sink, "-v", mode, NULL }, false);
	vsndbe_proc_wait_ready(&c);
	guest_play(w.sim.spec, GUEST);
	expect_wav(&w, GUEST);
	ASSERT_EQ(vsndbe_proc_grant_maps(c.pid, VSNDBE_PROC_ANY_DOMAIN), 0);
	vsndbe_proc_stop(&c);
	vsndbe_world_end(&w);
}

TEST_TIMEOUT(plays_bit_exact_and_exits_on_sigterm, 180)
{
	play_once(NULL);
}

TEST_TIMEOUT(single_process_plays_bit_exact, 180)
{
	play_once("--single-process");
}

/* Guest @domid in a child: open, fill, START, say 'r', then wait to be
 * killed. */
static pid_t guest_start_and_hang_as(const char *spec, uint32_t domid, int *ret_fd)
{
	int p[2];
	pid_t pid;

	ASSERT_OK(pipe2(p, O_CLOEXEC));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct vsndfe_options opt = { .xen = spec, .domid = domid,
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

static pid_t guest_start_and_hang(const char *spec, int *ret_fd)
{
	return guest_start_and_hang_as(spec, GUEST, ret_fd);
}

/* Guest 5 dies mid-stream (SIGKILL, domain destroyed): its worker exits
 * and vsndbe keeps no mapping of it anywhere; the guest "reboots" as domain
 * 7 and plays bit-exact. */
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
	vsndbe_proc_spawn(&be, (const char *const[]){ w.xen, w.sink, NULL }, true);
	vsndbe_proc_wait_ready(&be);

	g = guest_start_and_hang(w.sim.spec, &fd);
	ASSERT_EQ(read(fd, &c, 1), 1);
	ASSERT_EQ(c, 'r');
	close(fd);
	/* Ring, event page and the 4-page buffer, all in the one worker. */
	ASSERT_GE(vsndbe_proc_grant_maps(be.pid, GUEST), 3);
	ASSERT_EQ(vsndbe_proc_own_grant_maps(be.pid, VSNDBE_PROC_ANY_DOMAIN), 0);
	ASSERT_EQ(vsndbe_proc_children(be.pid, NULL, 0), 1);
	/* The log so far, up to the connection (it also said "0 connected"
	 * once, before). */
	ASSERT_TRUE(vsndbe_proc_wait_log(&be, "1 device(s) known, 1 connected", WAIT_MS));
	ASSERT_OK(kill(g, SIGKILL));
	ASSERT_EQ(waitpid(g, NULL, 0), g);
	vtest_simd_domain_destroy(&w.sim, GUEST);
	ASSERT_TRUE(vsndbe_proc_wait_log(&be, "1 device(s) known, 0 connected", WAIT_MS));
	ASSERT_EQ(vsndbe_proc_grant_maps(be.pid, GUEST), 0);
	/* Its worker was reaped before the device left Connected. */
	ASSERT_EQ(vsndbe_proc_children(be.pid, NULL, 0), 0);

	/* The same guest, rebooted: a new domain id and a new card. */
	t.guest = 7;
	vsndbe_world_guest(&w, &t, "guest");
	guest_play(w.sim.spec, 7);
	expect_wav(&w, 7);
	ASSERT_EQ(vsndbe_proc_grant_maps(be.pid, GUEST), 0);
	vsndbe_proc_stop(&be);
	vsndbe_world_end(&w);
}

/* The pid of the worker of @pid mapping domain @domid's grants. */
static pid_t worker_of(pid_t pid, uint32_t domid)
{
	pid_t kids[8];
	int n = vsndbe_proc_children(pid, kids, (int)ARRAY_SIZE(kids));

	for (int i = 0; i < n && i < (int)ARRAY_SIZE(kids); i++)
		if (vsndbe_proc_own_grant_maps(kids[i], domid) > 0)
			return kids[i];
	vtest_fail(__FILE__, __LINE__, "no worker maps domain %u", domid);
	return -1;
}

/* Wait until device 0 of @domid is Closed with an error node holding @text. */
static void expect_closed_with_error(struct vsndbe_world *w, uint32_t domid, const char *text)
{
	_cleanup_free_ char *err = NULL;
	char path[96];

	vsndbe_world_wait_be_state(w, domid, "6");
	snprintf(path, sizeof(path), "/local/domain/0/error/backend/vsnd/%u/0/error", domid);
	ASSERT_OK(xenif_xs_read(w->ts, XENIF_TX_NONE, path, &err, NULL));
	if (!strstr(err, text))
		vtest_fail(__FILE__, __LINE__, "error node: %s", err);
}

/* Wait until the file at @path is at least @size octets long, woken by
 * inotify whenever it is written. */
static void wait_file_size(const char *path, off_t size)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	struct stat st;

	ASSERT_GE(fd, 0);
	ASSERT_GE(inotify_add_watch(fd, path, IN_MODIFY | IN_CLOSE_WRITE), 0);
	while (stat(path, &st) < 0 || st.st_size < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char ev[512];

		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "%s stays below %lld octets", path,
				   (long long)size);
		if (poll(&p, 1, 500) > 0)
			while (read(fd, ev, sizeof(ev)) > 0)
				;
	}
	close(fd);
}

/*
 * Security.md rules 52 and 58: guests 5 and 6 play, each through a worker
 * of its own; guest 6's worker is killed (SIGKILL). Guest 6's device goes
 * Closed with an error node, guest 5 plays on bit-exact with every request
 * answered in time, and guest 6, reconnecting, gets a new worker and plays
 * bit-exact again.
 */
TEST_TIMEOUT(worker_killed_while_another_guest_plays, 240)
{
	struct fetree t5 = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct fetree t6 = { .guest = 6, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct player_result res;
	struct vsndbe_world w;
	struct vsndbe_proc be;
	struct player pl;
	struct stat st;
	char c = 0, wav[128];
	uint32_t len;
	uint8_t *d;
	pid_t g, wk;
	int fd;

	vsndbe_world_begin(&w);
	vsndbe_world_guest(&w, &t5, "player");
	vsndbe_world_guest(&w, &t6, "victim");
	vsndbe_proc_spawn(&be, (const char *const[]){ w.xen, w.sink, NULL }, true);
	vsndbe_proc_wait_ready(&be);
	player_start(&pl, w.sim.spec, GUEST);
	g = guest_start_and_hang_as(w.sim.spec, 6, &fd);
	ASSERT_EQ(read(fd, &c, 1), 1);
	ASSERT_EQ(c, 'r');
	close(fd);
	/* One worker per connected device; the broker maps nothing. */
	ASSERT_EQ(vsndbe_proc_children(be.pid, NULL, 0), 2);
	ASSERT_EQ(vsndbe_proc_own_grant_maps(be.pid, VSNDBE_PROC_ANY_DOMAIN), 0);
	wk = worker_of(be.pid, 6);
	ASSERT_NE(wk, worker_of(be.pid, GUEST));
	ASSERT_EQ(vsndbe_proc_own_grant_maps(wk, GUEST), 0);

	ASSERT_OK(kill(wk, SIGKILL));
	ASSERT_OK(stat(vsndbe_world_wav(&w, GUEST, wav, sizeof(wav)), &st));
	ASSERT_TRUE(vsndbe_proc_wait_log(&be, "killed by signal 9", WAIT_MS));
	expect_closed_with_error(&w, 6, "killed by signal 9");
	ASSERT_EQ(vsndbe_proc_grant_maps(be.pid, 6), 0);
	ASSERT_EQ(vsndbe_proc_children(be.pid, NULL, 0), 1);
	ASSERT_OK(kill(g, SIGKILL));
	ASSERT_EQ(waitpid(g, NULL, 0), g);

	/* The guest comes back: Initialising, InitWait, a new worker. */
	guest_play(w.sim.spec, 6);
	expect_wav(&w, 6);
	ASSERT_TRUE(vsndbe_proc_wait_log(&be, "2 connected, 2 worker(s)", WAIT_MS));
	/* Guest 5 played on: two more buffers since the kill. */
	wait_file_size(wav, st.st_size + 2 * PLAYER_BUFFER);

	player_finish(&pl, &res);
	ASSERT_EQ(res.status, 0);
	ASSERT_LT(res.max_req_ms, 3000);
	d = vsndbe_wav_data(wav, &len);
	ASSERT_EQ(len, res.bytes);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != player_pattern(i))
			vtest_fail(__FILE__, __LINE__, "byte %u: %u != %u", i, d[i], player_pattern(i));
	free(d);
	vsndbe_proc_stop(&be);
	ASSERT_EQ(vsndbe_proc_children(be.pid, NULL, 0), 0);
	vsndbe_world_end(&w);
}

/* A worker that stops answering the broker's heartbeat (SIGSTOP) is
 * killed, and its device goes Closed with an error node. */
TEST_TIMEOUT(stuck_worker_is_killed_by_the_heartbeat, 120)
{
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vsndbe_world w;
	struct vsndbe_proc be;
	char c = 0;
	pid_t g;
	int fd;

	vsndbe_world_begin(&w);
	vsndbe_world_guest(&w, &t, "guest");
	vsndbe_proc_spawn(&be, (const char *const[]){ w.xen, w.sink, NULL }, true);
	vsndbe_proc_wait_ready(&be);
	g = guest_start_and_hang(w.sim.spec, &fd);
	ASSERT_EQ(read(fd, &c, 1), 1);
	close(fd);
	ASSERT_OK(kill(worker_of(be.pid, GUEST), SIGSTOP));
	ASSERT_TRUE(vsndbe_proc_wait_log(&be, "stopped answering", WAIT_MS));
	expect_closed_with_error(&w, GUEST, "stopped answering");
	ASSERT_EQ(vsndbe_proc_children(be.pid, NULL, 0), 0);
	ASSERT_EQ(vsndbe_proc_grant_maps(be.pid, GUEST), 0);
	ASSERT_OK(kill(g, SIGKILL));
	ASSERT_EQ(waitpid(g, NULL, 0), g);
	vsndbe_proc_stop(&be);
	vsndbe_world_end(&w);
}

/* --worker is for vsndbe itself: without a broker's socket it refuses. */
TEST_TIMEOUT(worker_mode_needs_a_broker, 60)
{
	char err[1024];
	int status = vsndbe_proc_run((const char *const[]){ "--xen=sim:/nonexistent", "--worker",
							   NULL },
				     err, sizeof(err));

	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 2);
	ASSERT_NOT_NULL(strstr(err, "--worker and --fd=N go together"));
	status = vsndbe_proc_run((const char *const[]){ "--xen=sim:/nonexistent", "--worker",
						       "--fd=2", NULL },
				 err, sizeof(err));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 2);
	status = vsndbe_proc_run((const char *const[]){ "--xen=sim:/nonexistent", "--worker",
						       "--fd=3", NULL },
				 err, sizeof(err));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 2);
	ASSERT_NOT_NULL(strstr(err, "not a broker's socket"));
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
