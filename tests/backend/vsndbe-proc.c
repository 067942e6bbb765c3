// SPDX-License-Identifier: MIT
/*
 * vsndbe-proc.c - the vsndbe binary as a child of a test (vsndbe-proc.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "vsndbe-proc.h"
#include "vtest.h"

const char *vsndbe_proc_path(void)
{
	const char *p = getenv("VTEST_VSNDBE");

	if (!p || !*p)
		vtest_skip("$VTEST_VSNDBE is not set: run the test through meson");
	if (access(p, X_OK) < 0)
		vtest_skip("VTEST_VSNDBE=%s: not built (%s)", p, strerror(errno));
	return p;
}

/* Start vsndbe with @args (NULL-terminated); pipe its stderr if @err. */
void vsndbe_proc_spawn(struct vsndbe_proc *c, const char *const *args, bool err)
{
	const char *argv[16] = { "vsndbe" };
	int out[2], e[2] = { -1, -1 };
	const char *path = vsndbe_proc_path();
	unsigned int n = 1;

	c->log_len = 0;
	c->log[0] = '\0';
	while (*args && n < ARRAY_SIZE(argv) - 1)
		argv[n++] = *args++;
	ASSERT_OK(pipe2(out, O_CLOEXEC));
	if (err)
		ASSERT_OK(pipe2(e, O_CLOEXEC));
	c->pid = fork();
	ASSERT_GE(c->pid, 0);
	if (c->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		if (err)
			dup2(e[1], STDERR_FILENO);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	if (err)
		close(e[1]);
	c->out = out[0];
	c->err = e[0];
}

/* Read @fd until EOF into @buf (NUL-terminated); fail after VSNDBE_PROC_WAIT_MS. */
size_t vsndbe_proc_read_all(int fd, char *buf, size_t size)
{
	uint64_t deadline = now_ms() + VSNDBE_PROC_WAIT_MS;
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "no EOF from vsndbe");
		if (poll(&p, 1, 1000) <= 0)
			continue;
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		ASSERT_GE(r, 0);
		if (r == 0 || len + (size_t)r >= size - 1) {
			len += (size_t)r;
			buf[len] = '\0';
			return len;
		}
		len += (size_t)r;
	}
}

/* Wait for the one line "vsndbe ready" on its stdout. */
void vsndbe_proc_wait_ready(struct vsndbe_proc *c)
{
	uint64_t deadline = now_ms() + VSNDBE_PROC_WAIT_MS;
	char line[64];
	size_t len = 0;

	while (!memchr(line, '\n', len)) {
		struct pollfd p = { .fd = c->out, .events = POLLIN };
		ssize_t r;

		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "vsndbe never got ready");
		if (poll(&p, 1, 1000) <= 0)
			continue;
		r = read(c->out, line + len, sizeof(line) - 1 - len);
		if (r <= 0)
			vtest_fail(__FILE__, __LINE__, "vsndbe closed its stdout before ready");
		len += (size_t)r;
	}
	line[len] = '\0';
	ASSERT_STREQ(line, "vsndbe ready\n");
}

/* Wait for vsndbe to end (its stdout reaches EOF); return its status. */
int vsndbe_proc_reap(struct vsndbe_proc *c)
{
	char rest[256];
	int status;

	vsndbe_proc_read_all(c->out, rest, sizeof(rest));
	close(c->out);
	ASSERT_EQ(waitpid(c->pid, &status, 0), c->pid);
	return status;
}

/* Run vsndbe with @args to its end; return the status and its stderr. */
int vsndbe_proc_run(const char *const *args, char *err, size_t size)
{
	struct vsndbe_proc c;

	vsndbe_proc_spawn(&c, args, true);
	vsndbe_proc_read_all(c.err, err, size);
	close(c.err);
	return vsndbe_proc_reap(&c);
}

/* The data chunk of a WAV file, malloc'ed. */
uint8_t *vsndbe_wav_data(const char *path, uint32_t *ret_len)
{
	static uint8_t file[8 << 20];
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


/* A whole line holding @needle in c->log; drop the log up to its end. */
static bool log_take(struct vsndbe_proc *c, const char *needle)
{
	char *hit = strstr(c->log, needle), *eol;

	if (!hit || !(eol = strchr(hit, '\n')))
		return false;
	eol++;
	c->log_len -= (size_t)(eol - c->log);
	memmove(c->log, eol, c->log_len + 1);
	return true;
}

bool vsndbe_proc_wait_log(struct vsndbe_proc *c, const char *needle, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	c->log[c->log_len] = '\0';
	while (!log_take(c, needle)) {
		struct pollfd p = { .fd = c->err, .events = POLLIN };
		ssize_t r;

		if (now_ms() >= end)
			return false;
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (c->log_len + 1 >= sizeof(c->log)) {
			/* Keep the last half: a line is far shorter. */
			memmove(c->log, c->log + sizeof(c->log) / 2, c->log_len - sizeof(c->log) / 2);
			c->log_len -= sizeof(c->log) / 2;
		}
		r = read(c->err, c->log + c->log_len, sizeof(c->log) - 1 - c->log_len);
		if (r <= 0)
			return false;
		c->log_len += (size_t)r;
		c->log[c->log_len] = '\0';
	}
	return true;
}

/* The parent of @pid from /proc/PID/stat, or -1 when it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything but ")". */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

int vsndbe_proc_children(pid_t pid, pid_t *kids, int max)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir("/proc");

	ASSERT_NOT_NULL(d);
	while ((e = readdir(d))) {
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (*end || v <= 0 || parent_of((pid_t)v) != pid)
			continue;
		if (n < max)
			kids[n] = (pid_t)v;
		n++;
	}
	closedir(d);
	return n;
}

int vsndbe_proc_own_grant_maps(pid_t pid, uint32_t domid)
{
	char path[64], line[512], needle[32];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (domid == VSNDBE_PROC_ANY_DOMAIN)
		snprintf(needle, sizeof(needle), "/memfd:dom");
	else
		snprintf(needle, sizeof(needle), "/memfd:dom%u-gref", domid);
	f = fopen(path, "re");
	if (!f)
		return 0; /* a worker that just exited maps nothing */
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

int vsndbe_proc_grant_maps(pid_t pid, uint32_t domid)
{
	pid_t kids[64];
	int k = vsndbe_proc_children(pid, kids, (int)ARRAY_SIZE(kids));
	int n = vsndbe_proc_own_grant_maps(pid, domid);

	ASSERT_LE(k, (int)ARRAY_SIZE(kids));
	for (int i = 0; i < k; i++)
		n += vsndbe_proc_grant_maps(kids[i], domid);
	return n;
}

int vsndbe_proc_fds(pid_t pid)
{
	pid_t kids[64];
	int k = vsndbe_proc_children(pid, kids, (int)ARRAY_SIZE(kids)), n = 0;
	char path[64];
	DIR *d;

	ASSERT_LE(k, (int)ARRAY_SIZE(kids));
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d) {
		while (readdir(d))
			n++;
		closedir(d);
	}
	for (int i = 0; i < k; i++)
		n += vsndbe_proc_fds(kids[i]);
	return n;
}

void vsndbe_world_begin(struct vsndbe_world *w)
{
	memset(w, 0, sizeof(*w));
	vsndbe_proc_path();
	snprintf(w->dir, sizeof(w->dir), "/tmp/test-vsndbe-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(w->dir));
	snprintf(w->sink, sizeof(w->sink), "--sink=file:%s/dom%%u-%%u-%%u.wav", w->dir);
	vtest_simd_start(&w->sim);
	snprintf(w->xen, sizeof(w->xen), "--xen=%s", w->sim.spec);
	ASSERT_OK(xenif_open(w->sim.spec, 0, &w->ts));
}

void vsndbe_world_guest(struct vsndbe_world *w, const struct fetree *t, const char *name)
{
	vtest_simd_domain_create(&w->sim, t->guest, name);
	ASSERT_OK(fetree_write(w->ts, t));
}

const char *vsndbe_world_wav(const struct vsndbe_world *w, uint32_t domid, char *buf,
			     size_t size)
{
	snprintf(buf, size, "%s/dom%u-0-0.wav", w->dir, domid);
	return buf;
}

void vsndbe_world_end(struct vsndbe_world *w)
{
	struct dirent *e;
	DIR *d;

	w->ts = xenif_close(w->ts);
	vtest_simd_stop(&w->sim);
	d = opendir(w->dir);
	ASSERT_NOT_NULL(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			ASSERT_OK(unlinkat(dirfd(d), e->d_name, 0));
	closedir(d);
	ASSERT_OK(rmdir(w->dir));
}

void vsndbe_proc_stop(struct vsndbe_proc *c)
{
	int status;

	ASSERT_OK(kill(c->pid, SIGTERM));
	if (c->err >= 0) {
		vsndbe_proc_read_all(c->err, c->log, sizeof(c->log));
		close(c->err);
		c->err = -1;
	}
	status = vsndbe_proc_reap(c);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
}

static bool be_state_is(struct vsndbe_world *w, const char *path, const char *state)
{
	char *v = NULL;
	bool same;

	if (xenif_xs_read(w->ts, XENIF_TX_NONE, path, &v, NULL) < 0)
		return false;
	same = !strcmp(v, state);
	free(v);
	return same;
}

void vsndbe_world_wait_be_state(struct vsndbe_world *w, uint32_t domid, const char *state)
{
	uint64_t deadline = now_ms() + VSNDBE_PROC_WAIT_MS;
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/0/backend/vsnd/%u/0/state", domid);
	ASSERT_OK(xenif_xs_watch(w->ts, path, "be-state"));
	while (!be_state_is(w, path, state)) {
		struct pollfd p = { .fd = xenif_xs_fd(w->ts), .events = POLLIN };
		char *wpath = NULL, *token = NULL;

		if (now_ms() >= deadline)
			vtest_fail(__FILE__, __LINE__, "%s never read %s", path, state);
		if (poll(&p, 1, 500) > 0 && xenif_xs_read_watch(w->ts, &wpath, &token) >= 0) {
			free(wpath);
			free(token);
		}
	}
	ASSERT_OK(xenif_xs_unwatch(w->ts, path, "be-state"));
}
