/* SPDX-License-Identifier: MIT */
/*
 * util.h - libvsndfront's private helpers: the shared ones of
 * vsnd-common/util.h, plus a cleanup for xenif string vectors and request
 * deadlines. Nothing here is part of the API.
 */
#ifndef VSNDFRONT_UTIL_H
#define VSNDFRONT_UTIL_H

#include <stdint.h>

#include "vsnd-common/util.h"
#include "xenif/xenif.h"

static inline void strvfreep(char ***p)
{
	int saved = errno;

	xenif_strv_free(*p);
	errno = saved;
}

#define _cleanup_strv_free_ _cleanup_(strvfreep)

/* What is left of @deadline (now_ms() based) for poll(): 0 once passed. */
static inline int ms_left(uint64_t deadline)
{
	uint64_t now = now_ms();

	if (now >= deadline)
		return 0;
	return deadline - now > INT32_MAX ? INT32_MAX : (int)(deadline - now);
}

#endif /* VSNDFRONT_UTIL_H */
