// SPDX-License-Identifier: MIT
/*
 * Hostile clients: oversized lengths, unknown types, truncated and
 * malformed payloads, disconnection mid-message, unsolicited fds, a client
 * that never reads, and a stream of random messages. xensimd must answer
 * or drop the offender, keep serving everyone else, and exit cleanly
 * (under ASan and UBSan) when stopped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simcli.h"
#include "simd.h"
#include "vtest.h"

/* xensimd still answers a fresh connection correctly. */
static void still_serving(struct vtest_simd *s)
{
	struct simcli c;
	char buf[64];

	ASSERT_OK(simcli_open(&c, s->dir, 0));
	ASSERT_OK(simcli_xs_read(&c, "/local/domain/0/name", buf, sizeof(buf)));
	ASSERT_STREQ(buf, "Domain-0");
	simcli_close(&c);
}

static void expect_closed(struct simcli *c)
{
	struct simcli_reply r;

	ASSERT_ERR(simcli_recv(c, &r), ECONNRESET);
	simcli_reply_free(&r);
}

TEST(oversized_lengths_close_the_connection)
{
	struct xsd_sockmsg h = { .type = XS_READ, .req_id = 1,
				 .len = XENSTORE_PAYLOAD_MAX + 1 };
	struct vtest_simd s;
	struct simcli c;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_write(&c, &h, sizeof(h)));
	expect_closed(&c);
	simcli_close(&c);
	h.type = XSIM_GNT_MAP;
	h.len = XSIM_MSG_MAX + 1;
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_write(&c, &h, sizeof(h)));
	expect_closed(&c);
	simcli_close(&c);
	h.type = 0x7fffffff;
	h.len = 0xffffffff;
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_write(&c, &h, sizeof(h)));
	expect_closed(&c);
	simcli_close(&c);
	still_serving(&s);
	vtest_simd_stop(&s);
}

TEST(malformed_requests_answer_einval)
{
	static const struct {
		uint32_t type;
		const char *payload;
		size_t len;
	} bad[] = {
		{ XS_READ, "no-nul", 6 },
		{ XS_READ, "", 0 },
		{ XS_READ, "a\0b\0", 4 },
		{ XS_WRITE, "no-nul-no-value", 15 },
		{ XS_WATCH, "/path-only\0", 11 },
		{ XS_SET_PERMS, "/local\0x5\0", 10 },
		{ XS_SET_PERMS, "/local\0", 7 },
		{ XS_SET_PERMS, "/local\0r99999999\0", 17 },
		{ XS_TRANSACTION_END, "maybe\0", 6 },
		{ XS_GET_DOMAIN_PATH, "-1\0", 3 },
		{ XS_DIRECTORY_PART, "/local\0x\0", 9 },
		{ XS_WATCH_EVENT, "a\0b\0", 4 },
		{ XS_ERROR, "EINVAL\0", 7 },
		{ 12345, "", 0 },
		{ XSIM_HELLO, "\1\0", 2 },
		{ XSIM_GNT_MAP, "\0\0\0\0\5\0\0\0\0\0\0\0", 12 },
		{ XSIM_GNT_SHARE, "\0\0\0\0\0\0\0\0\0\0\0\0", 12 },
		{ XSIM_GNT_UNSHARE, "\3\0\0\0\10\0\0\0", 8 },
		{ XSIM_EVT_BIND, "\0\0\0\0", 4 },
		{ XSIM_DOMAIN_CREATE, "\5\0\0\0", 4 },
	};
	struct vtest_simd s;
	struct simcli c;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = simcli_call(&c, bad[i].type, 0, bad[i].payload, bad[i].len, NULL);

		if (r != -EINVAL)
			vtest_fail(__FILE__, __LINE__, "request %zu (type %u): %d, want -EINVAL",
				   i, bad[i].type, r);
	}
	simcli_close(&c);
	still_serving(&s);
	vtest_simd_stop(&s);
}

TEST(disconnect_mid_message)
{
	struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 1, .len = 100 };
	struct vtest_simd s;
	struct simcli c;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_write(&c, &h, 5));
	simcli_close(&c);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_write(&c, &h, sizeof(h)));
	ASSERT_OK(simcli_write(&c, "/tool/half", 10));
	simcli_close(&c);
	/* and mid-reply: a big answer to a client that is gone */
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_send(&c, XSIM_DOMAIN_LIST, 0, NULL, 0));
	simcli_close(&c);
	still_serving(&s);
	vtest_simd_stop(&s);
}

TEST(unsolicited_fds_are_dropped)
{
	struct xsd_sockmsg h = { .type = XS_READ, .req_id = 1, .len = 7 };
	char msg[sizeof(h) + 7];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} u;
	struct iovec iov = { msg, sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fds[2] = { 0, 1 };
	struct simcli_reply r;
	struct vtest_simd s;
	struct simcli c;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), "/local", 7);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_EQ(sendmsg(c.fd, &mh, 0), (ssize_t)sizeof(msg));
	ASSERT_OK(simcli_recv(&c, &r));
	ASSERT_EQ_U(r.h.type, XS_READ);
	ASSERT_EQ(r.nfds, 0);
	simcli_reply_free(&r);
	simcli_close(&c);
	still_serving(&s);
	vtest_simd_stop(&s);
}

/* Hostile offsets into a listing: mid-name, past the end. */
TEST(directory_part_offsets)
{
	static const char *const offs[] = { "0", "3", "9", "4000", "4294967295" };
	char req[64];
	struct vtest_simd s;
	struct simcli_reply r;
	struct simcli c;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_xs_write(&c, "/tool/d/alpha", "1"));
	ASSERT_OK(simcli_xs_write(&c, "/tool/d/beta", "2"));
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		int n = snprintf(req, sizeof(req), "/tool/d%c%s", '\0', offs[i]);

		ASSERT_OK(simcli_call(&c, XS_DIRECTORY_PART, 0, req, (size_t)n + 1, &r));
		/* generation, names, and the closing empty name */
		ASSERT_GE(r.h.len, 2);
		ASSERT_EQ(r.data[r.h.len - 1], 0);
		ASSERT_EQ(r.data[r.h.len - 2], 0);
		simcli_reply_free(&r);
	}
	ASSERT_OK(simcli_call(&c, XS_DIRECTORY_PART, 0, "/tool/d\0" "0", 10, &r));
	ASSERT_MEMEQ(r.data + strlen((char *)r.data) + 1, "alpha\0beta\0\0", 12);
	simcli_reply_free(&r);
	simcli_close(&c);
	vtest_simd_stop(&s);
}

/* A watcher that never reads is cut off once its queue passes the cap
 * (8 MiB by default), and nobody else notices. */
TEST_TIMEOUT(client_that_never_reads_is_dropped, 120)
{
	char path[2100];
	struct vtest_simd s;
	struct simcli lazy, w;
	size_t events = 0;
	int r;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&lazy, s.dir, 0));
	ASSERT_OK(simcli_open(&w, s.dir, 0));
	ASSERT_OK(simcli_xs_watch(&lazy, "/tool", "t"));
	memset(path, 'p', sizeof(path));
	memcpy(path, "/tool/", 6);
	path[2000] = '\0';
	for (int i = 0; i < 6000; i++) {
		path[1999] = (char)('a' + i % 26);
		ASSERT_OK(simcli_xs_write(&w, path, "x"));
	}
	/* what was queued before the cut arrives, then the end */
	for (;;) {
		struct simcli_reply rp;

		r = simcli_recv(&lazy, &rp);
		if (r < 0)
			break;
		events += rp.h.type == XS_WATCH_EVENT;
		simcli_reply_free(&rp);
	}
	ASSERT_EQ(r, -ECONNRESET);
	ASSERT_LT(events, 6000);
	simcli_close(&lazy);
	simcli_close(&w);
	still_serving(&s);
	vtest_simd_stop(&s);
}

/* Requests pipelined without reading: xensimd stops reading them while
 * its replies wait, and every one is answered once the client reads. */
TEST_TIMEOUT(pipelined_requests_are_all_answered, 120)
{
	enum { N = 3000 };
	char value[2048];
	struct vtest_simd s;
	struct simcli c;
	pid_t pid;
	int status;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	ASSERT_OK(simcli_xs_write(&c, "/tool/big", value));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* the writer: the same connection, never reading */
		for (int i = 0; i < N; i++)
			ASSERT_OK(simcli_send(&c, XS_READ, 0, "/tool/big", 10));
		_exit(0);
	}
	for (int i = 0; i < N; i++) {
		struct simcli_reply r;

		ASSERT_OK(simcli_recv(&c, &r));
		ASSERT_EQ_U(r.h.type, XS_READ);
		ASSERT_EQ(r.h.len, sizeof(value) - 1);
		simcli_reply_free(&r);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	simcli_close(&c);
	vtest_simd_stop(&s);
}

static uint32_t rnd(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

static const uint32_t fuzz_types[] = {
	XS_CONTROL, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH,
	XS_TRANSACTION_START, XS_TRANSACTION_END, XS_GET_DOMAIN_PATH, XS_WRITE,
	XS_MKDIR, XS_RM, XS_SET_PERMS, XS_IS_DOMAIN_INTRODUCED, XS_RESET_WATCHES,
	XS_DIRECTORY_PART, XSIM_HELLO, XSIM_GNT_SHARE, XSIM_GNT_UNSHARE, XSIM_GNT_MAP,
	XSIM_GNT_UNMAP, XSIM_EVT_ALLOC_UNBOUND, XSIM_EVT_BIND, XSIM_EVT_UNBIND,
	XSIM_EVT_RESTRICT, XSIM_DOMAIN_INFO, XSIM_DOMAIN_LIST, XSIM_MAPPINGS, 77,
};

/* Random payloads built from XenStore-ish pieces, so that some requests
 * get past the first checks. */
static size_t fuzz_payload(uint64_t *st, unsigned char *buf, size_t cap)
{
	static const char *const words[] = {
		"/", "/local", "/local/domain/3", "data", "@releaseDomain", "tok", "0", "1",
		"8", "9", "T", "F", "r3", "b0", "n3", "w7", "..", "//", "/tool/f",
	};
	size_t len = 0, n = rnd(st) % 8;

	for (size_t i = 0; i < n && len + 32 < cap; i++) {
		if (rnd(st) % 3 == 0) {
			for (int k = rnd(st) % 12; k > 0; k--)
				buf[len++] = (unsigned char)rnd(st);
		} else {
			const char *w = words[rnd(st) % (sizeof(words) / sizeof(words[0]))];

			memcpy(buf + len, w, strlen(w) + 1);
			len += strlen(w) + (rnd(st) % 4 != 0);
		}
	}
	return len;
}

TEST_TIMEOUT(random_messages_do_not_hurt, 120)
{
	unsigned char payload[512];
	uint64_t st = 0x5eed;
	struct vtest_simd s;
	struct simcli c[2];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_OK(simcli_open(&c[0], s.dir, 0));
	ASSERT_OK(simcli_open(&c[1], s.dir, 3));
	for (int i = 0; i < 4000; i++) {
		struct simcli *k = &c[rnd(&st) % 2];
		uint32_t type = fuzz_types[rnd(&st) % (sizeof(fuzz_types) / sizeof(uint32_t))];
		size_t len = fuzz_payload(&st, payload, sizeof(payload));
		struct simcli_reply r;
		int e;

		e = simcli_call(k, type, rnd(&st) % 4, payload, len, &r);
		if (e == 0) {
			for (unsigned int f = 0; f < r.nfds; f++)
				close(r.fds[f]);
			simcli_reply_free(&r);
		}
		simcli_drop_events(k);
		if (e == -ECONNRESET || e == -EPIPE) {
			uint32_t domid = k->domid;

			simcli_close(k);
			ASSERT_OK(simcli_open(k, s.dir, domid));
		}
	}
	simcli_close(&c[0]);
	simcli_close(&c[1]);
	still_serving(&s);
	vtest_simd_stop(&s);
}

/* Out of fds, xensimd refuses new clients instead of spinning on them,
 * and serves again once clients leave. */
TEST(fd_exhaustion_refuses_clients)
{
	struct rlimit rl = { 40, 40 };
	struct simcli c[40];
	struct vtest_simd s;
	int n = 0, refused = 0;

	ASSERT_OK(setrlimit(RLIMIT_NOFILE, &rl));
	vtest_simd_start(&s);
	for (n = 0; n < 36; n++) {
		char buf[64];

		if (simcli_open(&c[n], s.dir, 0) < 0)
			break;
		if (simcli_xs_read(&c[n], "/local/domain/0/name", buf, sizeof(buf)) < 0)
			refused++;
	}
	ASSERT_GT(refused, 0);
	while (n--)
		simcli_close(&c[n]);
	/* the hangups may be handled after the next connect: retry until
	 * they have been (each attempt is a round trip, not a wait) */
	for (int i = 0; i < 1000; i++) {
		struct simcli k;
		char buf[64];
		int r;

		ASSERT_OK(simcli_open(&k, s.dir, 0));
		r = simcli_xs_read(&k, "/local/domain/0/name", buf, sizeof(buf));
		simcli_close(&k);
		if (r == 0)
			break;
	}
	still_serving(&s);
	vtest_simd_stop(&s);
}
