// SPDX-License-Identifier: MIT
/*
 * player.c - an honest libvsndfront player in a child process (player.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "player.h"
#include "util.h"
#include "vsnd/wire.h"
#include "vsndfront.h"
#include "vtest.h"

#define WAIT_MS 30000
#define BUFFER PLAYER_BUFFER
#define PERIOD PLAYER_PERIOD

uint8_t player_pattern(uint64_t i)
{
	return (uint8_t)(i * 7u + 5u + (i >> 8) * 13u);
}

struct pstate {
	struct vsndfe_stream *s;
	uint8_t *buf;
	uint64_t written;
	struct player_result res;
};

/* Refill what was played, a period at a time, with the next pattern bytes. */
static int player_refill(struct pstate *p, uint64_t pos)
{
	while (p->written + PERIOD <= pos + BUFFER) {
		uint32_t off = (uint32_t)(p->written % BUFFER);
		uint64_t t0 = now_ms();
		int r;

		for (uint32_t i = 0; i < PERIOD; i++)
			p->buf[off + i] = player_pattern(p->written + i);
		r = vsndfe_stream_write(p->s, off, PERIOD);
		if (now_ms() - t0 > p->res.max_req_ms)
			p->res.max_req_ms = now_ms() - t0;
		p->res.requests++;
		if (r < 0)
			return r;
		p->written += PERIOD;
	}
	return 0;
}

static int player_run(struct pstate *p, int cmd, int res)
{
	uint64_t deadline = now_ms() + 120000, pos = 0;
	struct vsndfe_stream_stats st;
	bool stopping = false;
	int r;

	r = player_refill(p, 0);
	if (r >= 0)
		r = vsndfe_stream_trigger(p->s, XENSND_OP_TRIGGER_START);
	if (r < 0 || write(res, "p", 1) != 1)
		return r < 0 ? r : -EIO;
	while (!stopping || pos < p->written) {
		struct pollfd pf[2] = { { .fd = vsndfe_stream_evt_fd(p->s), .events = POLLIN },
					{ .fd = cmd, .events = POLLIN } };

		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		poll(pf, stopping ? 1 : 2, 500);
		if (!stopping && pf[1].revents)
			stopping = true;
		r = vsndfe_stream_process_events(p->s);
		if (r < 0)
			return r;
		vsndfe_stream_stats(p->s, &st);
		pos = st.position_bytes;
		if (!stopping && (r = player_refill(p, pos)) < 0)
			return r;
	}
	p->res.bytes = p->written;
	return vsndfe_stream_trigger(p->s, XENSND_OP_TRIGGER_STOP);
}

static _Noreturn void player_main(const char *spec, uint32_t domid, int cmd, int res)
{
	struct vsndfe_options opt = { .xen = spec, .domid = domid,
				      .connect_timeout_ms = WAIT_MS };
	struct vsndfe_pcm_params pp = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, BUFFER, PERIOD };
	struct vsndfe_card *card = NULL;
	struct pstate p = { 0 };
	uint32_t size;
	int r;

	r = vsndfe_card_open(&opt, &card);
	if (r >= 0) {
		p.s = vsndfe_card_stream(card, 0);
		r = p.s ? vsndfe_stream_open(p.s, &pp) : -ENODEV;
	}
	if (r >= 0) {
		p.buf = vsndfe_stream_buffer(p.s, &size);
		r = p.buf && size >= BUFFER ? player_run(&p, cmd, res) : -ENOBUFS;
	}
	if (r >= 0)
		r = vsndfe_stream_close(p.s);
	vsndfe_card_close(card);
	p.res.status = r;
	if (write(res, &p.res, sizeof(p.res)) != sizeof(p.res))
		_exit(1);
	_exit(0);
}

/* Read exactly @n octets from @fd within @ms; false on timeout or EOF. */
static bool read_bounded(int fd, void *buf, size_t n, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (now_ms() >= end)
			return false;
		if (poll(&p, 1, 500) <= 0)
			continue;
		r = read(fd, (uint8_t *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

void player_start(struct player *pl, const char *spec, uint32_t domid)
{
	int cmd[2], res[2];
	char c;

	ASSERT_OK(pipe2(cmd, O_CLOEXEC));
	ASSERT_OK(pipe2(res, O_CLOEXEC));
	pl->pid = fork();
	ASSERT_GE(pl->pid, 0);
	if (pl->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		player_main(spec, domid, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	pl->cmd = cmd[1];
	pl->res = res[0];
	/* Playing: one byte; anything else is the result of a failure. */
	ASSERT_TRUE(read_bounded(pl->res, &c, 1, WAIT_MS));
	ASSERT_EQ(c, 'p');
}

void player_finish(struct player *pl, struct player_result *res)
{
	ASSERT_EQ(write(pl->cmd, "s", 1), 1);
	ASSERT_TRUE(read_bounded(pl->res, res, sizeof(*res), 120000));
	ASSERT_EQ(waitpid(pl->pid, NULL, 0), pl->pid);
	close(pl->cmd);
	close(pl->res);
}


void player_wait_position(struct vsndfe_stream *s, uint64_t bytes)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	struct vsndfe_stream_stats st;

	for (;;) {
		struct pollfd pf = { .fd = vsndfe_stream_evt_fd(s), .events = POLLIN };

		ASSERT_GE(vsndfe_stream_process_events(s), 0);
		vsndfe_stream_stats(s, &st);
		if (st.position_bytes >= bytes)
			return;
		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "position stuck at %llu",
				   (unsigned long long)st.position_bytes);
		poll(&pf, 1, 500);
	}
}
