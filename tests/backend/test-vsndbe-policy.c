// SPDX-License-Identifier: MIT
/*
 * test-vsndbe-policy.c - the dom0 policy (vsndbe.conf(5)) applied by the
 * vsndbe binary through xensimd: routing by domain name to a per-guest
 * "file:" sink, capture deny (OPEN answers -EACCES) and silence (READ gives
 * zeros while a stream allowed the same source gets its data), caps that
 * refuse an OPEN, narrow a HW_PARAM_QUERY and refuse a card with too many
 * streams, a volume cap, a guest rewriting its own unique-id and type
 * without ever changing its host device or direction, and
 * --check-config's exit status and FILE:LINE errors.
 *
 * Domain 5 is named "android" by the toolstack (xensimd-ctl); its cards are
 * written as libxl would (fetree.c); the test process is the guest, on
 * libvsndfront. Every wait is bounded and on an event (a pipe, a position,
 * a log line), never on time passing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetree.h"
#include "player.h"
#include "simd.h"
#include "util.h"
#include "vsndbe-proc.h"
#include "vsnd/format.h"
#include "vsnd/hwparams.h"
#include "vsnd/wire.h"
#include "vsndfront.h"
#include "vtest.h"
#include "xenif/xenif.h"

#define WAIT_MS 30000
#define GUEST 5u
#define BUFFER 16384u
#define PERIOD 4096u

struct rig {
	struct vsndbe_world w; /* xensimd, the toolstack, the directory */
	char config[160];
	struct vsndbe_proc be;
};
static uint8_t pat(uint32_t i, uint8_t seed)
{
	return (uint8_t)(i * 7u + seed + (i >> 8) * 13u);
}

/* Write @text to @path with every "@DIR@" replaced by @dir. */
static void write_policy(const char *path, const char *text, const char *dir)
{
	FILE *f = fopen(path, "w");

	ASSERT_NOT_NULL(f);
	for (const char *c = text; *c; c++) {
		if (strncmp(c, "@DIR@", 5) == 0) {
			fputs(dir, f);
			c += 4;
		} else {
			fputc(*c, f);
		}
	}
	ASSERT_OK(fclose(f));
}

/* xensimd with domain 5 "android", the policy file, no vsndbe yet. */
static void rig_init(struct rig *r, const char *policy)
{
	char path[128];

	vsndbe_world_begin(&r->w);
	snprintf(path, sizeof(path), "%s/vsndbe.conf", r->w.dir);
	write_policy(path, policy, r->w.dir);
	snprintf(r->config, sizeof(r->config), "--config=%s", path);
	vtest_simd_domain_create(&r->w.sim, GUEST, "android");
}

static void rig_spawn(struct rig *r)
{
	vsndbe_proc_spawn(&r->be,
			  (const char *const[]){ r->w.xen, r->w.sink, r->config,
						 NULL },
			  true);
	vsndbe_proc_wait_ready(&r->be);
}

static void rig_done(struct rig *r)
{
	vsndbe_proc_stop(&r->be);
	vsndbe_world_end(&r->w);
}

static bool exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static struct vsndfe_card *card_open(struct rig *r, uint32_t devid)
{
	struct vsndfe_options opt = { .xen = r->w.sim.spec, .domid = GUEST, .devid = devid,
				      .connect_timeout_ms = WAIT_MS };
	struct vsndfe_card *card = NULL;

	ASSERT_OK(vsndfe_card_open(&opt, &card));
	return card;
}

/* Play BUFFER bytes of pat(seed) on @s (stereo S16 48 kHz) and close it. */
static void play(struct vsndfe_stream *s, uint8_t seed)
{
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD };
	uint32_t size;
	uint8_t *buf;

	ASSERT_OK(vsndfe_stream_open(s, &p));
	buf = vsndfe_stream_buffer(s, &size);
	ASSERT_NOT_NULL(buf);
	for (uint32_t i = 0; i < BUFFER; i++)
		buf[i] = pat(i, seed);
	ASSERT_OK(vsndfe_stream_write(s, 0, BUFFER));
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START));
	player_wait_position(s, BUFFER);
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(vsndfe_stream_close(s));
}

/* The WAV @name of the rig's directory holds exactly BUFFER of pat(seed). */
static void assert_wav(const struct rig *r, const char *name, uint8_t seed)
{
	char path[256];
	uint32_t len;
	uint8_t *d;

	snprintf(path, sizeof(path), "%s/%s", r->w.dir, name);
	d = vsndbe_wav_data(path, &len);
	ASSERT_EQ(len, BUFFER);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != pat(i, seed))
			vtest_fail(__FILE__, __LINE__, "%s: byte %u: %u != %u", name, i, d[i],
				   pat(i, seed));
	free(d);
}

TEST_TIMEOUT(routes_by_domain_name_to_its_file_sink, 180)
{
	static const char policy[] = "[defaults]\n"
				     "sink = file:@DIR@/default-%u-%u-%u.wav\n"
				     "[domain:android]\n"
				     "sink = file:@DIR@/android-dom%u-pcm%u-s%u.wav\n"
				     "[domain:android/0/0/1]\n"
				     "sink = file:@DIR@/android-second.wav\n"
				     "[domain:6]\n"
				     "sink = file:@DIR@/six.wav\n";
	struct fetree t = { .guest = GUEST, .n_streams = 2, .s = { { 0, 0, "p" }, { 0, 1, "p" } } };
	struct vsndfe_card *card;
	struct rig r;

	rig_init(&r, policy);
	ASSERT_OK(fetree_write(r.w.ts, &t));
	rig_spawn(&r);
	card = card_open(&r, 0);
	play(vsndfe_card_stream(card, 0), 3);
	play(vsndfe_card_stream(card, 1), 11);
	vsndfe_card_close(card);

	assert_wav(&r, "android-dom5-pcm0-s0.wav", 3);
	assert_wav(&r, "android-second.wav", 11);
	ASSERT_FALSE(exists(r.w.dir, "default-5-0-0.wav"));
	ASSERT_FALSE(exists(r.w.dir, "dom5-0-0.wav"));
	ASSERT_FALSE(exists(r.w.dir, "six.wav"));
	rig_done(&r);
}

/* A WAV file of 48 kHz stereo S16 holding @bytes of pat(seed). */
static void write_wav(const char *path, uint32_t bytes, uint8_t seed)
{
	uint8_t h[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0\x80\xbb\0\0\0\xee\x02\0"
			"\x04\0\x10\0data";
	uint32_t riff = 36 + bytes;
	FILE *f = fopen(path, "w");

	ASSERT_NOT_NULL(f);
	memcpy(h + 4, &riff, 4);
	memcpy(h + 40, &bytes, 4);
	ASSERT_EQ(fwrite(h, 1, sizeof(h), f), sizeof(h));
	for (uint32_t i = 0; i < bytes; i++)
		ASSERT_EQ(fputc(pat(i, seed), f), pat(i, seed));
	ASSERT_OK(fclose(f));
}

/* Capture BUFFER bytes on @s into @out (the guest's buffer pre-filled). */
static void capture(struct vsndfe_stream *s, uint8_t *out)
{
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD };
	uint32_t size;
	uint8_t *buf;

	ASSERT_OK(vsndfe_stream_open(s, &p));
	buf = vsndfe_stream_buffer(s, &size);
	ASSERT_NOT_NULL(buf);
	memset(buf, 0xa5, BUFFER);
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START));
	player_wait_position(s, BUFFER);
	ASSERT_OK(vsndfe_stream_read(s, 0, BUFFER));
	memcpy(out, buf, BUFFER);
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(vsndfe_stream_close(s));
}

TEST_TIMEOUT(capture_deny_fails_open_and_silence_gives_zeros, 180)
{
	static const char policy[] = "[defaults]\n"
				     "capture = deny\n"
				     "sink = file:@DIR@/source.wav\n"
				     "[domain:android/0/0/1]\n"
				     "capture = silence\n"
				     "[domain:android/0/0/2]\n"
				     "capture = allow\n";
	struct fetree t = { .guest = GUEST, .n_streams = 3,
			    .s = { { 0, 0, "c" }, { 0, 1, "c" }, { 0, 2, "c" } } };
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD };
	static uint8_t got[BUFFER];
	struct vsndfe_card *card;
	char path[128];
	struct rig r;

	rig_init(&r, policy);
	snprintf(path, sizeof(path), "%s/source.wav", r.w.dir);
	write_wav(path, 4 * BUFFER, 29);
	ASSERT_OK(fetree_write(r.w.ts, &t));
	rig_spawn(&r);
	card = card_open(&r, 0);

	ASSERT_ERR(vsndfe_stream_open(vsndfe_card_stream(card, 0), &p), EACCES);
	ASSERT_ERR(vsndfe_stream_open(vsndfe_card_stream(card, 0), &p), EACCES);

	capture(vsndfe_card_stream(card, 1), got);
	for (uint32_t i = 0; i < BUFFER; i++)
		if (got[i])
			vtest_fail(__FILE__, __LINE__, "silence: byte %u is %u", i, got[i]);

	/* The same source, allowed: its data, so the zeros above are policy. */
	capture(vsndfe_card_stream(card, 2), got);
	for (uint32_t i = 0; i < BUFFER; i++)
		if (got[i] != pat(i, 29))
			vtest_fail(__FILE__, __LINE__, "allowed: byte %u: %u != %u", i, got[i],
				   pat(i, 29));
	vsndfe_card_close(card);
	rig_done(&r);
}

/* A guest in a child trying to connect; killed by the caller. */
static pid_t guest_try_connect(struct rig *r, uint32_t devid)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct vsndfe_options opt = { .xen = r->w.sim.spec, .domid = GUEST,
					      .devid = devid, .connect_timeout_ms = WAIT_MS };
		struct vsndfe_card *card = NULL;

		vsndfe_card_open(&opt, &card);
		_exit(0);
	}
	return pid;
}

TEST_TIMEOUT(caps_refuse_open_and_narrow_the_query, 180)
{
	static const char policy[] = "[domain:android]\n"
				     "max-buffer-bytes = 8192\n"
				     "max-channels = 1\n"
				     "rates = 44100\n"
				     "[domain:android/1]\n"
				     "max-streams = 2\n";
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct fetree t1 = { .guest = GUEST, .devid = 1, .n_streams = 3,
			     .s = { { 0, 0, "p" }, { 0, 1, "p" }, { 0, 2, "p" } } };
	struct vsndfe_pcm_params p = { 44100, XENSND_PCM_FORMAT_S16_LE, 1, 8192, 2048 };
	struct vsnd_hw_space q = { .formats = VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE) };
	struct vsndfe_stream *s;
	struct vsndfe_card *card;
	struct rig r;
	pid_t g;

	rig_init(&r, policy);
	ASSERT_OK(fetree_write(r.w.ts, &t));
	rig_spawn(&r);
	card = card_open(&r, 0);
	s = vsndfe_card_stream(card, 0);

	/* XenStore offers 44100/48000, 1-2 channels, 64 KiB: the answer is
	 * the policy's 44100, 1 channel, 8192 bytes = 4096 frames. */
	vsnd_interval_any(&q.rates);
	vsnd_interval_any(&q.channels);
	vsnd_interval_any(&q.buffer_frames);
	vsnd_interval_any(&q.period_frames);
	ASSERT_OK(vsndfe_stream_query(s, &q));
	ASSERT_EQ(q.rates.min, 44100);
	ASSERT_EQ(q.rates.max, 44100);
	ASSERT_EQ(q.channels.min, 1);
	ASSERT_EQ(q.channels.max, 1);
	ASSERT_EQ(q.buffer_frames.max, 4096);
	/* Asking only for 48 kHz: nothing is feasible. */
	vsnd_interval_set(&q.rates, 48000, 48000);
	ASSERT_ERR(vsndfe_stream_query(s, &q), EINVAL);

	ASSERT_ERR(vsndfe_stream_open(s, &(struct vsndfe_pcm_params){ 48000,
			XENSND_PCM_FORMAT_S16_LE, 1, 8192, 2048 }), EINVAL);
	ASSERT_ERR(vsndfe_stream_open(s, &(struct vsndfe_pcm_params){ 44100,
			XENSND_PCM_FORMAT_S16_LE, 2, 8192, 2048 }), EINVAL);
	ASSERT_ERR(vsndfe_stream_open(s, &(struct vsndfe_pcm_params){ 44100,
			XENSND_PCM_FORMAT_S16_LE, 1, 16384, 2048 }), EINVAL);
	ASSERT_OK(vsndfe_stream_open(s, &p));
	ASSERT_OK(vsndfe_stream_close(s));
	vsndfe_card_close(card);

	/* Card 1 has three streams, its policy two: refused, said in the log
	 * and the error node, nothing of it connected. */
	ASSERT_OK(fetree_write(r.w.ts, &t1));
	g = guest_try_connect(&r, 1);
	ASSERT_TRUE(vsndbe_proc_wait_log(&r.be,
		"domain 5 device 1: 3 streams, the policy's max-streams is 2", WAIT_MS));
	ASSERT_EQ(vsndbe_proc_grant_maps(r.be.pid, GUEST), 0);
	ASSERT_OK(kill(g, SIGKILL));
	ASSERT_EQ(waitpid(g, NULL, 0), g);
	rig_done(&r);
}

TEST_TIMEOUT(volume_cap_clamps_and_get_volume_says_so, 180)
{
	static const char policy[] = "[domain:android/0/0]\n"
				     "max-volume-mdb = -6000\n";
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD };
	int32_t v[2];
	struct vsndfe_stream *s;
	struct vsndfe_card *card;
	struct rig r;

	rig_init(&r, policy);
	ASSERT_OK(fetree_write(r.w.ts, &t));
	rig_spawn(&r);
	card = card_open(&r, 0);
	s = vsndfe_card_stream(card, 0);
	ASSERT_OK(vsndfe_stream_open(s, &p));
	/* 0 dB is above the cap: the stream starts at the cap. */
	ASSERT_OK(vsndfe_stream_get_volume(s, v, 2));
	ASSERT_EQ(v[0], -6000);
	ASSERT_EQ(v[1], -6000);
	ASSERT_OK(vsndfe_stream_set_volume(s, (const int32_t[]){ 0, -3000 }, 2));
	ASSERT_OK(vsndfe_stream_get_volume(s, v, 2));
	ASSERT_EQ(v[0], -6000);
	ASSERT_EQ(v[1], -6000);
	ASSERT_OK(vsndfe_stream_set_volume(s, (const int32_t[]){ -6001, -20000 }, 2));
	ASSERT_OK(vsndfe_stream_get_volume(s, v, 2));
	ASSERT_EQ(v[0], -6001);
	ASSERT_EQ(v[1], -20000);
	/* Above 0 dB is no gain at all: refused, nothing changes. */
	ASSERT_ERR(vsndfe_stream_set_volume(s, (const int32_t[]){ 1, 1 }, 2), EINVAL);
	ASSERT_OK(vsndfe_stream_get_volume(s, v, 2));
	ASSERT_EQ(v[0], -6001);
	ASSERT_OK(vsndfe_stream_close(s));
	vsndfe_card_close(card);
	rig_done(&r);
}

/* As the guest: write its own FE node pcm 0 stream 0 @node. */
static void guest_write(struct rig *r, const char *node, const char *value)
{
	struct xenif *g = NULL;
	char path[128];

	ASSERT_OK(xenif_open(r->w.sim.spec, GUEST, &g));
	snprintf(path, sizeof(path), "/local/domain/%u/device/vsnd/0/0/0/%s", GUEST, node);
	ASSERT_OK(xenif_xs_write(g, XENIF_TX_NONE, path, value, strlen(value)));
	xenif_close(g);
}

TEST_TIMEOUT(guest_rewriting_its_nodes_keeps_its_device_and_direction, 240)
{
	static const char policy[] = "[defaults]\n"
				     "capture = deny\n"
				     "[domain:android/uid:music]\n"
				     "sink = file:@DIR@/music.wav\n"
				     "[domain:android/uid:mic]\n"
				     "sink = file:@DIR@/mic.wav\n"
				     "capture = allow\n";
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vsndfe_card *card;
	char path[128];
	struct rig r;
	pid_t g;

	rig_init(&r, policy);
	ASSERT_OK(fetree_write(r.w.ts, &t));
	/* The toolstack's unique-id. */
	snprintf(path, sizeof(path), "/local/domain/%u/device/vsnd/0/0/0/unique-id", GUEST);
	ASSERT_OK(xenif_xs_write(r.w.ts, XENIF_TX_NONE, path, "music", 5));
	snprintf(path, sizeof(path), "%s/mic.wav", r.w.dir);
	write_wav(path, 4 * BUFFER, 41);
	rig_spawn(&r);

	/* Rewritten while connected: the stream is what it was. */
	card = card_open(&r, 0);
	guest_write(&r, "unique-id", "mic");
	guest_write(&r, "type", "c");
	play(vsndfe_card_stream(card, 0), 5);
	assert_wav(&r, "music.wav", 5);
	vsndfe_card_close(card);

	/* Reconnecting with them: refused, the source never opened. */
	g = guest_try_connect(&r, 0);
	ASSERT_TRUE(vsndbe_proc_wait_log(&r.be, "domain 5 device 0: pcm 0 stream 0: type changed "
					 "since the first connect", WAIT_MS));
	ASSERT_OK(kill(g, SIGKILL));
	ASSERT_EQ(waitpid(g, NULL, 0), g);
	ASSERT_EQ(vsndbe_proc_grant_maps(r.be.pid, GUEST), 0);

	/* The type restored, the unique-id still not: refused too. */
	guest_write(&r, "type", "p");
	g = guest_try_connect(&r, 0);
	ASSERT_TRUE(vsndbe_proc_wait_log(&r.be, "domain 5 device 0: pcm 0 stream 0: unique-id "
					 "changed since the first connect", WAIT_MS));
	ASSERT_OK(kill(g, SIGKILL));
	ASSERT_EQ(waitpid(g, NULL, 0), g);

	/* Both restored: served again, into the same file. */
	guest_write(&r, "unique-id", "music");
	card = card_open(&r, 0);
	play(vsndfe_card_stream(card, 0), 9);
	assert_wav(&r, "music.wav", 9);
	vsndfe_card_close(card);
	rig_done(&r);
}

TEST_TIMEOUT(check_config_exit_status_and_errors, 60)
{
	char dir[] = "/tmp/test-vsndbe-policy-XXXXXX", path[96], arg[160], err[2048], want[160];
	const char *const args[] = { arg, NULL };
	int status;

	vsndbe_proc_path();
	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vsndbe.conf", dir);
	snprintf(arg, sizeof(arg), "--check-config=%s", path);
	write_policy(path, "[defaults]\ncapture = deny\n[domain:a/0]\nmax-streams = 2\n", dir);
	status = vsndbe_proc_run(args, err, sizeof(err));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);

	write_policy(path, "[defaults]\ncapture = maybe\n\n[domain:a/0/0]\nmax-streams = 2\n", dir);
	status = vsndbe_proc_run(args, err, sizeof(err));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 1);
	snprintf(want, sizeof(want), "%s:2: capture = maybe: expected allow, deny or silence", path);
	ASSERT_NOT_NULL(strstr(err, want));
	snprintf(want, sizeof(want), "%s:5: max-streams = 2: max-streams counts", path);
	ASSERT_NOT_NULL(strstr(err, want));

	/* A named file that is missing is an error; vsndbe does not start. */
	ASSERT_OK(unlink(path));
	status = vsndbe_proc_run(args, err, sizeof(err));
	ASSERT_EQ(WEXITSTATUS(status), 1);
	snprintf(arg, sizeof(arg), "--config=%s", path);
	status = vsndbe_proc_run((const char *const[]){ "--xen=sim:/nonexistent", arg,
							"--single-process", NULL },
				 err, sizeof(err));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 1);
	ASSERT_NOT_NULL(strstr(err, "No such file or directory"));
	ASSERT_OK(rmdir(dir));
}

/* Read BUFFER octets at 0 once the position passed @pos; into @out. */
static void read_at(struct vsndfe_stream *s, uint64_t pos, uint8_t *out)
{
	uint32_t size;
	uint8_t *buf = vsndfe_stream_buffer(s, &size);

	ASSERT_NOT_NULL(buf);
	memset(buf, 0xa5, BUFFER);
	player_wait_position(s, pos);
	ASSERT_OK(vsndfe_stream_read(s, 0, BUFFER));
	memcpy(out, buf, BUFFER);
}

/* SIGHUP: a capture revoke reaches a running stream at its next READ; an
 * invalid file leaves the policy in force. */
TEST_TIMEOUT(reload_revokes_capture_at_the_next_read, 180)
{
	static const char allow[] = "[defaults]\nsink = file:@DIR@/source.wav\n";
	static const char deny[] = "[defaults]\nsink = file:@DIR@/source.wav\n"
				   "[domain:android]\ncapture = deny\n";
	struct fetree t = { .guest = GUEST, .n_streams = 1, .s = { { 0, 0, "c" } } };
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD };
	static uint8_t got[BUFFER];
	struct vsndfe_stream *s;
	struct vsndfe_card *card;
	char path[128], conf[128];
	struct rig r;

	rig_init(&r, allow);
	snprintf(path, sizeof(path), "%s/source.wav", r.w.dir);
	snprintf(conf, sizeof(conf), "%s/vsndbe.conf", r.w.dir);
	write_wav(path, 32 * BUFFER, 31);
	ASSERT_OK(fetree_write(r.w.ts, &t));
	rig_spawn(&r);
	card = card_open(&r, 0);
	s = vsndfe_card_stream(card, 0);
	ASSERT_OK(vsndfe_stream_open(s, &p));
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START));
	read_at(s, BUFFER, got);
	for (uint32_t i = 0; i < BUFFER; i++)
		ASSERT_EQ(got[i], pat(i, 31));

	write_policy(conf, deny, r.w.dir);
	ASSERT_OK(kill(r.be.pid, SIGHUP));
	ASSERT_TRUE(vsndbe_proc_wait_log(&r.be, "SIGHUP: policy reloaded", WAIT_MS));
	read_at(s, 2 * BUFFER, got);
	for (uint32_t i = 0; i < BUFFER; i++)
		if (got[i])
			vtest_fail(__FILE__, __LINE__, "revoked: byte %u is %u", i, got[i]);
	ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_STOP));
	ASSERT_OK(vsndfe_stream_close(s));
	ASSERT_ERR(vsndfe_stream_open(s, &p), EACCES);

	/* A broken file: said, and deny stays. */
	write_policy(conf, "[nonsense\n", r.w.dir);
	ASSERT_OK(kill(r.be.pid, SIGHUP));
	ASSERT_TRUE(vsndbe_proc_wait_log(&r.be, "is not valid: the policy in force stays",
					 WAIT_MS));
	ASSERT_ERR(vsndfe_stream_open(s, &p), EACCES);
	vsndfe_card_close(card);
	rig_done(&r);
}
