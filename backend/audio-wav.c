// SPDX-License-Identifier: MIT
/*
 * The WAV files of the "file:" sink and source: a RIFF/WAVE writer whose
 * data chunk holds the stream's frames byte for byte, and a reader for the
 * same subset. Multi-channel, 24-in-32 and float data use
 * WAVE_FORMAT_EXTENSIBLE, the only form that can say "24 valid bits in a
 * 4-octet container"; 8/16-bit PCM in mono or stereo and the G.711 formats
 * keep the classic header every tool reads.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "audio-impl.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"

#define TAG_PCM 0x0001u
#define TAG_FLOAT 0x0003u
#define TAG_ALAW 0x0006u
#define TAG_MULAW 0x0007u
#define TAG_EXTENSIBLE 0xfffeu

/* RIFF + WAVE + fmt header (8 + 40) + data header: the largest header written. */
#define HEADER_MAX (12u + 48u + 8u)
/* A RIFF size is 32 bits and counts everything after its own 8 octets. */
#define RIFF_DATA_MAX (UINT32_MAX - HEADER_MAX)

struct wav_format {
	uint8_t format;
	uint16_t tag;
	uint16_t container_bits;
	uint16_t valid_bits;
};

static const struct wav_format wav_formats[] = {
	{ XENSND_PCM_FORMAT_U8, TAG_PCM, 8, 8 },
	{ XENSND_PCM_FORMAT_S16_LE, TAG_PCM, 16, 16 },
	{ XENSND_PCM_FORMAT_S24_LE, TAG_PCM, 32, 24 },
	{ XENSND_PCM_FORMAT_S32_LE, TAG_PCM, 32, 32 },
	{ XENSND_PCM_FORMAT_F32_LE, TAG_FLOAT, 32, 32 },
	{ XENSND_PCM_FORMAT_F64_LE, TAG_FLOAT, 64, 64 },
	{ XENSND_PCM_FORMAT_A_LAW, TAG_ALAW, 8, 8 },
	{ XENSND_PCM_FORMAT_MU_LAW, TAG_MULAW, 8, 8 },
};

/* KSDATAFORMAT_SUBTYPE_*: the tag, then this fixed tail. */
static const uint8_t guid_tail[14] = { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
				       0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };

uint64_t sndbe_wav_formats(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < ARRAY_SIZE(wav_formats); i++)
		mask |= VSND_FORMAT_BIT(wav_formats[i].format);
	return mask;
}

static const struct wav_format *format_by_code(uint8_t code)
{
	for (size_t i = 0; i < ARRAY_SIZE(wav_formats); i++)
		if (wav_formats[i].format == code)
			return &wav_formats[i];
	return NULL;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffffu);
	put16(p + 2, v >> 16);
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static bool needs_extensible(const struct wav_format *wf, uint8_t channels)
{
	return wf->tag == TAG_FLOAT || wf->container_bits != wf->valid_bits ||
	       (wf->tag == TAG_PCM && (channels > 2 || wf->container_bits > 16));
}

/* The speaker mask for the usual layouts; 0 ("none assigned") otherwise. */
static uint32_t channel_mask(uint8_t channels)
{
	static const uint32_t masks[] = { 0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f };

	return channels < ARRAY_SIZE(masks) ? masks[channels] : 0;
}

static int write_all(int fd, const uint8_t *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Build the header into @h; returns its length. */
static size_t build_header(uint8_t *h, const struct wav_format *wf, const struct sndbe_wav *w)
{
	uint32_t align = (uint32_t)(wf->container_bits / 8u) * w->channels;
	uint32_t data = w->data_bytes > RIFF_DATA_MAX ? RIFF_DATA_MAX : (uint32_t)w->data_bytes;
	bool ext = needs_extensible(wf, w->channels);
	uint32_t fmt_len = ext ? 40 : wf->tag == TAG_PCM ? 16 : 18;
	size_t len = 12 + 8 + fmt_len + 8;

	memset(h, 0, HEADER_MAX);
	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(len - 8) + data + (data & 1));
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, fmt_len);
	put16(h + 20, ext ? TAG_EXTENSIBLE : wf->tag);
	put16(h + 22, w->channels);
	put32(h + 24, w->rate);
	put32(h + 28, w->rate * align);
	put16(h + 32, align);
	put16(h + 34, wf->container_bits);
	if (ext) {
		put16(h + 36, 22);
		put16(h + 38, wf->valid_bits);
		put32(h + 40, channel_mask(w->channels));
		put16(h + 44, wf->tag);
		memcpy(h + 46, guid_tail, sizeof(guid_tail));
	}
	memcpy(h + len - 8, "data", 4);
	put32(h + len - 4, data);
	return len;
}

int sndbe_wav_write_header(int fd, const struct sndbe_wav *w)
{
	const struct wav_format *wf = format_by_code(w->format);
	uint8_t h[HEADER_MAX];
	size_t len;

	if (!wf || w->channels == 0 || w->rate == 0)
		return -EINVAL;
	len = build_header(h, wf, w);
	return write_all(fd, h, len, 0);
}

int sndbe_wav_finish(int fd, const struct sndbe_wav *w)
{
	const struct wav_format *wf = format_by_code(w->format);
	uint8_t h[HEADER_MAX];
	size_t len;
	int r;

	if (!wf)
		return -EINVAL;
	len = build_header(h, wf, w);
	r = write_all(fd, h, len, 0);
	if (r < 0)
		return r;
	/* RIFF chunks are padded to even sizes. */
	if (w->data_bytes & 1 && w->data_bytes <= RIFF_DATA_MAX) {
		static const uint8_t pad;

		r = write_all(fd, &pad, 1, (off_t)(w->data_offset + w->data_bytes));
	}
	return r;
}

static int read_exact(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			return -EINVAL;	/* truncated header */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Decode a fmt chunk's body into @ret's format and channels. */
static int parse_fmt(const uint8_t *b, uint32_t len, struct sndbe_wav *ret)
{
	uint32_t tag, channels, align, bits, valid;

	if (len < 16)
		return -EINVAL;
	tag = get16(b);
	channels = get16(b + 2);
	ret->rate = get32(b + 4);
	align = get16(b + 12);
	bits = get16(b + 14);
	valid = bits;
	if (tag == TAG_EXTENSIBLE) {
		if (len < 40 || memcmp(b + 26, guid_tail, sizeof(guid_tail)) != 0)
			return -EINVAL;
		valid = get16(b + 18);
		tag = get16(b + 24);
	}
	if (channels == 0 || channels > 255 || ret->rate == 0 || bits % 8 ||
	    align != bits / 8 * channels)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(wav_formats); i++) {
		const struct wav_format *wf = &wav_formats[i];

		if (wf->tag == tag && wf->container_bits == bits && wf->valid_bits == valid) {
			ret->format = wf->format;
			ret->channels = (uint8_t)channels;
			return 0;
		}
	}
	return -EINVAL;
}

int sndbe_wav_read_header(int fd, struct sndbe_wav *ret)
{
	uint8_t h[12], fmt[40];
	uint64_t off = 12;
	off_t size = lseek(fd, 0, SEEK_END);
	bool have_fmt = false;
	int r;

	if (size < 0)
		return negative_errno();
	if (lseek(fd, 0, SEEK_SET) < 0)
		return negative_errno();
	r = read_exact(fd, h, sizeof(h));
	if (r < 0)
		return r;
	if (memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
		return -EINVAL;
	/* Walk the chunks; a file has few, and each step moves forward. */
	for (;;) {
		uint32_t len;

		if (lseek(fd, (off_t)off, SEEK_SET) < 0)
			return negative_errno();
		r = read_exact(fd, h, 8);
		if (r < 0)
			return r;
		len = get32(h + 4);
		off += 8;
		if (memcmp(h, "fmt ", 4) == 0) {
			uint32_t n = len < sizeof(fmt) ? len : (uint32_t)sizeof(fmt);

			r = read_exact(fd, fmt, n);
			if (r < 0)
				return r;
			r = parse_fmt(fmt, len, ret);
			if (r < 0)
				return r;
			have_fmt = true;
		} else if (memcmp(h, "data", 4) == 0) {
			uint64_t avail = (uint64_t)size > off ? (uint64_t)size - off : 0;
			uint32_t frame;

			if (!have_fmt)
				return -EINVAL;
			/* Streamed files leave the size at 0 or ~0: trust the file. */
			if (len == 0 || len > avail)
				len = (uint32_t)(avail > UINT32_MAX ? UINT32_MAX : avail);
			frame = (uint32_t)vsnd_format_phys_bytes(ret->format) * ret->channels;
			ret->data_offset = off;
			ret->data_bytes = len - len % frame;
			return lseek(fd, (off_t)off, SEEK_SET) < 0 ? negative_errno() : 0;
		}
		off += (uint64_t)len + (len & 1);
	}
}
