/* SPDX-License-Identifier: MIT */
/*
 * plugin.h - the pieces of pcm_vsnd shared between its files: the plugin's
 * state for one open ALSA PCM, and the entry points of each file.
 *
 * pcm_vsnd.c reads the plugin's configuration, connects the card, picks the
 * stream and creates the ioplug PCM; hw.c turns the backend's answer to one
 * HW_PARAM_QUERY into ioplug's constraint lists and checks the exact choice
 * at hw_params; io.c moves the audio (transfer, pointer, triggers, polling).
 *
 * Lifetime: one struct vsnd_pcm per snd_pcm_open(), freed by the ioplug
 * close callback. The card stays connected as long as the PCM is open; the
 * stream is OPENed at prepare (again after it ran, so that positions count
 * from 0 as ALSA's pointers do) and CLOSEd at hw_free and close. alsa-lib
 * calls every callback from the application's thread, and libvsndfront has
 * no threads, so nothing here is locked.
 */
#ifndef VSND_PCM_VSND_PLUGIN_H
#define VSND_PCM_VSND_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

#include "vsndfront.h"

struct vsnd_pcm {
	snd_pcm_ioplug_t io;
	struct vsndfe_card *card;
	struct vsndfe_stream *s;
	unsigned int index;		/* card-wide stream index */
	bool debug;			/* $VSND_DEBUG: report libvsndfront's messages */

	/* Set at hw_params, valid until hw_free. */
	bool have_params;
	struct vsndfe_pcm_params params;
	uint32_t frame_bytes;
	snd_pcm_uframes_t buffer_frames;
	snd_pcm_channel_area_t *areas;	/* the shared buffer, one area per channel */

	/* From sw_params: ALSA's wrap point of hw_ptr and its xrun threshold. */
	snd_pcm_uframes_t boundary;
	snd_pcm_uframes_t stop_threshold;

	/* Since the last OPEN. */
	bool ran;			/* START was sent: the next prepare OPENs again */
	uint64_t xfer_frames;		/* written (playback) or read (capture) */
};

/* pcm_vsnd.c */
/* Close the card and free (the ioplug close callback). */
void vsnd_pcm_destroy(struct vsnd_pcm *vp);
void vsnd_pcm_log(const struct vsnd_pcm *vp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* hw.c */
int vsnd_pcm_set_constraints(struct vsnd_pcm *vp);
int vsnd_pcm_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params);
int vsnd_pcm_hw_free(snd_pcm_ioplug_t *io);
int vsnd_pcm_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params);

/* io.c */
extern const snd_pcm_ioplug_callback_t vsnd_pcm_callbacks;

#endif /* VSND_PCM_VSND_PLUGIN_H */
