// SPDX-License-Identifier: MIT
/*
 * The fault knobs, each doing what it promises, set through xensimd-ctl
 * as a test would set them: the shared fault table handed out by
 * XSIM_HELLO (per-operation errno and notification delay entries),
 * spurious watch events for one domain's watches only, and EAGAIN on one
 * domain's next commits. Also xensimd-ctl's exit codes and messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "simcli.h"
#include "simd.h"
#include "vtest.h"

static int ctl(struct vtest_simd *s, const char *const *argv)
{
	return vtest_simd_ctl(s, argv);
}

static struct xsim_fault_table *hello(struct simcli *c)
{
	uint32_t version = XSIM_PROTO_VERSION, out[2];
	struct simcli_reply r;
	void *p;

	ASSERT_OK(simcli_call(c, XSIM_HELLO, 0, &version, sizeof(version), &r));
	ASSERT_EQ(r.h.len, sizeof(out));
	memcpy(out, r.data, sizeof(out));
	ASSERT_EQ(out[0], XSIM_PROTO_VERSION);
	ASSERT_EQ(out[1], c->domid);
	ASSERT_EQ(r.nfds, 1);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, r.fds[0], 0);
	ASSERT_TRUE(p != MAP_FAILED);
	close(r.fds[0]);
	simcli_reply_free(&r);
	return p;
}

static const struct xsim_fault_entry *find(const struct xsim_fault_table *t, uint32_t kind,
					   uint32_t domid)
{
	for (unsigned int i = 0; i < XSIM_FAULT_SLOTS; i++)
		if (t->e[i].active && t->e[i].kind == kind && t->e[i].domid == domid)
			return &t->e[i];
	return NULL;
}

TEST(hello_hands_out_the_fault_table)
{
	struct vtest_simd s;
	struct simcli c;
	struct xsim_fault_table *t;
	uint32_t bad = 99;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_OK(simcli_open(&c, s.dir, 3));
	t = hello(&c);
	ASSERT_EQ(t->version, XSIM_PROTO_VERSION);
	ASSERT_NULL(find(t, XSIM_FAULT_OP_ERRNO, 3));
	ASSERT_ERR(simcli_call(&c, XSIM_HELLO, 0, &bad, sizeof(bad), NULL), EPROTO);
	munmap(t, 4096);
	simcli_close(&c);
	vtest_simd_stop(&s);
}

TEST(op_errno_and_notify_delay_entries)
{
	struct vtest_simd s;
	struct simcli c;
	struct xsim_fault_table *t;
	const struct xsim_fault_entry *e;
	uint32_t gen;

	vtest_simd_start(&s);
	ASSERT_OK(simcli_open(&c, s.dir, 0));
	t = hello(&c);
	gen = t->generation;
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "op", "--domid", "3", "--op",
		      "gnt_map", "--nth", "2", "--errno", "EIO", "--count", "2", NULL }), 0);
	e = find(t, XSIM_FAULT_OP_ERRNO, 3);
	ASSERT_NOT_NULL(e);
	ASSERT_EQ(e->op, 20);	/* XENIF_OP_GNT_MAP */
	ASSERT_EQ(e->nth, 2);
	ASSERT_EQ(e->err, EIO);
	ASSERT_EQ(e->count, 2);
	ASSERT_EQ(e->calls, 0);
	ASSERT_NE(t->generation, gen);
	/* a second op for the same domain takes its own entry */
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "op", "--domid", "3", "--op",
		      "xs_read", "--nth", "1", "--errno", "EACCES", NULL }), 0);
	ASSERT_EQ(e->op, 20);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "op", "--domid", "3", "--op",
		      "gnt_map", "--nth", "1", "--errno", "EIO", "--count", "0", NULL }), 0);
	e = find(t, XSIM_FAULT_OP_ERRNO, 3);
	ASSERT_NOT_NULL(e);
	ASSERT_EQ(e->op, 0);	/* only xs_read is left */
	ASSERT_EQ(e->err, EACCES);
	ASSERT_EQ(e->count, 1);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "notify-delay", "--domid", "3",
		      "--ms", "40", NULL }), 0);
	e = find(t, XSIM_FAULT_NOTIFY_DELAY, 3);
	ASSERT_NOT_NULL(e);
	ASSERT_EQ(e->nth, 40);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "notify-delay", "--domid", "3",
		      "--ms", "0", NULL }), 0);
	ASSERT_NULL(find(t, XSIM_FAULT_NOTIFY_DELAY, 3));
	munmap(t, 4096);
	simcli_close(&c);
	vtest_simd_stop(&s);
}

TEST(spurious_watch_fires_only_the_domains_watches)
{
	struct vtest_simd s;
	struct simcli g, d0;
	unsigned int rel = 0, abs = 0;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_OK(simcli_open(&g, s.dir, 3));
	ASSERT_OK(simcli_open(&d0, s.dir, 0));
	ASSERT_OK(simcli_xs_watch(&g, "data", "rel"));
	ASSERT_OK(simcli_xs_watch(&g, "/local/domain/3/device", "abs"));
	ASSERT_OK(simcli_xs_watch(&d0, "/local/domain/3/data", "dom0"));
	ASSERT_EQ(simcli_sync_events(&g), 2);
	ASSERT_EQ(simcli_sync_events(&d0), 1);
	simcli_drop_events(&g);
	simcli_drop_events(&d0);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "spurious-watch", "--domid", "3",
		      "--count", "2", NULL }), 0);
	for (int i = 0; i < 4; i++) {
		char *path, *token;

		simcli_event(&g, &path, &token);
		if (strcmp(token, "rel") == 0) {
			ASSERT_STREQ(path, "data");
			rel++;
		} else {
			ASSERT_STREQ(token, "abs");
			ASSERT_STREQ(path, "/local/domain/3/device");
			abs++;
		}
		free(path);
		free(token);
	}
	ASSERT_EQ(rel, 2);
	ASSERT_EQ(abs, 2);
	ASSERT_EQ(simcli_sync_events(&g), 0);
	ASSERT_EQ(simcli_sync_events(&d0), 0);
	simcli_close(&g);
	simcli_close(&d0);
	vtest_simd_stop(&s);
}

static int commit_write(struct simcli *c, const char *path)
{
	struct simcli_reply r;
	uint32_t tx;
	char req[128];
	int n;

	ASSERT_OK(simcli_call(c, XS_TRANSACTION_START, 0, "", 1, &r));
	tx = (uint32_t)strtoul((char *)r.data, NULL, 10);
	simcli_reply_free(&r);
	n = snprintf(req, sizeof(req), "%s%cv", path, '\0');
	ASSERT_OK(simcli_call(c, XS_WRITE, tx, req, (size_t)n, NULL));
	return simcli_call(c, XS_TRANSACTION_END, tx, "T", 2, NULL);
}

TEST(tx_eagain_fails_that_domains_next_commits)
{
	struct vtest_simd s;
	struct simcli g, d0;
	char buf[16];

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_OK(simcli_open(&g, s.dir, 3));
	ASSERT_OK(simcli_open(&d0, s.dir, 0));
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "tx-eagain", "--domid", "3",
		      "--count", "2", NULL }), 0);
	/* dom0's commits are not the target */
	ASSERT_OK(commit_write(&d0, "/tool/x"));
	ASSERT_ERR(commit_write(&g, "data/a"), EAGAIN);
	ASSERT_ERR(simcli_xs_read(&g, "data/a", buf, sizeof(buf)), ENOENT);
	ASSERT_ERR(commit_write(&g, "data/a"), EAGAIN);
	ASSERT_OK(commit_write(&g, "data/a"));
	ASSERT_OK(simcli_xs_read(&g, "data/a", buf, sizeof(buf)));
	simcli_close(&g);
	simcli_close(&d0);
	vtest_simd_stop(&s);
}

TEST(knobs_are_dom0s)
{
	struct xsim_fault_req rq = { .kind = XSIM_FAULT_TX_EAGAIN, .domid = 3, .count = 1 };
	struct vtest_simd s;
	struct simcli g;

	vtest_simd_start(&s);
	vtest_simd_domain_create(&s, 3, "guest3");
	ASSERT_OK(simcli_open(&g, s.dir, 3));
	ASSERT_ERR(simcli_call(&g, XSIM_FAULT, 0, &rq, sizeof(rq), NULL), EPERM);
	simcli_close(&g);
	vtest_simd_stop(&s);
}

TEST(ctl_exit_codes)
{
	struct vtest_simd s, gone;
	char out[512];

	vtest_simd_start(&s);
	ASSERT_EQ(ctl(&s, (const char *const[]){ NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "dance", NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "domain", "create", "0", NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "domain", "create", "32753", NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "domain", "create", "x", NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "domain", "create", "4", "--nam", "a",
		      NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "op", "--domid", "3", "--op",
		      "frobnicate", "--nth", "1", "--errno", "EIO", NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "op", "--domid", "3", "--op",
		      "gnt_map", "--nth", "1", "--errno", "EWHAT", NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "op", "--domid", "3", "--op",
		      "gnt_map", "--nth", "0", "--errno", "EIO", NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "notify-delay", "--domid", "3",
		      NULL }), 2);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "mappings", NULL }), 2);
	/* well-formed, refused by xensimd */
	ASSERT_EQ(ctl(&s, (const char *const[]){ "domain", "destroy", "44", NULL }), 1);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "domain", "destroy", "0", NULL }), 1);
	ASSERT_EQ(ctl(&s, (const char *const[]){ "fault", "tx-eagain", "--domid", "44",
		      NULL }), 1);
	/* and the happy paths print something useful */
	ASSERT_EQ(ctl(&s, (const char *const[]){ "domain", "create", "4", NULL }), 0);
	ASSERT_EQ(simcli_run(s.dir, 0, out, sizeof(out), (const char *const[]){
		getenv("VTEST_XENSIMD_CTL"), "--run-dir", s.dir, "domain", "list", NULL }), 0);
	ASSERT_STREQ(out, "0\tDomain-0\trunning\n4\tdom4\trunning\n");
	ASSERT_EQ(simcli_run(s.dir, 0, out, sizeof(out), (const char *const[]){
		getenv("VTEST_XENSIMD_CTL"), "--run-dir", s.dir, "mappings", "--domid", "4",
		NULL }), 0);
	ASSERT_STREQ(out, "domid=4 mapped-by=0 mapped-of=0\n");
	/* no xensimd at all */
	vtest_simd_start(&gone);
	vtest_simd_stop(&gone);
	ASSERT_EQ(vtest_simd_ctl(&gone, (const char *const[]){ "domain", "list", NULL }), 1);
	ASSERT_EQ(vtest_simd_ctl(&gone, (const char *const[]){ "domain", "lis", NULL }), 2);
	vtest_simd_stop(&s);
}
