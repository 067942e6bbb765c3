/* SPDX-License-Identifier: MIT */
/*
 * guest-int.h - what the guest processes of vsnd-bench (guest.c,
 * guest-p7.c) share: the messages a guest sends the bench over its
 * SOCK_SEQPACKET socket, and forking, hearing and reaping a guest
 * (guest-ipc.c).
 */
#ifndef VSND_BENCH_GUEST_INT_H
#define VSND_BENCH_GUEST_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "bench.h"
#include "fetree.h"

#define GUEST_STREAMS_MAX FETREE_MAX_STREAMS

enum guest_msg_type { GUEST_READY = 1, GUEST_STATS, GUEST_FAILED };

struct guest_msg {
	enum guest_msg_type type;
	int error;			/* GUEST_FAILED: a negative errno */
	char text[256];			/* GUEST_FAILED: what went wrong */
	struct bench_p1_stats p1;	/* GUEST_STATS of a P1 guest */
	struct bench_p7_result p7;	/* GUEST_STATS of the P7 guest */
};

/* Fork with a socket pair: @ret_pid is 0 in the child; @ret_fd is the
 * child's end there and the bench's end in the parent. */
int guest_fork(pid_t *ret_pid, int *ret_fd);
/* Receive one message within @ms; a GUEST_FAILED message, silence and a
 * closed socket are failures (explained through bench_fail()). */
int guest_recv(int fd, struct guest_msg *ret, uint64_t ms);
/* In a guest: send GUEST_FAILED with @error and the formatted reason. */
void guest_send_failure(int fd, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Wait for a guest to exit; 0 when it exited 0. */
int guest_reap(pid_t pid);

#endif /* VSND_BENCH_GUEST_INT_H */
