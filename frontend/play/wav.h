/* SPDX-License-Identifier: MIT */
/*
 * wav.h - a small RIFF/WAVE reader and writer for vsnd-play.
 *
 * Reads and writes little-endian PCM WAV files: WAVE_FORMAT_PCM (integer
 * samples of 8, 16, 24 or 32 bits; 8-bit samples are unsigned, the others
 * signed), WAVE_FORMAT_IEEE_FLOAT (32 or 64 bits) and WAVE_FORMAT_EXTENSIBLE
 * with either subformat. 24-bit samples are stored packed, 3 octets each;
 * wav_s24_unpack() / wav_s24_pack() convert them to and from the 4-octet
 * containers of S24_LE.
 *
 * A WAV file is untrusted input. The reader walks at most WAV_MAX_CHUNKS
 * chunks, keeps every size in 64-bit arithmetic against the RIFF size and
 * the file size, checks every fmt field against the others (block align,
 * byte rate, bits, channels, rate) and refuses anything it does not
 * understand with -EINVAL and a message naming the field, its value and the
 * reason.
 */
#ifndef VSND_PLAY_WAV_H
#define VSND_PLAY_WAV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Chunks the reader looks at before it gives up finding fmt and data. */
#define WAV_MAX_CHUNKS 64u
/* The widest frame accepted (sndif carries the channel count in a u8). */
#define WAV_MAX_CHANNELS 255u
/* The highest rate accepted (the highest any host hardware offers). */
#define WAV_MAX_RATE 768000u
/* Size of an error message, NUL included. */
#define WAV_ERR_MAX 160u

#define WAV_FORMAT_PCM 0x0001u
#define WAV_FORMAT_IEEE_FLOAT 0x0003u
#define WAV_FORMAT_EXTENSIBLE 0xfffeu

/**
 * struct wav_info - what a WAV file holds.
 * @rate: frames per second.
 * @channels: samples per frame, 1..WAV_MAX_CHANNELS.
 * @bits: octets per sample in the file times 8: 8, 16, 24, 32 or 64.
 * @valid_bits: significant bits (WAVE_FORMAT_EXTENSIBLE), else @bits.
 * @is_float: IEEE float samples (32 or 64 bits) rather than integers.
 * @extensible: the fmt chunk is (to be) WAVE_FORMAT_EXTENSIBLE.
 * @frame_bytes: octets per frame (the block align).
 * @data_offset: where the data starts in the file (reading only).
 * @data_bytes: octets of data, a whole number of frames.
 */
struct wav_info {
	uint32_t rate;
	uint16_t channels;
	uint16_t bits;
	uint16_t valid_bits;
	bool is_float;
	bool extensible;
	uint32_t frame_bytes;
	uint64_t data_offset;
	uint32_t data_bytes;
};

/**
 * wav_read_header() - parse the header of a WAV file.
 * @f: the file, positioned anywhere; it must be seekable.
 * @ret: the format and where the data is.
 * @err: receives a message on failure (WAV_ERR_MAX octets), may be NULL.
 *
 * On success @f is positioned at the first data octet.
 * Return: 0; -EINVAL for a malformed or unsupported file; -EIO when reading
 * fails.
 */
int wav_read_header(FILE *f, struct wav_info *ret, char *err);

/**
 * struct wav_writer - a WAV file being written.
 * @f: the file (not owned).
 * @info: the format; @info.data_bytes counts what was written.
 * @header_bytes: octets before the data.
 */
struct wav_writer {
	FILE *f;
	struct wav_info info;
	uint32_t header_bytes;
};

/**
 * wav_info_init() - fill @ret for writing: @bits 8, 16, 24 or 32 for integer
 * samples, 32 or 64 for float. WAVE_FORMAT_EXTENSIBLE is chosen when the
 * file needs it (more than 2 channels, or more than 16 bits of integer).
 * Return: 0, or -EINVAL naming the value in @err.
 */
int wav_info_init(struct wav_info *ret, uint32_t rate, unsigned int channels,
		  unsigned int bits, bool is_float, char *err);

/**
 * wav_write_begin() - write a header with zero sizes to @f (at its start).
 * Return: 0 or a negative errno.
 */
int wav_write_begin(struct wav_writer *w, FILE *f, const struct wav_info *info);

/**
 * wav_write_data() - append @len octets of samples.
 * Return: 0; -EFBIG when the file would outgrow RIFF's 4 GiB; -EIO.
 */
int wav_write_data(struct wav_writer *w, const void *buf, size_t len);

/**
 * wav_write_finish() - pad the data to an even size, write the final RIFF
 * and data sizes into the header and flush.
 * Return: 0 or a negative errno.
 */
int wav_write_finish(struct wav_writer *w);

/* 3-octet packed little-endian samples -> 4-octet S24_LE (sign-extended). */
void wav_s24_unpack(const uint8_t *src, uint8_t *dst, size_t samples);
/* 4-octet S24_LE -> 3-octet packed (the top octet is dropped). */
void wav_s24_pack(const uint8_t *src, uint8_t *dst, size_t samples);

#endif /* VSND_PLAY_WAV_H */
