/* SPDX-License-Identifier: MIT */
/*
 * contract-rig.c - the rig of the xenif contract tests: choosing the mode,
 * starting xensimd, opening contexts as a domain, the fault knobs through
 * xensimd-ctl, and small helpers for watch events, /proc/self/maps, forked
 * peers and the pipes between them. See contract.h.
 */
#include "contract.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct rig rig;

static void rig_stop(void)
{
	struct xenif *x;

	/* Forked helpers inherit this handler; only the test itself stops. */
	if (rig.owner != getpid())
		return;
	if (rig.mode != CONTRACT_XEN) {
		vtest_simd_stop(&rig.simd);
		return;
	}
	/* Real XenStore outlives us: leave nothing behind. */
	if (xenif_open("real", XENIF_DOMID_SELF, &x) == 0) {
		(void)xenif_xs_rm(x, XENIF_TX_NONE, rig.base);
		xenif_close(x);
	}
}

void rig_start(void)
{
	const char *env = getenv("VSND_TEST_XEN");

	rig.owner = getpid();
	if (env && strcmp(env, "1") == 0) {
		rig.mode = CONTRACT_XEN;
		rig.guest = 0;
		snprintf(rig.base, sizeof(rig.base), "/vsnd-test-%d", (int)getpid());
	} else {
		rig.mode = contract_build_mode;
		rig.guest = RIG_GUEST_DOMID;
		vtest_simd_start(&rig.simd);
		vtest_simd_domain_create(&rig.simd, RIG_GUEST_DOMID, "guest5");
		snprintf(rig.base, sizeof(rig.base), "/vsnd-test");
	}
	atexit(rig_stop);
}

void rig_need_sim(const char *why)
{
	if (rig.mode == CONTRACT_XEN)
		vtest_skip("under real Xen: %s", why);
}

void rig_need_hypervisor(const char *why)
{
	if (rig.mode == CONTRACT_REAL_XS)
		vtest_skip("libxenstore against xensimd only: %s", why);
}

struct xenif *rig_open(uint32_t domid)
{
	struct xenif *x = NULL;
	char sock[320];

	switch (rig.mode) {
	case CONTRACT_XEN:
		ASSERT_OK(xenif_open("real", XENIF_DOMID_SELF, &x));
		break;
	case CONTRACT_REAL_XS:
		/* libxenstore reads $XENSTORED_PATH at xs_open() time. */
		snprintf(sock, sizeof(sock), "%s/dom%u.sock", rig.simd.dir, domid);
		ASSERT_OK(setenv("XENSTORED_PATH", sock, 1));
		ASSERT_OK(xenif_open("real", domid, &x));
		break;
	case CONTRACT_SIM:
		ASSERT_OK(xenif_open(rig.simd.spec, domid, &x));
		break;
	}
	ASSERT_NOT_NULL(x);
	return x;
}

const char *rig_path(const char *suffix)
{
	static char bufs[8][256];
	static unsigned int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", rig.base, suffix);
	return b;
}

/* xensimd-ctl --run-dir DIR fault ... (the syntax lives here only). */
void rig_fault_op_errno(uint32_t domid, const char *op, uint32_t nth, const char *err,
			uint32_t count)
{
	char d[16], n[16], c[16];
	const char *argv[] = { "fault", "op", "--domid", d, "--op", op, "--nth", n,
			       "--errno", err, "--count", c, NULL };

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(n, sizeof(n), "%u", nth);
	snprintf(c, sizeof(c), "%u", count);
	ASSERT_EQ(vtest_simd_ctl(&rig.simd, argv), 0);
}

void rig_fault_simple(const char *kind, uint32_t domid, uint32_t value)
{
	/* notify-delay takes milliseconds, the others a count. */
	const char *key = strcmp(kind, "notify-delay") == 0 ? "--ms" : "--count";
	char d[16], v[16];
	const char *argv[] = { "fault", kind, "--domid", d, key, v, NULL };

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(v, sizeof(v), "%u", value);
	ASSERT_EQ(vtest_simd_ctl(&rig.simd, argv), 0);
}

bool rig_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	ASSERT_GE(r, 0);
	return r > 0;
}

int rig_quiet_ms(void)
{
	return rig.mode == CONTRACT_XEN ? 200 : 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rig_next_event(struct xenif *x, char **ret_path, char **ret_token)
{
	long long deadline = now_ms() + RIG_WAIT_MS;

	for (;;) {
		int r = xenif_xs_read_watch(x, ret_path, ret_token);

		if (r == 0)
			return;
		ASSERT_ERR(r, EAGAIN);
		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "no watch event within %d ms", RIG_WAIT_MS);
		(void)rig_readable(xenif_xs_fd(x), (int)(deadline - now_ms()));
	}
}

void rig_expect_event(struct xenif *x, const char *path, const char *token)
{
	for (;;) {
		char *p, *t;
		bool match;

		rig_next_event(x, &p, &t);
		match = strcmp(p, path) == 0 && strcmp(t, token) == 0;
		free(p);
		free(t);
		if (match)
			return;
	}
}

bool rig_drain_saw(struct xenif *x, const char *path)
{
	bool saw = false;
	char *p, *t;
	int r;

	while ((r = xenif_xs_read_watch(x, &p, &t)) == 0) {
		saw = saw || strcmp(p, path) == 0;
		free(p);
		free(t);
	}
	ASSERT_ERR(r, EAGAIN);
	return saw;
}

int rig_maps_count(uint32_t domid, uint32_t ref)
{
	char name[48], line[512];
	size_t len;
	int count = 0;
	FILE *f;

	len = (size_t)snprintf(name, sizeof(name), "dom%u-gref%u", domid, ref);
	f = fopen("/proc/self/maps", "re");
	ASSERT_NOT_NULL(f);
	while (fgets(line, sizeof(line), f)) {
		const char *hit = strstr(line, name);

		/* "gref1" must not match "gref12". */
		if (hit && (hit[len] < '0' || hit[len] > '9'))
			count++;
	}
	fclose(f);
	return count;
}

_Noreturn void rig_child_exit(int code)
{
	fflush(NULL);
	_exit(code);
}

int rig_fork_status(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		fn(arg);
		rig_child_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	return status;
}

void rig_chan_pair(struct rig_chan *a, struct rig_chan *b)
{
	int ab[2], ba[2];

	ASSERT_OK(pipe(ab));
	ASSERT_OK(pipe(ba));
	a->wfd = ab[1];
	b->rfd = ab[0];
	b->wfd = ba[1];
	a->rfd = ba[0];
}

void rig_chan_send(struct rig_chan *c, const void *buf, size_t len)
{
	ASSERT_EQ(write(c->wfd, buf, len), (ssize_t)len);
}

void rig_chan_recv(struct rig_chan *c, void *buf, size_t len)
{
	/* Generous: the peer is another process doing a few round trips. */
	ASSERT_TRUE(rig_readable(c->rfd, 10 * RIG_WAIT_MS));
	ASSERT_EQ(read(c->rfd, buf, len), (ssize_t)len);
}

int rig_bind(struct xenif_evtchn *h, uint32_t domid, uint32_t port)
{
	int local = xenif_evtchn_bind_interdomain(h, domid, port);

	ASSERT_GT(local, 0);
	ASSERT_TRUE(rig_readable(xenif_evtchn_fd(h), RIG_WAIT_MS));
	ASSERT_EQ(xenif_evtchn_pending(h), local);
	ASSERT_OK(xenif_evtchn_unmask(h, (uint32_t)local));
	return local;
}
