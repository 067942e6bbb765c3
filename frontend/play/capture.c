// SPDX-License-Identifier: MIT
/*
 * capture.c - vsnd-play's "record": a capture stream into a WAV file, the
 * way a Linux guest's ALSA drives it.
 *
 * The parameters come from the options (48000 Hz, s16_le, 2 channels by
 * default). OPEN, START; every CUR_POS position says how far the backend has
 * captured, and once a period (or the rest of the requested duration) is
 * there, it is fetched with READ from the ring position (split at the
 * buffer end) and appended to the WAV file. S24_LE's 4-octet containers are
 * stored as packed 24-bit samples. A position more than a buffer ahead of
 * what was read is an overrun: the oldest data is lost, counted and
 * reported. At the end (or on Ctrl-C): STOP, CLOSE, and the WAV header gets
 * its final sizes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"
#include "wav.h"

struct recorder {
	struct session *ss;
	FILE *f;
	struct wav_writer w;
	bool writing;		/* the WAV header is out: finish it */
	bool pack24;
	uint8_t *buf;		/* the shared buffer */
	uint8_t *stage;		/* one chunk of packed 24-bit samples */
	uint32_t size;		/* buffer octets */
	uint32_t period;	/* period octets */
	uint32_t frame;		/* octets per frame in the buffer */
	uint64_t target;	/* octets to record */
	uint64_t done;		/* stream octets consumed (read or lost) */
	uint64_t saved;		/* octets read into the file */
};

static void recorder_done(struct recorder *rec)
{
	if (rec->f)
		fclose(rec->f);
	free(rec->stage);
}

static void record_params(const struct play_opts *o, struct vsndfe_pcm_params *p)
{
	p->rate = o->rate ? o->rate : DEFAULT_RECORD_RATE;
	p->format = o->format >= 0 ? (uint8_t)o->format : XENSND_PCM_FORMAT_S16_LE;
	p->channels = (uint8_t)(o->channels ? o->channels : DEFAULT_RECORD_CHANNELS);
}

static int open_output(struct recorder *rec, const struct vsndfe_pcm_params *p)
{
	const char *file = rec->ss->opts->file;
	unsigned int bits = vsnd_format_phys_bytes(p->format) * 8;
	bool is_float = p->format == XENSND_PCM_FORMAT_F32_LE ||
			p->format == XENSND_PCM_FORMAT_F64_LE;
	struct wav_info wi;
	char err[WAV_ERR_MAX];
	int r;

	rec->pack24 = p->format == XENSND_PCM_FORMAT_S24_LE;
	r = wav_info_init(&wi, p->rate, p->channels, rec->pack24 ? 24 : bits, is_float, err);
	if (r < 0)
		return log_error(r, "%s: %s", file, err);
	rec->f = fopen(file, "wbe");
	if (!rec->f)
		return log_errno(-errno, "creating %s", file);
	r = wav_write_begin(&rec->w, rec->f, &wi);
	if (r < 0)
		return log_errno(r, "writing the header of %s", file);
	rec->writing = true;
	return 0;
}

static int save(struct recorder *rec, uint32_t off, uint32_t len)
{
	size_t samples = (size_t)len / 4;
	int r;

	if (rec->pack24) {
		wav_s24_pack(rec->buf + off, rec->stage, samples);
		r = wav_write_data(&rec->w, rec->stage, samples * 3);
	} else {
		r = wav_write_data(&rec->w, rec->buf + off, len);
	}
	if (r == -EFBIG)
		return log_error(r, "%s: a WAV file cannot grow past 4 GiB", rec->ss->opts->file);
	if (r < 0)
		return log_errno(r, "writing %s", rec->ss->opts->file);
	rec->saved += len;
	return 0;
}

/* READ what the position @pos says is captured, once a period (or the rest) is there. */
static int fetch(struct recorder *rec, uint64_t pos)
{
	uint64_t avail = pos > rec->done ? pos - rec->done : 0;
	int r;

	if (avail > rec->size) {
		rec->ss->rep.xruns++;
		log_warn(rec->ss, "overrun: %llu captured octets were overwritten before they "
			 "were read", (unsigned long long)(avail - rec->size));
		rec->done = pos - rec->size;
		avail = rec->size;
	}
	avail = avail < rec->target - rec->done ? avail : rec->target - rec->done;
	avail -= avail % rec->frame;
	if (avail < rec->period && rec->done + avail < rec->target)
		return 0;
	while (avail) {
		uint32_t off = (uint32_t)(rec->done % rec->size);
		uint64_t len = rec->size - off;

		len = len < rec->period ? len : rec->period;
		len = len < avail ? len : avail;
		r = vsndfe_stream_read(rec->ss->s, off, (uint32_t)len);
		if (r < 0)
			return log_errno(r, "READ of %u octets at offset %u", (uint32_t)len, off);
		r = save(rec, off, (uint32_t)len);
		if (r < 0)
			return r;
		rec->done += len;
		avail -= len;
	}
	return 0;
}

static int capture(struct recorder *rec, bool *started)
{
	struct session *ss = rec->ss;
	uint64_t pos = 0, t0;
	int r;

	r = session_start(ss);
	if (r < 0)
		return r;
	*started = true;
	t0 = now_ms();
	while (rec->done < rec->target) {
		r = session_wait(ss, &pos);
		if (r != 0)
			break;
		r = fetch(rec, pos);
		if (r < 0)
			break;
	}
	ss->rep.elapsed_s = (double)(now_ms() - t0) / 1000.0;
	return r < 0 ? r : 0;
}

static int prepare(struct recorder *rec, struct vsndfe_pcm_params *p)
{
	struct session *ss = rec->ss;
	const struct play_opts *o = ss->opts;
	uint64_t ms = o->duration_ms ? o->duration_ms : DEFAULT_RECORD_MS;
	uint64_t frames;
	int r;

	record_params(o, p);
	r = session_configure(ss, p, "record parameters");
	if (r < 0)
		return r;
	rec->frame = ss->frame_bytes;
	rec->size = p->buffer_bytes;
	rec->period = p->period_bytes;
	frames = ms * p->rate / 1000;
	rec->target = (frames ? frames : 1) * rec->frame;
	rec->stage = malloc(rec->period);
	if (!rec->stage)
		return log_errno(-ENOMEM, "allocating a period of %u octets", rec->period);
	ss->rep.s24_packed = p->format == XENSND_PCM_FORMAT_S24_LE;
	return open_output(rec, p);
}

int record_file(struct session *ss)
{
	_cleanup_(recorder_done) struct recorder rec = { .ss = ss };
	struct vsndfe_pcm_params p = { 0 };
	bool started = false;
	uint32_t size;
	int r, q;

	r = prepare(&rec, &p);
	if (r >= 0)
		r = session_open_stream(ss, &p);
	if (r >= 0) {
		rec.buf = vsndfe_stream_buffer(ss->s, &size);
		if (!rec.buf || size < rec.size)
			r = log_error(-EIO, "OPEN gave no shared buffer of %u octets", rec.size);
		else
			r = capture(&rec, &started);
		q = session_finish(ss, started, r);
		r = r < 0 ? r : q;
	}
	ss->rep.bytes = rec.saved;
	ss->rep.frames = rec.saved / (rec.frame ? rec.frame : 1);
	if (rec.writing) {
		q = wav_write_finish(&rec.w);
		if (q < 0)
			r = log_errno(q, "finishing %s", ss->opts->file);
	}
	return r;
}
