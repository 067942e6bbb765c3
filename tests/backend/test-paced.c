// SPDX-License-Identifier: MIT
/*
 * The timerfd-paced "null" and "file:" streams (backend/audio-paced.c):
 * positions follow the rate and never pass what was written, triggers keep
 * them monotonic, the WAV sink is bit-exact and the WAV source delivers its
 * frames in order, then silence. Timing is only checked against loose
 * bounds; every wait is a poll on the stream's own fds. "null:unpaced"
 * plays every frame as it is written and captures silence on demand.
 */
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

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct sndbe_audio *open_stream(const char *spec, bool capture, uint8_t format,
				       uint8_t channels, uint32_t rate, uint32_t buffer)
{
	struct sndbe_audio_config cfg = {
		.capture = capture, .rate = rate, .format = format, .channels = channels,
		.buffer_frames = buffer, .period_frames = buffer / 4 ? buffer / 4 : 1,
	};
	struct sndbe_audio *a = NULL;

	ASSERT_OK(sndbe_audio_open(spec, &cfg, &a));
	ASSERT_NOT_NULL(a);
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
	ASSERT_OK(sndbe_audio_service(a, fds, (unsigned int)n));
	return r;
}

/* Pump until the position reaches @target; checks bounds on the way. */
static uint64_t pump_until(struct sndbe_audio *a, uint64_t target, uint64_t bound)
{
	uint64_t deadline = mono_ns() + WAIT_MS * 1000000ull, last = sndbe_audio_position(a);

	while (last < target) {
		uint64_t pos;

		ASSERT_TRUE(mono_ns() < deadline);
		pump(a, 1000);
		pos = sndbe_audio_position(a);
		ASSERT_TRUE(pos >= last);
		ASSERT_TRUE(pos <= bound);
		last = pos;
	}
	return last;
}

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static uint32_t xruns(struct sndbe_audio *a)
{
	struct sndbe_audio_stats st;

	sndbe_audio_stats(a, &st);
	return st.xruns;
}

TEST(null_position_follows_rate_and_stops_at_written)
{
	enum { RATE = 48000, FRAMES = 4800 };
	static uint8_t buf[FRAMES * 4];
	struct sndbe_audio *a = open_stream("null", false, XENSND_PCM_FORMAT_S16_LE, 2, RATE,
					    FRAMES);
	uint64_t t0, pos = 0, elapsed;

	fill_pattern(buf, sizeof(buf), 1);
	ASSERT_EQ(sndbe_audio_write(a, buf, FRAMES), FRAMES);
	ASSERT_EQ_U(sndbe_audio_position(a), 0);
	t0 = mono_ns();
	ASSERT_OK(sndbe_audio_start(a));
	while (pos < FRAMES) {
		uint64_t p;

		ASSERT_TRUE(mono_ns() - t0 < WAIT_MS * 1000000ull);
		pump(a, 1000);
		p = sndbe_audio_position(a);
		elapsed = mono_ns() - t0;
		ASSERT_TRUE(p >= pos);
		ASSERT_TRUE(p <= FRAMES);
		/* Never ahead of the clock (the clock starts after t0). */
		ASSERT_TRUE(p <= (uint64_t)RATE * elapsed / 1000000000u + 1);
		pos = p;
	}
	/* 100 ms of audio takes about 100 ms; only a loose floor here. */
	ASSERT_TRUE(mono_ns() - t0 >= 90000000u);

	/* Starving: the position stays at "all written played", one underrun. */
	for (int i = 0; i < 4; i++)
		pump(a, 1000);
	ASSERT_EQ_U(sndbe_audio_position(a), FRAMES);
	ASSERT_EQ(xruns(a), 1);

	/* Frames come back: the position resumes from there. */
	ASSERT_EQ(sndbe_audio_write(a, buf, 480), 480);
	pump_until(a, FRAMES + 480, FRAMES + 480);
	/* The tick that plays the last frame may already find the FIFO short. */
	ASSERT_LE(xruns(a), 2);
	for (int i = 0; i < 4; i++)
		pump(a, 1000);
	ASSERT_EQ(xruns(a), 2);
	sndbe_audio_close(a);
}

TEST(pause_stop_start_keep_positions_monotonic)
{
	enum { RATE = 48000, FRAMES = 9600 };
	static uint8_t buf[FRAMES * 4];
	struct sndbe_audio *a = open_stream("null", false, XENSND_PCM_FORMAT_S16_LE, 2, RATE,
					    FRAMES);
	struct sndbe_audio_stats st;
	uint64_t p1, p2;

	ASSERT_EQ(sndbe_audio_write(a, buf, FRAMES), FRAMES);
	ASSERT_OK(sndbe_audio_start(a));
	pump_until(a, 960, FRAMES);

	ASSERT_OK(sndbe_audio_pause(a));
	ASSERT_OK(sndbe_audio_pause(a));
	p1 = sndbe_audio_position(a);
	ASSERT_EQ(pump(a, 30), 0);	/* the clock is frozen: nothing fires */
	ASSERT_EQ_U(sndbe_audio_position(a), p1);

	ASSERT_OK(sndbe_audio_start(a));
	pump_until(a, p1 + 1, FRAMES);

	ASSERT_OK(sndbe_audio_stop(a));
	p2 = sndbe_audio_position(a);
	ASSERT_TRUE(p2 > p1 && p2 <= FRAMES);
	sndbe_audio_stats(a, &st);
	ASSERT_EQ(st.fifo_frames, 0);
	ASSERT_EQ(pump(a, 30), 0);
	ASSERT_EQ_U(sndbe_audio_position(a), p2);

	/* Restarted with nothing queued: it starves at the same position. */
	ASSERT_OK(sndbe_audio_start(a));
	for (int i = 0; i < 3; i++)
		pump(a, 1000);
	ASSERT_EQ_U(sndbe_audio_position(a), p2);
	ASSERT_GE(xruns(a), 1);
	ASSERT_EQ(sndbe_audio_write(a, buf, 480), 480);
	pump_until(a, p2 + 480, p2 + 480);
	sndbe_audio_close(a);
}

/* ---- WAV files ------------------------------------------------------------------ */

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[128];

	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/vsnd-test-paced-XXXXXX");
		ASSERT_NOT_NULL(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void tmp_clean(const char *name)
{
	(void)unlink(tmp_path(name));
	(void)rmdir(tmpdir);
	tmpdir[0] = '\0';
}

static uint8_t *read_file(const char *path, size_t *ret_len)
{
	struct stat st;
	uint8_t *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(fstat(fd, &st) == 0);
	p = malloc((size_t)st.st_size + 1);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(read(fd, p, (size_t)st.st_size), st.st_size);
	close(fd);
	*ret_len = (size_t)st.st_size;
	return p;
}

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

struct wav_view {
	uint32_t tag, channels, rate, align, bits;
	const uint8_t *data;
	uint32_t data_len;
};

/* An independent look at a WAV file: RIFF sizes, fmt fields, the data. */
static void parse_wav(const uint8_t *f, size_t len, struct wav_view *ret)
{
	size_t off = 12;

	memset(ret, 0, sizeof(*ret));
	ASSERT_TRUE(len >= 12);
	ASSERT_MEMEQ(f, "RIFF", 4);
	ASSERT_EQ(le32(f + 4), len - 8);
	ASSERT_MEMEQ(f + 8, "WAVE", 4);
	while (off + 8 <= len) {
		uint32_t clen = le32(f + off + 4);

		ASSERT_TRUE(off + 8 + clen <= len);
		if (memcmp(f + off, "fmt ", 4) == 0) {
			ASSERT_GE(clen, 16);
			ret->tag = le16(f + off + 8);
			ret->channels = le16(f + off + 10);
			ret->rate = le32(f + off + 12);
			ret->align = le16(f + off + 20);
			ret->bits = le16(f + off + 22);
			ASSERT_EQ(le32(f + off + 16), ret->rate * ret->align);
			if (ret->tag == 0xfffe) {
				ASSERT_EQ(clen, 40);
				ret->tag = le16(f + off + 32);
			}
		} else if (memcmp(f + off, "data", 4) == 0) {
			ret->data = f + off + 8;
			ret->data_len = clen;
		}
		off += 8 + clen + (clen & 1);
	}
	ASSERT_NOT_NULL(ret->data);
	ASSERT_NE(ret->channels, 0);
}

static void file_sink_round(uint8_t format, uint8_t channels, uint32_t rate, uint32_t tag)
{
	uint32_t frames = rate / 25, fb = vsnd_format_phys_bytes(format) * channels;
	struct sndbe_audio *a;
	struct wav_view w;
	uint8_t *in, *file;
	char spec[160];
	size_t len;

	in = malloc((size_t)frames * fb);
	ASSERT_NOT_NULL(in);
	fill_pattern(in, (size_t)frames * fb, rate + channels);
	snprintf(spec, sizeof(spec), "file:%s", tmp_path("sink.wav"));
	a = open_stream(spec, false, format, channels, rate, frames);
	ASSERT_EQ(sndbe_audio_write(a, in, frames / 2), frames / 2);
	ASSERT_OK(sndbe_audio_start(a));
	/* The rest goes in while it plays, across the FIFO's wrap. */
	ASSERT_EQ(sndbe_audio_write(a, in + (size_t)(frames / 2) * fb, frames - frames / 2),
		  frames - frames / 2);
	pump_until(a, frames, frames);
	sndbe_audio_close(a);

	file = read_file(tmp_path("sink.wav"), &len);
	parse_wav(file, len, &w);
	ASSERT_EQ(w.tag, tag);
	ASSERT_EQ(w.channels, channels);
	ASSERT_EQ(w.rate, rate);
	ASSERT_EQ(w.align, fb);
	ASSERT_EQ(w.bits, vsnd_format_phys_bytes(format) * 8);
	ASSERT_EQ(w.data_len, (uint64_t)frames * fb);
	ASSERT_MEMEQ(w.data, in, (size_t)frames * fb);
	free(file);
	free(in);
	tmp_clean("sink.wav");
}

TEST(file_sink_is_bit_exact)
{
	file_sink_round(XENSND_PCM_FORMAT_S16_LE, 1, 8000, 1);
	file_sink_round(XENSND_PCM_FORMAT_S16_LE, 2, 44100, 1);
	file_sink_round(XENSND_PCM_FORMAT_S16_LE, 6, 48000, 1);
	file_sink_round(XENSND_PCM_FORMAT_S32_LE, 2, 96000, 1);
	file_sink_round(XENSND_PCM_FORMAT_S32_LE, 5, 22050, 1);
	file_sink_round(XENSND_PCM_FORMAT_F32_LE, 1, 192000, 3);
	file_sink_round(XENSND_PCM_FORMAT_F32_LE, 4, 16000, 3);
	file_sink_round(XENSND_PCM_FORMAT_F64_LE, 2, 32000, 3);
	file_sink_round(XENSND_PCM_FORMAT_S24_LE, 2, 48000, 1);
	file_sink_round(XENSND_PCM_FORMAT_U8, 3, 11025, 1);
	file_sink_round(XENSND_PCM_FORMAT_MU_LAW, 1, 8000, 7);
}

/* A 16-bit stereo WAV of @frames pattern frames, written by hand. */
static uint8_t *make_source(const char *path, uint32_t rate, uint32_t frames)
{
	uint32_t bytes = frames * 4;
	uint8_t h[44] = { 'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
			  16, 0, 0, 0, 1, 0, 2, 0 };
	uint8_t *data = malloc(bytes);
	int fd;

	ASSERT_NOT_NULL(data);
	fill_pattern(data, bytes, 99);
	for (int i = 0; i < 4; i++) {
		h[4 + i] = (uint8_t)((36 + bytes) >> (8 * i));
		h[24 + i] = (uint8_t)(rate >> (8 * i));
		h[28 + i] = (uint8_t)((rate * 4) >> (8 * i));
		h[40 + i] = (uint8_t)(bytes >> (8 * i));
	}
	h[32] = 4;
	h[34] = 16;
	memcpy(h + 36, "data", 4);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, h, sizeof(h)), sizeof(h));
	ASSERT_EQ(write(fd, data, bytes), bytes);
	close(fd);
	return data;
}

TEST(file_source_delivers_frames_in_order_then_silence)
{
	enum { RATE = 48000, FRAMES = 2400, WANT = FRAMES + 960 };
	static uint8_t out[WANT * 4], zero[960 * 4];
	struct sndbe_audio_config cfg = {
		.capture = true, .rate = RATE, .format = XENSND_PCM_FORMAT_S16_LE,
		.channels = 1, .buffer_frames = 4800, .period_frames = 480,
	};
	struct sndbe_audio *a = NULL;
	uint8_t *data;
	uint64_t t0, last = 0;
	uint32_t got = 0;
	char spec[160];

	data = make_source(tmp_path("src.wav"), RATE, FRAMES);
	snprintf(spec, sizeof(spec), "file:%s", tmp_path("src.wav"));
	/* The file holds stereo: a mono source of it is refused. */
	ASSERT_ERR(sndbe_audio_open(spec, &cfg, &a), EINVAL);
	a = open_stream(spec, true, XENSND_PCM_FORMAT_S16_LE, 2, RATE, 4800);
	ASSERT_EQ(sndbe_audio_read(a, out, WANT), 0);	/* nothing before START */
	t0 = mono_ns();
	ASSERT_OK(sndbe_audio_start(a));
	while (got < WANT) {
		uint64_t pos;
		int n;

		ASSERT_TRUE(mono_ns() - t0 < WAIT_MS * 1000000ull);
		pump(a, 1000);
		n = sndbe_audio_read(a, out + (size_t)got * 4, WANT - got);
		ASSERT_OK(n);
		got += (uint32_t)n;
		pos = sndbe_audio_position(a);
		ASSERT_TRUE(pos >= last && pos >= got);
		ASSERT_TRUE(pos <= (uint64_t)RATE * (mono_ns() - t0) / 1000000000u + 1);
		last = pos;
	}
	ASSERT_TRUE(mono_ns() - t0 >= (uint64_t)WANT * 900000000u / RATE);
	ASSERT_MEMEQ(out, data, FRAMES * 4);
	ASSERT_MEMEQ(out + FRAMES * 4, zero, sizeof(zero));
	sndbe_audio_close(a);
	free(data);

	snprintf(spec, sizeof(spec), "file:%s", tmp_path("missing.wav"));
	cfg.channels = 2;
	ASSERT_ERR(sndbe_audio_open(spec, &cfg, &a), ENOENT);
	tmp_clean("src.wav");
}

TEST(full_fifo_accepts_fewer_frames)
{
	static uint8_t buf[300 * 2];
	struct sndbe_audio *a = open_stream("null", false, XENSND_PCM_FORMAT_S16_LE, 1, 8000, 100);
	struct sndbe_audio_stats st;

	ASSERT_EQ(sndbe_audio_write(a, buf, 300), 200);	/* twice the buffer */
	ASSERT_EQ(sndbe_audio_write(a, buf, 10), 0);
	sndbe_audio_stats(a, &st);
	ASSERT_EQ(st.fifo_frames, 200);
	ASSERT_EQ_U(st.frames_in, 200);
	ASSERT_ERR(sndbe_audio_read(a, buf, 1), EINVAL);	/* not a source */
	sndbe_audio_close(a);

	a = open_stream("null", true, XENSND_PCM_FORMAT_S16_LE, 1, 8000, 100);
	ASSERT_ERR(sndbe_audio_write(a, buf, 1), EINVAL);	/* not a sink */
	sndbe_audio_close(a);
}

TEST(capture_overflow_drops_the_oldest)
{
	enum { RATE = 192000, BUFFER = 192 };
	static uint8_t out[4 * BUFFER * 2], zero[sizeof(out)];
	struct sndbe_audio *a = open_stream("null", true, XENSND_PCM_FORMAT_U8, 2, RATE, BUFFER);
	uint64_t t0 = mono_ns();
	int n;

	ASSERT_OK(sndbe_audio_start(a));
	while (xruns(a) == 0) {
		ASSERT_TRUE(mono_ns() - t0 < WAIT_MS * 1000000ull);
		pump(a, 1000);
	}
	ASSERT_TRUE(sndbe_audio_position(a) > 2 * BUFFER);
	n = sndbe_audio_read(a, out, 4 * BUFFER);
	ASSERT_TRUE(n > 0 && n <= 2 * BUFFER);
	memset(zero, 0x80, sizeof(zero));	/* U8 silence */
	ASSERT_MEMEQ(out, zero, (size_t)n * 2);
	sndbe_audio_close(a);
}

TEST(fds_are_pollable)
{
	static uint8_t buf[480 * 4];
	struct sndbe_audio *a = open_stream("null", false, XENSND_PCM_FORMAT_S16_LE, 2, 48000, 960);
	struct pollfd fds[SNDBE_AUDIO_MAX_FDS];
	int n;

	n = sndbe_audio_fds(a, fds, SNDBE_AUDIO_MAX_FDS);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(fds[0].events, POLLIN);
	ASSERT_ERR(sndbe_audio_fds(a, fds, 0), ENOBUFS);
	ASSERT_EQ(poll(fds, 1, 0), 0);		/* idle before START */
	ASSERT_EQ(sndbe_audio_write(a, buf, 480), 480);
	ASSERT_OK(sndbe_audio_start(a));
	ASSERT_EQ(poll(fds, 1, 1000), 1);
	ASSERT_TRUE(fds[0].revents & POLLIN);
	ASSERT_OK(sndbe_audio_service(a, fds, 1));
	ASSERT_OK(sndbe_audio_stop(a));
	ASSERT_EQ(poll(fds, 1, 0), 0);		/* stopped: the timer is off */
	sndbe_audio_close(a);
}

/* No fd of an unpaced stream may ever be ready: it would wake the loop for
 * nothing, forever. */
static void assert_idle_fds(struct sndbe_audio *a)
{
	struct pollfd fds[SNDBE_AUDIO_MAX_FDS];
	int n = sndbe_audio_fds(a, fds, SNDBE_AUDIO_MAX_FDS);

	ASSERT_OK(n);
	ASSERT_EQ(poll(fds, (nfds_t)n, 0), 0);
	ASSERT_OK(sndbe_audio_service(a, fds, (unsigned int)n));
}

TEST(unpaced_position_is_frames_written_at_once)
{
	enum { FRAMES = 480 };
	static uint8_t buf[FRAMES * 4];
	struct sndbe_audio *a = open_stream("null:unpaced", false, XENSND_PCM_FORMAT_S16_LE, 2,
					    48000, 4 * FRAMES);
	struct sndbe_audio_stats st;
	uint64_t written = 0;

	fill_pattern(buf, sizeof(buf), 7);
	assert_idle_fds(a);
	/* Prepared, not started: queued, not played. */
	ASSERT_EQ(sndbe_audio_write(a, buf, FRAMES), FRAMES);
	written += FRAMES;
	ASSERT_EQ_U(sndbe_audio_position(a), 0);
	ASSERT_OK(sndbe_audio_start(a));
	ASSERT_EQ_U(sndbe_audio_position(a), written);
	/* Far more than the FIFO holds, each write played before it returns. */
	for (int i = 0; i < 1000; i++) {
		uint32_t n = 1 + (uint32_t)i % FRAMES;

		ASSERT_EQ(sndbe_audio_write(a, buf, n), (int)n);
		written += n;
		ASSERT_EQ_U(sndbe_audio_position(a), written);
		if (i % 100 == 0)
			assert_idle_fds(a);
	}
	sndbe_audio_stats(a, &st);
	ASSERT_EQ_U(st.frames_in, written);
	ASSERT_EQ_U(st.frames_out, written);
	ASSERT_EQ(st.fifo_frames, 0);
	ASSERT_EQ(st.xruns, 0);

	/* Paused: writes queue up again and the position holds. */
	ASSERT_OK(sndbe_audio_pause(a));
	ASSERT_EQ(sndbe_audio_write(a, buf, FRAMES), FRAMES);
	ASSERT_EQ_U(sndbe_audio_position(a), written);
	assert_idle_fds(a);
	ASSERT_OK(sndbe_audio_start(a));
	written += FRAMES;
	ASSERT_EQ_U(sndbe_audio_position(a), written);
	/* Stopped: what was queued is dropped, never counted as played. */
	ASSERT_OK(sndbe_audio_stop(a));
	ASSERT_EQ(sndbe_audio_write(a, buf, FRAMES), FRAMES);
	ASSERT_OK(sndbe_audio_stop(a));
	ASSERT_OK(sndbe_audio_start(a));
	ASSERT_EQ_U(sndbe_audio_position(a), written);
	sndbe_audio_close(a);
}

TEST(unpaced_capture_is_silence_at_once)
{
	enum { BUFFER = 960 };
	static uint8_t out[BUFFER * 2], silence[sizeof(out)];
	struct sndbe_audio *a = open_stream("null:unpaced", true, XENSND_PCM_FORMAT_U8, 2, 8000,
					    BUFFER);
	uint64_t t0, taken = 0;

	assert_idle_fds(a);
	ASSERT_EQ(sndbe_audio_read(a, out, BUFFER), 0);	/* not started */
	ASSERT_OK(sndbe_audio_start(a));
	memset(silence, 0x80, sizeof(silence));		/* U8 silence */
	t0 = mono_ns();
	/* 100 buffers at 8 kHz would take 12 s in real time. */
	for (int i = 0; i < 100; i++) {
		memset(out, 0x55, sizeof(out));
		ASSERT_EQ(sndbe_audio_read(a, out, BUFFER), BUFFER);
		ASSERT_MEMEQ(out, silence, sizeof(out));
		taken += BUFFER;
		ASSERT_TRUE(sndbe_audio_position(a) >= taken);
	}
	ASSERT_TRUE(mono_ns() - t0 < 2000000000u);
	assert_idle_fds(a);
	ASSERT_EQ(xruns(a), 0);
	sndbe_audio_close(a);
}

TEST(unpaced_has_the_null_capabilities)
{
	struct vsnd_hw_caps null_caps, caps;
	struct sndbe_audio_config cfg = {
		.rate = 48000, .format = XENSND_PCM_FORMAT_S16_LE, .channels = 2,
		.buffer_frames = 960, .period_frames = 240,
	};
	struct sndbe_audio *a = NULL;

	ASSERT_OK(sndbe_audio_probe("null", false, &null_caps));
	ASSERT_OK(sndbe_audio_probe("null:unpaced", false, &caps));
	ASSERT_MEMEQ(&caps, &null_caps, sizeof(caps));
	ASSERT_OK(sndbe_audio_probe("null:unpaced", true, &caps));
	ASSERT_MEMEQ(&caps, &null_caps, sizeof(caps));
	ASSERT_ERR(sndbe_audio_probe("null:", false, &caps), EINVAL);
	ASSERT_ERR(sndbe_audio_probe("null:paced", false, &caps), EINVAL);
	ASSERT_ERR(sndbe_audio_open("null:", &cfg, &a), EINVAL);
	ASSERT_ERR(sndbe_audio_open("null:unpacedx", &cfg, &a), EINVAL);
	cfg.period_frames = 961;
	ASSERT_ERR(sndbe_audio_open("null:unpaced", &cfg, &a), EINVAL);
	ASSERT_NULL(a);
}

TEST(bad_specs_and_configurations)
{
	struct sndbe_audio_config cfg = {
		.rate = 48000, .format = XENSND_PCM_FORMAT_S16_LE, .channels = 2,
		.buffer_frames = 960, .period_frames = 240,
	}, bad;
	struct sndbe_audio *a = NULL;
	struct vsnd_hw_caps caps;
	char spec[160];

	ASSERT_ERR(sndbe_audio_open("bogus", &cfg, &a), EINVAL);
	ASSERT_ERR(sndbe_audio_open("file:", &cfg, &a), EINVAL);
	ASSERT_ERR(sndbe_audio_open("nul", &cfg, &a), EINVAL);
	ASSERT_ERR(sndbe_audio_open("alsa:", &cfg, &a), EINVAL);
	bad = cfg, bad.rate = 0;
	ASSERT_ERR(sndbe_audio_open("null", &bad, &a), EINVAL);
	bad = cfg, bad.channels = 0;
	ASSERT_ERR(sndbe_audio_open("null", &bad, &a), EINVAL);
	bad = cfg, bad.period_frames = 961;
	ASSERT_ERR(sndbe_audio_open("null", &bad, &a), EINVAL);
	bad = cfg, bad.format = XENSND_PCM_FORMAT_MPEG;
	ASSERT_ERR(sndbe_audio_open("null", &bad, &a), EINVAL);
	/* WAV holds no big-endian samples. */
	snprintf(spec, sizeof(spec), "file:%s", tmp_path("be.wav"));
	bad = cfg, bad.format = XENSND_PCM_FORMAT_S16_BE;
	ASSERT_ERR(sndbe_audio_open(spec, &bad, &a), EINVAL);
	ASSERT_NULL(a);
	tmp_clean("be.wav");

	ASSERT_OK(sndbe_audio_probe("null", false, &caps));
	ASSERT_EQ(caps.n, 1);
	ASSERT_EQ_U(caps.cap[0].formats, VSND_FORMATS_FIXED);
	ASSERT_EQ(caps.cap[0].channels.min, 1);
	ASSERT_EQ(caps.cap[0].channels.max, 255);
	ASSERT_OK(sndbe_audio_probe("file:/nonexistent.wav", true, &caps));
	ASSERT_TRUE(caps.cap[0].formats & VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE));
	ASSERT_FALSE(caps.cap[0].formats & VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_BE));
	ASSERT_ERR(sndbe_audio_probe("bogus", false, &caps), EINVAL);
#ifndef VSND_HAVE_ALSA
	/* Well-formed, but this build has no alsa-lib. */
	ASSERT_ERR(sndbe_audio_open("alsa:default", &cfg, &a), ENOTSUP);
	ASSERT_ERR(sndbe_audio_probe("alsa:default", false, &caps), ENOTSUP);
#endif
	ASSERT_NULL(sndbe_audio_close(NULL));
}
