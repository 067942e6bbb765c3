/* SPDX-License-Identifier: MIT */
/*
 * vsnd/format-alsa.h - sndif format code <-> ALSA snd_pcm_format_t.
 *
 * Only ALSA-facing code (the backend's audio sink, the pcm_vsnd plugin and
 * their tests) includes this header, after <alsa/asoundlib.h>; libvsnd itself
 * never sees ALSA. The tests/unit/check-deps.py rules enforce both.
 */
#ifndef VSND_FORMAT_ALSA_H
#define VSND_FORMAT_ALSA_H

#ifndef __ALSA_PCM_H
#error "include <alsa/asoundlib.h> before vsnd/format-alsa.h"
#endif

#include <errno.h>

#include "vsnd/format.h"
#include "vsnd/wire.h"

static const snd_pcm_format_t vsnd_alsa_formats[VSND_FORMAT_COUNT] = {
	[XENSND_PCM_FORMAT_S8] = SND_PCM_FORMAT_S8,
	[XENSND_PCM_FORMAT_U8] = SND_PCM_FORMAT_U8,
	[XENSND_PCM_FORMAT_S16_LE] = SND_PCM_FORMAT_S16_LE,
	[XENSND_PCM_FORMAT_S16_BE] = SND_PCM_FORMAT_S16_BE,
	[XENSND_PCM_FORMAT_U16_LE] = SND_PCM_FORMAT_U16_LE,
	[XENSND_PCM_FORMAT_U16_BE] = SND_PCM_FORMAT_U16_BE,
	[XENSND_PCM_FORMAT_S24_LE] = SND_PCM_FORMAT_S24_LE,
	[XENSND_PCM_FORMAT_S24_BE] = SND_PCM_FORMAT_S24_BE,
	[XENSND_PCM_FORMAT_U24_LE] = SND_PCM_FORMAT_U24_LE,
	[XENSND_PCM_FORMAT_U24_BE] = SND_PCM_FORMAT_U24_BE,
	[XENSND_PCM_FORMAT_S32_LE] = SND_PCM_FORMAT_S32_LE,
	[XENSND_PCM_FORMAT_S32_BE] = SND_PCM_FORMAT_S32_BE,
	[XENSND_PCM_FORMAT_U32_LE] = SND_PCM_FORMAT_U32_LE,
	[XENSND_PCM_FORMAT_U32_BE] = SND_PCM_FORMAT_U32_BE,
	[XENSND_PCM_FORMAT_F32_LE] = SND_PCM_FORMAT_FLOAT_LE,
	[XENSND_PCM_FORMAT_F32_BE] = SND_PCM_FORMAT_FLOAT_BE,
	[XENSND_PCM_FORMAT_F64_LE] = SND_PCM_FORMAT_FLOAT64_LE,
	[XENSND_PCM_FORMAT_F64_BE] = SND_PCM_FORMAT_FLOAT64_BE,
	[XENSND_PCM_FORMAT_IEC958_SUBFRAME_LE] = SND_PCM_FORMAT_IEC958_SUBFRAME_LE,
	[XENSND_PCM_FORMAT_IEC958_SUBFRAME_BE] = SND_PCM_FORMAT_IEC958_SUBFRAME_BE,
	[XENSND_PCM_FORMAT_MU_LAW] = SND_PCM_FORMAT_MU_LAW,
	[XENSND_PCM_FORMAT_A_LAW] = SND_PCM_FORMAT_A_LAW,
	[XENSND_PCM_FORMAT_IMA_ADPCM] = SND_PCM_FORMAT_IMA_ADPCM,
	[XENSND_PCM_FORMAT_MPEG] = SND_PCM_FORMAT_MPEG,
	[XENSND_PCM_FORMAT_GSM] = SND_PCM_FORMAT_GSM,
};

/**
 * vsnd_format_to_alsa() - the ALSA format of a sndif code.
 * Return: the format, or SND_PCM_FORMAT_UNKNOWN for a code outside the table.
 */
static inline snd_pcm_format_t vsnd_format_to_alsa(unsigned int code)
{
	return code < VSND_FORMAT_COUNT ? vsnd_alsa_formats[code] : SND_PCM_FORMAT_UNKNOWN;
}

/**
 * vsnd_format_from_alsa() - the sndif code of an ALSA format.
 * Return: the code (>= 0), or -EINVAL when sndif has no such format
 * (S24_3LE, for one: sndif's S24 is the padded 4-octet container).
 */
static inline int vsnd_format_from_alsa(snd_pcm_format_t f)
{
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT; c++)
		if (vsnd_alsa_formats[c] == f)
			return (int)c;
	return -EINVAL;
}

#endif /* VSND_FORMAT_ALSA_H */
