// SPDX-License-Identifier: MIT
/*
 * io.c - pcm_vsnd's data path: the ioplug callbacks that move audio and
 * follow the backend's positions.
 *
 * The stream's shared buffer is ALSA's ring: frame f of the stream since
 * OPEN lives at octet (f mod buffer) * frame. Playback copies what the
 * application writes there and sends WRITE for it (split at the buffer
 * end); capture sends READ for what the backend says it captured and
 * copies it out. CUR_POS events (octets played or captured since OPEN) are
 * ALSA's hardware pointer: the plugin sets SND_PCM_IOPLUG_FLAG_BOUNDARY_WA
 * and reports the position modulo ALSA's boundary, so a whole buffer
 * passing between two calls is never mistaken for no progress.
 *
 * Positions count from the OPEN, and ALSA's pointers from 0 at each
 * prepare: so prepare OPENs the stream again once it has run or holds
 * data (vsndfe_stream_open() sends CLOSE first), instead of relying on the
 * backend realigning positions at a second START (REQ-20 is optional).
 *
 * Xruns follow the kernel's rule: while running, the space the application
 * has not filled (playback) or not read (capture) reaching the stop
 * threshold is an xrun, reported by the pointer callback as -EPIPE.
 *
 * Polling: the stream's event channel (readable when CUR_POS events may be
 * queued) and the card's XenStore watch (the backend restarting or going
 * away ends the stream with POLLERR).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "plugin.h"
#include "vsnd/wire.h"

static bool is_playback(const struct vsnd_pcm *vp)
{
	return vp->io.stream == SND_PCM_STREAM_PLAYBACK;
}

static int vsnd_start(snd_pcm_ioplug_t *io)
{
	struct vsnd_pcm *vp = io->private_data;
	int r = vsndfe_stream_trigger(vp->s, XENSND_OP_TRIGGER_START);

	if (r < 0) {
		SNDERR("vsnd: TRIGGER START of stream %u: %s", vp->index, strerror(-r));
		return r;
	}
	vp->ran = true;
	return 0;
}

static int vsnd_stop(snd_pcm_ioplug_t *io)
{
	struct vsnd_pcm *vp = io->private_data;
	int r = vsndfe_stream_trigger(vp->s, XENSND_OP_TRIGGER_STOP);

	if (r < 0)
		vsnd_pcm_log(vp, "TRIGGER STOP of stream %u: %s", vp->index, strerror(-r));
	return r;
}

static int vsnd_pause(snd_pcm_ioplug_t *io, int enable)
{
	struct vsnd_pcm *vp = io->private_data;

	return vsndfe_stream_trigger(vp->s, enable ? XENSND_OP_TRIGGER_PAUSE
						   : XENSND_OP_TRIGGER_RESUME);
}

/* OPEN with the hw_params' choice unless the stream is open and untouched. */
static int vsnd_prepare(snd_pcm_ioplug_t *io)
{
	struct vsnd_pcm *vp = io->private_data;
	uint32_t size;
	uint8_t *buf;
	int r;

	if (!vp->have_params)
		return -EBADFD;
	if (!vsndfe_stream_is_open(vp->s) || vp->ran || vp->xfer_frames) {
		r = vsndfe_stream_open(vp->s, &vp->params);
		if (r < 0) {
			SNDERR("vsnd: OPEN of stream %u: %s", vp->index, strerror(-r));
			return r;
		}
	}
	buf = vsndfe_stream_buffer(vp->s, &size);
	if (!buf || size < vp->params.buffer_bytes)
		return -EIO;
	for (unsigned int c = 0; c < io->channels; c++)
		vp->areas[c].addr = buf;
	vp->ran = false;
	vp->xfer_frames = 0;
	return 0;
}

/* Frames the application may move now, for the xrun rule. */
static uint64_t app_avail(const struct vsnd_pcm *vp, uint64_t pos)
{
	if (is_playback(vp))
		return vp->buffer_frames - (vp->xfer_frames - pos);
	return pos - vp->xfer_frames;
}

static snd_pcm_sframes_t vsnd_pointer(snd_pcm_ioplug_t *io)
{
	struct vsnd_pcm *vp = io->private_data;
	struct vsndfe_stream_stats st;
	uint64_t pos;
	int r;

	r = vsndfe_stream_process_events(vp->s);
	if (r < 0) {
		SNDERR("vsnd: CUR_POS events of stream %u: %s", vp->index, strerror(-r));
		return r;
	}
	vsndfe_stream_stats(vp->s, &st);
	pos = st.position_bytes / vp->frame_bytes;
	/* A backend cannot play what was not written, nor hand out more than
	 * a buffer ahead of what was read: never let ALSA see either. */
	if (is_playback(vp) && pos > vp->xfer_frames)
		pos = vp->xfer_frames;
	if (!is_playback(vp) && pos < vp->xfer_frames)
		pos = vp->xfer_frames;
	if (io->state == SND_PCM_STATE_RUNNING && app_avail(vp, pos) >= vp->stop_threshold) {
		vsnd_pcm_log(vp, "%s at position %llu, %llu frames moved",
			     is_playback(vp) ? "underrun" : "overrun", (unsigned long long)pos,
			     (unsigned long long)vp->xfer_frames);
		return -EPIPE;
	}
	if (vp->boundary)
		pos %= vp->boundary;
	return (snd_pcm_sframes_t)pos;
}

/* One piece that does not cross the buffer's end. */
static int move_piece(struct vsnd_pcm *vp, const snd_pcm_channel_area_t *areas,
		      snd_pcm_uframes_t offset, snd_pcm_uframes_t at, snd_pcm_uframes_t n)
{
	uint32_t off = (uint32_t)(at * vp->frame_bytes), len = (uint32_t)(n * vp->frame_bytes);
	int r;

	if (is_playback(vp)) {
		r = snd_pcm_areas_copy(vp->areas, at, areas, offset, vp->io.channels, n,
				       vp->io.format);
		if (r < 0)
			return r;
		r = vsndfe_stream_write(vp->s, off, len);
	} else {
		r = vsndfe_stream_read(vp->s, off, len);
		if (r < 0)
			return r;
		r = snd_pcm_areas_copy(areas, offset, vp->areas, at, vp->io.channels, n,
				       vp->io.format);
	}
	return r;
}

static snd_pcm_sframes_t vsnd_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
				       snd_pcm_uframes_t offset, snd_pcm_uframes_t size)
{
	struct vsnd_pcm *vp = io->private_data;
	snd_pcm_uframes_t done = 0;

	while (done < size) {
		snd_pcm_uframes_t at = (snd_pcm_uframes_t)(vp->xfer_frames % vp->buffer_frames);
		snd_pcm_uframes_t n = vp->buffer_frames - at;
		int r;

		n = n < size - done ? n : size - done;
		r = move_piece(vp, areas, offset + done, at, n);
		if (r < 0) {
			SNDERR("vsnd: %s of %lu frames on stream %u: %s",
			       is_playback(vp) ? "WRITE" : "READ", (unsigned long)n, vp->index,
			       strerror(-r));
			return done ? (snd_pcm_sframes_t)done : r;
		}
		vp->xfer_frames += n;
		done += n;
	}
	return (snd_pcm_sframes_t)done;
}

static int vsnd_poll_count(snd_pcm_ioplug_t *io)
{
	(void)io;
	return 2;
}

static int vsnd_poll_descriptors(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int space)
{
	struct vsnd_pcm *vp = io->private_data;
	int evt = vsndfe_stream_evt_fd(vp->s);

	if (space < 2)
		return -EINVAL;
	if (evt < 0)
		return evt;
	pfd[0] = (struct pollfd){ .fd = evt, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = vsndfe_card_fd(vp->card), .events = POLLIN };
	return 2;
}

/* The card's watch fired: a reconnection or a disconnection loses the stream. */
static bool card_lost(struct vsnd_pcm *vp)
{
	int r = vsndfe_card_process(vp->card);

	if (r == 0 && vsndfe_card_connected(vp->card))
		return false;
	SNDERR("vsnd: vsnd device of stream %u %s", vp->index,
	       r < 0 ? "failed" : "disconnected or restarted: the stream is gone");
	return true;
}

static int vsnd_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds,
			     unsigned short *revents)
{
	struct vsnd_pcm *vp = io->private_data;

	*revents = 0;
	if (nfds < 2)
		return -EINVAL;
	if ((pfd[1].revents & POLLIN) && card_lost(vp)) {
		*revents = POLLERR;
		return 0;
	}
	if (pfd[0].revents & (POLLERR | POLLNVAL | POLLHUP)) {
		*revents = POLLERR;
		return 0;
	}
	if (!(pfd[0].revents & POLLIN))
		return 0;
	/* Take the events (and the notification) now: the fd is readable
	 * again only when new ones come. ALSA reads the pointer next. */
	if (vsndfe_stream_process_events(vp->s) < 0)
		*revents = POLLERR;
	else
		*revents = is_playback(vp) ? POLLOUT : POLLIN;
	return 0;
}

static int vsnd_close(snd_pcm_ioplug_t *io)
{
	vsnd_pcm_destroy(io->private_data);
	return 0;
}

const snd_pcm_ioplug_callback_t vsnd_pcm_callbacks = {
	.start = vsnd_start,
	.stop = vsnd_stop,
	.pointer = vsnd_pointer,
	.transfer = vsnd_transfer,
	.close = vsnd_close,
	.hw_params = vsnd_pcm_hw_params,
	.hw_free = vsnd_pcm_hw_free,
	.sw_params = vsnd_pcm_sw_params,
	.prepare = vsnd_prepare,
	.pause = vsnd_pause,
	.poll_descriptors_count = vsnd_poll_count,
	.poll_descriptors = vsnd_poll_descriptors,
	.poll_revents = vsnd_poll_revents,
};
