// SPDX-License-Identifier: MIT
/*
 * playback.c - vsnd-play's "play": a WAV file into a playback stream, the
 * way a Linux guest's ALSA drives it.
 *
 * The stream parameters come from the WAV file (24-bit packed samples are
 * widened to S24_LE's 4-octet containers). After OPEN the buffer is
 * prefilled with WRITEs, then START; from then on every CUR_POS position
 * frees the part of the ring the backend has played, and once a period (or
 * the rest of the file) fits, it is placed at the ring position (split at
 * the buffer end) and sent with WRITE. At the end of the file the drain
 * waits for the position to reach the last octet written; STOP and CLOSE
 * follow. A position beyond what was written is an underrun: counted,
 * reported, and playback goes on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"
#include "wav.h"

struct player {
	struct session *ss;
	FILE *f;
	struct wav_info wi;
	bool unpack24;
	uint8_t *buf;		/* the shared buffer */
	uint8_t *stage;		/* one chunk of packed 24-bit samples */
	uint32_t size;		/* buffer octets */
	uint32_t period;	/* period octets */
	uint32_t frame;		/* octets per frame in the buffer */
	uint64_t total;		/* octets to play */
	uint64_t written;	/* octets sent with WRITE since OPEN */
	uint64_t underrun_mark;	/* @written when the last underrun was counted */
};

static void player_done(struct player *pl)
{
	if (pl->f)
		fclose(pl->f);
	free(pl->stage);
}

static int open_wav(struct player *pl, const char *file)
{
	char err[WAV_ERR_MAX];
	int r;

	pl->f = fopen(file, "rbe");
	if (!pl->f)
		return log_errno(-errno, "opening %s", file);
	r = wav_read_header(pl->f, &pl->wi, err);
	if (r == -EINVAL)
		return log_error(r, "%s: %s", file, err);
	if (r < 0)
		return log_errno(r, "reading %s", file);
	if (pl->wi.data_bytes == 0)
		return log_error(-EINVAL, "%s: the data chunk holds no frames", file);
	return 0;
}

/* The sndif format of the WAV samples. */
static void wav_params(struct player *pl, struct vsndfe_pcm_params *p)
{
	const struct wav_info *wi = &pl->wi;

	p->rate = wi->rate;
	p->channels = (uint8_t)wi->channels;
	if (wi->is_float)
		p->format = wi->bits == 64 ? XENSND_PCM_FORMAT_F64_LE : XENSND_PCM_FORMAT_F32_LE;
	else if (wi->bits == 8)
		p->format = XENSND_PCM_FORMAT_U8;
	else if (wi->bits == 16)
		p->format = XENSND_PCM_FORMAT_S16_LE;
	else if (wi->bits == 24)
		p->format = XENSND_PCM_FORMAT_S24_LE;
	else
		p->format = XENSND_PCM_FORMAT_S32_LE;
	pl->unpack24 = !wi->is_float && wi->bits == 24;
}

/* Read @len octets' worth of frames from the file to @off and WRITE them. */
static int write_chunk(struct player *pl, uint32_t off, uint32_t len)
{
	size_t samples = (size_t)len / pl->frame * pl->wi.channels;
	uint8_t *dst = pl->buf + off;
	size_t want = pl->unpack24 ? samples * 3 : len;
	int r;

	if (fread(pl->unpack24 ? pl->stage : dst, 1, want, pl->f) != want)
		return log_error(-EIO, "%s: %s", pl->ss->opts->file,
				 ferror(pl->f) ? strerror(errno) : "the file ends early");
	if (pl->unpack24)
		wav_s24_unpack(pl->stage, dst, samples);
	r = vsndfe_stream_write(pl->ss->s, off, len);
	if (r < 0)
		return log_errno(r, "WRITE of %u octets at offset %u", len, off);
	pl->written += len;
	return 0;
}

/* Fill the space the position @pos has freed, once a period (or the rest) fits. */
static int refill(struct player *pl, uint64_t pos)
{
	uint64_t inflight = pl->written > pos ? pl->written - pos : 0;
	uint64_t space = inflight < pl->size ? pl->size - inflight : 0;
	uint64_t left = pl->total - pl->written;
	int r;

	space -= space % pl->frame;
	if (!left || (space < pl->period && space < left))
		return 0;
	while (space && left) {
		uint32_t off = (uint32_t)(pl->written % pl->size);
		uint64_t len = pl->size - off;

		len = len < pl->period ? len : pl->period;
		len = len < space ? len : space;
		len = len < left ? len : left;
		r = write_chunk(pl, off, (uint32_t)len);
		if (r < 0)
			return r;
		space -= len;
		left -= len;
	}
	return 0;
}

static void check_underrun(struct player *pl, uint64_t pos)
{
	if (pos <= pl->written || pl->written == pl->total || pl->written == pl->underrun_mark)
		return;
	pl->underrun_mark = pl->written;
	pl->ss->rep.xruns++;
	log_warn(pl->ss, "underrun: the position %llu passed the %llu octets written",
		 (unsigned long long)pos, (unsigned long long)pl->written);
}

/* Prefill, START, refill as positions come, drain. */
static int stream_file(struct player *pl, bool *started)
{
	struct session *ss = pl->ss;
	uint64_t pos = 0, t0;
	int r;

	r = refill(pl, 0);
	if (r < 0)
		return r;
	r = session_start(ss);
	if (r < 0)
		return r;
	*started = true;
	t0 = now_ms();
	while (pl->written < pl->total || pos < pl->written) {
		r = session_wait(ss, &pos);
		if (r != 0)
			break;
		check_underrun(pl, pos);
		r = refill(pl, pos);
		if (r < 0)
			break;
	}
	ss->rep.elapsed_s = (double)(now_ms() - t0) / 1000.0;
	ss->rep.bytes = pos < pl->written ? pos : pl->written;
	ss->rep.frames = ss->rep.bytes / pl->frame;
	return r < 0 ? r : 0;
}

static int prepare(struct player *pl, struct vsndfe_pcm_params *p)
{
	struct session *ss = pl->ss;
	const struct play_opts *o = ss->opts;
	uint64_t frames;
	int r;

	r = open_wav(pl, o->file);
	if (r < 0)
		return r;
	wav_params(pl, p);
	ss->rep.s24_packed = pl->unpack24;
	if (pl->unpack24)
		fprintf(stderr, PROGRAM ": %s: 24-bit packed samples, played as S24_LE "
			"(converted to 4-octet containers)\n", o->file);
	r = session_configure(ss, p, o->file);
	if (r < 0)
		return r;
	pl->frame = ss->frame_bytes;
	pl->size = p->buffer_bytes;
	pl->period = p->period_bytes;
	frames = pl->wi.data_bytes / pl->wi.frame_bytes;
	if (o->duration_ms && o->duration_ms * p->rate / 1000 < frames)
		frames = o->duration_ms * p->rate / 1000;
	pl->total = frames * pl->frame;
	pl->stage = malloc(pl->period);
	if (!pl->stage)
		return log_errno(-ENOMEM, "allocating a period of %u octets", pl->period);
	return 0;
}

int play_file(struct session *ss)
{
	_cleanup_(player_done) struct player pl = { .ss = ss };
	struct vsndfe_pcm_params p = { 0 };
	bool started = false;
	uint32_t size;
	int r, q;

	r = prepare(&pl, &p);
	if (r < 0)
		return r;
	r = session_open_stream(ss, &p);
	if (r < 0)
		return r;
	pl.buf = vsndfe_stream_buffer(ss->s, &size);
	if (!pl.buf || size < pl.size)
		r = log_error(-EIO, "OPEN gave no shared buffer of %u octets", pl.size);
	else
		r = stream_file(&pl, &started);
	q = session_finish(ss, started, r);
	return r < 0 ? r : q;
}
