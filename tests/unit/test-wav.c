// SPDX-License-Identifier: MIT
/*
 * test-wav.c - vsnd-play's WAV reader and writer (frontend/play/wav.c).
 *
 * Round trips through the writer and the reader for every sample format,
 * WAVE_FORMAT_EXTENSIBLE, odd chunk padding, the 24-bit container
 * conversions, and hostile headers: each must be refused with -EINVAL and a
 * message, never crash (ASan/UBSan builds), never read outside the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"
#include "wav.h"

/* A file image being built. */
struct img {
	uint8_t b[4096];
	size_t n;
};

static void put(struct img *m, const void *p, size_t len)
{
	ASSERT_TRUE(m->n + len <= sizeof(m->b));
	memcpy(m->b + m->n, p, len);
	m->n += len;
}

static void put16(struct img *m, uint32_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(m, b, 2);
}

static void put32(struct img *m, uint32_t v)
{
	put16(m, v);
	put16(m, v >> 16);
}

static void chunk(struct img *m, const char *id, uint32_t size)
{
	put(m, id, 4);
	put32(m, size);
}

/* "RIFF" <size patched by finish_riff()> "WAVE" */
static void riff(struct img *m)
{
	m->n = 0;
	chunk(m, "RIFF", 0);
	put(m, "WAVE", 4);
}

static void finish_riff(struct img *m)
{
	uint32_t v = (uint32_t)(m->n - 8);

	m->b[4] = (uint8_t)v;
	m->b[5] = (uint8_t)(v >> 8);
	m->b[6] = (uint8_t)(v >> 16);
	m->b[7] = (uint8_t)(v >> 24);
}

/* A 16-octet PCM fmt chunk with consistent fields. */
static void fmt_pcm(struct img *m, uint16_t tag, uint16_t ch, uint32_t rate, uint16_t bits)
{
	chunk(m, "fmt ", 16);
	put16(m, tag);
	put16(m, ch);
	put32(m, rate);
	put32(m, rate * ch * (bits / 8u));
	put16(m, (uint16_t)(ch * (bits / 8u)));
	put16(m, bits);
}

static const uint8_t guid_tail[14] = {
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
};

static void fmt_ext(struct img *m, uint16_t ch, uint16_t bits, uint16_t valid, uint16_t sub)
{
	chunk(m, "fmt ", 40);
	put16(m, WAV_FORMAT_EXTENSIBLE);
	put16(m, ch);
	put32(m, 48000);
	put32(m, 48000u * ch * (bits / 8u));
	put16(m, (uint16_t)(ch * (bits / 8u)));
	put16(m, bits);
	put16(m, 22);
	put16(m, valid);
	put32(m, 3);
	put16(m, sub);
	put(m, guid_tail, sizeof(guid_tail));
}

static int parse(const struct img *m, struct wav_info *wi, char *err)
{
	FILE *f = fmemopen((void *)m->b, m->n, "rb");
	int r;

	ASSERT_NOT_NULL(f);
	err[0] = '\0';
	r = wav_read_header(f, wi, err);
	fclose(f);
	return r;
}

/* Must be refused with -EINVAL and a message mentioning @needle. */
static void expect_bad(const struct img *m, const char *needle)
{
	struct wav_info wi;
	char err[WAV_ERR_MAX];

	ASSERT_ERR(parse(m, &wi, err), EINVAL);
	if (!strstr(err, needle))
		vtest_fail(__FILE__, __LINE__, "message \"%s\" does not mention \"%s\"", err,
			   needle);
}

static void roundtrip(unsigned int ch, unsigned int bits, bool is_float, bool ext,
		      unsigned int frames)
{
	struct wav_info wi, back;
	struct wav_writer w;
	char err[WAV_ERR_MAX];
	uint8_t data[3000], got[3000];
	size_t len;
	FILE *f;

	ASSERT_OK(wav_info_init(&wi, 44100, ch, bits, is_float, err));
	wi.extensible = ext;
	len = (size_t)wi.frame_bytes * frames;
	ASSERT_TRUE(len <= sizeof(data));
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 7 + bits + ch);
	f = tmpfile();
	ASSERT_NOT_NULL(f);
	ASSERT_OK(wav_write_begin(&w, f, &wi));
	ASSERT_OK(wav_write_data(&w, data, len / 2));
	ASSERT_OK(wav_write_data(&w, data + len / 2, len - len / 2));
	ASSERT_OK(wav_write_finish(&w));
	ASSERT_OK(wav_read_header(f, &back, err));
	ASSERT_EQ(back.rate, 44100);
	ASSERT_EQ(back.channels, ch);
	ASSERT_EQ(back.bits, bits);
	ASSERT_EQ(back.valid_bits, bits);
	ASSERT_EQ(back.is_float, is_float);
	ASSERT_EQ(back.extensible, ext);
	ASSERT_EQ(back.frame_bytes, wi.frame_bytes);
	ASSERT_EQ(back.data_bytes, len);
	ASSERT_EQ(fread(got, 1, len, f), len);
	ASSERT_MEMEQ(got, data, len);
	/* An odd data size is padded, and the RIFF size counts the pad. */
	ASSERT_OK(fseek(f, 0, SEEK_END));
	ASSERT_EQ(ftell(f), (long)(back.data_offset + len + (len & 1)));
	fclose(f);
}

TEST(roundtrip_every_format)
{
	static const struct { unsigned int bits; bool is_float; } fmts[] = {
		{ 8, false }, { 16, false }, { 24, false }, { 32, false },
		{ 32, true }, { 64, true },
	};
	static const unsigned int channels[] = { 1, 2, 3, 6 };

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		for (size_t c = 0; c < sizeof(channels) / sizeof(channels[0]); c++) {
			roundtrip(channels[c], fmts[i].bits, fmts[i].is_float, false, 37);
			roundtrip(channels[c], fmts[i].bits, fmts[i].is_float, true, 37);
			roundtrip(channels[c], fmts[i].bits, fmts[i].is_float, true, 0);
		}
}

TEST(writer_chooses_extensible)
{
	struct wav_info wi;
	char err[WAV_ERR_MAX];

	ASSERT_OK(wav_info_init(&wi, 48000, 2, 16, false, err));
	ASSERT_FALSE(wi.extensible);
	ASSERT_OK(wav_info_init(&wi, 48000, 2, 24, false, err));
	ASSERT_TRUE(wi.extensible);
	ASSERT_OK(wav_info_init(&wi, 48000, 6, 16, false, err));
	ASSERT_TRUE(wi.extensible);
	ASSERT_OK(wav_info_init(&wi, 48000, 2, 32, true, err));
	ASSERT_FALSE(wi.extensible);
	ASSERT_ERR(wav_info_init(&wi, 48000, 0, 16, false, err), EINVAL);
	ASSERT_ERR(wav_info_init(&wi, 48000, 256, 16, false, err), EINVAL);
	ASSERT_ERR(wav_info_init(&wi, 0, 2, 16, false, err), EINVAL);
	ASSERT_ERR(wav_info_init(&wi, 48000, 2, 12, false, err), EINVAL);
	ASSERT_ERR(wav_info_init(&wi, 48000, 2, 16, true, err), EINVAL);
	ASSERT_TRUE(strstr(err, "16-bit float") != NULL);
}

TEST(writer_refuses_4gib)
{
	struct wav_info wi;
	struct wav_writer w;
	char err[WAV_ERR_MAX];
	uint8_t b = 0;
	FILE *f = tmpfile();

	ASSERT_NOT_NULL(f);
	ASSERT_OK(wav_info_init(&wi, 8000, 1, 8, false, err));
	ASSERT_OK(wav_write_begin(&w, f, &wi));
	w.info.data_bytes = UINT32_MAX - 100;
	ASSERT_ERR(wav_write_data(&w, &b, 200), EFBIG);
	fclose(f);
}

TEST(extensible_read)
{
	struct img m;
	struct wav_info wi;
	char err[WAV_ERR_MAX];

	riff(&m);
	fmt_ext(&m, 2, 32, 24, WAV_FORMAT_PCM);
	chunk(&m, "data", 16);
	put(&m, "0123456789abcdef", 16);
	finish_riff(&m);
	ASSERT_OK(parse(&m, &wi, err));
	ASSERT_TRUE(wi.extensible);
	ASSERT_FALSE(wi.is_float);
	ASSERT_EQ(wi.bits, 32);
	ASSERT_EQ(wi.valid_bits, 24);
	ASSERT_EQ(wi.data_bytes, 16);
	ASSERT_EQ(wi.data_offset, 12 + 48 + 8);

	riff(&m);
	fmt_ext(&m, 1, 64, 64, WAV_FORMAT_IEEE_FLOAT);
	chunk(&m, "data", 8);
	put(&m, "01234567", 8);
	finish_riff(&m);
	ASSERT_OK(parse(&m, &wi, err));
	ASSERT_TRUE(wi.is_float);
	ASSERT_EQ(wi.bits, 64);
}

TEST(odd_chunks_are_padded)
{
	struct img m;
	struct wav_info wi;
	char err[WAV_ERR_MAX];

	riff(&m);
	chunk(&m, "LIST", 5);
	put(&m, "abcde\0", 6);		/* 5 octets and the pad */
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	chunk(&m, "junk", 1);
	put(&m, "x\0", 2);
	chunk(&m, "data", 3);
	put(&m, "\x80\x81\x82\0", 4);
	finish_riff(&m);
	ASSERT_OK(parse(&m, &wi, err));
	ASSERT_EQ(wi.data_bytes, 3);
	ASSERT_EQ(wi.data_offset, 12 + 14 + 24 + 10 + 8);
	ASSERT_EQ(m.b[wi.data_offset], 0x80);

	/* Without the pad, "fmt " would be read one octet off: refused. */
	riff(&m);
	chunk(&m, "LIST", 5);
	put(&m, "abcde", 5);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	chunk(&m, "data", 2);
	put(&m, "\x80\x81", 2);
	finish_riff(&m);
	expect_bad(&m, "runs past the end of the RIFF");
}

TEST(plain_float_and_trailing_data)
{
	struct img m;
	struct wav_info wi;
	char err[WAV_ERR_MAX];

	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_IEEE_FLOAT, 2, 48000, 32);
	chunk(&m, "data", 8);
	put(&m, "01234567", 8);
	finish_riff(&m);
	put(&m, "trailing junk outside the RIFF", 30);
	ASSERT_OK(parse(&m, &wi, err));
	ASSERT_TRUE(wi.is_float);
	ASSERT_FALSE(wi.extensible);
	ASSERT_EQ(wi.frame_bytes, 8);
}

TEST(hostile_riff)
{
	struct img m;

	m.n = 0;
	put(&m, "RIFF", 4);
	expect_bad(&m, "too short");
	riff(&m);
	m.b[8] = 'X';
	finish_riff(&m);
	expect_bad(&m, "not a RIFF/WAVE");
	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	chunk(&m, "data", 2);
	put(&m, "ab", 2);
	m.b[4] = m.b[5] = m.b[6] = m.b[7] = 0xff;	/* RIFF size 4 GiB - 1 */
	expect_bad(&m, "runs past the end of the file");
	m.b[4] = 2;
	m.b[5] = m.b[6] = m.b[7] = 0;			/* RIFF size 2 < 4 */
	expect_bad(&m, "too small");
}

TEST(hostile_chunk_walk)
{
	struct img m;

	/* A chunk size that would wrap a 32-bit offset. */
	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	chunk(&m, "junk", 0xfffffff8u);
	put(&m, "data\0\0\0\0", 8);
	finish_riff(&m);
	expect_bad(&m, "runs past the end of the RIFF");
	/* The data chunk longer than the file. */
	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	chunk(&m, "data", 1000);
	put(&m, "ab", 2);
	finish_riff(&m);
	expect_bad(&m, "\"data\" at offset 36: size 1000 runs past");
	/* No data chunk at all, and the walk ending inside a header. */
	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	put(&m, "dat", 3);
	finish_riff(&m);
	expect_bad(&m, "no data chunk");
	/* More chunks than the walk allows. */
	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	for (int i = 0; i < 70; i++)
		chunk(&m, "junk", 0);
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "within the first 64 chunks");
	/* Non-printable ids are escaped in the message. */
	riff(&m);
	chunk(&m, "\x01\x02\"\\", 100);
	finish_riff(&m);
	expect_bad(&m, "\\x01\\x02\\x22\\x5c");
}

TEST(hostile_fmt_order)
{
	struct img m;

	riff(&m);
	chunk(&m, "data", 2);
	put(&m, "ab", 2);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	finish_riff(&m);
	expect_bad(&m, "comes before the fmt chunk");
	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	fmt_pcm(&m, WAV_FORMAT_PCM, 1, 8000, 8);
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "a second fmt chunk");
	riff(&m);
	chunk(&m, "fmt ", 14);
	put16(&m, 1);
	put16(&m, 1);
	put32(&m, 8000);
	put32(&m, 8000);
	put16(&m, 1);
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "fmt chunk of 14 octets is too small");
	/* A fmt chunk whose claimed size runs off the file. */
	riff(&m);
	chunk(&m, "fmt ", 16);
	put16(&m, 1);
	finish_riff(&m);
	expect_bad(&m, "runs past the end");
}

/* A consistent 16-bit stereo header, then one field overwritten. */
static void fmt_patched(struct img *m, size_t at, uint32_t v, size_t width)
{
	riff(m);
	fmt_pcm(m, WAV_FORMAT_PCM, 2, 48000, 16);
	chunk(m, "data", 4);
	put(m, "abcd", 4);
	finish_riff(m);
	for (size_t i = 0; i < width; i++)
		m->b[20 + at + i] = (uint8_t)(v >> (8 * i));
}

TEST(hostile_fmt_fields)
{
	struct img m;

	fmt_patched(&m, 0, 2, 2);		/* ADPCM */
	expect_bad(&m, "format tag 0x0002");
	fmt_patched(&m, 2, 0, 2);
	expect_bad(&m, "0 channels");
	fmt_patched(&m, 2, 65535, 2);
	expect_bad(&m, "65535 channels: must be 1 to 255");
	fmt_patched(&m, 2, 256, 2);
	expect_bad(&m, "256 channels");
	fmt_patched(&m, 4, 0, 4);
	expect_bad(&m, "sample rate 0 Hz");
	fmt_patched(&m, 4, 0xffffffffu, 4);
	expect_bad(&m, "sample rate 4294967295 Hz");
	fmt_patched(&m, 14, 12, 2);
	expect_bad(&m, "12 bits per sample");
	fmt_patched(&m, 14, 0, 2);
	expect_bad(&m, "0 bits per sample");
	fmt_patched(&m, 12, 3, 2);
	expect_bad(&m, "block align 3 does not match 2 channels of 16 bits (4)");
	fmt_patched(&m, 8, 1, 4);
	expect_bad(&m, "byte rate 1 does not match 48000 Hz x 4");
	/* Data that is not a whole number of frames. */
	fmt_patched(&m, 0, 1, 2);
	m.b[40] = 3;
	expect_bad(&m, "data size 3 is not a whole number of 4-octet frames");
}

TEST(hostile_fmt_float_and_extensible)
{
	struct img m;

	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_IEEE_FLOAT, 1, 8000, 16);
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "float samples must have 32 or 64");

	riff(&m);
	fmt_pcm(&m, WAV_FORMAT_EXTENSIBLE, 2, 48000, 16);	/* only 16 octets */
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "needs a 40-octet fmt chunk");

	riff(&m);
	fmt_ext(&m, 2, 16, 16, 2);				/* ADPCM subformat */
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "subformat GUID (tag 0x0002)");

	riff(&m);
	fmt_ext(&m, 2, 16, 16, 1);
	m.b[12 + 8 + 30] ^= 0xff;				/* GUID tail */
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "subformat GUID");

	riff(&m);
	fmt_ext(&m, 2, 16, 17, 1);
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "17 valid bits in a 16-bit integer sample");

	riff(&m);
	fmt_ext(&m, 2, 32, 24, WAV_FORMAT_IEEE_FLOAT);
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "24 valid bits in a 32-bit float sample");

	riff(&m);
	fmt_ext(&m, 2, 16, 16, 1);
	m.b[12 + 8 + 16] = 10;					/* cbSize */
	chunk(&m, "data", 0);
	finish_riff(&m);
	expect_bad(&m, "extension size 10");
}

/* Every header octet set to a few hostile values: 0 or -EINVAL, no crash. */
TEST(mutated_headers_never_crash)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };
	struct img base, m;
	struct wav_info wi;
	char err[WAV_ERR_MAX];
	int ok = 0;

	riff(&base);
	fmt_ext(&base, 2, 24, 24, WAV_FORMAT_PCM);
	chunk(&base, "LIST", 3);
	put(&base, "abc\0", 4);
	chunk(&base, "data", 12);
	put(&base, "0123456789ab", 12);
	finish_riff(&base);
	for (size_t i = 0; i < base.n - 12; i++)
		for (size_t v = 0; v < sizeof(vals); v++) {
			m = base;
			m.b[i] = vals[v];
			int r = parse(&m, &wi, err);

			if (r == 0) {
				ok++;
				ASSERT_TRUE(wi.data_offset + wi.data_bytes <= m.n);
				ASSERT_EQ(wi.data_bytes % wi.frame_bytes, 0);
			} else {
				ASSERT_EQ(r, -EINVAL);
				ASSERT_TRUE(err[0] != '\0');
			}
		}
	ASSERT_GT(ok, 0);
}

TEST(s24_conversions)
{
	const uint8_t packed[9] = { 0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0x00, 0x00, 0x80 };
	const uint8_t wide[12] = { 0x01, 0x02, 0x03, 0x00, 0xff, 0xff, 0xff, 0xff,
				   0x00, 0x00, 0x80, 0xff };
	uint8_t out4[12], out3[9];

	wav_s24_unpack(packed, out4, 3);
	ASSERT_MEMEQ(out4, wide, sizeof(wide));
	wav_s24_pack(wide, out3, 3);
	ASSERT_MEMEQ(out3, packed, sizeof(packed));
}
