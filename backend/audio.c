// SPDX-License-Identifier: MIT
/*
 * The host audio layer's common half: spec strings to implementations, the
 * checks every configuration passes, the frame FIFO between the stream layer
 * and the device, and the bookkeeping that makes positions monotonic and
 * bounded whatever an implementation reports.
 */
#include "audio.h"

#include <errno.h>
#include <string.h>

#include "audio-impl.h"
#include "util.h"
#include "vsnd/format.h"

/* A FIFO beyond this is a configuration error, not a buffer (2 x 32 MiB). */
#define FIFO_BYTES_MAX (UINT32_C(64) << 20)

/* ---- FIFO ------------------------------------------------------------------ */

int sndbe_fifo_init(struct sndbe_fifo *f, uint32_t frame_bytes, uint32_t capacity)
{
	if (frame_bytes == 0 || capacity == 0 || (uint64_t)frame_bytes * capacity > FIFO_BYTES_MAX)
		return -EINVAL;
	*f = (struct sndbe_fifo){ .frame_bytes = frame_bytes, .capacity = capacity };
	f->data = calloc(capacity, frame_bytes);
	return f->data ? 0 : -ENOMEM;
}

void sndbe_fifo_done(struct sndbe_fifo *f)
{
	free(f->data);
	f->data = NULL;
	f->fill = 0;
}

static uint8_t *fifo_at(const struct sndbe_fifo *f, uint32_t frame)
{
	return f->data + (size_t)(frame % f->capacity) * f->frame_bytes;
}

uint32_t sndbe_fifo_peek(const struct sndbe_fifo *f, const uint8_t **ret_ptr)
{
	uint32_t run = f->capacity - f->head;

	*ret_ptr = fifo_at(f, f->head);
	return f->fill < run ? f->fill : run;
}

void sndbe_fifo_drop(struct sndbe_fifo *f, uint32_t frames)
{
	if (frames > f->fill)
		frames = f->fill;
	f->head = (uint32_t)(((uint64_t)f->head + frames) % f->capacity);
	f->fill -= frames;
}

uint32_t sndbe_fifo_reserve(const struct sndbe_fifo *f, uint8_t **ret_ptr)
{
	uint32_t tail = (uint32_t)(((uint64_t)f->head + f->fill) % f->capacity);
	uint32_t free_frames = f->capacity - f->fill;
	uint32_t run = f->capacity - tail;

	*ret_ptr = fifo_at(f, tail);
	return free_frames < run ? free_frames : run;
}

void sndbe_fifo_commit(struct sndbe_fifo *f, uint32_t frames)
{
	f->fill += frames;
}

void sndbe_fifo_clear(struct sndbe_fifo *f)
{
	f->head = 0;
	f->fill = 0;
}

uint32_t sndbe_fifo_push(struct sndbe_fifo *f, const void *src, uint32_t frames)
{
	const uint8_t *p = src;
	uint32_t done = 0;

	/* At most two runs: up to the end of the ring, then from its start. */
	while (done < frames) {
		uint8_t *dst;
		uint32_t n = sndbe_fifo_reserve(f, &dst);

		if (n == 0)
			break;
		if (n > frames - done)
			n = frames - done;
		memcpy(dst, p + (size_t)done * f->frame_bytes, (size_t)n * f->frame_bytes);
		sndbe_fifo_commit(f, n);
		done += n;
	}
	return done;
}

uint32_t sndbe_fifo_pop(struct sndbe_fifo *f, void *dst, uint32_t frames)
{
	uint8_t *p = dst;
	uint32_t done = 0;

	while (done < frames) {
		const uint8_t *src;
		uint32_t n = sndbe_fifo_peek(f, &src);

		if (n == 0)
			break;
		if (n > frames - done)
			n = frames - done;
		if (p)
			memcpy(p + (size_t)done * f->frame_bytes, src, (size_t)n * f->frame_bytes);
		sndbe_fifo_drop(f, n);
		done += n;
	}
	return done;
}

#ifndef VSND_HAVE_ALSA
/* Built without alsa-lib: the spec is well-formed, the feature is missing. */
int sndbe_audio_alsa_open(const char *pcm, const struct sndbe_audio_config *cfg,
			  struct sndbe_audio **ret)
{
	(void)pcm;
	(void)cfg;
	(void)ret;
	return -ENOTSUP;
}

int sndbe_audio_alsa_probe(const char *pcm, bool capture, struct vsnd_hw_caps *ret)
{
	(void)pcm;
	(void)capture;
	(void)ret;
	return -ENOTSUP;
}
#endif

/* ---- the common stream ----------------------------------------------------- */

static int config_check(const struct sndbe_audio_config *cfg, uint32_t *ret_frame_bytes)
{
	int r;

	if (!cfg || cfg->rate == 0 || cfg->channels == 0 || cfg->buffer_frames == 0 ||
	    cfg->period_frames == 0 || cfg->period_frames > cfg->buffer_frames)
		return -EINVAL;
	r = vsnd_frame_bytes(cfg->format, cfg->channels, ret_frame_bytes);
	if (r < 0)
		return r;
	/* Twice the buffer must fit the FIFO's 32-bit frame counts. */
	if (cfg->buffer_frames > UINT32_MAX / 2)
		return -EINVAL;
	return 0;
}

int sndbe_audio_init(struct sndbe_audio *a, const struct sndbe_audio_ops *ops,
		     const struct sndbe_audio_config *cfg)
{
	uint32_t frame_bytes;
	int r;

	r = config_check(cfg, &frame_bytes);
	if (r < 0)
		return r;
	a->ops = ops;
	a->cfg = *cfg;
	a->frame_bytes = frame_bytes;
	return sndbe_fifo_init(&a->fifo, frame_bytes, cfg->buffer_frames * 2);
}

void sndbe_audio_done(struct sndbe_audio *a)
{
	sndbe_fifo_done(&a->fifo);
}

/* "kind:rest" with a non-empty rest; returns rest, or NULL. */
static const char *spec_arg(const char *spec, const char *kind)
{
	size_t len = strlen(kind);

	if (strncmp(spec, kind, len) != 0 || spec[len] != ':' || spec[len + 1] == '\0')
		return NULL;
	return spec + len + 1;
}

int sndbe_audio_probe(const char *spec, bool capture, struct vsnd_hw_caps *ret)
{
	const char *arg;

	if (!spec || !ret)
		return -EINVAL;
	if (strcmp(spec, "null") == 0 || strcmp(spec, "null:unpaced") == 0) {
		sndbe_audio_paced_probe(false, ret);
		return 0;
	}
	if (spec_arg(spec, "file")) {
		sndbe_audio_paced_probe(true, ret);
		return 0;
	}
	arg = spec_arg(spec, "alsa");
	if (arg)
		return sndbe_audio_alsa_probe(arg, capture, ret);
	arg = spec_arg(spec, "fault");
	if (arg)
		return sndbe_audio_fault_probe(arg, capture, ret);
	return -EINVAL;
}

int sndbe_audio_open(const char *spec, const struct sndbe_audio_config *cfg,
		     struct sndbe_audio **ret)
{
	uint32_t frame_bytes;
	const char *arg;
	int r;

	if (!spec || !ret)
		return -EINVAL;
	r = config_check(cfg, &frame_bytes);
	if (r < 0)
		return r;
	if (strcmp(spec, "null") == 0)
		return sndbe_audio_paced_open(NULL, cfg, ret);
	if (strcmp(spec, "null:unpaced") == 0)
		return sndbe_audio_unpaced_open(cfg, ret);
	arg = spec_arg(spec, "file");
	if (arg)
		return sndbe_audio_paced_open(arg, cfg, ret);
	arg = spec_arg(spec, "alsa");
	if (arg)
		return sndbe_audio_alsa_open(arg, cfg, ret);
	arg = spec_arg(spec, "fault");
	if (arg)
		return sndbe_audio_fault_open(arg, cfg, ret);
	return -EINVAL;
}

struct sndbe_audio *sndbe_audio_close(struct sndbe_audio *a)
{
	if (a)
		a->ops->free(a);
	return NULL;
}

int sndbe_audio_start(struct sndbe_audio *a)
{
	int r;

	if (!a)
		return -EINVAL;
	/* Even when running: the implementation says whether it still can. */
	a->running = true;
	r = a->ops->start(a);
	if (r < 0)
		a->running = false;
	return r;
}

int sndbe_audio_stop(struct sndbe_audio *a)
{
	int r;

	if (!a)
		return -EINVAL;
	/* Freeze the position first: what the device played before the stop
	 * stays counted, what it had not is discarded with the FIFO. */
	(void)sndbe_audio_position(a);
	r = a->ops->stop(a);
	a->running = false;
	sndbe_fifo_clear(&a->fifo);
	return r;
}

int sndbe_audio_pause(struct sndbe_audio *a)
{
	int r;

	if (!a)
		return -EINVAL;
	(void)sndbe_audio_position(a);
	r = a->ops->pause(a);
	a->running = false;
	return r;
}

int sndbe_audio_write(struct sndbe_audio *a, const void *buf, uint32_t frames)
{
	uint32_t n;
	int r;

	if (!a || (!buf && frames) || a->cfg.capture)
		return -EINVAL;
	if (frames > INT32_MAX)
		frames = INT32_MAX;
	n = sndbe_fifo_push(&a->fifo, buf, frames);
	a->frames_in += n;
	r = a->ops->kick(a);
	if (r < 0)
		return r;
	return (int)n;
}

int sndbe_audio_read(struct sndbe_audio *a, void *buf, uint32_t frames)
{
	uint32_t n;
	int r;

	if (!a || (!buf && frames) || !a->cfg.capture)
		return -EINVAL;
	if (frames > INT32_MAX)
		frames = INT32_MAX;
	r = a->ops->kick(a);
	if (r < 0)
		return r;
	n = sndbe_fifo_pop(&a->fifo, buf, frames);
	a->frames_out += n;
	return (int)n;
}

uint64_t sndbe_audio_position(struct sndbe_audio *a)
{
	uint64_t p;

	if (!a)
		return 0;
	p = a->ops->position(a);
	/* Played frames never exceed accepted ones, whatever a device says. */
	if (!a->cfg.capture && p > a->frames_in)
		p = a->frames_in;
	if (p > a->position)
		a->position = p;
	return a->position;
}

int sndbe_audio_fds(struct sndbe_audio *a, struct pollfd *fds, unsigned int n)
{
	if (!a || (!fds && n))
		return -EINVAL;
	return a->ops->fds(a, fds, n);
}

int sndbe_audio_service(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n)
{
	if (!a || (!fds && n))
		return -EINVAL;
	return a->ops->service(a, fds, n);
}

void sndbe_audio_stats(struct sndbe_audio *a, struct sndbe_audio_stats *ret)
{
	uint64_t pos;

	*ret = (struct sndbe_audio_stats){ 0 };
	if (!a)
		return;
	pos = sndbe_audio_position(a);
	if (a->cfg.capture) {
		ret->frames_in = pos;
		ret->frames_out = a->frames_out;
	} else {
		ret->frames_in = a->frames_in;
		ret->frames_out = pos;
	}
	ret->xruns = a->xruns;
	ret->fifo_frames = a->fifo.fill;
	ret->delay_frames = a->ops->delay(a);
}
