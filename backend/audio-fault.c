// SPDX-License-Identifier: MIT
/*
 * The "fault:KNOBS:SPEC" host device: any other spec (null, file:, alsa:)
 * behind a device that misbehaves on a schedule, the faults of security.md
 * 5.9, and the recovery the ALSA sink applies to them, so that the stream
 * layer and the daemon can be tested against a failing host on any machine.
 *
 * The wrapper keeps its own FIFO and treats the inner stream as "the
 * device": a transfer moves frames from its FIFO into the inner one
 * (playback, at most one guest buffer queued there) or out of it (capture).
 * Before each transfer the schedule may answer instead of the device:
 *
 *   epipe       an xrun: the device is prepared again (the inner stream
 *               stopped and restarted), what it held counts as played, one
 *               xrun counted; the transfer is retried at once;
 *   estrpipe=MS suspended for MS ms: one xrun, then resumed when MS has
 *               passed (its queue kept); meanwhile the inner stream is
 *               paused and a back-off timer (20 ms doubling to 1 s) replaces
 *               its fds;
 *   enodev=MS   the device vanished (MS: how long it stays away): the inner
 *               stream is closed, what it held counts as played, the
 *               position stops there, frames written meanwhile wait in the
 *               FIFO (the rest is refused as when it is full), and the
 *               device is reopened with back-off (100 ms doubling to 5 s);
 *   eagain      no room now; ends the round;
 *   zero        a transfer of 0 frames; ends the round;
 *   short       half of the frames offered (at least one) are taken;
 *   block=MS    the device stops making progress for MS ms: the inner
 *               stream is paused and its fds give way to a one-shot timer,
 *               so the loop sleeps instead of polling a device that is not
 *               ready.
 * and before each service call of the device's own fds:
 *   pollerr     the fds report POLLERR: the device is prepared again (one
 *               xrun) and parked for one period; POLLERR again at the next
 *               service call means the prepare did not help: as enodev;
 *   pollnval    the fds are invalid: as enodev.
 *
 * A transfer, or a service call, with no progress while there was work
 * (eagain, zero, or an inner stream that took nothing) parks the device
 * for one period (1 to 20 ms): a device that wakes the loop and then
 * refuses cannot make it spin.
 *
 * A lost device is reported once, by the service call that notices it or
 * the next one (-ENODEV); write, read and the triggers go on succeeding,
 * so the guest keeps its stream and hears the device again when it
 * returns (REQ-22).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>

#include "audio-impl.h"
#include "util.h"

/* Transfers per kick: two FIFO runs plus recoveries. */
#define XFER_ROUNDS 4
#define RECOVER_MIN_MS 20u
#define RECOVER_MAX_MS 1000u
#define REOPEN_MIN_MS 100u
#define REOPEN_MAX_MS 5000u
#define STALL_MIN_NS (1 * NSEC_PER_MSEC)
#define STALL_MAX_NS (20 * NSEC_PER_MSEC)
#define RULES_MAX 16u
#define RULE_MS_MAX 600000u

enum fault_kind {
	F_NONE,
	F_EPIPE,
	F_ESTRPIPE,
	F_ENODEV,
	F_EAGAIN,
	F_ZERO,
	F_SHORT,
	F_BLOCK,
	F_POLLERR,	/* the service-call kinds from here on */
	F_POLLNVAL,
};

static const char *const kind_names[] = {
	[F_EPIPE] = "epipe", [F_ESTRPIPE] = "estrpipe", [F_ENODEV] = "enodev",
	[F_EAGAIN] = "eagain", [F_ZERO] = "zero", [F_SHORT] = "short",
	[F_BLOCK] = "block", [F_POLLERR] = "pollerr", [F_POLLNVAL] = "pollnval",
};

struct fault_rule {
	enum fault_kind kind;
	uint32_t ms;
	uint64_t first, last;	/* 1-based call numbers, inclusive */
};

/* Why the device's fds are replaced by our timer. */
enum park {
	PARK_NONE,
	PARK_STALL,	/* blocked or no progress: resume when it fires */
	PARK_SUSPEND,	/* suspended: try to resume when it fires */
	PARK_GONE,	/* vanished: try to reopen when it fires */
};

struct fault {
	struct sndbe_audio base;
	char *spec;			/* the inner device's */
	struct sndbe_audio *dev;	/* NULL while gone */
	struct fault_rule rules[RULES_MAX];
	unsigned int n_rules;
	uint64_t xfers, services;	/* calls so far, for the schedule */

	uint64_t pos_base;	/* playback: played before the device's last reset */
	uint64_t dev_pos0;	/* playback: the device's position at that reset */
	uint64_t dev_moved;	/* playback: written to the device since */
	uint64_t pulled;	/* capture: frames taken from the device */
	bool overflowing;

	int timer_fd;
	enum park park;
	uint32_t backoff_ms;
	uint64_t hold_until_ns;	/* suspended or absent until then */
	bool no_progress;	/* the last transfer round found work and did none */
	bool err_streak;	/* the last device service call saw POLLERR */
	bool report;		/* a loss the next service call reports */
};

static struct fault *to_fault(struct sndbe_audio *a)
{
	return container_of(a, struct fault, base);
}

/* ---- the schedule ------------------------------------------------------------ */

static int parse_u64(const char **p, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(*p, &end, 10);
	if (errno || v > max)
		return -EINVAL;
	*p = end;
	*ret = v;
	return 0;
}

static enum fault_kind kind_lookup(const char *s, size_t len)
{
	for (unsigned int k = F_EPIPE; k < ARRAY_SIZE(kind_names); k++)
		if (strlen(kind_names[k]) == len && strncmp(s, kind_names[k], len) == 0)
			return (enum fault_kind)k;
	return F_NONE;
}

/* "KIND[=MS]@N[..[M]]", ending at @end. */
static int parse_rule(const char *p, const char *end, struct fault_rule *ret)
{
	size_t len = strcspn(p, "=@");
	uint64_t v;

	*ret = (struct fault_rule){ .kind = kind_lookup(p, len) };
	if (ret->kind == F_NONE)
		return -EINVAL;
	p += len;
	if (*p == '=') {
		p++;
		if (parse_u64(&p, RULE_MS_MAX, &v) < 0)
			return -EINVAL;
		ret->ms = (uint32_t)v;
	} else if (ret->kind == F_BLOCK) {
		return -EINVAL;		/* a block needs its length */
	}
	if (*p++ != '@' || parse_u64(&p, UINT64_MAX, &ret->first) < 0 || ret->first == 0)
		return -EINVAL;
	ret->last = ret->first;
	if (p < end && strncmp(p, "..", 2) == 0) {
		p += 2;
		ret->last = UINT64_MAX;
		if (p < end && parse_u64(&p, UINT64_MAX, &ret->last) < 0)
			return -EINVAL;
	}
	return p == end && ret->last >= ret->first ? 0 : -EINVAL;
}

/* KNOBS (up to the first ':'), then the inner spec, which may not be
 * another fault device. */
static int parse_spec(const char *arg, struct fault_rule *rules, unsigned int *ret_n,
		      const char **ret_inner)
{
	const char *colon = strchr(arg, ':'), *p = arg;
	unsigned int n = 0;

	if (!colon || !colon[1] || strncmp(colon + 1, "fault:", 6) == 0)
		return -EINVAL;
	while (p < colon) {
		const char *end = memchr(p, ',', (size_t)(colon - p));

		if (!end)
			end = colon;
		if (n == RULES_MAX || parse_rule(p, end, &rules[n]) < 0)
			return -EINVAL;
		n++;
		p = end < colon ? end + 1 : end;
		if (end < colon && p == colon)
			return -EINVAL;		/* a trailing comma */
	}
	*ret_n = n;
	*ret_inner = colon + 1;
	return 0;
}

/* The fault the schedule puts at this call, if any; counts the call. */
static const struct fault_rule *next_fault(struct fault *f, bool service)
{
	uint64_t call = service ? ++f->services : ++f->xfers;

	for (unsigned int i = 0; i < f->n_rules; i++) {
		const struct fault_rule *r = &f->rules[i];

		if ((r->kind >= F_POLLERR) == service && call >= r->first && call <= r->last)
			return r;
	}
	return NULL;
}

/* ---- parking behind the timer -------------------------------------------------- */

static int timer_set(struct fault *f, uint64_t ns)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	its.it_value.tv_nsec = (long)(ns % NSEC_PER_SEC);
	if (ns == 0)
		its.it_value.tv_nsec = 1;	/* 0 would disarm it */
	return RET_NERRNO(timerfd_settime(f->timer_fd, 0, &its, NULL));
}

static uint64_t period_ns(const struct fault *f)
{
	uint64_t ns = (uint64_t)f->base.cfg.period_frames * NSEC_PER_SEC / f->base.cfg.rate;

	return ns < STALL_MIN_NS ? STALL_MIN_NS : ns > STALL_MAX_NS ? STALL_MAX_NS : ns;
}

static int park(struct fault *f, enum park why, uint64_t ns)
{
	f->park = why;
	return timer_set(f, ns);
}

/* The next back-off step of @why: MIN, then doubling up to MAX. */
static int park_backoff(struct fault *f, enum park why)
{
	uint32_t lo = why == PARK_GONE ? REOPEN_MIN_MS : RECOVER_MIN_MS;
	uint32_t hi = why == PARK_GONE ? REOPEN_MAX_MS : RECOVER_MAX_MS;

	f->backoff_ms = f->park == why && f->backoff_ms ? f->backoff_ms * 2 : lo;
	if (f->backoff_ms > hi)
		f->backoff_ms = hi;
	return park(f, why, (uint64_t)f->backoff_ms * NSEC_PER_MSEC);
}

/* ---- device resets --------------------------------------------------------------- */

/* Forget what the device holds (counted as played) and start it afresh. */
static void dev_rebase(struct fault *f)
{
	f->pos_base += f->dev_moved;
	f->dev_moved = 0;
	f->dev_pos0 = f->dev ? sndbe_audio_position(f->dev) : 0;
}

static int dev_prepare(struct fault *f)
{
	int r;

	f->base.xruns++;
	r = sndbe_audio_stop(f->dev);
	dev_rebase(f);
	if (r >= 0 && f->base.running)
		r = sndbe_audio_start(f->dev);
	return r;
}

static int dev_lost(struct fault *f, uint32_t away_ms)
{
	dev_rebase(f);
	f->dev = sndbe_audio_close(f->dev);
	f->dev_pos0 = 0;
	f->overflowing = false;
	f->report = true;
	f->hold_until_ns = now_ns() + (uint64_t)away_ms * NSEC_PER_MSEC;
	f->park = PARK_NONE;
	return park_backoff(f, PARK_GONE);
}

static int dev_suspend(struct fault *f, uint32_t ms)
{
	int r;

	f->base.xruns++;
	if (ms == 0)
		return 0;	/* resumed at once, queue kept */
	f->hold_until_ns = now_ns() + (uint64_t)ms * NSEC_PER_MSEC;
	r = sndbe_audio_pause(f->dev);
	if (r < 0)
		return r;
	f->park = PARK_NONE;
	return park_backoff(f, PARK_SUSPEND);
}

static int dev_block(struct fault *f, uint32_t ms)
{
	int r = sndbe_audio_pause(f->dev);

	if (r < 0)
		return r;
	return park(f, PARK_STALL, (uint64_t)ms * NSEC_PER_MSEC);
}

/* ---- transfers --------------------------------------------------------------------- */

/* Apply a transfer fault. Return: 1 to retry now, 0 to end the round,
 * 2 to go on with @n (perhaps shortened), or a negative errno. */
static int xfer_fault(struct fault *f, const struct fault_rule *rule, uint32_t *n)
{
	int r;

	switch (rule ? rule->kind : F_NONE) {
	case F_EPIPE:
		r = dev_prepare(f);
		return r < 0 ? r : 1;
	case F_ESTRPIPE:
		r = dev_suspend(f, rule->ms);
		return r < 0 ? r : f->park ? 0 : 1;
	case F_ENODEV:
		r = dev_lost(f, rule->ms);
		return r < 0 ? r : 0;
	case F_EAGAIN:
	case F_ZERO:
		f->no_progress = true;
		return 0;
	case F_BLOCK:
		r = dev_block(f, rule->ms);
		return r < 0 ? r : 0;
	case F_SHORT:
		*n = *n > 1 ? *n / 2 : 1;
		return 2;
	default:
		return 2;
	}
}

/* What the inner stream itself said: -ENODEV is a lost device. */
static int dev_result(struct fault *f, int r)
{
	if (r == -ENODEV)
		return dev_lost(f, 0);
	return r;
}

static int push(struct fault *f)
{
	struct sndbe_audio *a = &f->base;

	for (int i = 0; i < XFER_ROUNDS && a->fifo.fill > 0 && !f->park && f->dev; i++) {
		const uint8_t *src;
		uint32_t n = sndbe_fifo_peek(&a->fifo, &src);
		uint32_t room = f->dev->fifo.fill < a->cfg.buffer_frames ?
				a->cfg.buffer_frames - f->dev->fifo.fill : 0;
		int r;

		if (room == 0)
			break;		/* full: the device's fds say when */
		if (n > room)
			n = room;
		r = xfer_fault(f, next_fault(f, false), &n);
		if (r <= 0)
			return r;
		if (r == 1)
			continue;
		r = sndbe_audio_write(f->dev, src, n);
		if (r <= 0) {
			f->no_progress = r == 0;
			return dev_result(f, r);
		}
		sndbe_fifo_drop(&a->fifo, (uint32_t)r);
		f->dev_moved += (uint32_t)r;
	}
	return 0;
}

/* Room for @avail frames at the FIFO's tail: the oldest go when nobody
 * read them in time (one overflow, however long it lasts). */
static void capture_room(struct fault *f, uint32_t avail)
{
	struct sndbe_audio *a = &f->base;
	uint32_t room = a->fifo.capacity - a->fifo.fill;

	if (avail > a->fifo.capacity)
		avail = a->fifo.capacity;
	if (room >= avail) {
		f->overflowing = false;
		return;
	}
	if (!f->overflowing)
		a->xruns++;
	f->overflowing = true;
	sndbe_fifo_drop(&a->fifo, avail - room);
}

static int pull(struct fault *f)
{
	struct sndbe_audio *a = &f->base;

	for (int i = 0; i < XFER_ROUNDS && a->running && !f->park && f->dev; i++) {
		uint8_t *dst;
		uint32_t n;
		int r;

		if (f->dev->fifo.fill == 0)
			break;		/* nothing captured yet */
		capture_room(f, f->dev->fifo.fill);
		n = sndbe_fifo_reserve(&a->fifo, &dst);
		r = xfer_fault(f, next_fault(f, false), &n);
		if (r <= 0)
			return r;
		if (r == 1)
			continue;
		r = sndbe_audio_read(f->dev, dst, n);
		if (r <= 0) {
			f->no_progress = r == 0;
			return dev_result(f, r);
		}
		sndbe_fifo_commit(&a->fifo, (uint32_t)r);
		f->pulled += (uint32_t)r;
	}
	return 0;
}

static int fault_kick(struct sndbe_audio *a)
{
	struct fault *f = to_fault(a);
	int r;

	if (!f->dev || f->park)
		return 0;
	if (a->cfg.capture) {
		/* Bring the inner source up to date before taking from it. */
		r = sndbe_audio_read(f->dev, NULL, 0);
		if (r < 0)
			return dev_result(f, r);
	}
	r = a->cfg.capture ? pull(f) : push(f);
	return r == -ENODEV ? 0 : r;	/* reported by the next service call */
}

/* ---- triggers and position ----------------------------------------------------------- */

static int fault_start(struct sndbe_audio *a)
{
	struct fault *f = to_fault(a);
	int r;

	if (!f->dev || f->park)
		return 0;	/* the timer starts it when it fires */
	r = dev_result(f, sndbe_audio_start(f->dev));
	if (r < 0)
		return r == -ENODEV ? 0 : r;
	return fault_kick(a);
}

static int fault_stop(struct sndbe_audio *a)
{
	struct fault *f = to_fault(a);
	int r = 0;

	if (f->dev)
		r = sndbe_audio_stop(f->dev);
	/* The device's queue is discarded, not played: the position stays. */
	f->pos_base = a->position;
	f->dev_moved = 0;
	f->dev_pos0 = f->dev ? sndbe_audio_position(f->dev) : 0;
	return dev_result(f, r);
}

static int fault_pause(struct sndbe_audio *a)
{
	struct fault *f = to_fault(a);
	int r;

	if (!f->dev)
		return 0;
	r = dev_result(f, sndbe_audio_pause(f->dev));
	return r == -ENODEV ? 0 : r;
}

static uint64_t fault_position(struct sndbe_audio *a)
{
	struct fault *f = to_fault(a);
	uint64_t played;

	if (a->cfg.capture)
		return f->pulled;
	if (!f->dev)
		return f->pos_base;
	played = sndbe_audio_position(f->dev) - f->dev_pos0;
	return f->pos_base + (played < f->dev_moved ? played : f->dev_moved);
}

static uint32_t fault_delay(struct sndbe_audio *a)
{
	struct fault *f = to_fault(a);
	struct sndbe_audio_stats st;
	uint64_t d;

	if (!f->dev || a->cfg.capture)
		return 0;
	sndbe_audio_stats(f->dev, &st);
	d = (uint64_t)st.fifo_frames + st.delay_frames;
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

/* ---- the loop's side ------------------------------------------------------------------- */

static int fault_fds(struct sndbe_audio *a, struct pollfd *fds, unsigned int n)
{
	struct fault *f = to_fault(a);

	if (f->park) {
		if (n < 1)
			return -ENOBUFS;
		fds[0] = (struct pollfd){ .fd = f->timer_fd, .events = POLLIN };
		return 1;
	}
	return f->dev ? sndbe_audio_fds(f->dev, fds, n) : 0;
}

static int dev_reopen(struct fault *f)
{
	int r;

	if (now_ns() < f->hold_until_ns)
		return -ENODEV;
	r = sndbe_audio_open(f->spec, &f->base.cfg, &f->dev);
	if (r < 0)
		return r;
	if (f->base.running) {
		r = sndbe_audio_start(f->dev);
		if (r < 0) {
			f->dev = sndbe_audio_close(f->dev);
			return r;
		}
	}
	return 0;
}

/* Our timer fired: end the stall, resume, or reopen. */
static int unpark(struct fault *f)
{
	uint64_t expirations;
	int r = 0;

	if (read(f->timer_fd, &expirations, sizeof(expirations)) < 0)
		return errno == EAGAIN ? 0 : negative_errno();
	if (f->park == PARK_GONE && dev_reopen(f) < 0)
		return park_backoff(f, PARK_GONE);
	if (f->park == PARK_SUSPEND && now_ns() < f->hold_until_ns)
		return park_backoff(f, PARK_SUSPEND);
	if (f->park != PARK_GONE && f->base.running)
		r = sndbe_audio_start(f->dev);
	f->park = PARK_NONE;
	f->backoff_ms = 0;
	if (r < 0)
		return dev_result(f, r);
	return fault_kick(&f->base);
}

/* The device's fds were ready, with what the schedule adds to their revents. */
static int serve_device(struct fault *f, const struct pollfd *fds, unsigned int n)
{
	const struct fault_rule *rule = next_fault(f, true);
	int r;

	if (rule && rule->kind == F_POLLNVAL)
		return dev_lost(f, 0);
	if (rule && rule->kind == F_POLLERR) {
		if (f->err_streak)
			return dev_lost(f, 0);	/* a prepare did not help */
		f->err_streak = true;
		r = dev_prepare(f);
		if (r < 0)
			return dev_result(f, r);
		return park(f, PARK_STALL, period_ns(f));
	}
	f->err_streak = false;
	r = sndbe_audio_service(f->dev, fds, n);
	if (r < 0)
		return dev_result(f, r);
	f->no_progress = false;
	r = fault_kick(&f->base);
	if (r < 0)
		return r;
	if (f->no_progress && !f->park)
		return park(f, PARK_STALL, period_ns(f));
	return 0;
}

static int fault_service(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n)
{
	struct fault *f = to_fault(a);
	int r;

	if (f->park)
		r = unpark(f);
	else if (f->dev)
		r = serve_device(f, fds, n);
	else
		r = 0;
	if (r < 0 && r != -ENODEV)
		return r;
	if (f->report) {
		f->report = false;
		return -ENODEV;
	}
	return 0;
}

static void fault_free(struct sndbe_audio *a)
{
	struct fault *f = to_fault(a);

	sndbe_audio_close(f->dev);
	safe_close(f->timer_fd);
	free(f->spec);
	sndbe_audio_done(a);
	free(f);
}

static const struct sndbe_audio_ops fault_ops = {
	.start = fault_start,
	.stop = fault_stop,
	.pause = fault_pause,
	.kick = fault_kick,
	.position = fault_position,
	.delay = fault_delay,
	.fds = fault_fds,
	.service = fault_service,
	.free = fault_free,
};

/**
 * sndbe_audio_fault_open() - open a "fault:KNOBS:SPEC" stream.
 * @arg: "KNOBS:SPEC", after "fault:".
 * @cfg: the checked configuration.
 * @ret: the stream, prepared.
 *
 * Context: opens SPEC (may block as its own open does).
 * Return: 0, -EINVAL (malformed knobs, a nested fault device), or what
 * opening SPEC returns.
 */
int sndbe_audio_fault_open(const char *arg, const struct sndbe_audio_config *cfg,
			   struct sndbe_audio **ret)
{
	struct fault *f;
	const char *inner;
	int r;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->timer_fd = -1;
	r = sndbe_audio_init(&f->base, &fault_ops, cfg);
	if (r < 0) {
		free(f);
		return r;
	}
	r = parse_spec(arg, f->rules, &f->n_rules, &inner);
	if (r == 0) {
		f->spec = strdup(inner);
		r = f->spec ? 0 : -ENOMEM;
	}
	if (r == 0)
		r = f->timer_fd = RET_NERRNO(timerfd_create(CLOCK_MONOTONIC,
							      TFD_NONBLOCK | TFD_CLOEXEC));
	if (r >= 0)
		r = sndbe_audio_open(f->spec, cfg, &f->dev);
	if (r < 0) {
		fault_free(&f->base);
		return r;
	}
	*ret = &f->base;
	return 0;
}

/**
 * sndbe_audio_fault_probe() - the capability space of the inner device.
 * Return: 0, -EINVAL for malformed knobs, or what probing SPEC returns.
 */
int sndbe_audio_fault_probe(const char *arg, bool capture, struct vsnd_hw_caps *ret)
{
	struct fault_rule rules[RULES_MAX];
	const char *inner;
	unsigned int n;
	int r;

	r = parse_spec(arg, rules, &n, &inner);
	if (r < 0)
		return r;
	return sndbe_audio_probe(inner, capture, ret);
}
