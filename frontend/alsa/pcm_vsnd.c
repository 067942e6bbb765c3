// SPDX-License-Identifier: MIT
/*
 * pcm_vsnd.c - the pcm_vsnd ALSA plugin's entry point: an ioplug PCM over
 * one stream of a Xen PV sound card, driven through libvsndfront.
 *
 *	pcm.NAME {
 *		type vsnd
 *		xen "real"		# or "sim:DIR" (xensimd's run directory)
 *		domid 5			# sim: the domain to act as; real: ignored
 *		devid 0			# the vsnd device (card) id
 *		pcm -1			# -1: the first pcm with a stream of the
 *		stream -1		#     direction opened; -1: its first such stream
 *		index -1		# or a card-wide stream index instead
 *	}
 *
 * Opening the PCM connects the card (the XenBus handshake, bounded by
 * libvsndfront's 10 s) and asks the backend once, with one HW_PARAM_QUERY,
 * what the stream can do (hw.c). Configuration and connection errors are
 * reported with SNDERR(); libvsndfront's own messages only when the
 * environment variable VSND_DEBUG is set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "vsnd-common/util.h"

/* The plugin's arguments; -1 for "not given" where that means "pick". */
struct vsnd_args {
	const char *xen;
	long domid;
	long devid;
	long pcm;
	long stream;
	long index;
};

int _snd_pcm_vsnd_open(snd_pcm_t **pcmp, const char *name, snd_config_t *root,
		       snd_config_t *conf, snd_pcm_stream_t stream, int mode);

void vsnd_pcm_log(const struct vsnd_pcm *vp, const char *fmt, ...)
{
	va_list ap;

	if (vp && !vp->debug)
		return;
	va_start(ap, fmt);
	fputs("pcm_vsnd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void lib_log(void *opaque, enum vsndfe_log_level level, const char *msg)
{
	const struct vsnd_pcm *vp = opaque;

	if (level <= VSNDFE_LOG_WARN || vp->debug)
		vsnd_pcm_log(vp, "libvsndfront: %s", msg);
}

/* An integer argument, given as an integer or as a decimal string (the
 * form ALSA's "vsnd:ARG=VALUE" strings may produce). */
static int get_long(snd_config_t *n, const char *id, long min, long max, long *ret)
{
	const char *str;
	char *end;
	long v;

	if (snd_config_get_integer(n, &v) < 0) {
		if (snd_config_get_string(n, &str) < 0 || !*str)
			goto bad;
		errno = 0;
		v = strtol(str, &end, 10);
		if (errno || *end)
			goto bad;
	}
	if (v < min || v > max)
		goto bad;
	*ret = v;
	return 0;
bad:
	SNDERR("vsnd: %s must be an integer from %ld to %ld", id, min, max);
	return -EINVAL;
}

static int parse_one(snd_config_t *n, const char *id, struct vsnd_args *a)
{
	static const struct {
		const char *id;
		size_t off;
		long min;
	} ints[] = {
		{ "domid", offsetof(struct vsnd_args, domid), 0 },
		{ "devid", offsetof(struct vsnd_args, devid), 0 },
		{ "pcm", offsetof(struct vsnd_args, pcm), -1 },
		{ "stream", offsetof(struct vsnd_args, stream), -1 },
		{ "index", offsetof(struct vsnd_args, index), -1 },
	};

	if (!strcmp(id, "xen")) {
		if (snd_config_get_string(n, &a->xen) < 0 || !*a->xen) {
			SNDERR("vsnd: xen must be \"real\" or \"sim:DIR\"");
			return -EINVAL;
		}
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ints); i++)
		if (!strcmp(id, ints[i].id))
			return get_long(n, id, ints[i].min, INT32_MAX,
					(long *)((char *)a + ints[i].off));
	SNDERR("vsnd: unknown field %s", id);
	return -EINVAL;
}

static int parse_args(snd_config_t *conf, struct vsnd_args *a)
{
	snd_config_iterator_t i, next;

	snd_config_for_each(i, next, conf) {
		snd_config_t *n = snd_config_iterator_entry(i);
		const char *id;
		int r;

		if (snd_config_get_id(n, &id) < 0)
			continue;
		if (!strcmp(id, "comment") || !strcmp(id, "type") || !strcmp(id, "hint"))
			continue;
		r = parse_one(n, id, a);
		if (r < 0)
			return r;
	}
	if (a->stream >= 0 && a->pcm < 0) {
		SNDERR("vsnd: stream %ld needs a pcm", a->stream);
		return -EINVAL;
	}
	return 0;
}

/* Whether stream @i matches the arguments and the direction opened. */
static bool stream_matches(struct vsnd_pcm *vp, const struct vsnd_args *a, unsigned int i,
			   bool playback)
{
	unsigned int pcm, stream;

	if (vsnd_xscfg_stream_at(vsndfe_card_config(vp->card), i, &pcm, &stream) < 0)
		return false;
	if (a->pcm >= 0 && pcm != (unsigned long)a->pcm)
		return false;
	if (a->stream >= 0)
		return stream == (unsigned long)a->stream;
	return vsndfe_stream_is_playback(vsndfe_card_stream(vp->card, i)) == playback;
}

static int pick_stream(struct vsnd_pcm *vp, const struct vsnd_args *a, bool playback)
{
	unsigned int n = vsndfe_card_stream_count(vp->card), i = 0;

	if (a->index >= 0)
		i = (unsigned int)a->index;
	else
		while (i < n && !stream_matches(vp, a, i, playback))
			i++;
	if (i >= n) {
		SNDERR("vsnd: vsnd device %ld has no such %s stream (pcm %ld, stream %ld, "
		       "index %ld; %u streams)", a->devid, playback ? "playback" : "capture",
		       a->pcm, a->stream, a->index, n);
		return -ENOENT;
	}
	vp->index = i;
	vp->s = vsndfe_card_stream(vp->card, i);
	if (vsndfe_stream_is_playback(vp->s) != playback) {
		SNDERR("vsnd: stream %u of vsnd device %ld is a %s stream", i, a->devid,
		       playback ? "capture" : "playback");
		return -EINVAL;
	}
	return 0;
}

static int connect_card(struct vsnd_pcm *vp, const struct vsnd_args *a, bool playback)
{
	struct vsndfe_options o = {
		.xen = a->xen,
		.domid = (uint32_t)a->domid,
		.devid = (uint32_t)a->devid,
		.log = lib_log,
		.log_opaque = vp,
	};
	int r;

	r = vsndfe_card_open(&o, &vp->card);
	if (r < 0) {
		SNDERR("vsnd: cannot connect to vsnd device %ld (xen %s, domain %ld): %s",
		       a->devid, a->xen, a->domid, strerror(-r));
		return r;
	}
	return pick_stream(vp, a, playback);
}

static struct vsnd_pcm *vsnd_pcm_free(struct vsnd_pcm *vp)
{
	if (!vp)
		return NULL;
	vp->card = vsndfe_card_close(vp->card);
	free(vp->areas);
	free(vp);
	return NULL;
}

static int create_ioplug(struct vsnd_pcm *vp, const char *name, snd_pcm_stream_t stream,
			 int mode)
{
	int fd = vsndfe_stream_evt_fd(vp->s), r;

	if (fd < 0)
		return fd;
	vp->io.version = SND_PCM_IOPLUG_VERSION;
	vp->io.name = "Xen PV sound (vsnd)";
	vp->io.callback = &vsnd_pcm_callbacks;
	vp->io.private_data = vp;
	vp->io.flags = SND_PCM_IOPLUG_FLAG_MONOTONIC | SND_PCM_IOPLUG_FLAG_BOUNDARY_WA;
	vp->io.poll_fd = fd;
	vp->io.poll_events = POLLIN;
	vp->io.mmap_rw = 0;
	r = snd_pcm_ioplug_create(&vp->io, name, stream, mode);
	if (r < 0)
		SNDERR("vsnd: cannot create the ioplug PCM: %s", snd_strerror(r));
	return r;
}

SND_PCM_PLUGIN_DEFINE_FUNC(vsnd)
{
	struct vsnd_args a = { .xen = "real", .pcm = -1, .stream = -1, .index = -1 };
	struct vsnd_pcm *vp;
	const char *dbg = getenv("VSND_DEBUG");
	int r;

	(void)root;
	r = parse_args(conf, &a);
	if (r < 0)
		return r;
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return -ENOMEM;
	vp->debug = dbg && *dbg && strcmp(dbg, "0");
	r = connect_card(vp, &a, stream == SND_PCM_STREAM_PLAYBACK);
	if (r == 0)
		r = create_ioplug(vp, name, stream, mode);
	if (r < 0) {
		vsnd_pcm_free(vp);
		return r;
	}
	/* From here on the ioplug's close callback frees vp. */
	r = vsnd_pcm_set_constraints(vp);
	if (r < 0) {
		snd_pcm_ioplug_delete(&vp->io);
		return r;
	}
	vsnd_pcm_log(vp, "stream %u of vsnd device %ld (xen %s, domain %ld) open for %s",
		     vp->index, a.devid, a.xen, a.domid,
		     stream == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture");
	*pcmp = vp->io.pcm;
	return 0;
}

SND_PCM_PLUGIN_SYMBOL(vsnd);

void vsnd_pcm_destroy(struct vsnd_pcm *vp)
{
	vsnd_pcm_free(vp);
}
