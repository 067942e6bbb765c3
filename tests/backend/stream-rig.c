// SPDX-License-Identifier: MIT
/*
 * stream-rig.c - the backend-in-process, guest-in-a-child rig of the stream
 * and device layer tests (see stream-rig.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "stream-rig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "vsnd/format.h"
#include "vtest.h"

#define MAX_FDS 128

/* ---- the rig: xensimd, sndbe_xenbus and the device layer ---------------- */

static void rig_tree(struct rig *rig, const struct rig_config *cfg)
{
	struct fetree *t = &rig->tree;

	t->guest = RIG_GUEST;
	t->n_streams = 1;
	t->s[0] = (struct fetree_stream){ 0, 0, "p" };
	if (!cfg)
		return;
	if (cfg->n_streams) {
		ASSERT_LE(cfg->n_streams, FETREE_MAX_STREAMS);
		t->n_streams = cfg->n_streams;
		for (unsigned int i = 0; i < cfg->n_streams; i++) {
			t->s[i] = cfg->s[i];
			if (!t->s[i].type)
				t->s[i].type = "p";
		}
	}
	t->sample_rates = cfg->sample_rates;
	t->sample_formats = cfg->sample_formats;
	t->channels_min = cfg->channels_min;
	t->channels_max = cfg->channels_max;
	t->buffer_size = cfg->buffer_size;
	rig->l.pos_ticks = cfg->pos_ticks;
	rig->l.pos_floor_us = cfg->pos_floor_us;
}

void rig_begin(struct rig *rig, const struct rig_config *cfg)
{
	memset(rig, 0, sizeof(*rig));
	rig_tree(rig, cfg);
	snprintf(rig->dir, sizeof(rig->dir), "/tmp/test-stream-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(rig->dir));
	snprintf(rig->spec, sizeof(rig->spec), "file:%s/dom%%u-%%u-%%u.wav", rig->dir);
	vtest_simd_start(&rig->sim);
	ASSERT_OK(xenif_open(rig->sim.spec, 0, &rig->x));
	ASSERT_OK(xenif_open(rig->sim.spec, 0, &rig->ts));
	rig->l.x = rig->x;
	rig->l.spec = rig->spec;
	ASSERT_OK(sndbe_xenbus_new(rig->x, &sndbe_dev_ops, &rig->l, &rig->xb));
	vtest_simd_domain_create(&rig->sim, RIG_GUEST, "guest5");
	ASSERT_OK(fetree_write(rig->ts, &rig->tree));
}

/* Remove the WAV files the streams left, then the directory. */
static void rig_rmdir(struct rig *rig)
{
	DIR *d = opendir(rig->dir);
	struct dirent *e;

	ASSERT_NOT_NULL(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			ASSERT_OK(unlinkat(dirfd(d), e->d_name, 0));
	closedir(d);
	ASSERT_OK(rmdir(rig->dir));
}

void rig_end(struct rig *rig)
{
	rig->xb = sndbe_xenbus_free(rig->xb);
	ASSERT_EQ(rig->l.n_devs, 0);
	rig->ts = xenif_close(rig->ts);
	rig->x = xenif_close(rig->x);
	vtest_simd_stop(&rig->sim);
	rig_rmdir(rig);
}

bool rig_turn(struct rig *rig, int extra_fd, int ms)
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

void rig_wait_disconnected(struct rig *rig)
{
	for (uint64_t end = now_ms() + RIG_WAIT_MS; rig->l.n_devs && now_ms() < end;)
		rig_turn(rig, -1, 500);
	ASSERT_EQ(rig->l.n_devs, 0);
}

void rig_serve_for(struct rig *rig, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	for (uint64_t now = now_ms(); now < end; now = now_ms())
		rig_turn(rig, -1, (int)(end - now));
}

struct sndbe_stream *rig_stream(struct rig *rig, unsigned int i)
{
	struct sndbe_stream *s = sndbe_dev_stream(&rig->l, RIG_GUEST, 0, i);

	ASSERT_NOT_NULL(s);
	return s;
}

const char *rig_wav_path(struct rig *rig, unsigned int pcm, unsigned int stream, char *buf,
			 size_t size)
{
	snprintf(buf, size, "%s/dom%u-%u-%u.wav", rig->dir, RIG_GUEST, pcm, stream);
	return buf;
}

int rig_gref_maps(uint32_t domid)
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

/* ---- WAV files ----------------------------------------------------------- */

/*
 * How each sndif format a WAV holds is spelled: the format tag (PCM 1,
 * float 3, mu-law 7), the container and the valid bits. Formats that need
 * WAVE_FORMAT_EXTENSIBLE (floats, 24-in-32, PCM with more than two channels
 * or more than 16 bits) carry the tag in the subformat GUID instead.
 */
static const struct {
	uint8_t format;
	uint16_t tag;
	uint16_t bits;
	uint16_t valid;
} wav_table[] = {
	{ XENSND_PCM_FORMAT_U8, 1, 8, 8 },	 { XENSND_PCM_FORMAT_S16_LE, 1, 16, 16 },
	{ XENSND_PCM_FORMAT_S24_LE, 1, 32, 24 }, { XENSND_PCM_FORMAT_S32_LE, 1, 32, 32 },
	{ XENSND_PCM_FORMAT_F32_LE, 3, 32, 32 }, { XENSND_PCM_FORMAT_MU_LAW, 7, 8, 8 },
};

static const uint8_t guid_rest[14] = { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
				       0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };

static uint32_t le(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put(uint8_t *p, uint32_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool wav_extensible(unsigned int k, uint8_t channels)
{
	return wav_table[k].tag == 3 || wav_table[k].bits != wav_table[k].valid ||
	       (wav_table[k].tag == 1 && (channels > 2 || wav_table[k].bits > 16));
}

/* Decode a fmt chunk body into @w's format, channels and rate. */
static void wav_fmt(const uint8_t *b, uint32_t len, struct rig_wav *w)
{
	uint32_t tag = le(b, 2), bits = le(b + 14, 2), valid = bits;

	ASSERT_GE(len, 16);
	if (tag == 0xfffe) {
		ASSERT_GE(len, 40);
		valid = le(b + 18, 2);
		tag = le(b + 24, 2);
		ASSERT_MEMEQ(b + 26, guid_rest, sizeof(guid_rest));
	}
	w->channels = (uint8_t)le(b + 2, 2);
	w->rate = le(b + 4, 4);
	ASSERT_EQ(le(b + 12, 2), bits / 8 * w->channels);
	ASSERT_EQ(le(b + 8, 4), w->rate * (bits / 8) * w->channels);
	for (size_t k = 0; k < ARRAY_SIZE(wav_table); k++) {
		if (wav_table[k].tag == tag && wav_table[k].bits == bits &&
		    wav_table[k].valid == valid) {
			/* The plain header whenever it can say the format. */
			ASSERT_EQ(le(b, 2) == 0xfffe, wav_extensible(k, w->channels));
			w->format = wav_table[k].format;
			return;
		}
	}
	vtest_fail(__FILE__, __LINE__, "fmt tag %u, %u bits (%u valid): no sndif format", tag, bits,
		   valid);
}

void rig_wav_read(const char *path, struct rig_wav *ret)
{
	static uint8_t file[1 << 21];
	bool have_fmt = false;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	n = read(fd, file, sizeof(file));
	close(fd);
	ASSERT_GE(n, 12);
	ASSERT_LT(n, (ssize_t)sizeof(file));
	ASSERT_MEMEQ(file, "RIFF", 4);
	ASSERT_MEMEQ(file + 8, "WAVE", 4);
	ASSERT_EQ(le(file + 4, 4), (uint32_t)n - 8);
	memset(ret, 0, sizeof(*ret));
	for (size_t off = 12; off + 8 <= (size_t)n;) {
		uint32_t len = le(file + off + 4, 4);

		ASSERT_TRUE(off + 8 + len <= (size_t)n);
		if (!memcmp(file + off, "fmt ", 4)) {
			wav_fmt(file + off + 8, len, ret);
			have_fmt = true;
		} else if (!memcmp(file + off, "data", 4)) {
			ASSERT_TRUE(have_fmt);
			ret->data = malloc(len ? len : 1);
			ASSERT_NOT_NULL(ret->data);
			memcpy(ret->data, file + off + 8, len);
			ret->data_len = len;
			return;
		}
		off += 8 + len + (len & 1);
	}
	vtest_fail(__FILE__, __LINE__, "no data chunk in %s", path);
}

/* Build the header of a source WAV into @h; return its length. */
static size_t wav_header(uint8_t *h, uint8_t format, uint32_t rate, uint8_t channels,
			 uint32_t bytes)
{
	size_t k = 0, fmt_len, len;
	uint32_t align;
	bool ext;

	while (k < ARRAY_SIZE(wav_table) && wav_table[k].format != format)
		k++;
	ASSERT_LT(k, ARRAY_SIZE(wav_table));
	ext = wav_extensible(k, channels);
	fmt_len = ext ? 40 : wav_table[k].tag == 1 ? 16 : 18;
	len = 12 + 8 + fmt_len + 8;
	align = wav_table[k].bits / 8u * channels;
	memset(h, 0, len);
	memcpy(h, "RIFF", 4);
	put(h + 4, (uint32_t)(len - 8) + bytes + (bytes & 1), 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put(h + 16, (uint32_t)fmt_len, 4);
	put(h + 20, ext ? 0xfffe : wav_table[k].tag, 2);
	put(h + 22, channels, 2);
	put(h + 24, rate, 4);
	put(h + 28, rate * align, 4);
	put(h + 32, align, 2);
	put(h + 34, wav_table[k].bits, 2);
	if (ext) {
		put(h + 36, 22, 2);
		put(h + 38, wav_table[k].valid, 2);
		put(h + 44, wav_table[k].tag, 2);
		memcpy(h + 46, guid_rest, sizeof(guid_rest));
	}
	memcpy(h + len - 8, "data", 4);
	put(h + len - 4, bytes, 4);
	return len;
}

void rig_wav_write(const char *path, uint8_t format, uint32_t rate, uint8_t channels, uint32_t seed,
		   uint32_t bytes)
{
	uint8_t h[68];
	size_t hl = wav_header(h, format, rate, channels, bytes);
	_cleanup_free_ uint8_t *d = malloc(bytes + 1u);
	int fd;

	ASSERT_NOT_NULL(d);
	for (uint32_t i = 0; i < bytes; i++)
		d[i] = rig_pat(seed, i);
	d[bytes] = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, h, hl), (ssize_t)hl);
	ASSERT_EQ(write(fd, d, bytes + (bytes & 1)), (ssize_t)(bytes + (bytes & 1)));
	close(fd);
}

/* ---- the guest in a child ----------------------------------------------- */

/* libvsndfront's complaints go to the test's log (debug chatter does not). */
static void guest_log(void *opaque, enum vsndfe_log_level level, const char *msg)
{
	(void)opaque;
	if (level <= VSNDFE_LOG_WARN)
		fprintf(stderr, "guest: %s\n", msg);
}

static _Noreturn void guest_main(const char *spec, int cmd, int ans)
{
	struct gstate g = {
		.opt = {
			.xen = spec,
			.domid = RIG_GUEST,
			.connect_timeout_ms = RIG_WAIT_MS,
			.log = guest_log,
		},
	};
	struct gmsg m;

	while (read(cmd, &m, sizeof(m)) == sizeof(m) && m.fn) {
		m.r = m.fn(&g, &m);
		if (write(ans, &m, sizeof(m)) != sizeof(m))
			break;
	}
	g.card = vsndfe_card_close(g.card);
	_exit(0);
}

void guest_start(struct rig *rig, struct guest *g)
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

int guest_call(struct rig *rig, struct guest *g, struct gmsg *m)
{
	uint64_t deadline = now_ms() + RIG_WAIT_MS;

	_Static_assert(sizeof(*m) <= PIPE_BUF, "one atomic pipe write");
	ASSERT_EQ(write(g->cmd, m, sizeof(*m)), (ssize_t)sizeof(*m));
	while (!rig_turn(rig, g->ans, 1000))
		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "the guest never answered");
	ASSERT_EQ(read(g->ans, m, sizeof(*m)), (ssize_t)sizeof(*m));
	return m->r;
}

void guest_stop(struct rig *rig, struct guest *g)
{
	struct gmsg m = { 0 };

	g_card_close(rig, g);
	ASSERT_EQ(write(g->cmd, &m, sizeof(m)), (ssize_t)sizeof(m));
	close(g->cmd);
	close(g->ans);
	ASSERT_EQ(waitpid(g->pid, NULL, 0), g->pid);
}

/* ---- ready-made guest calls (they run in the child) --------------------- */

static struct vsndfe_stream *gs(struct gstate *g, struct gmsg *m)
{
	return g->card ? vsndfe_card_stream(g->card, m->stream) : NULL;
}

/* Fill @m->st and pass @r on. */
static int gdone(struct gstate *g, struct gmsg *m, int r)
{
	struct vsndfe_stream *s = gs(g, m);

	if (s)
		vsndfe_stream_stats(s, &m->st);
	return r;
}

static int fn_card_open(struct gstate *g, struct gmsg *m)
{
	(void)m;
	if (g->card)
		return -EALREADY;
	return vsndfe_card_open(&g->opt, &g->card);
}

static int fn_card_close(struct gstate *g, struct gmsg *m)
{
	(void)m;
	g->card = vsndfe_card_close(g->card);
	return 0;
}

static int fn_open(struct gstate *g, struct gmsg *m)
{
	struct vsndfe_pcm_params p = { m->a[0], (uint8_t)m->a[1], (uint8_t)m->a[2], m->a[3],
				       m->a[4] };

	return gdone(g, m, vsndfe_stream_open(gs(g, m), &p));
}

static int fn_close(struct gstate *g, struct gmsg *m)
{
	return gdone(g, m, vsndfe_stream_close(gs(g, m)));
}

static int fn_trigger(struct gstate *g, struct gmsg *m)
{
	return gdone(g, m, vsndfe_stream_trigger(gs(g, m), m->a[0]));
}

static int fn_write(struct gstate *g, struct gmsg *m)
{
	struct vsndfe_stream *s = gs(g, m);
	uint32_t size;
	uint8_t *buf = vsndfe_stream_buffer(s, &size);

	if (!buf || m->a[0] > size || m->a[1] > size - m->a[0])
		return -EINVAL;
	for (uint32_t i = 0; i < m->a[1]; i++)
		buf[m->a[0] + i] = rig_pat(m->a[2], m->a[3] + i);
	return gdone(g, m, vsndfe_stream_write(s, m->a[0], m->a[1]));
}

static int fn_read(struct gstate *g, struct gmsg *m)
{
	struct vsndfe_stream *s = gs(g, m);
	uint32_t size, off = m->a[0], len = m->a[1];
	uint8_t *buf = vsndfe_stream_buffer(s, &size);
	int r;

	if (!buf || off > size || len > size - off)
		return -EINVAL;
	memset(buf + off, 0xaa, len);
	r = vsndfe_stream_read(s, off, len);
	if (r < 0)
		return gdone(g, m, r);
	for (uint32_t i = 0; i < len; i++) {
		uint8_t want = i < m->a[4] ? rig_pat(m->a[2], m->a[3] + i) : (uint8_t)m->a[5];

		if (buf[off + i] != want) {
			/* Where and what, for the parent's message. */
			m->u[0] = i;
			m->u[1] = buf[off + i];
			return gdone(g, m, -EILSEQ);
		}
	}
	return gdone(g, m, 0);
}

static int fn_events(struct gstate *g, struct gmsg *m)
{
	return gdone(g, m, vsndfe_stream_process_events(gs(g, m)));
}

static int fn_wait_pos(struct gstate *g, struct gmsg *m)
{
	struct vsndfe_stream *s = gs(g, m);
	uint64_t want = m->u[0], deadline = now_ms() + RIG_WAIT_MS;
	struct vsndfe_stream_stats st;
	int r, seen = 0;

	for (;;) {
		struct pollfd p = { .fd = vsndfe_stream_evt_fd(s), .events = POLLIN };

		r = vsndfe_stream_process_events(s);
		if (r < 0)
			return gdone(g, m, r);
		seen += r;
		vsndfe_stream_stats(s, &st);
		if (st.position_bytes >= want)
			return gdone(g, m, seen);
		if (now_ms() >= deadline)
			return gdone(g, m, -ETIMEDOUT);
		poll(&p, 1, 500);
	}
}

/* a[0]: the operation; v[]: one value per channel, a[1] of them. */
static int fn_values(struct gstate *g, struct gmsg *m)
{
	struct vsndfe_stream *s = gs(g, m);
	unsigned int n = m->a[1];
	bool ch[8];
	int r;

	if (n > 8)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		ch[i] = m->v[i] != 0;
	switch (m->a[0]) {
	case XENSND_OP_SET_VOLUME:
		r = vsndfe_stream_set_volume(s, m->v, n);
		break;
	case XENSND_OP_GET_VOLUME:
		r = vsndfe_stream_get_volume(s, m->v, n);
		break;
	case XENSND_OP_MUTE:
		r = vsndfe_stream_mute(s, ch, n);
		break;
	case XENSND_OP_UNMUTE:
		r = vsndfe_stream_unmute(s, ch, n);
		break;
	default:
		r = -EINVAL;
	}
	return gdone(g, m, r);
}

/* ---- their parent side ---------------------------------------------------- */

int g_values(struct rig *rig, struct guest *g, unsigned int i, uint8_t op, int32_t *v,
	     unsigned int n)
{
	struct gmsg m = { .fn = fn_values, .stream = i, .a = { op, n } };
	int r;

	ASSERT_LE(n, ARRAY_SIZE(m.v));
	memcpy(m.v, v, n * sizeof(*v));
	r = guest_call(rig, g, &m);
	memcpy(v, m.v, n * sizeof(*v));
	return r;
}

int g_card_open(struct rig *rig, struct guest *g)
{
	struct gmsg m = { .fn = fn_card_open };

	return guest_call(rig, g, &m);
}

void g_card_close(struct rig *rig, struct guest *g)
{
	struct gmsg m = { .fn = fn_card_close };

	ASSERT_OK(guest_call(rig, g, &m));
}

int g_open(struct rig *rig, struct guest *g, unsigned int i, uint32_t rate, uint8_t format,
	   uint8_t channels, uint32_t buffer_bytes, uint32_t period_bytes)
{
	struct gmsg m = { .fn = fn_open,
			  .stream = i,
			  .a = { rate, format, channels, buffer_bytes, period_bytes } };

	return guest_call(rig, g, &m);
}

int g_close(struct rig *rig, struct guest *g, unsigned int i)
{
	struct gmsg m = { .fn = fn_close, .stream = i };

	return guest_call(rig, g, &m);
}

int g_trigger(struct rig *rig, struct guest *g, unsigned int i, unsigned int type)
{
	struct gmsg m = { .fn = fn_trigger, .stream = i, .a = { type } };

	return guest_call(rig, g, &m);
}

int g_write(struct rig *rig, struct guest *g, unsigned int i, uint32_t off, uint32_t len,
	    uint32_t seed, uint32_t base)
{
	struct gmsg m = { .fn = fn_write, .stream = i, .a = { off, len, seed, base } };

	return guest_call(rig, g, &m);
}

int g_read(struct rig *rig, struct guest *g, unsigned int i, uint32_t off, uint32_t len,
	   uint32_t seed, uint32_t base, uint32_t good, uint8_t fill)
{
	struct gmsg m = { .fn = fn_read, .stream = i, .a = { off, len, seed, base, good, fill } };
	int r = guest_call(rig, g, &m);

	if (r == -EILSEQ)
		fprintf(stderr, "READ: octet %" PRIu64 " of %u is %#" PRIx64 "\n", m.u[0], len,
			m.u[1]);
	return r;
}

int g_wait_pos(struct rig *rig, struct guest *g, unsigned int i, uint64_t pos,
	       struct vsndfe_stream_stats *ret_st)
{
	struct gmsg m = { .fn = fn_wait_pos, .stream = i, .u = { pos } };
	int r = guest_call(rig, g, &m);

	if (ret_st)
		*ret_st = m.st;
	return r;
}

int g_events(struct rig *rig, struct guest *g, unsigned int i, struct vsndfe_stream_stats *ret_st)
{
	struct gmsg m = { .fn = fn_events, .stream = i };
	int r = guest_call(rig, g, &m);

	if (ret_st)
		*ret_st = m.st;
	return r;
}

void rig_up(struct rig *rig, struct guest *g, const struct rig_config *cfg)
{
	rig_begin(rig, cfg);
	guest_start(rig, g);
	ASSERT_OK(g_card_open(rig, g));
}

void rig_down(struct rig *rig, struct guest *g)
{
	guest_stop(rig, g);
	rig_end(rig);
}
