/* SPDX-License-Identifier: MIT */
/*
 * contract-gnt.c - the grant clauses G1..G8 of docs/xenif.md, one TEST
 * each. The guest shares, dom0 maps (the vsnd direction). Accesses that
 * must fault run in a forked child whose death by SIGSEGV is the check.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <signal.h>

#include "contract.h"

#define PG XENIF_PAGE_SIZE

static const char *const no_grants = "grant devices need a hypervisor";

static sigjmp_buf touch_env;

static void on_touch_fault(int sig)
{
	siglongjmp(touch_env, sig);
}

/*
 * Touch @addr in this process and report whether it faulted. A forked
 * child cannot do it: grant mappings are not inherited by fork() (G9).
 * The handlers are ours only for the duration of the touch.
 */
static bool touch_faults(void *addr, bool write)
{
	struct sigaction sa = { .sa_handler = on_touch_fault }, old_segv, old_bus;
	volatile uint8_t *p = addr;
	volatile bool faulted = false;

	sigemptyset(&sa.sa_mask);
	ASSERT_OK(sigaction(SIGSEGV, &sa, &old_segv));
	ASSERT_OK(sigaction(SIGBUS, &sa, &old_bus));
	if (sigsetjmp(touch_env, 1) == 0) {
		if (write)
			*p = 0x5a;
		else
			(void)*p;
	} else {
		faulted = true;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void guest_side(struct rig_chan *c)
{
	struct xenif *xg = rig_open(rig.guest);
	uint32_t refs[2];
	uint8_t *p;
	char ok;

	ASSERT_OK(xenif_gnt_share(xg, 0, 2, true, refs, (void **)&p));
	ASSERT_TRUE(all_zero(p, 2 * PG));
	memcpy(p, "from guest", 11);
	memcpy(p + 2 * PG - 8, "tail-gst", 8);
	rig_chan_send(c, refs, sizeof(refs));

	rig_chan_recv(c, &ok, 1);
	ASSERT_MEMEQ(p + PG + 100, "from dom0", 10);
	ASSERT_OK(xenif_gnt_unshare(xg, p, 2));
	xenif_close(xg);
	rig_chan_send(c, "k", 1);
	rig_child_exit(0);
}

/* G1: shared pages are zeroed, and the bytes really are shared between
 * the granting and the mapping process, both ways. */
TEST(gnt_share_map_across_processes)
{
	struct rig_chan parent, child;
	struct xenif *x0;
	uint32_t refs[2];
	uint8_t *m;
	int status;
	char ok;
	pid_t pid;

	rig_start();
	rig_need_hypervisor(no_grants);
	rig_chan_pair(&parent, &child);
	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		guest_side(&child);

	x0 = rig_open(0);
	rig_chan_recv(&parent, refs, sizeof(refs));
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, refs, 2, true, (void **)&m));
	ASSERT_MEMEQ(m, "from guest", 11);
	ASSERT_MEMEQ(m + 2 * PG - 8, "tail-gst", 8);
	memcpy(m + PG + 100, "from dom0", 10);
	rig_chan_send(&parent, "g", 1);
	rig_chan_recv(&parent, &ok, 1);
	/* Revoked while mapped: the pages stay ours until we unmap. */
	ASSERT_MEMEQ(m, "from guest", 11);
	ASSERT_OK(xenif_gnt_unmap(x0, m, 2));
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	xenif_close(x0);
}

/* G2: only the grantee maps a grant; dom0's privilege does not extend to
 * grants made to another domain. */
TEST(gnt_only_grantee_maps)
{
	struct xenif *x0, *xg, *x6;
	uint32_t to0, to6;
	void *p0, *p6, *m;

	rig_start();
	rig_need_sim("needs two domUs");
	rig_need_hypervisor(no_grants);
	vtest_simd_domain_create(&rig.simd, 6, "guest6");
	x0 = rig_open(0);
	xg = rig_open(rig.guest);
	x6 = rig_open(6);

	ASSERT_OK(xenif_gnt_share(xg, 0, 1, true, &to0, &p0));
	ASSERT_OK(xenif_gnt_share(xg, 6, 1, true, &to6, &p6));
	/* Linux's gntdev reports every refused grant as EINVAL. */
	ASSERT_ERR(xenif_gnt_map(x6, rig.guest, &to0, 1, false, &m), EINVAL);
	ASSERT_ERR(xenif_gnt_map(x0, rig.guest, &to6, 1, false, &m), EINVAL);
	ASSERT_OK(xenif_gnt_map(x6, rig.guest, &to6, 1, true, &m));
	ASSERT_OK(xenif_gnt_unmap(x6, m, 1));
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, &to0, 1, true, &m));
	ASSERT_OK(xenif_gnt_unmap(x0, m, 1));

	ASSERT_OK(xenif_gnt_unshare(xg, p6, 1));
	ASSERT_OK(xenif_gnt_unshare(xg, p0, 1));
	xenif_close(x6);
	xenif_close(xg);
	xenif_close(x0);
}

/* G3: a read-only grant cannot be mapped writable; mapped read-only, it
 * shows the granter's bytes and faults on a write. */
TEST(gnt_readonly_refused_writable)
{
	struct xenif *x0, *xg;
	uint32_t ref;
	uint8_t *p, *m;
	int r;

	rig_start();
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	ASSERT_OK(xenif_gnt_share(xg, 0, 1, false, &ref, (void **)&p));
	r = xenif_gnt_map(x0, rig.guest, &ref, 1, true, (void **)&m);
	ASSERT_LT(r, 0);
	if (rig.mode != CONTRACT_XEN)
		ASSERT_ERR(r, EINVAL);
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, &ref, 1, false, (void **)&m));
	memcpy(p, "ro data", 8);
	ASSERT_MEMEQ(m, "ro data", 8);
	ASSERT_FALSE(touch_faults(m, false));
	ASSERT_TRUE(touch_faults(m, true));
	ASSERT_OK(xenif_gnt_unmap(x0, m, 1));
	ASSERT_OK(xenif_gnt_unshare(xg, p, 1));
	xenif_close(xg);
	xenif_close(x0);
}

/* G4: a batch map is all or nothing. */
TEST(gnt_batch_all_or_nothing)
{
	struct xenif *x0, *xg;
	uint32_t refs[3];
	void *a, *b, *m;
	int before;

	rig_start();
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	ASSERT_OK(xenif_gnt_share(xg, 0, 2, true, refs, &a));
	/* A ref that was granted and revoked: surely not mappable now. */
	ASSERT_OK(xenif_gnt_share(xg, 0, 1, true, &refs[2], &b));
	ASSERT_OK(xenif_gnt_unshare(xg, b, 1));

	before = rig_maps_count(rig.guest, refs[0]);
	ASSERT_LT(xenif_gnt_map(x0, rig.guest, refs, 3, true, &m), 0);
	/* Nothing of the failed batch stays mapped here. */
	ASSERT_EQ(rig_maps_count(rig.guest, refs[0]), before);
	ASSERT_EQ(rig_maps_count(rig.guest, refs[1]), before);
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, refs, 2, true, &m));
	ASSERT_OK(xenif_gnt_unmap(x0, m, 2));
	ASSERT_OK(xenif_gnt_unshare(xg, a, 2));
	xenif_close(xg);
	xenif_close(x0);
}

/* G4 (cont.): a batch larger than one sendmsg()'s worth of fds maps
 * contiguously and shares its bytes (XENIF_GNT_MAX_PAGES is the limit). */
TEST(gnt_large_batch)
{
	enum { N = 600 };
	struct xenif *x0, *xg;
	uint32_t *refs;
	uint8_t *p, *m;

	rig_start();
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	xg = rig_open(rig.guest);
	refs = calloc(N, sizeof(*refs));
	ASSERT_NOT_NULL(refs);

	ASSERT_OK(xenif_gnt_share(xg, 0, N, true, refs, (void **)&p));
	for (unsigned int i = 0; i < N; i++)
		memcpy(p + (size_t)i * PG + 7, &i, sizeof(i));
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, refs, N, false, (void **)&m));
	for (unsigned int i = 0; i < N; i++)
		ASSERT_MEMEQ(m + (size_t)i * PG + 7, &i, sizeof(i));
	ASSERT_OK(xenif_gnt_unmap(x0, m, N));
	ASSERT_OK(xenif_gnt_unshare(xg, p, N));
	free(refs);
	xenif_close(xg);
	xenif_close(x0);
}

/* G5: one PROT_NONE guard page on each side of every area (simulator). */
TEST(gnt_guard_pages)
{
	struct xenif *x0, *xg;
	uint32_t refs[2];
	uint8_t *p, *m;

	rig_start();
	rig_need_sim("real gntdev mappings have no guard pages");
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	ASSERT_OK(xenif_gnt_share(xg, 0, 2, true, refs, (void **)&p));
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, refs, 2, true, (void **)&m));
	ASSERT_FALSE(touch_faults(m, true));
	ASSERT_FALSE(touch_faults(m + 2 * PG - 1, true));
	ASSERT_TRUE(touch_faults(m + 2 * PG, false));
	ASSERT_TRUE(touch_faults(m - 1, false));
	ASSERT_TRUE(touch_faults(p + 2 * PG, true));
	ASSERT_TRUE(touch_faults(p - 1, true));
	ASSERT_OK(xenif_gnt_unmap(x0, m, 2));
	ASSERT_OK(xenif_gnt_unshare(xg, p, 2));
	xenif_close(xg);
	xenif_close(x0);
}

/* G6: a mapping is visible on the mapping side: its memfd, named
 * "dom<D>-gref<R>", shows in /proc/PID/maps until unmapped (simulator). */
TEST(gnt_mappings_visible_in_proc_maps)
{
	struct xenif *x0, *xg;
	uint32_t ref;
	void *p, *m;

	rig_start();
	rig_need_sim("real grant mappings show as /dev/xen/gntdev");
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	/* The granter's own view of the page counts once too. */
	ASSERT_OK(xenif_gnt_share(xg, 0, 1, true, &ref, &p));
	ASSERT_EQ(rig_maps_count(rig.guest, ref), 1);
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, &ref, 1, false, &m));
	ASSERT_EQ(rig_maps_count(rig.guest, ref), 2);
	ASSERT_OK(xenif_gnt_unmap(x0, m, 1));
	ASSERT_EQ(rig_maps_count(rig.guest, ref), 1);
	ASSERT_OK(xenif_gnt_unshare(xg, p, 1));
	ASSERT_EQ(rig_maps_count(rig.guest, ref), 0);
	xenif_close(xg);
	xenif_close(x0);
}

/* G7: a domain destroyed while dom0 maps its pages stays a dying zombie
 * until the last mapping goes; its grants cannot be mapped any more. */
TEST(gnt_zombie_on_destroy_while_mapped)
{
	struct xenif_dominfo di;
	struct xenif *x0, *xg;
	uint32_t refs[2];
	uint8_t *p, *m, *m2;

	rig_start();
	rig_need_sim("destroying a domain is the toolstack's");
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	xg = rig_open(rig.guest);

	ASSERT_OK(xenif_gnt_share(xg, 0, 2, true, refs, (void **)&p));
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, refs, 1, true, (void **)&m));
	vtest_simd_domain_destroy(&rig.simd, rig.guest);

	ASSERT_OK(xenif_domain_info(x0, rig.guest, &di));
	ASSERT_TRUE(di.dying);
	ASSERT_LT(xenif_gnt_map(x0, rig.guest, &refs[1], 1, true, (void **)&m2), 0);
	/* What is mapped stays usable memory. */
	memcpy(m, "still here", 11);
	ASSERT_MEMEQ(m, "still here", 11);
	ASSERT_OK(xenif_gnt_unmap(x0, m, 1));
	ASSERT_ERR(xenif_domain_info(x0, rig.guest, &di), ENOENT);

	/* The guest's context outlived its domain; closing it is still fine. */
	xenif_close(xg);
	xenif_close(x0);
}

/* G8: unmap/unshare take only what map/share returned, with its count. */
TEST(gnt_unmap_unknown_address)
{
	struct xenif *x0, *xg;
	uint32_t ref;
	void *p, *m, *junk;

	rig_start();
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	junk = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(junk != MAP_FAILED);
	ASSERT_ERR(xenif_gnt_unmap(x0, junk, 1), EINVAL);
	munmap(junk, PG);
	if (rig.mode == CONTRACT_XEN) {
		xenif_close(x0);
		rig_need_sim("libxengnttab does not check what xengntshr_unshare() is given");
	}

	xg = rig_open(rig.guest);
	ASSERT_OK(xenif_gnt_share(xg, 0, 1, true, &ref, &p));
	ASSERT_ERR(xenif_gnt_unmap(xg, p, 1), EINVAL);
	ASSERT_ERR(xenif_gnt_unshare(xg, p, 2), EINVAL);
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, &ref, 1, true, &m));
	ASSERT_ERR(xenif_gnt_unshare(x0, m, 1), EINVAL);
	ASSERT_OK(xenif_gnt_unmap(x0, m, 1));
	ASSERT_ERR(xenif_gnt_unmap(x0, m, 1), EINVAL);
	ASSERT_OK(xenif_gnt_unshare(xg, p, 1));
	ASSERT_ERR(xenif_gnt_unshare(xg, p, 1), EINVAL);
	xenif_close(xg);
	xenif_close(x0);
}

static void child_touches(void *arg)
{
	/* In the child the mapping must simply not be there. */
	exit(touch_faults(arg, false) ? 0 : 1);
}

/* G9: a forked child does not inherit grant mappings. */
TEST(gnt_not_inherited_by_fork)
{
	struct xenif *x0, *xg;
	uint32_t ref;
	uint8_t *p, *m;
	int status;

	rig_start();
	rig_need_hypervisor(no_grants);
	x0 = rig_open(0);
	xg = rig_open(rig.guest);
	ASSERT_OK(xenif_gnt_share(xg, 0, 1, true, &ref, (void **)&p));
	ASSERT_OK(xenif_gnt_map(x0, rig.guest, &ref, 1, true, (void **)&m));
	m[0] = 1;
	status = rig_fork_status(child_touches, m);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(p[0], 1);
	ASSERT_OK(xenif_gnt_unmap(x0, m, 1));
	ASSERT_OK(xenif_gnt_unshare(xg, p, 1));
	xenif_close(xg);
	xenif_close(x0);
}
