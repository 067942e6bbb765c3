/* SPDX-License-Identifier: MIT */
/*
 * util.h - small helpers shared by libxenif's sources: scope-based cleanup
 * (the house _cleanup_ style), ownership transfer, errno conversion and
 * array sizes. Private to xenif/; nothing here is part of the API.
 *
 * Cleanup functions preserve errno, so an error path may still read it after
 * locals have been released.
 */
#ifndef XENIF_SRC_UTIL_H
#define XENIF_SRC_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand a pointer (or fd) out of a cleanup scope: returns it and disarms it. */
#define TAKE_PTR(p)                                                                    \
	({                                                                             \
		__typeof__(p) taken_ = (p);                                            \
		(p) = NULL;                                                            \
		taken_;                                                                \
	})

#define TAKE_FD(fd)                                                                    \
	({                                                                             \
		int taken_fd_ = (fd);                                                  \
		(fd) = -1;                                                             \
		taken_fd_;                                                             \
	})

/* Close an fd and set it to -1; returns -1 for "fd = safe_close(fd);". */
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

#endif /* XENIF_SRC_UTIL_H */
