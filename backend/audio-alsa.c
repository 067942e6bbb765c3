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
 * loop; -EAGAIN or 0 from a transfer ends the round and waits for poll, and
 * when poll had said the device was ready, the PCM's fds are parked behind
 * the timer for one period, so a device that wakes the loop and then
 * refuses cannot make it spin.
 *
 * A vanished device (-ENODEV, POLLNVAL, SND_PCM_STATE_DISCONNECTED) is
 * closed and its fds are no longer offered: what it held counts as played
 * (as for an xrun), the position stops there, frames written meanwhile wait
 * in the FIFO. It is reported once, by the next service call (-ENODEV);
 * write, read and the triggers go on succeeding. The PCM is reopened by
 * name, with the same parameters, behind the timer: after 100 ms, then
 * doubling up to 5 s, until it opens; then the stream goes on where it was.
 */
#include <alsa/asoundlib.h>

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>

#include "audio-impl.h"
#include "util.h"
#include "vsnd/format-alsa.h"
#include "vsnd/format.h"

/* Transfers per service call: two FIFO runs plus one recovery each. */
#define XFER_ROUNDS 4
#define BACKOFF_MIN_MS 20u
#define BACKOFF_MAX_MS 1000u
#define REOPEN_MIN_MS 100u
#define REOPEN_MAX_MS 5000u
#define STALL_MIN_NS (1 * NSEC_PER_MSEC)
#define STALL_MAX_NS (20 * NSEC_PER_MSEC)
#define PCM_FDS_MAX (SNDBE_AUDIO_MAX_FDS - 1)

struct alsa {
	struct sndbe_audio base;
	char *name;
	snd_pcm_t *pcm;		/* NULL while gone */
	snd_pcm_uframes_t buffer_size;
	snd_pcm_uframes_t period_size;
	bool can_pause;

	uint64_t pos_base;	/* playback: frames played before the last prepare */
	uint64_t dev_written;	/* playback: frames written since the last prepare */
	uint64_t captured;	/* capture: frames read from the device */
	bool overflowing;	/* capture FIFO overflow in progress */

	struct pollfd pfds[PCM_FDS_MAX];
	unsigned int n_pfds;
	int timer_fd;		/* back-off, stall or reopen: one at a time */
	uint32_t backoff_ms;	/* 0: not backing off */
	bool stalled;		/* ready but refused: parked for a period */
	bool gone;		/* vanished: reopening */
	uint32_t reopen_ms;	/* the reopen back-off's current step */
	bool report;		/* a loss the next service call reports */
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

#define _cleanup_hw_params_ _cleanup_(hw_params_freep)
#define _cleanup_sw_params_ _cleanup_(sw_params_freep)

/**
 * sndbe_alsa_open_errno() - snd_pcm_open()'s result as the audio layer's:
 * alsa-lib says -ENOENT for a PCM name it does not know, a missing device.
 */
int sndbe_alsa_open_errno(int r)
{
	if (r == -ENOENT || r == -ENXIO)
		return -ENODEV;
	return r < 0 ? r : 0;
}

static int open_pcm(const char *name, bool capture, snd_pcm_t **ret)
{
	return sndbe_alsa_open_errno(snd_pcm_open(ret, name, capture ? SND_PCM_STREAM_CAPTURE :
						  SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK));
}

static bool parked(const struct alsa *x)
{
	return x->gone || x->backoff_ms || x->stalled;
}

static int timer_set_ns(struct alsa *x, uint64_t ns)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	its.it_value.tv_nsec = (long)(ns % NSEC_PER_SEC);
	return RET_NERRNO(timerfd_settime(x->timer_fd, 0, &its, NULL));
}

/* The next step of the reopen back-off: 100 ms, doubling up to 5 s. */
static int reopen_backoff(struct alsa *x)
{
	x->reopen_ms = x->reopen_ms ? x->reopen_ms * 2 : REOPEN_MIN_MS;
	if (x->reopen_ms > REOPEN_MAX_MS)
		x->reopen_ms = REOPEN_MAX_MS;
	return timer_set_ns(x, (uint64_t)x->reopen_ms * NSEC_PER_MSEC);
}

/*
 * The device vanished: close it and reopen it later. Returns -ENODEV so that
 * the transfer under way stops; the operations turn that into success, and
 * the next service call reports it once.
 */
static int mark_gone(struct alsa *x)
{
	if (x->gone)
		return -ENODEV;
	snd_pcm_close(x->pcm);
	x->pcm = NULL;
	x->n_pfds = 0;
	/* What it held is lost: counted as played, as for an xrun. */
	x->pos_base += x->dev_written;
	x->dev_written = 0;
	x->overflowing = false;
	x->gone = true;
	x->report = true;
	x->backoff_ms = 0;
	x->stalled = false;
	x->reopen_ms = 0;
	(void)reopen_backoff(x);
	return -ENODEV;
}

/* What an operation says once a loss was handled: success. */
static int outward(struct alsa *x, int r)
{
	return r == -ENODEV && x->gone ? 0 : r;
}

/* ---- recovery ---------------------------------------------------------------- */

static int backoff_start(struct alsa *x)
{
	x->backoff_ms = x->backoff_ms ? x->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (x->backoff_ms > BACKOFF_MAX_MS)
		x->backoff_ms = BACKOFF_MAX_MS;
	return timer_set_ns(x, (uint64_t)x->backoff_ms * NSEC_PER_MSEC);
}

/* Ready by poll, yet nothing moved: park the fds for one period. */
static int stall_start(struct alsa *x)
{
	uint64_t ns = (uint64_t)x->period_size * NSEC_PER_SEC / x->base.cfg.rate;

	x->stalled = true;
	return timer_set_ns(x, ns < STALL_MIN_NS ? STALL_MIN_NS :
			       ns > STALL_MAX_NS ? STALL_MAX_NS : ns);
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

	for (int i = 0; i < XFER_ROUNDS && a->fifo.fill > 0 && !parked(x); i++) {
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
	if (a->running && x->dev_written > 0 && !parked(x) &&
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

	for (int i = 0; i < XFER_ROUNDS && a->running && !parked(x); i++) {
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

	if (parked(x))
		return 0;	/* the timer brings it back */
	return outward(x, a->cfg.capture ? pull(x) : push(x));
}

/* ---- triggers and position ----------------------------------------------------- */

static int alsa_start(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);
	int r = 0;

	if (x->gone || x->backoff_ms)
		return 0;	/* the timer restarts it */
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
		return outward(x, r);
	if (a->cfg.capture)
		return outward(x, restart_capture(x));
	return outward(x, push(x));
}

static int alsa_stop(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);
	int r;

	/* The queued frames are discarded, not played: the position stays. */
	x->dev_written = 0;
	x->pos_base = a->position;
	if (x->gone)
		return 0;	/* nothing left to stop */
	r = snd_pcm_drop(x->pcm);
	if (r == -ENODEV)
		return outward(x, mark_gone(x));
	r = snd_pcm_prepare(x->pcm);
	if (r == -ENODEV)
		return outward(x, mark_gone(x));
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
		return outward(x, mark_gone(x));
	return outward(x, prepare(x));
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

	if (parked(x)) {
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

static int device_open(struct alsa *x);

/* The stream is whole again: go on where it was. */
static int resume_flow(struct alsa *x)
{
	if (x->base.running && !x->base.cfg.capture)
		return push(x);
	return restart_capture(x);
}

static int timer_expired(struct alsa *x)
{
	uint64_t expirations;
	int r;

	if (read(x->timer_fd, &expirations, sizeof(expirations)) < 0)
		return errno == EAGAIN ? 0 : negative_errno();
	if (x->gone) {
		if (device_open(x) < 0)
			return reopen_backoff(x);
		x->gone = false;
		x->reopen_ms = 0;
		return resume_flow(x);
	}
	if (x->stalled) {
		x->stalled = false;	/* poll the device again */
		return 0;
	}
	x->backoff_ms = 0;
	r = recover_state(x);
	if (r < 0 || x->backoff_ms)
		return r;
	return resume_flow(x);
}

/* A device that poll found ready: move frames, or park if it refuses. */
static int serve_ready(struct alsa *x, unsigned short revents)
{
	struct sndbe_audio *a = &x->base;
	uint64_t before = a->cfg.capture ? x->captured : x->pos_base + x->dev_written;
	bool work = a->cfg.capture ? a->running : a->fifo.fill > 0;
	int r;

	r = a->cfg.capture ? pull(x) : push(x);
	if (r < 0 || parked(x))
		return r;
	if (work && (revents & (POLLIN | POLLOUT)) &&
	    before == (a->cfg.capture ? x->captured : x->pos_base + x->dev_written))
		return stall_start(x);
	return 0;
}

static int service_device(struct alsa *x, const struct pollfd *fds, unsigned int n)
{
	unsigned short revents;
	int r;

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
	return serve_ready(x, revents);
}

static int alsa_service(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n)
{
	struct alsa *x = to_alsa(a);
	int r;

	r = parked(x) ? timer_expired(x) : service_device(x, fds, n);
	r = outward(x, r);
	if (r == 0 && x->report) {
		x->report = false;
		return -ENODEV;
	}
	return r;
}

static void alsa_free(struct sndbe_audio *a)
{
	struct alsa *x = to_alsa(a);

	if (x->pcm)
		snd_pcm_close(x->pcm);
	safe_close(x->timer_fd);
	free(x->name);
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

/* Open the PCM by name with the stream's parameters, prepared; on failure
 * nothing stays open. */
static int device_open(struct alsa *x)
{
	int r;

	r = open_pcm(x->name, x->base.cfg.capture, &x->pcm);
	if (r < 0)
		return r;
	r = set_hw_params(x);
	if (r >= 0)
		r = set_sw_params(x);
	if (r >= 0)
		r = setup_poll(x);
	/* snd_pcm_hw_params() prepared it; make sure for odd plugins. */
	if (r >= 0 && snd_pcm_state(x->pcm) != SND_PCM_STATE_PREPARED)
		r = snd_pcm_prepare(x->pcm);
	if (r < 0) {
		snd_pcm_close(x->pcm);
		x->pcm = NULL;
		x->n_pfds = 0;
		return r;
	}
	return 0;
}

static int alsa_setup(struct alsa *x, const char *name)
{
	x->timer_fd = RET_NERRNO(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	if (x->timer_fd < 0)
		return x->timer_fd;
	x->name = strdup(name);
	if (!x->name)
		return -ENOMEM;
	return device_open(x);
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
