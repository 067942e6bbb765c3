// SPDX-License-Identifier: MIT
/*
 * xensimd's XenStore as unmodified clients see it: Debian's xenstore-utils
 * (through libxenstore and XENSTORED_PATH) acting as dom0 and as domUs,
 * the skeleton "domain create" builds with libxl's permissions, the
 * special watches, and the per-domain sockets' lifetime.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simcli.h"
#include "simd.h"
#include "vtest.h"

static void need_xenstore_utils(void)
{
	if (system("command -v xenstore-ls xenstore-read xenstore-write xenstore-watch "
		   "xenstore-rm xenstore-list xenstore-chmod xenstore-exists >/dev/null 2>&1"))
		vtest_skip("xenstore-utils is not installed (apt-get install xenstore-utils)");
}

static int xs_cmd(struct vtest_simd *s, uint32_t domid, char *out, size_t outsz,
		  const char *const *argv)
{
	char none[8];

	return simcli_run(s->dir, domid, out ? out : none, out ? outsz : sizeof(none), argv);
}

static bool sock_exists(const struct vtest_simd *s, uint32_t domid)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/dom%u.sock", s->dir, domid);
	return access(path, F_OK) == 0;
}

TEST(write_as_dom0_read_as_domu)
{
	struct vtest_simd s;
	char out[256];

	need_xenstore_utils();
	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_EQ(xs_cmd(&s, 0, NULL, 0, (const char *const[]){ "xenstore-write",
		  "/local/domain/3/data/greeting", "hello from dom0", NULL }), 0);
	ASSERT_EQ(xs_cmd(&s, 3, out, sizeof(out), (const char *const[]){ "xenstore-read",
		  "/local/domain/3/data/greeting", NULL }), 0);
	ASSERT_STREQ(out, "hello from dom0\n");
	/* relative paths resolve under the domain's home */
	ASSERT_EQ(xs_cmd(&s, 3, out, sizeof(out), (const char *const[]){ "xenstore-read",
		  "name", NULL }), 0);
	ASSERT_STREQ(out, "guest3\n");
	vtest_simd_stop(&s);
}

TEST(domu_is_denied_foreign_nodes)
{
	const char *const read0[] = { "xenstore-read", "/local/domain/0/name", NULL };
	const char *const read4[] = { "xenstore-read", "/local/domain/4/name", NULL };
	const char *const write4[] = { "xenstore-write", "/local/domain/4/data/x", "1", NULL };
	const char *const own_name[] = { "xenstore-write", "/local/domain/3/name", "evil", NULL };
	const char *const own_data[] = { "xenstore-write", "/local/domain/3/data/x", "1", NULL };
	struct vtest_simd s;

	need_xenstore_utils();
	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 3, "guest3");
	vtest_simd_domain_create(&s, 4, "guest4");
	ASSERT_NE(xs_cmd(&s, 3, NULL, 0, read0), 0);
	ASSERT_NE(xs_cmd(&s, 3, NULL, 0, read4), 0);
	ASSERT_NE(xs_cmd(&s, 3, NULL, 0, write4), 0);
	/* its own name is dom0's node: readable, not writable */
	ASSERT_NE(xs_cmd(&s, 3, NULL, 0, own_name), 0);
	ASSERT_EQ(xs_cmd(&s, 3, NULL, 0, own_data), 0);
	ASSERT_EQ(xs_cmd(&s, 4, NULL, 0, read4), 0);
	vtest_simd_stop(&s);
}

TEST(ls_shows_a_tree_written_by_another_process)
{
	struct vtest_simd s;
	struct simcli c;
	char out[4096];

	need_xenstore_utils();
	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_xs_write(&c, "/tool/vsnd/a", "alpha"));
	ASSERT_OK(simcli_xs_write(&c, "/tool/vsnd/b/c", "gamma"));
	simcli_close(&c);
	ASSERT_EQ(xs_cmd(&s, 0, out, sizeof(out),
			 (const char *const[]){ "xenstore-ls", "/tool/vsnd", NULL }), 0);
	ASSERT_NOT_NULL(strstr(out, "a = \"alpha\""));
	ASSERT_NOT_NULL(strstr(out, "b = \"\""));
	ASSERT_NOT_NULL(strstr(out, " c = \"gamma\""));
	vtest_simd_stop(&s);
}

TEST(list_chmod_exists_rm)
{
	const char *const exists[] = { "xenstore-exists", "/tool/t/k", NULL };
	struct vtest_simd s;
	struct simcli c;
	char out[512];

	need_xenstore_utils();
	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 6, "guest6");
	ASSERT_EQ(xs_cmd(&s, 0, NULL, 0, (const char *const[]){ "xenstore-write",
		  "/tool/t/k", "v", "/tool/t/j", "w", NULL }), 0);
	ASSERT_EQ(xs_cmd(&s, 0, out, sizeof(out),
			 (const char *const[]){ "xenstore-list", "/tool/t", NULL }), 0);
	ASSERT_STREQ(out, "j\nk\n");
	ASSERT_EQ(xs_cmd(&s, 6, NULL, 0, exists), 1);
	ASSERT_EQ(xs_cmd(&s, 0, NULL, 0, (const char *const[]){ "xenstore-chmod", "-r",
		  "/tool/t", "n0", "r6", NULL }), 0);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_xs_perms(&c, "/tool/t/k", out, sizeof(out)));
	ASSERT_STREQ(out, "n0,r6");
	simcli_close(&c);
	ASSERT_EQ(xs_cmd(&s, 6, NULL, 0, exists), 0);
	ASSERT_EQ(xs_cmd(&s, 0, NULL, 0,
			 (const char *const[]){ "xenstore-rm", "/tool/t", NULL }), 0);
	ASSERT_NE(xs_cmd(&s, 0, NULL, 0, exists), 0);
	vtest_simd_stop(&s);
}

/* A list longer than one payload makes libxenstore use DIRECTORY_PART. */
TEST(long_directory_is_listed_in_parts)
{
	struct vtest_simd s;
	struct simcli c;
	char path[128], *out = malloc(65536);
	int lines = 0;

	need_xenstore_utils();
	ASSERT_NOT_NULL(out);
	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	for (int i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "/tool/many/a-rather-long-child-name-%03d", i);
		ASSERT_OK(simcli_xs_write(&c, path, "x"));
	}
	simcli_close(&c);
	ASSERT_EQ(xs_cmd(&s, 0, out, 65536,
			 (const char *const[]){ "xenstore-list", "/tool/many", NULL }), 0);
	for (char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	ASSERT_EQ(lines, 400);
	ASSERT_NOT_NULL(strstr(out, "a-rather-long-child-name-000\n"));
	ASSERT_NOT_NULL(strstr(out, "a-rather-long-child-name-399\n"));
	free(out);
	vtest_simd_stop(&s);
}

TEST(xenstore_watch_sees_an_event)
{
	const char *const watch[] = { "xenstore-watch", "/tool/w", NULL };
	struct vtest_simd s;
	struct simcli c;
	char line[256];
	pid_t pid;
	int fd;

	need_xenstore_utils();
	vtest_simd_start(&s);
	pid = simcli_spawn(s.dir, 0, watch, &fd);
	/* the registration event says the watch is in place */
	ASSERT_GE(simcli_line(fd, line, sizeof(line)), 0);
	ASSERT_STREQ(line, "/tool/w");
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_xs_write(&c, "/tool/w/x", "1"));
	ASSERT_GE(simcli_line(fd, line, sizeof(line)), 0);
	ASSERT_STREQ(line, "/tool/w/x");
	simcli_close(&c);
	simcli_reap(pid);
	close(fd);
	vtest_simd_stop(&s);
}

TEST(domain_create_builds_libxl_skeleton)
{
	static const struct {
		const char *path, *perms;
	} want[] = {
		{ "/local/domain/9", "n0,r9" },
		{ "/local/domain/9/name", "n0,r9" },
		{ "/local/domain/9/domid", "n0,r9" },
		{ "/local/domain/9/vm", "n0,r9" },
		{ "/local/domain/9/device", "n0,r9" },
		{ "/local/domain/9/control", "n0,r9" },
		{ "/local/domain/9/control/shutdown", "n9" },
		{ "/local/domain/9/control/feature-poweroff", "n9" },
		{ "/local/domain/9/data", "n9" },
		{ "/local/domain/9/drivers", "n9" },
		{ "/local/domain/9/error", "n9" },
		{ "/local/domain/9/device/suspend/event-channel", "n9" },
		{ "/libxl/9", "n0" },
		{ "/libxl/9/device", "n0" },
	};
	struct vtest_simd s;
	struct simcli c;
	char buf[256];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 9, "vsnd-guest");
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ASSERT_OK(simcli_xs_perms(&c, want[i].path, buf, sizeof(buf)));
		if (strcmp(buf, want[i].perms) != 0)
			vtest_fail(__FILE__, __LINE__, "%s: perms %s, want %s", want[i].path,
				   buf, want[i].perms);
	}
	ASSERT_OK(simcli_xs_read(&c, "/local/domain/9/name", buf, sizeof(buf)));
	ASSERT_STREQ(buf, "vsnd-guest");
	ASSERT_OK(simcli_xs_read(&c, "/local/domain/9/domid", buf, sizeof(buf)));
	ASSERT_STREQ(buf, "9");
	ASSERT_OK(simcli_xs_read(&c, "/local/domain/9/vm", buf, sizeof(buf)));
	ASSERT_OK(simcli_xs_perms(&c, buf, buf, sizeof(buf)));
	ASSERT_STREQ(buf, "n0,r9");
	ASSERT_OK(simcli_xs_read(&c, "/local/domain/0/name", buf, sizeof(buf)));
	ASSERT_STREQ(buf, "Domain-0");
	simcli_close(&c);
	vtest_simd_stop(&s);
}

TEST(domain_socket_lives_with_the_domain)
{
	const char *const dup[] = { "domain", "create", "12", NULL };
	struct vtest_simd s;
	struct simcli c;
	char buf[64];

	vtest_simd_start(&s);
	ASSERT_TRUE(sock_exists(&s, 0));
	ASSERT_FALSE(sock_exists(&s, 12));
	ASSERT_ERR(simcli_open(&c, s.dir, 12), ENOENT);
	vtest_simd_domain_create(&s, 12, "guest12");
	ASSERT_TRUE(sock_exists(&s, 12));
	ASSERT_EQ(vtest_simd_ctl(&s, dup), 1);
	ASSERT_OK(simcli_open(&c, s.dir, 12));
	ASSERT_OK(simcli_xs_read(&c, "domid", buf, sizeof(buf)));
	vtest_simd_domain_destroy(&s, 12);
	ASSERT_FALSE(sock_exists(&s, 12));
	/* its connections were closed with it */
	{
		int r = simcli_xs_read(&c, "domid", buf, sizeof(buf));

		ASSERT_TRUE(r == -ECONNRESET || r == -EPIPE);
	}
	simcli_close(&c);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_ERR(simcli_xs_read(&c, "/local/domain/12/name", buf, sizeof(buf)), ENOENT);
	simcli_close(&c);
	vtest_simd_stop(&s);
}

TEST(introduce_and_release_fire)
{
	const char *const intro[] = { "xenstore-watch", "@introduceDomain", NULL };
	const char *const rel[] = { "xenstore-watch", "@releaseDomain", NULL };
	struct vtest_simd s;
	char line[128];
	int fi, fr;
	pid_t pi, pr;

	need_xenstore_utils();
	vtest_simd_start(&s);
	pi = simcli_spawn(s.dir, 0, intro, &fi);
	pr = simcli_spawn(s.dir, 0, rel, &fr);
	ASSERT_GE(simcli_line(fi, line, sizeof(line)), 0);
	ASSERT_STREQ(line, "@introduceDomain");
	ASSERT_GE(simcli_line(fr, line, sizeof(line)), 0);
	ASSERT_STREQ(line, "@releaseDomain");
	vtest_simd_domain_create(&s, 2, "guest2");
	ASSERT_GE(simcli_line(fi, line, sizeof(line)), 0);
	ASSERT_STREQ(line, "@introduceDomain");
	vtest_simd_domain_destroy(&s, 2);
	ASSERT_GE(simcli_line(fr, line, sizeof(line)), 0);
	ASSERT_STREQ(line, "@releaseDomain");
	simcli_reap(pi);
	simcli_reap(pr);
	close(fi);
	close(fr);
	vtest_simd_stop(&s);
}

TEST(raw_protocol_replies)
{
	struct vtest_simd s;
	struct simcli_reply r;
	struct simcli c;
	char buf[64];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 5, "guest5");
	ASSERT_OK(simcli_open(&c, s.dir, 5));
	ASSERT_OK(simcli_call(&c, XS_GET_DOMAIN_PATH, 0, "5", 2, &r));
	ASSERT_STREQ((char *)r.data, "/local/domain/5");
	ASSERT_EQ(r.h.len, sizeof("/local/domain/5"));
	simcli_reply_free(&r);
	ASSERT_OK(simcli_call(&c, XS_IS_DOMAIN_INTRODUCED, 0, "5", 2, &r));
	ASSERT_STREQ((char *)r.data, "T");
	simcli_reply_free(&r);
	ASSERT_OK(simcli_call(&c, XS_IS_DOMAIN_INTRODUCED, 0, "77", 3, &r));
	ASSERT_STREQ((char *)r.data, "F");
	simcli_reply_free(&r);
	/* a domU may not introduce domains; unknown types answer EINVAL */
	ASSERT_ERR(simcli_call(&c, XS_INTRODUCE, 0, "7", 2, NULL), EACCES);
	ASSERT_ERR(simcli_call(&c, XS_SET_TARGET, 0, "7", 2, NULL), EINVAL);
	ASSERT_ERR(simcli_call(&c, 999, 0, "x", 2, NULL), EINVAL);
	ASSERT_ERR(simcli_call(&c, XSIM_DOMAIN_DESTROY, 0, "\0\0\0\0", 4, NULL), EPERM);
	/* transactions: start, write, commit */
	ASSERT_OK(simcli_call(&c, XS_TRANSACTION_START, 0, "", 1, &r));
	{
		uint32_t tx = (uint32_t)strtoul((char *)r.data, NULL, 10);

		simcli_reply_free(&r);
		ASSERT_NE(tx, 0);
		ASSERT_OK(simcli_call(&c, XS_WRITE, tx, "data/t\0v", 8, NULL));
		ASSERT_ERR(simcli_xs_read(&c, "data/t", buf, sizeof(buf)), ENOENT);
		ASSERT_OK(simcli_call(&c, XS_TRANSACTION_END, tx, "T", 2, NULL));
	}
	ASSERT_OK(simcli_xs_read(&c, "data/t", buf, sizeof(buf)));
	ASSERT_STREQ(buf, "v");
	simcli_close(&c);
	vtest_simd_stop(&s);
}

TEST(watch_event_follows_its_reply)
{
	struct vtest_simd s;
	struct simcli_reply r;
	struct simcli c;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	ASSERT_OK(simcli_send(&c, XS_WATCH, 0, "/tool/x\0tok", 12));
	/* xenstored answers the WATCH first, then fires it once */
	ASSERT_OK(simcli_recv(&c, &r));
	ASSERT_EQ_U(r.h.type, XS_WATCH);
	ASSERT_STREQ((char *)r.data, "OK");
	simcli_reply_free(&r);
	ASSERT_OK(simcli_recv(&c, &r));
	ASSERT_EQ_U(r.h.type, XS_WATCH_EVENT);
	ASSERT_EQ_U(r.h.req_id, 0);
	ASSERT_EQ(r.h.len, sizeof("/tool/x") + sizeof("tok"));
	ASSERT_MEMEQ(r.data, "/tool/x\0tok\0", r.h.len);
	simcli_reply_free(&r);
	simcli_close(&c);
	vtest_simd_stop(&s);
}

TEST(readiness_reaches_notify_socket)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vtest_simd s;
	char name[64], buf[64];
	ssize_t n;
	int fd;

	/* an abstract socket: "@name" in NOTIFY_SOCKET */
	snprintf(name, sizeof(name), "@vsnd-simd-notify-%d", (int)getpid());
	memcpy(sa.sun_path + 1, name + 1, strlen(name) - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(fd, 0);
	ASSERT_OK(bind(fd, (struct sockaddr *)&sa,
		       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name))));
	setenv("NOTIFY_SOCKET", name, 1);
	vtest_simd_start(&s);
	unsetenv("NOTIFY_SOCKET");
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
	ASSERT_STREQ(buf, "READY=1");
	close(fd);
	vtest_simd_stop(&s);
}

TEST(sigint_removes_the_sockets)
{
	struct vtest_simd s;
	char path[320];
	int status;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 8, "guest8");
	ASSERT_TRUE(sock_exists(&s, 8));
	ASSERT_OK(kill(s.pid, SIGINT));
	ASSERT_EQ(waitpid(s.pid, &status, 0), s.pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT_FALSE(sock_exists(&s, 0));
	ASSERT_FALSE(sock_exists(&s, 8));
	snprintf(path, sizeof(path), "%s", s.dir);
	ASSERT_OK(rmdir(path));
}
