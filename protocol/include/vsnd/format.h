/* SPDX-License-Identifier: MIT */
/*
 * vsnd/format.h - sndif PCM formats: codes, XenStore names, sample widths,
 * and octet <-> frame conversion.
 *
 * The physical width is what counts on the wire: S24 formats travel in
 * 4-octet containers (protocol.md 3.13, REQ-21). Formats without a fixed
 * frame size (IMA ADPCM, MPEG, GSM) have width 0, cannot be converted, and
 * are never offered or accepted.
 *
 * The ALSA half of the format table (sndif code <-> snd_pcm_format_t) is in
 * vsnd/format-alsa.h, which only ALSA-facing code includes.
 */
#ifndef VSND_FORMAT_H
#define VSND_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Number of sndif format codes (0..24). */
#define VSND_FORMAT_COUNT 25u
/* Bit n set for every format code n. */
#define VSND_FORMATS_ALL ((UINT64_C(1) << VSND_FORMAT_COUNT) - 1)
/* The formats with a fixed frame size (codes 0..21). */
#define VSND_FORMATS_FIXED ((UINT64_C(1) << 22) - 1)
#define VSND_FORMAT_BIT(code) (UINT64_C(1) << (code))

struct vsnd_format_info {
	uint8_t code;
	/* XenStore spelling from sndif.h ("s16_le", "float_le"). */
	const char *name;
	/* libxl's enum spelling where it differs ("f32_le"), else NULL. */
	const char *libxl_name;
	/* ALSA's format name as snd_pcm_format_name() prints it. */
	const char *alsa_name;
	/* Octets per sample in memory; 0 when there is no fixed frame size. */
	uint8_t phys_bytes;
	/* Significant bits per sample (24 for S24 in a 4-octet container). */
	uint8_t width_bits;
};

/**
 * vsnd_format_info() - look up a format by its sndif code.
 * @code: any value, including guest-supplied ones.
 *
 * Return: the table entry, or NULL when @code is not a sndif format.
 */
const struct vsnd_format_info *vsnd_format_info(unsigned int code);

/**
 * vsnd_format_to_string() - the sndif XenStore name of a format.
 * Return: the name, or "unknown" for a code outside the table.
 */
const char *vsnd_format_to_string(unsigned int code);

/**
 * vsnd_format_from_name() - parse a XenStore format name.
 * @name: characters of one list entry, not necessarily NUL-terminated.
 * @len: their number.
 *
 * Accepts the sndif spellings and libxl's f32_le/f32_be/f64_le/f64_be,
 * case-insensitively, as Linux and libxl compare them; nothing else (no
 * surrounding spaces, no prefixes).
 *
 * Return: the format code (>= 0), or -EINVAL.
 */
int vsnd_format_from_name(const char *name, size_t len);

/**
 * vsnd_format_phys_bytes() - octets one sample occupies in the buffer.
 * Return: 1, 2, 4 or 8; 0 for an unknown code or one without a fixed size.
 */
unsigned int vsnd_format_phys_bytes(unsigned int code);

/**
 * vsnd_frame_bytes() - octets of one frame of @channels channels.
 * @ret_bytes: receives format width x channels.
 *
 * Return: 0, or -EINVAL for an unknown or variable-size format or 0 channels.
 */
int vsnd_frame_bytes(unsigned int code, unsigned int channels, uint32_t *ret_bytes);

/**
 * vsnd_bytes_to_frames() - convert an octet count to frames.
 *
 * Return: 0, or -EINVAL when the format has no fixed frame size, @channels
 * is 0, or @bytes is not a whole number of frames; -EOVERFLOW when the frame
 * count does not fit 32 bits.
 */
int vsnd_bytes_to_frames(uint64_t bytes, unsigned int code, unsigned int channels,
			 uint32_t *ret_frames);

/**
 * vsnd_frames_to_bytes() - convert a frame count to octets.
 *
 * Return: 0, -EINVAL as for vsnd_frame_bytes(), or -EOVERFLOW when the
 * octet count does not fit 32 bits (sndif sizes are u32).
 */
int vsnd_frames_to_bytes(uint64_t frames, unsigned int code, unsigned int channels,
			 uint32_t *ret_bytes);

#endif /* VSND_FORMAT_H */
