// SPDX-License-Identifier: MIT
/*
 * Stream limits and rate sets (vsnd/limits.h).
 */
#include "vsnd/limits.h"

#include <errno.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/wire.h"

const uint32_t vsnd_linux_rates[VSND_LINUX_RATES_COUNT] = {
	5512, 8000, 11025, 16000, 22050, 32000, 44100, 48000, 64000, 96000, 176400, 192000,
};

bool vsnd_rate_set_contains(const struct vsnd_rate_set *set, uint32_t rate)
{
	if (set->n == 0)
		return rate >= set->min && rate <= set->max;
	for (uint32_t k = 0; k < set->n && k < VSND_MAX_RATES; k++)
		if (set->rates[k] == rate)
			return true;
	return false;
}

int vsnd_rate_set_range(struct vsnd_rate_set *set, uint32_t min, uint32_t max)
{
	if (min > max)
		return -EINVAL;
	memset(set, 0, sizeof(*set));
	set->min = min;
	set->max = max;
	return 0;
}

int vsnd_rate_set_add(struct vsnd_rate_set *set, uint32_t rate)
{
	uint32_t k;

	if (rate == 0)
		return -EINVAL;
	if (set->n > VSND_MAX_RATES)
		return -EINVAL;
	for (k = 0; k < set->n; k++) {
		if (set->rates[k] == rate)
			return 0;
		if (set->rates[k] > rate)
			break;
	}
	if (set->n == VSND_MAX_RATES)
		return -ENOSPC;
	memmove(&set->rates[k + 1], &set->rates[k], (set->n - k) * sizeof(set->rates[0]));
	set->rates[k] = rate;
	set->n++;
	set->min = set->rates[0];
	set->max = set->rates[set->n - 1];
	return 0;
}

void vsnd_stream_limits_linux_default(struct vsnd_stream_limits *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->formats = VSND_FORMAT_BIT(XENSND_PCM_FORMAT_U8) |
		       VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE);
	(void)vsnd_rate_set_range(&ret->rates, VSND_LINUX_DEFAULT_RATE_MIN,
				  VSND_LINUX_DEFAULT_RATE_MAX);
	ret->channels_min = VSND_LINUX_DEFAULT_CHANNELS_MIN;
	ret->channels_max = VSND_LINUX_DEFAULT_CHANNELS_MAX;
	ret->buffer_bytes_max = VSND_LINUX_DEFAULT_BUFFER_BYTES;
}
