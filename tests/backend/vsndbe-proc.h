/* SPDX-License-Identifier: MIT */
/*
 * vsndbe-proc.h - the vsndbe binary ($VTEST_VSNDBE) as a child of a test:
 * start it, wait for its readiness line, end it and collect its status,
 * and read back the WAV files its "file:" sink writes. Every wait is on a
 * pipe with a generous bound, never on time passing; the test skips when
 * the binary is not built.
 */
#ifndef VSND_TEST_VSNDBE_PROC_H
#define VSND_TEST_VSNDBE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fetree.h"
#include "simd.h"

/* Bound of every wait on vsndbe. */
#define VSNDBE_PROC_WAIT_MS 30000

struct vsndbe_proc {
	pid_t pid;
	int out; /* its stdout */
	int err; /* its stderr, or -1 when inherited */
	char log[8192]; /* stderr read so far by vsndbe_proc_wait_log() */
	size_t log_len;
};

/* $VTEST_VSNDBE, or skip the test. */
const char *vsndbe_proc_path(void);
/* Start vsndbe with @args (NULL-terminated); pipe its stderr if @err. */
void vsndbe_proc_spawn(struct vsndbe_proc *c, const char *const *args, bool err);
/* Wait for the one line "vsndbe ready" on its stdout. */
void vsndbe_proc_wait_ready(struct vsndbe_proc *c);
/* Wait for vsndbe to end (its stdout reaches EOF); return its status. */
int vsndbe_proc_reap(struct vsndbe_proc *c);
/* SIGTERM; vsndbe must exit with status 0. */
void vsndbe_proc_stop(struct vsndbe_proc *c);
/* Run vsndbe with @args to its end; return the status and its stderr. */
int vsndbe_proc_run(const char *const *args, char *err, size_t size);
/* Read @fd until EOF into @buf (NUL-terminated); fail after the bound. */
size_t vsndbe_proc_read_all(int fd, char *buf, size_t size);

/*
 * Read vsndbe's stderr (spawned with @err) until a line containing @needle
 * appears after what earlier calls consumed; false after @ms.
 */
bool vsndbe_proc_wait_log(struct vsndbe_proc *c, const char *needle, int ms);

/* Any domain, for the grant map counts below. */
#define VSNDBE_PROC_ANY_DOMAIN UINT32_MAX

/*
 * Mappings of domain @domid's grants (xenif G6) in vsndbe @pid and its
 * workers (every descendant), or in @pid alone.
 */
int vsndbe_proc_grant_maps(pid_t pid, uint32_t domid);
int vsndbe_proc_own_grant_maps(pid_t pid, uint32_t domid);
/* The direct children of @pid: their count; the first @max in @kids. */
int vsndbe_proc_children(pid_t pid, pid_t *kids, int max);
/* Open fds of vsndbe @pid and its workers. */
int vsndbe_proc_fds(pid_t pid);

/*
 * What a test of the binary runs in: xensimd, the toolstack's dom0
 * context, a temporary directory for the "file:" sink and the matching
 * --xen= and --sink= arguments.
 */
struct vsndbe_world {
	struct vtest_simd sim;
	struct xenif *ts;
	char dir[64];
	char xen[300];	/* "--xen=sim:DIR" */
	char sink[128];	/* "--sink=file:DIR/dom%u-%u-%u.wav" */
};

/* Skip unless vsndbe is built; start xensimd; make the directory. */
void vsndbe_world_begin(struct vsndbe_world *w);
/* Create domain @t->guest named @name and write its card @t. */
void vsndbe_world_guest(struct vsndbe_world *w, const struct fetree *t, const char *name);
/* The WAV of stream (@domid, 0, 0): the path, in @buf. */
const char *vsndbe_world_wav(const struct vsndbe_world *w, uint32_t domid, char *buf,
			     size_t size);
/*
 * Wait until the backend state of guest @domid's device 0 reads @state, on
 * a XenStore watch (it fires once when set, so a state already there
 * counts); fail after the bound. vsndbe unmaps a device before it writes
 * the state that leaves Connected.
 */
void vsndbe_world_wait_be_state(struct vsndbe_world *w, uint32_t domid, const char *state);
/* Stop xensimd and remove the directory with what the sink wrote. */
void vsndbe_world_end(struct vsndbe_world *w);

/* The data chunk of a WAV file (at most 8 MiB), malloc'ed. */
uint8_t *vsndbe_wav_data(const char *path, uint32_t *ret_len);

#endif /* VSND_TEST_VSNDBE_PROC_H */
