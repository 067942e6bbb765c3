/* SPDX-License-Identifier: MIT */
/*
 * fetest.h - the rig of libvsndfront's tests: xensimd with a guest domain
 * 5, a vsnd device written as libxl would (fetree.h), the backend double
 * (fakebe.h) in a child process, a dom0 context to inspect XenStore, and
 * the card under test.
 */
#ifndef VSND_TEST_FETEST_H
#define VSND_TEST_FETEST_H

#include <stdbool.h>
#include <stdint.h>

#include "fakebe.h"
#include "fetree.h"
#include "simd.h"
#include "vsndfront.h"
#include "vtest.h"
#include "xenif/xenif.h"

#define FETEST_GUEST 5u
#define FETEST_DEVID 0u
#define FETEST_FE "/local/domain/5/device/vsnd/0"
#define FETEST_BE "/local/domain/0/backend/vsnd/5/0"

enum fetest_layout {
	FETEST_ONE_P,		/* 0/0 playback */
	FETEST_PC,		/* 0/0 playback, 0/1 capture */
	FETEST_THREE,		/* 0/0 playback, 0/1 capture, 1/0 playback */
	FETEST_NO_TYPE,		/* 0/0 without a type node */
};

struct fetest {
	struct vtest_simd sim;
	struct xenif *dom0;
	struct fetree tree;
	struct fakebe_config bcfg;
	struct fakebe be;
	struct vsndfe_options opt;
	struct vsndfe_card *card;
};

/* xensimd, domain 5, the device tree; the double's config prepared. */
void fetest_begin(struct fetest *t, enum fetest_layout layout);
void fetest_start_be(struct fetest *t);
int fetest_open(struct fetest *t);
/* All of the above, with @timeout_ms per request (0: the default). */
void fetest_up(struct fetest *t, enum fetest_layout layout, unsigned int timeout_ms);
void fetest_end(struct fetest *t);

/* A node's value (malloc()ed), or NULL when absent. */
char *fetest_read(struct fetest *t, const char *path);
/* Wait (readiness-based, bounded) until @path reads @value. */
void fetest_wait_node(struct fetest *t, const char *path, const char *value);
/* xensimd-ctl with @argv (NULL-terminated), which must succeed. */
void fetest_ctl(struct fetest *t, const char *const *argv);
/* Wait for the card's fd and process until @pred says done. */
void fetest_process_until(struct fetest *t, bool (*pred)(struct vsndfe_card *));

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t fetest_now_ms(void);

/* A 16-bit stereo OPEN of @bytes. */
int fetest_open_stream(struct vsndfe_stream *s, uint32_t bytes);

#endif /* VSND_TEST_FETEST_H */
