/* SPDX-License-Identifier: MIT */
/*
 * be.h - the backend role of vsnd-conform: the harness is the backend
 * domain of one vsnd device (it serves backend/vsnd/D/N) and the peer under
 * test is the guest's frontend, a separate program run once per scenario
 * (the "frontend driver", --fe-cmd, see vsnd-conform(1)).
 *
 * The backend is scripted: by default it follows protocol.md 2.4 and serves
 * every request like an instant sink (CUR_POS at the octets written while
 * running); a scenario's script makes one request's answer misbehave (wrong
 * id, producer overflow, a status, silence), spoils one CUR_POS event, or
 * flaps the backend state. Everything the frontend does is recorded in
 * struct be_obs, which the scenarios judge with the driver's exit status.
 *
 * be-link.c: XenStore, the handshake and state reactions, connecting and
 * tearing down streams. be-serve.c: the rings, OPEN/WRITE/CLOSE, events.
 * be-drive.c: the frontend driver process and the loop that pumps it all.
 * be-scen.c: the context, the checks and the scenario table.
 */
#ifndef VSND_CONFORM_BE_H
#define VSND_CONFORM_BE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conform.h"
#include "vsnd/wire.h"
#include "vsnd/xscfg.h"
#include "xenif/xenif.h"

#define BE_MAX_STREAMS 16u
#define BE_MAX_FE_SEQ 48u
#define BE_MAX_STEPS 4u

/* How the answer to the scripted request misbehaves. */
enum be_rsp {
	BE_RSP_NORMAL,
	BE_RSP_WRONG_ID, /* the answer carries another id only */
	BE_RSP_STRAY_FIRST, /* an answer to no request, then the right one */
	BE_RSP_PROD_OVERFLOW, /* rsp_prod moves 40 slots past the answer */
	BE_RSP_STATUS, /* the answer's status is the script's */
	BE_RSP_SILENT, /* no answer, to this and every later request */
};

/* How the scripted CUR_POS event misbehaves. */
enum be_evt {
	BE_EVT_NORMAL,
	BE_EVT_BACKWARDS, /* a position below the previous one */
	BE_EVT_JUMP, /* a position ten buffers ahead (still monotonic) */
	BE_EVT_ID_GAP, /* the id skips one */
	BE_EVT_ID_DUP, /* the id repeats the previous one */
	BE_EVT_OVERFLOW, /* in_prod jumps 64 past in_cons */
};

/* A backend state written by the script, @delay_ms after the previous step. */
struct be_step {
	int state;
	unsigned int delay_ms;
};

struct be_script {
	/* The request that misbehaves: the @nth (from 1) of operation @op. */
	uint8_t op;
	uint32_t nth;
	enum be_rsp rsp;
	int32_t status;
	/* The CUR_POS event that misbehaves: the one after @evt_after good ones. */
	enum be_evt evt;
	uint32_t evt_after;
	/* State steps, started when the frontend first reaches Initialised
	 * (before connecting) or, with @steps_on_start, when START is answered. */
	struct be_step steps[BE_MAX_STEPS];
	unsigned int n_steps;
	bool steps_on_start;
};

/* What the frontend was seen doing during one scenario. */
struct be_obs {
	int fe_seq[BE_MAX_FE_SEQ]; /* FE states, consecutive repeats dropped */
	uint32_t fe_seq_be[BE_MAX_FE_SEQ]; /* how many BE writes preceded each */
	uint64_t fe_seq_ms[BE_MAX_FE_SEQ]; /* when each was seen */
	unsigned int n_fe;
	uint32_t be_writes; /* BE/state writes so far */
	uint32_t connections; /* handshakes completed (BE -> Connected) */
	char connect_err[128]; /* why a connection failed, if one did */
	char version[8]; /* FE/version at the last connection */
	uint32_t requests;
	uint32_t ops[16]; /* requests per operation (low 4 bits) */
	uint32_t triggers[8]; /* TRIGGERs per type */
	uint32_t bad_requests; /* out of the buffer, without one, unknown */
	char bad_why[128];
	uint32_t closes_granted; /* CLOSE while the buffer was still granted */
	uint32_t closes_revoked; /* CLOSE after the buffer was revoked */
	bool misbehaved; /* the scripted answer or event was sent */
	uint64_t misbehaved_ms;
	int fe_state_then; /* FE state when it was sent */
	uint32_t events; /* CUR_POS events produced */
	uint32_t events_dropped; /* no room in the event ring */
	uint32_t evt_consumed; /* in_cons moved (events taken) */
	uint32_t steps_done;
	uint32_t step_be_write; /* be_writes after the first step */
};

struct be_stream {
	unsigned int pcm, stream;
	bool capture;
	/* The connection. */
	void *ring_page;
	struct xen_sndif_back_ring ring;
	struct xensnd_event_page *evt_page;
	uint32_t req_port, evt_port; /* local ports */
	uint32_t evt_in_cons; /* in_cons last seen */
	uint32_t evt_prod; /* our in_prod */
	uint16_t evt_id;
	/* The OPEN buffer. */
	uint32_t *grefs;
	void *buf;
	uint32_t pages;
	uint32_t buffer_bytes, frame;
	bool running;
	uint64_t written; /* octets WRITE since OPEN */
	uint64_t pos; /* last CUR_POS position sent */
};

struct be_role {
	struct xenif *x;
	struct xenif_evtchn *h;
	uint32_t guest, be_domid;
	char fe[128], be[160];
	struct vsnd_xscfg *cfg;
	unsigned int n;
	struct be_stream st[BE_MAX_STREAMS];
	int be_state; /* what we last wrote */
	int fe_last; /* FE state last read */
	bool connected;
	/* The scenario. */
	struct be_script sc;
	struct be_obs ob;
	uint32_t op_seen[16];
	bool silent; /* BE_RSP_SILENT fired: answer nothing more */
	bool steps_armed, steps_running;
	unsigned int step_next;
	uint64_t step_due_ms;
	bool hold_connect; /* steps before connecting are pending */
	/* The frontend driver. */
	const char *fe_cmd;
	const char *scenario;
	bool verbose;
	pid_t pid;
	int out_fd; /* its stdout and stderr */
	char out[1024]; /* the tail of what it printed */
	size_t out_len;
	bool exited, killed;
	int status; /* wait status */
	uint64_t started_ms, ended_ms;
};

/* be-link.c */
int be_link_open(struct be_role *b, const struct cf_options *o, char *why, size_t whysz);
void be_link_close(struct be_role *b);
void be_set_state(struct be_role *b, int state);
void be_teardown(struct be_role *b);
/* Back to a fresh InitWait with an empty script and observation. */
void be_reset(struct be_role *b);
/* React to the frontend's state (watch fired, or after a step). */
void be_on_xs(struct be_role *b);
/* Run the state steps that are due. */
void be_run_steps(struct be_role *b);
/* Start the script's steps (when the frontend is Initialised / START). */
void be_steps_start(struct be_role *b);

/* be-serve.c */
int be_connect_stream(struct be_role *b, unsigned int i);
void be_unmap_buffer(struct be_role *b, struct be_stream *s);
void be_on_evtchn(struct be_role *b);
/* Send one CUR_POS event for stream @i (the script may spoil it). */
void be_event(struct be_role *b, unsigned int i);
/* Note whether the frontend consumed events. */
void be_poll_in_cons(struct be_role *b);

/* be-drive.c */
int be_fe_start(struct be_role *b, const char *scenario, const struct cf_options *o);
/* Pump the backend and the driver for up to @ms, or until it exits. */
void be_pump(struct be_role *b, unsigned int ms);
/* Pump until the driver exits; kill it after @bound_ms. */
void be_fe_wait(struct be_role *b, unsigned int bound_ms);
/* The last line the driver printed ("" if none). */
const char *be_fe_last_line(struct be_role *b, char *buf, size_t size);

#endif /* VSND_CONFORM_BE_H */
