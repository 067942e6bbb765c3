// SPDX-License-Identifier: MIT
/*
 * stream.c - the sndif requests of one stream: OPEN with its shared buffer
 * and page directory (protocol.md 3.4, 3.5), CLOSE, READ, WRITE, TRIGGER,
 * HW_PARAM_QUERY and the volume and mute requests, whose values travel in
 * the shared buffer (3.10).
 *
 * Unlike Linux, a buffer is never revoked while the backend may still use
 * it: CLOSE goes first, and only then are its grants ended, so a backend
 * never sees its mapping's pages go back to the guest's allocator.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsnd/pgdir.h"
#include "vsnd/request.h"

/* Volume and mute carry one 4-octet slot per channel; OPEN's channel count
 * is one octet. */
#define VALUE_SLOTS_MAX 255u

/**
 * fe_stream_release_buffer() - revoke and free a stream's shared buffer
 * without telling the backend, and mark the stream closed.
 * @s: the stream.
 *
 * For teardown, when the backend is gone; otherwise CLOSE comes first.
 */
void fe_stream_release_buffer(struct vsndfe_stream *s)
{
	if (s->shbuf)
		xenif_gnt_unshare(s->card->x, s->shbuf, s->shbuf_pages);
	s->shbuf = NULL;
	s->shbuf_pages = 0;
	s->dir_pages = 0;
	s->open = false;
}

bool vsndfe_stream_is_playback(const struct vsndfe_stream *s)
{
	return s && s->playback;
}

int vsndfe_stream_limits(const struct vsndfe_stream *s, struct vsnd_stream_limits *ret)
{
	if (!s || !ret)
		return -EINVAL;
	return vsnd_xscfg_limits(s->card->cfg, (int)s->pcm, (int)s->stream, 0, ret);
}

void vsndfe_stream_stats(const struct vsndfe_stream *s, struct vsndfe_stream_stats *ret)
{
	if (s && ret)
		*ret = s->stats;
}

void *vsndfe_stream_buffer(struct vsndfe_stream *s, uint32_t *ret_bytes)
{
	if (!s || !s->open) {
		if (ret_bytes)
			*ret_bytes = 0;
		return NULL;
	}
	if (ret_bytes)
		*ret_bytes = s->params.buffer_bytes;
	return (char *)s->shbuf + (size_t)s->dir_pages * VSND_PAGE_SIZE;
}

bool vsndfe_stream_is_open(const struct vsndfe_stream *s)
{
	return s && s->open;
}

int vsndfe_stream_close(struct vsndfe_stream *s)
{
	struct xensnd_req req = { .operation = XENSND_OP_CLOSE };
	int r = 0;

	if (!s)
		return -EINVAL;
	if (!s->open)
		return 0;
	r = fe_request(s, &req, NULL);
	fe_stream_release_buffer(s);
	return r;
}

/* The directory of protocol.md 3.5: page i lists buffer pages
 * [1023 i, 1023 (i + 1)) and the grant of page i + 1 (0 on the last one);
 * the pages come zeroed, so unused tail entries are already 0. */
static void fill_directory(void *dir, const uint32_t *refs, uint32_t dir_pages, uint32_t pages)
{
	for (uint32_t i = 0; i < dir_pages; i++) {
		struct xensnd_page_directory *d =
			(void *)((char *)dir + (size_t)i * VSND_PAGE_SIZE);
		uint32_t first = i * VSND_PGDIR_ENTRIES;
		uint32_t n = pages - first < VSND_PGDIR_ENTRIES ? pages - first :
								   VSND_PGDIR_ENTRIES;

		d->gref_dir_next_page = i + 1 < dir_pages ? refs[i + 1] : 0;
		memcpy((uint32_t *)((char *)d + offsetof(struct xensnd_page_directory, gref)),
		       &refs[dir_pages + first], n * sizeof(uint32_t));
	}
}

static int check_params(const struct vsndfe_pcm_params *p)
{
	uint32_t frame;

	if (vsnd_frame_bytes(p->format, p->channels, &frame) < 0)
		return -EINVAL;
	if (p->rate == 0 || p->buffer_bytes == 0 || p->buffer_bytes % frame ||
	    p->buffer_bytes > VSND_BUFFER_BYTES_HARD_MAX)
		return -EINVAL;
	if (p->period_bytes > p->buffer_bytes || p->period_bytes % frame)
		return -EINVAL;
	return 0;
}

static int share_buffer(struct vsndfe_stream *s, uint32_t buffer_bytes, uint32_t *ret_dir_ref)
{
	_cleanup_free_ uint32_t *refs = NULL;
	uint32_t pages, dir_pages;
	void *area;
	int r;

	r = vsnd_pgdir_size(buffer_bytes, &pages, &dir_pages);
	if (r < 0)
		return r;
	if (pages + dir_pages > XENIF_GNT_MAX_PAGES)
		return -EINVAL;
	refs = calloc(pages + dir_pages, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	r = xenif_gnt_share(s->card->x, s->card->be_domid, pages + dir_pages, true, refs, &area);
	if (r < 0)
		return r;
	fill_directory(area, refs, dir_pages, pages);
	s->shbuf = area;
	s->shbuf_pages = pages + dir_pages;
	s->dir_pages = dir_pages;
	*ret_dir_ref = refs[0];
	return 0;
}

int vsndfe_stream_open(struct vsndfe_stream *s, const struct vsndfe_pcm_params *p)
{
	struct xensnd_req req = { .operation = XENSND_OP_OPEN };
	uint32_t dir_ref;
	int r;

	if (!s || !p || check_params(p) < 0)
		return -EINVAL;
	if (s->card->broken)
		return -EPROTO;
	if (!s->card->connected)
		return -ENOTCONN;
	/* Whatever CLOSE answers, the old buffer is gone afterwards and the
	 * OPEN below reports a dead or broken backend by itself. */
	vsndfe_stream_close(s);
	/* Events still queued belong to the OPEN that ended (the backend
	 * sends none after CLOSE): take them, ids in lockstep, before the
	 * positions start again from 0. */
	r = vsndfe_stream_process_events(s);
	if (r == -EPROTO)
		return r;
	r = share_buffer(s, p->buffer_bytes, &dir_ref);
	if (r < 0)
		return r;
	req.op.open.pcm_rate = p->rate;
	req.op.open.pcm_format = p->format;
	req.op.open.pcm_channels = p->channels;
	req.op.open.buffer_sz = p->buffer_bytes;
	req.op.open.gref_directory = dir_ref;
	req.op.open.period_sz = p->period_bytes;
	/* Positions count from this OPEN (protocol.md 3.12), and so does
	 * Linux's period accounting (4.8). */
	s->stats.position_bytes = 0;
	s->stats.periods_elapsed = 0;
	s->period_last_frames = 0;
	s->period_acc = 0;
	r = fe_request(s, &req, NULL);
	if (r < 0) {
		fe_stream_release_buffer(s);
		return r;
	}
	s->params = *p;
	s->open = true;
	return 0;
}

static int rw_request(struct vsndfe_stream *s, uint8_t op, uint32_t offset, uint32_t length)
{
	struct xensnd_req req = { .operation = op };

	if (!s)
		return -EINVAL;
	if (!s->open)
		return s->card->broken ? -EPROTO : -EBADFD;
	if (offset > s->params.buffer_bytes || length > s->params.buffer_bytes - offset)
		return -EINVAL;
	req.op.rw.offset = offset;
	req.op.rw.length = length;
	return fe_request(s, &req, NULL);
}

int vsndfe_stream_write(struct vsndfe_stream *s, uint32_t offset, uint32_t length)
{
	return rw_request(s, XENSND_OP_WRITE, offset, length);
}

int vsndfe_stream_read(struct vsndfe_stream *s, uint32_t offset, uint32_t length)
{
	return rw_request(s, XENSND_OP_READ, offset, length);
}

int vsndfe_stream_trigger(struct vsndfe_stream *s, unsigned int type)
{
	struct xensnd_req req = { .operation = XENSND_OP_TRIGGER };

	if (!s || type > XENSND_OP_TRIGGER_RESUME)
		return -EINVAL;
	req.op.trigger.type = (uint8_t)type;
	return fe_request(s, &req, NULL);
}

int vsndfe_stream_query(struct vsndfe_stream *s, struct vsnd_hw_space *space)
{
	struct xensnd_req req = { .operation = XENSND_OP_HW_PARAM_QUERY };
	struct xensnd_query_hw_param wire;
	struct xensnd_resp rsp;
	struct vsnd_hw_space ans, out;
	uint64_t answered;
	int r;

	if (!s || !space)
		return -EINVAL;
	r = vsnd_hw_space_to_wire(space, &req.op.hw_param);
	if (r < 0)
		return r;
	answered = s->stats.requests;
	r = fe_request(s, &req, &rsp);
	if (s->stats.requests != answered)
		s->stats.queries++;
	if (r < 0)
		return r;
	memcpy(&wire, &rsp.resp.hw_param, sizeof(wire));
	if (vsnd_hw_space_from_wire(&wire, &ans) < 0)
		return fe_broken(s->card, s, "malformed HW_PARAM_QUERY answer");
	/* Intersect as Linux's hw rule does; an empty result fails the caller's
	 * configuration and leaves its space as it was. */
	out = *space;
	if (vsnd_mask_refine(&out.formats, ans.formats) < 0 ||
	    vsnd_interval_refine(&out.rates, &ans.rates) < 0 ||
	    vsnd_interval_refine(&out.channels, &ans.channels) < 0 ||
	    vsnd_interval_refine(&out.buffer_frames, &ans.buffer_frames) < 0 ||
	    vsnd_interval_refine(&out.period_frames, &ans.period_frames) < 0)
		return -EINVAL;
	*space = out;
	return 0;
}

/*
 * Send a volume or mute request whose values sit in the first octets of
 * the buffer: save the audio there, put @in (if any) in its place, send,
 * copy the backend's values to @out (if any), and put the audio back. The
 * backend touches the buffer only while serving a request, so the audio is
 * never seen in a wrong state.
 */
static int value_request(struct vsndfe_stream *s, uint8_t op, const int32_t *in, int32_t *out,
			 unsigned int n)
{
	struct xensnd_req req = { .operation = op };
	int32_t saved[VALUE_SLOTS_MAX];
	size_t len = (size_t)n * sizeof(int32_t);
	char *buf;
	int r;

	if (!s || n == 0 || n > VALUE_SLOTS_MAX)
		return -EINVAL;
	if (!s->open)
		return s->card->broken ? -EPROTO : -EBADFD;
	if (n != s->params.channels || len > s->params.buffer_bytes)
		return -EINVAL;
	buf = vsndfe_stream_buffer(s, NULL);
	memcpy(saved, buf, len);
	if (in)
		memcpy(buf, in, len);
	else
		memset(buf, 0, len);
	req.op.rw.offset = 0;
	req.op.rw.length = (uint32_t)len;
	r = fe_request(s, &req, NULL);
	if (r == 0 && out)
		memcpy(out, buf, len);
	memcpy(buf, saved, len);
	return r;
}

int vsndfe_stream_set_volume(struct vsndfe_stream *s, const int32_t *mdb, unsigned int n)
{
	if (!mdb)
		return -EINVAL;
	return value_request(s, XENSND_OP_SET_VOLUME, mdb, NULL, n);
}

int vsndfe_stream_get_volume(struct vsndfe_stream *s, int32_t *ret_mdb, unsigned int n)
{
	if (!ret_mdb)
		return -EINVAL;
	return value_request(s, XENSND_OP_GET_VOLUME, NULL, ret_mdb, n);
}

static int mute_request(struct vsndfe_stream *s, uint8_t op, const bool *channels, unsigned int n)
{
	int32_t slots[VALUE_SLOTS_MAX];

	if (!channels || n == 0 || n > VALUE_SLOTS_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		slots[i] = channels[i] ? 1 : 0;
	return value_request(s, op, slots, NULL, n);
}

int vsndfe_stream_mute(struct vsndfe_stream *s, const bool *channels, unsigned int n)
{
	return mute_request(s, XENSND_OP_MUTE, channels, n);
}

int vsndfe_stream_unmute(struct vsndfe_stream *s, const bool *channels, unsigned int n)
{
	return mute_request(s, XENSND_OP_UNMUTE, channels, n);
}
