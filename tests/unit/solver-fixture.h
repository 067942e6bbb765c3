/* SPDX-License-Identifier: MIT */
/*
 * solver-fixture.h - what the two HW_PARAM_QUERY solver test files share:
 * shorthands and the four interval dimensions of a space, by index.
 * Header-only; only test-solver*.c include it.
 */
#ifndef VSND_TEST_SOLVER_FIXTURE_H
#define VSND_TEST_SOLVER_FIXTURE_H

#include <errno.h>

#include "vtest.h"
#include "vsnd/format.h"
#include "vsnd/hwparams.h"
#include "vsnd/limits.h"
#include "vsnd/wire.h"

#define UMAX UINT32_MAX
#define BIT(code) VSND_FORMAT_BIT(XENSND_PCM_FORMAT_##code)

enum { DIM_RATE, DIM_CHANNELS, DIM_BUFFER, DIM_PERIOD, DIM_COUNT };

static inline struct vsnd_interval *space_dim(struct vsnd_hw_space *s, unsigned int d)
{
	struct vsnd_interval *all[DIM_COUNT] = { &s->rates, &s->channels, &s->buffer_frames,
						 &s->period_frames };

	return all[d];
}

#endif /* VSND_TEST_SOLVER_FIXTURE_H */
