// SPDX-License-Identifier: MIT
/*
 * The timerfd-paced "null" and "file:" sinks and sources: a clock at the
 * stream's rate stands in for a sound card, so timing work needs no sound
 * server and runs the same on every machine (ALSA's own null PCM is not
 * paced).
 *
 * The clock counts frames as rate x time elapsed since the last (re)start,
 * never as a sum of ticks, so it does not drift with timer jitter; the timer
 * only decides how often the clock is looked at. A playback sink consumes
 * what the clock says is due, bounded by what was written: a shortfall is
 * one underrun, however long it lasts, and restarts the clock when frames
 * come back (a real device too restarts from an underrun at its own pace,
 * not in a burst). A capture source produces the due frames into the FIFO
 * (from its WAV file, then silence), dropping the oldest ones when nobody
 * reads them.
 *
 * The file sink writes exactly the frames consumed, in order, so what comes
 * out is bit-exact with what the guest played; close finalises the header.
 *
 * "null:unpaced" has no clock at all: while running, a playback sink
 * consumes whatever is queued as soon as it is queued, so its position is
 * every frame written, and a capture source keeps its FIFO full of silence,
 * so a READ gets all it asks for at once. It has no fd to watch. It measures
 * what the rest of the backend costs per byte with the device out of the
 * way; no guest could play through it in real time.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "audio-impl.h"
#include "util.h"
#include "vsnd/format.h"

/* The host period: the guest's, at most 10 ms, at least 1 ms. */
#define TICK_MAX_NS (10 * NSEC_PER_MSEC)
#define TICK_MIN_NS (1 * NSEC_PER_MSEC)

struct paced {
	struct sndbe_audio base;
	int timer_fd;
	uint64_t tick_ns;

	bool clock_running;
	uint64_t clock_start_ns;	/* of the current run */
	uint64_t clock_base;		/* frames done when it started */
	uint64_t done;			/* frames consumed or produced */
	bool starving;			/* playback underrun in progress */
	bool overflowing;		/* capture FIFO overflow in progress */

	int file_fd;			/* -1 for "null" */
	struct sndbe_wav wav;
	uint64_t file_frames_left;	/* capture: frames still in the file */
	int error;			/* sticky file error, for service() */
};

static struct paced *to_paced(struct sndbe_audio *a)
{
	return container_of(a, struct paced, base);
}

static uint64_t frames_due(const struct paced *p, uint64_t now)
{
	uint64_t elapsed = now > p->clock_start_ns ? now - p->clock_start_ns : 0;
	uint64_t rate = p->base.cfg.rate;

	/* Split to keep rate x nanoseconds inside 64 bits. */
	return p->clock_base + elapsed / NSEC_PER_SEC * rate +
	       elapsed % NSEC_PER_SEC * rate / NSEC_PER_SEC;
}

static void clock_restart(struct paced *p, uint64_t now)
{
	p->clock_start_ns = now;
	p->clock_base = p->done;
}

static int timer_arm(struct paced *p, bool on)
{
	struct itimerspec its = { 0 };

	if (on) {
		its.it_interval.tv_sec = (time_t)(p->tick_ns / NSEC_PER_SEC);
		its.it_interval.tv_nsec = (long)(p->tick_ns % NSEC_PER_SEC);
		its.it_value = its.it_interval;
	}
	return RET_NERRNO(timerfd_settime(p->timer_fd, 0, &its, NULL));
}

/* Hand @n frames from the FIFO's head to the sink (the file, or nowhere). */
static void sink_consume(struct paced *p, uint32_t n)
{
	struct sndbe_audio *a = &p->base;

	while (n > 0) {
		const uint8_t *src;
		uint32_t run = sndbe_fifo_peek(&a->fifo, &src);
		uint64_t off = p->wav.data_offset + p->wav.data_bytes;
		size_t len;
		ssize_t w;

		if (run > n)
			run = n;
		len = (size_t)run * a->frame_bytes;
		if (p->file_fd >= 0 && p->error == 0) {
			w = pwrite(p->file_fd, src, len, (off_t)off);
			if (w < 0 || (size_t)w != len)
				p->error = w < 0 ? negative_errno() : -EIO;
			else
				p->wav.data_bytes += len;
		}
		sndbe_fifo_drop(&a->fifo, run);
		n -= run;
	}
}

static void playback_advance(struct paced *p, uint64_t due, uint64_t now)
{
	struct sndbe_audio *a = &p->base;
	uint64_t want = due - p->done;
	uint32_t take = a->fifo.fill < want ? a->fifo.fill : (uint32_t)want;

	sink_consume(p, take);
	p->done += take;
	if (take < want) {
		/* The clock ran past the last written frame: one underrun,
		 * and the clock waits for data from here. */
		if (!p->starving)
			a->xruns++;
		p->starving = true;
		clock_restart(p, now);
	}
}

/* Produce @n frames at the FIFO's tail: the file's, then silence. */
static void source_fill(struct paced *p, uint8_t *dst, uint32_t n)
{
	struct sndbe_audio *a = &p->base;
	uint32_t from_file = p->file_frames_left < n ? (uint32_t)p->file_frames_left : n;
	size_t len = (size_t)from_file * a->frame_bytes;
	ssize_t r = 0;

	if (from_file > 0 && p->error == 0) {
		r = read(p->file_fd, dst, len);
		if (r < 0)
			p->error = negative_errno();
		r = r < 0 ? 0 : r - r % a->frame_bytes;
		/* A file that shrank under us ends here. */
		p->file_frames_left = (size_t)r < len ? 0 : p->file_frames_left - from_file;
	}
	(void)sndbe_format_fill_silence(a->cfg.format, dst + r,
					(uint32_t)(((size_t)n * a->frame_bytes - (size_t)r) /
						   vsnd_format_phys_bytes(a->cfg.format)));
}

static void source_skip(struct paced *p, uint64_t n)
{
	uint64_t skip = n < p->file_frames_left ? n : p->file_frames_left;

	if (skip && lseek(p->file_fd, (off_t)(skip * p->base.frame_bytes), SEEK_CUR) < 0)
		p->error = negative_errno();
	p->file_frames_left -= skip;
}

static void capture_advance(struct paced *p, uint64_t due)
{
	struct sndbe_audio *a = &p->base;
	uint64_t n = due - p->done;
	uint32_t cap = a->fifo.capacity;

	/* Frames beyond a whole FIFO would be dropped at once: skip them. */
	if (n > cap) {
		source_skip(p, n - cap);
		p->done += n - cap;
		n = cap;
	}
	if (a->fifo.fill + n > cap) {
		if (!p->overflowing)
			a->xruns++;
		p->overflowing = true;
		sndbe_fifo_drop(&a->fifo, (uint32_t)(a->fifo.fill + n - cap));
	}
	while (n > 0) {
		uint8_t *dst;
		uint32_t run = sndbe_fifo_reserve(&a->fifo, &dst);

		if (run > n)
			run = (uint32_t)n;
		source_fill(p, dst, run);
		sndbe_fifo_commit(&a->fifo, run);
		p->done += run;
		n -= run;
	}
}

/* Bring the stream up to the clock. */
static void paced_advance(struct paced *p)
{
	uint64_t now, due;

	if (!p->clock_running)
		return;
	now = now_ns();
	due = frames_due(p, now);
	if (due <= p->done)
		return;
	if (p->base.cfg.capture)
		capture_advance(p, due);
	else
		playback_advance(p, due, now);
}

static int paced_start(struct sndbe_audio *a)
{
	struct paced *p = to_paced(a);
	int r;

	if (p->clock_running)
		return 0;
	r = timer_arm(p, true);
	if (r < 0)
		return r;
	p->clock_running = true;
	p->starving = false;
	clock_restart(p, now_ns());
	return 0;
}

static int paced_freeze(struct sndbe_audio *a)
{
	struct paced *p = to_paced(a);

	paced_advance(p);
	p->clock_running = false;
	return timer_arm(p, false);
}

static int paced_kick(struct sndbe_audio *a)
{
	struct paced *p = to_paced(a);

	if (a->cfg.capture) {
		paced_advance(p);
		if (a->fifo.fill < a->fifo.capacity)
			p->overflowing = false;
	} else if (p->starving && a->fifo.fill > 0) {
		/* Data is back: the device resumes now, not at the last tick. */
		p->starving = false;
		clock_restart(p, now_ns());
	}
	return 0;
}

static uint64_t paced_position(struct sndbe_audio *a)
{
	struct paced *p = to_paced(a);

	paced_advance(p);
	return p->done;
}

static uint32_t paced_delay(struct sndbe_audio *a)
{
	(void)a;
	return 0;
}

static int paced_fds(struct sndbe_audio *a, struct pollfd *fds, unsigned int n)
{
	struct paced *p = to_paced(a);

	if (n < 1)
		return -ENOBUFS;
	fds[0] = (struct pollfd){ .fd = p->timer_fd, .events = POLLIN };
	return 1;
}

static int paced_service(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n)
{
	struct paced *p = to_paced(a);
	uint64_t expirations;

	(void)fds;
	(void)n;
	/* Level-triggered timerfd: drain it, or the loop wakes again at once. */
	if (read(p->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return negative_errno();
	paced_advance(p);
	return p->error;
}

static void paced_free(struct sndbe_audio *a)
{
	struct paced *p = to_paced(a);

	if (p->file_fd >= 0 && !a->cfg.capture)
		(void)sndbe_wav_finish(p->file_fd, &p->wav);
	safe_close(p->file_fd);
	safe_close(p->timer_fd);
	sndbe_audio_done(a);
	free(p);
}

static const struct sndbe_audio_ops paced_ops = {
	.start = paced_start,
	.stop = paced_freeze,
	.pause = paced_freeze,
	.kick = paced_kick,
	.position = paced_position,
	.delay = paced_delay,
	.fds = paced_fds,
	.service = paced_service,
	.free = paced_free,
};

static int file_open(struct paced *p, const char *path)
{
	const struct sndbe_audio_config *cfg = &p->base.cfg;
	off_t off;
	int r;

	if (cfg->capture) {
		p->file_fd = RET_NERRNO(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
		if (p->file_fd < 0)
			return p->file_fd;
		r = sndbe_wav_read_header(p->file_fd, &p->wav);
		if (r < 0)
			return r;
		if (p->wav.format != cfg->format || p->wav.channels != cfg->channels)
			return -EINVAL;
		p->file_frames_left = p->wav.data_bytes / p->base.frame_bytes;
		return 0;
	}
	if (!(sndbe_wav_formats() & VSND_FORMAT_BIT(cfg->format)))
		return -EINVAL;
	p->file_fd = RET_NERRNO(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY,
				     0644));
	if (p->file_fd < 0)
		return p->file_fd;
	p->wav = (struct sndbe_wav){ .format = cfg->format, .channels = cfg->channels,
				     .rate = cfg->rate };
	r = sndbe_wav_write_header(p->file_fd, &p->wav);
	if (r < 0)
		return r;
	off = lseek(p->file_fd, 0, SEEK_END);
	if (off < 0)
		return negative_errno();
	p->wav.data_offset = (uint64_t)off;
	return 0;
}

static uint64_t tick_ns(const struct sndbe_audio_config *cfg)
{
	uint64_t period_ns = (uint64_t)cfg->period_frames * NSEC_PER_SEC / cfg->rate;

	if (period_ns > TICK_MAX_NS)
		period_ns = TICK_MAX_NS;
	return period_ns < TICK_MIN_NS ? TICK_MIN_NS : period_ns;
}

/**
 * sndbe_audio_paced_open() - open a paced "null" or "file:" stream.
 * @path: the WAV file, or NULL for "null".
 * @cfg: the checked configuration.
 * @ret: the stream.
 *
 * Context: does file I/O on @path only.
 * Return: 0, -EINVAL (a format WAV cannot hold, a capture file of another
 * format or channel count), -ENOMEM, or the file's errno.
 */
int sndbe_audio_paced_open(const char *path, const struct sndbe_audio_config *cfg,
			   struct sndbe_audio **ret)
{
	struct paced *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->timer_fd = -1;
	p->file_fd = -1;
	r = sndbe_audio_init(&p->base, &paced_ops, cfg);
	if (r < 0) {
		free(p);
		return r;
	}
	p->tick_ns = tick_ns(cfg);
	p->timer_fd = RET_NERRNO(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	if (p->timer_fd < 0)
		r = p->timer_fd;
	else if (path)
		r = file_open(p, path);
	if (r < 0) {
		/* A sink whose header failed must not finalise it on the way out. */
		if (!cfg->capture)
			p->file_fd = safe_close(p->file_fd);
		paced_free(&p->base);
		return r;
	}
	*ret = &p->base;
	return 0;
}

/* ---- "null:unpaced" ---------------------------------------------------------- */

/* While running: playback drops the whole FIFO, capture tops it up. The
 * capture FIFO's memory holds silence from open on and nothing else is ever
 * written there, so topping up is bookkeeping, not copying. */
static void unpaced_move(struct paced *p)
{
	struct sndbe_audio *a = &p->base;
	uint32_t n;

	if (!a->running)
		return;
	if (a->cfg.capture) {
		n = a->fifo.capacity - a->fifo.fill;
		sndbe_fifo_commit(&a->fifo, n);
	} else {
		n = a->fifo.fill;
		sndbe_fifo_drop(&a->fifo, n);
	}
	p->done += n;
}

static int unpaced_start(struct sndbe_audio *a)
{
	unpaced_move(to_paced(a));
	return 0;
}

static int unpaced_freeze(struct sndbe_audio *a)
{
	(void)a;
	return 0;
}

static int unpaced_kick(struct sndbe_audio *a)
{
	unpaced_move(to_paced(a));
	return 0;
}

static uint64_t unpaced_position(struct sndbe_audio *a)
{
	return to_paced(a)->done;
}

static int unpaced_fds(struct sndbe_audio *a, struct pollfd *fds, unsigned int n)
{
	(void)a, (void)fds, (void)n;
	return 0;
}

static int unpaced_service(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n)
{
	(void)a, (void)fds, (void)n;
	return 0;
}

static const struct sndbe_audio_ops unpaced_ops = {
	.start = unpaced_start,
	.stop = unpaced_freeze,
	.pause = unpaced_freeze,
	.kick = unpaced_kick,
	.position = unpaced_position,
	.delay = paced_delay,
	.fds = unpaced_fds,
	.service = unpaced_service,
	.free = paced_free,
};

/**
 * sndbe_audio_unpaced_open() - open a "null:unpaced" stream.
 * @cfg: the checked configuration.
 * @ret: the stream.
 *
 * Context: allocates only.
 * Return: 0, -EINVAL, -ENOMEM.
 */
int sndbe_audio_unpaced_open(const struct sndbe_audio_config *cfg, struct sndbe_audio **ret)
{
	struct paced *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->timer_fd = -1;
	p->file_fd = -1;
	r = sndbe_audio_init(&p->base, &unpaced_ops, cfg);
	if (r < 0) {
		free(p);
		return r;
	}
	if (cfg->capture)
		(void)sndbe_format_fill_silence(cfg->format, p->base.fifo.data,
						p->base.fifo.capacity * cfg->channels);
	*ret = &p->base;
	return 0;
}

/**
 * sndbe_audio_paced_probe() - the capability space of "null" or "file:".
 * @file: limit the formats to those a WAV file holds.
 * @ret: the space: no bounds but the formats and 1..255 channels.
 */
void sndbe_audio_paced_probe(bool file, struct vsnd_hw_caps *ret)
{
	vsnd_hw_caps_any(ret);
	if (file)
		ret->cap[0].formats &= sndbe_wav_formats();
	vsnd_interval_set(&ret->cap[0].channels, 1, 255);
}
