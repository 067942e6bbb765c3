/* SPDX-License-Identifier: MIT */
/*
 * xenif-sim-conn.c - framing, fd passing and the synchronous request/reply
 * loop of a connection to xensimd (see src/sim-conn.h).
 *
 * Byte stream and fds are read together with recvmsg(). The kernel hands
 * SCM_RIGHTS fds out with the bytes they were sent with, at most 253 per
 * sendmsg(), so a reply carrying thousands of page fds arrives in pieces.
 * Received fds wait in a small queue until the header of the awaited reply
 * has been parsed, then go straight to the caller's sink, which maps and
 * closes each one: the process never holds more than a few hundred of them,
 * whatever RLIMIT_NOFILE says. Watch events carry no fds; any fd that
 * cannot belong to the awaited reply is a protocol error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "sim-conn.h"
#include "util.h"

#define SIM_FDS_PER_RECV 253	/* SCM_MAX_FD: the most one sendmsg() carries */
#define SIM_FDQ_MAX 512		/* two sendmsg()s' worth before the header is parsed */
#define SIM_EVENTS_MAX 65536	/* unread watch events before we call it a flood */
#define SIM_RECV_CHUNK 65536

struct sim_event {
	struct sim_event *next;
	char *path;
	char *token;
};

struct sim_conn {
	int fd;
	uint32_t next_req_id;
	int dead;		/* 0, or -ENOTCONN once unusable */
	uint8_t *buf;		/* bytes received and not yet parsed */
	size_t len, cap;
	int fdq[SIM_FDQ_MAX];	/* fds received and not yet claimed */
	unsigned int nfd;
	struct sim_event *ev_head, **ev_tail;
	unsigned int nev;
	sim_conn_queue_fn queue_fn;
	void *queue_opaque;
};

/* The reply a call is waiting for. */
struct sim_wait {
	uint32_t req_id;
	uint32_t type;
	bool have_hdr;
	bool is_error;
	bool done;
	struct sim_reply *reply;
	struct sim_fd_sink *sink;
};

static void drop_fds(struct sim_conn *c)
{
	for (unsigned int i = 0; i < c->nfd; i++)
		close(c->fdq[i]);
	c->nfd = 0;
}

/* Mark the connection unusable; returns @err for "return kill_conn(c, r);". */
static int kill_conn(struct sim_conn *c, int err)
{
	c->dead = -ENOTCONN;
	drop_fds(c);
	return err;
}

/**
 * sim_conn_open() - connect to xensimd as a domain.
 * @dir: xensimd's run directory.
 * @domid: the domain; its socket is DIR/dom<domid>.sock.
 * @ret: the new connection.
 *
 * Context: may block up to SIM_CONN_TIMEOUT_MS while xensimd's backlog is
 * full.
 * Return: 0; -ENAMETOOLONG when the path does not fit a socket address;
 * -ENOENT when the socket does not exist (no such domain); the errno of
 * socket() or connect() otherwise.
 */
int sim_conn_open(const char *dir, uint32_t domid, struct sim_conn **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = SIM_CONN_TIMEOUT_MS / 1000 };
	_cleanup_close_ int fd = -1;
	struct sim_conn *c;
	int n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom%u.sock", dir, domid);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	/* A full listen backlog makes connect() wait; bound that wait. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return negative_errno();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EINPROGRESS || errno == EAGAIN ? -ETIMEDOUT : negative_errno();
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return negative_errno();

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = TAKE_FD(fd);
	c->ev_tail = &c->ev_head;
	*ret = c;
	return 0;
}

/**
 * sim_conn_free() - close a connection and drop what it queued.
 * @c: the connection, or NULL.
 *
 * Return: NULL.
 */
struct sim_conn *sim_conn_free(struct sim_conn *c)
{
	struct sim_event *e;

	if (!c)
		return NULL;
	while ((e = c->ev_head)) {
		c->ev_head = e->next;
		free(e->path);
		free(e->token);
		free(e);
	}
	drop_fds(c);
	safe_close(c->fd);
	free(c->buf);
	free(c);
	return NULL;
}

/**
 * sim_conn_set_queue_fn() - be told when the watch-event queue empties or
 * fills.
 * @c: the connection.
 * @fn: called with true when the first event is queued, false when the
 *	last is taken.
 * @opaque: passed to @fn.
 */
void sim_conn_set_queue_fn(struct sim_conn *c, sim_conn_queue_fn fn, void *opaque)
{
	c->queue_fn = fn;
	c->queue_opaque = opaque;
}

/**
 * sim_conn_fd() - the connection's socket, to poll for incoming data.
 * @c: the connection.
 *
 * Return: the fd, owned by @c; never read it directly.
 */
int sim_conn_fd(const struct sim_conn *c)
{
	return c->fd;
}

/**
 * sim_reply_done() - release a reply's body.
 * @r: the reply; its fields are reset.
 */
void sim_reply_done(struct sim_reply *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

/* "path\0token\0", as xenstored sends XS_WATCH_EVENT. */
static int queue_event(struct sim_conn *c, const uint8_t *body, uint32_t len)
{
	const char *path = (const char *)body;
	const char *end = path + len;
	const char *token;
	struct sim_event *e;

	token = memchr(path, '\0', len);
	if (!token || ++token >= end || !memchr(token, '\0', (size_t)(end - token)))
		return kill_conn(c, -EPROTO);
	if (c->nev >= SIM_EVENTS_MAX)
		return kill_conn(c, -ENOBUFS);

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->path = strdup(path);
	e->token = strdup(token);
	if (!e->path || !e->token) {
		free(e->path);
		free(e->token);
		free(e);
		return -ENOMEM;
	}
	*c->ev_tail = e;
	c->ev_tail = &e->next;
	if (c->nev++ == 0 && c->queue_fn)
		c->queue_fn(c->queue_opaque, true);
	return 0;
}

static int take_reply(struct sim_wait *w, const uint8_t *body, uint32_t len)
{
	char *copy = malloc((size_t)len + 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, body, len);
	copy[len] = '\0';
	w->reply->body = copy;
	w->reply->len = len;
	w->done = true;
	return 0;
}

/* Consume every complete message in the buffer; @w may be NULL. */
/* One message at @msg (of @avail bytes): 0 when incomplete, the bytes it
 * took when handled, or a negative errno. */
static ssize_t parse_one(struct sim_conn *c, struct sim_wait *w, const uint8_t *msg,
			 size_t avail)
{
	struct xsd_sockmsg h;
	size_t total;
	bool mine;
	int r = 0;

	memcpy(&h, msg, sizeof(h));
	if (h.len > SIM_CONN_MSG_MAX)
		return kill_conn(c, -EPROTO);
	mine = w && !w->done && h.req_id == w->req_id &&
	       (h.type == w->type || h.type == XS_ERROR);
	if (mine && !w->have_hdr) {
		w->have_hdr = true;
		w->is_error = h.type == XS_ERROR;
	}
	total = sizeof(h) + h.len;
	if (avail < total)
		return 0;
	if (mine)
		r = take_reply(w, msg + sizeof(h), h.len);
	else if (h.type == XS_WATCH_EVENT)
		r = queue_event(c, msg + sizeof(h), h.len);
	/* Anything else unsolicited carries nothing we need: skip it. */
	return r < 0 ? r : (ssize_t)total;
}

/* Handle every complete message in the buffer, then move what is left to
 * its start once (not after each message: a burst of watch events would
 * make that quadratic). */
static int parse(struct sim_conn *c, struct sim_wait *w)
{
	size_t off = 0;
	ssize_t n = 0;

	while (c->len - off >= sizeof(struct xsd_sockmsg)) {
		n = parse_one(c, w, c->buf + off, c->len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off) {
		memmove(c->buf, c->buf + off, c->len - off);
		c->len -= off;
	}
	return n < 0 ? (int)n : 0;
}

static int stash_fds(struct sim_conn *c, struct msghdr *m)
{
	bool overflow = false;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
		size_t k;
		int fds[SIM_FDS_PER_RECV];

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (k > SIM_FDS_PER_RECV)
			k = SIM_FDS_PER_RECV;
		memcpy(fds, CMSG_DATA(cm), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			if (c->nfd < SIM_FDQ_MAX)
				c->fdq[c->nfd++] = fds[i];
			else {
				close(fds[i]);
				overflow = true;
			}
		}
	}
	if (overflow || (m->msg_flags & MSG_CTRUNC))
		return kill_conn(c, -EPROTO);
	return 0;
}

/*
 * Wait up to @timeout_ms for the socket, then read what is there.
 * Return: 0 after reading (or an interrupted wait); -EAGAIN when nothing
 * came within @timeout_ms; a negative errno that killed the connection.
 */
static int recv_some(struct sim_conn *c, int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * SIM_FDS_PER_RECV)];
		struct cmsghdr align;
	} ctl;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct iovec iov;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : kill_conn(c, negative_errno());
	if (r == 0)
		return -EAGAIN;

	if (c->cap - c->len < SIM_RECV_CHUNK) {
		uint8_t *nb = realloc(c->buf, c->len + SIM_RECV_CHUNK);

		if (!nb)
			return kill_conn(c, -ENOMEM);
		c->buf = nb;
		c->cap = c->len + SIM_RECV_CHUNK;
	}
	iov.iov_base = c->buf + c->len;
	iov.iov_len = c->cap - c->len;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof(ctl.buf);

	n = recvmsg(c->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : kill_conn(c, negative_errno());
	r = stash_fds(c, &m);
	if (r < 0)
		return r;
	if (n == 0)
		return kill_conn(c, -ECONNRESET);
	c->len += (size_t)n;
	return 0;
}

static int remaining_ms(int64_t deadline)
{
	int64_t left = deadline - (int64_t)now_ms();

	return left > 0 ? (int)left : 0;
}

static int send_all(struct sim_conn *c, const uint8_t *p, size_t len, int64_t deadline)
{
	while (len > 0) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n >= 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return kill_conn(c, negative_errno());
		if (poll(&pfd, 1, remaining_ms(deadline)) == 0)
			return kill_conn(c, -ETIMEDOUT);
	}
	return 0;
}

/* Hand queued fds to the sink once the awaited reply is known good. */
static void feed_sink(struct sim_conn *c, struct sim_wait *w)
{
	struct sim_fd_sink *s = w->sink;
	unsigned int i = 0;

	if (!w->have_hdr || w->is_error || !s)
		return;
	for (; i < c->nfd && s->got < s->want; i++) {
		int r = s->take(s->opaque, s->got++, c->fdq[i]);

		if (r < 0 && s->err == 0)
			s->err = r;
	}
	memmove(c->fdq, c->fdq + i, (c->nfd - i) * sizeof(int));
	c->nfd -= i;
}

/**
 * sim_take_fd() - a sim_fd_sink take() that keeps the fds.
 * @opaque: an int array with room for the sink's @want fds.
 * @index: the fd's position in the reply.
 * @fd: the fd; the array's owner closes it.
 *
 * Return: 0.
 */
int sim_take_fd(void *opaque, unsigned int index, int fd)
{
	((int *)opaque)[index] = fd;
	return 0;
}

static int error_reply(struct sim_reply *r)
{
	int err = sim_errno_from_name(r->body);

	sim_reply_done(r);
	return err;
}

/* Wait until the reply and its fds are in, or the deadline passes. */
static int wait_reply(struct sim_conn *c, struct sim_wait *w, int64_t deadline)
{
	struct sim_fd_sink *s = w->sink;
	int r;

	for (;;) {
		r = parse(c, w);
		if (r < 0)
			return r;
		feed_sink(c, w);
		if (w->done) {
			/* Fds travel on the reply's own bytes (simproto.h): with
			 * its last byte read, every one of them has arrived, and
			 * leftovers can belong to nothing we asked for. */
			if (c->nfd > 0 || (!w->is_error && s && s->got != s->want))
				return kill_conn(c, -EPROTO);
			return 0;
		}
		if (c->dead)
			return c->dead;
		r = recv_some(c, remaining_ms(deadline));
		if (r == -EAGAIN)
			return kill_conn(c, -ETIMEDOUT);
		if (r < 0)
			return r;
	}
}

/**
 * sim_conn_call() - send one request and wait for its reply.
 * @c: the connection.
 * @type: XS_* or XSIM_* message type.
 * @tx: the XenStore transaction (0 for none).
 * @payload: @len bytes to send after the header.
 * @len: the payload's length.
 * @sink: where the reply's fds go (NULL when it carries none).
 * @ret: receives the reply body on success; release it with sim_reply_done().
 *
 * Context: blocks up to SIM_CONN_TIMEOUT_MS; queues watch events meanwhile.
 * A successful reply is returned even when @sink failed on some fd: the
 * caller must check @sink->err and undo what xensimd did (it needs the
 * reply for that, e.g. the refs of a share).
 * Return: 0; the errno of an XS_ERROR reply; -ETIMEDOUT, -EPROTO,
 * -ECONNRESET (the connection is dead afterwards); -ENOTCONN on a dead
 * connection.
 */
int sim_conn_call(struct sim_conn *c, uint32_t type, uint32_t tx, const void *payload,
		  size_t len, struct sim_fd_sink *sink, struct sim_reply *ret)
{
	int64_t deadline = (int64_t)now_ms() + SIM_CONN_TIMEOUT_MS;
	struct xsd_sockmsg h = { .type = type, .tx_id = tx, .len = (uint32_t)len };
	struct sim_wait w = { .type = type, .reply = ret, .sink = sink };
	_cleanup_free_ uint8_t *msg = NULL;
	int r;

	ret->body = NULL;
	ret->len = 0;
	if (c->dead)
		return c->dead;
	if (len > SIM_CONN_MSG_MAX)
		return -E2BIG;

	/* 0 is what xenstored uses for unsolicited messages; never use it. */
	if (++c->next_req_id == 0)
		c->next_req_id = 1;
	h.req_id = w.req_id = c->next_req_id;

	msg = malloc(sizeof(h) + len);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, &h, sizeof(h));
	if (len)
		memcpy(msg + sizeof(h), payload, len);
	r = send_all(c, msg, sizeof(h) + len, deadline);
	if (r < 0)
		return r;

	r = wait_reply(c, &w, deadline);
	if (r < 0) {
		sim_reply_done(ret);
		return r;
	}
	if (w.is_error)
		return error_reply(ret);
	return 0;
}

/**
 * sim_conn_read_event() - take the next watch event, reading the socket
 * without blocking first.
 * @c: the connection.
 * @ret_path: receives the event's path.
 * @ret_token: receives the event's token.
 *
 * Return: 0; -EAGAIN when no event is queued; -ENOTCONN (or the error that
 * just killed it) when the connection is dead and nothing is queued.
 */
int sim_conn_read_event(struct sim_conn *c, char **ret_path, char **ret_token)
{
	struct sim_event *e;
	int err = 0;

	while (!c->dead) {
		err = recv_some(c, 0);
		if (err == -EAGAIN) {
			err = 0;
			break;
		}
		if (err == 0)
			err = parse(c, NULL);
		if (err == 0 && c->nfd > 0)
			err = kill_conn(c, -EPROTO);
		if (err < 0)
			break;
	}

	e = c->ev_head;
	if (!e)
		return err < 0 ? err : c->dead ? c->dead : -EAGAIN;
	c->ev_head = e->next;
	if (!c->ev_head)
		c->ev_tail = &c->ev_head;
	if (--c->nev == 0 && c->queue_fn)
		c->queue_fn(c->queue_opaque, false);
	*ret_path = e->path;
	*ret_token = e->token;
	free(e);
	return 0;
}

/* Errno names xenstored and xensimd send in XS_ERROR, plus the few others
 * an errno-named reply may carry. */
static const struct {
	const char *name;
	int err;
} errno_names[] = {
	{ "EINVAL", EINVAL },	  { "EACCES", EACCES },	      { "EEXIST", EEXIST },
	{ "EISDIR", EISDIR },	  { "ENOENT", ENOENT },	      { "ENOMEM", ENOMEM },
	{ "ENOSPC", ENOSPC },	  { "EIO", EIO },	      { "ENOTEMPTY", ENOTEMPTY },
	{ "ENOSYS", ENOSYS },	  { "EROFS", EROFS },	      { "EBUSY", EBUSY },
	{ "EAGAIN", EAGAIN },	  { "EISCONN", EISCONN },     { "E2BIG", E2BIG },
	{ "EPERM", EPERM },	  { "EQUOTA", EDQUOT },	      { "EDQUOT", EDQUOT },
	{ "ESRCH", ESRCH },	  { "ENOTCONN", ENOTCONN },   { "EPROTO", EPROTO },
	{ "ENXIO", ENXIO },	  { "EBADF", EBADF },	      { "EFAULT", EFAULT },
	{ "ENODEV", ENODEV },	  { "ENOTSUP", ENOTSUP },     { "EOPNOTSUPP", EOPNOTSUPP },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EOVERFLOW", EOVERFLOW }, { "EMFILE", EMFILE },
	{ "ENFILE", ENFILE },	  { "ERANGE", ERANGE },	      { "ENOBUFS", ENOBUFS },
	{ "EMSGSIZE", EMSGSIZE }, { "ENAMETOOLONG", ENAMETOOLONG },
	{ "ECONNREFUSED", ECONNREFUSED },
};

/**
 * sim_errno_from_name() - the negative errno of an XS_ERROR payload.
 * @name: "EINVAL" and the like (or a decimal errno).
 *
 * Return: -errno; -EIO for a name we do not know, never 0.
 */
int sim_errno_from_name(const char *name)
{
	char *end;
	long v;

	if (!name)
		return -EIO;
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (strcmp(errno_names[i].name, name) == 0)
			return -errno_names[i].err;
	v = strtol(name, &end, 10);
	if (end != name && *end == '\0' && v > 0 && v < 4096)
		return -(int)v;
	return -EIO;
}
