/* SPDX-License-Identifier: MIT */
/*
 * vsnd-dev.h - vsndbe's device layer: what one connected vsnd device is
 * made of. It implements struct sndbe_xenbus_ops: connect decides, from the
 * configuration and the policy, a plan of the device (struct
 * sndbe_dev_plan) and has it served, in this process (sndbe_dev_start():
 * every stream's request ring and event page mapped, both event channels
 * bound, a struct sndbe_stream per stream with its host device) or by the
 * layer's runner (the broker's per-guest workers, broker.h, which run
 * sndbe_dev_start() in a process of their own); disconnect closes every
 * stream (audio stopped, buffer unmapped) and unmaps and unbinds
 * everything, or ends the worker, leaving no mapping behind.
 *
 * A stream's direction comes from the XenStore configuration handed to
 * connect, never from anything the guest can change later: the layout,
 * the types and the unique-ids a device is first connected with are pinned
 * (struct sndbe_dev_pin) until the device is forgotten, and a later connect
 * with anything else is refused (-EPERM, with an error node). Its host
 * device and limits come from the dom0 policy (policy.h) looked up by the
 * domain's id and name (dom0's XenStore), card, pcm, stream and pinned
 * unique-id; without a `sink` there, from the caller's spec template,
 * expanded per stream: each "%u" in turn becomes the guest's domid, the
 * PCM index and the stream index ("%%" is a '%'), e.g.
 * "file:/var/lib/vsnd/dom%u-%u-%u.wav" or "null". A device with more
 * streams than the policy's max-streams is refused (-EDQUOT), before
 * anything of it is mapped.
 *
 * The caller owns the loop: it collects the fds of every device served in
 * this process with sndbe_dev_fds() each turn, polls them and hands each ready one to
 * sndbe_dev_process(); then it serves the backlog (sndbe_dev_backlog()) and
 * disconnects the devices sndbe_dev_next_broken() names.
 */
#ifndef VSND_BACKEND_VSND_DEV_H
#define VSND_BACKEND_VSND_DEV_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "stream.h"
#include "xenbus.h"

struct xenif;
struct sndbe_dev;
struct sndbe_dev_pin;
struct sndbe_dev_conn;

/* Longest expanded host spec, NUL included. */
#define SNDBE_DEV_SPEC_MAX SNDBE_POLICY_SPEC_MAX

/*
 * One stream of a device as the policy decided it at connect: everything
 * needed to serve it, without XenStore or the policy. This is what a
 * per-guest worker receives from the broker (worker-proto.h).
 */
struct sndbe_dev_stream_plan {
	struct sndbe_xb_stream_refs ref;	/* pcm, stream, refs and ports */
	enum vsnd_dir dir;			/* from the pinned XenStore type */
	struct vsnd_stream_limits lim;		/* XenStore limits, narrowed */
	uint32_t buffer_bytes_cap;		/* 0: the hard maximum */
	int open_error;				/* < 0: every OPEN answers it */
	bool volume_capped;
	int32_t volume_max_mdb;
	char spec[SNDBE_DEV_SPEC_MAX];		/* expanded host device spec */
};

/* A device to bring up: @n streams, card-wide index order. */
struct sndbe_dev_plan {
	uint32_t domid;
	uint32_t devid;
	unsigned int n;
	struct sndbe_dev_stream_plan *st;
};

/*
 * Where connected devices run when not in this process (the broker's
 * per-guest workers, broker.h). NULL in struct sndbe_dev_layer: in process.
 */
struct sndbe_dev_runner {
	/* Start serving @plan; on failure the text for the error node may be
	 * set on @xbd. Return 0 with *@ret set, or a negative errno. */
	int (*start)(void *userdata, const struct sndbe_dev_plan *plan,
		     struct sndbe_xb_device *xbd, void **ret);
	/* Stop serving it and release it (bounded). */
	void (*stop)(void *userdata, void *dev);
	/* sndbe_stream_set_capture() of stream @index, at a policy reload. */
	int (*set_capture)(void *userdata, void *dev, unsigned int index, bool deliver,
			   int open_error);
};

/* What connect needs besides XenStore: owned by the caller, borrowed. */
struct sndbe_dev_layer {
	struct xenif *x; /* the backend's context */
	const char *spec; /* host device template, see above */
	uint32_t buffer_bytes_cap; /* policy cap on OPEN; 0: hard max */
	unsigned int ring_budget; /* requests per ring per wakeup; 0: default */
	unsigned int pos_ticks; /* CUR_POS per period (stream.h); 0: default */
	uint32_t pos_floor_us; /* shortest CUR_POS interval; 0: default */
	const struct sndbe_policy *policy; /* dom0 policy, borrowed; NULL: none */
	/* Run connected devices elsewhere (NULL: in this process). */
	const struct sndbe_dev_runner *runner;
	void *runner_data;
	/* Restrict each device's event-channel handle to its domain. */
	bool restrict_evtchn;
	/* What each device was first connected with (see below); kept until
	 * the device is forgotten. */
	struct sndbe_dev_pin *pins;
	/* Devices served in this process, for the loop (sndbe_dev_start()). */
	struct sndbe_dev *devs;
	/* Devices connected (in process or by the runner). */
	struct sndbe_dev_conn *conns;
	unsigned int n_devs;
	uint64_t fd_gen; /* see sndbe_dev_fd_generation() */
	uint64_t connect_errors;
};

/* The ops to pass to sndbe_xenbus_new() with a struct sndbe_dev_layer. */
extern const struct sndbe_xenbus_ops sndbe_dev_ops;

/**
 * sndbe_dev_start() - serve one device in this process from its plan: open
 * an event-channel handle (restricted to the plan's domain when the layer
 * says so), map every stream's request ring and event page from that
 * domain only, bind both channels and create the streams. The layer's x,
 * ring_budget, pos_ticks, pos_floor_us and restrict_evtchn are used; its
 * policy is not (the plan holds what it decided).
 * @l: the layer; the device joins l->devs.
 * @plan: the device, borrowed for the call.
 * @ret: receives the device.
 *
 * Return: 0, or a negative errno with nothing left mapped.
 */
int sndbe_dev_start(struct sndbe_dev_layer *l, const struct sndbe_dev_plan *plan,
		    struct sndbe_dev **ret);

/**
 * sndbe_dev_stop() - stop serving a device of sndbe_dev_start(): every
 * stream closed, every page unmapped, every port unbound.
 * @l: the layer.
 * @d: the device, or NULL.
 */
void sndbe_dev_stop(struct sndbe_dev_layer *l, struct sndbe_dev *d);

/**
 * sndbe_dev_set_capture() - sndbe_stream_set_capture() of a device's stream.
 * @d: the device.
 * @index: the card-wide stream index.
 * @deliver: see sndbe_stream_set_capture().
 * @open_error: see sndbe_stream_set_capture().
 *
 * Return: 0, or -EINVAL for an index out of range or a playback stream.
 */
int sndbe_dev_set_capture(struct sndbe_dev *d, unsigned int index, bool deliver, int open_error);

/**
 * sndbe_dev_fds() - every fd of every connected device to poll.
 * @l: the layer.
 * @fds: receives them.
 * @n: room in @fds.
 *
 * Return: the number written, or -ENOBUFS when @n is too small.
 */
int sndbe_dev_fds(struct sndbe_dev_layer *l, struct pollfd *fds, unsigned int n);

/**
 * sndbe_dev_fd_generation() - a number that changes whenever an fd of
 * sndbe_dev_fds() is opened or closed (devices connected or disconnected,
 * streams opened or closed). While it stays the same, the same fd number
 * names the same file, so a loop may keep its registrations and only
 * update the events.
 * @l: the layer.
 *
 * Return: the generation.
 */
uint64_t sndbe_dev_fd_generation(const struct sndbe_dev_layer *l);

/**
 * sndbe_dev_process() - serve one ready fd (request ports, audio, timers).
 * @l: the layer.
 * @fd: the fd.
 * @revents: what poll() saw.
 *
 * Return: 1 when served, 0 when no device owns @fd, or a negative errno
 * (counted by the stream; the device keeps being served).
 */
int sndbe_dev_process(struct sndbe_dev_layer *l, int fd, short revents);

/**
 * sndbe_dev_backlog() - whether a stream still has requests queued after
 * its budget (see sndbe_dev_serve_backlog()).
 * @l: the layer.
 *
 * Return: true when the loop must call sndbe_dev_serve_backlog() without
 * waiting for an fd, after serving the fds already ready.
 */
bool sndbe_dev_backlog(const struct sndbe_dev_layer *l);

/**
 * sndbe_dev_serve_backlog() - one more budget (the layer's ring_budget,
 * SNDBE_RING_BUDGET_DEFAULT requests by default) for every stream with
 * requests left over. An event on a
 * request port buys a single budget, so that a guest that floods its ring
 * delays the other streams by at most a budget per loop turn.
 * @l: the layer.
 *
 * Return: 0, or the first negative errno met.
 */
int sndbe_dev_serve_backlog(struct sndbe_dev_layer *l);

/**
 * sndbe_dev_next_broken() - a device whose guest broke a request ring
 * (-EPROTO: an impossible req_prod) and that was not returned before. The
 * caller disconnects it with sndbe_xenbus_fail(); its streams answer
 * nothing more meanwhile.
 * @l: the layer.
 * @domid: receives the guest.
 * @devid: receives the device id.
 *
 * Return: the negative errno, or 0 when no new device is broken.
 */
int sndbe_dev_next_broken(struct sndbe_dev_layer *l, uint32_t *domid, uint32_t *devid);

/**
 * sndbe_dev_reapply_capture() - after the layer's policy was replaced
 * (SIGHUP): apply the new capture rule to every connected capture stream
 * at once. A stream the new policy no longer allows gets silence from its
 * next READ on (deny also refuses its later OPENs with -EACCES); a stream
 * whose host source was opened under an earlier allow gets its frames back
 * when allowed again. A stream connected without its host source (deny or
 * silence at connect) stays silent until the device reconnects. Every
 * other key of the new policy takes effect at the next connect.
 * @l: the layer.
 *
 * Return: the number of connected capture streams that deliver nothing now.
 */
unsigned int sndbe_dev_reapply_capture(struct sndbe_dev_layer *l);

/**
 * sndbe_dev_stream() - a connected device's stream, for inspection.
 * @l: the layer.
 * @domid: the guest.
 * @devid: the device id.
 * @index: the card-wide stream index.
 *
 * Return: the stream, or NULL.
 */
struct sndbe_stream *sndbe_dev_stream(struct sndbe_dev_layer *l, uint32_t domid, uint32_t devid,
				      unsigned int index);

#endif /* VSND_BACKEND_VSND_DEV_H */
