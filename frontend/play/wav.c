// SPDX-License-Identifier: MIT
/*
 * wav.c - the RIFF/WAVE reader and writer of vsnd-play (see wav.h).
 *
 * The reader treats the file as hostile: the chunk walk is bounded, each
 * chunk must lie inside both the RIFF size and the file, offsets are 64-bit
 * so no size can wrap, and the fmt chunk's fields must agree with each
 * other. The writer emits the canonical layout (RIFF, fmt, data) and fixes
 * the sizes up when it finishes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wav.h"

/* The tail shared by the KSDATAFORMAT_SUBTYPE_* GUIDs after the 2-octet tag. */
static const uint8_t guid_tail[14] = {
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
};

#define FMT_PCM_BYTES 16u
#define FMT_FLOAT_BYTES 18u
#define FMT_EXT_BYTES 40u

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

__attribute__((format(printf, 2, 3)))
static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err, WAV_ERR_MAX, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A chunk id for messages: printable characters as is, others as \xNN. */
static const char *fourcc(const uint8_t *id, char out[17])
{
	char *p = out;

	for (int i = 0; i < 4; i++) {
		if (id[i] >= 0x20 && id[i] < 0x7f && id[i] != '\\' && id[i] != '"')
			*p++ = (char)id[i];
		else
			p += sprintf(p, "\\x%02x", id[i]);
	}
	*p = '\0';
	return out;
}

static int read_at(FILE *f, uint64_t off, void *buf, size_t n)
{
	if (fseeko(f, (off_t)off, SEEK_SET) < 0)
		return -EIO;
	if (fread(buf, 1, n, f) != n)
		return ferror(f) ? -EIO : -EINVAL;
	return 0;
}

/* The sample encoding of a fmt chunk: tag, and for extensible the subformat. */
static int fmt_encoding(const uint8_t *b, uint32_t size, struct wav_info *ret, char *err)
{
	uint16_t tag = le16(b), sub;

	ret->extensible = tag == WAV_FORMAT_EXTENSIBLE;
	ret->valid_bits = ret->bits;
	if (!ret->extensible) {
		if (tag != WAV_FORMAT_PCM && tag != WAV_FORMAT_IEEE_FLOAT)
			return fail(err, "fmt: format tag %#06x is not PCM (1), IEEE float (3) "
				    "or WAVE_FORMAT_EXTENSIBLE (0xfffe)", tag);
		ret->is_float = tag == WAV_FORMAT_IEEE_FLOAT;
		return 0;
	}
	if (size < FMT_EXT_BYTES)
		return fail(err, "fmt: WAVE_FORMAT_EXTENSIBLE needs a %u-octet fmt chunk, "
			    "this one has %u", FMT_EXT_BYTES, size);
	if (le16(b + 16) < 22)
		return fail(err, "fmt: extension size %u is too small for WAVE_FORMAT_EXTENSIBLE "
			    "(at least 22)", le16(b + 16));
	sub = le16(b + 24);
	if (memcmp(b + 26, guid_tail, sizeof(guid_tail)) != 0 ||
	    (sub != WAV_FORMAT_PCM && sub != WAV_FORMAT_IEEE_FLOAT))
		return fail(err, "fmt: subformat GUID (tag %#06x) is not PCM or IEEE float", sub);
	ret->is_float = sub == WAV_FORMAT_IEEE_FLOAT;
	ret->valid_bits = le16(b + 18);
	return 0;
}

/* The numbers of a fmt chunk, each checked against the others. */
static int fmt_numbers(const uint8_t *b, struct wav_info *ret, char *err)
{
	uint32_t byte_rate = le32(b + 8), align = le16(b + 12);
	uint64_t want_rate;

	if (ret->channels < 1 || ret->channels > WAV_MAX_CHANNELS)
		return fail(err, "fmt: %u channels: must be 1 to %u", ret->channels,
			    WAV_MAX_CHANNELS);
	if (ret->rate < 1 || ret->rate > WAV_MAX_RATE)
		return fail(err, "fmt: sample rate %u Hz: must be 1 to %u", ret->rate,
			    WAV_MAX_RATE);
	if (ret->is_float ? ret->bits != 32 && ret->bits != 64 :
			    ret->bits != 8 && ret->bits != 16 && ret->bits != 24 && ret->bits != 32)
		return fail(err, "fmt: %u bits per sample: %s", ret->bits,
			    ret->is_float ? "float samples must have 32 or 64" :
					    "integer samples must have 8, 16, 24 or 32");
	if (ret->valid_bits < 1 || ret->valid_bits > ret->bits ||
	    (ret->is_float && ret->valid_bits != ret->bits))
		return fail(err, "fmt: %u valid bits in a %u-bit %s sample", ret->valid_bits,
			    ret->bits, ret->is_float ? "float" : "integer");
	ret->frame_bytes = (uint32_t)ret->channels * ret->bits / 8;
	if (align != ret->frame_bytes)
		return fail(err, "fmt: block align %u does not match %u channels of %u bits "
			    "(%u)", align, ret->channels, ret->bits, ret->frame_bytes);
	want_rate = (uint64_t)ret->rate * ret->frame_bytes;
	if (byte_rate != want_rate)
		return fail(err, "fmt: byte rate %u does not match %u Hz x %u octets per frame "
			    "(%llu)", byte_rate, ret->rate, ret->frame_bytes,
			    (unsigned long long)want_rate);
	return 0;
}

static int parse_fmt(FILE *f, uint64_t off, uint32_t size, struct wav_info *ret, char *err)
{
	uint8_t b[FMT_EXT_BYTES] = { 0 };
	int r;

	if (size < FMT_PCM_BYTES)
		return fail(err, "fmt chunk of %u octets is too small (at least %u)", size,
			    FMT_PCM_BYTES);
	r = read_at(f, off, b, size < sizeof(b) ? size : sizeof(b));
	if (r < 0)
		return r == -EIO ? r : fail(err, "the file ends inside the fmt chunk");
	ret->channels = le16(b + 2);
	ret->rate = le32(b + 4);
	ret->bits = le16(b + 14);
	r = fmt_encoding(b, size, ret, err);
	if (r < 0)
		return r;
	return fmt_numbers(b, ret, err);
}

static int file_size(FILE *f, uint64_t *ret)
{
	off_t end;

	if (fseeko(f, 0, SEEK_END) < 0)
		return -EIO;
	end = ftello(f);
	if (end < 0)
		return -EIO;
	*ret = (uint64_t)end;
	return 0;
}

/* The RIFF header: returns where the chunks end. */
static int parse_riff(FILE *f, uint64_t *ret_end, char *err)
{
	uint8_t h[12];
	uint64_t fsize, end;
	int r;

	r = file_size(f, &fsize);
	if (r < 0)
		return r;
	r = read_at(f, 0, h, sizeof(h));
	if (r < 0)
		return r == -EIO ? r : fail(err, "%llu octets: too short for a WAV header",
					    (unsigned long long)fsize);
	if (memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
		return fail(err, "not a RIFF/WAVE file (no \"RIFF\" ... \"WAVE\" header)");
	end = 8 + (uint64_t)le32(h + 4);
	if (end < sizeof(h))
		return fail(err, "RIFF size %u is too small (at least 4)", le32(h + 4));
	if (end > fsize)
		return fail(err, "RIFF size %u runs past the end of the file (%llu octets)",
			    le32(h + 4), (unsigned long long)fsize);
	*ret_end = end;
	return 0;
}

int wav_read_header(FILE *f, struct wav_info *ret, char *err)
{
	struct wav_info info = { 0 };
	uint64_t end, pos = 12;
	bool have_fmt = false;
	char name[17];
	int r;

	r = parse_riff(f, &end, err);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < WAV_MAX_CHUNKS; i++) {
		uint8_t h[8];
		uint32_t size;

		if (pos + sizeof(h) > end)
			return fail(err, "no data chunk before the end of the RIFF data");
		r = read_at(f, pos, h, sizeof(h));
		if (r < 0)
			return r == -EIO ? r : fail(err, "the file ends inside a chunk header");
		size = le32(h + 4);
		if (pos + sizeof(h) + size > end)
			return fail(err, "chunk \"%s\" at offset %llu: size %u runs past the end "
				    "of the RIFF data (%llu octets)", fourcc(h, name),
				    (unsigned long long)pos, size, (unsigned long long)end);
		if (memcmp(h, "fmt ", 4) == 0) {
			if (have_fmt)
				return fail(err, "a second fmt chunk at offset %llu",
					    (unsigned long long)pos);
			r = parse_fmt(f, pos + sizeof(h), size, &info, err);
			if (r < 0)
				return r;
			have_fmt = true;
		} else if (memcmp(h, "data", 4) == 0) {
			if (!have_fmt)
				return fail(err, "data chunk at offset %llu comes before the fmt "
					    "chunk", (unsigned long long)pos);
			if (size % info.frame_bytes != 0)
				return fail(err, "data size %u is not a whole number of %u-octet "
					    "frames", size, info.frame_bytes);
			info.data_offset = pos + sizeof(h);
			info.data_bytes = size;
			if (fseeko(f, (off_t)info.data_offset, SEEK_SET) < 0)
				return -EIO;
			*ret = info;
			return 0;
		}
		pos += sizeof(h) + (uint64_t)size + (size & 1);
	}
	return fail(err, "no data chunk within the first %u chunks", WAV_MAX_CHUNKS);
}

int wav_info_init(struct wav_info *ret, uint32_t rate, unsigned int channels,
		  unsigned int bits, bool is_float, char *err)
{
	struct wav_info info = {
		.rate = rate,
		.channels = (uint16_t)channels,
		.bits = (uint16_t)bits,
		.valid_bits = (uint16_t)bits,
		.is_float = is_float,
	};

	if (channels < 1 || channels > WAV_MAX_CHANNELS)
		return fail(err, "%u channels: a WAV file holds 1 to %u", channels,
			    WAV_MAX_CHANNELS);
	if (rate < 1 || rate > WAV_MAX_RATE)
		return fail(err, "sample rate %u Hz: a WAV file here holds 1 to %u", rate,
			    WAV_MAX_RATE);
	if (is_float ? bits != 32 && bits != 64 :
		       bits != 8 && bits != 16 && bits != 24 && bits != 32)
		return fail(err, "%u-bit %s samples cannot be stored in a WAV file", bits,
			    is_float ? "float" : "integer");
	info.frame_bytes = channels * bits / 8;
	info.extensible = channels > 2 || (!is_float && bits > 16);
	*ret = info;
	return 0;
}

static uint32_t fmt_bytes(const struct wav_info *info)
{
	if (info->extensible)
		return FMT_EXT_BYTES;
	return info->is_float ? FMT_FLOAT_BYTES : FMT_PCM_BYTES;
}

static void fill_fmt(uint8_t *b, const struct wav_info *info)
{
	uint16_t tag = info->is_float ? WAV_FORMAT_IEEE_FLOAT : WAV_FORMAT_PCM;
	uint32_t mask = info->channels < 32 ? (1u << info->channels) - 1 : 0;

	put16(b, info->extensible ? WAV_FORMAT_EXTENSIBLE : tag);
	put16(b + 2, info->channels);
	put32(b + 4, info->rate);
	put32(b + 8, info->rate * info->frame_bytes);
	put16(b + 12, info->frame_bytes);
	put16(b + 14, info->bits);
	if (!info->extensible)
		return;	/* a float chunk's extension size (18) stays 0 */
	put16(b + 16, 22);
	put16(b + 18, info->valid_bits);
	put32(b + 20, info->channels <= 2 ? mask : 0);
	put16(b + 24, tag);
	memcpy(b + 26, guid_tail, sizeof(guid_tail));
}

int wav_write_begin(struct wav_writer *w, FILE *f, const struct wav_info *info)
{
	uint8_t h[12 + 8 + FMT_EXT_BYTES + 8] = { 0 };
	uint32_t fmt = fmt_bytes(info);

	*w = (struct wav_writer){ .f = f, .info = *info };
	w->info.data_bytes = 0;
	w->info.data_offset = 12 + 8 + fmt + 8;
	w->header_bytes = (uint32_t)w->info.data_offset;
	memcpy(h, "RIFF", 4);
	put32(h + 4, w->header_bytes - 8);
	memcpy(h + 8, "WAVE", 4);
	memcpy(h + 12, "fmt ", 4);
	put32(h + 16, fmt);
	fill_fmt(h + 20, info);
	memcpy(h + 20 + fmt, "data", 4);
	if (fseeko(f, 0, SEEK_SET) < 0 || fwrite(h, 1, w->header_bytes, f) != w->header_bytes)
		return -EIO;
	return 0;
}

int wav_write_data(struct wav_writer *w, const void *buf, size_t len)
{
	/* RIFF size = header - 8 + data + pad must fit 32 bits. */
	if ((uint64_t)w->header_bytes - 8 + w->info.data_bytes + len + 1 > UINT32_MAX)
		return -EFBIG;
	if (len && fwrite(buf, 1, len, w->f) != len)
		return -EIO;
	w->info.data_bytes += (uint32_t)len;
	return 0;
}

int wav_write_finish(struct wav_writer *w)
{
	uint32_t pad = w->info.data_bytes & 1;
	uint8_t b[4];

	if (pad && fputc(0, w->f) == EOF)
		return -EIO;
	put32(b, w->header_bytes - 8 + w->info.data_bytes + pad);
	if (fseeko(w->f, 4, SEEK_SET) < 0 || fwrite(b, 1, 4, w->f) != 4)
		return -EIO;
	put32(b, w->info.data_bytes);
	if (fseeko(w->f, (off_t)w->header_bytes - 4, SEEK_SET) < 0 || fwrite(b, 1, 4, w->f) != 4)
		return -EIO;
	if (fseeko(w->f, 0, SEEK_END) < 0 || fflush(w->f) != 0)
		return -EIO;
	return 0;
}

void wav_s24_unpack(const uint8_t *src, uint8_t *dst, size_t samples)
{
	for (size_t i = 0; i < samples; i++, src += 3, dst += 4) {
		dst[0] = src[0];
		dst[1] = src[1];
		dst[2] = src[2];
		dst[3] = (src[2] & 0x80) ? 0xff : 0x00;
	}
}

void wav_s24_pack(const uint8_t *src, uint8_t *dst, size_t samples)
{
	for (size_t i = 0; i < samples; i++, src += 4, dst += 3) {
		dst[0] = src[0];
		dst[1] = src[1];
		dst[2] = src[2];
	}
}
