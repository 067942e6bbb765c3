// SPDX-License-Identifier: MIT
/*
 * Software volume and mute for the sndif SET_VOLUME/MUTE requests
 * (protocol.md 3.10): a gain in 0.001 dB per channel applied in place to
 * interleaved frames of any fixed-size sndif format, and each format's
 * silence.
 *
 * Integers are scaled around zero (signed) or their midpoint (unsigned),
 * rounded to nearest and saturated to their significant bits; S24/U24 live
 * in the low 24 bits of a 4-octet container whose padding octet is left as
 * it was. Floats are scaled as floats, G.711 through 16-bit linear. A channel
 * at unity gain is not touched at all, so unity is bit-exact.
 */
#include "audio.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/wire.h"

enum sample_kind { SAMPLE_INT, SAMPLE_FLOAT, SAMPLE_MULAW, SAMPLE_ALAW, SAMPLE_IEC958 };

struct sample_desc {
	enum sample_kind kind;
	uint8_t bytes;		/* container */
	uint8_t bits;		/* significant, in the container's low bits */
	bool is_signed;
	bool big_endian;
};

static int sample_desc(uint8_t format, struct sample_desc *ret)
{
	const struct vsnd_format_info *fi = vsnd_format_info(format);

	if (!fi || fi->phys_bytes == 0)
		return -EINVAL;
	*ret = (struct sample_desc){ .kind = SAMPLE_INT, .bytes = fi->phys_bytes,
				     .bits = fi->width_bits, .is_signed = true };
	switch (format) {
	case XENSND_PCM_FORMAT_U8:
	case XENSND_PCM_FORMAT_U16_LE:
	case XENSND_PCM_FORMAT_U16_BE:
	case XENSND_PCM_FORMAT_U24_LE:
	case XENSND_PCM_FORMAT_U24_BE:
	case XENSND_PCM_FORMAT_U32_LE:
	case XENSND_PCM_FORMAT_U32_BE:
		ret->is_signed = false;
		break;
	case XENSND_PCM_FORMAT_F32_LE:
	case XENSND_PCM_FORMAT_F32_BE:
	case XENSND_PCM_FORMAT_F64_LE:
	case XENSND_PCM_FORMAT_F64_BE:
		ret->kind = SAMPLE_FLOAT;
		break;
	case XENSND_PCM_FORMAT_MU_LAW:
		ret->kind = SAMPLE_MULAW;
		break;
	case XENSND_PCM_FORMAT_A_LAW:
		ret->kind = SAMPLE_ALAW;
		break;
	case XENSND_PCM_FORMAT_IEC958_SUBFRAME_LE:
	case XENSND_PCM_FORMAT_IEC958_SUBFRAME_BE:
		ret->kind = SAMPLE_IEC958;
		break;
	default:
		break;
	}
	/* sndif's odd codes are the big-endian twins, from S16 to IEC958. */
	ret->big_endian = format >= XENSND_PCM_FORMAT_S16_LE &&
			  format <= XENSND_PCM_FORMAT_IEC958_SUBFRAME_BE && (format & 1);
	return 0;
}

static uint64_t load(const struct sample_desc *d, const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < d->bytes; i++)
		v |= (uint64_t)p[d->big_endian ? i : d->bytes - 1 - i] << (8 * (d->bytes - 1 - i));
	return v;
}

static void store(const struct sample_desc *d, uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < d->bytes; i++)
		p[d->big_endian ? i : d->bytes - 1 - i] = (uint8_t)(v >> (8 * (d->bytes - 1 - i)));
}

static uint64_t silence_value(const struct sample_desc *d)
{
	switch (d->kind) {
	case SAMPLE_MULAW:
		return 0x7f;	/* ALSA's choice of the two zeros */
	case SAMPLE_ALAW:
		return 0x55;
	case SAMPLE_INT:
		return d->is_signed ? 0 : UINT64_C(1) << (d->bits - 1);
	default:
		return 0;
	}
}

int sndbe_format_fill_silence(uint8_t format, void *buf, uint32_t n_samples)
{
	struct sample_desc d;
	uint8_t one[8];
	uint8_t *p = buf;
	int r;

	r = sample_desc(format, &d);
	if (r < 0)
		return r;
	store(&d, one, silence_value(&d));
	if (d.bytes == 1) {
		memset(p, one[0], n_samples);
		return 0;
	}
	for (uint32_t i = 0; i < n_samples; i++)
		memcpy(p + (size_t)i * d.bytes, one, d.bytes);
	return 0;
}

static int64_t clamp_round(double x, int64_t lo, int64_t hi)
{
	if (!(x > (double)lo))	/* NaN cannot come from integers, but stay safe */
		return lo;
	if (x >= (double)hi)
		return hi;
	return llround(x);
}

/* An integer sample in its significant bits, padding kept. */
static void scale_int(const struct sample_desc *d, uint8_t *p, double gain)
{
	uint64_t raw = load(d, p);
	uint64_t mask = d->bits == 64 ? UINT64_MAX : (UINT64_C(1) << d->bits) - 1;
	uint64_t sign = UINT64_C(1) << (d->bits - 1);
	int64_t hi = (int64_t)(sign - 1), lo = -hi - 1;
	uint64_t v = raw & mask;
	int64_t s, r;

	/* Signed: sign-extend from bit bits-1; unsigned: the midpoint is 0. */
	s = d->is_signed ? (int64_t)(v ^ sign) - (int64_t)sign : (int64_t)v - (int64_t)sign;
	r = clamp_round((double)s * gain, lo, hi);
	v = d->is_signed ? (uint64_t)r & mask : ((uint64_t)r + sign) & mask;
	store(d, p, (raw & ~mask) | v);
}

static void scale_float(const struct sample_desc *d, uint8_t *p, double gain)
{
	uint64_t raw = load(d, p);

	if (d->bytes == 4) {
		uint32_t u = (uint32_t)raw;
		float f;

		memcpy(&f, &u, sizeof(f));
		f = (float)(f * gain);
		memcpy(&u, &f, sizeof(u));
		raw = u;
	} else {
		double f;

		memcpy(&f, &raw, sizeof(f));
		f *= gain;
		memcpy(&raw, &f, sizeof(raw));
	}
	store(d, p, raw);
}

/* G.711 (ITU-T, as in the classic Sun reference): 16-bit linear <-> 8 bits. */
static int16_t mulaw_decode(uint8_t u)
{
	int t;

	u = (uint8_t)~u;
	t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
	return (int16_t)(u & 0x80 ? 0x84 - t : t - 0x84);
}

static uint8_t mulaw_encode(int16_t pcm)
{
	int v = pcm >> 2, mask = 0xff, seg = 0;

	if (v < 0) {
		v = -v;
		mask = 0x7f;
	}
	if (v > 8159)
		v = 8159;
	v += 0x21;
	while (seg < 8 && v > (0x40 << seg) - 1)
		seg++;
	if (seg >= 8)
		return (uint8_t)(0x7f ^ mask);
	return (uint8_t)(((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask);
}

static int16_t alaw_decode(uint8_t a)
{
	int t, seg;

	a ^= 0x55;
	t = (a & 0x0f) << 4;
	seg = (a & 0x70) >> 4;
	if (seg == 0)
		t += 8;
	else
		t = (t + 0x108) << (seg - 1);
	return (int16_t)(a & 0x80 ? t : -t);
}

static uint8_t alaw_encode(int16_t pcm)
{
	int v = pcm >> 3, mask = 0xd5, seg = 0, aval;

	if (v < 0) {
		mask = 0x55;
		v = -v - 1;
	}
	while (seg < 8 && v > (0x20 << seg) - 1)
		seg++;
	if (seg >= 8)
		return (uint8_t)(0x7f ^ mask);
	aval = seg << 4;
	aval |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
	return (uint8_t)(aval ^ mask);
}

static void scale_g711(const struct sample_desc *d, uint8_t *p, double gain)
{
	bool mu = d->kind == SAMPLE_MULAW;
	int16_t s = mu ? mulaw_decode(*p) : alaw_decode(*p);
	int16_t r = (int16_t)clamp_round(s * gain, INT16_MIN, INT16_MAX);

	*p = mu ? mulaw_encode(r) : alaw_encode(r);
}

static void scale_sample(const struct sample_desc *d, uint8_t *p, double gain)
{
	switch (d->kind) {
	case SAMPLE_INT:
		scale_int(d, p, gain);
		break;
	case SAMPLE_FLOAT:
		scale_float(d, p, gain);
		break;
	case SAMPLE_MULAW:
	case SAMPLE_ALAW:
		scale_g711(d, p, gain);
		break;
	case SAMPLE_IEC958:
		break;	/* refused by the caller */
	}
}

/**
 * sndbe_volume_init() - unity gain, no mute, on @channels channels.
 * @v: the state.
 * @channels: the stream's channels (1..255).
 */
void sndbe_volume_init(struct sndbe_volume *v, uint8_t channels)
{
	memset(v, 0, sizeof(*v));
	v->channels = channels;
	for (unsigned int c = 0; c < sizeof(v->gain) / sizeof(v->gain[0]); c++)
		v->gain[c] = 1.0;
	v->unity = true;
}

/* Refresh the derived factor of @channel and the unity flag. */
static void volume_derive(struct sndbe_volume *v, unsigned int channel)
{
	v->gain[channel] = v->mute[channel] || v->mdb[channel] <= SNDBE_VOLUME_MIN_MDB ?
				   0.0 :
				   pow(10.0, v->mdb[channel] / 20000.0);
	v->unity = true;
	for (unsigned int c = 0; c < v->channels; c++)
		if (v->mdb[c] != 0 || v->mute[c])
			v->unity = false;
}

/**
 * sndbe_volume_set() - set one channel's gain.
 * @v: the state.
 * @channel: 0-based, below the stream's channels.
 * @mdb: gain in 0.001 dB, SNDBE_VOLUME_MIN_MDB..0.
 *
 * Return: 0, or -EINVAL.
 */
int sndbe_volume_set(struct sndbe_volume *v, unsigned int channel, int32_t mdb)
{
	if (channel >= v->channels || mdb > 0 || mdb < SNDBE_VOLUME_MIN_MDB)
		return -EINVAL;
	v->mdb[channel] = mdb;
	volume_derive(v, channel);
	return 0;
}

/**
 * sndbe_volume_set_mute() - mute or unmute one channel.
 * @v: the state.
 * @channel: 0-based, below the stream's channels.
 * @mute: whether the channel plays silence.
 *
 * Return: 0, or -EINVAL.
 */
int sndbe_volume_set_mute(struct sndbe_volume *v, unsigned int channel, bool mute)
{
	if (channel >= v->channels)
		return -EINVAL;
	v->mute[channel] = mute;
	volume_derive(v, channel);
	return 0;
}

/**
 * sndbe_volume_is_unity() - whether applying @v would change nothing.
 * @v: the state.
 *
 * Return: true when every channel is at 0 dB and unmuted.
 */
bool sndbe_volume_is_unity(const struct sndbe_volume *v)
{
	return v->unity;
}

/**
 * sndbe_volume_apply() - apply gain and mute to interleaved frames in place.
 * @v: the state; its channel count is the frames' channel count.
 * @format: sndif format code.
 * @frames: @n_frames frames.
 * @n_frames: their number.
 *
 * Return: 0, -EINVAL for a format without a fixed frame size, -EOPNOTSUPP
 * for anything but unity on IEC958 subframes.
 */
int sndbe_volume_apply(const struct sndbe_volume *v, uint8_t format, void *frames,
		       uint32_t n_frames)
{
	struct sample_desc d;
	uint8_t silence[8];
	uint8_t *p = frames;
	int r;

	r = sample_desc(format, &d);
	if (r < 0)
		return r;
	if (v->unity)
		return 0;
	if (d.kind == SAMPLE_IEC958)
		return -EOPNOTSUPP;
	store(&d, silence, silence_value(&d));
	for (uint32_t f = 0; f < n_frames; f++) {
		for (unsigned int c = 0; c < v->channels; c++) {
			uint8_t *s = p + ((size_t)f * v->channels + c) * d.bytes;

			/* 1.0 exactly when 0 dB and not muted: untouched. */
			if (v->gain[c] == 1.0)
				continue;
			if (v->gain[c] == 0.0)
				memcpy(s, silence, d.bytes);
			else
				scale_sample(&d, s, v->gain[c]);
		}
	}
	return 0;
}
