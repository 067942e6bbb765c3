// SPDX-License-Identifier: MIT
/*
 * fetest.c - the rig of libvsndfront's tests (see fetest.h). Waiting is
 * always on an fd with a generous bound, never on time passing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fetest.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Generous bound for things that happen at once in a healthy rig. */
#define WAIT_MS 10000

static const struct fetree_stream layouts[][3] = {
	[FETEST_ONE_P] = { { 0, 0, "p" } },
	[FETEST_PC] = { { 0, 0, "p" }, { 0, 1, "c" } },
	[FETEST_THREE] = { { 0, 0, "p" }, { 0, 1, "c" }, { 1, 0, "p" } },
	[FETEST_NO_TYPE] = { { 0, 0, NULL } },
};
static const unsigned int layout_n[] = { 1, 2, 3, 1 };
static const char *const dirs[] = { "0/0", "0/1", "1/0" };

static void log_cb(void *opaque, enum vsndfe_log_level level, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "vsndfront[%d]: %s\n", (int)level, msg);
}

uint64_t fetest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void fetest_begin(struct fetest *t, enum fetest_layout layout)
{
	memset(t, 0, sizeof(*t));
	vtest_simd_start(&t->sim);
	vtest_simd_domain_create(&t->sim, FETEST_GUEST, "guest");
	ASSERT_OK(xenif_open(t->sim.spec, 0, &t->dom0));
	t->tree.guest = FETEST_GUEST;
	t->tree.devid = FETEST_DEVID;
	t->tree.n_streams = layout_n[layout];
	memcpy(t->tree.s, layouts[layout], sizeof(layouts[layout]));
	t->tree.buffer_size = "8388608";
	ASSERT_OK(fetree_write(t->dom0, &t->tree));

	t->bcfg.spec = t->sim.spec;
	t->bcfg.guest = FETEST_GUEST;
	t->bcfg.devid = FETEST_DEVID;
	t->bcfg.n_streams = layout == FETEST_NO_TYPE ? 1 : layout_n[layout];
	for (unsigned int i = 0; i < t->bcfg.n_streams; i++)
		t->bcfg.stream_dirs[i] = dirs[i];

	t->opt.xen = t->sim.spec;
	t->opt.domid = FETEST_GUEST;
	t->opt.devid = FETEST_DEVID;
	t->opt.connect_timeout_ms = WAIT_MS;
	t->opt.log = log_cb;
}

void fetest_start_be(struct fetest *t)
{
	fakebe_start(&t->be, &t->bcfg);
}

int fetest_open(struct fetest *t)
{
	return vsndfe_card_open(&t->opt, &t->card);
}

void fetest_up(struct fetest *t, enum fetest_layout layout, unsigned int timeout_ms)
{
	fetest_begin(t, layout);
	t->opt.timeout_ms = timeout_ms;
	fetest_start_be(t);
	ASSERT_OK(fetest_open(t));
	ASSERT_TRUE(vsndfe_card_connected(t->card));
}

void fetest_end(struct fetest *t)
{
	t->card = vsndfe_card_close(t->card);
	fakebe_stop(&t->be);
	t->dom0 = xenif_close(t->dom0);
	vtest_simd_stop(&t->sim);
}

char *fetest_read(struct fetest *t, const char *path)
{
	char *v = NULL;

	if (xenif_xs_read(t->dom0, XENIF_TX_NONE, path, &v, NULL) < 0)
		return NULL;
	return v;
}

static bool node_is(struct fetest *t, const char *path, const char *value)
{
	char *v = fetest_read(t, path);
	bool eq = v && strcmp(v, value) == 0;

	free(v);
	return eq;
}

void fetest_wait_node(struct fetest *t, const char *path, const char *value)
{
	uint64_t deadline = fetest_now_ms() + WAIT_MS;
	char *wp, *wt;

	ASSERT_OK(xenif_xs_watch(t->dom0, path, "fetest"));
	while (!node_is(t, path, value)) {
		struct pollfd p = { .fd = xenif_xs_fd(t->dom0), .events = POLLIN };
		uint64_t now = fetest_now_ms();

		if (now >= deadline)
			vtest_fail(__FILE__, __LINE__, "%s never became \"%s\"", path, value);
		poll(&p, 1, (int)(deadline - now));
		while (xenif_xs_read_watch(t->dom0, &wp, &wt) == 0) {
			free(wp);
			free(wt);
		}
	}
	ASSERT_OK(xenif_xs_unwatch(t->dom0, path, "fetest"));
}

void fetest_ctl(struct fetest *t, const char *const *argv)
{
	ASSERT_EQ(vtest_simd_ctl(&t->sim, argv), 0);
}

void fetest_process_until(struct fetest *t, bool (*pred)(struct vsndfe_card *))
{
	uint64_t deadline = fetest_now_ms() + WAIT_MS;

	for (;;) {
		struct pollfd p = { .fd = vsndfe_card_fd(t->card), .events = POLLIN };
		uint64_t now = fetest_now_ms();

		ASSERT_OK(vsndfe_card_process(t->card));
		if (pred(t->card))
			return;
		if (now >= deadline)
			vtest_fail(__FILE__, __LINE__, "the card never reached the expected state");
		poll(&p, 1, (int)(deadline - now));
	}
}

int fetest_open_stream(struct vsndfe_stream *s, uint32_t bytes)
{
	struct vsndfe_pcm_params p = {
		.rate = 48000,
		.format = XENSND_PCM_FORMAT_S16_LE,
		.channels = 2,
		.buffer_bytes = bytes,
		.period_bytes = bytes / 4,
	};

	return vsndfe_stream_open(s, &p);
}
