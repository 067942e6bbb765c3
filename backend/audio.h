/* SPDX-License-Identifier: MIT */
/*
 * audio.h - vsndbe's host audio: the sink (playback) / source (capture)
 * interface the stream layer drives, and software volume.
 *
 * One struct sndbe_audio is one open host stream for one guest stream. The
 * stream layer copies WRITE data out of the guest's shared buffer into the
 * sink at once (the guest may reuse that memory as soon as it has the
 * response) and takes READ data from the source; the sink or source keeps
 * its own FIFO and moves frames to or from the host device when the
 * device's fds say so, never blocking the loop.
 *
 * Positions are frames since open that have really left the sink (played)
 * or entered the source (captured): never more than were written, so a
 * starving playback stream's position stops at "all written frames played"
 * and the guest sees its own underrun (protocol.md 3.12). They never go
 * backwards; STOP keeps them, and the stream layer realigns (REQ-20).
 *
 * Implementations, chosen by a spec string:
 *   "null"           paced by a timerfd at the stream's rate; discards
 *                    playback, captures silence;
 *   "null:unpaced"   no clock: while running, playback consumes every
 *                    frame as it is written (the position is the frames
 *                    written) and capture hands out silence as fast as it
 *                    is read; no fds. For throughput measurements only;
 *   "file:PATH.wav"  the same pacing; playback appends to a WAV file,
 *                    capture reads one (silence after its end);
 *   "alsa:PCM"       alsa-lib, non-blocking, its poll fds in the loop;
 *   "fault:KNOBS:SPEC"  SPEC (any of the above) behind a device that fails
 *                    on a schedule, for tests: KNOBS is a comma-separated
 *                    list, possibly empty, of KIND[=MS]@N[..[M]], the fault
 *                    KIND at the Nth call (through the Mth; "N.." for ever)
 *                    of its kind. Counted per device transfer: epipe (an
 *                    xrun), estrpipe[=MS] (suspended MS ms, default 0),
 *                    enodev[=MS] (vanished, back after MS ms, default 0),
 *                    eagain, zero (a 0-frame transfer), short (half the
 *                    frames), block=MS (no progress and not ready for MS
 *                    ms); counted per service call of the device's fds:
 *                    pollerr, pollnval. MS is at most 600000. Nested fault
 *                    devices are refused. audio-fault.c details the
 *                    recovery of each.
 * Everything returns a negative errno; nothing blocks, except open/probe of
 * an ALSA device that itself blocks (the backend moves those off the loop;
 * the reopen of a vanished device is such an open).
 * A build without alsa-lib answers "alsa:" specs with -ENOTSUP.
 *
 * Host faults are recovered inside (REQ-22): xruns and suspends by the
 * device's own means, counted in stats.xruns; a device that vanishes
 * (-ENODEV, POLLERR that a recovery does not clear, POLLNVAL) loses what it
 * held, counted as played (as an underrun is), so the position stops at
 * "all written played" until it returns; its fds give way to a timer and it
 * is reopened after 100 ms, then 200, 400, ... up to every 5 s. Meanwhile
 * write() queues into the FIFO (refusing what does not fit) and the
 * triggers succeed; service() reports the loss once with -ENODEV.
 *
 * Context: one stream is driven from one thread (the worker's loop); distinct
 * streams share nothing.
 */
#ifndef VSND_BACKEND_AUDIO_H
#define VSND_BACKEND_AUDIO_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "vsnd/hwparams.h"

struct sndbe_audio;

struct sndbe_audio_config {
	bool capture;
	uint32_t rate;
	uint8_t format;		/* sndif code, fixed frame size */
	uint8_t channels;
	/* The guest's OPEN: the FIFO holds at least a buffer; the host period
	 * is chosen near the guest's. */
	uint32_t buffer_frames;
	uint32_t period_frames;
};

struct sndbe_audio_stats {
	uint64_t frames_in;	/* accepted by write() / captured by the device */
	uint64_t frames_out;	/* left the sink / handed out by read() */
	uint32_t xruns;		/* host underruns or overruns recovered */
	uint32_t fifo_frames;	/* frames queued now */
	uint32_t delay_frames;	/* host delay now (queued in the device) */
};

/**
 * sndbe_audio_probe() - the capability space of a spec, for HW_PARAM_QUERY.
 * @spec: "null", "null:unpaced", "file:PATH", "alsa:PCM" or
 *	"fault:KNOBS:SPEC" (SPEC's space).
 * @capture: probe the capture direction (a host PCM's two directions may
 *	differ).
 * @ret: the space.
 *
 * "null" and "null:unpaced": every fixed-size format, 1..255 channels, any
 * rate and size;
 * "file:": the same, limited to the formats a WAV file holds (U8, S16_LE,
 * S24_LE in 4 octets, S32_LE, F32_LE, F64_LE, A_LAW, MU_LAW); "alsa:"
 * probed per format over Linux's 12 rates, channel and period/buffer bounds
 * from the device (formats with equal bounds share one entry).
 *
 * Context: may block in an ALSA device's open.
 * Return: 0, -EINVAL for a malformed spec, -ENOTSUP for "alsa:" without
 * alsa-lib, -ENODEV (unknown PCM), -EBUSY, or the device's errno.
 */
int sndbe_audio_probe(const char *spec, bool capture, struct vsnd_hw_caps *ret);

/**
 * sndbe_audio_open() - open @spec for @cfg; the stream is prepared, not
 * started.
 *
 * A "file:" playback sink creates (truncates) PATH and writes a WAV of
 * @cfg's format; a "file:" capture source reads PATH, which must hold
 * @cfg's format and channels (its rate is not checked: frames are delivered
 * at @cfg's rate). An "alsa:" stream gets exactly @cfg's format, channels
 * and rate, and buffer/period sizes near @cfg's.
 *
 * Context: may block in an ALSA device's open.
 * Return: 0, -EINVAL (spec or config the device cannot do), -ENOTSUP
 * ("alsa:" without alsa-lib), -ENODEV (unknown or vanished device), -EBUSY,
 * -ENOENT (missing capture file), -EIO, -ENOMEM.
 */
int sndbe_audio_open(const char *spec, const struct sndbe_audio_config *cfg,
		     struct sndbe_audio **ret);

/**
 * sndbe_audio_close() - close the stream; queued frames are discarded, a
 * WAV sink's header is finalised. Accepts NULL.
 * Return: NULL.
 */
struct sndbe_audio *sndbe_audio_close(struct sndbe_audio *a);

/*
 * Start (also after stop or pause), stop (discards queued frames, keeps the
 * position), pause (keeps queued frames). Stop and pause are idempotent.
 * A device being reopened succeeds: it starts when it is back.
 * Return: 0, or a negative errno.
 */
int sndbe_audio_start(struct sndbe_audio *a);
int sndbe_audio_stop(struct sndbe_audio *a);
int sndbe_audio_pause(struct sndbe_audio *a);

/**
 * sndbe_audio_write() - queue @frames interleaved frames for playback.
 * Return: the frames accepted (all of them unless the FIFO is full; the
 * FIFO holds twice the guest's buffer), or a negative errno.
 */
int sndbe_audio_write(struct sndbe_audio *a, const void *buf, uint32_t frames);

/**
 * sndbe_audio_read() - take up to @frames captured frames.
 * Return: the frames copied (0 when none are captured yet); the rest of
 * @buf is left untouched.
 */
int sndbe_audio_read(struct sndbe_audio *a, void *buf, uint32_t frames);

/* Frames played (playback) or captured (capture) since open; monotonic. */
uint64_t sndbe_audio_position(struct sndbe_audio *a);

/**
 * sndbe_audio_fds() - the fds the loop must watch for this stream, with
 * their events.
 *
 * The set and the events change with the stream's state: a playback stream
 * with an empty FIFO asks for no POLLOUT (an idle device would otherwise
 * wake the loop forever), a device in recovery back-off is replaced by a
 * timer fd, a vanished device has none. The loop must call this again after
 * every call on the stream (write, read, service, start/stop/pause) and
 * update what it watches.
 *
 * Return: the number written to @fds (at most @n; SNDBE_AUDIO_MAX_FDS is
 * always enough), or a negative errno.
 */
#define SNDBE_AUDIO_MAX_FDS 8u

int sndbe_audio_fds(struct sndbe_audio *a, struct pollfd *fds, unsigned int n);

/**
 * sndbe_audio_service() - called when one of the fds is ready (with the
 * revents the loop saw): move frames between FIFO and device, recover host
 * xruns (counted), advance the clock, try to reopen a vanished device.
 * Return: 0, or a negative errno: -ENODEV once per loss of the device
 * (the stream goes on; the device is reopened with back-off).
 */
int sndbe_audio_service(struct sndbe_audio *a, const struct pollfd *fds, unsigned int n);

void sndbe_audio_stats(struct sndbe_audio *a, struct sndbe_audio_stats *ret);

/*
 * The "null:unpaced" implementation (audio-paced.c), for audio.c's spec
 * dispatch only: callers open it through sndbe_audio_open().
 * Return: 0, -EINVAL, -ENOMEM.
 */
int sndbe_audio_unpaced_open(const struct sndbe_audio_config *cfg, struct sndbe_audio **ret);

/**
 * sndbe_format_fill_silence() - write @n_samples samples of @format's
 * silence (0x80 for U8, 0x7f for MU_LAW, the midpoint of unsigned formats in
 * their byte order, zero otherwise) to @buf.
 * Return: 0, or -EINVAL for a format without a fixed frame size.
 */
int sndbe_format_fill_silence(uint8_t format, void *buf, uint32_t n_samples);

/*
 * Software volume and mute (the sndif SET_VOLUME/MUTE semantics): a gain in
 * 0.001 dB per channel (0 = unity, at most 0) and a mute flag per channel,
 * applied in place to interleaved frames of any fixed-size sndif format
 * (signed/unsigned, little/big endian, S24 in 4 octets, floats). Unity gain
 * and no mute leave the bytes untouched (bit-exact).
 */
#define SNDBE_VOLUME_MIN_MDB (-120000)	/* -120 dB: treated as silence */

struct sndbe_volume {
	uint8_t channels;
	int32_t mdb[255];
	bool mute[255];
	/* Derived when a gain or mute is set, not on every request: the
	 * linear factor per channel (0 = silence) and whether all are 1. */
	double gain[255];
	bool unity;
};

void sndbe_volume_init(struct sndbe_volume *v, uint8_t channels);
/* Return: 0, or -EINVAL for a gain above 0 dB or below SNDBE_VOLUME_MIN_MDB,
 * or a channel outside the stream's. */
int sndbe_volume_set(struct sndbe_volume *v, unsigned int channel, int32_t mdb);
/* Return: 0, or -EINVAL for a channel outside the stream's. */
int sndbe_volume_set_mute(struct sndbe_volume *v, unsigned int channel, bool mute);
bool sndbe_volume_is_unity(const struct sndbe_volume *v);
/*
 * A gain at SNDBE_VOLUME_MIN_MDB writes silence, as mute does. IEC958
 * subframes carry a bitstream with parity and channel status: they pass
 * untouched at unity and are never scaled.
 * Return: 0, -EINVAL for a format without a fixed frame size, -EOPNOTSUPP
 * for gain or mute on IEC958 subframes.
 */
int sndbe_volume_apply(const struct sndbe_volume *v, uint8_t format, void *frames,
		       uint32_t n_frames);

#endif /* VSND_BACKEND_AUDIO_H */
