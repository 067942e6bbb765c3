/* SPDX-License-Identifier: MIT */
/*
 * util.h - small helpers private to libvsndfront: scope-based cleanup (the
 * house _cleanup_ style), ownership transfer, array sizes and a monotonic
 * clock for request deadlines. Nothing here is part of the API.
 *
 * Cleanup functions preserve errno, so an error path may still read it after
 * locals have been released.
 */
#ifndef VSNDFRONT_UTIL_H
#define VSNDFRONT_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "xenif/xenif.h"

#define _cleanup_(fn) __attribute__((cleanup(fn)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	int saved = errno;

	free(*(void **)p);
	errno = saved;
}

static inline void strvfreep(char ***p)
{
	int saved = errno;

	xenif_strv_free(*p);
	errno = saved;
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_strv_free_ _cleanup_(strvfreep)

/* Hand a pointer out of a cleanup scope: returns it and disarms it. */
#define TAKE_PTR(p)                                                                    \
	({                                                                             \
		__typeof__(p) taken_ = (p);                                            \
		(p) = NULL;                                                            \
		taken_;                                                                \
	})

/* Milliseconds of CLOCK_MONOTONIC: deadlines must not follow wall-clock jumps. */
static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* What is left of @deadline for poll(): 0 once it has passed. */
static inline int ms_left(uint64_t deadline)
{
	uint64_t now = now_ms();

	if (now >= deadline)
		return 0;
	return deadline - now > INT32_MAX ? INT32_MAX : (int)(deadline - now);
}

#endif /* VSNDFRONT_UTIL_H */
