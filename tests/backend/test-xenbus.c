// SPDX-License-Identifier: MIT
/*
 * test-xenbus.c - the backend's XenBus state machine (backend/xenbus.c)
 * against real libvsndfront guests through xensimd.
 *
 * The backend runs in the test process with a minimal device layer written
 * here: it maps each stream's request ring, binds its event channel and
 * answers every request -ENOSYS with sndbe_ring. A guest is libvsndfront in
 * a forked child driven over a pipe (one command byte, one int32 answer),
 * so that the parent keeps serving while the child's calls block; hostile
 * guests are played by the parent writing FE nodes as the guest domain.
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
#include "ring.h"
#include "simd.h"
#include "util.h"
#include "vsnd/format.h"
#include "vsndfront.h"
#include "vtest.h"
#include "xenbus.h"
#include "xenif/xenif.h"

#define WAIT_MS 20000
/* Quiet period that says "nothing more is going to happen" after a fault. */
#define QUIET_MS 300
#define MAX_TDEVS 8
#define MAX_TSTREAMS 8

/* ---- the test's device layer ------------------------------------------- */

struct tdev;

struct tstream {
	struct tdev *td;
	void *page;
	uint32_t port;
	struct sndbe_ring ring;
};

struct tdev {
	struct rig *rig;
	struct xenif_evtchn *h;
	unsigned int n;
	struct tstream s[MAX_TSTREAMS];
};

struct rig {
	struct vtest_simd sim;
	struct xenif *x;		/* the backend's dom0 context */
	struct xenif *ts;		/* the toolstack's dom0 context */
	struct sndbe_xenbus *xb;
	struct tdev *live[MAX_TDEVS];
	unsigned int requests;
	unsigned int disconnects;
};

static void t_handle(void *ud, const struct xensnd_req *req, struct xensnd_resp *rsp)
{
	struct tstream *s = ud;

	(void)req;
	s->td->rig->requests++;
	rsp->status = -ENOSYS;
}

static int t_notify(void *ud)
{
	struct tstream *s = ud;

	return xenif_evtchn_notify(s->td->h, s->port);
}

static const struct sndbe_ring_ops t_ring_ops = { .handle = t_handle, .notify = t_notify };

static void tdev_free(struct rig *rig, struct tdev *td)
{
	for (unsigned int i = 0; i < td->n; i++)
		if (td->s[i].page)
			xenif_gnt_unmap(rig->x, td->s[i].page, 1);
	xenif_evtchn_close(td->h);
	for (unsigned int i = 0; i < MAX_TDEVS; i++)
		if (rig->live[i] == td)
			rig->live[i] = NULL;
	free(td);
}

static int tstream_setup(struct rig *rig, struct tdev *td, uint32_t domid,
			 const struct sndbe_xb_stream_refs *ref, struct tstream *s)
{
	int r;

	s->td = td;
	r = xenif_gnt_map(rig->x, domid, &ref->ring_ref, 1, true, &s->page);
	if (r < 0) {
		s->page = NULL;
		return r;
	}
	r = xenif_evtchn_bind_interdomain(td->h, domid, ref->evtchn);
	if (r < 0)
		return r;
	s->port = (uint32_t)r;
	return sndbe_ring_init(&s->ring, s->page, 0, 0, &t_ring_ops, s);
}

static int t_connect(void *ud, struct sndbe_xb_device *dev, const struct vsnd_xscfg *cfg,
		     const struct sndbe_xb_stream_refs *refs, unsigned int n)
{
	struct rig *rig = ud;
	uint32_t domid = sndbe_xb_device_domid(dev);
	struct tdev *td;
	int r;

	(void)cfg;
	if (n > MAX_TSTREAMS)
		return -E2BIG;
	td = calloc(1, sizeof(*td));
	if (!td)
		return -ENOMEM;
	td->rig = rig;
	r = xenif_evtchn_open(rig->x, &td->h);
	for (unsigned int i = 0; i < n && r >= 0; i++) {
		td->n = i + 1;
		r = tstream_setup(rig, td, domid, &refs[i], &td->s[i]);
	}
	if (r < 0) {
		tdev_free(rig, td);
		return r;
	}
	for (unsigned int i = 0; i < MAX_TDEVS; i++) {
		if (!rig->live[i]) {
			rig->live[i] = td;
			break;
		}
	}
	sndbe_xb_device_set_priv(dev, td);
	return 0;
}

static void t_disconnect(void *ud, struct sndbe_xb_device *dev)
{
	struct rig *rig = ud;

	tdev_free(rig, sndbe_xb_device_get_priv(dev));
	sndbe_xb_device_set_priv(dev, NULL);
	rig->disconnects++;
}

static const struct sndbe_xenbus_ops t_ops = { .connect = t_connect, .disconnect = t_disconnect };

/* Serve every pending port of one device. */
static void tdev_serve(struct tdev *td)
{
	int port;

	while ((port = xenif_evtchn_pending(td->h)) > 0) {
		for (unsigned int i = 0; i < td->n; i++) {
			if (td->s[i].port != (uint32_t)port)
				continue;
			while (sndbe_ring_service(&td->s[i].ring) == 1)
				;
		}
		xenif_evtchn_unmask(td->h, (uint32_t)port);
	}
}

/* ---- the rig --------------------------------------------------------------- */

static void rig_begin(struct rig *rig)
{
	memset(rig, 0, sizeof(*rig));
	vtest_simd_start(&rig->sim);
	ASSERT_OK(xenif_open(rig->sim.spec, 0, &rig->x));
	ASSERT_OK(xenif_open(rig->sim.spec, 0, &rig->ts));
	ASSERT_OK(sndbe_xenbus_new(rig->x, &t_ops, rig, &rig->xb));
}

static void rig_end(struct rig *rig)
{
	rig->xb = sndbe_xenbus_free(rig->xb);
	rig->ts = xenif_close(rig->ts);
	rig->x = xenif_close(rig->x);
	vtest_simd_stop(&rig->sim);
}

static void rig_add_guest(struct rig *rig, uint32_t guest, uint32_t devid, const char *type)
{
	struct fetree t = {
		.guest = guest,
		.devid = devid,
		.n_streams = 1,
		.s = { { 0, 0, type } },
	};
	char name[32];

	snprintf(name, sizeof(name), "guest%u-%u", guest, devid);
	if (devid == 0)
		vtest_simd_domain_create(&rig->sim, guest, name);
	ASSERT_OK(fetree_write(rig->ts, &t));
}

/*
 * One turn of the backend's loop: wait at most @ms for the XenStore fd,
 * a device's event channel or @extra_fd, then process what is there.
 * Return whether @extra_fd became readable.
 */
static bool rig_turn(struct rig *rig, int extra_fd, int ms)
{
	struct pollfd p[2 + MAX_TDEVS];
	unsigned int n = 0;
	bool extra = false;

	p[n++] = (struct pollfd){ .fd = sndbe_xenbus_fd(rig->xb), .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
	for (unsigned int i = 0; i < MAX_TDEVS; i++)
		if (rig->live[i])
			p[n++] = (struct pollfd){ .fd = xenif_evtchn_fd(rig->live[i]->h),
						   .events = POLLIN };
	if (poll(p, n, ms) > 0 && (p[1].revents & (POLLIN | POLLHUP)))
		extra = true;
	ASSERT_OK(sndbe_xenbus_process(rig->xb));
	for (unsigned int i = 0; i < MAX_TDEVS; i++)
		if (rig->live[i])
			tdev_serve(rig->live[i]);
	return extra;
}

typedef bool (*rig_pred)(struct rig *rig, const void *arg);

static void rig_serve_until(struct rig *rig, rig_pred pred, const void *arg, const char *what)
{
	uint64_t deadline = now_ms() + WAIT_MS;

	for (;;) {
		uint64_t now = now_ms();

		if (pred(rig, arg))
			return;
		if (now >= deadline)
			vtest_fail(__FILE__, __LINE__, "never happened: %s", what);
		rig_turn(rig, -1, (int)(deadline - now));
	}
}

/* Serve until nothing has happened for QUIET_MS. */
static void rig_serve_quiet(struct rig *rig)
{
	uint64_t end = now_ms() + QUIET_MS;

	while (now_ms() < end)
		rig_turn(rig, -1, QUIET_MS);
}

struct want {
	uint32_t domid;
	uint32_t devid;
	int state;
	int fe_state;		/* -1: any */
};

static bool pred_state(struct rig *rig, const void *arg)
{
	const struct want *w = arg;
	struct sndbe_xb_info info;

	if (sndbe_xenbus_find(rig->xb, w->domid, w->devid, &info) < 0)
		return false;
	return info.state == w->state && (w->fe_state < 0 || info.fe_state == w->fe_state);
}

static void wait_state(struct rig *rig, uint32_t domid, uint32_t devid, int state, int fe_state)
{
	struct want w = { domid, devid, state, fe_state };
	char what[64];

	snprintf(what, sizeof(what), "dom%u/vsnd%u BE %d FE %d", domid, devid, state, fe_state);
	rig_serve_until(rig, pred_state, &w, what);
}

static struct sndbe_xb_info info_of(struct rig *rig, uint32_t domid, uint32_t devid)
{
	struct sndbe_xb_info info;

	ASSERT_OK(sndbe_xenbus_find(rig->xb, domid, devid, &info));
	return info;
}

/* The last @n states written, oldest first, as a string: "5,6,2,4". */
static void history_tail(const struct sndbe_xb_info *info, unsigned int n, char *buf, size_t size)
{
	unsigned int have = info->n_history < SNDBE_XB_HISTORY ? info->n_history : SNDBE_XB_HISTORY;
	size_t off = 0;

	buf[0] = '\0';
	if (n > have)
		n = have;
	for (unsigned int i = have - n; i < have; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%u", off ? "," : "",
					info->history[i]);
}

#define ASSERT_HISTORY(rig, domid, devid, expect)                                      \
	do {                                                                           \
		struct sndbe_xb_info i_ = info_of(rig, domid, devid);                  \
		char h_[64];                                                           \
		unsigned int n_ = 1;                                                   \
		for (const char *c_ = expect; *c_; c_++)                               \
			n_ += *c_ == ',';                                              \
		history_tail(&i_, n_, h_, sizeof(h_));                                 \
		ASSERT_STREQ(h_, expect);                                              \
	} while (0)

static char *ts_read(struct rig *rig, const char *path)
{
	char *v = NULL;

	if (xenif_xs_read(rig->ts, XENIF_TX_NONE, path, &v, NULL) < 0)
		return NULL;
	return v;
}

static void xs_put(struct xenif *x, const char *path, const char *value)
{
	ASSERT_OK(xenif_xs_write(x, XENIF_TX_NONE, path, value, strlen(value)));
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

/* ---- the guest in a child --------------------------------------------------- */

struct guest {
	pid_t pid;
	int cmd;		/* parent -> child */
	int ans;		/* child -> parent */
};

static void space_init(struct vsnd_hw_space *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->formats = VSND_FORMAT_BIT(XENSND_PCM_FORMAT_S16_LE);
	vsnd_interval_set(&sp->rates, 8000, 96000);
	vsnd_interval_set(&sp->channels, 1, 2);
	vsnd_interval_set(&sp->buffer_frames, 64, 65536);
	vsnd_interval_set(&sp->period_frames, 32, 32768);
}

/* Wait on the card until the backend made it reconnect (process() == 1). */
static int guest_reconnect(struct vsndfe_card *card)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	int r;

	while ((r = vsndfe_card_process(card)) == 0 && now_ms() < deadline) {
		struct pollfd p = { .fd = vsndfe_card_fd(card), .events = POLLIN };

		poll(&p, 1, 500);
	}
	return r == 0 ? -ETIMEDOUT : r;
}

static int guest_do(struct vsndfe_card **card, const struct vsndfe_options *opt, char c)
{
	struct vsnd_hw_space sp;

	switch (c) {
	case 'o':
		return vsndfe_card_open(opt, card);
	case 'q':
		if (!*card)
			return -EBADF;
		space_init(&sp);
		return vsndfe_stream_query(vsndfe_card_stream(*card, 0), &sp);
	case 'c':
		*card = vsndfe_card_close(*card);
		return 0;
	case 'r':
		return *card ? guest_reconnect(*card) : -EBADF;
	default:
		return -EINVAL;
	}
}

static _Noreturn void guest_main(const char *spec, uint32_t domid, int cmd, int ans)
{
	struct vsndfe_options opt = {
		.xen = spec,
		.domid = domid,
		.devid = 0,
		.connect_timeout_ms = WAIT_MS,
	};
	struct vsndfe_card *card = NULL;
	char c;

	while (read(cmd, &c, 1) == 1 && c != 'x') {
		int32_t r = guest_do(&card, &opt, c);

		if (write(ans, &r, sizeof(r)) != sizeof(r))
			break;
	}
	_exit(0);
}

static void guest_start(struct rig *rig, struct guest *g, uint32_t domid)
{
	int cmd[2], ans[2];

	ASSERT_OK(pipe2(cmd, O_CLOEXEC));
	ASSERT_OK(pipe2(ans, O_CLOEXEC));
	g->pid = fork();
	ASSERT_GE(g->pid, 0);
	if (g->pid == 0) {
		close(cmd[1]);
		close(ans[0]);
		guest_main(rig->sim.spec, domid, cmd[0], ans[1]);
	}
	close(cmd[0]);
	close(ans[1]);
	g->cmd = cmd[1];
	g->ans = ans[0];
}

/* Send one command and keep the backend serving until the answer. */
static int guest_cmd(struct rig *rig, struct guest *g, char c)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	int32_t r;

	ASSERT_EQ(write(g->cmd, &c, 1), 1);
	while (!rig_turn(rig, g->ans, 1000))
		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "the guest never answered '%c'", c);
	ASSERT_EQ(read(g->ans, &r, sizeof(r)), (ssize_t)sizeof(r));
	return r;
}

static void guest_stop(struct guest *g, bool kill_it)
{
	if (kill_it)
		kill(g->pid, SIGKILL);
	else
		ASSERT_EQ(write(g->cmd, "x", 1), 1);
	close(g->cmd);
	close(g->ans);
	ASSERT_EQ(waitpid(g->pid, NULL, 0), g->pid);
}

/* A guest @domid with a connected card: BE and FE both Connected. */
static void guest_up(struct rig *rig, struct guest *g, uint32_t domid)
{
	rig_add_guest(rig, domid, 0, "p");
	guest_start(rig, g, domid);
	ASSERT_OK(guest_cmd(rig, g, 'o'));
	wait_state(rig, domid, 0, 4, 4);
	ASSERT_ERR(guest_cmd(rig, g, 'q'), ENOSYS);
}

#define BE5 "/local/domain/0/backend/vsnd/5/0"
#define FE5 "/local/domain/5/device/vsnd/0"

/* ---- tests -------------------------------------------------------------------- */

TEST_TIMEOUT(initwait_quickly, 120)
{
	struct rig rig;
	struct sndbe_xb_info info;
	char *v;

	rig_begin(&rig);
	rig_add_guest(&rig, 5, 0, "p");
	wait_state(&rig, 5, 0, 2, -1);
	v = ts_read(&rig, BE5 "/versions");
	ASSERT_STREQ(v, "2");
	free(v);
	v = ts_read(&rig, BE5 "/state");
	ASSERT_STREQ(v, "2");
	free(v);
	ASSERT_EQ(sndbe_xenbus_count(rig.xb), 1);
	ASSERT_OK(sndbe_xenbus_info(rig.xb, 0, &info));
	ASSERT_EQ(info.domid, 5);
	ASSERT_EQ(info.fe_state, 1);
	ASSERT_TRUE(info.online);
	ASSERT_FALSE(info.connected);
	ASSERT_STREQ(info.error, "");
	ASSERT_ERR(sndbe_xenbus_info(rig.xb, 1, &info), ENOENT);
	/* The BE directory removed: the device is forgotten. */
	ASSERT_OK(xenif_xs_rm(rig.ts, XENIF_TX_NONE, BE5));
	rig_serve_quiet(&rig);
	ASSERT_ERR(sndbe_xenbus_find(rig.xb, 5, 0, NULL), ENOENT);
	rig_end(&rig);
}

TEST_TIMEOUT(connect_close_reconnect, 120)
{
	struct rig rig;
	struct guest g;

	rig_begin(&rig);
	guest_up(&rig, &g, 5);
	ASSERT_HISTORY(&rig, 5, 0, "2,4");
	ASSERT_EQ(rig.requests, 1);
	ASSERT_EQ(gref_maps(5), 1);

	/* The frontend closes: FE 5 -> BE 5, FE 6 -> BE 6. */
	ASSERT_OK(guest_cmd(&rig, &g, 'c'));
	wait_state(&rig, 5, 0, 6, 6);
	ASSERT_HISTORY(&rig, 5, 0, "4,5,6");
	ASSERT_EQ(rig.disconnects, 1);
	ASSERT_EQ(gref_maps(5), 0);

	/* And reconnects: FE 1 -> BE 2 -> ... -> 4. */
	ASSERT_OK(guest_cmd(&rig, &g, 'o'));
	wait_state(&rig, 5, 0, 4, 4);
	ASSERT_HISTORY(&rig, 5, 0, "5,6,2,4");
	ASSERT_EQ(info_of(&rig, 5, 0).connects, 2);
	ASSERT_ERR(guest_cmd(&rig, &g, 'q'), ENOSYS);
	ASSERT_EQ(rig.requests, 2);
	guest_stop(&g, false);
	rig_end(&rig);
}

/* The device layer gives up on a device (a broken ring): 5, 6, error node;
 * the frontend starting over brings it back. */
TEST_TIMEOUT(device_failure_closes_then_recovers, 120)
{
	struct rig rig;
	struct guest g;
	char *v;

	rig_begin(&rig);
	guest_up(&rig, &g, 5);
	ASSERT_ERR(sndbe_xenbus_fail(rig.xb, 5, 1, -EPROTO, NULL), ENOENT);
	ASSERT_OK(sndbe_xenbus_fail(rig.xb, 5, 0, -EPROTO, "ring broken"));
	ASSERT_HISTORY(&rig, 5, 0, "2,4,5,6");
	ASSERT_EQ(rig.disconnects, 1);
	ASSERT_EQ(gref_maps(5), 0);
	ASSERT_STREQ(info_of(&rig, 5, 0).error, "ring broken");
	v = ts_read(&rig, "/local/domain/0/error/backend/vsnd/5/0/error");
	ASSERT_NOT_NULL(v);
	ASSERT_STREQ(v, "71 ring broken");
	free(v);
	/* Not connected any more: nothing to fail. */
	ASSERT_ERR(sndbe_xenbus_fail(rig.xb, 5, 0, -EPROTO, NULL), ENOENT);
	ASSERT_OK(guest_cmd(&rig, &g, 'c'));
	ASSERT_OK(guest_cmd(&rig, &g, 'o'));
	wait_state(&rig, 5, 0, 4, 4);
	ASSERT_EQ(info_of(&rig, 5, 0).connects, 2);
	ASSERT_STREQ(info_of(&rig, 5, 0).error, "");
	guest_stop(&g, false);
	rig_end(&rig);
}

TEST_TIMEOUT(toolstack_close_stays_closed, 120)
{
	struct rig rig;
	struct guest g;
	struct xenif *gx;
	xenif_tx_t tx;

	rig_begin(&rig);
	guest_up(&rig, &g, 5);
	/* As libxl's device removal: online = 0 and state = 5 together. */
	ASSERT_OK(xenif_xs_transaction_start(rig.ts, &tx));
	ASSERT_OK(xenif_xs_write(rig.ts, tx, BE5 "/online", "0", 1));
	ASSERT_OK(xenif_xs_write(rig.ts, tx, BE5 "/state", "5", 1));
	ASSERT_OK(xenif_xs_transaction_end(rig.ts, tx, false));
	wait_state(&rig, 5, 0, 6, -1);
	ASSERT_FALSE(info_of(&rig, 5, 0).connected);
	ASSERT_EQ(rig.disconnects, 1);
	ASSERT_EQ(gref_maps(5), 0);
	guest_stop(&g, true);

	/* The frontend restarting does not bring it back while offline. */
	ASSERT_OK(xenif_open(rig.sim.spec, 5, &gx));
	xs_put(gx, FE5 "/state", "1");
	rig_serve_quiet(&rig);
	ASSERT_EQ(info_of(&rig, 5, 0).state, 6);
	ASSERT_HISTORY(&rig, 5, 0, "2,4,6");
	xenif_close(gx);
	rig_end(&rig);
}

static bool pred_gone_or_closed(struct rig *rig, const void *arg)
{
	struct sndbe_xb_info info;

	(void)arg;
	if (sndbe_xenbus_find(rig->xb, 5, 0, &info) < 0)
		return true;
	return info.state == 6 && !info.connected;
}

static bool pred_reaped(struct rig *rig, const void *arg)
{
	struct xenif_dominfo di;

	(void)arg;
	return xenif_domain_info(rig->ts, 5, &di) == -ENOENT;
}

TEST_TIMEOUT(domain_destroyed, 120)
{
	struct rig rig;
	struct guest g;

	rig_begin(&rig);
	guest_up(&rig, &g, 5);
	ASSERT_EQ(gref_maps(5), 1);
	vtest_simd_domain_destroy(&rig.sim, 5);
	guest_stop(&g, true);
	rig_serve_until(&rig, pred_gone_or_closed, NULL, "disconnected after destroy");
	ASSERT_EQ(gref_maps(5), 0);
	ASSERT_EQ(rig.disconnects, 1);
	/* Nothing of ours keeps the zombie alive. */
	rig_serve_until(&rig, pred_reaped, NULL, "domain 5 reaped");
	rig_end(&rig);
}

/* Publish a transport as a guest would, with @ring_ref as given. */
static void hostile_connect(struct rig *rig, struct xenif *gx, const char *fe, const char *ring_ref)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/0/0/ring-ref", fe);
	ASSERT_OK(xenif_xs_write(gx, XENIF_TX_NONE, path, ring_ref, strlen(ring_ref)));
	snprintf(path, sizeof(path), "%s/0/0/event-channel", fe);
	xs_put(gx, path, "5");
	snprintf(path, sizeof(path), "%s/0/0/evt-ring-ref", fe);
	xs_put(gx, path, "9");
	snprintf(path, sizeof(path), "%s/0/0/evt-event-channel", fe);
	xs_put(gx, path, "6");
	snprintf(path, sizeof(path), "%s/state", fe);
	xs_put(gx, path, "3");
	(void)rig;
}

/* The device failed cleanly: 5 then 6, nothing mapped, an error node. */
static void expect_failed(struct rig *rig, uint32_t devid, const char *needle)
{
	struct sndbe_xb_info info;
	char path[128], *v;

	wait_state(rig, 5, devid, 6, 3);
	info = info_of(rig, 5, devid);
	ASSERT_HISTORY(rig, 5, devid, "2,5,6");
	ASSERT_FALSE(info.connected);
	if (!strstr(info.error, needle))
		vtest_fail(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", info.error, needle);
	snprintf(path, sizeof(path), "/local/domain/0/error/backend/vsnd/5/%u/error", devid);
	v = ts_read(rig, path);
	ASSERT_NOT_NULL(v);
	ASSERT_TRUE(strncmp(v, "22 ", 3) == 0);
	free(v);
	ASSERT_EQ(gref_maps(5), 0);
}

TEST_TIMEOUT(hostile_nodes, 180)
{
	/* As large as a guest's node quota allows (xenstored: 2048). */
	static char big[2001];
	const char *bad[] = { "12abc", "", "-1", "0", " 12", "012", "4294967296", big };
	struct rig rig;
	struct guest g;
	struct xenif *gx;
	char *v;

	memset(big, '7', sizeof(big) - 1);
	rig_begin(&rig);
	guest_up(&rig, &g, 6);		/* the well-behaved neighbour */
	rig_add_guest(&rig, 5, 0, "p");
	rig_add_guest(&rig, 5, 1, NULL);
	ASSERT_OK(xenif_open(rig.sim.spec, 5, &gx));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		wait_state(&rig, 5, 0, 2, -1);
		hostile_connect(&rig, gx, FE5, bad[i]);
		expect_failed(&rig, 0, "ring-ref");
		/* The frontend restarts: back to InitWait, error gone. */
		xs_put(gx, FE5 "/state", "1");
		wait_state(&rig, 5, 0, 2, 1);
		ASSERT_STREQ(info_of(&rig, 5, 0).error, "");
		v = ts_read(&rig, "/local/domain/0/error/backend/vsnd/5/0/error");
		ASSERT_NULL(v);
	}
	/* A version we do not speak. */
	xs_put(gx, FE5 "/version", "3");
	hostile_connect(&rig, gx, FE5, "12");
	expect_failed(&rig, 0, "version");
	/* A stream without a type. */
	wait_state(&rig, 5, 1, 2, -1);
	hostile_connect(&rig, gx, "/local/domain/5/device/vsnd/1", "12");
	expect_failed(&rig, 1, "type");
	/* The neighbour never noticed. */
	ASSERT_EQ(info_of(&rig, 6, 0).state, 4);
	ASSERT_EQ(info_of(&rig, 6, 0).n_history, 2);
	ASSERT_ERR(guest_cmd(&rig, &g, 'q'), ENOSYS);
	xenif_close(gx);
	guest_stop(&g, false);
	rig_end(&rig);
}

TEST_TIMEOUT(spurious_watches_change_nothing, 120)
{
	const char *const argv[] = { "fault", "spurious-watch", "--domid", "0", "--count", "20",
				     NULL };
	struct sndbe_xb_info before, after;
	struct rig rig;
	struct guest g;

	rig_begin(&rig);
	guest_up(&rig, &g, 5);
	before = info_of(&rig, 5, 0);
	ASSERT_EQ(vtest_simd_ctl(&rig.sim, argv), 0);
	/* New watches fire the extra events: register one more. */
	ASSERT_OK(xenif_xs_watch(rig.x, "/local/domain/0/backend/vsnd", "extra"));
	rig_serve_quiet(&rig);
	after = info_of(&rig, 5, 0);
	ASSERT_EQ(after.state, 4);
	ASSERT_EQ(after.n_history, before.n_history);
	ASSERT_EQ(after.connects, before.connects);
	ASSERT_EQ(rig.disconnects, 0);
	ASSERT_ERR(guest_cmd(&rig, &g, 'q'), ENOSYS);
	guest_stop(&g, false);
	rig_end(&rig);
}

TEST_TIMEOUT(daemon_restart, 120)
{
	struct rig rig;
	struct guest g;
	struct xenif *gx;
	char *ref;

	rig_begin(&rig);
	guest_up(&rig, &g, 5);
	/*
	 * Stale transport nodes, as a guest could leave them: the new
	 * instance must wait for the republished ones (xensimd may hand out
	 * the same ref numbers again, so the values are no witness).
	 */
	ASSERT_OK(xenif_open(rig.sim.spec, 5, &gx));
	xs_put(gx, FE5 "/0/0/ring-ref", "999999");
	xs_put(gx, FE5 "/0/0/event-channel", "999");
	xenif_close(gx);
	/* The daemon dies; a new one starts. */
	rig.xb = sndbe_xenbus_free(rig.xb);
	ASSERT_EQ(gref_maps(5), 0);
	ASSERT_OK(sndbe_xenbus_new(rig.x, &t_ops, &rig, &rig.xb));
	wait_state(&rig, 5, 0, 6, -1);
	ASSERT_HISTORY(&rig, 5, 0, "5,6");
	/* The frontend reacts to 6 by restarting; it gets InitWait again. */
	ASSERT_EQ(guest_cmd(&rig, &g, 'r'), 1);
	wait_state(&rig, 5, 0, 4, 4);
	ASSERT_HISTORY(&rig, 5, 0, "5,6,2,4");
	ASSERT_EQ(info_of(&rig, 5, 0).connects, 1);
	ASSERT_STREQ(info_of(&rig, 5, 0).error, "");
	ASSERT_EQ(gref_maps(5), 1);
	ref = ts_read(&rig, FE5 "/0/0/ring-ref");
	ASSERT_NOT_NULL(ref);
	ASSERT_TRUE(strcmp(ref, "999999") != 0);
	free(ref);
	ASSERT_ERR(guest_cmd(&rig, &g, 'q'), ENOSYS);
	guest_stop(&g, false);
	rig_end(&rig);
}
