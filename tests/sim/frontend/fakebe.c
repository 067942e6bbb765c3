// SPDX-License-Identifier: MIT
/*
 * fakebe.c - the child side of the scripted backend double of libvsndfront's
 * tests (see fakebe.h): one poll loop over the command socket, its XenStore
 * watch and its event-channel handle, so it reacts to the frontend without
 * ever sleeping. The parent side is fakebe-ctl.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fakebe-int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vsnd/pgdir.h"
#include "vsnd/request.h"
#include "xenif/xenif.h"

struct fb_stream {
	void *ring_page;
	struct xen_sndif_back_ring ring;
	struct xensnd_event_page *evt_page;
	uint32_t req_port, evt_port;	/* local */
	uint32_t *grefs;
	void *buf;
	uint32_t buf_pages;
	uint32_t buffer_bytes;
	enum fakebe_mode mode;
	int32_t mode_arg;
	uint32_t mode_count;
	bool query_set;
	struct xensnd_query_hw_param query;
	int32_t volume_answer[8];
	bool held;
	struct xensnd_resp held_rsp;
};

struct fb {
	const struct fakebe_config *cfg;
	struct xenif *x;
	struct xenif_evtchn *h;
	char fe[128], be[128];
	bool connected;
	bool ignore_close;
	bool need_fresh;	/* restarted: wait for the frontend to go below 3 */
	struct fb_stream st[FAKEBE_MAX_STREAMS];
	struct fakebe_info info;
};

static int xs_printf(struct fb *f, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int xs_printf(struct fb *f, const char *path, const char *fmt, ...)
{
	char v[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	return xenif_xs_write(f->x, XENIF_TX_NONE, path, v, strlen(v));
}

static void set_be_state(struct fb *f, int state)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/state", f->be);
	xs_printf(f, path, "%d", state);
	f->info.be_state = state;
}

/* A node as a u32; -1 when absent or malformed. */
static int64_t read_u32_tx(struct fb *f, xenif_tx_t tx, const char *path)
{
	char *v = NULL, *end;
	unsigned long n;

	if (xenif_xs_read(f->x, tx, path, &v, NULL) < 0)
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || !*v || *end || n > UINT32_MAX)
		n = (unsigned long)-1;
	free(v);
	return n == (unsigned long)-1 ? -1 : (int64_t)n;
}

static int64_t read_u32(struct fb *f, const char *path)
{
	return read_u32_tx(f, XENIF_TX_NONE, path);
}

static int64_t read_stream_node_tx(struct fb *f, xenif_tx_t tx, unsigned int i,
				   const char *key)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s/%s", f->fe, f->cfg->stream_dirs[i], key);
	return read_u32_tx(f, tx, path);
}

static int64_t read_stream_node(struct fb *f, unsigned int i, const char *key)
{
	return read_stream_node_tx(f, XENIF_TX_NONE, i, key);
}

static const char *const transport_keys[] = {
	"ring-ref", "event-channel", "evt-ring-ref", "evt-event-channel",
};

/* Before the first connection, the transport nodes must appear all at
 * once (one transaction): never some of them without the others. */
static void check_partial(struct fb *f)
{
	unsigned int present, total;
	xenif_tx_t tx;
	int r;

	if (f->info.connections > 0)
		return;
	/* Read inside a transaction: a commit that succeeds proves no node
	 * changed between the reads, so the snapshot is consistent. */
	do {
		present = total = 0;
		if (xenif_xs_transaction_start(f->x, &tx) < 0)
			return;
		for (unsigned int i = 0; i < f->cfg->n_streams; i++)
			for (unsigned int k = 0; k < 4; k++, total++)
				present += read_stream_node_tx(f, tx, i, transport_keys[k]) >= 0;
		r = xenif_xs_transaction_end(f->x, tx, false);
	} while (r == -EAGAIN);
	if (r == 0 && present && present != total)
		f->info.partial_seen = true;
}

static void unmap_buffer(struct fb *f, struct fb_stream *s)
{
	if (s->buf)
		xenif_gnt_unmap(f->x, s->buf, s->buf_pages);
	free(s->grefs);
	s->grefs = NULL;
	s->buf = NULL;
	s->buf_pages = 0;
}

static void teardown(struct fb *f)
{
	for (unsigned int i = 0; i < f->cfg->n_streams; i++) {
		struct fb_stream *s = &f->st[i];

		unmap_buffer(f, s);
		f->info.s[i].buffer_mapped = false;
		if (s->ring_page)
			xenif_gnt_unmap(f->x, s->ring_page, 1);
		if (s->evt_page)
			xenif_gnt_unmap(f->x, s->evt_page, 1);
		s->ring_page = NULL;
		s->evt_page = NULL;
		s->held = false;
	}
	f->h = xenif_evtchn_close(f->h);
	f->connected = false;
}

static int connect_stream(struct fb *f, unsigned int i)
{
	struct fb_stream *s = &f->st[i];
	struct fakebe_stream_info *si = &f->info.s[i];
	int64_t v[4];
	int r;

	for (unsigned int k = 0; k < 4; k++) {
		v[k] = read_stream_node(f, i, transport_keys[k]);
		if (v[k] <= 0)
			return -ENOENT;
	}
	si->ring_ref = (uint32_t)v[0];
	si->req_port = (uint32_t)v[1];
	si->evt_ref = (uint32_t)v[2];
	si->evt_port = (uint32_t)v[3];
	r = xenif_gnt_map(f->x, f->cfg->guest, &si->ring_ref, 1, true, &s->ring_page);
	if (r < 0)
		return r;
	r = xenif_gnt_map(f->x, f->cfg->guest, &si->evt_ref, 1, true, (void **)&s->evt_page);
	if (r < 0)
		return r;
	r = xenif_evtchn_bind_interdomain(f->h, f->cfg->guest, si->req_port);
	if (r < 0)
		return r;
	s->req_port = (uint32_t)r;
	r = xenif_evtchn_bind_interdomain(f->h, f->cfg->guest, si->evt_port);
	if (r < 0)
		return r;
	s->evt_port = (uint32_t)r;
	BACK_RING_INIT(&s->ring, (struct xen_sndif_sring *)s->ring_page, VSND_PAGE_SIZE);
	si->ring_init_ok = s->ring.sring->req_event == 1 && s->ring.sring->rsp_event == 1 &&
			   s->ring.sring->req_prod == 0 && s->ring.sring->rsp_prod == 0;
	si->evt_id_next = 0;
	return 0;
}

static void do_connect(struct fb *f)
{
	char path[160], *v = NULL;
	int r = xenif_evtchn_open(f->x, &f->h);

	for (unsigned int i = 0; i < f->cfg->n_streams && r >= 0; i++)
		r = connect_stream(f, i);
	f->info.connect_err = r < 0 ? r : 0;
	if (r < 0) {
		teardown(f);
		set_be_state(f, 5);
		return;
	}
	snprintf(path, sizeof(path), "%s/version", f->fe);
	f->info.version[0] = '\0';
	if (xenif_xs_read(f->x, XENIF_TX_NONE, path, &v, NULL) == 0)
		snprintf(f->info.version, sizeof(f->info.version), "%s", v);
	free(v);
	f->connected = true;
	f->info.connections++;
	set_be_state(f, 4);
}

/* The double's XenBus reactions (a simplified protocol.md 2.4). */
static void on_xs(struct fb *f)
{
	char path[160], *wp, *wt;
	int64_t fe;
	int be = f->info.be_state;

	while (xenif_xs_read_watch(f->x, &wp, &wt) == 0) {
		free(wp);
		free(wt);
	}
	snprintf(path, sizeof(path), "%s/state", f->fe);
	fe = read_u32(f, path);
	f->info.fe_state = (int)fe;
	if (fe >= 0 && fe < 32)
		f->info.fe_states_seen |= 1u << fe;
	if (fe < 3) {
		check_partial(f);
		f->need_fresh = false;
	}
	if ((fe == 3 || fe == 4) && be == 2 && !f->connected && !f->need_fresh)
		do_connect(f);
	else if (fe == 5 && (be == 2 || be == 4) && !f->ignore_close) {
		teardown(f);
		set_be_state(f, 5);
	} else if (fe == 6 && be != 6 && !f->ignore_close) {
		teardown(f);
		set_be_state(f, 6);
	} else if (fe == 1 && (be == 4 || be == 5 || be == 6)) {
		teardown(f);
		set_be_state(f, 2);
	}
}

static void push_response(struct fb *f, struct fb_stream *s, const struct xensnd_resp *rsp)
{
	struct xensnd_resp *slot = RING_GET_RESPONSE(&s->ring, s->ring.rsp_prod_pvt);
	int notify;

	memcpy(slot, rsp, sizeof(*slot));
	s->ring.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&s->ring, notify);
	if (notify)
		xenif_evtchn_notify(f->h, s->req_port);
}

struct walk_ctx {
	struct fb *f;
	uint32_t remaining;
	uint32_t mapped;
	bool ok;
};

/* Map each directory page writable (the frontend must grant it so) and
 * check what the walk does not: zero tails and a 0 next on the last page. */
static int walk_map(void *ctx, uint32_t gref, const void **ret_page)
{
	struct walk_ctx *w = ctx;
	const uint32_t *p;
	void *page;
	uint32_t used;
	int r;

	r = xenif_gnt_map(w->f->x, w->f->cfg->guest, &gref, 1, true, &page);
	if (r < 0) {
		w->ok = false;
		return r;
	}
	p = page;
	used = w->remaining < VSND_PGDIR_ENTRIES ? w->remaining : VSND_PGDIR_ENTRIES;
	for (uint32_t k = used; k < VSND_PGDIR_ENTRIES; k++)
		if (p[1 + k] != 0)
			w->ok = false;
	if (w->remaining <= VSND_PGDIR_ENTRIES && p[0] != 0)
		w->ok = false;
	w->remaining -= used;
	w->mapped++;
	*ret_page = page;
	return 0;
}

static void walk_unmap(void *ctx, const void *page)
{
	struct walk_ctx *w = ctx;

	xenif_gnt_unmap(w->f->x, (void *)page, 1);
}

static int do_open(struct fb *f, unsigned int i, const struct xensnd_req *req)
{
	static const struct vsnd_pgdir_ops ops = { .map = walk_map, .unmap = walk_unmap };
	struct fb_stream *s = &f->st[i];
	struct fakebe_stream_info *si = &f->info.s[i];
	struct walk_ctx w = { .f = f, .ok = true };
	uint32_t pages, dirs;
	int n, r;

	if (s->buf)
		si->implicit_closes++;
	unmap_buffer(f, s);
	si->buffer_mapped = false;
	si->open_buffer_bytes = req->op.open.buffer_sz;
	r = vsnd_pgdir_size(req->op.open.buffer_sz, &pages, &dirs);
	if (r < 0)
		return r;
	w.remaining = pages;
	s->grefs = calloc(pages, sizeof(uint32_t));
	if (!s->grefs)
		return -ENOMEM;
	n = vsnd_pgdir_walk(req->op.open.gref_directory, req->op.open.buffer_sz,
			    VSND_BUFFER_BYTES_HARD_MAX, &ops, &w, s->grefs, pages);
	si->open_dir_pages = w.mapped;
	si->open_dir_ok = w.ok && w.mapped == dirs;
	if (n < 0)
		return n;
	si->open_pages = (uint32_t)n;
	r = xenif_gnt_map(f->x, f->cfg->guest, s->grefs, (uint32_t)n, true, &s->buf);
	if (r < 0)
		return r;
	s->buf_pages = (uint32_t)n;
	s->buffer_bytes = req->op.open.buffer_sz;
	si->buffer_mapped = true;
	return 0;
}

static int do_close(struct fb *f, unsigned int i)
{
	struct fb_stream *s = &f->st[i];
	struct fakebe_stream_info *si = &f->info.s[i];
	void *probe;

	si->closes++;
	si->close_buffer_granted = false;
	/* Still granted means the frontend sent CLOSE before revoking. */
	if (s->grefs && xenif_gnt_map(f->x, f->cfg->guest, s->grefs, 1, false, &probe) == 0) {
		si->close_buffer_granted = true;
		xenif_gnt_unmap(f->x, probe, 1);
	}
	unmap_buffer(f, s);
	si->buffer_mapped = false;
	return 0;
}

static bool in_buffer(const struct fb_stream *s, uint32_t off, uint32_t len)
{
	return s->buf && off <= s->buffer_bytes && len <= s->buffer_bytes - off;
}

static int do_values(struct fb *f, unsigned int i, const struct xensnd_req *req)
{
	struct fb_stream *s = &f->st[i];
	struct fakebe_stream_info *si = &f->info.s[i];
	uint32_t off = req->op.rw.offset, len = req->op.rw.length, n = len / 4;
	int32_t *v = (int32_t *)((char *)s->buf + off);

	if (!in_buffer(s, off, len) || len % 4 || n > 8)
		return -EINVAL;
	switch (req->operation) {
	case XENSND_OP_SET_VOLUME:
		memcpy(si->volume, v, len);
		si->n_volume = n;
		break;
	case XENSND_OP_GET_VOLUME:
		memcpy(v, s->volume_answer, len);
		break;
	default:
		memcpy(si->mute, v, len);
		si->n_mute = n;
		si->mute_op = req->operation;
		break;
	}
	return 0;
}

/* What a well-behaved backend does with the request; the status. */
static int serve(struct fb *f, unsigned int i, const struct xensnd_req *req,
		 struct xensnd_resp *rsp)
{
	struct fb_stream *s = &f->st[i];
	struct fakebe_stream_info *si = &f->info.s[i];
	uint32_t off = req->op.rw.offset, len = req->op.rw.length;

	switch (req->operation) {
	case XENSND_OP_OPEN:
		si->open_err = do_open(f, i, req);
		return si->open_err;
	case XENSND_OP_CLOSE:
		return do_close(f, i);
	case XENSND_OP_WRITE:
		if (!in_buffer(s, off, len))
			return -EINVAL;
		si->write_off = off;
		si->write_len = len;
		si->write_hash = fakebe_hash((char *)s->buf + off, len);
		return 0;
	case XENSND_OP_READ:
		if (!in_buffer(s, off, len))
			return -EINVAL;
		for (uint32_t k = 0; k < len; k++)
			((uint8_t *)s->buf)[off + k] = fakebe_pattern(off + k);
		si->read_off = off;
		si->read_len = len;
		return 0;
	case XENSND_OP_TRIGGER:
		si->last_trigger = req->op.trigger.type;
		return 0;
	case XENSND_OP_HW_PARAM_QUERY:
		si->last_query = req->op.hw_param;
		rsp->resp.hw_param = s->query_set ? s->query : req->op.hw_param;
		return 0;
	case XENSND_OP_SET_VOLUME:
	case XENSND_OP_GET_VOLUME:
	case XENSND_OP_MUTE:
	case XENSND_OP_UNMUTE:
		return do_values(f, i, req);
	default:
		return -ENOSYS;
	}
}

static void answer(struct fb *f, unsigned int i, const struct xensnd_req *req)
{
	struct fb_stream *s = &f->st[i];
	struct xensnd_resp rsp, stray;
	enum fakebe_mode mode = s->mode_count ? s->mode : FAKEBE_NORMAL;
	int err;

	memset(&rsp, 0, sizeof(rsp));
	rsp.id = req->id;
	rsp.operation = req->operation;
	err = serve(f, i, req, &rsp);
	rsp.status = err;
	if (s->mode_count)
		s->mode_count--;
	if (s->held) {
		push_response(f, s, &s->held_rsp);
		s->held = false;
	}
	switch (mode) {
	case FAKEBE_WRONG_ID:
		rsp.id = (uint16_t)(req->id + 0x100);
		break;
	case FAKEBE_WRONG_ID_THEN_RIGHT:
		stray = rsp;
		stray.id = (uint16_t)(req->id - 1);
		push_response(f, s, &stray);
		break;
	case FAKEBE_WRONG_OP:
		rsp.operation = req->operation == XENSND_OP_TRIGGER ? XENSND_OP_CLOSE :
								      XENSND_OP_TRIGGER;
		break;
	case FAKEBE_STATUS:
		rsp.status = s->mode_arg;
		break;
	case FAKEBE_NO_ANSWER:
		return;
	case FAKEBE_LATE:
		s->held_rsp = rsp;
		s->held = true;
		return;
	default:
		break;
	}
	if (mode == FAKEBE_PROD_OVERFLOW) {
		memcpy(RING_GET_RESPONSE(&s->ring, s->ring.rsp_prod_pvt), &rsp, sizeof(rsp));
		s->ring.rsp_prod_pvt += 40;
		xen_wmb();
		s->ring.sring->rsp_prod = s->ring.rsp_prod_pvt;
		xenif_evtchn_notify(f->h, s->req_port);
		return;
	}
	push_response(f, s, &rsp);
}

static void serve_ring(struct fb *f, unsigned int i)
{
	struct fb_stream *s = &f->st[i];
	struct fakebe_stream_info *si = &f->info.s[i];
	int more;

	do {
		RING_IDX prod = s->ring.sring->req_prod;

		xen_rmb();
		while (s->ring.req_cons != prod) {
			struct xensnd_req req;

			RING_COPY_REQUEST(&s->ring, s->ring.req_cons, &req);
			s->ring.req_cons++;
			si->requests++;
			si->op_count[req.operation & 15]++;
			si->last_req = req;
			answer(f, i, &req);
		}
		RING_FINAL_CHECK_FOR_REQUESTS(&s->ring, more);
	} while (more);
}

static void on_evtchn(struct fb *f)
{
	int port;

	while (f->h && (port = xenif_evtchn_pending(f->h)) > 0) {
		xenif_evtchn_unmask(f->h, (uint32_t)port);
		for (unsigned int i = 0; i < f->cfg->n_streams; i++)
			if (f->connected && f->st[i].req_port == (uint32_t)port)
				serve_ring(f, i);
	}
}

static void produce_events(struct fb *f, unsigned int i, const struct fb_cmd *c)
{
	struct fb_stream *s = &f->st[i];
	struct fakebe_stream_info *si = &f->info.s[i];
	struct xensnd_event_page *page = s->evt_page;
	uint32_t prod = page->in_prod;
	uint16_t id = si->evt_id_next;

	if (c->d & FAKEBE_EVT_SKIP_ID)
		id++;
	if (c->d & FAKEBE_EVT_DUP_ID)
		id--;
	for (int64_t k = 0; k < c->a; k++, prod++, id++) {
		struct xensnd_evt *evt = &XENSND_IN_RING_REF(page, prod);

		memset(evt, 0, sizeof(*evt));
		evt->id = id;
		evt->type = XENSND_EVT_CUR_POS;
		evt->op.cur_pos.position = (uint64_t)(c->b + k * c->c);
	}
	si->evt_id_next = id;
	if (c->d & FAKEBE_EVT_OVERFLOW)
		prod = page->in_cons + 64;
	xen_wmb(); /* the slots before the index */
	page->in_prod = prod;
	xen_wmb();
	xenif_evtchn_notify(f->h, s->evt_port);
}

/* Handle one command; false when the double should quit. */
static bool on_cmd(struct fb *f, const struct fb_cmd *c)
{
	struct fb_stream *s = &f->st[c->stream % FAKEBE_MAX_STREAMS];

	switch (c->op) {
	case FB_QUIT:
		return false;
	case FB_MODE:
		s->mode = (enum fakebe_mode)c->a;
		s->mode_arg = (int32_t)c->b;
		s->mode_count = (uint32_t)c->c;
		break;
	case FB_QUERY_ANSWER:
		s->query = c->hw;
		s->query_set = true;
		break;
	case FB_VOLUME_ANSWER:
		memcpy(s->volume_answer, c->values, sizeof(s->volume_answer));
		break;
	case FB_EVENTS:
		if (f->connected)
			produce_events(f, c->stream, c);
		break;
	case FB_SET_STATE:
		set_be_state(f, (int)c->a);
		break;
	case FB_RESTART:
		teardown(f);
		f->need_fresh = true;
		set_be_state(f, 2);
		break;
	case FB_IGNORE_CLOSE:
		f->ignore_close = c->a != 0;
		break;
	case FB_INFO:
		break;
	}
	return true;
}

static int child_setup(struct fb *f)
{
	char path[160];
	int r;

	snprintf(f->fe, sizeof(f->fe), "/local/domain/%u/device/vsnd/%u", f->cfg->guest,
		 f->cfg->devid);
	snprintf(f->be, sizeof(f->be), "/local/domain/0/backend/vsnd/%u/%u", f->cfg->guest,
		 f->cfg->devid);
	f->info.n_streams = f->cfg->n_streams;
	f->info.be_state = 1;
	r = xenif_open(f->cfg->spec, 0, &f->x);
	if (r < 0)
		return r;
	r = xenif_xs_watch(f->x, f->fe, "fe");
	if (r < 0)
		return r;
	if (!f->cfg->no_versions) {
		snprintf(path, sizeof(path), "%s/versions", f->be);
		xs_printf(f, path, "2");
	}
	if (!f->cfg->no_initwait)
		set_be_state(f, 2);
	return 0;
}

_Noreturn void fakebe_child_main(const struct fakebe_config *cfg, int sock)
{
	static struct fb f;
	struct fb_cmd c;
	bool run = true;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	f.cfg = cfg;
	if (child_setup(&f) < 0)
		_exit(3);
	while (run) {
		struct pollfd p[3] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = xenif_xs_fd(f.x), .events = POLLIN },
			{ .fd = f.h ? xenif_evtchn_fd(f.h) : -1, .events = POLLIN },
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(4);
		}
		if (p[2].revents)
			on_evtchn(&f);
		if (p[1].revents)
			on_xs(&f);
		if (p[0].revents) {
			ssize_t n = recv(sock, &c, sizeof(c), 0);

			if (n != (ssize_t)sizeof(c))
				_exit(n == 0 ? 0 : 5);
			run = on_cmd(&f, &c);
			if (send(sock, &f.info, sizeof(f.info), 0) != (ssize_t)sizeof(f.info))
				_exit(6);
		}
	}
	teardown(&f);
	for (unsigned int i = 0; i < cfg->n_streams; i++)
		free(f.st[i].grefs);
	xenif_close(f.x);
	_exit(0);
}

