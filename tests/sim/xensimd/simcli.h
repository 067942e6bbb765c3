/* SPDX-License-Identifier: MIT */
/*
 * simcli.h - a deliberately small raw client of xensimd for its tests.
 *
 * It speaks the wire protocol by hand (struct xsd_sockmsg + payload, fds
 * by SCM_RIGHTS) so the tests check xensimd itself rather than a library
 * built on it, and so they can send what no well-behaved client would.
 * Watch events that arrive while a reply is awaited are queued and can be
 * taken with simcli_event(). Helpers also run xenstore-utils programs
 * against a domain's socket and read a child's output line by line.
 */
#ifndef VSND_TEST_SIMCLI_H
#define VSND_TEST_SIMCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <xen/io/xs_wire.h>

#include "simproto.h"

#define SIMCLI_MAX_FDS (XSIM_GNT_MAX_BATCH + 8)
#define SIMCLI_MAX_EVENTS 256

struct simcli {
	int fd;
	uint32_t domid;
	uint32_t next_req;
	unsigned int nev;
	char *ev_path[SIMCLI_MAX_EVENTS];
	char *ev_token[SIMCLI_MAX_EVENTS];
};

/* A reply: payload (NUL-terminated copy) and the fds that came with it. */
struct simcli_reply {
	struct xsd_sockmsg h;
	unsigned char *data;
	int *fds;
	unsigned int nfds;
};

/* Connect to DIR/dom<domid>.sock. Return: 0 or -errno. */
int simcli_open(struct simcli *c, const char *dir, uint32_t domid);
void simcli_close(struct simcli *c);
/* Raw bytes, for hostile tests. Return: 0 or -errno. */
int simcli_write(struct simcli *c, const void *buf, size_t len);
int simcli_send(struct simcli *c, uint32_t type, uint32_t tx, const void *payload,
		size_t len);
/* Next message of any type (blocking). Return: 0 or -errno (-ECONNRESET
 * at end of stream). */
int simcli_recv(struct simcli *c, struct simcli_reply *r);
void simcli_reply_free(struct simcli_reply *r);
/* Request and reply; watch events met on the way are queued.
 * Return: 0, or -errno from an XS_ERROR reply or a broken stream. */
int simcli_call(struct simcli *c, uint32_t type, uint32_t tx, const void *payload,
		size_t len, struct simcli_reply *r);
/* Take the oldest watch event, reading until one comes (blocking). The
 * strings are the caller's to free. */
void simcli_event(struct simcli *c, char **path, char **token);
/* Number of queued events after a round trip: everything xensimd raised
 * before answering is in by then. */
unsigned int simcli_sync_events(struct simcli *c);
void simcli_drop_events(struct simcli *c);

/* XenStore conveniences. */
int simcli_xs_write(struct simcli *c, const char *path, const char *value);
int simcli_xs_read(struct simcli *c, const char *path, char *buf, size_t bufsz);
int simcli_xs_watch(struct simcli *c, const char *path, const char *token);
/* Permissions as xenstored prints them: "n0,r5". */
int simcli_xs_perms(struct simcli *c, const char *path, char *buf, size_t bufsz);

/* xensimd's own requests. */
int simcli_share(struct simcli *c, uint32_t grantee, uint32_t count, bool readonly,
		 uint32_t *refs, int *fds);
int simcli_map(struct simcli *c, uint32_t granter, const uint32_t *refs, uint32_t count,
	       bool writable, uint64_t *map_id, int *fds);
int simcli_u32_call(struct simcli *c, uint32_t type, const uint32_t *args, unsigned int n);
int simcli_evt(struct simcli *c, uint32_t type, const uint32_t *args, unsigned int n,
	       uint32_t *port, int fds[2]);
int simcli_mappings(struct simcli *c, uint32_t domid, uint32_t *by, uint32_t *of);
int simcli_dominfo(struct simcli *c, uint32_t domid, uint32_t *flags);

/* Run @argv with XENSTORED_PATH=DIR/dom<domid>.sock, stdout into @out.
 * Return: the exit status. */
int simcli_run(const char *dir, uint32_t domid, char *out, size_t outsz,
	       const char *const *argv);
/* Start @argv likewise with stdout on a pipe; *ret_fd reads it. */
pid_t simcli_spawn(const char *dir, uint32_t domid, const char *const *argv, int *ret_fd);
/* Read one line (without '\n') from @fd into @buf. Return: its length,
 * or -1 at end of stream. */
int simcli_line(int fd, char *buf, size_t bufsz);
/* Kill and reap a spawned child. */
void simcli_reap(pid_t pid);

#endif /* VSND_TEST_SIMCLI_H */
