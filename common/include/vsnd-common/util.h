/* SPDX-License-Identifier: MIT */
/*
 * vsnd-common/util.h - the userspace helpers every vsnd module uses:
 * scope-based cleanup (the house _cleanup_ style), ownership transfer,
 * errno conversion, container_of, array sizes and a monotonic clock.
 * Header-only and libc-only; libvsnd (protocol/) does not use it, so that it
 * stays free of I/O.
 *
 * Cleanup functions preserve errno, so an error path may still read it after
 * locals have been released.
 */
#ifndef VSND_COMMON_UTIL_H
#define VSND_COMMON_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void freep(void *p)
{
	int saved = errno;

	free(*(void **)p);
	errno = saved;
}

static inline void closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand a pointer out of a cleanup scope: returns it and disarms it. */
#define TAKE_PTR(p)                                                                    \
	({                                                                             \
		__typeof__(p) taken_ = (p);                                            \
		(p) = NULL;                                                            \
		taken_;                                                                \
	})

/* The same for an fd. */
#define TAKE_FD(fd)                                                                    \
	({                                                                             \
		int taken_fd_ = (fd);                                                  \
		(fd) = -1;                                                             \
		taken_fd_;                                                             \
	})

/* Close an fd and return -1, for "fd = safe_close(fd);". */
static inline int safe_close(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

/*
 * -errno of the call that just failed. A library that forgets to set errno
 * must not make us report success, so 0 turns into -EIO.
 */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* For syscalls returning -1/errno: the result, or -errno. */
#define RET_NERRNO(expr)                                                               \
	({                                                                             \
		__typeof__(expr) r_ = (expr);                                          \
		r_ < 0 ? (__typeof__(expr))negative_errno() : r_;                      \
	})

#define NSEC_PER_SEC UINT64_C(1000000000)
#define NSEC_PER_MSEC UINT64_C(1000000)

/* Nanoseconds of CLOCK_MONOTONIC: pacing and deadlines must not follow
 * wall-clock jumps. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static inline uint64_t now_ms(void)
{
	return now_ns() / NSEC_PER_MSEC;
}

#endif /* VSND_COMMON_UTIL_H */
