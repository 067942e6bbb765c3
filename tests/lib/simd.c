// SPDX-License-Identifier: MIT
/*
 * simd.c - start, drive and stop xensimd from a test (see simd.h).
 *
 * xensimd runs in a fresh run directory under $TMPDIR (or /tmp when that
 * path would not fit a socket address), with its stdout on a pipe: the
 * test waits for the readiness line, never for time to pass. The child
 * asks for SIGTERM when the test process dies, so a failing test leaves
 * no simulator behind.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2, strerrorname_np */
#endif
#include "simd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtest.h"

static const char *binary(const char *env)
{
	const char *path = getenv(env);

	if (!path || !*path)
		vtest_skip("$%s is not set: run the test through meson", env);
	if (access(path, X_OK) < 0)
		vtest_skip("%s=%s: not built (%s)", env, path, strerror(errno));
	return path;
}

static void make_run_dir(struct vtest_simd *s)
{
	const char *tmp = getenv("TMPDIR");

	/* DIR/dom32752.sock must fit the 108 bytes of sun_path */
	if (!tmp || !*tmp || strlen(tmp) > 60)
		tmp = "/tmp";
	snprintf(s->dir, sizeof(s->dir), "%s/vsnd-simd-XXXXXX", tmp);
	if (!mkdtemp(s->dir))
		vtest_fail(__FILE__, __LINE__, "mkdtemp %s: %s", s->dir, strerror(errno));
	snprintf(s->spec, sizeof(s->spec), "sim:%s", s->dir);
}

static _Noreturn void exec_xensimd(const char *bin, const char *dir, int out_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	execl(bin, bin, "--run-dir", dir, (char *)NULL);
	fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
	_exit(127);
}

/* Read stdout up to the readiness line (a blocking read: the test's own
 * timeout bounds it). */
static void wait_ready(struct vtest_simd *s, int fd)
{
	char want[320], buf[1024];
	size_t got = 0;

	snprintf(want, sizeof(want), "xensimd ready run-dir=%s\n", s->dir);
	while (got < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, want))
			return;
	}
	buf[got] = '\0';
	vtest_fail(__FILE__, __LINE__, "xensimd did not become ready; stdout: \"%s\"", buf);
}

void vtest_simd_start(struct vtest_simd *s)
{
	const char *bin = binary("VTEST_XENSIMD");
	int p[2];

	binary("VTEST_XENSIMD_CTL");
	memset(s, 0, sizeof(*s));
	make_run_dir(s);
	if (pipe2(p, O_CLOEXEC) < 0)
		vtest_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0)
		vtest_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
	if (s->pid == 0)
		exec_xensimd(bin, s->dir, p[1]);
	close(p[1]);
	wait_ready(s, p[0]);
	close(p[0]);
}

static void remove_run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

void vtest_simd_stop(struct vtest_simd *s)
{
	int status;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &status, 0) < 0)
		if (errno != EINTR)
			vtest_fail(__FILE__, __LINE__, "waitpid: %s", strerror(errno));
	s->pid = 0;
	remove_run_dir(s->dir);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		vtest_fail(__FILE__, __LINE__, "xensimd ended badly (status %#x)", status);
}

int vtest_simd_ctl(struct vtest_simd *s, const char *const *argv)
{
	const char *bin = binary("VTEST_XENSIMD_CTL");
	const char *args[32];
	size_t n = 0;
	int status;
	pid_t pid;

	args[n++] = bin;
	args[n++] = "--run-dir";
	args[n++] = s->dir;
	for (; *argv && n < sizeof(args) / sizeof(args[0]) - 1; argv++)
		args[n++] = *argv;
	args[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		vtest_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
	if (pid == 0) {
		execv(bin, (char *const *)args);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			vtest_fail(__FILE__, __LINE__, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status))
		vtest_fail(__FILE__, __LINE__, "xensimd-ctl died (status %#x)", status);
	return WEXITSTATUS(status);
}

void vtest_simd_domain_create(struct vtest_simd *s, uint32_t domid, const char *name)
{
	char id[16];
	const char *argv[] = { "domain", "create", id, "--name", name, NULL };
	int r;

	snprintf(id, sizeof(id), "%u", domid);
	r = vtest_simd_ctl(s, argv);
	if (r != 0)
		vtest_fail(__FILE__, __LINE__, "domain create %u --name %s: exit %d", domid,
			   name, r);
}

void vtest_simd_domain_destroy(struct vtest_simd *s, uint32_t domid)
{
	char id[16];
	const char *argv[] = { "domain", "destroy", id, NULL };
	int r;

	snprintf(id, sizeof(id), "%u", domid);
	r = vtest_simd_ctl(s, argv);
	if (r != 0)
		vtest_fail(__FILE__, __LINE__, "domain destroy %u: exit %d", domid, r);
}
