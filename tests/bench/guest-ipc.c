// SPDX-License-Identifier: MIT
/*
 * guest-ipc.c - forking a guest process of vsnd-bench, hearing from it
 * under a deadline, and reaping it (guest-int.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-int.h"
#include "vsnd-common/util.h"

int guest_fork(pid_t *ret_pid, int *ret_fd)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return negative_errno();
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return negative_errno();
	}
	close(pid == 0 ? sv[0] : sv[1]);
	*ret_pid = pid;
	*ret_fd = pid == 0 ? sv[1] : sv[0];
	return 0;
}

int guest_recv(int fd, struct guest_msg *ret, uint64_t ms)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	uint64_t deadline = now_ms() + ms;
	ssize_t n;

	for (;;) {
		uint64_t now = now_ms();

		if (now >= deadline)
			return bench_fail(-ETIMEDOUT, "a guest said nothing for %llu ms",
					  (unsigned long long)ms);
		if (poll(&pf, 1, (int)(deadline - now)) > 0)
			break;
	}
	n = recv(fd, ret, sizeof(*ret), 0);
	if (n < 0)
		return bench_fail(negative_errno(), "hearing from a guest: %m");
	if (n != (ssize_t)sizeof(*ret))
		return bench_fail(-EPIPE, "a guest ended without a word");
	if (ret->type == GUEST_FAILED) {
		ret->text[sizeof(ret->text) - 1] = '\0';
		return bench_fail(ret->error < 0 ? ret->error : -EIO, "%s", ret->text);
	}
	return 0;
}

void guest_send_failure(int fd, int error, const char *fmt, ...)
{
	struct guest_msg m = { .type = GUEST_FAILED, .error = error };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	(void)send(fd, &m, sizeof(m), MSG_NOSIGNAL);
}

int guest_reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return bench_fail(negative_errno(), "waitpid: %m");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return bench_fail(-EIO, "a guest ended badly (status %#x)", status);
	return 0;
}
