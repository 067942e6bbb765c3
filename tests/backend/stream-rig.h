/* SPDX-License-Identifier: MIT */
/*
 * stream-rig.h - the rig of the stream and device layer tests
 * (test-stream*.c): the backend in the test process and a libvsndfront
 * guest in a forked child.
 *
 * The backend is sndbe_xenbus over the real device layer (vsnd-dev.h) with
 * "file:" host devices in a temporary directory (one WAV per stream,
 * DIR/dom5-PCM-STREAM.wav), served by a poll loop over the XenStore fd and
 * sndbe_dev_fds(). The card is written as libxl would (fetree.h) from a
 * struct rig_config: its streams, card-level rates, formats, channels and
 * buffer size, and the layer's CUR_POS knobs.
 *
 * The guest runs in a child so that its blocking libvsndfront calls never
 * stall the backend: the parent sends a struct gmsg naming a function and
 * its arguments over a pipe, keeps serving until the child writes the
 * message back with the function's results, and returns them. The child is
 * a fork of the test process without exec, so a function address means the
 * same code in both; a test may pass any function of its own file.
 *
 * Every wait is on fds with a generous bound (RIG_WAIT_MS), never on time
 * passing; any failure of the machinery fails the test.
 */
#ifndef VSND_TEST_STREAM_RIG_H
#define VSND_TEST_STREAM_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fetree.h"
#include "simd.h"
#include "vsnd-dev.h"
#include "vsndfront.h"
#include "xenbus.h"
#include "xenif/xenif.h"

#define RIG_WAIT_MS 20000
#define RIG_GUEST 5u

struct rig_config {
	/* Streams in Linux order; none: one playback stream 0/0. A NULL type
	 * is "p". */
	unsigned int n_streams;
	struct fetree_stream s[FETREE_MAX_STREAMS];
	/* Card-level settings as fetree.h takes them (NULL: its default). */
	const char *sample_rates;
	const char *sample_formats;
	const char *channels_min;
	const char *channels_max;
	const char *buffer_size;
	/* The layer's CUR_POS rate (vsnd-dev.h; 0: the default). */
	unsigned int pos_ticks;
	uint32_t pos_floor_us;
};

struct rig {
	struct vtest_simd sim;
	struct xenif *x; /* the backend's */
	struct xenif *ts; /* the toolstack's */
	struct sndbe_xenbus *xb;
	struct sndbe_dev_layer l;
	struct fetree tree;
	char dir[128];
	char spec[256];
};

/* xensimd, the backend, guest domain 5 and its card; @cfg may be NULL. */
void rig_begin(struct rig *rig, const struct rig_config *cfg);
/* Everything down; no device may be left connected. */
void rig_end(struct rig *rig);
/* One loop turn of at most @ms; return whether @extra_fd became readable. */
bool rig_turn(struct rig *rig, int extra_fd, int ms);
/* Serve until no device is connected (bounded). */
void rig_wait_disconnected(struct rig *rig);
/* Keep serving for @ms: a window in which something must not happen. */
void rig_serve_for(struct rig *rig, unsigned int ms);
/* The backend's stream of card-wide index @i (the device connected). */
struct sndbe_stream *rig_stream(struct rig *rig, unsigned int i);
/* The WAV path of stream @pcm/@stream. */
const char *rig_wav_path(struct rig *rig, unsigned int pcm, unsigned int stream, char *buf,
			 size_t size);
/* Mappings of guest @domid's pages in this process (xenif G6). */
int rig_gref_maps(uint32_t domid);

/* The test pattern: byte @i of the stream with @seed. */
static inline uint8_t rig_pat(uint32_t seed, uint32_t i)
{
	return (uint8_t)(i * 7u + seed + (i >> 8) * 13u);
}

/* ---- WAV files ----------------------------------------------------------- */

struct rig_wav {
	uint8_t format; /* sndif code, from tag, container and valid bits */
	uint8_t channels;
	uint32_t rate;
	uint32_t data_len;
	uint8_t *data; /* malloc()ed */
};

/* Read a WAV written by the sink; a header that names no sndif format
 * fails the test. */
void rig_wav_read(const char *path, struct rig_wav *ret);
/* Write a source WAV of @format holding @bytes octets of pattern @seed. */
void rig_wav_write(const char *path, uint8_t format, uint32_t rate, uint8_t channels, uint32_t seed,
		   uint32_t bytes);

/* ---- the guest in a child ---------------------------------------------- */

struct gstate {
	struct vsndfe_options opt;
	struct vsndfe_card *card;
};

struct gmsg;
typedef int (*guest_fn)(struct gstate *g, struct gmsg *m);

/* One call: the arguments in, the results out (the same struct back). */
struct gmsg {
	guest_fn fn;
	unsigned int stream; /* card-wide index */
	uint32_t a[8];
	int32_t v[8];
	uint64_t u[4];
	struct vsndfe_stream_stats st; /* filled by every stream call */
	int32_t r;
};

struct guest {
	pid_t pid;
	int cmd;
	int ans;
};

/* Fork the guest (not yet connected). */
void guest_start(struct rig *rig, struct guest *g);
/* Close the card if open, end the child and reap it. */
void guest_stop(struct rig *rig, struct guest *g);
/* Run @m->fn in the child while serving the backend; return its result,
 * with @m updated. */
int guest_call(struct rig *rig, struct guest *g, struct gmsg *m);

/* Ready-made guest calls; stream calls also fill @m->st. */
int g_card_open(struct rig *rig, struct guest *g);
void g_card_close(struct rig *rig, struct guest *g);
int g_open(struct rig *rig, struct guest *g, unsigned int i, uint32_t rate, uint8_t format,
	   uint8_t channels, uint32_t buffer_bytes, uint32_t period_bytes);
int g_close(struct rig *rig, struct guest *g, unsigned int i);
int g_trigger(struct rig *rig, struct guest *g, unsigned int i, unsigned int type);
/* WRITE [@off, @off + @len) filled with pattern @seed from byte @base. */
int g_write(struct rig *rig, struct guest *g, unsigned int i, uint32_t off, uint32_t len,
	    uint32_t seed, uint32_t base);
/* READ [@off, @off + @len) into a buffer prefilled with 0xAA; then the
 * first @good octets must be pattern @seed from @base and the rest @fill:
 * -EILSEQ otherwise. */
int g_read(struct rig *rig, struct guest *g, unsigned int i, uint32_t off, uint32_t len,
	   uint32_t seed, uint32_t base, uint32_t good, uint8_t fill);
/* SET_VOLUME, GET_VOLUME (@v receives), MUTE or UNMUTE (@v non-zero: that
 * channel) with @n values, at most 8. */
int g_values(struct rig *rig, struct guest *g, unsigned int i, uint8_t op, int32_t *v,
	     unsigned int n);
/* Consume events until the position reaches @pos; return the events seen
 * in this call, @ret_st the stream's stats. */
int g_wait_pos(struct rig *rig, struct guest *g, unsigned int i, uint64_t pos,
	       struct vsndfe_stream_stats *ret_st);
/* Consume what is queued now; return the events seen, @ret_st the stats. */
int g_events(struct rig *rig, struct guest *g, unsigned int i, struct vsndfe_stream_stats *ret_st);

/* Rig, guest, card connected. */
void rig_up(struct rig *rig, struct guest *g, const struct rig_config *cfg);
/* Card closed, guest reaped, rig down. */
void rig_down(struct rig *rig, struct guest *g);

#endif /* VSND_TEST_STREAM_RIG_H */
