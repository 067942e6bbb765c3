/* SPDX-License-Identifier: MIT */
/*
 * sim-conn.h - one connection to xensimd: DIR/dom<N>.sock, spoken in the
 * XenStore wire protocol plus simproto.h's XSIM_* messages, with file
 * descriptors arriving as SCM_RIGHTS.
 *
 * Calls are synchronous: sim_conn_call() sends a request and waits (at most
 * SIM_CONN_TIMEOUT_MS) for the reply with the same req_id, queuing every
 * XS_WATCH_EVENT that arrives meanwhile. Everything read from the socket is
 * untrusted: lengths are bounded, replies must match what was asked, and a
 * reply's fds must number exactly what the caller expects. A connection
 * that saw a protocol error or a timeout is dead: every later call fails
 * with -ENOTCONN.
 */
#ifndef XENIF_SRC_SIM_CONN_H
#define XENIF_SRC_SIM_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_CONN_TIMEOUT_MS 10000

/* Largest payload accepted from xensimd (a 16448-ref share reply is 64 KiB). */
#define SIM_CONN_MSG_MAX (256u * 1024u)

struct sim_conn;

struct sim_reply {
	uint32_t len;
	char *body;	/* @len bytes plus a NUL, malloc()ed */
};

/*
 * Where a successful reply's fds go, in order. take() owns @fd from then on
 * (it must close it, also on failure); its first error is kept in @err and
 * makes the call fail once every fd has been consumed.
 */
struct sim_fd_sink {
	unsigned int want;
	unsigned int got;
	int err;
	int (*take)(void *opaque, unsigned int index, int fd);
	void *opaque;
};

/* A take() for small fixed sets: stores fd number @index in int[] @opaque. */
int sim_take_fd(void *opaque, unsigned int index, int fd);

/* Called when the watch-event queue becomes non-empty or empty. */
typedef void (*sim_conn_queue_fn)(void *opaque, bool nonempty);

int sim_conn_open(const char *dir, uint32_t domid, struct sim_conn **ret);
struct sim_conn *sim_conn_free(struct sim_conn *c);
void sim_conn_set_queue_fn(struct sim_conn *c, sim_conn_queue_fn fn, void *opaque);
int sim_conn_fd(const struct sim_conn *c);

int sim_conn_call(struct sim_conn *c, uint32_t type, uint32_t tx, const void *payload,
		  size_t len, struct sim_fd_sink *sink, struct sim_reply *ret);
void sim_reply_done(struct sim_reply *r);

int sim_conn_read_event(struct sim_conn *c, char **ret_path, char **ret_token);

int sim_errno_from_name(const char *name);

#endif /* XENIF_SRC_SIM_CONN_H */
