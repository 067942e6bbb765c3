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
#include "vsnd/wire.h"
#include "vsndfront.h"
#include "vtest.h"
#include "xenif/xenif.h"

#define WAIT_MS 30000
#define GUEST 5u
#define BUFFER 16384u
#define PERIOD 4096u

struct child {
	pid_t pid;
	int out; /* its stdout */
	int err; /* its stderr, or -1 when inherited */
};

static const char *vsndbe_path(void)
{
	const char *p = getenv("VTEST_VSNDBE");

	if (!p || !*p)
		vtest_skip("$VTEST_VSNDBE is not set: run the test through meson");
	if (access(p, X_OK) < 0)
		vtest_skip("VTEST_VSNDBE=%s: not built (%s)", p, strerror(errno));
	return p;
}

/* Start vsndbe with @args (NULL-terminated); pipe its stderr if @err. */
static void spawn(struct child *c, const char *const *args, bool err)
{
	const char *argv[16] = { "vsndbe" };
	int out[2], e[2] = { -1, -1 };
	const char *path = vsndbe_path();
	unsigned int n = 1;

	while (*args && n < ARRAY_SIZE(argv) - 1)
		argv[n++] = *args++;
	ASSERT_OK(pipe2(out, O_CLOEXEC));
	if (err)
		ASSERT_OK(pipe2(e, O_CLOEXEC));
	c->pid = fork();
	ASSERT_GE(c->pid, 0);
	if (c->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		if (err)
			dup2(e[1], STDERR_FILENO);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	if (err)
		close(e[1]);
	c->out = out[0];
	c->err = e[0];
}

/* Read @fd until EOF into @buf (NUL-terminated); fail after WAIT_MS. */
static size_t read_all(int fd, char *buf, size_t size)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "no EOF from vsndbe");
		if (poll(&p, 1, 1000) <= 0)
			continue;
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		ASSERT_GE(r, 0);
		if (r == 0 || len + (size_t)r >= size - 1) {
			len += (size_t)r;
			buf[len] = '\0';
			return len;
		}
		len += (size_t)r;
	}
}

/* Wait for the one line "vsndbe ready" on its stdout. */
static void wait_ready(struct child *c)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	char line[64];
	size_t len = 0;

	while (!memchr(line, '\n', len)) {
		struct pollfd p = { .fd = c->out, .events = POLLIN };
		ssize_t r;

		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "vsndbe never got ready");
		if (poll(&p, 1, 1000) <= 0)
			continue;
		r = read(c->out, line + len, sizeof(line) - 1 - len);
		if (r <= 0)
			vtest_fail(__FILE__, __LINE__, "vsndbe closed its stdout before ready");
		len += (size_t)r;
	}
	line[len] = '\0';
	ASSERT_STREQ(line, "vsndbe ready\n");
}

/* Wait for vsndbe to end (its stdout reaches EOF); return its status. */
static int reap(struct child *c)
{
	char rest[256];
	int status;

	read_all(c->out, rest, sizeof(rest));
	close(c->out);
	ASSERT_EQ(waitpid(c->pid, &status, 0), c->pid);
	return status;
}

/* Run vsndbe with @args to its end; return the status and its stderr. */
static int run_to_end(const char *const *args, char *err, size_t size)
{
	struct child c;

	spawn(&c, args, true);
	read_all(c.err, err, size);
	close(c.err);
	return reap(&c);
}

static uint8_t pat(uint32_t i)
{
	return (uint8_t)(i * 7u + 3u + (i >> 8) * 13u);
}

/* The data chunk of a WAV file, malloc'ed. */
static uint8_t *wav_data(const char *path, uint32_t *ret_len)
{
	static uint8_t file[1 << 20];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	n = read(fd, file, sizeof(file));
	close(fd);
	ASSERT_GE(n, 12);
	for (size_t off = 12; off + 8 <= (size_t)n;) {
		uint32_t len = file[off + 4] | file[off + 5] << 8 | file[off + 6] << 16 |
			       (uint32_t)file[off + 7] << 24;

		if (!memcmp(file + off, "data", 4)) {
			uint8_t *d = malloc(len ? len : 1);

			ASSERT_TRUE(off + 8 + len <= (size_t)n);
			memcpy(d, file + off + 8, len);
			*ret_len = len;
			return d;
		}
		off += 8 + len + (len & 1);
	}
	vtest_fail(__FILE__, __LINE__, "no data chunk in %s", path);
	return NULL;
}

/* The guest: play BUFFER bytes of the pattern on stream 0. */
static void guest_play(const char *spec)
{
	struct vsndfe_options opt = { .xen = spec, .domid = GUEST, .connect_timeout_ms = WAIT_MS };
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

TEST_TIMEOUT(plays_bit_exact_and_exits_on_sigterm, 180)
{
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vtest_simd sim;
	struct xenif *ts = NULL;
	char dir[64], xen[300], sink[128], wav[128];
	struct child c;
	uint8_t *d;
	uint32_t len;
	int status;

	vsndbe_path();
	snprintf(dir, sizeof(dir), "/tmp/test-vsndbe-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(sink, sizeof(sink), "--sink=file:%s/dom%%u-%%u-%%u.wav", dir);
	snprintf(wav, sizeof(wav), "%s/dom%u-0-0.wav", dir, GUEST);
	vtest_simd_start(&sim);
	snprintf(xen, sizeof(xen), "--xen=%s", sim.spec);
	vtest_simd_domain_create(&sim, GUEST, "guest5");
	ASSERT_OK(xenif_open(sim.spec, 0, &ts));
	ASSERT_OK(fetree_write(ts, &t));

	spawn(&c, (const char *const[]){ xen, "--single-process", sink, "-v", NULL }, false);
	wait_ready(&c);
	guest_play(sim.spec);

	d = wav_data(wav, &len);
	ASSERT_EQ(len, BUFFER);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != pat(i))
			vtest_fail(__FILE__, __LINE__, "byte %u: %u != %u", i, d[i], pat(i));
	free(d);

	ASSERT_OK(kill(c.pid, SIGTERM));
	status = reap(&c);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);

	ts = xenif_close(ts);
	vtest_simd_stop(&sim);
	unlink(wav);
	rmdir(dir);
}

TEST_TIMEOUT(requires_single_process, 60)
{
	char err[1024];
	int status = run_to_end((const char *const[]){ "--xen=sim:/nonexistent", NULL }, err,
				sizeof(err));

	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 2);
	ASSERT_NOT_NULL(strstr(err, "vsndbe: per-guest workers are not implemented yet; "
				    "run with --single-process\n"));
}

TEST_TIMEOUT(bad_xen_is_a_usage_error, 60)
{
	char err[1024];
	int status = run_to_end((const char *const[]){ "--xen=bogus", "--single-process", NULL },
				err, sizeof(err));

	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 2);
	ASSERT_NOT_NULL(strstr(err, "--xen=bogus"));
}

TEST_TIMEOUT(bad_values_are_usage_errors, 60)
{
	static const char *const bad[] = {
		"--buffer-cap=lots", "--sink=file:%s",	  "--frobnicate",	    "--pos-ticks=0",
		"--pos-ticks=65",    "--pos-floor-us=99", "--pos-floor-us=1000001",
	};
	char err[1024];

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		int status = run_to_end((const char *const[]){ bad[i], "--single-process", NULL },
					err, sizeof(err));

		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(WEXITSTATUS(status), 2);
		ASSERT_NOT_NULL(strstr(err, bad[i] + 2));
	}
}
