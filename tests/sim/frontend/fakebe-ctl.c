// SPDX-License-Identifier: MIT
/*
 * fakebe-ctl.c - the test's side of the backend double (see fakebe.h):
 * fork the child, send it commands, collect what it observed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fakebe-int.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtest.h"

void fakebe_start(struct fakebe *be, const struct fakebe_config *cfg)
{
	int sv[2];

	ASSERT_TRUE(cfg->n_streams <= FAKEBE_MAX_STREAMS);
	ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	fflush(NULL);
	be->pid = fork();
	ASSERT_TRUE(be->pid >= 0);
	if (be->pid == 0) {
		close(sv[0]);
		fakebe_child_main(cfg, sv[1]);
	}
	close(sv[1]);
	be->sock = sv[0];
}

static void command(struct fakebe *be, const struct fb_cmd *c, struct fakebe_info *ret)
{
	struct fakebe_info info;

	ASSERT_EQ(send(be->sock, c, sizeof(*c), 0), (ssize_t)sizeof(*c));
	ASSERT_EQ(recv(be->sock, &info, sizeof(info), 0), (ssize_t)sizeof(info));
	if (ret)
		*ret = info;
}

void fakebe_stop(struct fakebe *be)
{
	struct fb_cmd c = { .op = FB_QUIT };
	int status;

	if (be->pid <= 0)
		return;
	command(be, &c, NULL);
	ASSERT_EQ(waitpid(be->pid, &status, 0), be->pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	close(be->sock);
	be->pid = 0;
}

void fakebe_info(struct fakebe *be, struct fakebe_info *ret)
{
	struct fb_cmd c = { .op = FB_INFO };

	command(be, &c, ret);
}

void fakebe_mode(struct fakebe *be, unsigned int stream, enum fakebe_mode mode, int32_t arg,
		 uint32_t count)
{
	struct fb_cmd c = { .op = FB_MODE, .stream = stream, .a = mode, .b = arg, .c = count };

	command(be, &c, NULL);
}

void fakebe_query_answer(struct fakebe *be, unsigned int stream,
			 const struct xensnd_query_hw_param *answer)
{
	struct fb_cmd c = { .op = FB_QUERY_ANSWER, .stream = stream, .hw = *answer };

	command(be, &c, NULL);
}

void fakebe_volume_answer(struct fakebe *be, unsigned int stream, const int32_t *mdb,
			  unsigned int n)
{
	struct fb_cmd c = { .op = FB_VOLUME_ANSWER, .stream = stream };

	memcpy(c.values, mdb, (n < 8 ? n : 8) * sizeof(int32_t));
	command(be, &c, NULL);
}

void fakebe_events(struct fakebe *be, unsigned int stream, uint32_t n, uint64_t pos0,
		   int64_t step, unsigned int flags)
{
	struct fb_cmd c = { .op = FB_EVENTS, .stream = stream, .a = n, .b = (int64_t)pos0,
			    .c = step, .d = flags };

	command(be, &c, NULL);
}

void fakebe_set_state(struct fakebe *be, int state)
{
	struct fb_cmd c = { .op = FB_SET_STATE, .a = state };

	command(be, &c, NULL);
}

void fakebe_restart(struct fakebe *be)
{
	struct fb_cmd c = { .op = FB_RESTART };

	command(be, &c, NULL);
}

void fakebe_ignore_close(struct fakebe *be, bool ignore)
{
	struct fb_cmd c = { .op = FB_IGNORE_CLOSE, .a = ignore };

	command(be, &c, NULL);
}
