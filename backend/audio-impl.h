/* SPDX-License-Identifier: MIT */
/*
 * audio-impl.h - what the implementations of audio.h share, private to the
 * audio layer: the frame FIFO, the common stream object every sink/source
 * embeds first, its operation table, and the WAV reader/writer of the
 * "file:" variant.
 *
 * Lifetime: audio.c allocates nothing itself; an implementation allocates
 * its own object (the common part first), audio.c initialises the common
 * part and frees it through ops->free after the implementation let go of
 * its device.
 */
#ifndef VSND_BACKEND_AUDIO_IMPL_H
#define VSND_BACKEND_AUDIO_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "audio.h"

/* A ring of whole frames. */
struct sndbe_fifo {
	uint8_t *data;
	uint32_t frame_bytes;
	uint32_t capacity;	/* frames */
	uint32_t head;		/* first queued frame */
	uint32_t fill;		/* frames queued */
};

/**
 * sndbe_fifo_init() - an empty FIFO of @capacity frames of @frame_bytes.
 * Return: 0, -EINVAL (zero sizes, or more than 64 MiB), -ENOMEM.
 */
int sndbe_fifo_init(struct sndbe_fifo *f, uint32_t frame_bytes, uint32_t capacity);
/** sndbe_fifo_done() - free the FIFO's memory; safe to call twice. */
void sndbe_fifo_done(struct sndbe_fifo *f);
/** sndbe_fifo_push() - append up to @frames frames. Return: frames taken. */
uint32_t sndbe_fifo_push(struct sndbe_fifo *f, const void *src, uint32_t frames);
/**
 * sndbe_fifo_pop() - take up to @frames frames from the head into @dst
 * (NULL: discard them). Return: frames taken.
 */
uint32_t sndbe_fifo_pop(struct sndbe_fifo *f, void *dst, uint32_t frames);
/**
 * sndbe_fifo_peek() - the longest contiguous run of queued frames at the
 * head, for a transfer without a copy. Return: its length in frames.
 */
uint32_t sndbe_fifo_peek(const struct sndbe_fifo *f, const uint8_t **ret_ptr);
/** sndbe_fifo_drop() - forget up to @frames frames at the head. */
void sndbe_fifo_drop(struct sndbe_fifo *f, uint32_t frames);
/**
 * sndbe_fifo_reserve() - the longest contiguous free run at the tail; fill
 * it, then sndbe_fifo_commit() what was filled. Return: its length in frames.
 */
uint32_t sndbe_fifo_reserve(const struct sndbe_fifo *f, uint8_t **ret_ptr);
/** sndbe_fifo_commit() - queue @frames frames filled after a reserve. */
void sndbe_fifo_commit(struct sndbe_fifo *f, uint32_t frames);
/** sndbe_fifo_clear() - forget every queued frame. */
void sndbe_fifo_clear(struct sndbe_fifo *f);

struct sndbe_audio_ops {
	/* Implementations keep the device's own state; audio.c keeps the
	 * logical one (running) and the FIFO. */
	int (*start)(struct sndbe_audio *a);
	int (*stop)(struct sndbe_audio *a);	/* audio.c clears the FIFO after */
	int (*pause)(struct sndbe_audio *a);
	/* After write(), before read(): move frames now if the device can. */
	int (*kick)(struct sndbe_audio *a);
	uint64_t (*position)(struct sndbe_audio *a);
	uint32_t (*delay)(struct sndbe_audio *a);
	int (*fds)(struct sndbe_audio *a, struct pollfd *fds, unsigned int n);
	int (*service)(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n);
	void (*free)(struct sndbe_audio *a);
};

struct sndbe_audio {
	const struct sndbe_audio_ops *ops;
	struct sndbe_audio_config cfg;
	uint32_t frame_bytes;
	struct sndbe_fifo fifo;
	bool running;		/* between start and stop/pause */
	uint64_t frames_in;	/* write(): accepted; capture: see position */
	uint64_t frames_out;	/* read(): handed out */
	uint64_t position;	/* the highest position reported */
	uint32_t xruns;
};

/**
 * sndbe_audio_init() - fill the common part of a new stream; the FIFO
 * holds twice the guest's buffer.
 * Return: 0, -EINVAL for a configuration no stream can have, -ENOMEM.
 */
int sndbe_audio_init(struct sndbe_audio *a, const struct sndbe_audio_ops *ops,
		     const struct sndbe_audio_config *cfg);
/** sndbe_audio_done() - release the common part (ops->free calls it). */
void sndbe_audio_done(struct sndbe_audio *a);

/* "null" (path NULL) and "file:PATH" (audio-paced.c, documented there). */
int sndbe_audio_paced_open(const char *path, const struct sndbe_audio_config *cfg,
			   struct sndbe_audio **ret);
void sndbe_audio_paced_probe(bool file, struct vsnd_hw_caps *ret);

/* "alsa:PCM" (audio-alsa.c); -ENOTSUP when built without alsa-lib. */
int sndbe_audio_alsa_open(const char *pcm, const struct sndbe_audio_config *cfg,
			  struct sndbe_audio **ret);
int sndbe_audio_alsa_probe(const char *pcm, bool capture, struct vsnd_hw_caps *ret);
/* snd_pcm_open()'s result as the layer's: an unknown PCM name is -ENODEV
 * (audio-alsa.c, for audio-alsa-probe.c). */
int sndbe_alsa_open_errno(int r);

/* "fault:KNOBS:SPEC" (audio-fault.c, documented there): @arg is
 * "KNOBS:SPEC". */
int sndbe_audio_fault_open(const char *arg, const struct sndbe_audio_config *cfg,
			   struct sndbe_audio **ret);
int sndbe_audio_fault_probe(const char *arg, bool capture, struct vsnd_hw_caps *ret);

/* WAV files of the "file:" variant (audio-wav.c). */
struct sndbe_wav {
	uint8_t format;		/* sndif code */
	uint8_t channels;
	uint32_t rate;
	uint64_t data_offset;	/* of the first frame in the file */
	uint64_t data_bytes;	/* whole frames only */
};

/** sndbe_wav_formats() - the sndif formats a WAV file holds (a format mask). */
uint64_t sndbe_wav_formats(void);
/**
 * sndbe_wav_write_header() - write @w's header at offset 0 of @fd
 * (data_bytes may still be 0: sndbe_wav_finish() fixes the sizes).
 * Return: 0, -EINVAL for a format WAV cannot hold, or write's errno.
 */
int sndbe_wav_write_header(int fd, const struct sndbe_wav *w);
/**
 * sndbe_wav_finish() - rewrite the header with @w's final sizes (clamped to
 * RIFF's 32 bits) and pad an odd data chunk.
 * Return: 0, or write's errno.
 */
int sndbe_wav_finish(int fd, const struct sndbe_wav *w);
/**
 * sndbe_wav_read_header() - parse the RIFF/WAVE header of @fd, skipping
 * unknown chunks; leaves the file offset at the first frame.
 * Return: 0, -EINVAL for a malformed file or a format sndif lacks (packed
 * 24-bit, for one), or read's errno.
 */
int sndbe_wav_read_header(int fd, struct sndbe_wav *ret);

#endif /* VSND_BACKEND_AUDIO_IMPL_H */
