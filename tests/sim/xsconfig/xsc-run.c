// SPDX-License-Identifier: MIT
/*
 * xsc-run.c - subprocesses for the vsnd-xsconfig tests (see xsc-run.h).
 * Output goes to unlinked temporary files, so that a child printing more
 * than a pipe holds cannot block on a parent that waits for it.
 */
#include "xsc-run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtest.h"

static int temp_fd(void)
{
	char path[] = "/tmp/vsnd-xsc-out-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		vtest_fail(__FILE__, __LINE__, "mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

static void slurp(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

void xsc_run(struct vtest_simd *s, uint32_t domid, const char *const *argv,
	     struct xsc_result *res)
{
	int out = temp_fd(), err = temp_fd(), st;
	char sock[320];
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/dom%u.sock", s->dir, domid);
	pid = fork();
	if (pid < 0)
		vtest_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
	if (pid == 0) {
		setenv("XENSTORED_PATH", sock, 1);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			vtest_fail(__FILE__, __LINE__, "waitpid: %s", strerror(errno));
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(out, res->out, sizeof(res->out));
	slurp(err, res->err, sizeof(res->err));
	if (res->status >= 126)
		vtest_fail(__FILE__, __LINE__, "%s: status %d: %s", argv[0], res->status,
			   res->err);
}

void xsc_tool_argv(struct vtest_simd *s, struct xsc_result *res, const char *const *args)
{
	const char *tool = getenv("VTEST_XSCONFIG");
	const char *argv[32];
	char xen[300];
	size_t n = 0;

	if (!tool || !*tool)
		vtest_skip("$VTEST_XSCONFIG is not set: run the test through meson");
	snprintf(xen, sizeof(xen), "--xen=%s", s->spec);
	argv[n++] = tool;
	argv[n++] = xen;
	for (; *args; args++) {
		ASSERT_LT(n, 31);
		argv[n++] = *args;
	}
	argv[n] = NULL;
	xsc_run(s, 0, argv, res);
}

void xsc_ls(struct vtest_simd *s, const char *const *paths, char *out, size_t outsz)
{
	static struct xsc_result res;
	size_t len = 0;

	if (system("command -v xenstore-ls >/dev/null 2>&1"))
		vtest_skip("xenstore-ls is not installed (apt-get install xenstore-utils)");
	out[0] = '\0';
	for (; *paths; paths++) {
		xsc_run(s, 0, (const char *const[]){ "xenstore-ls", "-fp", *paths, NULL }, &res);
		if (res.status != 0)
			vtest_fail(__FILE__, __LINE__, "xenstore-ls -fp %s: %s", *paths, res.err);
		ASSERT_LT(len + strlen(res.out), outsz);
		memcpy(out + len, res.out, strlen(res.out) + 1);
		len += strlen(res.out);
	}
}

void xsc_data_path(char *buf, size_t size, const char *env, const char *name)
{
	const char *dir = getenv(env);

	if (!dir || !*dir)
		vtest_skip("$%s is not set: run the test through meson", env);
	snprintf(buf, size, "%s/%s", dir, name);
}

void xsc_read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		vtest_fail(__FILE__, __LINE__, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, size - 1, f);
	ASSERT_FALSE(ferror(f));
	ASSERT_LT(n, size - 1);
	buf[n] = '\0';
	fclose(f);
}

void xsc_write_temp(const char *text, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "/tmp/vsnd-xsc-cfg-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		vtest_fail(__FILE__, __LINE__, "mkstemp: %s", strerror(errno));
	ASSERT_EQ(write(fd, text, strlen(text)), (intmax_t)strlen(text));
	close(fd);
}

void xsc_start(struct vtest_simd *s, uint32_t domid)
{
	vtest_simd_start(s);
	vtest_simd_domain_create(s, domid, "guest1");
}
