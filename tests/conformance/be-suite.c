// SPDX-License-Identifier: MIT
/*
 * be-suite.c - the backend role's scenarios, in the order they run: the
 * baseline session, misbehaving answers, error statuses, spoilt CUR_POS
 * events, a silent backend, and backend state flapping. Each one scripts
 * the backend, runs the frontend driver once (be_run) and judges what the
 * frontend did on the wire and how it ended.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "be-suite.h"

enum { XB_INITIALISING = 1, XB_INITWAIT, XB_INITIALISED, XB_CONNECTED, XB_CLOSING, XB_CLOSED };

/* protocol.md 2.3: a frontend reacts to a backend state change at once;
 * this bounds how long it may take to show it. */
#define REACT_MS 5000u

static struct be_script *script(struct cf_ctx *c)
{
	return &c->be->sc;
}

static enum cf_result run_session(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;
	char seq[160];
	int k3, k4;

	CF_TRY(be_need_playback(c));
	CF_TRY(be_run(c, BE_BOUND_MS, BE_EXIT_OK));
	be_fe_seq(ob, seq, sizeof(seq));
	k3 = be_fe_seen(ob, XB_INITIALISED, 0);
	k4 = k3 < 0 ? -1 : be_fe_seen(ob, XB_CONNECTED, (unsigned int)k3);
	CF_CHECK(c, ob->connections == 1 && k4 > 0,
		 "no handshake Initialised then Connected "
		 "(FE states %s, %u connection(s)%s%s)",
		 seq, ob->connections, ob->connect_err[0] ? ": " : "", ob->connect_err);
	CF_CHECK(c, !ob->version[0] || strcmp(ob->version, "2") == 0, "FE/version is \"%s\", not 2",
		 ob->version);
	CF_CHECK(c,
		 ob->ops[XENSND_OP_OPEN] && ob->ops[XENSND_OP_WRITE] &&
			 ob->triggers[XENSND_OP_TRIGGER_START] &&
			 ob->triggers[XENSND_OP_TRIGGER_STOP] && ob->ops[XENSND_OP_CLOSE],
		 "not a whole session: OPEN %u, WRITE %u, START %u, STOP %u, CLOSE %u",
		 ob->ops[XENSND_OP_OPEN], ob->ops[XENSND_OP_WRITE],
		 ob->triggers[XENSND_OP_TRIGGER_START], ob->triggers[XENSND_OP_TRIGGER_STOP],
		 ob->ops[XENSND_OP_CLOSE]);
	CF_CHECK(c, ob->closes_revoked == 0 && ob->closes_granted > 0,
		 "the buffer was revoked before CLOSE (%u of %u)", ob->closes_revoked,
		 ob->closes_revoked + ob->closes_granted);
	CF_CHECK(c, ob->events > 0 && ob->evt_consumed > 0,
		 "CUR_POS: %u event(s) sent, %u consumed", ob->events, ob->evt_consumed);
	CF_CHECK(c,
		 be_fe_seen(ob, XB_CLOSING, (unsigned int)k4) > 0 &&
			 be_fe_seen(ob, XB_CLOSED, (unsigned int)k4) > 0,
		 "the device was not closed (Closing, then Closed): FE states %s", seq);
	return CF_OK;
}

/* A request whose answer misbehaves; the driver must exit as @want. */
static enum cf_result misanswer(struct cf_ctx *c, uint8_t op, uint32_t nth, enum be_rsp rsp,
				int32_t status, enum be_exit want)
{
	struct be_script *sc = script(c);

	CF_TRY(be_need_playback(c));
	sc->op = op;
	sc->nth = nth;
	sc->rsp = rsp;
	sc->status = status;
	CF_TRY(be_run(c, rsp == BE_RSP_SILENT ? BE_BOUND_SILENT_MS : BE_BOUND_MS, BE_EXIT_ANY));
	CF_CHECK(c, c->be->ob.misbehaved, "the frontend never sent %s number %u",
		 op == XENSND_OP_TRIGGER ? "TRIGGER" :
		 op == XENSND_OP_OPEN	 ? "OPEN" :
					   "WRITE",
		 nth);
	return be_check_exit(c, want);
}

static enum cf_result run_wrong_id(struct cf_ctx *c)
{
	return misanswer(c, XENSND_OP_WRITE, 1, BE_RSP_WRONG_ID, 0, BE_EXIT_ERR);
}

static enum cf_result run_stray(struct cf_ctx *c)
{
	return misanswer(c, XENSND_OP_TRIGGER, 1, BE_RSP_STRAY_FIRST, 0, BE_EXIT_ANY);
}

static enum cf_result run_prod_overflow(struct cf_ctx *c)
{
	return misanswer(c, XENSND_OP_WRITE, 2, BE_RSP_PROD_OVERFLOW, 0, BE_EXIT_ERR);
}

static enum cf_result run_enomem_open(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;
	char seq[160];

	CF_TRY(misanswer(c, XENSND_OP_OPEN, 1, BE_RSP_STATUS, -ENOMEM, BE_EXIT_ERR));
	CF_CHECK(c, ob->ops[XENSND_OP_WRITE] == 0 && ob->ops[XENSND_OP_TRIGGER] == 0,
		 "after the failed OPEN: %u WRITE, %u TRIGGER", ob->ops[XENSND_OP_WRITE],
		 ob->ops[XENSND_OP_TRIGGER]);
	CF_CHECK(c, be_fe_seen(ob, XB_CLOSED, 0) > 0, "the device was not closed: FE states %s",
		 be_fe_seq(ob, seq, sizeof(seq)));
	return CF_OK;
}

static enum cf_result run_eio_write(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;

	CF_TRY(misanswer(c, XENSND_OP_WRITE, 1, BE_RSP_STATUS, -EIO, BE_EXIT_ERR));
	CF_CHECK(c, ob->closes_granted > 0 && ob->closes_revoked == 0,
		 "no CLOSE with the buffer still granted after the failed WRITE (%u granted, "
		 "%u revoked)",
		 ob->closes_granted, ob->closes_revoked);
	return CF_OK;
}

static enum cf_result run_positive(struct cf_ctx *c)
{
	return misanswer(c, XENSND_OP_TRIGGER, 1, BE_RSP_STATUS, 5, BE_EXIT_ERR);
}

static enum cf_result run_silent(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;
	struct be_role *b = c->be;

	CF_TRY(misanswer(c, XENSND_OP_WRITE, 2, BE_RSP_SILENT, 0, BE_EXIT_ERR));
	cf_log(c, "ended %llu ms after the backend fell silent",
	       (unsigned long long)(b->ended_ms - ob->misbehaved_ms));
	return CF_OK;
}

/* A spoilt CUR_POS event after @after good ones. */
static enum cf_result spoilt_event(struct cf_ctx *c, enum be_evt evt, uint32_t after,
				   enum be_exit want)
{
	struct be_script *sc = script(c);

	CF_TRY(be_need_playback(c));
	sc->evt = evt;
	sc->evt_after = after;
	CF_TRY(be_run(c, BE_BOUND_MS, BE_EXIT_ANY));
	CF_CHECK(c, c->be->ob.misbehaved,
		 "the session ended after %u event(s), before the "
		 "spoilt one",
		 c->be->ob.events);
	return be_check_exit(c, want);
}

static enum cf_result run_pos_backwards(struct cf_ctx *c)
{
	return spoilt_event(c, BE_EVT_BACKWARDS, 3, BE_EXIT_ANY);
}

static enum cf_result run_pos_jump(struct cf_ctx *c)
{
	return spoilt_event(c, BE_EVT_JUMP, 3, BE_EXIT_OK);
}

static enum cf_result run_evt_gap(struct cf_ctx *c)
{
	return spoilt_event(c, BE_EVT_ID_GAP, 3, BE_EXIT_ANY);
}

static enum cf_result run_evt_dup(struct cf_ctx *c)
{
	return spoilt_event(c, BE_EVT_ID_DUP, 3, BE_EXIT_ANY);
}

static enum cf_result run_evt_overflow(struct cf_ctx *c)
{
	return spoilt_event(c, BE_EVT_OVERFLOW, 3, BE_EXIT_ANY);
}

static void steps(struct cf_ctx *c, bool on_start, int s1, unsigned int d2, int s2)
{
	struct be_script *sc = script(c);

	sc->steps_on_start = on_start;
	sc->steps[0] = (struct be_step){ .state = s1 };
	sc->n_steps = 1;
	if (s2) {
		sc->steps[1] = (struct be_step){ .state = s2, .delay_ms = d2 };
		sc->n_steps = 2;
	}
}

static enum cf_result run_closed_before_connect(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;
	char seq[160];
	int k1;

	CF_TRY(be_need_playback(c));
	steps(c, false, XB_CLOSING, 100, XB_CLOSED);
	CF_TRY(be_run(c, BE_BOUND_MS, BE_EXIT_OK));
	be_fe_seq(ob, seq, sizeof(seq));
	k1 = be_fe_seen_after_step(ob, XB_INITIALISING);
	CF_CHECK(c, k1 > 0, "no Initialising after the backend's Closed: FE states %s", seq);
	CF_CHECK(c, ob->fe_seq_ms[k1] - ob->misbehaved_ms < REACT_MS,
		 "Initialising came %llu ms after Closing/Closed",
		 (unsigned long long)(ob->fe_seq_ms[k1] - ob->misbehaved_ms));
	CF_CHECK(c, be_fe_seen(ob, XB_CONNECTED, (unsigned int)k1) > 0 && ob->connections == 1,
		 "not connected after the next InitWait: FE states %s", seq);
	return CF_OK;
}

static enum cf_result run_closing_ignored(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;
	char seq[160];
	int k4;

	CF_TRY(be_need_playback(c));
	steps(c, false, XB_CLOSING, 300, XB_INITWAIT);
	CF_TRY(be_run(c, BE_BOUND_MS, BE_EXIT_OK));
	be_fe_seq(ob, seq, sizeof(seq));
	k4 = be_fe_seen(ob, XB_CONNECTED, 0);
	CF_CHECK(c, k4 > 0 && ob->connections == 1, "never connected: FE states %s", seq);
	for (int i = 0; i < k4; i++)
		CF_CHECK(c, ob->fe_seq[i] != XB_CLOSING && ob->fe_seq[i] != XB_CLOSED,
			 "the frontend closed on the backend's Closing: FE states %s", seq);
	return CF_OK;
}

static enum cf_result run_closed_while_running(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;
	char seq[160];
	int k1;

	CF_TRY(be_need_playback(c));
	steps(c, true, XB_CLOSED, 0, 0);
	CF_TRY(be_run(c, BE_BOUND_MS, BE_EXIT_ANY));
	be_fe_seq(ob, seq, sizeof(seq));
	CF_CHECK(c, ob->steps_done, "the frontend never STARTed");
	k1 = be_fe_seen_after_step(ob, XB_INITIALISING);
	CF_CHECK(c, k1 > 0, "no Initialising after the backend's Closed: FE states %s", seq);
	CF_CHECK(c, ob->fe_seq_ms[k1] - ob->misbehaved_ms < REACT_MS,
		 "Initialising came %llu ms after Closed",
		 (unsigned long long)(ob->fe_seq_ms[k1] - ob->misbehaved_ms));
	return CF_OK;
}

static enum cf_result run_initwait_while_running(struct cf_ctx *c)
{
	const struct be_obs *ob = &c->be->ob;
	char seq[160];
	int k;

	CF_TRY(be_need_playback(c));
	steps(c, true, XB_INITWAIT, 0, 0);
	CF_TRY(be_run(c, BE_BOUND_MS, BE_EXIT_ANY));
	be_fe_seq(ob, seq, sizeof(seq));
	CF_CHECK(c, ob->steps_done, "the frontend never STARTed");
	/* It republishes (Initialised), unless it ends at once (Closing, Closed,
	 * possibly read over its Initialised). Staying Connected is wrong. */
	k = be_fe_seen_after_step(ob, XB_INITIALISED);
	if (k < 0)
		k = be_fe_seen_after_step(ob, XB_CLOSING);
	if (k < 0)
		k = be_fe_seen_after_step(ob, XB_CLOSED);
	CF_CHECK(c, k > 0,
		 "the frontend stayed Connected after the backend's InitWait: FE "
		 "states %s",
		 seq);
	CF_CHECK(c, ob->fe_seq_ms[k] - ob->misbehaved_ms < REACT_MS,
		 "it reacted %llu ms after InitWait",
		 (unsigned long long)(ob->fe_seq_ms[k] - ob->misbehaved_ms));
	/* Its new transport must be usable, unless it withdrew it by closing
	 * before we could map it (a driver that ends on a lost stream). */
	CF_CHECK(c,
		 !ob->connect_err[0] || be_fe_seen_after_step(ob, XB_CLOSING) > 0 ||
			 be_fe_seen_after_step(ob, XB_CLOSED) > 0,
		 "its new transport could not be connected (%s): FE states %s", ob->connect_err,
		 seq);
	return CF_OK;
}

const struct cf_scenario cf_be_scenarios[] = {
	{ "session",
	  "a whole session against a well-behaved backend: Initialised with the "
	  "transport, Connected, OPEN, WRITEs inside the buffer, START, CUR_POS consumed, STOP, "
	  "CLOSE before revoking the buffer, Closing then Closed, exit 0",
	  run_session },
	{ "rsp_wrong_id",
	  "an answer to the first WRITE with another id is not taken for its "
	  "answer: the WRITE fails (times out) and the driver exits non-zero",
	  run_wrong_id },
	{ "rsp_stray_then_right",
	  "a stray answer (to no request, unknown id) before START's "
	  "answer neither hangs nor crashes the frontend: it drops the stray (as Linux) or "
	  "refuses the backend",
	  run_stray },
	{ "rsp_prod_overflow",
	  "a response producer 40 slots past the requests (second WRITE) "
	  "is refused without reading past the ring: exit non-zero",
	  run_prod_overflow },
	{ "status_enomem_open",
	  "OPEN answered -ENOMEM fails the session: no WRITE or TRIGGER "
	  "follows, the device is closed, exit non-zero",
	  run_enomem_open },
	{ "status_eio_write",
	  "the first WRITE answered -EIO fails the session, and the stream "
	  "is CLOSEd with its buffer still granted: exit non-zero",
	  run_eio_write },
	{ "status_positive",
	  "a positive status (5) for START is not a success "
	  "(protocol.md 3.11): exit non-zero",
	  run_positive },
	{ "pos_backwards",
	  "a CUR_POS position below the previous one (the fourth event) "
	  "neither hangs nor crashes the frontend",
	  run_pos_backwards },
	{ "pos_jump",
	  "a CUR_POS position ten buffers ahead is legal (positions need only be "
	  "non-decreasing): the session completes, exit 0",
	  run_pos_jump },
	{ "evt_id_gap",
	  "an event id that skips one (the fourth event) neither hangs nor "
	  "crashes the frontend",
	  run_evt_gap },
	{ "evt_id_dup",
	  "an event id repeated (the fourth event) neither hangs nor crashes the "
	  "frontend",
	  run_evt_dup },
	{ "evt_ring_overflow",
	  "an event producer 64 past in_cons is refused without reading "
	  "past the page: no hang, no crash",
	  run_evt_overflow },
	{ "no_answer",
	  "a backend that answers nothing from the second WRITE on: the frontend "
	  "times out (3 s per request), exits non-zero within 20 s and leaves its state Closed "
	  "or Initialising",
	  run_silent },
	{ "closed_before_connect",
	  "Closing then Closed instead of Connected: the frontend goes "
	  "back to Initialising (protocol.md 2.3), republishes at the next InitWait, connects "
	  "and completes: exit 0",
	  run_closed_before_connect },
	{ "closing_ignored",
	  "Closing then InitWait again before connecting: Closing is "
	  "ignored (Linux waits for Closed), the frontend connects and completes: exit 0",
	  run_closing_ignored },
	{ "closed_while_running",
	  "Closed while the stream runs: the frontend tears down and "
	  "goes to Initialising within 5 s (protocol.md 2.3)",
	  run_closed_while_running },
	{ "initwait_while_running",
	  "InitWait while the stream runs (a backend restart): the "
	  "frontend leaves Connected within 5 s, republishing new rings (or closing), never "
	  "stays Connected on the old ones",
	  run_initwait_while_running },
};

const size_t cf_be_n_scenarios = sizeof(cf_be_scenarios) / sizeof(cf_be_scenarios[0]);
