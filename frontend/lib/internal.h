/* SPDX-License-Identifier: MIT */
/*
 * internal.h - libvsndfront's private structures and the calls its source
 * files make to each other.
 *
 * card.c owns the XenBus side (configuration, the state machine of
 * protocol.md 2.3, the close handshake); transport.c owns each stream's ring
 * page, event page and event channels, the request engine and the event
 * consumer; stream.c turns the public stream calls into requests.
 */
#ifndef VSNDFRONT_INTERNAL_H
#define VSNDFRONT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "vsnd/wire.h"
#include "vsndfront.h"
#include "xenif/xenif.h"

/* Linux's VSND_WAIT_BACK_MS, and libxl's LIBXL_INIT_TIMEOUT for the handshake. */
#define VSNDFE_DEFAULT_TIMEOUT_MS 3000u
#define VSNDFE_DEFAULT_CONNECT_TIMEOUT_MS 10000u
/* How long close waits for the backend to acknowledge Closing (Linux: 1 s). */
#define VSNDFE_CLOSE_WAIT_MS 1000u

/* XenbusState values (protocol.md 2.1). */
enum {
	XB_UNKNOWN = 0,
	XB_INITIALISING = 1,
	XB_INITWAIT = 2,
	XB_INITIALISED = 3,
	XB_CONNECTED = 4,
	XB_CLOSING = 5,
	XB_CLOSED = 6,
};

struct vsndfe_stream {
	struct vsndfe_card *card;
	unsigned int index;		/* card-wide, selects the ring pair */
	unsigned int pcm;
	unsigned int stream;
	bool playback;

	/* Transport of the current connection (transport.c). */
	bool has_transport;
	struct xen_sndif_sring *sring;
	uint32_t ring_ref;
	struct xen_sndif_front_ring ring;
	struct xensnd_event_page *evt_page;
	uint32_t evt_ref;
	struct xenif_evtchn *req_h;
	struct xenif_evtchn *evt_h;
	uint32_t req_port;
	uint32_t evt_port;
	uint32_t in_cons;		/* our copy; the page's is guest-visible only */
	uint16_t evt_id;		/* the next event id expected */
	/* Linux's period rule (stats.periods_elapsed), reset at OPEN. */
	uint64_t period_last_frames;	/* frame position of the last event */
	uint32_t period_acc;		/* frames since the last wakeup */

	uint16_t next_req_id;

	/* The current OPEN (stream.c). */
	bool open;
	struct vsndfe_pcm_params params;
	void *shbuf;			/* directory pages, then the buffer */
	uint32_t shbuf_pages;
	uint32_t dir_pages;

	struct vsndfe_stream_stats stats;
};

struct vsndfe_card {
	struct xenif *x;
	unsigned int timeout_ms;
	unsigned int connect_timeout_ms;
	void (*log)(void *opaque, enum vsndfe_log_level level, const char *msg);
	void *log_opaque;

	char *fe_path;
	char *be_path;
	char *be_state_path;
	uint32_t be_domid;
	bool watching;

	struct vsnd_xscfg *cfg;
	unsigned int n_streams;
	struct vsndfe_stream *streams;

	int fe_state;			/* what we last wrote */
	bool connected;
	bool broken;			/* the backend broke the protocol */
};

void fe_log(struct vsndfe_card *card, enum vsndfe_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record a protocol violation: the card is unusable until it reconnects. */
int fe_broken(struct vsndfe_card *card, const struct vsndfe_stream *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* transport.c */
int fe_transport_alloc(struct vsndfe_stream *s);
void fe_transport_free(struct vsndfe_stream *s);
int fe_transport_publish(struct vsndfe_card *card, bool version2);
int fe_request(struct vsndfe_stream *s, const struct xensnd_req *req, struct xensnd_resp *ret);

/* stream.c */
void fe_stream_release_buffer(struct vsndfe_stream *s);

#endif /* VSNDFRONT_INTERNAL_H */
