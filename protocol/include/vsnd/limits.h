/* SPDX-License-Identifier: MIT */
/*
 * vsnd/limits.h - what one stream may be configured to: its effective
 * XenStore settings (card -> pcm -> stream, Linux's rules, see vsnd/xscfg.h),
 * possibly narrowed further by dom0 policy.
 *
 * Rate sets are either a discrete sorted list (Linux turns a recognised
 * `sample-rates` list into one) or a continuous closed range (Linux's default
 * 5512..48000 when no list is given or none of its entries is recognised).
 */
#ifndef VSND_LIMITS_H
#define VSND_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

/* Capacity of a discrete rate list. */
#define VSND_MAX_RATES 32u
/* The rates the Linux frontend recognises in `sample-rates` (protocol.md 4.2). */
#define VSND_LINUX_RATES_COUNT 12u
extern const uint32_t vsnd_linux_rates[VSND_LINUX_RATES_COUNT];

/* Linux frontend defaults (xen_snd_front_cfg.c, protocol.md 4.2). */
#define VSND_LINUX_DEFAULT_RATE_MIN 5512u
#define VSND_LINUX_DEFAULT_RATE_MAX 48000u
#define VSND_LINUX_DEFAULT_CHANNELS_MIN 1u
#define VSND_LINUX_DEFAULT_CHANNELS_MAX 2u
#define VSND_LINUX_DEFAULT_BUFFER_BYTES 65536u

struct vsnd_rate_set {
	/* n == 0: every rate in [min, max]; n > 0: exactly rates[0..n-1],
	 * ascending, no duplicates, and min/max equal rates[0]/rates[n-1]. */
	uint32_t rates[VSND_MAX_RATES];
	uint32_t n;
	uint32_t min;
	uint32_t max;
};

struct vsnd_stream_limits {
	uint64_t formats;		/* sndif format bits (vsnd/format.h) */
	struct vsnd_rate_set rates;
	uint32_t channels_min;
	uint32_t channels_max;
	uint32_t buffer_bytes_max;	/* the stream's `buffer-size` */
};

/**
 * vsnd_rate_set_contains() - whether @rate is in @set.
 */
bool vsnd_rate_set_contains(const struct vsnd_rate_set *set, uint32_t rate);

/**
 * vsnd_rate_set_range() - set @set to the continuous range [min, max].
 * Return: 0, or -EINVAL when @min > @max.
 */
int vsnd_rate_set_range(struct vsnd_rate_set *set, uint32_t min, uint32_t max);

/**
 * vsnd_rate_set_add() - add one rate to a discrete set (sorted insert; a
 * duplicate is ignored). A set with n == 0 becomes discrete with this rate.
 * Return: 0, -EINVAL for rate 0, -ENOSPC when VSND_MAX_RATES are held.
 */
int vsnd_rate_set_add(struct vsnd_rate_set *set, uint32_t rate);

/**
 * vsnd_stream_limits_linux_default() - the limits the Linux frontend uses
 * for a stream with no XenStore settings at any level: U8 and S16_LE, 5512 to
 * 48000 Hz continuous, 1-2 channels, 64 KiB buffer.
 */
void vsnd_stream_limits_linux_default(struct vsnd_stream_limits *ret);

#endif /* VSND_LIMITS_H */
