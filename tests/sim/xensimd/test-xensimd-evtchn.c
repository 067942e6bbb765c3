// SPDX-License-Identifier: MIT
/*
 * Event channels through xensimd: notifications between two processes
 * over the passed eventfds, who may bind what, ports numbered from 1,
 * unbinding (explicitly, by disconnecting or by dying) leaving the peer's
 * port unbound and bindable again, and restricted connections.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simcli.h"
#include "simd.h"
#include "vtest.h"

/* Wait (bounded by the test timeout) for a notification on @fd. */
static uint64_t wait_event(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v = 0;

	ASSERT_EQ(poll(&p, 1, 20000), 1);
	ASSERT_EQ(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	return v;
}

static void notify(int fd)
{
	uint64_t one = 1;

	ASSERT_EQ(write(fd, &one, sizeof(one)), (ssize_t)sizeof(one));
}

static bool pending(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void close2(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

TEST(notify_across_processes)
{
	struct vtest_simd s;
	struct simcli fe;
	uint32_t arg, port;
	int fds[2], pipefd[2];
	pid_t pid;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	arg = 0;
	ASSERT_OK(simcli_evt(&fe, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &port, fds));
	ASSERT_EQ(port, 1);
	ASSERT_OK(pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint32_t args[2] = { 1, 0 }, lport;
		struct simcli be;
		int bfds[2];

		ASSERT_EQ(read(pipefd[0], &args[1], sizeof(args[1])), (ssize_t)sizeof(args[1]));
		ASSERT_OK(simcli_open(&be, s.dir, 0));
		ASSERT_OK(simcli_evt(&be, XSIM_EVT_BIND, args, 2, &lport, bfds));
		ASSERT_EQ(lport, 1);
		/* The event a fresh binding starts with, before ours is sent. */
		ASSERT_EQ_U(wait_event(bfds[0]), 1);
		notify(bfds[1]);
		ASSERT_EQ_U(wait_event(bfds[0]), 1);
		_exit(0);
	}
	ASSERT_EQ(write(pipefd[1], &port, sizeof(port)), (ssize_t)sizeof(port));
	ASSERT_EQ_U(wait_event(fds[0]), 1);
	notify(fds[1]);
	{
		int status;

		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close2(fds);
	simcli_close(&fe);
	vtest_simd_stop(&s);
}

TEST(only_the_named_remote_binds)
{
	struct vtest_simd s;
	struct simcli a, b, c, d0;
	uint32_t arg = 2, port, lport, args[2];
	int fds[2], bfds[2];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	vtest_simd_domain_create(&s, 2, "guest2");
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_OK(simcli_open(&a, s.dir, 1));
	ASSERT_OK(simcli_open(&b, s.dir, 2));
	ASSERT_OK(simcli_open(&c, s.dir, 3));
	ASSERT_OK(simcli_open(&d0, s.dir, 0));
	ASSERT_OK(simcli_evt(&a, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &port, fds));
	args[0] = 1;
	args[1] = port;
	ASSERT_ERR(simcli_evt(&c, XSIM_EVT_BIND, args, 2, &lport, NULL), EINVAL);
	ASSERT_ERR(simcli_evt(&d0, XSIM_EVT_BIND, args, 2, &lport, NULL), EINVAL);
	ASSERT_OK(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, bfds));
	/* bound now: not again */
	ASSERT_ERR(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, NULL), EINVAL);
	args[1] = 0;
	ASSERT_ERR(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, NULL), EINVAL);
	args[1] = 5000;
	ASSERT_ERR(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, NULL), EINVAL);
	args[0] = 99;
	ASSERT_ERR(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, NULL), ESRCH);
	/* ports count from 1 in each domain */
	ASSERT_EQ(lport, 1);
	ASSERT_OK(simcli_evt(&a, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &port, NULL));
	ASSERT_EQ(port, 2);
	close2(fds);
	close2(bfds);
	simcli_close(&a);
	simcli_close(&b);
	simcli_close(&c);
	simcli_close(&d0);
	vtest_simd_stop(&s);
}

TEST(unbind_leaves_the_peer_unbound)
{
	struct vtest_simd s;
	struct simcli a, b, b2;
	uint32_t arg = 2, port, lport, args[2];
	int fds[2], bfds[2], b2fds[2];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	vtest_simd_domain_create(&s, 2, "guest2");
	ASSERT_OK(simcli_open(&a, s.dir, 1));
	ASSERT_OK(simcli_open(&b, s.dir, 2));
	ASSERT_OK(simcli_open(&b2, s.dir, 2));
	ASSERT_OK(simcli_evt(&a, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &port, fds));
	args[0] = 1;
	args[1] = port;
	ASSERT_OK(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, bfds));
	/* only the connection that bound a port unbinds it */
	ASSERT_ERR(simcli_u32_call(&b2, XSIM_EVT_UNBIND, &lport, 1), ENOTCONN);
	/* an event the old binder never read */
	notify(fds[1]);
	ASSERT_TRUE(pending(bfds[0]));
	ASSERT_OK(simcli_u32_call(&b, XSIM_EVT_UNBIND, &lport, 1));
	ASSERT_ERR(simcli_u32_call(&b, XSIM_EVT_UNBIND, &lport, 1), ENOTCONN);
	arg = 0;
	ASSERT_ERR(simcli_u32_call(&b, XSIM_EVT_UNBIND, &arg, 1), EINVAL);
	/* the peer's port is unbound again: a new binder reaches it */
	ASSERT_OK(simcli_evt(&b2, XSIM_EVT_BIND, args, 2, &lport, b2fds));
	/* As Xen does, a fresh binding starts with one event pending; the
	 * event the old binder never read is not delivered on top of it. */
	ASSERT_EQ_U(wait_event(b2fds[0]), 1);
	ASSERT_FALSE(pending(b2fds[0]));
	notify(b2fds[1]);
	ASSERT_EQ_U(wait_event(fds[0]), 1);
	notify(fds[1]);
	ASSERT_EQ_U(wait_event(b2fds[0]), 1);
	/* the binder's disconnection unbinds too */
	simcli_close(&b2);
	simcli_sync_events(&a);
	ASSERT_OK(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, NULL));
	close2(fds);
	close2(bfds);
	close2(b2fds);
	simcli_close(&a);
	simcli_close(&b);
	vtest_simd_stop(&s);
}

TEST(peer_death_unbinds)
{
	struct vtest_simd s;
	struct simcli a, b;
	uint32_t arg = 2, port, lport, args[2];
	int fds[2];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	vtest_simd_domain_create(&s, 2, "guest2");
	ASSERT_OK(simcli_open(&a, s.dir, 1));
	ASSERT_OK(simcli_open(&b, s.dir, 2));
	ASSERT_OK(simcli_evt(&a, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &port, fds));
	args[0] = 1;
	args[1] = port;
	ASSERT_OK(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, NULL));
	vtest_simd_domain_destroy(&s, 2);
	simcli_close(&b);
	/* a reborn domain 2 may bind the port, which waits for "domain 2" */
	vtest_simd_domain_create(&s, 2, "guest2-again");
	ASSERT_OK(simcli_open(&b, s.dir, 2));
	ASSERT_OK(simcli_evt(&b, XSIM_EVT_BIND, args, 2, &lport, NULL));
	/* a dead domain's ports are gone */
	vtest_simd_domain_destroy(&s, 1);
	simcli_close(&a);
	ASSERT_OK(simcli_open(&a, s.dir, 0));
	args[0] = 1;
	ASSERT_ERR(simcli_evt(&a, XSIM_EVT_BIND, args, 2, &lport, NULL), ESRCH);
	close2(fds);
	simcli_close(&a);
	simcli_close(&b);
	vtest_simd_stop(&s);
}

TEST(restricted_connection)
{
	struct vtest_simd s;
	struct simcli g1, g2, be, other;
	uint32_t arg = 0, port1, port2, lport, args[2];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	vtest_simd_domain_create(&s, 2, "guest2");
	ASSERT_OK(simcli_open(&g1, s.dir, 1));
	ASSERT_OK(simcli_open(&g2, s.dir, 2));
	ASSERT_OK(simcli_open(&be, s.dir, 0));
	ASSERT_OK(simcli_open(&other, s.dir, 0));
	ASSERT_OK(simcli_evt(&g1, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &port1, NULL));
	ASSERT_OK(simcli_evt(&g2, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &port2, NULL));
	ASSERT_ERR(simcli_u32_call(&other, XSIM_EVT_RESTRICT, &arg, 1), EINVAL);
	arg = 1;
	ASSERT_OK(simcli_u32_call(&be, XSIM_EVT_RESTRICT, &arg, 1));
	ASSERT_ERR(simcli_u32_call(&be, XSIM_EVT_RESTRICT, &arg, 1), EACCES);
	args[0] = 2;
	args[1] = port2;
	ASSERT_ERR(simcli_evt(&be, XSIM_EVT_BIND, args, 2, &lport, NULL), EACCES);
	ASSERT_ERR(simcli_evt(&be, XSIM_EVT_ALLOC_UNBOUND, &arg, 1, &lport, NULL), EACCES);
	args[0] = 1;
	args[1] = port1;
	ASSERT_OK(simcli_evt(&be, XSIM_EVT_BIND, args, 2, &lport, NULL));
	/* the restriction is the connection's, not the domain's */
	args[0] = 2;
	args[1] = port2;
	ASSERT_OK(simcli_evt(&other, XSIM_EVT_BIND, args, 2, &lport, NULL));
	simcli_close(&g1);
	simcli_close(&g2);
	simcli_close(&be);
	simcli_close(&other);
	vtest_simd_stop(&s);
}
