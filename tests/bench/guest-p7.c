// SPDX-License-Identifier: MIT
/*
 * guest-p7.c - the P7 guest: one stream of domain 1 against a vsndbe whose
 * sink takes every frame at once ("null:unpaced"), written as fast as the
 * backend answers.
 *
 * The guest opens a buffer of the size asked for, fills it once, sends it
 * with WRITE and START, then WRITEs the whole buffer back to back: for the
 * warm-up, then for the measured window, timed here on the guest's side
 * around the requests (each WRITE returns when the backend has answered, so
 * the octets counted are octets the backend has taken). Afterwards it waits
 * for the CUR_POS position to reach every octet written, which shows the
 * backend really consumed them, and reports.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest-int.h"
#include "vsnd-common/util.h"
#include "vsnd/wire.h"
#include "vsndfront.h"

/* CUR_POS events every period / 4 of audio time: a few per second. */
#define P7_PERIOD_MAX (64u * 1024u)

struct p7 {
	struct vsndfe_stream *s;
	uint32_t size;
	uint64_t written;
	struct bench_p7_result res;
};

static uint32_t p7_period(uint32_t size)
{
	uint32_t period = size / 4 < P7_PERIOD_MAX ? size / 4 : P7_PERIOD_MAX;

	period -= period % BENCH_FRAME_BYTES;
	return period ? period : BENCH_FRAME_BYTES;
}

static int p7_write(struct p7 *g)
{
	int r = vsndfe_stream_write(g->s, 0, g->size);

	if (r < 0)
		return r;
	g->written += g->size;
	r = vsndfe_stream_process_events(g->s);
	return r < 0 ? r : 0;
}

/* WRITE the buffer back to back for @ms; count what the window took. */
static int p7_loop(struct p7 *g, uint64_t ms, bool measure)
{
	uint64_t t0 = now_ns(), end = t0 + ms * NSEC_PER_MSEC, t = t0;
	int r;

	do {
		r = p7_write(g);
		if (r < 0)
			return r;
		t = now_ns();
		if (measure) {
			g->res.bytes += g->size;
			g->res.writes++;
		}
	} while (t < end);
	if (measure)
		g->res.elapsed_ns = t - t0;
	return 0;
}

/* Wait (bounded) for the position to reach every octet written. */
static int p7_drain(struct p7 *g)
{
	uint64_t deadline = now_ms() + BENCH_WAIT_MS;
	struct vsndfe_stream_stats st;
	int r;

	for (;;) {
		struct pollfd pf = { .fd = vsndfe_stream_evt_fd(g->s), .events = POLLIN };

		r = vsndfe_stream_process_events(g->s);
		if (r < 0)
			return r;
		vsndfe_stream_stats(g->s, &st);
		g->res.final_position = st.position_bytes;
		if (st.position_bytes >= g->written || now_ms() >= deadline)
			return 0;
		(void)poll(&pf, 1, 100);
	}
}

static int p7_play(struct vsndfe_card *card, struct p7 *g, uint64_t warmup_ms,
		   uint64_t window_ms)
{
	struct vsndfe_pcm_params pp = { BENCH_RATE, XENSND_PCM_FORMAT_S16_LE, 2, g->size,
					p7_period(g->size) };
	uint32_t got;
	uint8_t *buf;
	int r;

	g->s = vsndfe_card_stream(card, 0);
	if (!g->s)
		return -ENODEV;
	r = vsndfe_stream_open(g->s, &pp);
	if (r < 0)
		return r;
	buf = vsndfe_stream_buffer(g->s, &got);
	if (!buf || got < g->size)
		return -ENOMEM;
	for (uint32_t i = 0; i < g->size; i++)
		buf[i] = (uint8_t)(i * 31u + (i >> 9));
	r = p7_write(g);
	if (r >= 0)
		r = vsndfe_stream_trigger(g->s, XENSND_OP_TRIGGER_START);
	if (r >= 0)
		r = p7_loop(g, warmup_ms, false);
	if (r >= 0)
		r = p7_loop(g, window_ms, true);
	if (r >= 0)
		r = p7_drain(g);
	g->res.written = g->written;
	(void)vsndfe_stream_trigger(g->s, XENSND_OP_TRIGGER_STOP);
	return r;
}

static _Noreturn void p7_main(int ctl, const char *xen, uint32_t size, uint64_t warmup_ms,
			      uint64_t window_ms)
{
	struct vsndfe_options opt = { .xen = xen, .domid = 1,
				      .connect_timeout_ms = BENCH_WAIT_MS };
	struct p7 g = { .size = size, .res = { .buffer_bytes = size } };
	struct vsndfe_card *card = NULL;
	struct guest_msg m = { .type = GUEST_STATS };
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	r = vsndfe_card_open(&opt, &card);
	if (r >= 0)
		r = p7_play(card, &g, warmup_ms, window_ms);
	if (r < 0) {
		guest_send_failure(ctl, r, "P7 guest, %u-octet buffer, after %llu octets: %s",
				   size, (unsigned long long)g.written, strerror(-r));
	} else {
		m.p7 = g.res;
		(void)send(ctl, &m, sizeof(m), MSG_NOSIGNAL);
	}
	vsndfe_card_close(card);
	_exit(r < 0 ? 1 : 0);
}

int bench_p7_run(const char *xen, uint32_t buffer_bytes, uint64_t warmup_ms,
		 uint64_t window_ms, struct bench_p7_result *ret)
{
	struct guest_msg m;
	pid_t pid;
	int fd, r;

	r = guest_fork(&pid, &fd);
	if (r < 0)
		return bench_fail(r, "starting the P7 guest: %s", strerror(-r));
	if (pid == 0)
		p7_main(fd, xen, buffer_bytes, warmup_ms, window_ms);
	r = guest_recv(fd, &m, warmup_ms + window_ms + 2 * BENCH_WAIT_MS);
	close(fd);
	if (r < 0) {
		kill(pid, SIGKILL);
		(void)guest_reap(pid);
		return r;
	}
	*ret = m.p7;
	return guest_reap(pid);
}
