/* SPDX-License-Identifier: MIT */
/*
 * contract.h - the rig behind the xenif contract tests (docs/xenif.md).
 *
 * One set of TESTs runs in three modes:
 *   sim      (test-xenif-contract) xensimd in a temp dir, domain 5 created;
 *            contexts act as dom0 or dom5 through "sim:DIR";
 *   real-xs  (test-xenif-real-xs) the same xensimd, but contexts are
 *            xenif_open("real") with $XENSTORED_PATH = DIR/dom<N>.sock, so
 *            XenStore goes through libxenstore; tests needing event
 *            channels, grants, domain info or client-side knobs skip;
 *   xen      (either binary, VSND_TEST_XEN=1) real Xen in the rig's dom0:
 *            every context is dom0 and the "guest" is dom0 itself (grants
 *            and event channels loop back); tests needing a second domain
 *            or a simulator knob skip.
 * Each test runs in a forked child (vtest), so the rig is per test; forked
 * helpers inside a test must end with _exit() (see rig_child_exit()).
 */
#ifndef VSND_TESTS_XENIF_CONTRACT_H
#define VSND_TESTS_XENIF_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "simd.h"
#include "vtest.h"
#include "xenif/xenif.h"

enum contract_mode {
	CONTRACT_SIM,
	CONTRACT_REAL_XS,
	CONTRACT_XEN,
};

/* Defined by each test binary's main file. */
extern const enum contract_mode contract_build_mode;

struct rig {
	enum contract_mode mode;
	struct vtest_simd simd;
	uint32_t guest;		/* the peer domain: 5, or 0 under real Xen */
	char base[64];		/* a XenStore subtree of this test's own */
	pid_t owner;
};

extern struct rig rig;

#define RIG_GUEST_DOMID 5u
#define RIG_WAIT_MS 5000

/* Start the rig for this test (xensimd + domain 5 unless under real Xen). */
void rig_start(void);
/* Skip unless the mode has what the test needs; @why says what is missing. */
void rig_need_sim(const char *why);
void rig_need_hypervisor(const char *why);
/* A context acting as @domid (0 or rig.guest). */
struct xenif *rig_open(uint32_t domid);
/* "<rig.base>/<suffix>" into a static rotating buffer. */
const char *rig_path(const char *suffix);
/* xensimd-ctl fault ...; sim modes only. */
void rig_fault_op_errno(uint32_t domid, const char *op, uint32_t nth, const char *err,
			uint32_t count);
void rig_fault_simple(const char *kind, uint32_t domid, uint32_t value);

/* poll() @fd for POLLIN up to @timeout_ms; true when readable. */
bool rig_readable(int fd, int timeout_ms);
/* How long to wait before concluding "nothing came": 0 where delivery is
 * synchronous (the simulator in one process), a little under real Xen. */
int rig_quiet_ms(void);
/* Wait for and return the next watch event (fails the test after 5 s). */
void rig_next_event(struct xenif *x, char **ret_path, char **ret_token);
/* Drain events until (@path, @token) comes; others are skipped (watches
 * may fire spuriously). Fails after 5 s. */
void rig_expect_event(struct xenif *x, const char *path, const char *token);
/* Read every event queued now; true if (@path, any token) was among them. */
bool rig_drain_saw(struct xenif *x, const char *path);

/* Count lines of /proc/self/maps naming "dom<domid>-gref<ref>". */
int rig_maps_count(uint32_t domid, uint32_t ref);

/* Run @fn in a forked child; return its wait status. */
int rig_fork_status(void (*fn)(void *), void *arg);
_Noreturn void rig_child_exit(int code);

/* A pipe pair for two processes to hand each other numbers. */
struct rig_chan {
	int rfd;
	int wfd;
};
void rig_chan_pair(struct rig_chan *a, struct rig_chan *b);
void rig_chan_send(struct rig_chan *c, const void *buf, size_t len);
void rig_chan_recv(struct rig_chan *c, void *buf, size_t len);

/*
 * Bind (domid, port) on @h and consume the event Xen leaves pending on a
 * freshly bound port (clause E6), so the channel starts quiet.
 * Return: the local port.
 */
int rig_bind(struct xenif_evtchn *h, uint32_t domid, uint32_t port);

#endif /* VSND_TESTS_XENIF_CONTRACT_H */
