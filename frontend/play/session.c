// SPDX-License-Identifier: MIT
/*
 * session.c - the card and stream side of vsnd-play: connecting to the vsnd
 * device, picking the stream, checking the chosen parameters against the
 * stream's limits, negotiating them with HW_PARAM_QUERY the way a Linux
 * guest does (a few round trips narrowing the space to the exact choice),
 * OPEN, waiting for CUR_POS events, and STOP/CLOSE at the end.
 *
 * Waiting is poll() on the stream's event fd, the card's XenStore fd (the
 * backend going away ends the run) and a signalfd for SIGINT/SIGTERM, so
 * Ctrl-C is noticed between requests and the stream is still stopped and
 * closed properly.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "play.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"

/* poll() wakes at least this often to look at the position. */
#define POLL_TICK_MS 100

static void lib_log(void *opaque, enum vsndfe_log_level level, const char *msg)
{
	const struct play_opts *o = opaque;

	if (level <= VSNDFE_LOG_WARN || o->verbose)
		fprintf(stderr, PROGRAM ": libvsndfront: %s\n", msg);
}

/* pcm and stream numbers of a card-wide stream index. */
static void locate(struct session *ss, unsigned int index)
{
	ss->rep.index = index;
	(void)vsnd_xscfg_stream_at(vsndfe_card_config(ss->card), index, &ss->rep.pcm,
				   &ss->rep.stream);
}

static int find_stream(struct session *ss, bool playback, unsigned int *ret)
{
	const struct play_opts *o = ss->opts;
	unsigned int n = vsndfe_card_stream_count(ss->card);

	if (o->stream_index >= 0) {
		if ((unsigned int)o->stream_index >= n)
			return log_error(-ENOENT, "--stream-index %d: vsnd device %u has %u "
					 "streams", o->stream_index, o->devid, n);
		*ret = (unsigned int)o->stream_index;
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct vsndfe_stream *s = vsndfe_card_stream(ss->card, i);

		if (o->pcm >= 0 && s == vsndfe_card_stream_at(ss->card, (unsigned int)o->pcm,
							      (unsigned int)o->stream)) {
			*ret = i;
			return 0;
		}
		if (o->pcm < 0 && vsndfe_stream_is_playback(s) == playback) {
			*ret = i;
			return 0;
		}
	}
	if (o->pcm >= 0)
		return log_error(-ENOENT, "--pcm %d --stream %d: vsnd device %u has no such "
				 "stream", o->pcm, o->stream, o->devid);
	return log_error(-ENOENT, "vsnd device %u has no %s stream", o->devid,
			 playback ? "playback" : "capture");
}

static int pick_stream(struct session *ss)
{
	bool playback = ss->opts->cmd == CMD_PLAY;
	unsigned int index;
	int r;

	r = find_stream(ss, playback, &index);
	if (r < 0)
		return r;
	ss->s = vsndfe_card_stream(ss->card, index);
	locate(ss, index);
	if (vsndfe_stream_is_playback(ss->s) != playback)
		return log_error(-EINVAL, "stream %u (pcm %u, stream %u) is a %s stream; %s "
				 "needs a %s stream", index, ss->rep.pcm, ss->rep.stream,
				 playback ? "capture" : "playback", playback ? "play" : "record",
				 playback ? "playback" : "capture");
	return 0;
}

static int block_signals(struct session *ss)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return log_errno(-errno, "blocking SIGINT and SIGTERM");
	ss->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ss->sigfd < 0)
		return log_errno(-errno, "creating a signalfd");
	return 0;
}

int session_open(struct session *ss, const struct play_opts *opts)
{
	struct vsndfe_options vo = {
		.xen = opts->xen,
		.domid = opts->domid,
		.devid = opts->devid,
		.log = lib_log,
		.log_opaque = (void *)opts,
	};
	int r;

	ss->opts = opts;
	r = vsndfe_card_open(&vo, &ss->card);
	if (r == -ENOENT)
		return log_error(r, "vsnd device %u does not exist (xen %s, domain %u)",
				 opts->devid, opts->xen, opts->domid);
	if (r < 0)
		return log_errno(r, "connecting to vsnd device %u (xen %s)", opts->devid,
				 opts->xen);
	r = block_signals(ss);
	if (r < 0)
		return r;
	return pick_stream(ss);
}

void session_close(struct session *ss)
{
	ss->card = vsndfe_card_close(ss->card);
	ss->s = NULL;
	if (ss->sigfd >= 0)
		close(ss->sigfd);
	ss->sigfd = -1;
}

static int check_limits(struct session *ss, const struct vsndfe_pcm_params *p,
			const char *origin, const char *borigin)
{
	struct vsnd_stream_limits lim;
	char where[48], list[512];
	int r;

	r = vsndfe_stream_limits(ss->s, &lim);
	if (r < 0)
		return log_errno(r, "reading the limits of stream %u", ss->rep.index);
	snprintf(where, sizeof(where), "stream %u (pcm %u, stream %u)", ss->rep.index,
		 ss->rep.pcm, ss->rep.stream);
	if (!(lim.formats & VSND_FORMAT_BIT(p->format)))
		return log_error(-EINVAL, "%s: format %s is not allowed on %s: it offers %s",
				 origin, format_name(p->format), where,
				 format_list(lim.formats, list, sizeof(list)));
	if (!vsnd_rate_set_contains(&lim.rates, p->rate))
		return log_error(-EINVAL, "%s: rate %u Hz is not allowed on %s: it offers %s",
				 origin, p->rate, where, rate_list(&lim.rates, list, sizeof(list)));
	if (p->channels < lim.channels_min || p->channels > lim.channels_max)
		return log_error(-EINVAL, "%s: %u channels: %s takes %u to %u", origin,
				 p->channels, where, lim.channels_min, lim.channels_max);
	if (p->buffer_bytes > lim.buffer_bytes_max)
		return log_error(-EINVAL, "buffer of %u octets (%s) exceeds the buffer-size of "
				 "%s, %u octets", p->buffer_bytes, borigin, where,
				 lim.buffer_bytes_max);
	return 0;
}

/* Period and buffer in octets from the options; @borigin says where the buffer came from. */
static int compute_sizes(struct session *ss, struct vsndfe_pcm_params *p, char *borigin,
			 size_t borigin_len)
{
	const struct play_opts *o = ss->opts;
	uint32_t f = ss->frame_bytes;
	uint64_t period, buffer;

	if (o->period_bytes && o->period_bytes % f)
		return log_error(-EINVAL, "--period-bytes %u: not a whole number of %u-octet "
				 "frames (%s, %u channels)", o->period_bytes, f,
				 format_name(p->format), p->channels);
	if (o->buffer_bytes && o->buffer_bytes % f)
		return log_error(-EINVAL, "--buffer-bytes %u: not a whole number of %u-octet "
				 "frames (%s, %u channels)", o->buffer_bytes, f,
				 format_name(p->format), p->channels);
	period = o->period_bytes;
	if (!period) {
		uint64_t frames = (uint64_t)p->rate * (o->period_ms ? o->period_ms :
						       DEFAULT_PERIOD_MS) / 1000;

		period = (frames ? frames : 1) * f;
	}
	buffer = o->buffer_bytes;
	snprintf(borigin, borigin_len, "--buffer-bytes");
	if (!buffer) {
		unsigned int k = o->periods ? o->periods : DEFAULT_PERIODS;

		buffer = period * k;
		snprintf(borigin, borigin_len, "%u periods of %llu octets", k,
			 (unsigned long long)period);
	}
	if (period > UINT32_MAX || buffer > UINT32_MAX)
		return log_error(-EINVAL, "buffer of %llu octets (%s): sndif sizes are 32-bit",
				 (unsigned long long)buffer, borigin);
	if (period < LINUX_PERIOD_BYTES_MIN)
		return log_error(-EINVAL, "period of %llu octets: below Linux's minimum of %u "
				 "octets", (unsigned long long)period, LINUX_PERIOD_BYTES_MIN);
	if (buffer < LINUX_PERIODS_MIN * period)
		return log_error(-EINVAL, "buffer of %llu octets (%s) holds fewer than %u periods "
				 "of %llu octets", (unsigned long long)buffer, borigin,
				 LINUX_PERIODS_MIN, (unsigned long long)period);
	p->period_bytes = (uint32_t)period;
	p->buffer_bytes = (uint32_t)buffer;
	return 0;
}

static int query(struct session *ss, struct vsnd_hw_space *sp, const char *what)
{
	int r = vsndfe_stream_query(ss->s, sp);

	ss->rep.queries++;
	if (r == -EINVAL)
		return log_error(r, "HW_PARAM_QUERY (%s): the backend finds no feasible "
				 "configuration", what);
	if (r < 0)
		return log_errno(r, "HW_PARAM_QUERY (%s)", what);
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int refused(const struct vsnd_interval *i, uint32_t v, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (vsnd_interval_contains(i, v))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return log_error(-EINVAL, "%s: the backend accepts %u to %u", msg, i->min, i->max);
}

/* HW_PARAM_QUERY round trips from the stream's whole space down to @p. */
static int negotiate(struct session *ss, const struct vsndfe_pcm_params *p,
		     const struct vsnd_stream_limits *lim)
{
	uint32_t bf = p->buffer_bytes / ss->frame_bytes, pf = p->period_bytes / ss->frame_bytes;
	struct vsnd_hw_space sp = { .formats = lim->formats & VSND_FORMATS_FIXED };
	char list[512];
	int r;

	vsnd_interval_set(&sp.rates, lim->rates.min, lim->rates.max);
	vsnd_interval_set(&sp.channels, lim->channels_min, lim->channels_max);
	vsnd_interval_set(&sp.buffer_frames, 1, lim->buffer_bytes_max);
	vsnd_interval_set(&sp.period_frames, 1, lim->buffer_bytes_max);
	r = query(ss, &sp, "the stream's whole space");
	if (r < 0)
		return r;
	if (!(sp.formats & VSND_FORMAT_BIT(p->format)))
		return log_error(-EINVAL, "format %s: the backend offers %s",
				 format_name(p->format), format_list(sp.formats, list, sizeof(list)));
	r = refused(&sp.rates, p->rate, "rate %u Hz", p->rate);
	if (r == 0)
		r = refused(&sp.channels, p->channels, "%u channels", p->channels);
	if (r < 0)
		return r;
	sp.formats = VSND_FORMAT_BIT(p->format);
	vsnd_interval_set(&sp.rates, p->rate, p->rate);
	vsnd_interval_set(&sp.channels, p->channels, p->channels);
	r = query(ss, &sp, "format, rate and channels chosen");
	if (r < 0)
		return r;
	r = refused(&sp.buffer_frames, bf, "buffer of %u frames (%u octets)", bf,
		    p->buffer_bytes);
	if (r == 0)
		r = refused(&sp.period_frames, pf, "period of %u frames (%u octets)", pf,
			    p->period_bytes);
	if (r < 0)
		return r;
	vsnd_interval_set(&sp.buffer_frames, bf, bf);
	vsnd_interval_set(&sp.period_frames, pf, pf);
	return query(ss, &sp, "buffer and period chosen");
}

int session_configure(struct session *ss, struct vsndfe_pcm_params *p, const char *origin)
{
	struct vsnd_stream_limits lim;
	char borigin[64];
	int r;

	r = vsnd_frame_bytes(p->format, p->channels, &ss->frame_bytes);
	if (r < 0)
		return log_error(r, "%s: format %s with %u channels has no fixed frame size",
				 origin, format_name(p->format), p->channels);
	r = compute_sizes(ss, p, borigin, sizeof(borigin));
	if (r < 0)
		return r;
	r = check_limits(ss, p, origin, borigin);
	if (r < 0)
		return r;
	r = vsndfe_stream_limits(ss->s, &lim);
	if (r < 0)
		return log_errno(r, "reading the limits of stream %u", ss->rep.index);
	ss->rep.params = *p;
	return negotiate(ss, p, &lim);
}

int session_open_stream(struct session *ss, const struct vsndfe_pcm_params *p)
{
	uint64_t buffer_ms = (uint64_t)p->buffer_bytes * 1000 / ss->frame_bytes / p->rate;
	int r;

	r = vsndfe_stream_open(ss->s, p);
	if (r < 0)
		return log_errno(r, "OPEN of stream %u (%u Hz, %s, %u channels, buffer %u "
				 "octets, period %u octets)", ss->rep.index, p->rate,
				 format_name(p->format), p->channels, p->buffer_bytes,
				 p->period_bytes);
	ss->stall_ms = buffer_ms * 4 > STALL_MS_MIN ? (uint32_t)(buffer_ms * 4) : STALL_MS_MIN;
	return 0;
}

int session_start(struct session *ss)
{
	int r = vsndfe_stream_trigger(ss->s, XENSND_OP_TRIGGER_START);

	if (r < 0)
		return log_errno(r, "TRIGGER START of stream %u", ss->rep.index);
	ss->last_progress_ms = now_ms();
	return 0;
}

static int card_changed(struct session *ss)
{
	int r = vsndfe_card_process(ss->card);

	if (r < 0)
		return log_errno(r, "following the backend's state");
	if (r == 1 || !vsndfe_card_connected(ss->card))
		return log_error(-ENOTCONN, "the backend disconnected or restarted: stream %u "
				 "is gone", ss->rep.index);
	return 0;
}

static void note_events(struct session *ss, int n, uint64_t pos)
{
	if (!ss->rep.have_pos) {
		ss->rep.have_pos = true;
		ss->rep.pos_first = pos;
	}
	ss->rep.pos_last = pos;
	ss->rep.events += (uint64_t)n;
}

/*
 * Wait for CUR_POS events (at most one poll tick) and consume them.
 * Return: 0 with the position in *@ret_pos, 1 when a signal asks to stop,
 * or a negative errno (reported).
 */
int session_wait(struct session *ss, uint64_t *ret_pos)
{
	struct pollfd pfd[3] = {
		{ .fd = vsndfe_stream_evt_fd(ss->s), .events = POLLIN },
		{ .fd = vsndfe_card_fd(ss->card), .events = POLLIN },
		{ .fd = ss->sigfd, .events = POLLIN },
	};
	struct vsndfe_stream_stats st;
	uint64_t now;
	int r;

	if (poll(pfd, 3, POLL_TICK_MS) < 0 && errno != EINTR)
		return log_errno(-errno, "waiting for CUR_POS events");
	if (pfd[2].revents & POLLIN) {
		struct signalfd_siginfo si;

		if (read(ss->sigfd, &si, sizeof(si)) > 0)
			fprintf(stderr, PROGRAM ": %s: stopping\n", strsignal((int)si.ssi_signo));
		ss->rep.interrupted = true;
		return 1;
	}
	if (pfd[1].revents & POLLIN) {
		r = card_changed(ss);
		if (r < 0)
			return r;
	}
	r = vsndfe_stream_process_events(ss->s);
	if (r < 0)
		return log_errno(r, "reading the CUR_POS events of stream %u", ss->rep.index);
	vsndfe_stream_stats(ss->s, &st);
	now = now_ms();
	if (r > 0)
		note_events(ss, r, st.position_bytes);
	if (st.position_bytes != *ret_pos)
		ss->last_progress_ms = now;
	else if (now - ss->last_progress_ms > ss->stall_ms)
		return log_error(-ETIME, "the position of stream %u stayed at %llu octets for "
				 "%u ms: the backend stopped reporting progress", ss->rep.index,
				 (unsigned long long)st.position_bytes, ss->stall_ms);
	*ret_pos = st.position_bytes;
	return 0;
}

/* Errors after which talking to the backend again is pointless (a position
 * that stands still is -ETIME: the backend still answers, so STOP is sent). */
static bool fatal(int err)
{
	return err == -ETIMEDOUT || err == -EPROTO || err == -ENOTCONN;
}

/* STOP (when started), CLOSE, and the request counts for the report. */
int session_finish(struct session *ss, bool started, int err)
{
	struct vsndfe_stream_stats st;
	int r = 0, q;

	if (started && !fatal(err)) {
		q = vsndfe_stream_trigger(ss->s, XENSND_OP_TRIGGER_STOP);
		if (q < 0)
			r = log_errno(q, "TRIGGER STOP of stream %u", ss->rep.index);
	}
	q = vsndfe_stream_close(ss->s);
	if (q < 0 && !fatal(err))
		r = log_errno(q, "CLOSE of stream %u", ss->rep.index);
	vsndfe_stream_stats(ss->s, &st);
	ss->rep.requests = st.requests;
	if (st.queries != ss->rep.queries)
		log_warn(ss, "the library counted %llu HW_PARAM_QUERY round trips, vsnd-play %llu",
			 (unsigned long long)st.queries, (unsigned long long)ss->rep.queries);
	return r;
}
