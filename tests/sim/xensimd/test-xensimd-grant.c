// SPDX-License-Identifier: MIT
/*
 * Grants through xensimd: pages shared by one process and mapped by
 * another really are the same memory; Xen's checks on who may map what;
 * batches all or nothing; mapping counts; a destroyed domain kept as a
 * zombie while its pages are mapped, and reaped after the last unmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simcli.h"
#include "simd.h"
#include "vtest.h"

#define PAGE 4096

static void *map_fd(int fd, int prot)
{
	void *p = mmap(NULL, PAGE, prot, MAP_SHARED, fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

static void wait_child_ok(pid_t pid)
{
	int status;

	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		vtest_fail(__FILE__, __LINE__, "child failed (status %#x)", status);
}

static void expect_counts(struct simcli *c, uint32_t domid, uint32_t by, uint32_t of)
{
	uint32_t b, o;

	ASSERT_OK(simcli_mappings(c, domid, &b, &o));
	ASSERT_EQ(b, by);
	ASSERT_EQ(o, of);
}

TEST(bytes_cross_processes)
{
	struct vtest_simd s;
	struct simcli fe;
	uint32_t refs[2];
	int fds[2], pipefd[2];
	char *p0, *p1;
	pid_t pid;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_share(&fe, 0, 2, false, refs, fds));
	p0 = map_fd(fds[0], PROT_READ | PROT_WRITE);
	p1 = map_fd(fds[1], PROT_READ | PROT_WRITE);
	strcpy(p0, "written by the frontend");
	ASSERT_OK(pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct simcli be;
		uint32_t got[2];
		uint64_t id;
		int mfds[2];
		char *m0, *m1;

		ASSERT_EQ(read(pipefd[0], got, sizeof(got)), (ssize_t)sizeof(got));
		ASSERT_OK(simcli_open(&be, s.dir, 0));
		ASSERT_OK(simcli_map(&be, 1, got, 2, true, &id, mfds));
		m0 = map_fd(mfds[0], PROT_READ | PROT_WRITE);
		m1 = map_fd(mfds[1], PROT_READ | PROT_WRITE);
		ASSERT_STREQ(m0, "written by the frontend");
		strcpy(m1, "written by the backend");
		_exit(0);
	}
	ASSERT_EQ(write(pipefd[1], refs, sizeof(refs)), (ssize_t)sizeof(refs));
	wait_child_ok(pid);
	ASSERT_STREQ(p1, "written by the backend");
	/* the backend's process is gone, and its mappings with it (the round
	 * trip lets xensimd see the hangup first) */
	simcli_sync_events(&fe);
	expect_counts(&fe, 1, 0, 0);
	munmap(p0, PAGE);
	munmap(p1, PAGE);
	close(fds[0]);
	close(fds[1]);
	simcli_close(&fe);
	vtest_simd_stop(&s);
}

TEST(memfd_is_one_named_page)
{
	struct vtest_simd s;
	struct simcli fe;
	char link[64], target[128], want[64];
	uint32_t refs[3];
	int fds[3];
	struct stat st;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 4, "guest4");
	ASSERT_OK(simcli_open(&fe, s.dir, 4));
	ASSERT_OK(simcli_share(&fe, 0, 3, false, refs, fds));
	for (int i = 0; i < 3; i++) {
		ssize_t n;

		/* refs 0..7 are Xen's own */
		ASSERT_EQ(refs[i], 8 + i);
		ASSERT_OK(fstat(fds[i], &st));
		ASSERT_EQ(st.st_size, PAGE);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[i]);
		n = readlink(link, target, sizeof(target) - 1);
		ASSERT_GT(n, 0);
		target[n] = '\0';
		snprintf(want, sizeof(want), "/memfd:dom4-gref%u", refs[i]);
		ASSERT_TRUE(strncmp(target, want, strlen(want)) == 0);
		/* the page cannot be shrunk under a mapper */
		ASSERT_ERR(ftruncate(fds[i], 0) < 0 ? -errno : 0, EPERM);
		close(fds[i]);
	}
	simcli_close(&fe);
	vtest_simd_stop(&s);
}

TEST(only_the_grantee_maps)
{
	struct vtest_simd s;
	struct simcli fe, d0, d2, d3;
	uint32_t ref;
	uint64_t id;
	int fd;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	vtest_simd_domain_create(&s, 2, "guest2");
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_open(&d0, s.dir, 0));
	ASSERT_OK(simcli_open(&d2, s.dir, 2));
	ASSERT_OK(simcli_open(&d3, s.dir, 3));
	ASSERT_OK(simcli_share(&fe, 2, 1, false, &ref, NULL));
	/* not even dom0 maps what was granted to another domain */
	ASSERT_ERR(simcli_map(&d0, 1, &ref, 1, true, &id, NULL), EINVAL);
	ASSERT_ERR(simcli_map(&d3, 1, &ref, 1, false, &id, NULL), EINVAL);
	/* nor a ref of the wrong granter */
	ASSERT_ERR(simcli_map(&d2, 3, &ref, 1, true, &id, NULL), EINVAL);
	ASSERT_OK(simcli_map(&d2, 1, &ref, 1, true, &id, &fd));
	close(fd);
	expect_counts(&d0, 2, 1, 0);
	expect_counts(&d0, 1, 0, 1);
	simcli_close(&fe);
	simcli_close(&d0);
	simcli_close(&d2);
	simcli_close(&d3);
	vtest_simd_stop(&s);
}

TEST(read_only_grant_is_not_writable)
{
	struct vtest_simd s;
	struct simcli fe, be;
	uint32_t ref;
	uint64_t id;
	int fd, sfd;
	char *ro, *rw;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_open(&be, s.dir, 0));
	ASSERT_OK(simcli_share(&fe, 0, 1, true, &ref, &sfd));
	ASSERT_ERR(simcli_map(&be, 1, &ref, 1, true, &id, NULL), EINVAL);
	ASSERT_OK(simcli_map(&be, 1, &ref, 1, false, &id, &fd));
	/* the fd itself is read-only: no way to write through it */
	ASSERT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ASSERT_TRUE(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	ro = map_fd(fd, PROT_READ);
	rw = map_fd(sfd, PROT_READ | PROT_WRITE);
	strcpy(rw, "granter writes");
	ASSERT_STREQ(ro, "granter writes");
	munmap(ro, PAGE);
	munmap(rw, PAGE);
	close(fd);
	close(sfd);
	simcli_close(&fe);
	simcli_close(&be);
	vtest_simd_stop(&s);
}

TEST(batch_is_all_or_nothing)
{
	struct vtest_simd s;
	struct simcli fe, be;
	uint32_t refs[4];
	uint64_t id;
	int fds[3];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_open(&be, s.dir, 0));
	ASSERT_OK(simcli_share(&fe, 0, 3, false, refs, NULL));
	refs[3] = refs[2];
	refs[2] = 4000;		/* never granted */
	ASSERT_ERR(simcli_map(&be, 1, refs, 3, true, &id, NULL), EINVAL);
	expect_counts(&be, 0, 0, 0);
	expect_counts(&be, 1, 0, 0);
	refs[2] = 0;		/* Xen's own */
	ASSERT_ERR(simcli_map(&be, 1, refs, 3, true, &id, NULL), EINVAL);
	refs[2] = refs[3];
	ASSERT_OK(simcli_map(&be, 1, refs, 3, true, &id, fds));
	expect_counts(&be, 0, 3, 0);
	expect_counts(&be, 1, 0, 3);
	ASSERT_OK(simcli_call(&be, XSIM_GNT_UNMAP, 0, &id, sizeof(id), NULL));
	ASSERT_ERR(simcli_call(&be, XSIM_GNT_UNMAP, 0, &id, sizeof(id), NULL), ENOENT);
	expect_counts(&be, 1, 0, 0);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	simcli_close(&fe);
	simcli_close(&be);
	vtest_simd_stop(&s);
}

TEST(unshare_while_mapped_keeps_the_mappers_page)
{
	struct vtest_simd s;
	struct simcli fe, be;
	uint32_t ref, req[2];
	uint64_t id;
	int fd, sfd;
	char *m;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_open(&be, s.dir, 0));
	ASSERT_OK(simcli_share(&fe, 0, 1, false, &ref, &sfd));
	ASSERT_OK(simcli_map(&be, 1, &ref, 1, true, &id, &fd));
	m = map_fd(fd, PROT_READ | PROT_WRITE);
	req[0] = 1;
	req[1] = ref;
	ASSERT_OK(simcli_u32_call(&fe, XSIM_GNT_UNSHARE, req, 2));
	/* revoked for new maps and for a second unshare ... */
	ASSERT_ERR(simcli_map(&be, 1, &ref, 1, true, &id, NULL), EINVAL);
	ASSERT_ERR(simcli_u32_call(&fe, XSIM_GNT_UNSHARE, req, 2), EINVAL);
	/* ... while the mapper keeps a working page */
	strcpy(m, "still here");
	ASSERT_STREQ(m, "still here");
	expect_counts(&be, 1, 0, 1);
	ASSERT_OK(simcli_call(&be, XSIM_GNT_UNMAP, 0, &id, sizeof(id), NULL));
	expect_counts(&be, 1, 0, 0);
	munmap(m, PAGE);
	close(fd);
	close(sfd);
	simcli_close(&fe);
	simcli_close(&be);
	vtest_simd_stop(&s);
}

TEST(sharers_disconnect_revokes_its_grants)
{
	struct vtest_simd s;
	struct simcli fe, be;
	uint32_t ref;
	uint64_t id;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_open(&be, s.dir, 0));
	ASSERT_OK(simcli_share(&fe, 0, 1, false, &ref, NULL));
	simcli_close(&fe);
	simcli_sync_events(&be);
	ASSERT_ERR(simcli_map(&be, 1, &ref, 1, true, &id, NULL), EINVAL);
	simcli_close(&be);
	vtest_simd_stop(&s);
}

static void expect_release(struct simcli *c)
{
	char *path, *token;

	simcli_event(c, &path, &token);
	ASSERT_STREQ(path, "@releaseDomain");
	free(path);
	free(token);
}

TEST(destroyed_domain_is_a_zombie_while_mapped)
{
	const char *const mappings[] = { "mappings", "--domid", "1", NULL };
	struct vtest_simd s;
	struct simcli fe, be, w;
	uint32_t ref, flags;
	uint64_t id;
	int fd, sfd;
	char *m;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_open(&be, s.dir, 0));
	ASSERT_OK(simcli_open(&w, s.dir, 0));
	ASSERT_OK(simcli_xs_watch(&w, "@releaseDomain", "r"));
	expect_release(&w);
	ASSERT_OK(simcli_share(&fe, 0, 1, false, &ref, &sfd));
	ASSERT_OK(simcli_map(&be, 1, &ref, 1, true, &id, &fd));
	vtest_simd_domain_destroy(&s, 1);
	expect_release(&w);
	ASSERT_OK(simcli_dominfo(&be, 1, &flags));
	ASSERT_EQ_U(flags, XSIM_DOMINFO_EXISTS | XSIM_DOMINFO_DYING);
	ASSERT_EQ(vtest_simd_ctl(&s, mappings), 0);
	/* no new map of a dead domain's grants, even the mapped one */
	ASSERT_ERR(simcli_map(&be, 1, &ref, 1, true, &id, NULL), EINVAL);
	/* its id is still taken */
	ASSERT_EQ(vtest_simd_ctl(&s, (const char *const[]){ "domain", "create", "1", NULL }), 1);
	/* the page is still the granter's page */
	m = map_fd(fd, PROT_READ | PROT_WRITE);
	strcpy(m, "zombie page");
	ASSERT_STREQ(map_fd(sfd, PROT_READ), "zombie page");
	ASSERT_OK(simcli_call(&be, XSIM_GNT_UNMAP, 0, &id, sizeof(id), NULL));
	expect_release(&w);
	ASSERT_ERR(simcli_dominfo(&be, 1, &flags), ENOENT);
	vtest_simd_domain_create(&s, 1, "guest1-again");
	close(fd);
	close(sfd);
	simcli_close(&fe);
	simcli_close(&be);
	simcli_close(&w);
	vtest_simd_stop(&s);
}

TEST(mapper_death_reaps_the_zombie)
{
	struct vtest_simd s;
	struct simcli fe, d0;
	uint32_t ref, flags;
	int ready[2], go[2];
	char byte = 0;
	pid_t pid;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 7, "guest7");
	ASSERT_OK(simcli_open(&fe, s.dir, 7));
	ASSERT_OK(simcli_share(&fe, 0, 1, false, &ref, NULL));
	ASSERT_OK(pipe(ready));
	ASSERT_OK(pipe(go));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct simcli be;
		uint64_t id;
		int fd;

		ASSERT_OK(simcli_open(&be, s.dir, 0));
		ASSERT_OK(simcli_map(&be, 7, &ref, 1, true, &id, &fd));
		ASSERT_EQ(write(ready[1], "m", 1), 1);
		ASSERT_EQ(read(go[0], &byte, 1), 1);
		/* dies holding the mapping */
		_exit(0);
	}
	ASSERT_EQ(read(ready[0], &byte, 1), 1);
	vtest_simd_domain_destroy(&s, 7);
	ASSERT_OK(simcli_open(&d0, s.dir, 0));
	ASSERT_OK(simcli_dominfo(&d0, 7, &flags));
	ASSERT_TRUE(flags & XSIM_DOMINFO_DYING);
	ASSERT_OK(simcli_xs_watch(&d0, "@releaseDomain", "r"));
	expect_release(&d0);
	ASSERT_EQ(write(go[1], "g", 1), 1);
	wait_child_ok(pid);
	expect_release(&d0);
	ASSERT_ERR(simcli_dominfo(&d0, 7, &flags), ENOENT);
	simcli_close(&fe);
	simcli_close(&d0);
	vtest_simd_stop(&s);
}

/* More fds than one sendmsg() carries: they come in chunks, in order. */
TEST(large_batch_passes_every_fd)
{
	enum { N = 700 };
	struct vtest_simd s;
	struct simcli fe, be;
	uint32_t *refs = calloc(N, sizeof(*refs));
	int *sfds = calloc(N, sizeof(int)), *mfds = calloc(N, sizeof(int));
	uint64_t id;

	ASSERT_TRUE(refs && sfds && mfds);
	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 1, "guest1");
	ASSERT_OK(simcli_open(&fe, s.dir, 1));
	ASSERT_OK(simcli_open(&be, s.dir, 0));
	ASSERT_OK(simcli_share(&fe, 0, N, false, refs, sfds));
	for (int i = 0; i < N; i++) {
		int *p = map_fd(sfds[i], PROT_READ | PROT_WRITE);

		*p = i * 7 + 1;
		munmap(p, PAGE);
		close(sfds[i]);
	}
	ASSERT_OK(simcli_map(&be, 1, refs, N, true, &id, mfds));
	for (int i = 0; i < N; i++) {
		int *p = map_fd(mfds[i], PROT_READ);

		ASSERT_EQ(*p, i * 7 + 1);
		munmap(p, PAGE);
		close(mfds[i]);
	}
	expect_counts(&be, 1, 0, N);
	free(refs);
	free(sfds);
	free(mfds);
	simcli_close(&fe);
	simcli_close(&be);
	vtest_simd_stop(&s);
}
