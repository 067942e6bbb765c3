// SPDX-License-Identifier: MIT
/*
 * guest.c - the P1 guests: one process per simulated domain, each playing
 * its card's streams on libvsndfront the way a real player keeps a stream
 * fed, and the bench's side of talking to them.
 *
 * A guest opens every stream (48 kHz, S16_LE, stereo, the bench's period,
 * a buffer of a few periods), fills the whole buffer with WRITE, sends
 * START, and from then on each CUR_POS position frees the periods the
 * backend has played, which are written again at once (split at the buffer
 * end), so the stream never starves unless the guest is late.
 *
 * An underrun, as the guest sees it, is an episode during which the
 * position either stood still for more than two periods or caught up with
 * everything written; it ends when the position moves again with data in
 * flight. Episodes are counted per stream over the measured window.
 *
 * The bench and a guest talk over a SOCK_SEQPACKET pair: the guest sends
 * READY once its streams run (or FAILED with the reason), the bench sends
 * 'W' at the start of the measured window and 'E' at its end, and the guest
 * answers 'E' with its statistics, then stops, closes and exits.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-int.h"
#include "vsnd-common/util.h"
#include "vsnd/wire.h"
#include "vsndfront.h"

#define MAX_GUESTS 64u

struct pstream {
	struct vsndfe_stream *s;
	uint64_t written;	/* octets sent with WRITE since OPEN */
	uint64_t pos;		/* last position */
	uint64_t moved_ns;	/* when the position last advanced */
	uint64_t window_pos;	/* position at the start of the window */
	bool in_underrun;
};

struct guest {
	const struct bench_p1_params *p;
	int ctl;
	struct vsndfe_card *card;
	unsigned int n;
	struct pstream st[GUEST_STREAMS_MAX];
	uint32_t size;		/* buffer octets */
	bool in_window;
	struct bench_p1_stats stats;
};

struct bench_guests {
	unsigned int n;
	pid_t pid[MAX_GUESTS];
	int ctl[MAX_GUESTS];
};

/* ---- the guest process ------------------------------------------------------- */

/* Write every whole period the position has freed. */
static int refill(struct guest *g, struct pstream *ps)
{
	uint32_t period = g->p->period_bytes;
	int r;

	while (ps->written + period <= ps->pos + g->size) {
		uint32_t off = (uint32_t)(ps->written % g->size);

		r = vsndfe_stream_write(ps->s, off, period);
		if (r < 0)
			return r;
		ps->written += period;
		if (g->in_window)
			g->stats.writes++;
	}
	return 0;
}

static void note_position(struct guest *g, struct pstream *ps, uint64_t pos, uint64_t now)
{
	uint64_t limit_ns = 2u * (uint64_t)g->p->period_bytes * NSEC_PER_SEC / BENCH_BYTES_PER_SEC;
	bool dry = pos >= ps->written;
	uint64_t gap;

	if (pos > ps->pos) {
		gap = (now - ps->moved_ns) / 1000u;
		if (g->in_window && gap > g->stats.max_gap_us)
			g->stats.max_gap_us = (uint32_t)(gap < UINT32_MAX ? gap : UINT32_MAX);
		ps->pos = pos;
		ps->moved_ns = now;
		if (!dry)
			ps->in_underrun = false;
	}
	if (!ps->in_underrun && (dry || now - ps->moved_ns > limit_ns)) {
		ps->in_underrun = true;
		if (g->in_window)
			g->stats.underruns++;
	}
}

static int service_stream(struct guest *g, struct pstream *ps, uint64_t now)
{
	struct vsndfe_stream_stats st;
	int r = vsndfe_stream_process_events(ps->s);

	if (r < 0)
		return r;
	if (g->in_window)
		g->stats.events += (uint64_t)r;
	vsndfe_stream_stats(ps->s, &st);
	note_position(g, ps, st.position_bytes, now);
	return refill(g, ps);
}

static int open_streams(struct guest *g)
{
	struct vsndfe_pcm_params pp = { BENCH_RATE, XENSND_PCM_FORMAT_S16_LE, 2, g->size,
					g->p->period_bytes };
	int r;

	for (unsigned int i = 0; i < g->n; i++) {
		struct pstream *ps = &g->st[i];

		ps->s = vsndfe_card_stream(g->card, i);
		if (!ps->s)
			return -ENODEV;
		r = vsndfe_stream_open(ps->s, &pp);
		if (r < 0)
			return r;
		r = refill(g, ps);
		if (r < 0)
			return r;
	}
	for (unsigned int i = 0; i < g->n; i++) {
		r = vsndfe_stream_trigger(g->st[i].s, XENSND_OP_TRIGGER_START);
		if (r < 0)
			return r;
		g->st[i].moved_ns = now_ns();
	}
	return 0;
}

static void window_start(struct guest *g)
{
	g->in_window = true;
	g->stats = (struct bench_p1_stats){ .streams = g->n };
	for (unsigned int i = 0; i < g->n; i++)
		g->st[i].window_pos = g->st[i].pos;
}

/* Serve the streams until the bench says 'E'. */
static int play(struct guest *g)
{
	struct pollfd pf[GUEST_STREAMS_MAX + 2];
	int timeout = (int)(g->p->period_bytes * 1000u / BENCH_BYTES_PER_SEC);

	for (;;) {
		uint64_t now;
		char cmd;
		int r;

		pf[0] = (struct pollfd){ .fd = g->ctl, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = vsndfe_card_fd(g->card), .events = POLLIN };
		for (unsigned int i = 0; i < g->n; i++)
			pf[2 + i] = (struct pollfd){ .fd = vsndfe_stream_evt_fd(g->st[i].s),
						     .events = POLLIN };
		if (poll(pf, g->n + 2, timeout > 0 ? timeout : 1) < 0 && errno != EINTR)
			return -errno;
		if (pf[1].revents && vsndfe_card_process(g->card) != 0)
			return -ECONNRESET;
		now = now_ns();
		for (unsigned int i = 0; i < g->n; i++) {
			struct pstream *ps = &g->st[i];

			/* A quiet stream is only checked for a stall. */
			r = 0;
			if (pf[2 + i].revents)
				r = service_stream(g, ps, now);
			else
				note_position(g, ps, ps->pos, now);
			if (r < 0)
				return r;
		}
		if (!(pf[0].revents & (POLLIN | POLLHUP)))
			continue;
		if (recv(g->ctl, &cmd, 1, 0) != 1)
			return -EPIPE;
		if (cmd == 'E')
			return 0;
		if (cmd == 'W')
			window_start(g);
	}
}

static void window_end(struct guest *g)
{
	for (unsigned int i = 0; i < g->n; i++)
		g->stats.bytes_played += g->st[i].pos - g->st[i].window_pos;
}

static _Noreturn void guest_main(const struct bench_p1_params *p, int ctl, uint32_t domid,
				 unsigned int n)
{
	struct vsndfe_options opt = { .xen = p->xen, .domid = domid,
				      .connect_timeout_ms = BENCH_WAIT_MS };
	struct guest g = { .p = p, .ctl = ctl, .n = n, .size = p->period_bytes * p->periods };
	struct guest_msg m = { .type = GUEST_READY };
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	r = vsndfe_card_open(&opt, &g.card);
	if (r >= 0)
		r = open_streams(&g);
	if (r >= 0) {
		(void)send(ctl, &m, sizeof(m), MSG_NOSIGNAL);
		r = play(&g);
	}
	if (r < 0)
		guest_send_failure(ctl, r, "guest %u: %s", domid, strerror(-r));
	window_end(&g);
	m = (struct guest_msg){ .type = GUEST_STATS, .p1 = g.stats };
	(void)send(ctl, &m, sizeof(m), MSG_NOSIGNAL);
	for (unsigned int i = 0; i < g.n; i++)
		if (g.st[i].s)
			(void)vsndfe_stream_trigger(g.st[i].s, XENSND_OP_TRIGGER_STOP);
	vsndfe_card_close(g.card);
	_exit(r < 0 ? 1 : 0);
}

/* ---- the bench's side -------------------------------------------------------- */

int bench_guests_start(struct bench_guests **ret, const struct bench_p1_params *p,
		       unsigned int n_guests, const unsigned int *streams)
{
	struct bench_guests *g;
	int r;

	if (n_guests > MAX_GUESTS)
		return bench_fail(-EINVAL, "%u guests: at most %u", n_guests, MAX_GUESTS);
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	*ret = g;
	for (unsigned int i = 0; i < n_guests; i++) {
		r = guest_fork(&g->pid[i], &g->ctl[i]);
		if (r < 0)
			return bench_fail(r, "starting guest %u: %s", i + 1, strerror(-r));
		g->n++;
		if (g->pid[i] == 0)
			guest_main(p, g->ctl[i], i + 1, streams[i]);
	}
	for (unsigned int i = 0; i < n_guests; i++) {
		struct guest_msg m;

		r = guest_recv(g->ctl[i], &m, BENCH_WAIT_MS);
		if (r < 0)
			return r;
		if (m.type != GUEST_READY)
			return bench_fail(-EIO, "guest %u did not start its streams", i + 1);
	}
	return 0;
}

static int send_all(struct bench_guests *g, char cmd)
{
	for (unsigned int i = 0; i < g->n; i++)
		if (send(g->ctl[i], &cmd, 1, MSG_NOSIGNAL) != 1)
			return bench_fail(negative_errno(), "guest %u is gone: %m", i + 1);
	return 0;
}

int bench_guests_window(struct bench_guests *g)
{
	return send_all(g, 'W');
}

int bench_guests_wait(struct bench_guests *g, uint64_t ms)
{
	struct pollfd pf[MAX_GUESTS];
	uint64_t deadline = now_ms() + ms;

	for (unsigned int i = 0; i < g->n; i++)
		pf[i] = (struct pollfd){ .fd = g->ctl[i], .events = POLLIN };
	for (uint64_t now = now_ms(); now < deadline; now = now_ms()) {
		int r = poll(pf, g->n, (int)(deadline - now));

		if (r < 0 && errno != EINTR)
			return bench_fail(negative_errno(), "poll: %m");
		/* A guest speaks before 'E' only to say it failed. */
		for (unsigned int i = 0; r > 0 && i < g->n; i++) {
			struct guest_msg m;

			if (!pf[i].revents)
				continue;
			r = guest_recv(g->ctl[i], &m, BENCH_WAIT_MS);
			return r < 0 ? r : bench_fail(-EIO, "guest %u spoke out of turn", i + 1);
		}
	}
	return 0;
}

int bench_guests_finish(struct bench_guests *g, struct bench_p1_stats *ret)
{
	int r = send_all(g, 'E');

	*ret = (struct bench_p1_stats){ 0 };
	for (unsigned int i = 0; r >= 0 && i < g->n; i++) {
		struct guest_msg m;

		r = guest_recv(g->ctl[i], &m, BENCH_WAIT_MS);
		if (r < 0)
			break;
		ret->streams += m.p1.streams;
		ret->bytes_played += m.p1.bytes_played;
		ret->writes += m.p1.writes;
		ret->events += m.p1.events;
		ret->underruns += m.p1.underruns;
		if (m.p1.max_gap_us > ret->max_gap_us)
			ret->max_gap_us = m.p1.max_gap_us;
	}
	for (unsigned int i = 0; r >= 0 && i < g->n; i++) {
		r = guest_reap(g->pid[i]);
		g->pid[i] = 0;
	}
	return r;
}

void bench_guests_free(struct bench_guests *g)
{
	if (!g)
		return;
	for (unsigned int i = 0; i < g->n; i++) {
		if (g->pid[i] > 0) {
			kill(g->pid[i], SIGKILL);
			(void)waitpid(g->pid[i], NULL, 0);
		}
		safe_close(g->ctl[i]);
	}
	free(g);
}
