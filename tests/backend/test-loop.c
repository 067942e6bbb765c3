// SPDX-License-Identifier: MIT
/*
 * test-loop.c - vsndbe's sd-event loop (backend/loop.c) on pipes: the
 * event masks alsa-lib hands over are accepted, and an fd number that
 * names a new file after a sync is watched as the new file.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "loop.h"
#include "vtest.h"

struct seen {
	int fd;
	uint32_t revents;
	unsigned int calls;
};

static void on_fd(struct sndbe_loop *l, int fd, uint32_t revents, void *userdata)
{
	struct seen *s = userdata;

	s->fd = fd;
	s->revents = revents;
	s->calls++;
	sndbe_loop_exit(l, 7);
}

/* alsa-lib's playback and capture masks (POLLNVAL, the *NORM bits). */
TEST(alsa_event_masks_are_accepted)
{
	static const short masks[] = {
		POLLOUT | POLLERR | POLLNVAL,
		POLLIN | POLLERR | POLLNVAL,
		POLLWRNORM | POLLERR,
		POLLRDNORM | POLLERR | POLLNVAL,
	};

	for (unsigned int i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct sndbe_loop *l = NULL;
		struct seen s = { 0 };
		struct pollfd p;
		int fds[2];

		ASSERT_OK(pipe2(fds, O_CLOEXEC | O_NONBLOCK));
		ASSERT_EQ(write(fds[1], "x", 1), 1);
		ASSERT_OK(sndbe_loop_new(&l));
		p = (struct pollfd){ .fd = (masks[i] & (POLLOUT | POLLWRNORM)) ? fds[1] : fds[0],
				     .events = masks[i] };
		ASSERT_OK(sndbe_loop_sync(l, &p, 1, on_fd, &s));
		ASSERT_EQ(sndbe_loop_run(l), 7);
		ASSERT_EQ(s.calls, 1);
		ASSERT_EQ(s.fd, p.fd);
		ASSERT_TRUE(s.revents & ((masks[i] & (POLLOUT | POLLWRNORM)) ? POLLOUT : POLLIN));
		l = sndbe_loop_free(l);
		close(fds[0]);
		close(fds[1]);
	}
}

/* CLOSE then OPEN between two syncs: the same number, another file. */
TEST(reused_fd_number_watches_the_new_file)
{
	struct sndbe_loop *l = NULL;
	struct seen s = { 0 };
	struct pollfd p;
	int a[2], b[2], num;

	ASSERT_OK(pipe2(a, O_CLOEXEC | O_NONBLOCK));
	ASSERT_OK(sndbe_loop_new(&l));
	num = a[0];
	p = (struct pollfd){ .fd = num, .events = POLLIN };
	ASSERT_OK(sndbe_loop_sync(l, &p, 1, on_fd, &s));
	close(a[0]);
	close(a[1]);
	ASSERT_OK(pipe2(b, O_CLOEXEC | O_NONBLOCK));
	ASSERT_EQ(b[0], num);
	ASSERT_OK(sndbe_loop_sync(l, &p, 1, on_fd, &s));
	ASSERT_EQ(write(b[1], "x", 1), 1);
	ASSERT_EQ(sndbe_loop_run(l), 7);
	ASSERT_EQ(s.fd, num);
	l = sndbe_loop_free(l);
	close(b[0]);
	close(b[1]);
}
