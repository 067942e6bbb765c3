// SPDX-License-Identifier: MIT
/*
 * test-play.c - vsnd-play end to end: the real binary, as guest domain 5
 * under xensimd, against the scripted backend double of libvsndfront's
 * tests (tests/sim/frontend/fakebe.h) acting as dom0.
 *
 * The double answers requests but produces CUR_POS events only when told,
 * so this test is the backend's clock: it watches what the double has seen
 * (one snapshot per round trip) and, whenever vsnd-play has nothing more to
 * send for the current position, moves the position on by one period. No
 * time passes in between, so there are no sleeps; the only waits are the
 * round trips. Every WRITE the snapshots catch is checked against the bytes
 * vsnd-play should have put in the buffer (prefill WRITEs that follow each
 * other before a snapshot are only counted; a file shorter than a period
 * has its single WRITE checked), and a recording must hold exactly the
 * double's READ pattern. The report (--json) must agree with what the
 * double counted.
 *
 * Also here: command-line errors (exit 2, naming the option), parameters
 * the stream's limits refuse (naming the value and the limit), backend
 * failures (-EPROTO, -ETIMEDOUT) named in plain words, and Ctrl-C while
 * recording (STOP, CLOSE, a finished WAV file).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakebe.h"
#include "fetree.h"
#include "simd.h"
#include "vtest.h"
#include "wav.h"
#include "xenif/xenif.h"

#define GUEST 5u
#define OUT_MAX 8192
#define PACE_DEADLINE_MS 60000u

struct rig {
	struct vtest_simd sim;
	struct fakebe be;
	struct fakebe_config cfg;
	char wav[300];
	char out[300];
};

struct run {
	pid_t pid;
	int out_fd, err_fd;
	int status;
	char out[OUT_MAX], err[OUT_MAX];
};

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *play_binary(void)
{
	const char *p = getenv("VTEST_VSND_PLAY");

	if (!p || !*p || access(p, X_OK) < 0)
		vtest_skip("$VTEST_VSND_PLAY is not set or not built: run through meson");
	return p;
}

/* A node under the guest's FE, with the guest owning it as libxl does. */
static void fe_node(struct xenif *x, const char *rel, const char *value)
{
	struct xenif_xs_perm perms[2] = { { GUEST, XENIF_PERM_NONE }, { 0, XENIF_PERM_READ } };
	char path[200];

	snprintf(path, sizeof(path), "/local/domain/%u/device/vsnd/0/%s", GUEST, rel);
	ASSERT_OK(xenif_xs_write(x, XENIF_TX_NONE, path, value, strlen(value)));
	ASSERT_OK(xenif_xs_set_perms(x, XENIF_TX_NONE, path, perms, 2));
}

/* xensimd, guest 5 with card 0: 0/0 playback, 0/1 capture; then the double. */
static void rig_start(struct rig *r, const char *stream_formats)
{
	struct fetree t = {
		.guest = GUEST, .devid = 0, .backend = 0, .n_streams = 2,
		.s = { { 0, 0, "p" }, { 0, 1, "c" } },
	};
	struct xenif *dom0;

	memset(r, 0, sizeof(*r));
	vtest_simd_start(&r->sim);
	vtest_simd_domain_create(&r->sim, GUEST, "guest");
	ASSERT_OK(xenif_open(r->sim.spec, 0, &dom0));
	ASSERT_OK(fetree_write(dom0, &t));
	if (stream_formats)
		fe_node(dom0, "0/0/sample-formats", stream_formats);
	xenif_close(dom0);
	r->cfg = (struct fakebe_config){
		.spec = r->sim.spec, .guest = GUEST, .devid = 0, .n_streams = 2,
		.stream_dirs = { "0/0", "0/1" },
	};
	fakebe_start(&r->be, &r->cfg);
	snprintf(r->wav, sizeof(r->wav), "%s/in.wav", r->sim.dir);
	snprintf(r->out, sizeof(r->out), "%s/out.wav", r->sim.dir);
}

static void rig_stop(struct rig *r)
{
	fakebe_stop(&r->be);
	unlink(r->wav);
	unlink(r->out);
	vtest_simd_stop(&r->sim);
}

/* vsnd-play [--xen=sim:DIR --domid 5] ARGS... with stdout and stderr on pipes. */
static void spawn(struct run *run, const char *spec, const char *const *args)
{
	const char *argv[40];
	char xen[300];
	int o[2], e[2];
	size_t n = 0;

	argv[n++] = play_binary();
	if (spec) {
		snprintf(xen, sizeof(xen), "--xen=%s", spec);
		argv[n++] = xen;
		argv[n++] = "--domid";
		argv[n++] = "5";
	}
	for (; *args && n < 39; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	ASSERT_OK(pipe2(o, O_CLOEXEC));
	ASSERT_OK(pipe2(e, O_CLOEXEC));
	fflush(NULL);
	memset(run, 0, sizeof(*run));
	run->pid = fork();
	ASSERT_TRUE(run->pid >= 0);
	if (run->pid == 0) {
		dup2(o[1], STDOUT_FILENO);
		dup2(e[1], STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	run->out_fd = o[0];
	run->err_fd = e[0];
	run->status = -1;
}

static void slurp(int fd, char *buf)
{
	size_t got = 0;
	ssize_t n;

	while (got < OUT_MAX - 1 && (n = read(fd, buf + got, OUT_MAX - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
}

static void set_status(struct run *run, int status)
{
	run->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool exited(struct run *run)
{
	int status;

	if (run->status >= 0)
		return true;
	if (waitpid(run->pid, &status, WNOHANG) != run->pid)
		return false;
	set_status(run, status);
	return true;
}

/* Wait for the end (the test's timeout bounds it); returns the exit status. */
static int finish(struct run *run)
{
	int status;

	slurp(run->out_fd, run->out);
	slurp(run->err_fd, run->err);
	if (run->status < 0) {
		while (waitpid(run->pid, &status, 0) != run->pid)
			ASSERT_EQ(errno, EINTR);
		set_status(run, status);
	}
	if (run->status != 0 && run->status != 2)
		fprintf(stderr, "vsnd-play exited %d; stderr:\n%s", run->status, run->err);
	return run->status;
}

static int run_sync(const char *spec, const char *const *args, struct run *run)
{
	spawn(run, spec, args);
	return finish(run);
}

static void expect_in(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		vtest_fail(__FILE__, __LINE__, "\"%s\" not found in:\n%s", needle, text);
}

/* A number of the JSON report. */
static uint64_t jnum(const char *json, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(json, k);
	if (!p)
		vtest_fail(__FILE__, __LINE__, "no %s in the report: %s", k, json);
	return strtoull(p + strlen(k), NULL, 10);
}

static uint8_t *random_bytes(size_t n, uint32_t seed)
{
	uint8_t *b = malloc(n ? n : 1);

	ASSERT_NOT_NULL(b);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
	return b;
}

static void write_wav(const char *path, uint32_t rate, unsigned int ch, unsigned int bits,
		      const uint8_t *data, size_t len)
{
	struct wav_info wi;
	struct wav_writer w;
	char err[WAV_ERR_MAX];
	FILE *f = fopen(path, "wb");

	ASSERT_NOT_NULL(f);
	ASSERT_OK(wav_info_init(&wi, rate, ch, bits, false, err));
	ASSERT_OK(wav_write_begin(&w, f, &wi));
	ASSERT_OK(wav_write_data(&w, data, len));
	ASSERT_OK(wav_write_finish(&w));
	fclose(f);
}

struct pace {
	uint32_t period, buffer;
	uint64_t total;		/* octets vsnd-play should play */
	const uint8_t *dev;	/* what they should be in the buffer */
	uint32_t jump_at;	/* after this many events, pass the written position */
};

struct paced {
	uint32_t events, checked;
	uint64_t pos;
	uint64_t seen;		/* octets the double was sent (or read) */
	struct fakebe_info info;
};

/* Whether vsnd-play, at position @pos with @seen octets written, writes no more. */
static bool play_quiet(const struct pace *pc, uint64_t pos, uint64_t seen)
{
	uint64_t inflight = seen > pos ? seen - pos : 0;
	uint64_t space = pc->buffer - inflight, left = pc->total - seen;

	return !left || (space < pc->period && space < left);
}

/* Check the newest WRITE; earlier unseen ones were whole periods. */
static void check_writes(const struct pace *pc, const struct fakebe_stream_info *si,
			 uint32_t *writes, uint64_t *seen, uint32_t *checked)
{
	uint32_t n = si->op_count[XENSND_OP_WRITE];
	uint64_t len;

	if (n == *writes)
		return;
	*seen += (uint64_t)(n - *writes - 1) * pc->period;
	len = pc->total - *seen < pc->period ? pc->total - *seen : pc->period;
	ASSERT_EQ(si->write_off, *seen % pc->buffer);
	ASSERT_EQ(si->write_len, len);
	ASSERT_EQ_U(si->write_hash, fakebe_hash(pc->dev + *seen, len));
	*seen += len;
	*writes = n;
	(*checked)++;
}

static void pace_play(struct rig *r, struct run *run, const struct pace *pc, struct paced *o)
{
	uint64_t seen = 0, deadline = ms_now() + PACE_DEADLINE_MS;
	uint32_t writes = 0;
	const struct fakebe_stream_info *si = &o->info.s[0];

	memset(o, 0, sizeof(*o));
	while (!exited(run)) {
		ASSERT_TRUE(ms_now() < deadline);
		fakebe_info(&r->be, &o->info);
		check_writes(pc, si, &writes, &seen, &o->checked);
		if (si->op_count[XENSND_OP_TRIGGER] == 0 || o->pos >= pc->total ||
		    !play_quiet(pc, o->pos, seen))
			continue;
		o->pos = o->pos + pc->period < pc->total ? o->pos + pc->period : pc->total;
		if (pc->jump_at && o->events == pc->jump_at)
			o->pos = seen + pc->period;
		fakebe_events(&r->be, 0, 1, o->pos, 0, 0);
		o->events++;
	}
	fakebe_info(&r->be, &o->info);
	o->seen = seen;
}

/* What every clean playback run must show, in the report and in the double. */
static void check_play_report(const struct run *run, const struct paced *o, uint64_t frames)
{
	const struct fakebe_stream_info *si = &o->info.s[0];

	ASSERT_EQ(jnum(run->out, "frames"), frames);
	ASSERT_EQ(jnum(run->out, "cur_pos_events"), o->events);
	ASSERT_EQ(jnum(run->out, "position_last"), o->pos);
	ASSERT_EQ(jnum(run->out, "hw_param_queries"), 3);
	ASSERT_EQ(si->op_count[XENSND_OP_HW_PARAM_QUERY], 3);
	ASSERT_EQ(jnum(run->out, "requests"), si->requests);
	ASSERT_EQ(si->op_count[XENSND_OP_OPEN], 1);
	ASSERT_EQ(si->op_count[XENSND_OP_TRIGGER], 2);
	ASSERT_EQ(si->last_trigger, XENSND_OP_TRIGGER_STOP);
	ASSERT_EQ(si->op_count[XENSND_OP_CLOSE], 1);
	ASSERT_TRUE(si->close_buffer_granted);
	ASSERT_EQ(o->info.fe_state, 6);
	expect_in(run->out, "\"interrupted\":false");
}

/* 48 kHz stereo s16: 10 ms periods of 1920 octets, a 2-period buffer. */
TEST_TIMEOUT(play_s16_paced, 120)
{
	const uint64_t frames = 5040, total = frames * 4;
	const char *args[] = { "--periods", "2", "--json", "play", NULL, NULL };
	struct pace pc = { .period = 1920, .buffer = 3840, .total = total };
	struct rig r;
	struct run run;
	struct paced o;
	uint8_t *data = random_bytes(total, 1);

	rig_start(&r, NULL);
	write_wav(r.wav, 48000, 2, 16, data, total);
	args[4] = r.wav;
	pc.dev = data;
	spawn(&run, r.sim.spec, args);
	pace_play(&r, &run, &pc, &o);
	ASSERT_EQ(finish(&run), 0);
	ASSERT_EQ(o.seen, total);
	check_play_report(&run, &o, frames);
	/* 11 WRITEs: two of prefill (the first may be overwritten before a look), 9 more. */
	ASSERT_EQ(o.info.s[0].op_count[XENSND_OP_WRITE], 11);
	ASSERT_TRUE(o.checked == 10 || o.checked == 11);
	ASSERT_EQ(jnum(run.out, "position_first"), 1920);
	ASSERT_EQ(jnum(run.out, "underruns"), 0);
	expect_in(run.out, "\"format\":\"s16_le\"");
	expect_in(run.out, "\"period_bytes\":1920,\"buffer_bytes\":3840");
	rig_stop(&r);
	free(data);
}

/* A file shorter than a period: one WRITE, checked whole, and the drain. */
TEST_TIMEOUT(play_short_file, 120)
{
	const uint64_t frames = 100, total = frames * 2;
	const char *args[] = { "--json", "play", NULL, NULL };
	struct pace pc = { .period = 882, .buffer = 3528, .total = total };
	struct rig r;
	struct run run;
	struct paced o;
	uint8_t *data = random_bytes(total, 2);

	rig_start(&r, NULL);
	write_wav(r.wav, 44100, 1, 16, data, total);
	args[2] = r.wav;
	pc.dev = data;
	spawn(&run, r.sim.spec, args);
	pace_play(&r, &run, &pc, &o);
	ASSERT_EQ(finish(&run), 0);
	ASSERT_EQ(o.seen, total);
	check_play_report(&run, &o, frames);
	ASSERT_EQ(o.info.s[0].op_count[XENSND_OP_WRITE], 1);
	ASSERT_EQ(o.checked, 1);
	ASSERT_EQ(o.events, 1);
	rig_stop(&r);
	free(data);
}

/* The text report says the same as the JSON one. */
TEST_TIMEOUT(play_text_report, 120)
{
	const uint64_t frames = 100, total = frames * 2;
	const char *args[] = { "play", NULL, NULL };
	struct pace pc = { .period = 882, .buffer = 3528, .total = total };
	struct rig r;
	struct run run;
	struct paced o;
	char line[160];
	uint8_t *data = random_bytes(total, 7);

	rig_start(&r, NULL);
	write_wav(r.wav, 44100, 1, 16, data, total);
	args[1] = r.wav;
	pc.dev = data;
	spawn(&run, r.sim.spec, args);
	pace_play(&r, &run, &pc, &o);
	ASSERT_EQ(finish(&run), 0);
	expect_in(run.out, "played 100 frames (200 octets) on stream 0 (pcm 0, stream 0)\n");
	expect_in(run.out, "  parameters: 44100 Hz, s16_le, 1 channels, period 882 octets, "
		  "buffer 3528 octets\n");
	expect_in(run.out, "  positions seen: first 200, last 200 octets\n");
	expect_in(run.out, "  CUR_POS events: 1\n  underruns: 0\n");
	expect_in(run.out, "  HW_PARAM_QUERY round trips: 3\n");
	snprintf(line, sizeof(line), "  requests: %u\n", o.info.s[0].requests);
	expect_in(run.out, line);
	rig_stop(&r);
	free(data);
}

/* 24-bit WAV samples travel as S24_LE in 4-octet containers, sign-extended. */
TEST_TIMEOUT(play_s24_converted, 120)
{
	const uint64_t frames = 2000, packed = frames * 2 * 3, total = frames * 2 * 4;
	const char *args[] = { "--period-bytes", "1600", "--json", "play", NULL, NULL };
	struct pace pc = { .period = 1600, .buffer = 6400, .total = total };
	struct rig r;
	struct run run;
	struct paced o;
	uint8_t *data = random_bytes(packed, 3), *dev = malloc(total);

	ASSERT_NOT_NULL(dev);
	wav_s24_unpack(data, dev, frames * 2);
	rig_start(&r, "s16_le,s24_le");
	write_wav(r.wav, 48000, 2, 24, data, packed);
	args[4] = r.wav;
	pc.dev = dev;
	spawn(&run, r.sim.spec, args);
	pace_play(&r, &run, &pc, &o);
	ASSERT_EQ(finish(&run), 0);
	ASSERT_EQ(o.seen, total);
	check_play_report(&run, &o, frames);
	expect_in(run.out, "\"format\":\"s24_le\"");
	expect_in(run.out, "\"s24_converted\":true");
	expect_in(run.err, "24-bit packed samples, played as S24_LE");
	ASSERT_GT(o.checked, 5);
	rig_stop(&r);
	free(data);
	free(dev);
}

/* A position beyond what was written: one underrun, and playback goes on. */
TEST_TIMEOUT(play_underrun_counted, 120)
{
	const uint64_t frames = 4800, total = frames * 4;
	const char *args[] = { "--periods", "2", "--json", "play", NULL, NULL };
	struct pace pc = { .period = 1920, .buffer = 3840, .total = total, .jump_at = 3 };
	struct rig r;
	struct run run;
	struct paced o;
	uint8_t *data = random_bytes(total, 4);

	rig_start(&r, NULL);
	write_wav(r.wav, 48000, 2, 16, data, total);
	args[4] = r.wav;
	pc.dev = data;
	spawn(&run, r.sim.spec, args);
	pace_play(&r, &run, &pc, &o);
	ASSERT_EQ(finish(&run), 0);
	ASSERT_EQ(o.seen, total);
	check_play_report(&run, &o, frames);
	ASSERT_EQ(jnum(run.out, "underruns"), 1);
	expect_in(run.err, "underrun: the position");
	rig_stop(&r);
	free(data);
}

/*
 * Record, paced period by period: the file holds the double's READ
 * pattern. @interrupt_at: send SIGINT after that many events (0: never).
 */
static void pace_record(struct rig *r, struct run *run, uint32_t period, uint64_t target,
			uint32_t interrupt_at, struct paced *o)
{
	uint64_t seen = 0, deadline = ms_now() + PACE_DEADLINE_MS;
	const struct fakebe_stream_info *si = &o->info.s[1];
	uint32_t reads = 0;

	memset(o, 0, sizeof(*o));
	while (!exited(run)) {
		ASSERT_TRUE(ms_now() < deadline);
		fakebe_info(&r->be, &o->info);
		if (si->op_count[XENSND_OP_READ] != reads) {
			ASSERT_EQ(si->op_count[XENSND_OP_READ], reads + 1);
			ASSERT_EQ(si->read_len, period);
			seen += si->read_len;
			reads++;
		}
		if (si->op_count[XENSND_OP_TRIGGER] == 0 || seen != o->pos || o->pos >= target)
			continue;
		if (interrupt_at && o->events == interrupt_at) {
			kill(run->pid, SIGINT);
			interrupt_at = 0;
			continue;
		}
		o->pos += period;
		fakebe_events(&r->be, 1, 1, o->pos, 0, 0);
		o->events++;
	}
	fakebe_info(&r->be, &o->info);
}

static void check_recording(const char *path, uint64_t bytes, uint32_t buffer)
{
	struct wav_info wi;
	char err[WAV_ERR_MAX];
	uint8_t *b = malloc(bytes ? bytes : 1);
	FILE *f = fopen(path, "rb");

	ASSERT_NOT_NULL(f);
	ASSERT_NOT_NULL(b);
	ASSERT_OK(wav_read_header(f, &wi, err));
	ASSERT_EQ(wi.rate, 48000);
	ASSERT_EQ(wi.channels, 2);
	ASSERT_EQ(wi.bits, 16);
	ASSERT_EQ(wi.data_bytes, bytes);
	ASSERT_EQ(fread(b, 1, bytes, f), bytes);
	for (uint64_t i = 0; i < bytes; i++)
		if (b[i] != fakebe_pattern((uint32_t)(i % buffer)))
			vtest_fail(__FILE__, __LINE__, "recorded octet %llu is %#x, not %#x",
				   (unsigned long long)i, b[i],
				   fakebe_pattern((uint32_t)(i % buffer)));
	fclose(f);
	free(b);
}

/* 48 kHz stereo s16, 10 ms periods (1920 octets), 4 periods, 0.1 s = 10 periods. */
TEST_TIMEOUT(record_paced, 120)
{
	const char *args[] = { "--rate", "48000", "--duration", "0.1", "--json", "record",
			       NULL, NULL };
	const struct fakebe_stream_info *si;
	struct rig r;
	struct run run;
	struct paced o;

	rig_start(&r, NULL);
	args[6] = r.out;
	spawn(&run, r.sim.spec, args);
	pace_record(&r, &run, 1920, 19200, 0, &o);
	ASSERT_EQ(finish(&run), 0);
	si = &o.info.s[1];
	ASSERT_EQ(jnum(run.out, "frames"), 4800);
	ASSERT_EQ(jnum(run.out, "cur_pos_events"), 10);
	ASSERT_EQ(jnum(run.out, "overruns"), 0);
	ASSERT_EQ(jnum(run.out, "hw_param_queries"), 3);
	ASSERT_EQ(jnum(run.out, "requests"), si->requests);
	ASSERT_EQ(si->op_count[XENSND_OP_READ], 10);
	ASSERT_EQ(si->last_trigger, XENSND_OP_TRIGGER_STOP);
	ASSERT_EQ(si->op_count[XENSND_OP_CLOSE], 1);
	check_recording(r.out, 19200, 7680);
	rig_stop(&r);
}

/* Ctrl-C while recording: STOP, CLOSE, the card closed, a finished WAV file. */
TEST_TIMEOUT(record_interrupted, 120)
{
	const char *args[] = { "--rate", "48000", "--duration", "10", "--json", "record",
			       NULL, NULL };
	const struct fakebe_stream_info *si;
	struct rig r;
	struct run run;
	struct paced o;

	rig_start(&r, NULL);
	args[6] = r.out;
	spawn(&run, r.sim.spec, args);
	pace_record(&r, &run, 1920, 1920000, 3, &o);
	ASSERT_EQ(finish(&run), 130);
	si = &o.info.s[1];
	expect_in(run.out, "\"interrupted\":true");
	ASSERT_EQ(jnum(run.out, "frames"), 1440);
	ASSERT_EQ(si->last_trigger, XENSND_OP_TRIGGER_STOP);
	ASSERT_EQ(si->op_count[XENSND_OP_CLOSE], 1);
	ASSERT_EQ(o.info.fe_state, 6);
	check_recording(r.out, 5760, 7680);
	rig_stop(&r);
}

/* Parameters the stream's limits refuse: exit 1, naming the value and the limit. */
TEST_TIMEOUT(limits_refused, 120)
{
	static const struct {
		uint32_t rate;
		unsigned int ch, bits;
		const char *opt;
		const char *msg;
	} cases[] = {
		{ 8000, 2, 16, NULL, "rate 8000 Hz is not allowed on stream 0 (pcm 0, stream 0): "
				     "it offers 44100, 48000 Hz" },
		{ 48000, 3, 16, NULL, "3 channels: stream 0 (pcm 0, stream 0) takes 1 to 2" },
		{ 48000, 2, 24, NULL, "format s24_le is not allowed on stream 0 (pcm 0, stream 0): "
				      "it offers s16_le, s32_le" },
		{ 48000, 2, 8, NULL, "format u8 is not allowed" },
		{ 48000, 2, 16, "131072", "buffer of 131072 octets (--buffer-bytes) exceeds the "
					  "buffer-size of stream 0 (pcm 0, stream 0), 65536 octets" },
		{ 48000, 2, 16, "1002", "--buffer-bytes 1002: not a whole number of 4-octet" },
	};
	uint8_t *data = random_bytes(4800, 5);
	struct rig r;
	struct run run;

	rig_start(&r, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = { "--buffer-bytes", cases[i].opt, "play", r.wav, NULL };

		write_wav(r.wav, cases[i].rate, cases[i].ch, cases[i].bits, data, 4800 / 48 * 48);
		ASSERT_EQ(run_sync(r.sim.spec, cases[i].opt ? args : args + 2, &run), 1);
		expect_in(run.err, cases[i].msg);
	}
	{
		struct fakebe_info info;

		fakebe_info(&r.be, &info);
		ASSERT_EQ(info.s[0].op_count[XENSND_OP_OPEN], 0);
	}
	rig_stop(&r);
	free(data);
}

/* No CUR_POS after START: vsnd-play gives up, but still sends STOP and CLOSE. */
TEST_TIMEOUT(play_stall_gives_up, 120)
{
	const char *args[] = { "play", NULL, NULL };
	uint8_t *data = random_bytes(48000, 8);
	struct fakebe_info info;
	struct rig r;
	struct run run;

	rig_start(&r, NULL);
	write_wav(r.wav, 48000, 2, 16, data, 48000);
	args[1] = r.wav;
	ASSERT_EQ(run_sync(r.sim.spec, args, &run), 1);
	expect_in(run.err, "the position of stream 0 stayed at 0 octets for 3000 ms: the "
		  "backend stopped reporting progress");
	fakebe_info(&r.be, &info);
	ASSERT_EQ(info.s[0].op_count[XENSND_OP_TRIGGER], 2);
	ASSERT_EQ(info.s[0].last_trigger, XENSND_OP_TRIGGER_STOP);
	ASSERT_EQ(info.s[0].op_count[XENSND_OP_CLOSE], 1);
	rig_stop(&r);
	free(data);
}

/* The library's -EPROTO and -ETIMEDOUT, said in plain words. */
TEST_TIMEOUT(backend_failures_named, 120)
{
	static const struct {
		enum fakebe_mode mode;
		const char *msg;
	} cases[] = {
		{ FAKEBE_WRONG_OP, "HW_PARAM_QUERY (the stream's whole space): Protocol error "
				   "(the backend broke the protocol)" },
		{ FAKEBE_NO_ANSWER, "HW_PARAM_QUERY (the stream's whole space): Connection timed "
				    "out (the backend did not answer within 3 s)" },
	};
	uint8_t *data = random_bytes(4800, 6);
	struct rig r;
	struct run run;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = { "play", NULL, NULL };

		rig_start(&r, NULL);
		write_wav(r.wav, 48000, 2, 16, data, 4800);
		args[1] = r.wav;
		fakebe_mode(&r.be, 0, cases[i].mode, 0, 1);
		ASSERT_EQ(run_sync(r.sim.spec, args, &run), 1);
		expect_in(run.err, cases[i].msg);
		rig_stop(&r);
	}
	free(data);
}

/* Bad command lines: exit 2 and a message naming the option. */
TEST(usage_errors)
{
	static const struct {
		const char *args[8];
		const char *msg;
	} cases[] = {
		{ { "--bogus", "play", "x.wav" }, "unknown option '--bogus'" },
		{ { "--domid" }, "option '--domid' needs a value" },
		{ { "--rate", "44100", "play", "x.wav" }, "--rate: only for record" },
		{ { "--xen=sim:/nonexistent", "play", "x.wav" }, "needs --domid" },
		{ { "--xen=xen", "play", "x.wav" }, "--xen 'xen': must be 'real' or 'sim:DIR'" },
		{ { "--period-ms", "0", "play", "x.wav" }, "--period-ms 0: must be 1 to 10000" },
		{ { "--periods", "x", "play", "x.wav" }, "--periods 'x': not a decimal number" },
		{ { "--pcm", "0", "play", "x.wav" }, "--pcm needs --stream too" },
		{ { "--format", "s16_be", "record", "x.wav" }, "--format s16_be: a WAV file cannot" },
		{ { "--duration", "-1", "record", "x.wav" }, "--duration -1: must be" },
		{ { "--period-bytes", "64", "--period-ms", "5", "play", "x" }, "both set the period" },
		{ { "dance", "x.wav" }, "unknown command 'dance'" },
		{ { "play" }, "play: missing FILE.wav" },
		{ { "play", "a", "b" }, "unexpected argument 'b'" },
	};
	struct run run;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(run_sync(NULL, cases[i].args, &run), 2);
		expect_in(run.err, cases[i].msg);
	}
	ASSERT_EQ(run_sync(NULL, (const char *[]){ "--help", NULL }, &run), 0);
	expect_in(run.out, "Usage: vsnd-play");
}
