// SPDX-License-Identifier: MIT
/*
 * simd-main.c - xensimd's entry point: command line, run directory, the
 * epoll loop, signals, readiness and logging.
 *
 * xensimd stands in for the hypervisor and xenstored so vsnd runs and is
 * tested without Xen (docs/xensimd.md). It is one thread around one epoll
 * set: the signalfd (SIGTERM/SIGINT end it cleanly), one listening socket
 * per simulated domain and one entry per client connection. Readiness is
 * the line "xensimd ready run-dir=DIR" on stdout, and READY=1 to
 * $NOTIFY_SOCKET when it is set, once dom0.sock accepts connections.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "simd-int.h"

struct simd_main {
	struct simd_io sig;
	bool quit;
};

/**
 * simd_log() - write one line to stderr, prefixed "xensimd: ".
 * @fmt: printf format, without the trailing newline.
 */
void simd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xensimd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/**
 * simd_defer_free() - free @ptr after the current batch of epoll events.
 * @srv: the server.
 * @ptr: the object, which an event of the batch may still name.
 * @free_fn: how to free it.
 *
 * Used for connections and domains, whose struct simd_io may be the
 * data of an event not handled yet.
 */
void simd_defer_free(struct simd_server *srv, void *ptr, void (*free_fn)(void *ptr))
{
	struct simd_grave *g = malloc(sizeof(*g));

	if (!g) {
		/* Leaking beats a use after free; this is out of memory anyway. */
		simd_log("out of memory: leaking an object");
		return;
	}
	g->ptr = ptr;
	g->free_fn = free_fn;
	g->next = srv->graveyard;
	srv->graveyard = g;
}

static void bury_the_dead(struct simd_server *srv)
{
	while (srv->graveyard) {
		struct simd_grave *g = srv->graveyard;

		srv->graveyard = g->next;
		g->free_fn(g->ptr);
		free(g);
	}
}

/**
 * simd_epoll_add() - watch @io's fd.
 * @srv: the server.
 * @io: fd and handler.
 * @events: EPOLLIN and friends.
 *
 * Return: 0 or a negative errno.
 */
int simd_epoll_add(struct simd_server *srv, struct simd_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0 ? -errno : 0;
}

/**
 * simd_epoll_mod() - change the events watched on @io's fd.
 * @srv: the server.
 * @io: an fd already in the set.
 * @events: the new event mask.
 */
void simd_epoll_mod(struct simd_server *srv, struct simd_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	if (epoll_ctl(srv->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		simd_log("epoll_ctl(MOD, fd %d): %s", io->fd, strerror(errno));
}

/**
 * simd_epoll_del() - stop watching @io's fd (before closing it).
 * @srv: the server.
 * @io: an fd in the set.
 */
void simd_epoll_del(struct simd_server *srv, struct simd_io *io)
{
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

static void handle_signal(struct simd_io *io, uint32_t events)
{
	struct simd_main *mn = (struct simd_main *)io;
	struct signalfd_siginfo si;

	(void)events;
	if (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		simd_log("signal %u: exiting", si.ssi_signo);
		mn->quit = true;
	}
}

/* READY=1 to the service manager; "@name" is an abstract socket. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (!path || !*path)
		return;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) {
		simd_log("NOTIFY_SOCKET=%s: not a usable socket address", path);
		return;
	}
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		simd_log("NOTIFY_SOCKET=%s: %s", path, strerror(errno));
	close(fd);
}

/* Sockets of a previous run would mislead clients into connecting to a
 * domain that does not exist any more. */
static void remove_stale_sockets(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, "dom", 3) == 0 && n > 8 &&
		    strcmp(de->d_name + n - 5, ".sock") == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* Grants are memfds held by xensimd: let it hold as many as it may. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int setup_signals(struct simd_server *srv, struct simd_main *mn)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	mn->sig.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (mn->sig.fd < 0)
		return -errno;
	mn->sig.handle = handle_signal;
	return simd_epoll_add(srv, &mn->sig, EPOLLIN);
}

static void usage(FILE *f)
{
	fputs("usage: xensimd --run-dir DIR [--max-queue BYTES] [--verbose]\n"
	      "A user-space Xen simulator: XenStore, grants, event channels.\n"
	      "See xensimd(8).\n",
	      f);
}

static int parse_args(int argc, char **argv, struct simd_server *srv)
{
	static const struct option opts[] = {
		{ "run-dir", required_argument, NULL, 'd' },
		{ "max-queue", required_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint32_t q;
	int c;

	while ((c = getopt_long(argc, argv, "d:q:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			srv->run_dir = optarg;
			break;
		case 'q':
			if (simd_parse_u32(optarg, UINT32_MAX, &q) < 0 || q < 65536) {
				fprintf(stderr, "xensimd: --max-queue %s: want a byte "
					"count of at least 65536\n", optarg);
				return -EINVAL;
			}
			srv->outq_max = q;
			break;
		case 'v':
			srv->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (!srv->run_dir || optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int prepare_run_dir(const char *dir)
{
	struct sockaddr_un sa;

	/* the longest socket name must fit sun_path */
	if (strlen(dir) + sizeof("/dom32752.sock") > sizeof(sa.sun_path)) {
		simd_log("--run-dir %s: too long for a socket path", dir);
		return -ENAMETOOLONG;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		simd_log("--run-dir %s: %s", dir, strerror(errno));
		return -errno;
	}
	remove_stale_sockets(dir);
	return 0;
}

static void run_loop(struct simd_server *srv, struct simd_main *mn)
{
	struct epoll_event ev[64];

	while (!mn->quit) {
		int n = epoll_wait(srv->epfd, ev, (int)SIMD_ARRAY_SIZE(ev), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			simd_log("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct simd_io *io = ev[i].data.ptr;

			io->handle(io, ev[i].events);
			simd_conn_reap_doomed(srv);
		}
		bury_the_dead(srv);
	}
}

static void shutdown_server(struct simd_server *srv)
{
	while (srv->conns)
		simd_conn_close(srv->conns, "shutting down");
	bury_the_dead(srv);
	simd_domain_free_all(srv);
	bury_the_dead(srv);
	xs_model_free(srv->xs);
	simd_fault_fini(srv);
}

int main(int argc, char **argv)
{
	struct simd_server *srv = calloc(1, sizeof(*srv));
	struct simd_main mn = { .sig.fd = -1 };
	int r;

	if (!srv)
		return 1;
	srv->outq_max = SIMD_OUTQ_DEFAULT_MAX;
	srv->next_conn_id = 1;
	srv->next_map_id = 1;
	srv->fault_fd = -1;
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (parse_args(argc, argv, srv) < 0) {
		free(srv);
		return 2;
	}
	raise_fd_limit();
	r = prepare_run_dir(srv->run_dir);
	if (r == 0) {
		srv->epfd = epoll_create1(EPOLL_CLOEXEC);
		r = srv->epfd < 0 ? -errno : setup_signals(srv, &mn);
	}
	if (r == 0)
		r = xs_model_new(simd_xs_fire, srv, &srv->xs);
	if (r == 0)
		r = simd_fault_init(srv);
	if (r == 0)
		r = simd_domain_boot_dom0(srv);
	if (r < 0) {
		simd_log("cannot start: %s", strerror(-r));
		return 1;
	}
	printf("xensimd ready run-dir=%s\n", srv->run_dir);
	fflush(stdout);
	notify_ready();
	run_loop(srv, &mn);
	shutdown_server(srv);
	close(mn.sig.fd);
	close(srv->epfd);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	free(srv);
	return 0;
}
