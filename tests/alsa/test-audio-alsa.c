// SPDX-License-Identifier: MIT
/*
 * The "alsa:" sink and source (backend/audio-alsa.c) against private ALSA
 * configurations: ALSA_CONFIG_PATH points at a file in the test's temp
 * directory whose PCMs are `type null` (unpaced, fine for correctness) and
 * `type file` over it, which records every byte written.
 *
 * Host faults cannot be provoked on a null PCM, so snd_pcm_writei(),
 * snd_pcm_state() and snd_pcm_resume() are wrapped at link time
 * (-Wl,--wrap) to inject -EPIPE, -ESTRPIPE, -EAGAIN, -ENODEV, an xrun or
 * suspended state behind POLLERR, and a device slow to resume into the real
 * code paths. A device that vanishes and comes back is a PCM that leaves the
 * configuration file and returns to it.
 */
#include <alsa/asoundlib.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"
#include "vtest.h"

#define WAIT_MS 5000u

/* ---- snd_pcm_writei() fault injection ---------------------------------------------- */

snd_pcm_sframes_t __real_snd_pcm_writei(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t size);
snd_pcm_sframes_t __wrap_snd_pcm_writei(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t size);

static int inject_err;
static int inject_count;	/* < 0: forever */
static unsigned int writei_calls;

snd_pcm_sframes_t __wrap_snd_pcm_writei(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t size)
{
	writei_calls++;
	if (inject_count != 0) {
		if (inject_count > 0)
			inject_count--;
		return inject_err;
	}
	return __real_snd_pcm_writei(pcm, buf, size);
}

static void inject(int err, int count)
{
	inject_err = err;
	inject_count = count;
}

/* One faked answer each from snd_pcm_state() and snd_pcm_resume(). */
snd_pcm_state_t __real_snd_pcm_state(snd_pcm_t *pcm);
snd_pcm_state_t __wrap_snd_pcm_state(snd_pcm_t *pcm);
int __real_snd_pcm_resume(snd_pcm_t *pcm);
int __wrap_snd_pcm_resume(snd_pcm_t *pcm);

static bool fake_state_armed;
static snd_pcm_state_t fake_state;
static int fake_resume;		/* 0: the real one */

snd_pcm_state_t __wrap_snd_pcm_state(snd_pcm_t *pcm)
{
	if (fake_state_armed) {
		fake_state_armed = false;
		return fake_state;
	}
	return __real_snd_pcm_state(pcm);
}

int __wrap_snd_pcm_resume(snd_pcm_t *pcm)
{
	int r = fake_resume;

	fake_resume = 0;
	return r ? r : __real_snd_pcm_resume(pcm);
}

/* ---- fixture ---------------------------------------------------------------------- */

static char dir[64];
static char out_path[128];

/*
 * Write the configuration, with or without the PCM "vtest_dev" (a device
 * that can leave and come back). It replaces the file by rename, so that
 * alsa-lib, which re-reads a configuration whose inode or mtime changed at
 * the next snd_pcm_open(), sees the change even within one second.
 */
static void write_conf(bool with_dev)
{
	char conf[128], tmp[140];
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/asound.conf", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", conf);
	f = fopen(tmp, "w");
	ASSERT_NOT_NULL(f);
	fprintf(f, "pcm.vtest_null { type null }\n"
		   "pcm.vtest_file {\n"
		   "\ttype file\n"
		   "\tslave.pcm \"vtest_null\"\n"
		   "\tfile \"%s\"\n"
		   "\tformat \"raw\"\n"
		   "}\n%s", out_path, with_dev ? "pcm.vtest_dev { type null }\n" : "");
	ASSERT_TRUE(fclose(f) == 0);
	ASSERT_TRUE(rename(tmp, conf) == 0);
}

static void fixture(void)
{
	char conf[128];

	snprintf(dir, sizeof(dir), "/tmp/vsnd-test-alsa-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/asound.conf", dir);
	snprintf(out_path, sizeof(out_path), "%s/out.raw", dir);
	write_conf(true);
	/* Only ours: no system configuration, no sound server. */
	ASSERT_TRUE(setenv("ALSA_CONFIG_PATH", conf, 1) == 0);
}

static void fixture_done(void)
{
	char conf[128];

	snprintf(conf, sizeof(conf), "%s/asound.conf", dir);
	(void)unlink(conf);
	(void)unlink(out_path);
	(void)rmdir(dir);
	/* alsa-lib keeps its parsed configuration until told otherwise. */
	snd_config_update_free_global();
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct sndbe_audio *open_stream(const char *spec, bool capture, uint8_t format,
				       uint8_t channels, uint32_t rate, uint32_t buffer)
{
	struct sndbe_audio_config cfg = {
		.capture = capture, .rate = rate, .format = format, .channels = channels,
		.buffer_frames = buffer, .period_frames = buffer / 4,
	};
	struct sndbe_audio *a = NULL;

	ASSERT_OK(sndbe_audio_open(spec, &cfg, &a));
	return a;
}

/* Wait (at most @timeout_ms) for the stream's fds, then service it. */
static int pump(struct sndbe_audio *a, int timeout_ms)
{
	struct pollfd fds[SNDBE_AUDIO_MAX_FDS];
	int n, r;

	n = sndbe_audio_fds(a, fds, SNDBE_AUDIO_MAX_FDS);
	ASSERT_OK(n);
	r = poll(fds, (nfds_t)n, timeout_ms);
	ASSERT_TRUE(r >= 0);
	r = sndbe_audio_service(a, fds, (unsigned int)n);
	return r;
}

static void pump_until(struct sndbe_audio *a, uint64_t target)
{
	uint64_t deadline = mono_ms() + WAIT_MS, last = sndbe_audio_position(a);

	while (last < target) {
		uint64_t pos;

		ASSERT_TRUE(mono_ms() < deadline);
		ASSERT_OK(pump(a, 100));
		pos = sndbe_audio_position(a);
		ASSERT_TRUE(pos >= last);
		last = pos;
	}
}

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void assert_file_is(const uint8_t *want, size_t len)
{
	struct stat st;
	uint8_t *got;
	int fd = open(out_path, O_RDONLY | O_CLOEXEC);

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(fstat(fd, &st) == 0);
	ASSERT_EQ(st.st_size, len);
	got = malloc(len + 1);
	ASSERT_NOT_NULL(got);
	ASSERT_EQ(read(fd, got, len), len);
	close(fd);
	ASSERT_MEMEQ(got, want, len);
	free(got);
}

static struct sndbe_audio_stats stats(struct sndbe_audio *a)
{
	struct sndbe_audio_stats st;

	sndbe_audio_stats(a, &st);
	return st;
}

/* ---- tests ------------------------------------------------------------------------ */

static void playback_round(uint8_t format, uint8_t channels, uint32_t rate)
{
	uint32_t frames = 10000, fb = vsnd_format_phys_bytes(format) * channels;
	struct sndbe_audio *a;
	uint8_t *in = malloc((size_t)frames * fb);

	ASSERT_NOT_NULL(in);
	fill_pattern(in, (size_t)frames * fb, rate);
	a = open_stream("alsa:vtest_file", false, format, channels, rate, 4096);
	/* Before START (a prefill), after START, in pieces of odd sizes. */
	ASSERT_EQ(sndbe_audio_write(a, in, 1000), 1000);
	ASSERT_EQ_U(sndbe_audio_position(a), 0);
	ASSERT_OK(sndbe_audio_start(a));
	for (uint32_t done = 1000; done < frames;) {
		uint32_t n = frames - done < 777 ? frames - done : 777;
		int r = sndbe_audio_write(a, in + (size_t)done * fb, n);

		ASSERT_OK(r);
		done += (uint32_t)r;
		if ((uint32_t)r < n)
			ASSERT_OK(pump(a, 100));
		ASSERT_TRUE(sndbe_audio_position(a) <= done);
	}
	pump_until(a, frames);
	ASSERT_EQ_U(sndbe_audio_position(a), frames);
	ASSERT_EQ(stats(a).xruns, 0);
	sndbe_audio_close(a);
	assert_file_is(in, (size_t)frames * fb);
	free(in);
}

TEST(playback_bytes_arrive_unchanged)
{
	fixture();
	playback_round(XENSND_PCM_FORMAT_S16_LE, 2, 48000);
	playback_round(XENSND_PCM_FORMAT_S32_LE, 6, 44100);
	playback_round(XENSND_PCM_FORMAT_F32_LE, 1, 96000);
	playback_round(XENSND_PCM_FORMAT_S24_BE, 2, 22050);
	fixture_done();
}

static void check_caps(const struct vsnd_hw_caps *caps)
{
	uint64_t formats = 0;

	ASSERT_TRUE(caps->n >= 1 && caps->n <= VSND_HW_CAPS_MAX);
	for (uint32_t i = 0; i < caps->n; i++) {
		const struct vsnd_hw_cap *c = &caps->cap[i];

		ASSERT_NE_U(c->formats, 0);
		ASSERT_EQ_U(c->formats & ~VSND_FORMATS_FIXED, 0);
		formats |= c->formats;
		ASSERT_TRUE(c->rates.n >= 1);
		ASSERT_TRUE(vsnd_rate_set_contains(&c->rates, 48000));
		ASSERT_TRUE(c->channels.min >= 1 && c->channels.min <= c->channels.max);
		ASSERT_TRUE(c->channels.max >= 2 && c->channels.max <= 255);
		ASSERT_TRUE(c->buffer_frames.min >= 1);
		ASSERT_TRUE(c->buffer_frames.min <= c->buffer_frames.max);
		ASSERT_TRUE(c->period_frames.min <= c->period_frames.max);
		ASSERT_TRUE(c->period_frames.min <= c->buffer_frames.max);
	}
	ASSERT_TRUE(formats & VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE));
	ASSERT_TRUE(formats & VSND_FORMAT_BIT(XENSND_PCM_FORMAT_F32_LE));
}

TEST(probe_gives_a_sane_capability_space)
{
	struct vsnd_hw_caps caps;

	fixture();
	ASSERT_OK(sndbe_audio_probe("alsa:vtest_null", false, &caps));
	check_caps(&caps);
	/* A null PCM does every rate a Linux guest can ask for. */
	ASSERT_EQ(caps.cap[0].rates.n, 12);
	ASSERT_OK(sndbe_audio_probe("alsa:vtest_null", true, &caps));
	check_caps(&caps);
	ASSERT_OK(sndbe_audio_probe("alsa:vtest_file", false, &caps));
	check_caps(&caps);
	fixture_done();
}

TEST(unknown_device_fails_cleanly)
{
	struct sndbe_audio_config cfg = {
		.rate = 48000, .format = XENSND_PCM_FORMAT_S16_LE, .channels = 2,
		.buffer_frames = 960, .period_frames = 240,
	};
	struct sndbe_audio *a = NULL;
	struct vsnd_hw_caps caps;

	fixture();
	ASSERT_ERR(sndbe_audio_open("alsa:vtest_missing", &cfg, &a), ENODEV);
	ASSERT_NULL(a);
	ASSERT_ERR(sndbe_audio_probe("alsa:vtest_missing", false, &caps), ENODEV);
	cfg.channels = 0;
	ASSERT_ERR(sndbe_audio_open("alsa:vtest_null", &cfg, &a), EINVAL);
	fixture_done();
}

TEST(underrun_and_suspend_recover_without_spinning)
{
	enum { CHUNK = 1000 };
	static uint8_t in[4 * CHUNK * 4];
	struct sndbe_audio *a;
	unsigned int calls;
	uint64_t t0;

	fixture();
	fill_pattern(in, sizeof(in), 5);
	a = open_stream("alsa:vtest_file", false, XENSND_PCM_FORMAT_S16_LE, 2, 48000, 2048);
	ASSERT_OK(sndbe_audio_start(a));
	ASSERT_EQ(sndbe_audio_write(a, in, CHUNK), CHUNK);
	pump_until(a, CHUNK);

	/* -EPIPE: prepared again, counted, the same frames go out after. */
	inject(-EPIPE, 1);
	calls = writei_calls;
	ASSERT_EQ(sndbe_audio_write(a, in + CHUNK * 4, CHUNK), CHUNK);
	ASSERT_LE(writei_calls - calls, 3);
	pump_until(a, 2 * CHUNK);
	ASSERT_EQ(stats(a).xruns, 1);

	/* -ESTRPIPE: resumed (the null PCM resumes at once), counted. */
	inject(-ESTRPIPE, 1);
	ASSERT_EQ(sndbe_audio_write(a, in + 2 * CHUNK * 4, CHUNK), CHUNK);
	pump_until(a, 3 * CHUNK);
	ASSERT_EQ(stats(a).xruns, 2);

	/* -EAGAIN for ever from a device that poll says is ready: each
	 * service call tries once, then the PCM's fds are parked for a period
	 * (512 frames, 10.7 ms), so the loop sleeps: 50 wakeups take at least
	 * 25 parks, not a burst. */
	inject(-EAGAIN, -1);
	ASSERT_EQ(sndbe_audio_write(a, in + 3 * CHUNK * 4, CHUNK), CHUNK);
	t0 = mono_ms();
	for (int i = 0; i < 50; i++) {
		calls = writei_calls;
		ASSERT_OK(pump(a, 100));
		ASSERT_LE(writei_calls - calls, 1);
	}
	ASSERT_GE(mono_ms() - t0, 25 * 10);
	ASSERT_EQ(stats(a).fifo_frames, CHUNK);
	ASSERT_EQ_U(sndbe_audio_position(a), 3 * CHUNK);
	inject(0, 0);
	pump_until(a, 4 * CHUNK);
	ASSERT_EQ(stats(a).xruns, 2);
	sndbe_audio_close(a);
	/* Nothing lost, nothing doubled. */
	assert_file_is(in, sizeof(in));
	fixture_done();
}

/* The PCM is lost while playing and has left the configuration; it comes
 * back there after two failed reopen tries. */
TEST(vanished_device_is_reopened_with_backoff)
{
	static const uint64_t tries_ms[] = { 100, 300, 700 };	/* 100, x2, x2 */
	static uint8_t in[256 * 4];
	struct pollfd fds[SNDBE_AUDIO_MAX_FDS];
	struct sndbe_audio *a;
	uint64_t t0, p;

	fixture();
	a = open_stream("alsa:vtest_dev", false, XENSND_PCM_FORMAT_S16_LE, 2, 48000, 1024);
	ASSERT_OK(sndbe_audio_start(a));
	ASSERT_EQ(sndbe_audio_write(a, in, 256), 256);
	pump_until(a, 256);
	write_conf(false);
	inject(-ENODEV, 1);
	/* The write that finds it gone still succeeds: the frames wait. */
	t0 = mono_ms();
	ASSERT_EQ(sndbe_audio_write(a, in, 256), 256);
	p = sndbe_audio_position(a);
	ASSERT_EQ_U(p, 256);
	ASSERT_EQ(sndbe_audio_fds(a, fds, SNDBE_AUDIO_MAX_FDS), 1);
	ASSERT_EQ(fds[0].events, POLLIN);
	ASSERT_EQ(poll(fds, 1, 0), 0);		/* a back-off, not a spin */
	ASSERT_OK(sndbe_audio_start(a));	/* triggers go on succeeding */
	for (unsigned int i = 0; i < 3; i++) {
		int r = pump(a, 2000);

		/* Each try at its step of the back-off, and no earlier. */
		ASSERT_GE(mono_ms() - t0, tries_ms[i]);
		ASSERT_LE(mono_ms() - t0, tries_ms[i] + 100);
		if (i == 0)
			ASSERT_ERR(r, ENODEV);	/* reported once */
		else
			ASSERT_OK(r);
		if (i < 2)
			ASSERT_EQ_U(sndbe_audio_position(a), p);
		if (i == 1)
			write_conf(true);	/* plugged back */
	}
	/* Reopened: the waiting frames play, the position goes on. */
	pump_until(a, 512);
	ASSERT_EQ(sndbe_audio_write(a, in, 256), 256);
	pump_until(a, 768);
	sndbe_audio_close(a);
	fixture_done();
}

/* The "fault:" wrapper over a real ALSA PCM: its own recoveries (prepare,
 * reopen) driving the "alsa:" stream through audio.h. */
TEST(fault_wrapper_over_alsa_recovers)
{
	static uint8_t in[256 * 4];
	struct sndbe_audio *a;
	uint64_t deadline, written = 0;
	int enodev = 0;

	fixture();
	a = open_stream("fault:epipe@3,eagain@5,enodev@8,pollerr@12:alsa:vtest_null", false,
			XENSND_PCM_FORMAT_S16_LE, 2, 48000, 1024);
	ASSERT_OK(sndbe_audio_start(a));
	deadline = mono_ms() + WAIT_MS;
	/* A null PCM plays at once: the loop only waits for the timer. */
	while (sndbe_audio_position(a) < 9600) {
		uint64_t pos = sndbe_audio_position(a);
		int r;

		ASSERT_TRUE(mono_ms() < deadline);
		if (written - pos < 1024) {
			r = sndbe_audio_write(a, in, 256);
			ASSERT_OK(r);
			written += (uint32_t)r;
		}
		r = pump(a, 10);
		if (r == -ENODEV)
			enodev++;
		else
			ASSERT_OK(r);
		ASSERT_TRUE(sndbe_audio_position(a) >= pos);
		ASSERT_TRUE(sndbe_audio_position(a) <= written);
	}
	ASSERT_EQ(enodev, 1);
	ASSERT_GE(stats(a).xruns, 2);
	sndbe_audio_close(a);
	fixture_done();
}

TEST(pause_and_stop_keep_positions_monotonic)
{
	static uint8_t in[3000 * 4];
	struct sndbe_audio *a;
	uint64_t p;

	fixture();
	a = open_stream("alsa:vtest_file", false, XENSND_PCM_FORMAT_S16_LE, 2, 48000, 2048);
	ASSERT_EQ(sndbe_audio_write(a, in, 1000), 1000);
	ASSERT_OK(sndbe_audio_start(a));
	pump_until(a, 1000);
	ASSERT_OK(sndbe_audio_pause(a));
	ASSERT_OK(sndbe_audio_pause(a));
	p = sndbe_audio_position(a);
	ASSERT_EQ(sndbe_audio_write(a, in, 1000), 1000);
	ASSERT_TRUE(sndbe_audio_position(a) >= p);
	ASSERT_OK(sndbe_audio_start(a));
	pump_until(a, 2000);
	ASSERT_OK(sndbe_audio_stop(a));
	p = sndbe_audio_position(a);
	ASSERT_EQ_U(p, 2000);
	ASSERT_EQ(stats(a).fifo_frames, 0);
	ASSERT_OK(sndbe_audio_start(a));
	ASSERT_EQ(sndbe_audio_write(a, in, 1000), 1000);
	pump_until(a, 3000);
	ASSERT_EQ_U(sndbe_audio_position(a), 3000);
	sndbe_audio_close(a);
	fixture_done();
}

TEST(capture_from_a_null_device)
{
	static uint8_t buf[800 * 2];
	struct sndbe_audio *a;
	uint64_t deadline, p;
	uint32_t got = 0;

	fixture();
	a = open_stream("alsa:vtest_null", true, XENSND_PCM_FORMAT_S16_LE, 1, 8000, 800);
	ASSERT_EQ(sndbe_audio_read(a, buf, 800), 0);	/* nothing before START */
	ASSERT_OK(sndbe_audio_start(a));
	deadline = mono_ms() + WAIT_MS;
	while (got < 800) {
		int n;

		ASSERT_TRUE(mono_ms() < deadline);
		ASSERT_OK(pump(a, 100));
		n = sndbe_audio_read(a, buf, 800 - got);
		ASSERT_OK(n);
		got += (uint32_t)n;
	}
	ASSERT_TRUE(sndbe_audio_position(a) >= got);
	ASSERT_OK(sndbe_audio_stop(a));
	p = sndbe_audio_position(a);
	ASSERT_OK(pump(a, 10));
	ASSERT_EQ_U(sndbe_audio_position(a), p);
	sndbe_audio_close(a);
	fixture_done();
}

TEST(poll_errors_recover_and_a_slow_resume_backs_off)
{
	static uint8_t in[2000 * 4];
	struct pollfd fds[SNDBE_AUDIO_MAX_FDS];
	struct sndbe_audio *a;
	int n;

	fixture();
	fill_pattern(in, sizeof(in), 11);
	a = open_stream("alsa:vtest_file", false, XENSND_PCM_FORMAT_S16_LE, 2, 48000, 2048);
	ASSERT_OK(sndbe_audio_start(a));
	ASSERT_EQ(sndbe_audio_write(a, in, 1000), 1000);
	pump_until(a, 1000);

	/* POLLERR from a device in XRUN: prepared again and counted. */
	n = sndbe_audio_fds(a, fds, SNDBE_AUDIO_MAX_FDS);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(fds[0].events, 0);	/* nothing queued: no POLLOUT wanted */
	fds[0].revents = POLLERR;
	fake_state = SND_PCM_STATE_XRUN;
	fake_state_armed = true;
	ASSERT_OK(sndbe_audio_service(a, fds, 1));
	ASSERT_EQ(stats(a).xruns, 1);
	ASSERT_EQ_U(sndbe_audio_position(a), 1000);

	/* Suspended and not ready to resume: the PCM's fds give way to a
	 * back-off timer, which is not ready at once (no spinning). */
	n = sndbe_audio_fds(a, fds, SNDBE_AUDIO_MAX_FDS);
	fds[0].revents = POLLERR;
	fake_state = SND_PCM_STATE_SUSPENDED;
	fake_state_armed = true;
	fake_resume = -EAGAIN;
	ASSERT_OK(sndbe_audio_service(a, fds, (unsigned int)n));
	ASSERT_EQ(stats(a).xruns, 2);
	n = sndbe_audio_fds(a, fds, SNDBE_AUDIO_MAX_FDS);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(fds[0].events, POLLIN);
	ASSERT_EQ(poll(fds, 1, 0), 0);
	ASSERT_EQ(sndbe_audio_write(a, in + 1000 * 4, 1000), 1000);
	ASSERT_EQ(stats(a).fifo_frames, 1000);	/* held during the back-off */
	ASSERT_EQ(poll(fds, 1, 2000), 1);
	ASSERT_OK(sndbe_audio_service(a, fds, 1));
	pump_until(a, 2000);
	ASSERT_EQ(stats(a).xruns, 2);
	sndbe_audio_close(a);
	assert_file_is(in, sizeof(in));
	fixture_done();
}
