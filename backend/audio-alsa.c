// SPDX-License-Identifier: MIT
/*
 * The "alsa:PCM" sink and source over alsa-lib: a non-blocking PCM whose
 * poll descriptors sit in the worker's loop, fed from (or draining into) the
 * stream's FIFO when they say so.
 *
 * The device is started by hand (start threshold at the boundary) so that
 * the guest's START, not the first write, starts it; after an underrun it
 * waits prepared until frames come back. Positions are frames written minus
 * the device's delay: what really left it. An underrun counts everything
 * written as played (protocol.md 3.12: the guest then sees its own underrun).
 *
 * Faults (security.md 5.9): -EPIPE is recovered with snd_pcm_prepare() and
 * counted; -ESTRPIPE tries one snd_pcm_resume() and otherwise prepares (not
 * snd_pcm_recover(), which sleeps in a loop while the device stays
 * suspended); a recovery that cannot finish yet parks the PCM's fds behind
 * a back-off timer, so a device stuck in an error state cannot spin the
 * loop; -EAGAIN or 0 from a transfer ends the round and waits for poll; a
 * vanished device (-ENODEV, POLLNVAL, SND_PCM_STATE_DISCONNECTED) is
 * reported once and its fds are no longer offered.
 */
#include <alsa/asoundlib.h>

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>

#include "audio-impl.h"
#include "util.h"
#include "vsnd/format-alsa.h"
#include "vsnd/format.h"
#include "vsnd/limits.h"

/* Transfers per service call: two FIFO runs plus one recovery each. */
#define XFER_ROUNDS 4
#define BACKOFF_MIN_MS 20u
#define BACKOFF_MAX_MS 1000u
#define PCM_FDS_MAX (SNDBE_AUDIO_MAX_FDS - 1)

struct alsa {
	struct sndbe_audio base;
	snd_pcm_t *pcm;
	snd_pcm_uframes_t buffer_size;
	snd_pcm_uframes_t period_size;
	bool can_pause;

	uint64_t pos_base;	/* playback: frames played before the last prepare */
	uint64_t dev_written;	/* playback: frames written since the last prepare */
	uint64_t captured;	/* capture: frames read from the device */
	bool overflowing;	/* capture FIFO overflow in progress */

	struct pollfd pfds[PCM_FDS_MAX];
	unsigned int n_pfds;
	int timer_fd;		/* back-off after a recovery that must wait */
	uint32_t backoff_ms;	/* 0: not backing off */
	int gone;		/* -ENODEV once the device vanished */
};

static struct alsa *to_alsa(struct sndbe_audio *a)
{
	return container_of(a, struct alsa, base);
}

static void hw_params_freep(snd_pcm_hw_params_t **p)
{
	if (*p)
		snd_pcm_hw_params_free(*p);
}

static void sw_params_freep(snd_pcm_sw_params_t **p)
{
	if (*p)
		snd_pcm_sw_params_free(*p);
}

static void pcm_closep(snd_pcm_t **p)
{
	if (*p)
		snd_pcm_close(*p);
}

#define _cleanup_hw_params_ _cleanup_(hw_params_freep)
#define _cleanup_sw_params_ _cleanup_(sw_params_freep)
#define _cleanup_pcm_ _cleanup_(pcm_closep)

/* alsa-lib says -ENOENT for a PCM name it does not know: a missing device. */
static int open_pcm(const char *name, bool capture, snd_pcm_t **ret)
{
	int r = snd_pcm_open(ret, name, capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK,
			     SND_PCM_NONBLOCK);

	if (r == -ENOENT || r == -ENXIO)
		return -ENODEV;
	return r < 0 ? r : 0;
}

static int mark_gone(struct alsa *x)
{
	x->gone = -ENODEV;
	return x->gone;
}

/* ---- recovery ---------------------------------------------------------------- */

static int backoff_start(struct alsa *x)
{
	struct itimerspec its = { 0 };

	x->backoff_ms = x->backoff_ms ? x->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (x->backoff_ms > BACKOFF_MAX_MS)
		x->backoff_ms = BACKOFF_MAX_MS;
	its.it_value.tv_sec = x->backoff_ms / 1000;
	its.it_value.tv_nsec = (long)(x->backoff_ms % 1000) * (long)NSEC_PER_MSEC;
	return RET_NERRNO(timerfd_settime(x->timer_fd, 0, &its, NULL));
}

/* A prepared device of a running capture stream starts at once. */
static int restart_capture(struct alsa *x)
{
	if (!x->base.cfg.capture || !x->base.running ||
	    snd_pcm_state(x->pcm) != SND_PCM_STATE_PREPARED)
		return 0;
	return snd_pcm_start(x->pcm);
}

static int prepare(struct alsa *x)
{
	int r;

	/* What was queued is gone: counted as played, never replayed. */
	x->pos_base += x->dev_written;
	x->dev_written = 0;
	r = snd_pcm_prepare(x->pcm);
	if (r == -ENODEV)
		return mark_gone(x);
	if (r < 0)
		return backoff_start(x);
	x->backoff_ms = 0;
	return restart_capture(x);
}

/* Recover from a transfer's or a state's @err (-EPIPE, -ESTRPIPE). */
static int recover(struct alsa *x, int err)
{
	int r;

	if (err == -ENODEV)
		return mark_gone(x);
	x->base.xruns++;
	if (err == -ESTRPIPE) {
		r = snd_pcm_resume(x->pcm);
		if (r == 0) {
			x->backoff_ms = 0;
			return 0;
		}
		if (r == -EAGAIN)	/* still suspended: ask again later */
			return backoff_start(x);
		if (r == -ENODEV)
			return mark_gone(x);
	}
	return prepare(x);
}

/* Bring a device that poll flagged back to a usable state. */
static int recover_state(struct alsa *x)
{
	switch (snd_pcm_state(x->pcm)) {
	case SND_PCM_STATE_XRUN:
		return recover(x, -EPIPE);
	case SND_PCM_STATE_SUSPENDED:
		return recover(x, -ESTRPIPE);
	case SND_PCM_STATE_DISCONNECTED:
		return mark_gone(x);
	case SND_PCM_STATE_OPEN:
	case SND_PCM_STATE_SETUP:
		return prepare(x);
	default:
		return 0;
	}
}

/* ---- transfers --------------------------------------------------------------- */

static int push(struct alsa *x)
{
	struct sndbe_audio *a = &x->base;
	int r;

	for (int i = 0; i < XFER_ROUNDS && a->fifo.fill > 0 && !x->backoff_ms; i++) {
		const uint8_t *src;
		uint32_t n = sndbe_fifo_peek(&a->fifo, &src);
		snd_pcm_sframes_t w = snd_pcm_writei(x->pcm, src, n);

		if (w == -EAGAIN || w == 0)
			break;
		if (w == -EPIPE || w == -ESTRPIPE || w == -ENODEV) {
			r = recover(x, (int)w);
			if (r < 0)
				return r;
			continue;
		}
		if (w < 0)
			return (int)w;
		sndbe_fifo_drop(&a->fifo, (uint32_t)w);
		x->dev_written += (uint64_t)w;
	}
	if (a->running && x->dev_written > 0 && !x->backoff_ms &&
	    snd_pcm_state(x->pcm) == SND_PCM_STATE_PREPARED) {
		r = snd_pcm_start(x->pcm);
		if (r < 0)
			return r == -ENODEV ? mark_gone(x) : recover(x, r);
	}
	return 0;
}

/* Room for @want captured frames at the FIFO's tail: nobody read the
 * oldest ones in time, so they go (one overflow, however long it lasts). */
static uint32_t capture_room(struct alsa *x, snd_pcm_sframes_t avail)
{
	struct sndbe_audio *a = &x->base;
	uint32_t want = (uint64_t)avail < a->fifo.capacity ? (uint32_t)avail : a->fifo.capacity;
	uint32_t room = a->fifo.capacity - a->fifo.fill;

	if (room >= want) {
		x->overflowing = false;
		return want;
	}
	if (!x->overflowing)
		a->xruns++;
	x->overflowing = true;
	sndbe_fifo_drop(&a->fifo, want - room);
	return want;
}

static int pull(struct alsa *x)
{
	struct sndbe_audio *a = &x->base;
	int r;

	for (int i = 0; i < XFER_ROUNDS && a->running && !x->backoff_ms; i++) {
		snd_pcm_sframes_t got, avail = snd_pcm_avail_update(x->pcm);
		uint8_t *dst;
		uint32_t n, run;

		if (avail == 0 || avail == -EAGAIN)
			break;
		if (avail > 0) {
			n = capture_room(x, avail);
			run = sndbe_fifo_reserve(&a->fifo, &dst);
			got = snd_pcm_readi(x->pcm, dst, run < n ? run : n);
		} else {
			got = avail;
		}
		if (got == -EAGAIN || got == 0)
			break;
		if (got == -EPIPE || got == -ESTRPIPE || got == -ENODEV) {
			r = recover(x, (int)got);
			if (r < 0)
				return r;
			continue;
		}
		if (got < 0)
			return (int)got;
		sndbe_fifo_commit(&a->fifo, (uint32_t)got);
		x->captured += (uint64_t)got;
	}
	return 0;
}

static int alsa_kick(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);

	if (x->gone)
		return x->gone;
	return a->cfg.capture ? pull(x) : push(x);
}

/* ---- triggers and position ----------------------------------------------------- */

static int alsa_start(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);
	int r = 0;

	if (x->gone)
		return x->gone;
	if (x->backoff_ms)
		return 0;	/* the back-off timer restarts it */
	switch (snd_pcm_state(x->pcm)) {
	case SND_PCM_STATE_PAUSED:
		r = snd_pcm_pause(x->pcm, 0);
		if (r < 0)
			r = prepare(x);
		break;
	case SND_PCM_STATE_PREPARED:
		break;
	default:
		r = recover_state(x);
		break;
	}
	if (r < 0)
		return r;
	if (a->cfg.capture)
		return restart_capture(x);
	return push(x);
}

static int alsa_stop(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);
	int r;

	if (x->gone)
		return 0;	/* nothing left to stop */
	r = snd_pcm_drop(x->pcm);
	if (r == -ENODEV)
		return mark_gone(x);
	/* The queued frames are discarded, not played: the position stays. */
	x->dev_written = 0;
	x->pos_base = a->position;
	r = snd_pcm_prepare(x->pcm);
	if (r == -ENODEV)
		return mark_gone(x);
	return r < 0 ? backoff_start(x) : 0;
}

static int alsa_pause(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);
	int r;

	if (x->gone)
		return 0;
	if (snd_pcm_state(x->pcm) != SND_PCM_STATE_RUNNING)
		return 0;
	if (x->can_pause && snd_pcm_pause(x->pcm, 1) == 0)
		return 0;
	/* No hardware pause: stop the device. The frames it held cannot be
	 * replayed, so they count as played and the position stays whole. */
	r = snd_pcm_drop(x->pcm);
	if (r == -ENODEV)
		return mark_gone(x);
	return prepare(x);
}

static int64_t device_delay(struct alsa *x)
{
	snd_pcm_sframes_t d;

	if (snd_pcm_delay(x->pcm, &d) < 0)
		return -1;
	return d < 0 ? 0 : d;
}

static uint64_t alsa_position(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);
	uint64_t played = x->pos_base + x->dev_written;
	int64_t d;

	if (a->cfg.capture)
		return x->captured;
	if (x->gone)
		return played;
	switch (snd_pcm_state(x->pcm)) {
	case SND_PCM_STATE_RUNNING:
	case SND_PCM_STATE_DRAINING:
	case SND_PCM_STATE_PAUSED:
		d = device_delay(x);
		if (d < 0)	/* an xrun under way: all of it was played */
			return played;
		return played - ((uint64_t)d < x->dev_written ? (uint64_t)d : x->dev_written);
	case SND_PCM_STATE_XRUN:
		return played;
	case SND_PCM_STATE_PREPARED:
		return x->pos_base;	/* queued, not started */
	default:
		return 0;		/* unknown: audio.c keeps the last one */
	}
}

static uint32_t alsa_delay(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);
	snd_pcm_state_t s;
	int64_t d;

	if (x->gone)
		return 0;
	s = snd_pcm_state(x->pcm);
	if (s != SND_PCM_STATE_RUNNING && s != SND_PCM_STATE_PAUSED)
		return 0;
	d = device_delay(x);
	return d < 0 ? 0 : d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

/* ---- the loop's side ----------------------------------------------------------- */

static int alsa_fds(struct sndbe_audio *a, struct pollfd *fds, unsigned int n)
{
	struct alsa *x = to_alsa(a);
	bool want;

	if (x->gone)
		return 0;
	if (x->backoff_ms) {
		if (n < 1)
			return -ENOBUFS;
		fds[0] = (struct pollfd){ .fd = x->timer_fd, .events = POLLIN };
		return 1;
	}
	if (n < x->n_pfds)
		return -ENOBUFS;
	/* An idle device is always ready: only ask when there is work. */
	want = a->cfg.capture ? a->running : a->fifo.fill > 0;
	for (unsigned int i = 0; i < x->n_pfds; i++) {
		fds[i] = x->pfds[i];
		if (!want)
			fds[i].events = 0;
	}
	return (int)x->n_pfds;
}

/* The revents the loop saw on our descriptors, through the plugin's filter. */
static int pcm_revents(struct alsa *x, const struct pollfd *fds, unsigned int n,
		       unsigned short *ret)
{
	struct pollfd seen[PCM_FDS_MAX];
	bool any = false;
	int r;

	for (unsigned int i = 0; i < x->n_pfds; i++) {
		seen[i] = x->pfds[i];
		seen[i].revents = 0;
		for (unsigned int j = 0; j < n; j++)
			if (fds[j].fd == seen[i].fd) {
				seen[i].revents |= fds[j].revents;
				any = any || fds[j].revents;
			}
	}
	*ret = 0;
	if (!any)
		return 0;
	r = snd_pcm_poll_descriptors_revents(x->pcm, seen, x->n_pfds, ret);
	return r == -ENODEV ? mark_gone(x) : r < 0 ? r : 0;
}

static int backoff_expired(struct alsa *x)
{
	uint64_t expirations;
	int r;

	if (read(x->timer_fd, &expirations, sizeof(expirations)) < 0)
		return errno == EAGAIN ? 0 : negative_errno();
	x->backoff_ms = 0;
	r = recover_state(x);
	if (r < 0 || x->backoff_ms)
		return r;
	if (x->base.running && !x->base.cfg.capture)
		return push(x);
	return restart_capture(x);
}

static int alsa_service(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n)
{
	struct alsa *x = to_alsa(a);
	unsigned short revents;
	int r;

	if (x->gone)
		return x->gone;
	if (x->backoff_ms)
		return backoff_expired(x);
	r = pcm_revents(x, fds, n, &revents);
	if (r < 0)
		return r;
	if (revents & POLLNVAL)
		return mark_gone(x);
	if (revents & (POLLERR | POLLHUP)) {
		r = recover_state(x);
		if (r < 0 || x->backoff_ms)
			return r;
		/* Still in error after our fix: wait, do not spin on POLLERR. */
		if (snd_pcm_state(x->pcm) == SND_PCM_STATE_XRUN)
			return backoff_start(x);
	}
	return alsa_kick(a);
}

static void alsa_free(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);

	if (x->pcm)
		snd_pcm_close(x->pcm);
	safe_close(x->timer_fd);
	sndbe_audio_done(a);
	free(x);
}

static const struct sndbe_audio_ops alsa_ops = {
	.start = alsa_start,
	.stop = alsa_stop,
	.pause = alsa_pause,
	.kick = alsa_kick,
	.position = alsa_position,
	.delay = alsa_delay,
	.fds = alsa_fds,
	.service = alsa_service,
	.free = alsa_free,
};

/* ---- open ---------------------------------------------------------------------- */

static int set_hw_params(struct alsa *x)
{
	const struct sndbe_audio_config *cfg = &x->base.cfg;
	_cleanup_hw_params_ snd_pcm_hw_params_t *p = NULL;
	snd_pcm_uframes_t buffer = cfg->buffer_frames, period = cfg->period_frames;
	int r, dir = 0;

	r = snd_pcm_hw_params_malloc(&p);
	if (r < 0)
		return r;
	r = snd_pcm_hw_params_any(x->pcm, p);
	if (r < 0)
		return r;
	/* Format, channels and rate are the guest's or nothing: positions
	 * and bytes on the wire depend on them. Sizes only need to be near. */
	if (snd_pcm_hw_params_set_access(x->pcm, p, SND_PCM_ACCESS_RW_INTERLEAVED) < 0 ||
	    snd_pcm_hw_params_set_format(x->pcm, p, vsnd_format_to_alsa(cfg->format)) < 0 ||
	    snd_pcm_hw_params_set_channels(x->pcm, p, cfg->channels) < 0 ||
	    snd_pcm_hw_params_set_rate(x->pcm, p, cfg->rate, 0) < 0 ||
	    snd_pcm_hw_params_set_buffer_size_near(x->pcm, p, &buffer) < 0 ||
	    snd_pcm_hw_params_set_period_size_near(x->pcm, p, &period, &dir) < 0)
		return -EINVAL;
	r = snd_pcm_hw_params(x->pcm, p);
	if (r < 0)
		return r;
	x->can_pause = snd_pcm_hw_params_can_pause(p);
	r = snd_pcm_hw_params_get_buffer_size(p, &x->buffer_size);
	if (r < 0)
		return r;
	return snd_pcm_hw_params_get_period_size(p, &x->period_size, &dir);
}

static int set_sw_params(struct alsa *x)
{
	_cleanup_sw_params_ snd_pcm_sw_params_t *p = NULL;
	snd_pcm_uframes_t boundary;
	int r;

	r = snd_pcm_sw_params_malloc(&p);
	if (r < 0)
		return r;
	r = snd_pcm_sw_params_current(x->pcm, p);
	if (r < 0)
		return r;
	r = snd_pcm_sw_params_get_boundary(p, &boundary);
	if (r < 0)
		return r;
	/* Started by hand at the guest's START, never by a write. */
	r = snd_pcm_sw_params_set_start_threshold(x->pcm, p, boundary);
	if (r < 0)
		return r;
	r = snd_pcm_sw_params_set_avail_min(x->pcm, p, x->period_size);
	if (r < 0)
		return r;
	return snd_pcm_sw_params(x->pcm, p);
}

static int setup_poll(struct alsa *x)
{
	int n = snd_pcm_poll_descriptors_count(x->pcm);

	if (n < 0)
		return n;
	if (n == 0 || (unsigned int)n > PCM_FDS_MAX)
		return -EINVAL;
	n = snd_pcm_poll_descriptors(x->pcm, x->pfds, (unsigned int)n);
	if (n < 0)
		return n;
	x->n_pfds = (unsigned int)n;
	return 0;
}

static int alsa_setup(struct alsa *x, const char *name)
{
	int r;

	x->timer_fd = RET_NERRNO(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	if (x->timer_fd < 0)
		return x->timer_fd;
	r = open_pcm(name, x->base.cfg.capture, &x->pcm);
	if (r < 0)
		return r;
	r = set_hw_params(x);
	if (r < 0)
		return r;
	r = set_sw_params(x);
	if (r < 0)
		return r;
	r = setup_poll(x);
	if (r < 0)
		return r;
	/* snd_pcm_hw_params() prepared it; make sure for odd plugins. */
	return snd_pcm_state(x->pcm) == SND_PCM_STATE_PREPARED ? 0 : snd_pcm_prepare(x->pcm);
}

/**
 * sndbe_audio_alsa_open() - open an "alsa:" stream.
 * @name: the ALSA PCM name.
 * @cfg: the checked configuration.
 * @ret: the stream, prepared.
 *
 * Context: may block in the device's open (the PCM is opened non-blocking,
 * but plugins such as pulse connect synchronously).
 * Return: 0, -EINVAL (a configuration the device cannot do), -ENODEV,
 * -EBUSY, -ENOMEM, or alsa-lib's errno.
 */
int sndbe_audio_alsa_open(const char *name, const struct sndbe_audio_config *cfg,
			  struct sndbe_audio **ret)
{
	struct alsa *x;
	int r;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->timer_fd = -1;
	r = sndbe_audio_init(&x->base, &alsa_ops, cfg);
	if (r < 0) {
		free(x);
		return r;
	}
	r = alsa_setup(x, name);
	if (r < 0) {
		alsa_free(&x->base);
		return r;
	}
	*ret = &x->base;
	return 0;
}

/* ---- probe --------------------------------------------------------------------- */

static uint32_t clamp_u32(snd_pcm_uframes_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The bounds of one format: 0, or -EINVAL when the device cannot do it. */
static int probe_format(snd_pcm_t *pcm, const snd_pcm_hw_params_t *any, uint8_t code,
			snd_pcm_hw_params_t *p, struct vsnd_hw_cap *ret)
{
	snd_pcm_uframes_t lo, hi;
	unsigned int cmin, cmax;
	int dir;

	snd_pcm_hw_params_copy(p, any);
	if (snd_pcm_hw_params_set_format(pcm, p, vsnd_format_to_alsa(code)) < 0)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->formats = VSND_FORMAT_BIT(code);
	for (unsigned int i = 0; i < VSND_LINUX_RATES_COUNT; i++)
		if (snd_pcm_hw_params_test_rate(pcm, p, vsnd_linux_rates[i], 0) == 0)
			(void)vsnd_rate_set_add(&ret->rates, vsnd_linux_rates[i]);
	if (ret->rates.n == 0 || snd_pcm_hw_params_get_channels_min(p, &cmin) < 0 ||
	    snd_pcm_hw_params_get_channels_max(p, &cmax) < 0 || cmin > 255)
		return -EINVAL;
	vsnd_interval_set(&ret->channels, cmin < 1 ? 1 : cmin, cmax > 255 ? 255 : cmax);
	if (snd_pcm_hw_params_get_buffer_size_min(p, &lo) < 0 ||
	    snd_pcm_hw_params_get_buffer_size_max(p, &hi) < 0)
		return -EINVAL;
	vsnd_interval_set(&ret->buffer_frames, clamp_u32(lo), clamp_u32(hi));
	if (snd_pcm_hw_params_get_period_size_min(p, &lo, &dir) < 0 ||
	    snd_pcm_hw_params_get_period_size_max(p, &hi, &dir) < 0)
		return -EINVAL;
	vsnd_interval_set(&ret->period_frames, clamp_u32(lo), clamp_u32(hi));
	return 0;
}

static bool interval_eq(const struct vsnd_interval *a, const struct vsnd_interval *b)
{
	return a->min == b->min && a->max == b->max;
}

static bool same_bounds(const struct vsnd_hw_cap *a, const struct vsnd_hw_cap *b)
{
	return a->rates.n == b->rates.n &&
	       memcmp(a->rates.rates, b->rates.rates, a->rates.n * sizeof(uint32_t)) == 0 &&
	       interval_eq(&a->channels, &b->channels) &&
	       interval_eq(&a->buffer_frames, &b->buffer_frames) &&
	       interval_eq(&a->period_frames, &b->period_frames);
}

static void widen(struct vsnd_interval *i, const struct vsnd_interval *by)
{
	vsnd_interval_set(i, i->min < by->min ? i->min : by->min,
			  i->max > by->max ? i->max : by->max);
}

/* Formats with equal bounds share an entry; past the last entry, the last
 * one grows to hold the newcomer (a superset: OPEN then has the last word). */
static void caps_add(struct vsnd_hw_caps *caps, const struct vsnd_hw_cap *c)
{
	struct vsnd_hw_cap *last;

	for (uint32_t i = 0; i < caps->n; i++)
		if (same_bounds(&caps->cap[i], c)) {
			caps->cap[i].formats |= c->formats;
			return;
		}
	if (caps->n < VSND_HW_CAPS_MAX) {
		caps->cap[caps->n++] = *c;
		return;
	}
	last = &caps->cap[VSND_HW_CAPS_MAX - 1];
	last->formats |= c->formats;
	for (uint32_t i = 0; i < c->rates.n; i++)
		(void)vsnd_rate_set_add(&last->rates, c->rates.rates[i]);
	widen(&last->channels, &c->channels);
	widen(&last->buffer_frames, &c->buffer_frames);
	widen(&last->period_frames, &c->period_frames);
}

/**
 * sndbe_audio_alsa_probe() - the capability space of an ALSA PCM.
 * @name: the ALSA PCM name.
 * @capture: which direction to open.
 * @ret: one entry per group of formats with equal bounds.
 *
 * Context: opens the device (may block as in sndbe_audio_alsa_open()).
 * Return: 0, -ENODEV, -EBUSY, -EINVAL (no usable format), -ENOMEM, or
 * alsa-lib's errno.
 */
int sndbe_audio_alsa_probe(const char *name, bool capture, struct vsnd_hw_caps *ret)
{
	_cleanup_hw_params_ snd_pcm_hw_params_t *any = NULL, *p = NULL;
	_cleanup_pcm_ snd_pcm_t *pcm = NULL;
	struct vsnd_hw_caps caps = { 0 };
	int r;

	r = open_pcm(name, capture, &pcm);
	if (r < 0)
		return r;
	if (snd_pcm_hw_params_malloc(&any) < 0 || snd_pcm_hw_params_malloc(&p) < 0)
		return -ENOMEM;
	r = snd_pcm_hw_params_any(pcm, any);
	if (r < 0)
		return r;
	r = snd_pcm_hw_params_set_access(pcm, any, SND_PCM_ACCESS_RW_INTERLEAVED);
	if (r < 0)
		return r;
	for (uint8_t code = 0; code < VSND_FORMAT_COUNT; code++) {
		struct vsnd_hw_cap c;

		if (vsnd_format_phys_bytes(code) == 0 || probe_format(pcm, any, code, p, &c) < 0)
			continue;
		caps_add(&caps, &c);
	}
	if (caps.n == 0)
		return -EINVAL;
	*ret = caps;
	return 0;
}
