// SPDX-License-Identifier: MIT
/*
 * The sndif PCM format table (vsnd/format.h): one row per code with its
 * XenStore spelling, libxl's spelling where it differs, ALSA's name and the
 * physical sample width that every octet <-> frame conversion uses.
 */
#include "vsnd/format.h"

#include <errno.h>
#include <strings.h>

#include "vsnd/wire.h"

#define FMT(c, n, lx, alsa, bytes, bits)                                                  \
	[XENSND_PCM_FORMAT_##c] = { .code = XENSND_PCM_FORMAT_##c, .name = n, .libxl_name = lx, \
				    .alsa_name = alsa, .phys_bytes = bytes, .width_bits = bits }

static const struct vsnd_format_info formats[VSND_FORMAT_COUNT] = {
	FMT(S8, XENSND_PCM_FORMAT_S8_STR, NULL, "S8", 1, 8),
	FMT(U8, XENSND_PCM_FORMAT_U8_STR, NULL, "U8", 1, 8),
	FMT(S16_LE, XENSND_PCM_FORMAT_S16_LE_STR, NULL, "S16_LE", 2, 16),
	FMT(S16_BE, XENSND_PCM_FORMAT_S16_BE_STR, NULL, "S16_BE", 2, 16),
	FMT(U16_LE, XENSND_PCM_FORMAT_U16_LE_STR, NULL, "U16_LE", 2, 16),
	FMT(U16_BE, XENSND_PCM_FORMAT_U16_BE_STR, NULL, "U16_BE", 2, 16),
	/* sndif's S24 is ALSA's padded S24 in a 4-octet container (REQ-21). */
	FMT(S24_LE, XENSND_PCM_FORMAT_S24_LE_STR, NULL, "S24_LE", 4, 24),
	FMT(S24_BE, XENSND_PCM_FORMAT_S24_BE_STR, NULL, "S24_BE", 4, 24),
	FMT(U24_LE, XENSND_PCM_FORMAT_U24_LE_STR, NULL, "U24_LE", 4, 24),
	FMT(U24_BE, XENSND_PCM_FORMAT_U24_BE_STR, NULL, "U24_BE", 4, 24),
	FMT(S32_LE, XENSND_PCM_FORMAT_S32_LE_STR, NULL, "S32_LE", 4, 32),
	FMT(S32_BE, XENSND_PCM_FORMAT_S32_BE_STR, NULL, "S32_BE", 4, 32),
	FMT(U32_LE, XENSND_PCM_FORMAT_U32_LE_STR, NULL, "U32_LE", 4, 32),
	FMT(U32_BE, XENSND_PCM_FORMAT_U32_BE_STR, NULL, "U32_BE", 4, 32),
	/* libxl's enum spells floats f32/f64 (protocol.md 6.2). */
	FMT(F32_LE, XENSND_PCM_FORMAT_F32_LE_STR, "f32_le", "FLOAT_LE", 4, 32),
	FMT(F32_BE, XENSND_PCM_FORMAT_F32_BE_STR, "f32_be", "FLOAT_BE", 4, 32),
	FMT(F64_LE, XENSND_PCM_FORMAT_F64_LE_STR, "f64_le", "FLOAT64_LE", 8, 64),
	FMT(F64_BE, XENSND_PCM_FORMAT_F64_BE_STR, "f64_be", "FLOAT64_BE", 8, 64),
	FMT(IEC958_SUBFRAME_LE, XENSND_PCM_FORMAT_IEC958_SUBFRAME_LE_STR, NULL,
	    "IEC958_SUBFRAME_LE", 4, 32),
	FMT(IEC958_SUBFRAME_BE, XENSND_PCM_FORMAT_IEC958_SUBFRAME_BE_STR, NULL,
	    "IEC958_SUBFRAME_BE", 4, 32),
	FMT(MU_LAW, XENSND_PCM_FORMAT_MU_LAW_STR, NULL, "MU_LAW", 1, 8),
	FMT(A_LAW, XENSND_PCM_FORMAT_A_LAW_STR, NULL, "A_LAW", 1, 8),
	/* No fixed frame size: never offered, never accepted at OPEN. */
	FMT(IMA_ADPCM, XENSND_PCM_FORMAT_IMA_ADPCM_STR, NULL, "IMA_ADPCM", 0, 4),
	FMT(MPEG, XENSND_PCM_FORMAT_MPEG_STR, NULL, "MPEG", 0, 0),
	FMT(GSM, XENSND_PCM_FORMAT_GSM_STR, NULL, "GSM", 0, 0),
};

_Static_assert(VSND_FORMAT_COUNT == VSND_FORMAT_MAX + 1, "one row per sndif format code");

const struct vsnd_format_info *vsnd_format_info(unsigned int code)
{
	if (code >= VSND_FORMAT_COUNT)
		return NULL;
	return &formats[code];
}

const char *vsnd_format_to_string(unsigned int code)
{
	const struct vsnd_format_info *f = vsnd_format_info(code);

	return f ? f->name : "unknown";
}

static bool name_equal(const char *name, size_t len, const char *ref)
{
	return ref && strlen(ref) == len && strncasecmp(name, ref, len) == 0;
}

int vsnd_format_from_name(const char *name, size_t len)
{
	if (!name || len == 0 || len > XENSND_SAMPLE_FORMAT_MAX_LEN)
		return -EINVAL;
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT; c++)
		if (name_equal(name, len, formats[c].name) ||
		    name_equal(name, len, formats[c].libxl_name))
			return (int)c;
	return -EINVAL;
}

unsigned int vsnd_format_phys_bytes(unsigned int code)
{
	const struct vsnd_format_info *f = vsnd_format_info(code);

	return f ? f->phys_bytes : 0;
}

int vsnd_frame_bytes(unsigned int code, unsigned int channels, uint32_t *ret_bytes)
{
	unsigned int w = vsnd_format_phys_bytes(code);

	/* channels is at most 255 on the wire; 8 x 255 cannot overflow. */
	if (w == 0 || channels == 0 || channels > 255)
		return -EINVAL;
	*ret_bytes = (uint32_t)(w * channels);
	return 0;
}

int vsnd_bytes_to_frames(uint64_t bytes, unsigned int code, unsigned int channels,
			 uint32_t *ret_frames)
{
	uint32_t fb;
	int r;

	r = vsnd_frame_bytes(code, channels, &fb);
	if (r < 0)
		return r;
	if (bytes % fb != 0)
		return -EINVAL;
	if (bytes / fb > UINT32_MAX)
		return -EOVERFLOW;
	*ret_frames = (uint32_t)(bytes / fb);
	return 0;
}

int vsnd_frames_to_bytes(uint64_t frames, unsigned int code, unsigned int channels,
			 uint32_t *ret_bytes)
{
	uint32_t fb;
	int r;

	r = vsnd_frame_bytes(code, channels, &fb);
	if (r < 0)
		return r;
	if (frames > UINT32_MAX / fb)
		return -EOVERFLOW;
	*ret_bytes = (uint32_t)(frames * fb);
	return 0;
}
