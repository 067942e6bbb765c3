// SPDX-License-Identifier: MIT
/*
 * launch.c - the processes vsnd-bench runs: xensimd in a run directory of
 * its own, xensimd-ctl to create guest domains, vsndbe on the simulator,
 * and the CPU time of a process tree read from /proc.
 *
 * Every child's stdout is a pipe that the bench reads for the child's
 * readiness line, under a deadline (never a sleep); its stderr goes to a
 * log file in the run directory, named in any error. Children ask for
 * SIGTERM when the bench dies, so a crashed run leaves nothing behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "fetree.h"
#include "vsnd-common/util.h"
#include "xenif/xenif.h"

static char failure[1024];

int bench_fail(int r, const char *fmt, ...)
{
	va_list ap;

	if (failure[0])
		return r;
	va_start(ap, fmt);
	vsnprintf(failure, sizeof(failure), fmt, ap);
	va_end(ap);
	return r;
}

const char *bench_failure(void)
{
	return failure[0] ? failure : NULL;
}

/* Fork and exec @argv with stdout on a pipe and stderr appended to p->log. */
static int spawn(struct bench_proc *p, const char *const *argv)
{
	_cleanup_close_ int log = -1;
	int out[2];

	log = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log < 0)
		return bench_fail(negative_errno(), "creating %s: %m", p->log);
	if (pipe2(out, O_CLOEXEC) < 0)
		return bench_fail(negative_errno(), "pipe: %m");
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		close(out[0]);
		close(out[1]);
		return bench_fail(negative_errno(), "fork: %m");
	}
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (dup2(out[1], STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	p->out = out[0];
	return 0;
}

/* Read p->out until a line equal to @want arrives, under a deadline. */
static int wait_line(struct bench_proc *p, const char *name, const char *want)
{
	uint64_t deadline = now_ms() + BENCH_WAIT_MS;
	char buf[1024];
	size_t len = 0;

	for (;;) {
		struct pollfd pf = { .fd = p->out, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= deadline)
			return bench_fail(-ETIMEDOUT, "%s printed no \"%.*s\" within %u ms (log: %s)",
					  name, (int)strcspn(want, "\n"), want, BENCH_WAIT_MS,
					  p->log);
		if (poll(&pf, 1, (int)(deadline - now)) <= 0)
			continue;
		n = read(p->out, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return bench_fail(-EIO, "%s ended before it was ready (log: %s)", name,
					  p->log);
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, want))
			return 0;
		if (len == sizeof(buf) - 1)
			return bench_fail(-EIO, "%s: unexpected output \"%s\"", name, buf);
	}
}

int bench_proc_stop(struct bench_proc *p, const char *name)
{
	int status;

	if (p->pid <= 0)
		return 0;
	kill(p->pid, SIGTERM);
	while (waitpid(p->pid, &status, 0) < 0)
		if (errno != EINTR)
			return bench_fail(negative_errno(), "waitpid %s: %m", name);
	p->pid = 0;
	p->out = safe_close(p->out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return bench_fail(-EIO, "%s ended badly (status %#x, log: %s)", name, status,
				  p->log);
	return 0;
}

int bench_sim_start(struct bench_sim *sim, const struct bench_paths *paths, const char *dir)
{
	const char *argv[] = { paths->xensimd, "--run-dir", dir, NULL };
	char want[300];
	int r;

	*sim = (struct bench_sim){ .paths = paths, .proc = { .out = -1 } };
	snprintf(sim->dir, sizeof(sim->dir), "%s", dir);
	snprintf(sim->spec, sizeof(sim->spec), "sim:%s", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return bench_fail(negative_errno(), "mkdir %s: %m", dir);
	snprintf(sim->proc.log, sizeof(sim->proc.log), "%s/xensimd.log", dir);
	r = spawn(&sim->proc, argv);
	if (r < 0)
		return r;
	snprintf(want, sizeof(want), "xensimd ready run-dir=%s\n", dir);
	return wait_line(&sim->proc, "xensimd", want);
}

int bench_sim_domain_create(struct bench_sim *sim, uint32_t domid)
{
	char id[16], name[32];
	const char *argv[] = { sim->paths->xensimd_ctl, "--run-dir", sim->dir, "domain", "create",
			       id, "--name", name, NULL };
	struct bench_proc ctl = { .out = -1 };
	char rest[256];
	int status;

	snprintf(id, sizeof(id), "%u", domid);
	snprintf(name, sizeof(name), "bench-guest%u", domid);
	snprintf(ctl.log, sizeof(ctl.log), "%s/xensimd-ctl.log", sim->dir);
	if (spawn(&ctl, argv) < 0)
		return -EIO;
	/* Its stdout ends when it exits. */
	while (read(ctl.out, rest, sizeof(rest)) > 0)
		;
	close(ctl.out);
	while (waitpid(ctl.pid, &status, 0) < 0)
		if (errno != EINTR)
			return bench_fail(negative_errno(), "waitpid xensimd-ctl: %m");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return bench_fail(-EIO, "xensimd-ctl domain create %u failed (status %#x, log: %s)",
				  domid, status, ctl.log);
	return 0;
}

int bench_sim_write_card(struct bench_sim *sim, uint32_t domid, unsigned int n_streams,
			 uint32_t buffer_bytes)
{
	struct fetree t = { .guest = domid, .n_streams = n_streams };
	struct xenif *x = NULL;
	char size[16];
	int r;

	if (n_streams == 0 || n_streams > FETREE_MAX_STREAMS)
		return bench_fail(-EINVAL, "%u streams in one guest: 1 to %u", n_streams,
				  FETREE_MAX_STREAMS);
	snprintf(size, sizeof(size), "%u", buffer_bytes);
	t.buffer_size = size;
	for (unsigned int i = 0; i < n_streams; i++)
		t.s[i] = (struct fetree_stream){ .pcm = i, .stream = 0, .type = "p" };
	r = xenif_open(sim->spec, 0, &x);
	if (r < 0)
		return bench_fail(r, "opening %s as domain 0: %s", sim->spec, strerror(-r));
	r = fetree_write(x, &t);
	xenif_close(x);
	if (r < 0)
		return bench_fail(r, "writing the vsnd card of domain %u: %s", domid, strerror(-r));
	return 0;
}

static void remove_sockets(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".sock"))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

void bench_sim_stop(struct bench_sim *sim)
{
	if (sim->proc.pid > 0)
		(void)bench_proc_stop(&sim->proc, "xensimd");
	if (sim->dir[0])
		remove_sockets(sim->dir);
}

int bench_vsndbe_start(struct bench_proc *p, const struct bench_sim *sim, const char *sink,
		       uint32_t buffer_cap)
{
	const struct bench_paths *paths = sim->paths;
	const char *argv[6 + BENCH_VSNDBE_ARGS_MAX] = { paths->vsndbe };
	char xen[300], sink_arg[128], cap[32];
	unsigned int n = 1;
	int r;

	*p = (struct bench_proc){ .out = -1 };
	snprintf(xen, sizeof(xen), "--xen=%s", sim->spec);
	snprintf(sink_arg, sizeof(sink_arg), "--sink=%s", sink);
	snprintf(cap, sizeof(cap), "--buffer-cap=%u", buffer_cap);
	argv[n++] = xen;
	argv[n++] = sink_arg;
	if (buffer_cap)
		argv[n++] = cap;
	for (unsigned int i = 0; i < paths->n_vsndbe_args; i++)
		argv[n++] = paths->vsndbe_args[i];
	snprintf(p->log, sizeof(p->log), "%s/vsndbe.log", sim->dir);
	r = spawn(p, argv);
	if (r < 0)
		return r;
	return wait_line(p, "vsndbe", "vsndbe ready\n");
}

/* ---- CPU time of a process tree ---------------------------------------------- */

struct proc_cpu {
	pid_t pid, ppid;
	uint64_t ticks;		/* utime + stime + cutime + cstime */
	bool in_tree;
};

/* Fields 4 (ppid) and 14-17 of /proc/PID/stat; the name may hold spaces. */
static int read_stat(pid_t pid, struct proc_cpu *ret)
{
	char path[64], buf[1024], *p;
	unsigned long long v[4];
	int ppid, n;
	_cleanup_close_ int fd = -1;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return -EIO;
	buf[len] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	n = sscanf(p + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
		   &ppid, &v[0], &v[1], &v[2], &v[3]);
	if (n != 5)
		return -EIO;
	*ret = (struct proc_cpu){ .pid = pid, .ppid = ppid,
				  .ticks = v[0] + v[1] + v[2] + v[3] };
	return 0;
}

/* Every process now; processes that vanish while being read are skipped. */
static int scan_procs(struct proc_cpu **ret, size_t *ret_n)
{
	_cleanup_free_ struct proc_cpu *all = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return bench_fail(negative_errno(), "opening /proc: %m");
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (n == cap) {
			struct proc_cpu *grown = realloc(all, (cap ? cap * 2 : 256) * sizeof(*all));

			if (!grown) {
				closedir(d);
				return -ENOMEM;
			}
			all = grown;
			cap = cap ? cap * 2 : 256;
		}
		if (read_stat((pid_t)pid, &all[n]) == 0)
			n++;
	}
	closedir(d);
	*ret = TAKE_PTR(all);
	*ret_n = n;
	return 0;
}

int bench_tree_cpu_ns(pid_t root, uint64_t *ret_ns)
{
	_cleanup_free_ struct proc_cpu *all = NULL;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ticks = 0;
	bool grew = true, found = false;
	size_t n;
	int r;

	r = scan_procs(&all, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (all[i].pid == root)
			all[i].in_tree = found = true;
	if (!found)
		return bench_fail(-ESRCH, "process %d is gone: no CPU time to read", (int)root);
	/* Descendants, whatever their depth: a fixed point over the ppid links. */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n && !all[i].in_tree; j++)
				if (all[j].in_tree && all[i].ppid == all[j].pid)
					all[i].in_tree = grew = true;
	}
	for (size_t i = 0; i < n; i++)
		if (all[i].in_tree)
			ticks += all[i].ticks;
	*ret_ns = ticks * NSEC_PER_SEC / (uint64_t)(hz > 0 ? hz : 100);
	return 0;
}
