/* SPDX-License-Identifier: MIT */
/*
 * fetree.h - write a vsnd device into the simulated XenStore the way libxl
 * does (protocol.md 5.2, 5.3): FE and BE in one transaction, FE owned by
 * the guest and readable by the backend, BE owned by the backend and
 * readable by the guest, FE backend/backend-id/state = 1 plus the
 * configuration nodes, BE frontend/frontend-id/online = 1/state = 1.
 */
#ifndef VSND_TEST_FETREE_H
#define VSND_TEST_FETREE_H

#include <stdint.h>

#include "xenif/xenif.h"

#define FETREE_MAX_STREAMS 8u

struct fetree_stream {
	unsigned int pcm;
	unsigned int stream;
	const char *type;	/* "p", "c", or NULL for no type node */
};

struct fetree {
	uint32_t guest;
	uint32_t devid;
	uint32_t backend;
	const char *buffer_size;	/* card-level buffer-size, NULL: "65536" */
	/* Card-level PCM settings: NULL gives the default shown, "" writes no
	 * node at all (the frontend's own default then applies). */
	const char *sample_rates;	/* NULL: "44100,48000" */
	const char *sample_formats;	/* NULL: "s16_le,s32_le" */
	const char *channels_min;	/* NULL: "1" */
	const char *channels_max;	/* NULL: "2" */
	unsigned int n_streams;
	struct fetree_stream s[FETREE_MAX_STREAMS];
};

/* Write the device through @dom0 (a dom0 context). Return 0 or -errno. */
int fetree_write(struct xenif *dom0, const struct fetree *t);

#endif /* VSND_TEST_FETREE_H */
