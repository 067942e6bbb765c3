// SPDX-License-Identifier: MIT
/*
 * be-ctx.c - the backend role's context and the checks every scenario
 * shares: running the frontend driver once and judging how it ended
 * (conform.h, be.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "be-suite.h"
#include "vsnd-common/util.h"
#include "vsnd/names.h"

struct cf_ctx *cf_be_new(const struct cf_options *o)
{
	struct cf_ctx *c = calloc(1, sizeof(*c));
	char why[256] = "";

	if (!c || !(c->be = calloc(1, sizeof(*c->be)))) {
		fprintf(stderr, "vsnd-conform: out of memory\n");
		free(c);
		return NULL;
	}
	c->o = *o;
	c->be->fe_cmd = o->fe_cmd;
	c->be->verbose = o->verbose;
	if (be_link_open(c->be, o, why, sizeof(why)) < 0) {
		fprintf(stderr, "vsnd-conform: %s\n", why);
		return cf_be_free(c);
	}
	cf_log(c, "serving %s for %s: %u stream(s)", c->be->be, c->be->fe, c->be->n);
	return c;
}

struct cf_ctx *cf_be_free(struct cf_ctx *c)
{
	if (!c)
		return NULL;
	if (c->be) {
		be_fe_wait(c->be, 0);
		be_link_close(c->be);
		free(c->be);
	}
	free(c);
	return NULL;
}

enum cf_result cf_be_prepare(struct cf_ctx *c, const struct cf_scenario *s)
{
	c->msg[0] = '\0';
	c->be->scenario = s->name;
	be_reset(c->be);
	/* Let the previous driver's leftovers (watch events) pass. */
	be_pump(c->be, 20);
	return CF_OK;
}

void cf_be_finish(struct cf_ctx *c, const struct cf_scenario *s, enum cf_result r)
{
	(void)s;
	(void)r;
	be_fe_wait(c->be, 0);
}

const char *be_fe_seq(const struct be_obs *ob, char *buf, size_t size)
{
	size_t k = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < ob->n_fe && k + 4 < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%d", i ? "," : "", ob->fe_seq[i]);
	return buf;
}

int be_fe_seen(const struct be_obs *ob, int state, unsigned int from)
{
	for (unsigned int i = from; i < ob->n_fe; i++)
		if (ob->fe_seq[i] == state)
			return (int)i;
	return -1;
}

int be_fe_seen_after_step(const struct be_obs *ob, int state)
{
	for (unsigned int i = 0; i < ob->n_fe; i++)
		if (ob->fe_seq[i] == state && ob->steps_done &&
		    ob->fe_seq_be[i] >= ob->step_be_write)
			return (int)i;
	return -1;
}

static int fe_state_now(struct be_role *b)
{
	_cleanup_free_ char *v = NULL;
	char path[192];

	snprintf(path, sizeof(path), "%s/state", b->fe);
	if (xenif_xs_read(b->x, XENIF_TX_NONE, path, &v, NULL) < 0)
		return 0;
	return atoi(v);
}

/* How the driver ended, as the checks every scenario makes. */
static enum cf_result judge_end(struct cf_ctx *c, unsigned int bound_ms)
{
	struct be_role *b = c->be;
	char line[256], seq[160];
	int fe = fe_state_now(b);

	be_fe_last_line(b, line, sizeof(line));
	CF_CHECK(c, !b->killed,
		 "the frontend did not end within %u ms (hangs?); FE states %s; "
		 "last output: %s",
		 bound_ms, be_fe_seq(&b->ob, seq, sizeof(seq)), line);
	CF_CHECK(c, !WIFSIGNALED(b->status),
		 "the frontend died of signal %d (%s); last output: "
		 "%s",
		 WTERMSIG(b->status), strsignal(WTERMSIG(b->status)), line);
	CF_CHECK(c, WEXITSTATUS(b->status) < 126,
		 "the frontend driver could not run "
		 "(exit %d): %s",
		 WEXITSTATUS(b->status), line);
	CF_CHECK(c, b->ob.bad_requests == 0, "bad request from the frontend: %s (%u in all)",
		 b->ob.bad_why, b->ob.bad_requests);
	CF_CHECK(c, fe == 0 || fe == 1 || fe == 6,
		 "the frontend ended with its state at %d "
		 "(%s), not Closed or Initialising; FE states %s",
		 fe, vsnd_xenbus_state_to_string(fe), be_fe_seq(&b->ob, seq, sizeof(seq)));
	return CF_OK;
}

enum cf_result be_run(struct cf_ctx *c, unsigned int bound_ms, enum be_exit want)
{
	struct be_role *b = c->be;
	int r;

	r = be_fe_start(b, b->scenario, &c->o);
	if (r < 0)
		return cf_fail(c, "cannot start the frontend driver: %s", strerror(-r));
	be_fe_wait(b, bound_ms);
	cf_log(c, "driver: exit status 0x%x after %llu ms, %u request(s), %u event(s)", b->status,
	       (unsigned long long)(b->ended_ms - b->started_ms), b->ob.requests, b->ob.events);
	CF_TRY(judge_end(c, bound_ms));
	return be_check_exit(c, want);
}

enum cf_result be_check_exit(struct cf_ctx *c, enum be_exit want)
{
	struct be_role *b = c->be;
	char line[256];
	int code = WEXITSTATUS(b->status);

	be_fe_last_line(b, line, sizeof(line));
	if (want == BE_EXIT_OK)
		CF_CHECK(c, code == 0, "the frontend exited %d: %s", code, line);
	if (want == BE_EXIT_ERR)
		CF_CHECK(c, code != 0, "the frontend exited 0: it took the failure for success");
	return CF_OK;
}

enum cf_result be_need_playback(struct cf_ctx *c)
{
	for (unsigned int i = 0; i < c->be->n; i++)
		if (!c->be->st[i].capture)
			return CF_OK;
	return cf_skip(c, "the card has no playback stream");
}
