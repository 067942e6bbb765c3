/* SPDX-License-Identifier: MIT */
/*
 * rawfe.h - a raw sndif frontend for tests: the guest's half of the XenBus
 * handshake and of every stream's request ring, with nothing checked or
 * filtered, so that a test can send what libvsndfront never would (unknown
 * opcodes, impossible sizes, hostile directories, a broken req_prod).
 *
 * The card's configuration is the toolstack's (fetree.h); rawfe shares a
 * ring page and an event page per stream with the backend, allocates both
 * event channels (one handle per card), publishes the transport and walks
 * the frontend states. Every wait is bounded by a timeout on fds, never a
 * sleep; the caller either runs the backend in another process or passes a
 * turn function that serves it in this one.
 *
 * Context: one thread; any failure of the machinery itself fails the test.
 */
#ifndef VSND_TEST_RAWFE_H
#define VSND_TEST_RAWFE_H

#include <stdbool.h>
#include <stdint.h>

#include "fetree.h"
#include "vsnd/wire.h"
#include "xenif/xenif.h"

struct rawfe_stream {
	struct xen_sndif_sring *sring;
	struct xen_sndif_front_ring ring;
	struct xensnd_event_page *evt;
	uint32_t ring_ref;
	uint32_t evt_ref;
	uint32_t port;
	uint32_t evt_port;
	unsigned int pcm;
	unsigned int stream;
};

/* Serve the backend for up to @ms when it lives in this process. */
typedef void (*rawfe_turn_fn)(void *userdata, int ms);

struct rawfe {
	struct xenif *x;	/* the guest's context */
	struct xenif_evtchn *h;
	uint32_t domid;
	char fe[64];
	char be[64];
	unsigned int n;
	struct rawfe_stream st[FETREE_MAX_STREAMS];
	rawfe_turn_fn turn;	/* NULL: the backend runs elsewhere */
	void *turn_data;
};

/*
 * Connect as guest @t->guest of @spec to the card @t describes (already
 * written by the toolstack): share and publish, FE Initialised, wait for
 * BE Connected, FE Connected.
 */
void rawfe_connect(struct rawfe *f, const char *spec, const struct fetree *t, rawfe_turn_fn turn,
		   void *turn_data);
/* Unpublish nothing, revoke everything, close the context. */
void rawfe_close(struct rawfe *f);

/* Wait until BE/state reads @state; false after @ms. */
bool rawfe_wait_be_state(struct rawfe *f, int state, int ms);
/* Write FE/state. */
void rawfe_set_state(struct rawfe *f, int state);

/*
 * Put @req on stream @i's ring and kick the backend; the id is the
 * caller's. rawfe_send_many() queues @n copies (ids @req->id, +1, ...)
 * before one kick.
 */
void rawfe_send(struct rawfe *f, unsigned int i, const struct xensnd_req *req);
void rawfe_send_many(struct rawfe *f, unsigned int i, const struct xensnd_req *req,
		     unsigned int n);
/*
 * Wait up to @ms for the next response of stream @i and copy it to @rsp
 * (the whole slot, reserved bytes included). Return false on timeout.
 */
bool rawfe_recv(struct rawfe *f, unsigned int i, struct xensnd_resp *rsp, int ms);
/* Responses the backend pushed on stream @i that were not received yet. */
unsigned int rawfe_unconsumed(struct rawfe *f, unsigned int i);
/* rawfe_send() then rawfe_recv(), checking id and operation are echoed. */
int32_t rawfe_call(struct rawfe *f, unsigned int i, const struct xensnd_req *req, int ms);

/* Kick stream @i's request port without queueing anything. */
void rawfe_kick(struct rawfe *f, unsigned int i);

#endif /* VSND_TEST_RAWFE_H */
