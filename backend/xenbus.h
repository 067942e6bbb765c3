/* SPDX-License-Identifier: MIT */
/*
 * xenbus.h - vsndbe's XenBus side: it acts as the backend domain over a
 * struct xenif, discovers the vsnd devices the toolstack creates under
 * /local/domain/<self>/backend/vsnd/<domid>/<devid>, and runs the backend
 * state machine of protocol.md 2.4 for each of them (REQ-2/3/5/6/7).
 *
 * What a device is made of (rings, audio) is not known here: on a frontend
 * that reached Initialised the strictly validated configuration and the
 * freshly read transport nodes of every stream go to the connect callback,
 * and every way out of Connected goes through the disconnect callback.
 *
 * The caller owns the loop: it polls sndbe_xenbus_fd() and calls
 * sndbe_xenbus_process() when it is readable. Watch events are only a hint
 * that something changed: process() drains them and then re-reads and
 * reconciles every device, so spurious or coalesced events are harmless and
 * a flood of them costs one pass.
 *
 * Errors are reported, never logged: the functions return negative errnos
 * and each device exposes its state, its frontend's state and the text of
 * its last failure (sndbe_xenbus_info()). A connect failure is also written
 * for the toolstack, with the xenbus convention Linux uses:
 * /local/domain/<self>/error/backend/vsnd/<domid>/<devid>/error holds
 * "<errno> <message>" (removed again when the device is reset to InitWait
 * or forgotten).
 */
#ifndef VSND_BACKEND_XENBUS_H
#define VSND_BACKEND_XENBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vsnd/xscfg.h"
#include "xenif/xenif.h"

struct sndbe_xenbus;
struct sndbe_xb_device;

/* Size of a device's error text, NUL included. */
#define SNDBE_XB_ERROR_MAX 256u
/* Backend states remembered per device (the last ones written). */
#define SNDBE_XB_HISTORY 16u

/*
 * The transport of one stream, read freshly from FE/<p>/<s> each time the
 * frontend reaches Initialised (REQ-3). Every value has been checked to be
 * a canonical non-zero decimal u32; whether it maps or binds is for the
 * device layer to find out.
 */
struct sndbe_xb_stream_refs {
	unsigned int pcm;		/* FE/<pcm>/<stream> */
	unsigned int stream;
	uint32_t ring_ref;		/* ring-ref */
	uint32_t evtchn;		/* event-channel */
	uint32_t evt_ring_ref;		/* evt-ring-ref */
	uint32_t evt_evtchn;		/* evt-event-channel */
};

struct sndbe_xenbus_ops {
	/*
	 * Bring a device up: @refs[i] is the stream of card-wide index i
	 * (vsnd_xscfg_stream_at()); @cfg and @refs are only borrowed for the
	 * call. Return 0 once every stream is ready to serve requests (REQ-6:
	 * Connected is written right after), or a negative errno having
	 * released whatever was set up; the device then goes Closing, Closed
	 * and gets an error node. Required.
	 */
	int (*connect)(void *userdata, struct sndbe_xb_device *dev, const struct vsnd_xscfg *cfg,
		       const struct sndbe_xb_stream_refs *refs, unsigned int n_streams);
	/*
	 * Release everything connect() set up (unmap, unbind). Called exactly
	 * once per successful connect(), before the state leaving Connected is
	 * written. Required.
	 */
	void (*disconnect)(void *userdata, struct sndbe_xb_device *dev);
	/*
	 * The device is gone for good (its backend directory was removed, its
	 * domain died, or the instance is freed): drop anything kept about it
	 * across connections. Called after the last disconnect(). Optional.
	 */
	void (*forget)(void *userdata, struct sndbe_xb_device *dev);
};

/**
 * struct sndbe_xb_info - what one device looks like now.
 * @domid: the guest.
 * @devid: the vsnd device id.
 * @state: the backend state we last wrote (0 before the first write).
 * @fe_state: the frontend's state as last read; 0 when missing.
 * @online: BE `online` as last read.
 * @connected: connect() succeeded and disconnect() is still owed.
 * @connects: successful connect() calls so far.
 * @n_history: states written so far (all of them, also past @history).
 * @history: the last SNDBE_XB_HISTORY states written, oldest first
 *	(min(@n_history, SNDBE_XB_HISTORY) entries).
 * @error: why the last connection attempt failed ("" when none did since
 *	the last reset to InitWait).
 */
struct sndbe_xb_info {
	uint32_t domid;
	uint32_t devid;
	int state;
	int fe_state;
	bool online;
	bool connected;
	unsigned int connects;
	unsigned int n_history;
	uint8_t history[SNDBE_XB_HISTORY];
	char error[SNDBE_XB_ERROR_MAX];
};

/**
 * sndbe_xenbus_new() - start serving the vsnd backend tree of @x's domain.
 * @x: the XenStore context, borrowed; it must outlive the result.
 * @ops: the device layer, borrowed.
 * @userdata: passed to @ops.
 * @ret: receives the new instance.
 *
 * Registers the watches on backend/vsnd and @releaseDomain; devices are
 * discovered by the first sndbe_xenbus_process().
 * Return: 0; -EINVAL for a missing argument or callback; -ENXIO when @x
 * does not know its domid; -ENOMEM; the errno of a failed watch.
 */
int sndbe_xenbus_new(struct xenif *x, const struct sndbe_xenbus_ops *ops, void *userdata,
		     struct sndbe_xenbus **ret);

/**
 * sndbe_xenbus_free() - stop serving: disconnect every connected device,
 * remove the watches, free. XenStore states are left as they are, as a
 * daemon that dies would leave them; the next instance resets them.
 * @xb: the instance, or NULL.
 *
 * Return: NULL.
 */
struct sndbe_xenbus *sndbe_xenbus_free(struct sndbe_xenbus *xb);

/**
 * sndbe_xenbus_fd() - the fd to poll (POLLIN) for XenStore changes.
 * @xb: the instance.
 *
 * Return: the xenif XenStore fd, or -EINVAL.
 */
int sndbe_xenbus_fd(struct sndbe_xenbus *xb);

/**
 * sndbe_xenbus_process() - drain the watch events, then rescan the backend
 * tree and move every device along its state machine.
 * @xb: the instance.
 *
 * Idempotent: with nothing changed in XenStore it writes nothing. Calling it
 * without an event pending is fine (the first call always rescans).
 * Return: 0, or the first negative errno met; a failing device does not
 * stop the others from being served, and the next call tries again.
 */
int sndbe_xenbus_process(struct sndbe_xenbus *xb);

/**
 * sndbe_xenbus_count() - number of devices known.
 * @xb: the instance.
 */
unsigned int sndbe_xenbus_count(const struct sndbe_xenbus *xb);

/**
 * sndbe_xenbus_info() - describe the @index-th known device.
 * @xb: the instance.
 * @index: 0 .. sndbe_xenbus_count() - 1, in discovery order.
 * @ret: receives the description.
 *
 * Return: 0, or -ENOENT for an index out of range.
 */
int sndbe_xenbus_info(const struct sndbe_xenbus *xb, unsigned int index, struct sndbe_xb_info *ret);

/**
 * sndbe_xenbus_find() - describe the device (@domid, @devid).
 * @xb: the instance.
 * @domid: the guest.
 * @devid: the device id.
 * @ret: receives the description, or NULL to only test for existence.
 *
 * Return: 0, or -ENOENT when no such device is known.
 */
int sndbe_xenbus_find(const struct sndbe_xenbus *xb, uint32_t domid, uint32_t devid,
		      struct sndbe_xb_info *ret);

/**
 * sndbe_xenbus_fail() - a connected device became unusable (its guest broke
 * a request ring, say): tear it down (the disconnect callback), write the
 * error node and go Closing, then Closed, as for a failed connect. The
 * frontend's next move to Initialising brings it back to InitWait.
 * @xb: the instance.
 * @domid: the guest.
 * @devid: the device id.
 * @err: the negative errno for the error node.
 * @why: the text of the error node; NULL for strerror(@err).
 *
 * Not to be called from the device layer's callbacks (the device is
 * disconnected in here).
 * Return: 0, -ENOENT when no such device is connected, or the errno of a
 * failed state write.
 */
int sndbe_xenbus_fail(struct sndbe_xenbus *xb, uint32_t domid, uint32_t devid, int err,
		      const char *why);

/* The device's guest, device id and frontend directory (for callbacks). */
uint32_t sndbe_xb_device_domid(const struct sndbe_xb_device *dev);
uint32_t sndbe_xb_device_devid(const struct sndbe_xb_device *dev);
const char *sndbe_xb_device_frontend(const struct sndbe_xb_device *dev);

/*
 * From connect(), before it fails: the text of the error node instead of
 * the generic "connecting the streams failed".
 */
void sndbe_xb_device_set_error(struct sndbe_xb_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A pointer the device layer keeps with the device (NULL initially). */
void *sndbe_xb_device_get_priv(const struct sndbe_xb_device *dev);
void sndbe_xb_device_set_priv(struct sndbe_xb_device *dev, void *priv);

#endif /* VSND_BACKEND_XENBUS_H */
