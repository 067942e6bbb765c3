/* SPDX-License-Identifier: MIT */
/*
 * fe-link.h - vsnd-conform's frontend transport: the guest's half of the
 * XenBus handshake and of every stream's request ring and event page, on
 * the xenif API only, with nothing filtered (a scenario may send what no
 * real frontend would).
 *
 * The card is the toolstack's: the link finds it under its own domain
 * (device/vsnd/<devid>), follows FE/backend and FE/backend-id, and reads the
 * stream list and limits as the Linux frontend does (vsnd/xscfg.h). Every
 * function returns 0 or a negative errno and never exits; every wait is
 * bounded.
 */
#ifndef VSND_CONFORM_FE_LINK_H
#define VSND_CONFORM_FE_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "vsnd/limits.h"
#include "vsnd/wire.h"
#include "vsnd/xscfg.h"
#include "xenif/xenif.h"

/* Streams of a card the harness handles. */
#define FE_MAX_STREAMS 32u
/* Events one stream's log keeps (older ones are counted, not kept). */
#define FE_EVT_LOG 1024u

struct fe_evt_log {
	uint64_t n;			/* events taken since the last reset */
	uint64_t pos[FE_EVT_LOG];	/* their positions, in order */
	uint64_t t_ms[FE_EVT_LOG];	/* when each was seen */
	bool bad_reserved;		/* an event with a non-zero reserved byte */
};

struct fe_stream {
	unsigned int pcm, stream;	/* FE/<pcm>/<stream> */
	bool capture;
	struct vsnd_stream_limits lim;	/* what the Linux frontend would offer */
	struct xen_sndif_sring *sring;
	struct xen_sndif_front_ring ring;
	struct xensnd_event_page *evt;
	uint32_t ring_ref, evt_ref, port, evt_port;
	uint32_t in_cons;		/* the event page's consumer (private) */
	uint16_t evt_id;		/* the next event id expected (lockstep) */
	bool evt_broken;		/* an id out of lockstep was seen */
	char evt_why[128];
	struct fe_evt_log log;
};

struct fe_link {
	struct xenif *x;
	struct xenif_evtchn *h;		/* every port of every stream */
	uint32_t domid, be_domid, devid;
	char fe[64];
	char be[128];
	struct vsnd_xscfg *cfg;
	unsigned int n;
	struct fe_stream st[FE_MAX_STREAMS];
	bool shared;			/* pages and ports exist */
	bool connected;			/* the last handshake completed */
	uint16_t next_id;
};

/* Open Xen as @domid, find device @devid, read its card. */
int fe_link_open(struct fe_link *l, const char *spec, uint32_t domid, uint32_t devid,
		 char *why, size_t whysz);
void fe_link_close(struct fe_link *l);

/* XenStore helpers relative to nothing (absolute paths). */
int fe_xs_read_u32(struct fe_link *l, const char *path, uint32_t *ret);
int fe_xs_write_str(struct fe_link *l, const char *path, const char *v);
/* BE/state; -ENOENT when absent. */
int fe_be_state(struct fe_link *l);
/* Wait up to @ms for BE/state to be one of the bits of @mask (1 << state);
 * the state reached, or -ETIMEDOUT. */
int fe_wait_be(struct fe_link *l, unsigned int mask, int ms);
int fe_set_state(struct fe_link *l, int state);

/* Share fresh pages and ports for every stream (freeing any earlier ones). */
int fe_share(struct fe_link *l);
void fe_unshare(struct fe_link *l);
/* Write the four transport nodes of every stream in one transaction. */
int fe_publish(struct fe_link *l);
/*
 * The whole handshake from whatever state: FE 1 if BE is not in InitWait,
 * wait for InitWait, share, publish, FE 3, wait for Connected, FE 4.
 */
int fe_connect(struct fe_link *l, char *why, size_t whysz);

/* Queue @n copies of @req on stream @i (ids @req->id, +1, ...) and kick. */
int fe_send(struct fe_link *l, unsigned int i, const struct xensnd_req *req, unsigned int n);
/* The next response of stream @i within @ms; -ETIMEDOUT. */
int fe_recv(struct fe_link *l, unsigned int i, struct xensnd_resp *rsp, int ms);
/* Wait up to @ms for any event channel; acknowledge what fired. */
void fe_wait(struct fe_link *l, int ms);

/* Take every event of stream @i's page into its log; the count or -EPROTO. */
int fe_take_events(struct fe_link *l, unsigned int i);
/* Forget stream @i's logged events (not the id lockstep). */
void fe_log_reset(struct fe_link *l, unsigned int i);

/* A shared buffer and its page directory, as the Linux frontend builds it. */
struct fe_buf {
	struct xenif *x;
	void *data;
	uint32_t bytes, pages, n_dir;
	uint32_t *refs;
	void *dir;
	uint32_t dir_refs[8];
};

int fe_buf_share(struct fe_link *l, uint32_t bytes, struct fe_buf *b);
void fe_buf_free(struct fe_buf *b);
struct xensnd_page_directory *fe_buf_dir(struct fe_buf *b, uint32_t page);

#endif /* VSND_CONFORM_FE_LINK_H */
