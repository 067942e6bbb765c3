// SPDX-License-Identifier: MIT
/*
 * simd-conn.c - one client connection: reading requests off the stream,
 * dispatching them, and queueing replies, watch events and file
 * descriptors back.
 *
 * Every byte a client sends is untrusted: a header whose length exceeds
 * the bound of its message class closes the connection (the stream cannot
 * be resynchronised past it), anything else malformed is answered with
 * XS_ERROR. Output is queued per connection; a client that stops reading
 * first stops being read (its requests wait) and, if watch events keep
 * piling up beyond --max-queue, is disconnected, so no client can make
 * xensimd grow without bound.
 *
 * File descriptors are passed borrowed: a reply is written at once when
 * the socket takes it, and only what stays queued is dup()ed, so a large
 * grant batch does not need twice its fds in xensimd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "simd-int.h"

#define REQUESTS_PER_WAKEUP 64

static void conn_handle(struct simd_io *io, uint32_t events);

static void chunk_free(struct simd_chunk *ch)
{
	if (ch->fds_owned) {
		for (unsigned int i = 0; i < ch->nfds; i++)
			close(ch->fds[i]);
		free(ch->fds);
	}
	free(ch);
}

static void chunks_free(struct simd_chunk *ch)
{
	while (ch) {
		struct simd_chunk *next = ch->next;

		chunk_free(ch);
		ch = next;
	}
}

static uint32_t conn_events(const struct simd_conn *c)
{
	return (c->in_paused ? 0 : EPOLLIN) | (c->out_armed ? EPOLLOUT : 0);
}

static void conn_free(void *ptr)
{
	struct simd_conn *c = ptr;

	chunks_free(c->out_head);
	chunks_free(c->held_head);
	free(c->payload);
	free(c);
}

/**
 * simd_conn_accept() - take a new connection from a listening socket.
 * @srv: the server.
 * @lfd: the listening socket of domain @domid.
 * @domid: every request on the connection acts as this domain.
 *
 * Return: 0, or a negative errno (the listener stays usable).
 */
int simd_conn_accept(struct simd_server *srv, int lfd, uint32_t domid)
{
	struct simd_conn *c;
	int fd, r;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE) && srv->spare_fd >= 0) {
		/* Out of fds the pending connection would stay readable and
		 * spin the loop: accept it with the spare fd and drop it. */
		close(srv->spare_fd);
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0)
			close(fd);
		srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return -EMFILE;
	}
	if (fd < 0)
		return -errno;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->io.fd = fd;
	c->io.handle = conn_handle;
	c->srv = srv;
	c->id = srv->next_conn_id++;
	c->domid = domid;
	c->privileged = domid == 0;
	c->out_tail = &c->out_head;
	c->held_tail = &c->held_head;
	r = simd_epoll_add(srv, &c->io, EPOLLIN);
	if (r < 0) {
		close(fd);
		free(c);
		return r;
	}
	c->next = srv->conns;
	srv->conns = c;
	if (srv->verbose)
		simd_log("dom%u: connection %llu", domid, (unsigned long long)c->id);
	return 0;
}

/**
 * simd_conn_find() - a live connection by id.
 * @srv: the server.
 * @id: the id the XenStore model and the tables know it by.
 *
 * Return: the connection, or NULL when it is gone.
 */
struct simd_conn *simd_conn_find(struct simd_server *srv, uint64_t id)
{
	for (struct simd_conn *c = srv->conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/**
 * simd_conn_close() - end a connection and release what it held.
 * @c: the connection; freed after the current batch of events.
 * @why: logged.
 *
 * Its watches and transactions are forgotten, its event channels closed
 * (their peers' ports become unbound), its mappings dropped and the grants
 * it shared revoked, as when a process holding /dev/xen handles dies.
 */
void simd_conn_close(struct simd_conn *c, const char *why)
{
	struct simd_server *srv = c->srv;
	struct simd_conn **pp;

	if (c->dead)
		return;
	c->dead = true;
	if (srv->verbose || strcmp(why, "closed by peer") != 0)
		simd_log("dom%u: connection %llu closed: %s", c->domid,
			 (unsigned long long)c->id, why);
	for (pp = &srv->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	simd_epoll_del(srv, &c->io);
	close(c->io.fd);
	c->io.fd = -1;
	xs_model_conn_gone(srv->xs, c->id);
	simd_xs_forget_watches(c);
	simd_evtchn_conn_gone(c);
	simd_grant_conn_gone(c);
	if (srv->current == c)
		srv->current = NULL;
	simd_defer_free(srv, c, conn_free);
}

/* A connection that failed inside a callback of the XenStore model cannot
 * be closed there (the model is mid-operation); it is closed after the
 * event being handled. */
static void conn_doom(struct simd_conn *c, const char *why)
{
	if (!c->doomed) {
		c->doomed = why;
		c->srv->doomed_pending = true;
	}
}

/**
 * simd_conn_reap_doomed() - close the connections doomed meanwhile.
 * @srv: the server.
 */
void simd_conn_reap_doomed(struct simd_server *srv)
{
	bool again = true;

	if (!srv->doomed_pending)
		return;
	srv->doomed_pending = false;
	while (again) {
		again = false;
		for (struct simd_conn *c = srv->conns; c; c = c->next) {
			if (c->doomed) {
				simd_conn_close(c, c->doomed);
				again = true;
				break;
			}
		}
	}
}

static void own_queued_fds(struct simd_conn *c)
{
	for (struct simd_chunk *ch = c->out_head; ch; ch = ch->next) {
		int *fds;

		if (ch->fds_owned || !ch->nfds)
			continue;
		fds = malloc(ch->nfds * sizeof(*fds));
		if (!fds) {
			ch->nfds = 0;
			conn_doom(c, "out of memory for queued fds");
			continue;
		}
		for (unsigned int i = 0; i < ch->nfds; i++) {
			fds[i] = fcntl(ch->fds[i], F_DUPFD_CLOEXEC, 0);
			if (fds[i] < 0) {
				while (i--)
					close(fds[i]);
				free(fds);
				fds = NULL;
				break;
			}
		}
		if (!fds) {
			ch->nfds = 0;
			conn_doom(c, "cannot keep queued fds");
			continue;
		}
		ch->fds = fds;
		ch->fds_owned = true;
	}
}

static int send_chunk(struct simd_conn *c, struct simd_chunk *ch)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(XSIM_FDS_PER_SEND * sizeof(int))];
	} u;
	struct iovec iov = { ch->data + ch->off, ch->len - ch->off };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (ch->nfds) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(ch->nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(ch->nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), ch->fds, ch->nfds * sizeof(int));
	}
	n = sendmsg(c->io.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (ch->nfds) {
		/* the fds went with the first byte sent */
		if (ch->fds_owned) {
			for (unsigned int i = 0; i < ch->nfds; i++)
				close(ch->fds[i]);
			free(ch->fds);
		}
		ch->fds = NULL;
		ch->nfds = 0;
		ch->fds_owned = false;
	}
	ch->off += (size_t)n;
	c->out_bytes -= (size_t)n;
	return 0;
}

static void conn_update_events(struct simd_conn *c, bool armed, bool paused)
{
	if (c->dead || (armed == c->out_armed && paused == c->in_paused))
		return;
	c->out_armed = armed;
	c->in_paused = paused;
	simd_epoll_mod(c->srv, &c->io, conn_events(c));
}

static void conn_flush(struct simd_conn *c)
{
	int r = 0;

	while (c->out_head && !c->dead && !c->doomed) {
		struct simd_chunk *ch = c->out_head;

		r = send_chunk(c, ch);
		if (r < 0)
			break;
		if (ch->off == ch->len) {
			c->out_head = ch->next;
			if (!c->out_head)
				c->out_tail = &c->out_head;
			chunk_free(ch);
		}
	}
	if (r < 0 && r != -EAGAIN && r != -EINTR) {
		conn_doom(c, "write failed");
		return;
	}
	conn_update_events(c, c->out_head != NULL,
			   c->in_paused && c->out_bytes >= SIMD_OUTQ_SOFT / 2);
}

/* Split header + payload into chunks, each carrying at most
 * XSIM_FDS_PER_SEND fds on at least one byte (simproto.h). */
static struct simd_chunk *build_chunks(const struct xsd_sockmsg *hdr, const void *payload,
				       const int *fds, unsigned int nfds)
{
	unsigned int nchunks = nfds ? (nfds + XSIM_FDS_PER_SEND - 1) / XSIM_FDS_PER_SEND : 1;
	size_t total = sizeof(*hdr) + hdr->len, pos = 0;
	struct simd_chunk *head = NULL, **tail = &head;

	if (total < nchunks)
		return NULL;
	for (unsigned int k = 0; k < nchunks; k++) {
		size_t n = k == 0 ? total - (nchunks - 1) : 1;
		struct simd_chunk *ch = calloc(1, sizeof(*ch) + n);

		if (!ch) {
			chunks_free(head);
			return NULL;
		}
		for (size_t i = 0; i < n; i++, pos++)
			ch->data[i] = pos < sizeof(*hdr) ?
				((const unsigned char *)hdr)[pos] :
				((const unsigned char *)payload)[pos - sizeof(*hdr)];
		ch->len = n;
		if (nfds) {
			ch->fds = (int *)fds + k * XSIM_FDS_PER_SEND;
			ch->nfds = nfds - k * XSIM_FDS_PER_SEND;
			if (ch->nfds > XSIM_FDS_PER_SEND)
				ch->nfds = XSIM_FDS_PER_SEND;
		}
		*tail = ch;
		tail = &ch->next;
	}
	return head;
}

static void append_chunks(struct simd_conn *c, struct simd_chunk *head, bool held)
{
	struct simd_chunk ***tailp = held ? &c->held_tail : &c->out_tail;

	for (struct simd_chunk *ch = head; ch; ch = ch->next) {
		**tailp = ch;
		*tailp = &ch->next;
		if (!held)
			c->out_bytes += ch->len;
	}
}

/**
 * simd_conn_send() - queue a message and write what the socket takes.
 * @c: the connection.
 * @req: the request answered (its req_id and tx_id are echoed), or NULL.
 * @type: the message type.
 * @payload: @len bytes.
 * @len: payload length.
 * @fds: @nfds descriptors to pass, borrowed: dup()ed only if they must
 *	wait in the queue.
 * @nfds: how many.
 *
 * Return: 0, or a negative errno (the connection is then doomed).
 */
int simd_conn_send(struct simd_conn *c, const struct xsd_sockmsg *req, uint32_t type,
		   const void *payload, size_t len, const int *fds, unsigned int nfds)
{
	struct xsd_sockmsg hdr = {
		.type = type,
		.req_id = req ? req->req_id : 0,
		.tx_id = req ? req->tx_id : 0,
		.len = (uint32_t)len,
	};
	struct simd_chunk *head;

	if (c->dead || c->doomed)
		return -ENOTCONN;
	head = build_chunks(&hdr, payload, fds, nfds);
	if (!head) {
		conn_doom(c, "out of memory for a reply");
		return -ENOMEM;
	}
	append_chunks(c, head, false);
	conn_flush(c);
	own_queued_fds(c);
	return c->doomed ? -ENOTCONN : 0;
}

/**
 * simd_conn_send_error() - answer @req with XS_ERROR and an errno name.
 * @c: the connection.
 * @req: the request.
 * @err: a positive errno.
 * @xs_table_only: answer only names of xenstored's table (XS_* requests):
 *	EDQUOT becomes ENOSPC, anything else unknown EINVAL, as xenstored
 *	sends them.
 *
 * Return: as simd_conn_send().
 */
int simd_conn_send_error(struct simd_conn *c, const struct xsd_sockmsg *req, int err,
			 bool xs_table_only)
{
	const char *name = NULL;

	if (xs_table_only) {
		if (err == EDQUOT)
			err = ENOSPC;
		for (size_t i = 0; i < SIMD_ARRAY_SIZE(xsd_errors); i++)
			if (xsd_errors[i].errnum == err)
				name = xsd_errors[i].errstring;
	} else {
		name = simd_errno_name(err);
	}
	if (!name)
		name = "EINVAL";
	return simd_conn_send(c, req, XS_ERROR, name, strlen(name) + 1, NULL, 0);
}

/**
 * simd_conn_watch_event() - queue an XS_WATCH_EVENT for @c.
 * @c: the watching connection.
 * @path: the event path.
 * @token: the watch's token.
 *
 * Called from inside the XenStore model: a connection whose queue is over
 * its cap is only doomed here. While @c's own request is being handled
 * the event is held back and follows the reply.
 */
void simd_conn_watch_event(struct simd_conn *c, const char *path, const char *token)
{
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
	struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .len = (uint32_t)(pl + tl) };
	struct simd_chunk *ch;

	if (c->dead || c->doomed)
		return;
	if (c->out_bytes + sizeof(hdr) + pl + tl > c->srv->outq_max) {
		conn_doom(c, "not reading its watch events");
		return;
	}
	ch = malloc(sizeof(*ch) + sizeof(hdr) + pl + tl);
	if (!ch) {
		conn_doom(c, "out of memory for a watch event");
		return;
	}
	memset(ch, 0, sizeof(*ch));
	ch->len = sizeof(hdr) + pl + tl;
	memcpy(ch->data, &hdr, sizeof(hdr));
	memcpy(ch->data + sizeof(hdr), path, pl);
	memcpy(ch->data + sizeof(hdr) + pl, token, tl);
	if (c->holding) {
		append_chunks(c, ch, true);
		return;
	}
	append_chunks(c, ch, false);
	conn_flush(c);
}

/**
 * simd_conn_release_held() - send the events held during a request.
 * @c: the connection whose request was answered.
 */
void simd_conn_release_held(struct simd_conn *c)
{
	struct simd_chunk *head = c->held_head;

	c->holding = false;
	c->held_head = NULL;
	c->held_tail = &c->held_head;
	if (!head)
		return;
	if (c->dead || c->doomed) {
		chunks_free(head);
		return;
	}
	append_chunks(c, head, false);
	conn_flush(c);
}

static bool is_xsim_type(uint32_t type)
{
	return type >= XSIM_HELLO && type < _XSIM_TYPE_MAX;
}

static void dispatch(struct simd_conn *c)
{
	const struct xsd_sockmsg *h = &c->hdr;
	const unsigned char *p = c->payload;

	c->srv->current = c;
	c->holding = true;
	if (h->type < XS_TYPE_COUNT)
		simd_xs_handle(c, h, (const char *)p);
	else if (h->type == XSIM_HELLO || h->type == XSIM_FAULT)
		simd_fault_handle(c, h, p);
	else if (h->type >= XSIM_GNT_SHARE && h->type <= XSIM_GNT_UNMAP)
		simd_grant_handle(c, h, p);
	else if (h->type >= XSIM_EVT_ALLOC_UNBOUND && h->type <= XSIM_EVT_RESTRICT)
		simd_evtchn_handle(c, h, p);
	else if (is_xsim_type(h->type))
		simd_domain_handle(c, h, p);
	else
		simd_conn_send_error(c, h, EINVAL, true);
	c->srv->current = NULL;
	if (!c->dead)
		simd_conn_release_held(c);
}

/* Read what is available of the current message.
 * Return: 1 when a whole message is in, 0 when more is needed, or a
 * negative errno / -EPIPE at end of stream / -EMSGSIZE for an oversized
 * header. */
static int read_message(struct simd_conn *c)
{
	ssize_t n;

	if (c->hdr_got < sizeof(c->hdr)) {
		n = read(c->io.fd, (char *)&c->hdr + c->hdr_got, sizeof(c->hdr) - c->hdr_got);
		if (n <= 0)
			return n == 0 ? -EPIPE : -errno;
		c->hdr_got += (size_t)n;
		if (c->hdr_got < sizeof(c->hdr))
			return 0;
		if (c->hdr.len > (is_xsim_type(c->hdr.type) ? XSIM_MSG_MAX :
				  XENSTORE_PAYLOAD_MAX))
			return -EMSGSIZE;
		/* one spare byte keeps every payload NUL-terminated */
		c->payload = calloc(1, c->hdr.len + 1);
		if (!c->payload)
			return -ENOMEM;
		c->payload_got = 0;
	}
	if (c->payload_got < c->hdr.len) {
		n = read(c->io.fd, c->payload + c->payload_got, c->hdr.len - c->payload_got);
		if (n <= 0)
			return n == 0 ? -EPIPE : -errno;
		c->payload_got += (size_t)n;
	}
	return c->payload_got == c->hdr.len;
}

static void conn_read(struct simd_conn *c)
{
	for (int i = 0; i < REQUESTS_PER_WAKEUP && !c->dead && !c->doomed; i++) {
		int r = read_message(c);

		if (r == 0 || r == -EAGAIN || r == -EINTR)
			return;
		if (r < 0) {
			simd_conn_close(c, r == -EPIPE ? "closed by peer" :
				       r == -EMSGSIZE ? "message too long" : strerror(-r));
			return;
		}
		dispatch(c);
		free(c->payload);
		c->payload = NULL;
		c->hdr_got = 0;
		if (c->dead || c->doomed)
			return;
		if (c->out_bytes >= SIMD_OUTQ_SOFT) {
			/* answer no more until it reads what it asked for */
			conn_update_events(c, true, true);
			return;
		}
	}
}

static void conn_handle(struct simd_io *io, uint32_t events)
{
	struct simd_conn *c = (struct simd_conn *)io;

	if (c->dead)
		return;
	if (events & EPOLLERR) {
		simd_conn_close(c, "socket error");
		return;
	}
	if (events & EPOLLOUT)
		conn_flush(c);
	if ((events & EPOLLIN) && !c->in_paused)
		conn_read(c);
	if (!c->dead && (events & EPOLLHUP) && c->in_paused)
		simd_conn_close(c, "closed by peer");
}
