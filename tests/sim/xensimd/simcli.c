// SPDX-License-Identifier: MIT
/*
 * simcli.c - the raw xensimd client of the simulator's tests (simcli.h).
 *
 * Errors are decoded from the names xensimd sends with glibc's
 * strerrorname_np(), independently of xensimd's own table.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2, strerrorname_np */
#endif
#include "simcli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtest.h"

static int errno_of(const char *name)
{
	for (int e = 1; e < 200; e++) {
		const char *n = strerrorname_np(e);

		if (n && strcmp(n, name) == 0)
			return e;
	}
	return EPROTO;
}

int simcli_open(struct simcli *c, const char *dir, uint32_t domid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	memset(c, 0, sizeof(*c));
	c->domid = domid;
	c->next_req = 1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom%u.sock", dir, domid);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(c->fd);
		c->fd = -1;
		return r;
	}
	return 0;
}

void simcli_drop_events(struct simcli *c)
{
	for (unsigned int i = 0; i < c->nev; i++) {
		free(c->ev_path[i]);
		free(c->ev_token[i]);
	}
	c->nev = 0;
}

void simcli_close(struct simcli *c)
{
	simcli_drop_events(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int simcli_write(struct simcli *c, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(c->fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

int simcli_send(struct simcli *c, uint32_t type, uint32_t tx, const void *payload,
		size_t len)
{
	struct xsd_sockmsg h = {
		.type = type, .req_id = c->next_req++, .tx_id = tx, .len = (uint32_t)len,
	};
	int r = simcli_write(c, &h, sizeof(h));

	return r == 0 && len ? simcli_write(c, payload, len) : r;
}

/* Read exactly @len bytes, collecting passed fds into @r. */
static int recv_bytes(struct simcli *c, void *buf, size_t len, struct simcli_reply *r)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(256 * sizeof(int))];
	} u;
	size_t got = 0;

	while (got < len) {
		struct iovec iov = { (char *)buf + got, len - got };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = u.b, .msg_controllen = sizeof(u.b) };
		ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		if (msg.msg_flags & MSG_CTRUNC)
			return -EMSGSIZE;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			unsigned int k = (unsigned int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			r->fds = realloc(r->fds, (r->nfds + k) * sizeof(int));
			if (!r->fds)
				return -ENOMEM;
			memcpy(r->fds + r->nfds, CMSG_DATA(cm), k * sizeof(int));
			r->nfds += k;
		}
		got += (size_t)n;
	}
	return 0;
}

int simcli_recv(struct simcli *c, struct simcli_reply *r)
{
	int e;

	memset(r, 0, sizeof(*r));
	e = recv_bytes(c, &r->h, sizeof(r->h), r);
	if (e < 0)
		return e;
	r->data = calloc(1, (size_t)r->h.len + 1);
	if (!r->data)
		return -ENOMEM;
	return recv_bytes(c, r->data, r->h.len, r);
}

void simcli_reply_free(struct simcli_reply *r)
{
	free(r->data);
	free(r->fds);
	memset(r, 0, sizeof(*r));
}

static void queue_event(struct simcli *c, const struct simcli_reply *r)
{
	const char *path = (const char *)r->data;
	size_t pl = strnlen(path, r->h.len);

	ASSERT_TRUE(pl < r->h.len);
	ASSERT_TRUE(c->nev < SIMCLI_MAX_EVENTS);
	c->ev_path[c->nev] = strdup(path);
	c->ev_token[c->nev] = strdup(path + pl + 1);
	c->nev++;
}

int simcli_call(struct simcli *c, uint32_t type, uint32_t tx, const void *payload,
		size_t len, struct simcli_reply *r)
{
	struct simcli_reply tmp;
	uint32_t id = c->next_req;
	int e;

	if (!r)
		r = &tmp;
	e = simcli_send(c, type, tx, payload, len);
	while (e == 0) {
		e = simcli_recv(c, r);
		if (e < 0)
			break;
		if (r->h.type == XS_WATCH_EVENT) {
			queue_event(c, r);
			simcli_reply_free(r);
			continue;
		}
		ASSERT_EQ_U(r->h.req_id, id);
		if (r->h.type == XS_ERROR) {
			e = -errno_of((const char *)r->data);
			simcli_reply_free(r);
			break;
		}
		ASSERT_EQ_U(r->h.type, type);
		if (r == &tmp)
			simcli_reply_free(r);
		return 0;
	}
	if (r != &tmp)
		memset(r, 0, sizeof(*r));
	return e;
}

void simcli_event(struct simcli *c, char **path, char **token)
{
	while (c->nev == 0) {
		struct simcli_reply r;

		ASSERT_OK(simcli_recv(c, &r));
		ASSERT_EQ_U(r.h.type, XS_WATCH_EVENT);
		ASSERT_EQ_U(r.h.req_id, 0);
		queue_event(c, &r);
		simcli_reply_free(&r);
	}
	*path = c->ev_path[0];
	*token = c->ev_token[0];
	c->nev--;
	memmove(c->ev_path, c->ev_path + 1, c->nev * sizeof(char *));
	memmove(c->ev_token, c->ev_token + 1, c->nev * sizeof(char *));
}

unsigned int simcli_sync_events(struct simcli *c)
{
	/* any request will do; its reply follows every earlier event */
	ASSERT_OK(simcli_call(c, XS_GET_DOMAIN_PATH, 0, "0", 2, NULL));
	return c->nev;
}

int simcli_xs_write(struct simcli *c, const char *path, const char *value)
{
	size_t pl = strlen(path) + 1, vl = strlen(value);
	char *buf = malloc(pl + vl + 1);
	int r;

	ASSERT_NOT_NULL(buf);
	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vl);
	r = simcli_call(c, XS_WRITE, 0, buf, pl + vl, NULL);
	free(buf);
	return r;
}

int simcli_xs_read(struct simcli *c, const char *path, char *buf, size_t bufsz)
{
	struct simcli_reply r;
	int e = simcli_call(c, XS_READ, 0, path, strlen(path) + 1, &r);

	if (e < 0)
		return e;
	snprintf(buf, bufsz, "%s", (const char *)r.data);
	simcli_reply_free(&r);
	return 0;
}

int simcli_xs_watch(struct simcli *c, const char *path, const char *token)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s%c%s", path, '\0', token);

	return simcli_call(c, XS_WATCH, 0, buf, (size_t)n + 1, NULL);
}

int simcli_xs_perms(struct simcli *c, const char *path, char *buf, size_t bufsz)
{
	struct simcli_reply r;
	size_t out = 0;
	int e = simcli_call(c, XS_GET_PERMS, 0, path, strlen(path) + 1, &r);

	if (e < 0)
		return e;
	buf[0] = '\0';
	for (size_t off = 0; off < r.h.len; off += strlen((char *)r.data + off) + 1)
		out += (size_t)snprintf(buf + out, bufsz - out, "%s%s", out ? "," : "",
					(char *)r.data + off);
	simcli_reply_free(&r);
	return 0;
}

static void take_fds(struct simcli_reply *r, int *fds, unsigned int want)
{
	ASSERT_EQ(r->nfds, want);
	if (fds)
		memcpy(fds, r->fds, want * sizeof(int));
	else
		for (unsigned int i = 0; i < want; i++)
			close(r->fds[i]);
}

int simcli_share(struct simcli *c, uint32_t grantee, uint32_t count, bool readonly,
		 uint32_t *refs, int *fds)
{
	uint32_t req[3] = { grantee, count, readonly ? XSIM_GNT_READONLY : 0 };
	struct simcli_reply r;
	int e = simcli_call(c, XSIM_GNT_SHARE, 0, req, sizeof(req), &r);

	if (e < 0)
		return e;
	ASSERT_EQ(r.h.len, count * sizeof(uint32_t));
	memcpy(refs, r.data, count * sizeof(uint32_t));
	take_fds(&r, fds, count);
	simcli_reply_free(&r);
	return 0;
}

int simcli_map(struct simcli *c, uint32_t granter, const uint32_t *refs, uint32_t count,
	       bool writable, uint64_t *map_id, int *fds)
{
	size_t len = (3 + (size_t)count) * sizeof(uint32_t);
	uint32_t *req = malloc(len);
	struct simcli_reply r;
	int e;

	ASSERT_NOT_NULL(req);
	req[0] = granter;
	req[1] = count;
	req[2] = writable ? XSIM_GNT_WRITABLE : 0;
	memcpy(req + 3, refs, count * sizeof(uint32_t));
	e = simcli_call(c, XSIM_GNT_MAP, 0, req, len, &r);
	free(req);
	if (e < 0)
		return e;
	ASSERT_GE(r.h.len, sizeof(*map_id));
	memcpy(map_id, r.data, sizeof(*map_id));
	take_fds(&r, fds, count);
	simcli_reply_free(&r);
	return 0;
}

int simcli_u32_call(struct simcli *c, uint32_t type, const uint32_t *args, unsigned int n)
{
	return simcli_call(c, type, 0, args, n * sizeof(uint32_t), NULL);
}

int simcli_evt(struct simcli *c, uint32_t type, const uint32_t *args, unsigned int n,
	       uint32_t *port, int fds[2])
{
	struct simcli_reply r;
	int e = simcli_call(c, type, 0, args, n * sizeof(uint32_t), &r);

	if (e < 0)
		return e;
	ASSERT_EQ(r.h.len, sizeof(*port));
	memcpy(port, r.data, sizeof(*port));
	take_fds(&r, fds, 2);
	simcli_reply_free(&r);
	return 0;
}

int simcli_mappings(struct simcli *c, uint32_t domid, uint32_t *by, uint32_t *of)
{
	struct simcli_reply r;
	int e = simcli_call(c, XSIM_MAPPINGS, 0, &domid, sizeof(domid), &r);

	if (e < 0)
		return e;
	ASSERT_EQ(r.h.len, 2 * sizeof(uint32_t));
	memcpy(by, r.data, sizeof(*by));
	memcpy(of, r.data + sizeof(*by), sizeof(*of));
	simcli_reply_free(&r);
	return 0;
}

int simcli_dominfo(struct simcli *c, uint32_t domid, uint32_t *flags)
{
	struct xsim_dominfo info;
	struct simcli_reply r;
	int e = simcli_call(c, XSIM_DOMAIN_INFO, 0, &domid, sizeof(domid), &r);

	if (e < 0)
		return e;
	ASSERT_EQ(r.h.len, sizeof(info));
	memcpy(&info, r.data, sizeof(info));
	ASSERT_EQ_U(info.domid, domid);
	*flags = info.flags;
	simcli_reply_free(&r);
	return 0;
}

static _Noreturn void exec_with_store(const char *dir, uint32_t domid,
				      const char *const *argv, int out_fd)
{
	char path[300];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(path, sizeof(path), "%s/dom%u.sock", dir, domid);
	setenv("XENSTORED_PATH", path, 1);
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

pid_t simcli_spawn(const char *dir, uint32_t domid, const char *const *argv, int *ret_fd)
{
	int p[2];
	pid_t pid;

	ASSERT_OK(pipe2(p, O_CLOEXEC));
	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		exec_with_store(dir, domid, argv, p[1]);
	close(p[1]);
	*ret_fd = p[0];
	return pid;
}

int simcli_line(int fd, char *buf, size_t bufsz)
{
	size_t n = 0;

	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n ? (int)n : -1;
		if (ch == '\n')
			break;
		if (n + 1 < bufsz)
			buf[n++] = ch;
	}
	buf[n] = '\0';
	return (int)n;
}

void simcli_reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

int simcli_run(const char *dir, uint32_t domid, char *out, size_t outsz,
	       const char *const *argv)
{
	size_t got = 0;
	int fd, status;
	pid_t pid = simcli_spawn(dir, domid, argv, &fd);

	for (;;) {
		char tmp[4096];
		ssize_t n = read(fd, tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && got + 1 < outsz; i++)
			out[got++] = tmp[i];
	}
	if (outsz)
		out[got] = '\0';
	close(fd);
	while (waitpid(pid, &status, 0) < 0)
		ASSERT_EQ(errno, EINTR);
	ASSERT_TRUE(WIFEXITED(status));
	return WEXITSTATUS(status);
}
