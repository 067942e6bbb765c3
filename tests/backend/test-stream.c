// SPDX-License-Identifier: MIT
/*
 * test-stream.c - the stream and device layers (backend/stream.c,
 * backend/vsnd-dev.c) under sndbe_xenbus, against libvsndfront guests
 * through xensimd.
 *
 * The backend runs in the test process: sndbe_xenbus over the real device
 * layer, with "file:" host devices in a temporary directory, served by a
 * poll loop over the XenStore fd and sndbe_dev_fds(). The guest is
 * libvsndfront in a forked child driven over a pipe (a command struct, an
 * answer struct) so that the parent keeps serving while the child's calls
 * block. Requests libvsndfront cannot send (an unknown operation, OPEN
 * without CLOSE) go straight to sndbe_stream_handle() of a stream built on
 * plain memory, with a buffer shared by a guest context of its own.
 * Every wait is on fds with a generous bound, never on time passing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetree.h"
#include "shbuf.h"
#include "simd.h"
#include "stream.h"
#include "util.h"
#include "vsnd-dev.h"
#include "vsnd/format.h"
#include "vsnd/pgdir.h"
#include "vsndfront.h"
#include "vtest.h"
#include "xenbus.h"
#include "xenif/xenif.h"

#define WAIT_MS 20000
#define GUEST 5u
#define MAX_FDS 64

#define RATE 48000u
#define CHANNELS 2u
#define FRAME 4u
#define BUFFER 16384u
#define PERIOD 4096u

/* ---- the rig: xensimd, sndbe_xenbus and the device layer ---------------- */

struct rig {
	struct vtest_simd sim;
	struct xenif *x;
	struct xenif *ts;
	struct sndbe_xenbus *xb;
	struct sndbe_dev_layer l;
	char dir[128];
	char spec[256];
	char wav[256];
};

static void rig_begin(struct rig *rig, const char *type)
{
	struct fetree t = {
		.guest = GUEST,
		.n_streams = 1,
		.s = { { 0, 0, type } },
	};

	memset(rig, 0, sizeof(*rig));
	snprintf(rig->dir, sizeof(rig->dir), "/tmp/test-stream-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(rig->dir));
	snprintf(rig->spec, sizeof(rig->spec), "file:%s/dom%%u-%%u-%%u.wav", rig->dir);
	snprintf(rig->wav, sizeof(rig->wav), "%s/dom%u-0-0.wav", rig->dir, GUEST);
	vtest_simd_start(&rig->sim);
	ASSERT_OK(xenif_open(rig->sim.spec, 0, &rig->x));
	ASSERT_OK(xenif_open(rig->sim.spec, 0, &rig->ts));
	rig->l.x = rig->x;
	rig->l.spec = rig->spec;
	ASSERT_OK(sndbe_xenbus_new(rig->x, &sndbe_dev_ops, &rig->l, &rig->xb));
	vtest_simd_domain_create(&rig->sim, GUEST, "guest5");
	ASSERT_OK(fetree_write(rig->ts, &t));
}

static void rig_end(struct rig *rig)
{
	rig->xb = sndbe_xenbus_free(rig->xb);
	ASSERT_EQ(rig->l.n_devs, 0);
	rig->ts = xenif_close(rig->ts);
	rig->x = xenif_close(rig->x);
	vtest_simd_stop(&rig->sim);
	unlink(rig->wav);
	rmdir(rig->dir);
}

/* One loop turn; return whether @extra_fd became readable. */
static bool rig_turn(struct rig *rig, int extra_fd, int ms)
{
	struct pollfd p[MAX_FDS];
	unsigned int n = 0;
	bool extra = false;
	int k;

	p[n++] = (struct pollfd){ .fd = sndbe_xenbus_fd(rig->xb), .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
	k = sndbe_dev_fds(&rig->l, p + n, MAX_FDS - n);
	ASSERT_GE(k, 0);
	n += (unsigned int)k;
	if (poll(p, n, ms) < 0)
		return false;
	if (p[1].revents & (POLLIN | POLLHUP))
		extra = true;
	ASSERT_OK(sndbe_xenbus_process(rig->xb));
	for (unsigned int i = 2; i < n; i++)
		if (p[i].revents)
			sndbe_dev_process(&rig->l, p[i].fd, p[i].revents);
	return extra;
}

/* Mappings of guest pages in this process (xenif G6: "dom<N>-gref<R>"). */
static int gref_maps(uint32_t domid)
{
	char line[512], needle[32];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	ASSERT_NOT_NULL(f);
	snprintf(needle, sizeof(needle), "/memfd:dom%u-gref", domid);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/* The test pattern: byte @i of the stream's data. */
static uint8_t pat(uint32_t seed, uint32_t i)
{
	return (uint8_t)(i * 7u + seed + (i >> 8) * 13u);
}

/* ---- the guest in a child ----------------------------------------------- */

struct gcmd {
	char op;
	uint32_t a[5];
};

struct gans {
	int32_t r;
	uint64_t v;
};

struct guest {
	pid_t pid;
	int cmd;
	int ans;
};

struct gstate {
	struct vsndfe_card *card;
	struct vsndfe_stream *s;
};

/* Consume events until the position reaches @pos; return the events seen. */
static int guest_wait_pos(struct gstate *g, uint64_t pos, uint64_t *ret_pos)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	struct vsndfe_stream_stats st;
	int r;

	for (;;) {
		struct pollfd p = { .fd = vsndfe_stream_evt_fd(g->s), .events = POLLIN };

		r = vsndfe_stream_process_events(g->s);
		if (r < 0)
			return r;
		vsndfe_stream_stats(g->s, &st);
		*ret_pos = st.position_bytes;
		if (st.position_bytes >= pos)
			return (int)st.events;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		poll(&p, 1, 500);
	}
}

static int guest_write(struct gstate *g, const struct gcmd *c)
{
	uint32_t size;
	uint8_t *buf = vsndfe_stream_buffer(g->s, &size);

	if (!buf || c->a[0] + c->a[1] > size)
		return -EINVAL;
	for (uint32_t i = 0; i < c->a[1]; i++)
		buf[c->a[0] + i] = pat(c->a[2], c->a[3] + i);
	return vsndfe_stream_write(g->s, c->a[0], c->a[1]);
}

static int guest_read(struct gstate *g, const struct gcmd *c)
{
	uint32_t size;
	uint8_t *buf;
	int r;

	r = vsndfe_stream_read(g->s, c->a[0], c->a[1]);
	if (r < 0)
		return r;
	buf = vsndfe_stream_buffer(g->s, &size);
	for (uint32_t i = 0; i < c->a[1]; i++)
		if (buf[c->a[0] + i] != pat(c->a[2], c->a[3] + i))
			return -EILSEQ;
	return 0;
}

static int guest_query(struct gstate *g, uint64_t *v)
{
	struct vsnd_hw_space sp;
	int r;

	memset(&sp, 0, sizeof(sp));
	sp.formats =
		VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE) | VSND_FORMAT_BIT(XENSND_PCM_FORMAT_U8);
	vsnd_interval_set(&sp.rates, 8000, 96000);
	vsnd_interval_set(&sp.channels, 1, 8);
	vsnd_interval_set(&sp.buffer_frames, 64, 65536);
	vsnd_interval_set(&sp.period_frames, 32, 32768);
	r = vsndfe_stream_query(g->s, &sp);
	*v = (uint64_t)sp.rates.min << 32 | sp.rates.max;
	if (r >= 0 &&
	    (sp.channels.max != 2 || sp.formats != VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE)))
		r = -EDOM;
	return r;
}

static int guest_do(struct gstate *g, const struct vsndfe_options *opt, const struct gcmd *c,
		    uint64_t *v)
{
	struct vsndfe_pcm_params p = { c->a[0], (uint8_t)c->a[1], (uint8_t)c->a[2], c->a[3],
				       c->a[4] };
	int32_t mdb[2] = { (int32_t)c->a[0], (int32_t)c->a[0] };
	int r;

	switch (c->op) {
	case 'o':
		r = vsndfe_card_open(opt, &g->card);
		g->s = r < 0 ? NULL : vsndfe_card_stream(g->card, 0);
		return r;
	case 'O':
		return vsndfe_stream_open(g->s, &p);
	case 'w':
		return guest_write(g, c);
	case 'r':
		return guest_read(g, c);
	case 't':
		return vsndfe_stream_trigger(g->s, c->a[0]);
	case 'e':
		return guest_wait_pos(g, c->a[0], v);
	case 'v':
		return vsndfe_stream_set_volume(g->s, mdb, 2);
	case 'q':
		return guest_query(g, v);
	case 'c':
		return vsndfe_stream_close(g->s);
	case 'C':
		g->card = vsndfe_card_close(g->card);
		g->s = NULL;
		return 0;
	default:
		return -EINVAL;
	}
}

static _Noreturn void guest_main(const char *spec, int cmd, int ans)
{
	struct vsndfe_options opt = {
		.xen = spec,
		.domid = GUEST,
		.connect_timeout_ms = WAIT_MS,
	};
	struct gstate g = { 0 };
	struct gcmd c;

	while (read(cmd, &c, sizeof(c)) == sizeof(c) && c.op != 'x') {
		struct gans a = { 0 };

		a.r = guest_do(&g, &opt, &c, &a.v);
		if (write(ans, &a, sizeof(a)) != sizeof(a))
			break;
	}
	_exit(0);
}

static void guest_start(struct rig *rig, struct guest *g)
{
	int cmd[2], ans[2];

	ASSERT_OK(pipe2(cmd, O_CLOEXEC));
	ASSERT_OK(pipe2(ans, O_CLOEXEC));
	g->pid = fork();
	ASSERT_GE(g->pid, 0);
	if (g->pid == 0) {
		close(cmd[1]);
		close(ans[0]);
		guest_main(rig->sim.spec, cmd[0], ans[1]);
	}
	close(cmd[0]);
	close(ans[1]);
	g->cmd = cmd[1];
	g->ans = ans[0];
}

/* Send one command and keep the backend serving until the answer. */
static int gcall(struct rig *rig, struct guest *g, uint64_t *v, char op, uint32_t a0, uint32_t a1,
		 uint32_t a2, uint32_t a3, uint32_t a4)
{
	struct gcmd c = { op, { a0, a1, a2, a3, a4 } };
	uint64_t deadline = now_ms() + WAIT_MS;
	struct gans a;

	ASSERT_EQ(write(g->cmd, &c, sizeof(c)), (ssize_t)sizeof(c));
	while (!rig_turn(rig, g->ans, 1000))
		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "the guest never answered '%c'", op);
	ASSERT_EQ(read(g->ans, &a, sizeof(a)), (ssize_t)sizeof(a));
	if (v)
		*v = a.v;
	return a.r;
}

#define G(rig, g, op, ...) gcall(rig, g, NULL, op, __VA_ARGS__)

static void guest_stop(struct guest *g)
{
	ASSERT_EQ(write(g->cmd, "x", 1), 1);
	close(g->cmd);
	close(g->ans);
	ASSERT_EQ(waitpid(g->pid, NULL, 0), g->pid);
}

/* Rig, guest, connected card. */
static void up(struct rig *rig, struct guest *g, const char *type)
{
	rig_begin(rig, type);
	guest_start(rig, g);
	ASSERT_OK(G(rig, g, 'o', 0, 0, 0, 0, 0));
}

static void open_s16(struct rig *rig, struct guest *g)
{
	ASSERT_OK(G(rig, g, 'O', RATE, XENSND_PCM_FORMAT_S16_LE, CHANNELS, BUFFER, PERIOD));
}

/* The data chunk of a WAV file, malloc'ed. */
static uint8_t *wav_data(const char *path, uint32_t *ret_len)
{
	static uint8_t file[1 << 20];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	n = read(fd, file, sizeof(file));
	close(fd);
	ASSERT_GE(n, 12);
	for (size_t off = 12; off + 8 <= (size_t)n;) {
		uint32_t len = file[off + 4] | file[off + 5] << 8 | file[off + 6] << 16 |
			       (uint32_t)file[off + 7] << 24;

		if (!memcmp(file + off, "data", 4)) {
			uint8_t *d = malloc(len ? len : 1);

			ASSERT_TRUE(off + 8 + len <= (size_t)n);
			memcpy(d, file + off + 8, len);
			*ret_len = len;
			return d;
		}
		off += 8 + len + (len & 1);
	}
	vtest_fail(__FILE__, __LINE__, "no data chunk in %s", path);
	return NULL;
}

/* Play @bytes of pattern @seed at volume @mdb; return the WAV's data. */
static uint8_t *play(struct rig *rig, struct guest *g, int32_t mdb, uint32_t seed,
		     uint32_t *ret_len)
{
	uint64_t pos = 0;
	int events;

	open_s16(rig, g);
	ASSERT_OK(G(rig, g, 'v', (uint32_t)mdb, 0, 0, 0, 0));
	ASSERT_OK(G(rig, g, 'w', 0, BUFFER, seed, 0, 0));
	ASSERT_OK(G(rig, g, 't', XENSND_OP_TRIGGER_START, 0, 0, 0, 0));
	events = gcall(rig, g, &pos, 'e', BUFFER, 0, 0, 0, 0);
	ASSERT_GE(events, 0);
	ASSERT_EQ(pos, BUFFER);
	/* More than one event per period (protocol.md 4.11). */
	ASSERT_GT(events, (int)(BUFFER / PERIOD));
	ASSERT_OK(G(rig, g, 't', XENSND_OP_TRIGGER_STOP, 0, 0, 0, 0));
	ASSERT_OK(G(rig, g, 'c', 0, 0, 0, 0, 0));
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 0);
	return wav_data(rig->wav, ret_len);
}

/* ---- tests over xensimd ------------------------------------------------- */

TEST_TIMEOUT(playback_bit_exact, 120)
{
	struct rig rig;
	struct guest g;
	uint8_t *d;
	uint32_t len;

	up(&rig, &g, "p");
	d = play(&rig, &g, 0, 3, &len);
	ASSERT_EQ(len, BUFFER);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != pat(3, i))
			vtest_fail(__FILE__, __LINE__, "byte %u: %u != %u", i, d[i], pat(3, i));
	free(d);
	G(&rig, &g, 'C', 0, 0, 0, 0, 0);
	guest_stop(&g);
	rig_end(&rig);
}

TEST_TIMEOUT(volume_minus_6db, 120)
{
	struct rig rig;
	struct guest g;
	uint32_t len, same = 0;
	uint8_t *d;

	up(&rig, &g, "p");
	d = play(&rig, &g, -6000, 5, &len);
	ASSERT_EQ(len, BUFFER);
	for (uint32_t i = 0; i < len; i += 2) {
		int16_t in = (int16_t)(pat(5, i) | pat(5, i + 1) << 8);
		int16_t out = (int16_t)(d[i] | d[i + 1] << 8);

		same += in == out;
		/* -6 dB is a gain of 0.501: about half, rounding aside. */
		ASSERT_LE(100 * abs(out), 51 * abs(in) + 100);
		ASSERT_GE(100 * abs(out), 49 * abs(in) - 100);
	}
	ASSERT_LT(same, len / 2 / 8);
	free(d);
	G(&rig, &g, 'C', 0, 0, 0, 0, 0);
	guest_stop(&g);
	rig_end(&rig);
}

TEST_TIMEOUT(query_narrows, 120)
{
	struct rig rig;
	struct guest g;
	uint64_t v = 0;

	up(&rig, &g, "p");
	/* fetree: rates 44100,48000, channels 1..2, s16_le and s32_le. */
	ASSERT_OK(gcall(&rig, &g, &v, 'q', 0, 0, 0, 0, 0));
	ASSERT_EQ(v >> 32, 44100);
	ASSERT_EQ(v & 0xffffffffu, 48000);
	G(&rig, &g, 'C', 0, 0, 0, 0, 0);
	guest_stop(&g);
	rig_end(&rig);
}

TEST_TIMEOUT(start_after_pause_realigns, 120)
{
	struct rig rig;
	struct guest g;
	uint64_t pos = 0;

	up(&rig, &g, "p");
	open_s16(&rig, &g);
	ASSERT_OK(G(&rig, &g, 'w', 0, BUFFER / 2, 1, 0, 0));
	ASSERT_OK(G(&rig, &g, 't', XENSND_OP_TRIGGER_START, 0, 0, 0, 0));
	ASSERT_GE(gcall(&rig, &g, &pos, 'e', BUFFER / 2, 0, 0, 0, 0), 0);
	ASSERT_EQ(pos, BUFFER / 2);
	ASSERT_OK(G(&rig, &g, 't', XENSND_OP_TRIGGER_PAUSE, 0, 0, 0, 0));
	/* PAUSE twice is harmless; RESUME from PAUSED is not what Linux sends. */
	ASSERT_OK(G(&rig, &g, 't', XENSND_OP_TRIGGER_PAUSE, 0, 0, 0, 0));
	ASSERT_OK(G(&rig, &g, 'w', 0, BUFFER / 2, 1, BUFFER / 2, 0));
	ASSERT_OK(G(&rig, &g, 't', XENSND_OP_TRIGGER_START, 0, 0, 0, 0));
	/* Realigned to the next buffer multiple, then half a buffer more. */
	ASSERT_GE(gcall(&rig, &g, &pos, 'e', BUFFER + BUFFER / 2, 0, 0, 0, 0), 0);
	ASSERT_EQ(pos, BUFFER + BUFFER / 2);
	ASSERT_ERR(G(&rig, &g, 't', XENSND_OP_TRIGGER_START, 0, 0, 0, 0), EINVAL);
	G(&rig, &g, 'C', 0, 0, 0, 0, 0);
	guest_stop(&g);
	rig_end(&rig);
}

static void write_wav(const char *path, uint32_t seed, uint32_t bytes)
{
	uint8_t h[44] = "RIFF....WAVEfmt ";
	uint8_t *d = malloc(bytes);
	int fd;

#define P32(o, v)                                                                              \
	(h[o] = (uint8_t)(v), h[o + 1] = (uint8_t)((v) >> 8), h[o + 2] = (uint8_t)((v) >> 16), \
	 h[o + 3] = (uint8_t)((v) >> 24))
#define P16(o, v) (h[o] = (uint8_t)(v), h[o + 1] = (uint8_t)((v) >> 8))
	P32(4, 36 + bytes);
	P32(16, 16);
	P16(20, 1);
	P16(22, CHANNELS);
	P32(24, RATE);
	P32(28, RATE * FRAME);
	P16(32, FRAME);
	P16(34, 16);
	memcpy(h + 36, "data", 4);
	P32(40, bytes);
	ASSERT_NOT_NULL(d);
	for (uint32_t i = 0; i < bytes; i++)
		d[i] = pat(seed, i);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	ASSERT_EQ(write(fd, d, bytes), (ssize_t)bytes);
	close(fd);
	free(d);
}

TEST_TIMEOUT(capture_reads_the_file, 120)
{
	struct rig rig;
	struct guest g;
	uint64_t pos = 0;

	up(&rig, &g, "c");
	write_wav(rig.wav, 9, 2 * BUFFER);
	open_s16(&rig, &g);
	ASSERT_OK(G(&rig, &g, 't', XENSND_OP_TRIGGER_START, 0, 0, 0, 0));
	ASSERT_GE(gcall(&rig, &g, &pos, 'e', BUFFER, 0, 0, 0, 0), 0);
	ASSERT_OK(G(&rig, &g, 'r', 0, BUFFER, 9, 0, 0));
	/* Playback requests on a capture stream are refused. */
	ASSERT_ERR(G(&rig, &g, 'w', 0, FRAME, 9, 0, 0), EINVAL);
	G(&rig, &g, 'C', 0, 0, 0, 0, 0);
	guest_stop(&g);
	rig_end(&rig);
}

TEST_TIMEOUT(disconnect_unmaps_everything, 120)
{
	struct rig rig;
	struct guest g;
	uint64_t pos;

	up(&rig, &g, "p");
	open_s16(&rig, &g);
	ASSERT_OK(G(&rig, &g, 'w', 0, BUFFER, 1, 0, 0));
	ASSERT_OK(G(&rig, &g, 't', XENSND_OP_TRIGGER_START, 0, 0, 0, 0));
	ASSERT_GE(gcall(&rig, &g, &pos, 'e', PERIOD, 0, 0, 0, 0), 0);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), BUFFER / 4096);
	ASSERT_GT(gref_maps(GUEST), 0);
	/* The card goes away with the stream open and running. */
	ASSERT_OK(G(&rig, &g, 'C', 0, 0, 0, 0, 0));
	for (uint64_t end = now_ms() + WAIT_MS; rig.l.n_devs && now_ms() < end;)
		rig_turn(&rig, -1, 500);
	ASSERT_EQ(rig.l.n_devs, 0);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 0);
	ASSERT_EQ(gref_maps(GUEST), 0);
	guest_stop(&g);
	rig_end(&rig);
}

/* ---- raw requests on a stream over plain memory -------------------------- */

static int no_notify(void *ud)
{
	(void)ud;
	return 0;
}

static void raw(struct sndbe_stream *s, struct xensnd_req *req, struct xensnd_resp *rsp)
{
	memset(rsp, 0, sizeof(*rsp));
	sndbe_stream_handle(s, req, rsp);
	ASSERT_EQ(rsp->id, req->id);
	ASSERT_EQ(rsp->operation, req->operation);
}

TEST_TIMEOUT(raw_requests, 120)
{
	static uint8_t ring[4096] __attribute__((aligned(4096)));
	static uint8_t evt[4096] __attribute__((aligned(4096)));
	struct vtest_simd sim;
	struct xenif *x, *xg;
	struct sndbe_stream_config cfg = {
		.dir = VSND_DIR_PLAYBACK,
		.spec = "null",
		.sring = (struct xen_sndif_sring *)ring,
		.evt_page = (struct xensnd_event_page *)evt,
		.notify = no_notify,
		.evt_notify = no_notify,
	};
	struct xensnd_page_directory *dir;
	struct sndbe_stream *s;
	struct sndbe_stream_stats st;
	struct xensnd_req req;
	struct xensnd_resp rsp;
	uint32_t ref[2];
	void *data, *dp;

	vtest_simd_start(&sim);
	vtest_simd_domain_create(&sim, GUEST, "guest5");
	ASSERT_OK(xenif_open(sim.spec, 0, &x));
	ASSERT_OK(xenif_open(sim.spec, GUEST, &xg));
	ASSERT_OK(xenif_gnt_share(xg, 0, 1, true, &ref[0], &data));
	ASSERT_OK(xenif_gnt_share(xg, 0, 1, true, &ref[1], &dp));
	dir = dp;
	dir->gref_dir_next_page = 0;
	dir->gref[0] = ref[0];
	cfg.x = x;
	cfg.domid = GUEST;
	vsnd_stream_limits_linux_default(&cfg.lim);
	ASSERT_OK(sndbe_stream_new(&cfg, &s));

	/* An operation sndif does not define. */
	memset(&req, 0, sizeof(req));
	req.id = 77;
	req.operation = 0xee;
	raw(s, &req, &rsp);
	ASSERT_EQ(rsp.status, -ENOSYS);
	/* CLOSE on a closed stream is fine; WRITE is not. */
	req.operation = XENSND_OP_CLOSE;
	raw(s, &req, &rsp);
	ASSERT_EQ(rsp.status, 0);
	req.operation = XENSND_OP_WRITE;
	req.op.rw.length = 4;
	raw(s, &req, &rsp);
	ASSERT_EQ(rsp.status, -EINVAL);

	/* OPEN, then OPEN again without CLOSE: one buffer mapped. */
	memset(&req, 0, sizeof(req));
	req.operation = XENSND_OP_OPEN;
	req.op.open.pcm_rate = RATE;
	req.op.open.pcm_format = XENSND_PCM_FORMAT_S16_LE;
	req.op.open.pcm_channels = CHANNELS;
	req.op.open.buffer_sz = 4096;
	req.op.open.period_sz = 1024;
	req.op.open.gref_directory = ref[1];
	for (int i = 0; i < 3; i++) {
		req.id = (uint16_t)i;
		raw(s, &req, &rsp);
		ASSERT_EQ(rsp.status, 0);
		ASSERT_EQ(sndbe_shbuf_mapped_pages(), 1);
	}
	/* Unknown trigger type; RESUME when not paused. */
	memset(&req, 0, sizeof(req));
	req.operation = XENSND_OP_TRIGGER;
	req.op.trigger.type = 9;
	raw(s, &req, &rsp);
	ASSERT_EQ(rsp.status, -EINVAL);
	req.op.trigger.type = XENSND_OP_TRIGGER_RESUME;
	raw(s, &req, &rsp);
	ASSERT_EQ(rsp.status, -EINVAL);
	sndbe_stream_stats(s, &st);
	ASSERT_EQ(st.state, VSND_PCM_PREPARED);
	ASSERT_EQ(st.errors, 4);

	/* Freeing an open stream unmaps its buffer. */
	s = sndbe_stream_free(s);
	ASSERT_EQ(sndbe_shbuf_mapped_pages(), 0);
	ASSERT_EQ(gref_maps(GUEST), 2); /* the guest's own two views */
	ASSERT_OK(xenif_gnt_unshare(xg, data, 1));
	ASSERT_OK(xenif_gnt_unshare(xg, dp, 1));
	xenif_close(xg);
	xenif_close(x);
	vtest_simd_stop(&sim);
}

TEST(expand_spec)
{
	char b[64];

	ASSERT_OK(sndbe_dev_expand_spec("file:/d/dom%u-%u-%u.wav", 5, 1, 2, b, sizeof(b)));
	ASSERT_STREQ(b, "file:/d/dom5-1-2.wav");
	ASSERT_OK(sndbe_dev_expand_spec("null", 5, 1, 2, b, sizeof(b)));
	ASSERT_STREQ(b, "null");
	ASSERT_OK(sndbe_dev_expand_spec("a%%%u", 5, 1, 2, b, sizeof(b)));
	ASSERT_STREQ(b, "a%5");
	ASSERT_ERR(sndbe_dev_expand_spec("%s", 5, 1, 2, b, sizeof(b)), EINVAL);
	ASSERT_ERR(sndbe_dev_expand_spec("%u%u%u%u", 5, 1, 2, b, sizeof(b)), EINVAL);
	ASSERT_ERR(sndbe_dev_expand_spec("file:/very/long/path", 5, 1, 2, b, 8), ENAMETOOLONG);
}
