/* SPDX-License-Identifier: MIT */
/*
 * be-suite.h - what the backend role's scenarios share (be-ctx.c): running
 * the frontend driver once under the current script and judging its end.
 */
#ifndef VSND_CONFORM_BE_SUITE_H
#define VSND_CONFORM_BE_SUITE_H

#include <stddef.h>

#include "be.h"
#include "fe-scen.h"

/* How long a driver may take: a session, and one that meets a silent
 * backend (3 s per request as Linux, a CLOSE after it, the close wait). */
#define BE_BOUND_MS 10000u
#define BE_BOUND_SILENT_MS 20000u

/* What the driver's exit status must be. */
enum be_exit {
	BE_EXIT_ANY,
	BE_EXIT_OK, /* 0: the session went well */
	BE_EXIT_ERR, /* not 0: the backend made it fail */
};

/*
 * Run the driver under the script in c->be->sc, wait for it (killing it
 * after @bound_ms) and check what every scenario requires: it ended by
 * itself, not by a signal, could run (exit below 126), sent no request
 * outside its buffer, left its state Closed or Initialising; then @want.
 */
enum cf_result be_run(struct cf_ctx *c, unsigned int bound_ms, enum be_exit want);
/* The driver's exit status must be as @want says. */
enum cf_result be_check_exit(struct cf_ctx *c, enum be_exit want);
/* CF_SKIP unless the card has a playback stream. */
enum cf_result be_need_playback(struct cf_ctx *c);

/* The FE states seen, as "1,3,4,5,6". */
const char *be_fe_seq(const struct be_obs *ob, char *buf, size_t size);
/* The index of the first FE @state seen from index @from, or -1. */
int be_fe_seen(const struct be_obs *ob, int state, unsigned int from);
/* The index of the first FE @state seen after the script's first step, or -1. */
int be_fe_seen_after_step(const struct be_obs *ob, int state);

#endif /* VSND_CONFORM_BE_SUITE_H */
