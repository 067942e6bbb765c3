/* SPDX-License-Identifier: MIT */
/*
 * test-xenif-sim-client.c - the sim client against a scripted, misbehaving
 * xensimd: wrong fd counts, oversized or stale replies, short memfds,
 * malformed watch events, a vanished server. Everything xensimd sends is
 * untrusted input to the client (docs/xenif.md, "Untrusted xensimd"); each
 * TEST scripts one server in a forked child that listens on DIR/dom0.sock
 * and reports by its exit status whether the client behaved.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "simproto.h"
#include "vtest.h"
#include "xenif/xenif.h"

struct fake {
	char dir[64];
	char spec[80];
	int lfd;
	pid_t pid;
};

static int fake_lfd;	/* the listener, for scripts that take a second connection */

struct msg {
	struct xsd_sockmsg h;
	char body[70000];
};

static void recv_all(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (size_t got = 0; got < len;) {
		ssize_t n;

		ASSERT_EQ(poll(&p, 1, 10000), 1);
		n = read(fd, (char *)buf + got, len - got);
		ASSERT_GT(n, 0);
		got += (size_t)n;
	}
}

static void srv_recv(int fd, struct msg *m)
{
	recv_all(fd, &m->h, sizeof(m->h));
	ASSERT_LE(m->h.len, sizeof(m->body));
	recv_all(fd, m->body, m->h.len);
}

static void srv_send(int fd, const struct xsd_sockmsg *req, uint32_t type, const void *p,
		     size_t len, const int *fds, unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct xsd_sockmsg h = { .type = type, .req_id = req ? req->req_id : 0,
				 .len = (uint32_t)len };
	char out[sizeof(h) + 256];
	struct iovec iov = { out, sizeof(h) + len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	ASSERT_LE(len, 256);
	memcpy(out, &h, sizeof(h));
	if (len)
		memcpy(out + sizeof(h), p, len);
	if (nfds) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	ASSERT_EQ(sendmsg(fd, &m, MSG_NOSIGNAL), (ssize_t)iov.iov_len);
}

static int memfd_of(size_t size)
{
	int fd = memfd_create("fake", MFD_CLOEXEC);

	ASSERT_GE(fd, 0);
	ASSERT_OK(ftruncate(fd, (off_t)size));
	return fd;
}

/* Answer HELLO as xensimd does: {version, domid} + the fault table. */
static void srv_hello(int fd, uint32_t version, unsigned int nfds)
{
	uint32_t rep[2] = { version, 0 };
	int fds[2] = { memfd_of(4096), memfd_of(4096) };
	struct msg m;

	srv_recv(fd, &m);
	ASSERT_EQ(m.h.type, XSIM_HELLO);
	srv_send(fd, &m.h, XSIM_HELLO, rep, sizeof(rep), fds, nfds);
}

/* Start a fake xensimd whose single connection runs @script. */
static void fake_start(struct fake *f, void (*script)(int fd))
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(f->dir, sizeof(f->dir), "/tmp/vsnd-fake-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(f->dir));
	snprintf(f->spec, sizeof(f->spec), "sim:%s", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom0.sock", f->dir);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(f->lfd, 0);
	ASSERT_OK(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_OK(listen(f->lfd, 4));
	fake_lfd = f->lfd;
	fflush(NULL);
	f->pid = fork();
	ASSERT_GE(f->pid, 0);
	if (f->pid == 0) {
		int fd = accept(f->lfd, NULL, NULL);

		ASSERT_GE(fd, 0);
		script(fd);
		fflush(NULL);
		_exit(0);
	}
}

/* The script's verdict; removes the run directory. */
static void fake_finish(struct fake *f)
{
	char sock[96];
	int status;

	ASSERT_EQ(waitpid(f->pid, &status, 0), f->pid);
	close(f->lfd);
	snprintf(sock, sizeof(sock), "%s/dom0.sock", f->dir);
	unlink(sock);
	rmdir(f->dir);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void script_hello_no_fd(int fd)
{
	srv_hello(fd, XSIM_PROTO_VERSION, 0);
}

static void script_hello_two_fds(int fd)
{
	srv_hello(fd, XSIM_PROTO_VERSION, 2);
}

static void script_hello_v2(int fd)
{
	srv_hello(fd, XSIM_PROTO_VERSION + 1, 1);
}

/* HELLO must carry exactly one fd and our protocol version. */
TEST(client_hello_checked)
{
	struct xenif *x = NULL;
	struct fake f;

	fake_start(&f, script_hello_no_fd);
	ASSERT_ERR(xenif_open(f.spec, 0, &x), EPROTO);
	fake_finish(&f);
	fake_start(&f, script_hello_two_fds);
	ASSERT_ERR(xenif_open(f.spec, 0, &x), EPROTO);
	fake_finish(&f);
	fake_start(&f, script_hello_v2);
	ASSERT_ERR(xenif_open(f.spec, 0, &x), EPROTONOSUPPORT);
	fake_finish(&f);
}

static void script_oversized(int fd)
{
	struct xsd_sockmsg h;
	struct msg m;

	srv_hello(fd, XSIM_PROTO_VERSION, 1);
	srv_recv(fd, &m);
	h = (struct xsd_sockmsg){ .type = XS_READ, .req_id = m.h.req_id, .len = 1u << 30 };
	ASSERT_EQ(write(fd, &h, sizeof(h)), (ssize_t)sizeof(h));
	/* The client must hang up rather than wait for a gigabyte. */
	ASSERT_EQ(read(fd, &h, sizeof(h)), 0);
}

/* A reply longer than any xensimd sends kills the connection. */
TEST(client_oversized_reply)
{
	struct xenif *x;
	struct fake f;
	char *v;

	fake_start(&f, script_oversized);
	ASSERT_OK(xenif_open(f.spec, 0, &x));
	ASSERT_ERR(xenif_xs_read(x, XENIF_TX_NONE, "/a", &v, NULL), EPROTO);
	ASSERT_ERR(xenif_xs_read(x, XENIF_TX_NONE, "/a", &v, NULL), ENOTCONN);
	xenif_close(x);
	fake_finish(&f);
}

static void script_stale_then_event(int fd)
{
	struct xsd_sockmsg stale;
	struct msg m;

	srv_hello(fd, XSIM_PROTO_VERSION, 1);
	srv_recv(fd, &m);
	ASSERT_EQ(m.h.type, XS_READ);
	stale = m.h;
	stale.req_id += 1000;
	srv_send(fd, &stale, XS_READ, "stale", 5, NULL, 0);
	srv_send(fd, NULL, XS_WATCH_EVENT, "/w\0tok", 7, NULL, 0);
	srv_send(fd, &m.h, XS_READ, "fresh", 5, NULL, 0);
	srv_recv(fd, &m);
	srv_send(fd, &m.h, XS_ERROR, "EWHATEVER", 10, NULL, 0);
	srv_recv(fd, &m);
	srv_send(fd, &m.h, XS_ERROR, "ENOENT", 7, NULL, 0);
}

/* Replies to other requests are skipped; a watch event arriving during a
 * call is queued and makes the fd readable; XS_ERROR names map to errnos. */
TEST(client_stale_reply_and_queued_event)
{
	struct xenif *x;
	struct fake f;
	char *v, *t;
	struct pollfd p;

	fake_start(&f, script_stale_then_event);
	ASSERT_OK(xenif_open(f.spec, 0, &x));
	ASSERT_OK(xenif_xs_read(x, XENIF_TX_NONE, "/a", &v, NULL));
	ASSERT_STREQ(v, "fresh");
	free(v);
	p = (struct pollfd){ .fd = xenif_xs_fd(x), .events = POLLIN };
	ASSERT_EQ(poll(&p, 1, 0), 1);
	ASSERT_OK(xenif_xs_read_watch(x, &v, &t));
	ASSERT_STREQ(v, "/w");
	ASSERT_STREQ(t, "tok");
	free(v);
	free(t);
	ASSERT_ERR(xenif_xs_read_watch(x, &v, &t), EAGAIN);
	ASSERT_ERR(xenif_xs_read(x, XENIF_TX_NONE, "/a", &v, NULL), EIO);
	ASSERT_ERR(xenif_xs_read(x, XENIF_TX_NONE, "/a", &v, NULL), ENOENT);
	xenif_close(x);
	fake_finish(&f);
}

static void script_short_memfd(int fd)
{
	uint32_t ref = 42;
	int page = memfd_of(100);
	struct msg m;

	srv_hello(fd, XSIM_PROTO_VERSION, 1);
	srv_recv(fd, &m);
	ASSERT_EQ(m.h.type, XSIM_GNT_SHARE);
	srv_send(fd, &m.h, XSIM_GNT_SHARE, &ref, sizeof(ref), &page, 1);
	/* The client refuses the page and revokes what it was given. */
	srv_recv(fd, &m);
	ASSERT_EQ(m.h.type, XSIM_GNT_UNSHARE);
	ASSERT_EQ(m.h.len, 8);
	ASSERT_EQ(((uint32_t *)m.body)[0], 1);
	ASSERT_EQ(((uint32_t *)m.body)[1], 42);
	srv_send(fd, &m.h, XSIM_GNT_UNSHARE, NULL, 0, NULL, 0);
}

/* A page memfd shorter than a page would SIGBUS later: refused up front. */
TEST(client_short_memfd)
{
	struct xenif *x;
	struct fake f;
	uint32_t ref;
	void *p;

	fake_start(&f, script_short_memfd);
	ASSERT_OK(xenif_open(f.spec, 0, &x));
	ASSERT_ERR(xenif_gnt_share(x, 5, 1, true, &ref, &p), EPROTO);
	xenif_close(x);
	fake_finish(&f);
}

static void script_bind_one_fd(int fd)
{
	uint32_t port = 3;
	int efd = eventfd(0, EFD_CLOEXEC);
	struct msg m;
	int ev;

	srv_hello(fd, XSIM_PROTO_VERSION, 1);
	/* An event-channel handle opens a connection of its own. */
	ev = accept(fake_lfd, NULL, NULL);
	ASSERT_GE(ev, 0);
	srv_hello(ev, XSIM_PROTO_VERSION, 1);
	srv_recv(ev, &m);
	ASSERT_EQ(m.h.type, XSIM_EVT_ALLOC_UNBOUND);
	srv_send(ev, &m.h, XSIM_EVT_ALLOC_UNBOUND, &port, sizeof(port), &efd, 1);
	ASSERT_EQ(read(ev, &m.h, 1), 0);
}

/* A port comes with exactly two eventfds. */
TEST(client_bind_fd_count)
{
	struct xenif_evtchn *h;
	struct xenif *x;
	struct fake f;

	fake_start(&f, script_bind_one_fd);
	ASSERT_OK(xenif_open(f.spec, 0, &x));
	ASSERT_OK(xenif_evtchn_open(x, &h));
	ASSERT_ERR(xenif_evtchn_alloc_unbound(h, 5), EPROTO);
	ASSERT_ERR(xenif_evtchn_alloc_unbound(h, 5), ENOTCONN);
	xenif_evtchn_close(h);
	xenif_close(x);
	fake_finish(&f);
}

static void script_gone(int fd)
{
	srv_hello(fd, XSIM_PROTO_VERSION, 1);
	close(fd);
}

/* A vanished server: the call fails, the connection is dead for good, and
 * read_watch says so instead of -EAGAIN (no busy loop on a hung-up fd). */
TEST(client_server_gone)
{
	struct xenif *x;
	struct fake f;
	char *v, *t;

	fake_start(&f, script_gone);
	ASSERT_OK(xenif_open(f.spec, 0, &x));
	fake_finish(&f);
	ASSERT_LT(xenif_xs_read(x, XENIF_TX_NONE, "/a", &v, NULL), 0);
	ASSERT_ERR(xenif_xs_read(x, XENIF_TX_NONE, "/a", &v, NULL), ENOTCONN);
	ASSERT_ERR(xenif_xs_read_watch(x, &v, &t), ENOTCONN);
	xenif_close(x);
}

static void script_bad_event(int fd)
{
	srv_hello(fd, XSIM_PROTO_VERSION, 1);
	srv_send(fd, NULL, XS_WATCH_EVENT, "/no-token", 9, NULL, 0);
	/* Hold the connection until the client hangs up. */
	(void)!read(fd, &fd, 1);
}

/* A watch event without its token is a protocol error. */
TEST(client_malformed_watch_event)
{
	struct xenif *x;
	struct fake f;
	char *v, *t;
	struct pollfd p;

	fake_start(&f, script_bad_event);
	ASSERT_OK(xenif_open(f.spec, 0, &x));
	p = (struct pollfd){ .fd = xenif_xs_fd(x), .events = POLLIN };
	ASSERT_EQ(poll(&p, 1, 10000), 1);
	ASSERT_ERR(xenif_xs_read_watch(x, &v, &t), EPROTO);
	ASSERT_ERR(xenif_xs_read_watch(x, &v, &t), ENOTCONN);
	xenif_close(x);
	fake_finish(&f);
}
