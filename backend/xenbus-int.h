/* SPDX-License-Identifier: MIT */
/*
 * xenbus-int.h - the XenBus state machine's private types, shared by
 * xenbus.c (the machine) and xenbus-info.c (the read-only accessors).
 */
#ifndef VSND_BACKEND_XENBUS_INT_H
#define VSND_BACKEND_XENBUS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "xenbus.h"

#define TOKEN_BE "vsndbe-backend"
#define TOKEN_FE "vsndbe-frontend"
#define TOKEN_REL "vsndbe-release"

/* XenStore paths we build are short; 256 leaves room for any FE path. */
#define XB_PATH_SZ 256
/* Transitions one device may take in one pass (5 -> 6 -> 2 is three). */
#define XB_ROUNDS 8
/* Commits retried when the toolstack's transactions keep conflicting. */
#define XB_TX_RETRIES 16
/* A canonical u32 has at most 10 digits. */
#define XB_U32_DIGITS 10

enum {
	XB_UNKNOWN = 0,
	XB_INITIALISING = 1,
	XB_INITWAIT = 2,
	XB_INITIALISED = 3,
	XB_CONNECTED = 4,
	XB_CLOSING = 5,
	XB_CLOSED = 6,
};

struct sndbe_xb_device {
	struct sndbe_xenbus *xb;
	uint32_t domid;
	uint32_t devid;
	char be[XB_PATH_SZ];
	char fe[XB_PATH_SZ];		/* "" until BE/frontend was accepted */
	char fe_state_path[XB_PATH_SZ + 8];
	bool fe_watched;
	bool adopted;			/* the first look at BE/state is done */
	bool seen;			/* found by the current rescan */
	bool dead;			/* its domain is gone or dying */
	bool ts_closed;			/* the toolstack closed it */
	bool online;
	bool connected;
	int state;
	int fe_state;
	unsigned int connects;
	unsigned int n_history;
	uint8_t history[SNDBE_XB_HISTORY];
	char error[SNDBE_XB_ERROR_MAX];
	char reason[SNDBE_XB_ERROR_MAX]; /* connect()'s own error text */
	void *priv;
};

struct sndbe_xenbus {
	struct xenif *x;
	const struct sndbe_xenbus_ops *ops;
	void *userdata;
	uint32_t self;
	char root[64];			/* /local/domain/<self>/backend/vsnd */
	bool rescan;
	bool check_domains;
	struct sndbe_xb_device **devs;
	unsigned int n_devs;
	unsigned int cap_devs;
};

/* The device (domid, devid) serves, or NULL. */
struct sndbe_xb_device *sndbe_xb_lookup(const struct sndbe_xenbus *xb, uint32_t domid,
					uint32_t devid);

#endif /* VSND_BACKEND_XENBUS_INT_H */
