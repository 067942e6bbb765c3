// SPDX-License-Identifier: MIT
/*
 * test-soak.c - vsndbe over a long run (suite 'soak', `make soak`): the
 * resources it holds must be the same at the end as after a warm-up.
 *
 * Through xensimd, the vsndbe binary ("null" host devices, so nothing
 * grows on disk) serves for $VSND_SOAK_SECONDS (default 60) at once:
 *   - a long playback: guest 5 plays without a pause (player.h), every
 *     request answered within the protocol's 3 s;
 *   - an open/close loop: guest 6 OPENs, WRITEs, STARTs, STOPs and
 *     CLOSEs its stream again and again;
 *   - a reboot loop: a guest comes up under a new domain id with a card,
 *     plays a buffer and is destroyed, as libxl does on every reboot.
 * After one round of each (the warm-up) vsndbe's resident memory, fds,
 * grant mappings and threads are counted (/proc/PID of the broker and of
 * its per-guest workers, added up); at the end the fds,
 * mappings and threads must be exactly what they were and, in a build
 * without AddressSanitizer (whose quarantine keeps freed memory), the
 * memory within SOAK_RSS_SLACK_KB. The counts are printed either way.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetree.h"
#include "player.h"
#include "util.h"
#include "vsnd/wire.h"
#include "vsndbe-proc.h"
#include "vsndfront.h"
#include "vtest.h"

#define WAIT_MS 30000
#define OPENER 6u
#define FIRST_REBOOT_DOMID 100u
#define DEADLINE_MS 3000u
/* Allocator noise a long run may leave in the resident set. */
#define SOAK_RSS_SLACK_KB 2048

struct counts {
	long rss_kb;
	long threads;
	int fds;
	int maps;
};

static unsigned int soak_seconds(void)
{
	const char *v = getenv("VSND_SOAK_SECONDS");
	unsigned long s = v ? strtoul(v, NULL, 10) : 0;

	return s ? (unsigned int)s : 60u;
}

static long status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	ASSERT_NOT_NULL(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

/* vsndbe @pid and its workers (every descendant), added up. */
static void count(pid_t pid, struct counts *c)
{
	pid_t kids[16];
	int k = vsndbe_proc_children(pid, kids, (int)ARRAY_SIZE(kids));

	ASSERT_LE(k, (int)ARRAY_SIZE(kids));
	c->rss_kb += status_field(pid, "VmRSS:");
	c->threads += status_field(pid, "Threads:");
	c->maps += vsndbe_proc_own_grant_maps(pid, VSNDBE_PROC_ANY_DOMAIN);
	for (int i = 0; i < k; i++)
		count(kids[i], c);
}

static void count_all(pid_t pid, struct counts *c)
{
	*c = (struct counts){ 0 };
	count(pid, c);
	c->fds = vsndbe_proc_fds(pid);
}

/* OPEN, fill, START, play a period, STOP, CLOSE: @n times. */
static void open_close(struct vsndfe_stream *s, unsigned int n)
{
	struct vsndfe_pcm_params p = { 48000, XENSND_PCM_FORMAT_S16_LE, 2, PLAYER_BUFFER,
				       PLAYER_PERIOD };

	for (unsigned int i = 0; i < n; i++) {
		ASSERT_OK(vsndfe_stream_open(s, &p));
		ASSERT_OK(vsndfe_stream_write(s, 0, PLAYER_BUFFER));
		ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_START));
		player_wait_position(s, PLAYER_PERIOD);
		ASSERT_OK(vsndfe_stream_trigger(s, XENSND_OP_TRIGGER_STOP));
		ASSERT_OK(vsndfe_stream_close(s));
	}
}

static struct vsndfe_card *card_open(const struct vsndbe_world *w, uint32_t domid)
{
	struct vsndfe_options opt = { .xen = w->sim.spec, .domid = domid,
				      .connect_timeout_ms = WAIT_MS };
	struct vsndfe_card *card = NULL;

	ASSERT_OK(vsndfe_card_open(&opt, &card));
	return card;
}

/* A guest boots as @domid, plays a little and is destroyed; vsndbe has
 * unmapped it once it says Closed. */
static void reboot_cycle(struct vsndbe_world *w, pid_t be, uint32_t domid)
{
	struct fetree t = { .guest = domid, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct vsndfe_card *card;

	vsndbe_world_guest(w, &t, "rebooter");
	card = card_open(w, domid);
	open_close(vsndfe_card_stream(card, 0), 1);
	card = vsndfe_card_close(card);
	vtest_simd_domain_destroy(&w->sim, domid);
	vsndbe_world_wait_be_state(w, domid, "6");
	ASSERT_EQ(vsndbe_proc_grant_maps(be, domid), 0);
}

static void report(const char *what, const struct counts *c)
{
	printf("# %s: RSS %ld KiB, %d fds, %d grant mappings, %ld threads\n", what, c->rss_kb,
	       c->fds, c->maps, c->threads);
}

TEST_TIMEOUT(resources_stay_flat, 7200)
{
	struct fetree tp = { .guest = 5, .n_streams = 1, .s = { { 0, 0, "p" } } };
	struct fetree to = { .guest = OPENER, .n_streams = 1, .s = { { 0, 0, "p" } } };
	uint32_t domid = FIRST_REBOOT_DOMID;
	unsigned int cycles = 0, opens = 0;
	struct counts base, end;
	struct player_result res;
	struct vsndfe_card *card;
	struct vsndbe_world w;
	struct vsndbe_proc be;
	struct player pl;
	uint64_t until;

	vsndbe_world_begin(&w);
	vsndbe_world_guest(&w, &tp, "player");
	vsndbe_world_guest(&w, &to, "opener");
	vsndbe_proc_spawn(&be, (const char *const[]){ w.xen, "--sink=null", NULL }, false);
	vsndbe_proc_wait_ready(&be);
	player_start(&pl, w.sim.spec, 5);
	card = card_open(&w, OPENER);
	reboot_cycle(&w, be.pid, domid++);
	open_close(vsndfe_card_stream(card, 0), 10);
	count_all(be.pid, &base);
	report("after the warm-up", &base);

	until = now_ms() + 1000ull * soak_seconds();
	while (now_ms() < until) {
		reboot_cycle(&w, be.pid, domid++);
		open_close(vsndfe_card_stream(card, 0), 20);
		cycles++;
		opens += 20;
	}
	count_all(be.pid, &end);
	report("at the end", &end);
	printf("# %u reboots, %u OPEN/CLOSE cycles in %u s\n", cycles, opens, soak_seconds());

	player_finish(&pl, &res);
	printf("# long playback: %llu octets, slowest request %llu ms\n",
	       (unsigned long long)res.bytes, (unsigned long long)res.max_req_ms);
	ASSERT_EQ(res.status, 0);
	ASSERT_LT(res.max_req_ms, DEADLINE_MS);
	ASSERT_EQ(end.fds, base.fds);
	ASSERT_EQ(end.maps, base.maps);
	ASSERT_EQ(end.threads, base.threads);
#ifdef __SANITIZE_ADDRESS__
	/* ASan's quarantine holds freed memory on purpose: only a build
	 * without it (make soak) says anything about vsndbe's own. */
	printf("# RSS not checked: an AddressSanitizer build\n");
#else
	ASSERT_LE(end.rss_kb, base.rss_kb + SOAK_RSS_SLACK_KB);
#endif
	vsndfe_card_close(card);
	vsndbe_proc_stop(&be);
	vsndbe_world_end(&w);
}
