/* SPDX-License-Identifier: MIT */
/*
 * loop.h - vsndbe's event loop: a thin wrapper around sd-event, so that
 * the rest of the backend never sees <systemd/sd-event.h>.
 *
 * It knows two kinds of fd sources. Static ones (the XenStore fd) are added
 * and removed by the caller. Dynamic ones are the fds of the connected
 * streams (sndbe_dev_fds()), whose set changes with every OPEN, CLOSE,
 * connect and disconnect: a hook the caller installs with
 * sndbe_loop_set_after() runs after every dispatch and hands the current
 * set to sndbe_loop_sync(), which brings the registered set in line with it.
 *
 * SIGTERM and SIGINT end sndbe_loop_run() with exit code 0; SIGHUP runs the
 * hook of sndbe_loop_set_reload(). Event masks
 * are poll() bits as sndbe_audio_fds() hands them over, alsa-lib's
 * POLLNVAL and POLLRDNORM/POLLWRNORM included: the loop keeps what epoll
 * understands (POLLIN == EPOLLIN on Linux, and so on) and reads the *NORM
 * bits as POLLIN/POLLOUT. Errors are negative errnos.
 */
#ifndef VSND_BACKEND_LOOP_H
#define VSND_BACKEND_LOOP_H

#include <poll.h>
#include <stdint.h>

struct sndbe_loop;

/* Called when @fd is ready; @revents as epoll reported them. */
typedef void (*sndbe_loop_fd_fn)(struct sndbe_loop *l, int fd, uint32_t revents, void *userdata);
/* Called after every dispatch of an fd source. */
typedef void (*sndbe_loop_after_fn)(struct sndbe_loop *l, void *userdata);

/**
 * sndbe_loop_new() - create a loop; blocks SIGTERM and SIGINT in the calling
 * thread and turns them into a clean exit of sndbe_loop_run().
 * @ret: receives the loop.
 *
 * Return: 0 or a negative errno.
 */
int sndbe_loop_new(struct sndbe_loop **ret);

/**
 * sndbe_loop_free() - remove every source and free the loop.
 * @l: the loop, or NULL.
 *
 * Return: NULL.
 */
struct sndbe_loop *sndbe_loop_free(struct sndbe_loop *l);

/**
 * sndbe_loop_add() - watch a static fd.
 * @l: the loop.
 * @fd: the fd, borrowed: the caller closes it after sndbe_loop_remove().
 * @events: POLLIN and friends.
 * @cb: called when it is ready.
 * @userdata: passed to @cb.
 *
 * Return: 0; -EEXIST when @fd is already watched; another negative errno.
 */
int sndbe_loop_add(struct sndbe_loop *l, int fd, uint32_t events, sndbe_loop_fd_fn cb,
		   void *userdata);

/* Change the events of a watched fd. Return 0, -ENOENT or another -errno. */
int sndbe_loop_modify(struct sndbe_loop *l, int fd, uint32_t events);

/* Stop watching @fd. Return 0 or -ENOENT. */
int sndbe_loop_remove(struct sndbe_loop *l, int fd);

/**
 * sndbe_loop_set_after() - install the hook run after every dispatch.
 * @l: the loop.
 * @fn: the hook, or NULL to remove it.
 * @userdata: passed to @fn.
 *
 * Return: 0 or a negative errno.
 */
int sndbe_loop_set_after(struct sndbe_loop *l, sndbe_loop_after_fn fn, void *userdata);

/* Install the hook run on SIGHUP (NULL: SIGHUP is ignored). Return: 0. */
int sndbe_loop_set_reload(struct sndbe_loop *l, sndbe_loop_after_fn fn, void *userdata);

/**
 * sndbe_loop_sync() - make the dynamic fds exactly @fds.
 * @l: the loop.
 * @fds: the fds and their events (revents ignored).
 * @n: how many.
 * @cb: called when one of them is ready.
 * @userdata: passed to @cb.
 *
 * Return: 0, or the first negative errno met (the fds that could be added
 * are watched anyway).
 */
int sndbe_loop_sync(struct sndbe_loop *l, const struct pollfd *fds, unsigned int n,
		    sndbe_loop_fd_fn cb, void *userdata);

/* Number of fds watched, static and dynamic. */
unsigned int sndbe_loop_count(const struct sndbe_loop *l);

/* End sndbe_loop_run() with @code after the current dispatch. */
void sndbe_loop_exit(struct sndbe_loop *l, int code);

/**
 * sndbe_loop_run() - dispatch until sndbe_loop_exit() or a signal.
 * @l: the loop.
 *
 * Return: the exit code (0 after SIGTERM/SIGINT), or a negative errno when
 * the loop itself failed.
 */
int sndbe_loop_run(struct sndbe_loop *l);

#endif /* VSND_BACKEND_LOOP_H */
