// SPDX-License-Identifier: MIT
/*
 * `vsnd-xsconfig write` against xensimd: the tree it writes is the one
 * libxl writes (protocol.md 5.2-5.3), with libxl's permissions, and those
 * permissions do what they are for (the guest owns FE and reads BE; the
 * backend owns BE and reads FE; nobody else reads either; LX is dom0's).
 *
 * golden/stereo.ls was written by hand from protocol.md 5.2-5.3 for
 * examples/stereo.cfg in guest 5 with backend 0: `xenstore-ls -fp` of
 * /local/domain/5/device/vsnd, /local/domain/0/backend/vsnd and
 * /libxl/5/device/vsnd, children sorted as xenstored lists them.
 * fixtures/protocol-5.3.{cfg,xenstore} are protocol.md 5.3's example and
 * its listing, verbatim.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenif/xenif.h>

#include "simd.h"
#include "vtest.h"
#include "xlcfg.h"
#include "xsc-run.h"

static struct xsc_result res;
static char buf[XSC_OUT_MAX], want[XSC_OUT_MAX];

#define MAX_NODES 512

/* A flat list of (path, value) pairs. */
struct tree {
	unsigned int n;
	char path[MAX_NODES][128];
	char value[MAX_NODES][128];
};

static int tree_add(struct tree *t, const char *path, const char *value)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (strcmp(t->path[i], path) == 0)
			return 0;
	ASSERT_LT(t->n, MAX_NODES);
	snprintf(t->path[t->n], sizeof(t->path[0]), "%s", path);
	snprintf(t->value[t->n], sizeof(t->value[0]), "%s", value);
	t->n++;
	return 0;
}

static void add_kv(struct tree *t, const char *dir, const char *key, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	tree_add(t, path, value);
}

struct prefixed {
	struct tree *t;
	const char *dir;
};

/* A vsnd_xl_node_fn: FE/relpath, and the directories it implies. */
static int add_fe_node(void *ctx, const char *relpath, const char *value)
{
	struct prefixed *p = ctx;
	char path[256];

	for (const char *s = strchr(relpath, '/'); s; s = strchr(s + 1, '/')) {
		snprintf(path, sizeof(path), "%s/%.*s", p->dir, (int)(s - relpath), relpath);
		tree_add(p->t, path, "");
	}
	snprintf(path, sizeof(path), "%s/%s", p->dir, relpath);
	return tree_add(p->t, path, value);
}

/* Every node at and below @path, with its permissions checked. */
static void walk(struct xenif *x, const char *path, struct tree *t,
		 const struct xenif_xs_perm *perms, int nperms)
{
	struct xenif_xs_perm got[8];
	char **names = NULL;
	char *v = NULL;
	int n;

	ASSERT_OK(xenif_xs_read(x, XENIF_TX_NONE, path, &v, NULL));
	tree_add(t, path, v);
	free(v);
	n = xenif_xs_get_perms(x, XENIF_TX_NONE, path, got, 8);
	if (n != nperms)
		vtest_fail(__FILE__, __LINE__, "%s: %d permission entries, want %d", path, n, nperms);
	for (int i = 0; i < n; i++)
		if (got[i].domid != perms[i].domid || got[i].perm != perms[i].perm)
			vtest_fail(__FILE__, __LINE__, "%s: permission %d is %u/%d, want %u/%d", path,
				   i, got[i].domid, got[i].perm, perms[i].domid, perms[i].perm);
	n = xenif_xs_directory(x, XENIF_TX_NONE, path, &names);
	ASSERT_OK(n);
	for (int i = 0; i < n; i++) {
		char child[256];

		snprintf(child, sizeof(child), "%s/%s", path, names[i]);
		walk(x, child, t, perms, nperms);
	}
	xenif_strv_free(names);
}

static void assert_same_tree(const struct tree *a, const struct tree *b)
{
	ASSERT_EQ(a->n, b->n);
	for (unsigned int i = 0; i < a->n; i++) {
		unsigned int j = 0;

		while (j < b->n && strcmp(a->path[i], b->path[j]) != 0)
			j++;
		if (j == b->n)
			vtest_fail(__FILE__, __LINE__, "%s: not written", a->path[i]);
		ASSERT_STREQ(a->value[i], b->value[j]);
	}
}

static struct vsnd_xl_config *parse_example(const char *path)
{
	struct vsnd_xl_config *cfg = NULL;
	struct vsnd_xl_diag d;
	static char text[16384];

	xsc_read_file(path, text, sizeof(text));
	ASSERT_OK(vsnd_xl_parse_file(text, strlen(text), &cfg, &d));
	ASSERT_EQ(cfg->n_cards, 1);
	return cfg;
}

/* The nodes and permissions of one example, checked node by node. */
static void check_example(const char *name)
{
	static struct tree want_t, got_t;
	const struct xenif_xs_perm fe_perms[] = { { 7, XENIF_PERM_NONE }, { 0, XENIF_PERM_READ } };
	const struct xenif_xs_perm be_perms[] = { { 0, XENIF_PERM_NONE }, { 7, XENIF_PERM_READ } };
	const struct xenif_xs_perm lx_perms[] = { { 0, XENIF_PERM_NONE } };
	const char *fe = "/local/domain/7/device/vsnd/0", *be = "/local/domain/0/backend/vsnd/7/0";
	const char *lx = "/libxl/7/device/vsnd/0";
	struct prefixed p = { &want_t, fe };
	struct vsnd_xl_config *cfg;
	struct vtest_simd s;
	struct xenif *x;
	char path[512];

	xsc_data_path(path, sizeof(path), "VTEST_EXAMPLES_DIR", name);
	cfg = parse_example(path);
	xsc_start(&s, 7);
	xsc_tool(&s, &res, "write", "--domid", "7", "--config", path);
	ASSERT_EQ(res.status, 0);
	/* The examples are clean: no xl quirk, nothing the strict model minds. */
	ASSERT_STREQ(res.err, "");

	memset(&want_t, 0, sizeof(want_t));
	tree_add(&want_t, fe, "");
	add_kv(&want_t, fe, "backend", be);
	add_kv(&want_t, fe, "backend-id", "0");
	add_kv(&want_t, fe, "state", "1");
	ASSERT_OK(vsnd_xl_card_nodes(&cfg->cards[0], add_fe_node, &p));
	ASSERT_OK(xenif_open(s.spec, 0, &x));
	memset(&got_t, 0, sizeof(got_t));
	walk(x, fe, &got_t, fe_perms, 2);
	assert_same_tree(&want_t, &got_t);

	memset(&want_t, 0, sizeof(want_t));
	tree_add(&want_t, be, "");
	add_kv(&want_t, be, "frontend", fe);
	add_kv(&want_t, be, "frontend-id", "7");
	add_kv(&want_t, be, "online", "1");
	add_kv(&want_t, be, "state", "1");
	memset(&got_t, 0, sizeof(got_t));
	walk(x, be, &got_t, be_perms, 2);
	assert_same_tree(&want_t, &got_t);

	/* LX: frontend, backend and the copy of BE's entries. */
	memset(&want_t, 0, sizeof(want_t));
	tree_add(&want_t, lx, "");
	add_kv(&want_t, lx, "frontend", fe);
	add_kv(&want_t, lx, "backend", be);
	add_kv(&want_t, lx, "frontend-id", "7");
	add_kv(&want_t, lx, "online", "1");
	add_kv(&want_t, lx, "state", "1");
	memset(&got_t, 0, sizeof(got_t));
	walk(x, lx, &got_t, lx_perms, 1);
	assert_same_tree(&want_t, &got_t);

	xenif_close(x);
	vsnd_xl_config_free(cfg);
	vtest_simd_stop(&s);
}

TEST(write_stereo_matches_golden)
{
	struct vtest_simd s;
	char path[512];

	xsc_start(&s, 5);
	xsc_data_path(path, sizeof(path), "VTEST_EXAMPLES_DIR", "stereo.cfg");
	xsc_tool(&s, &res, "write", "--domid", "5", "--config", path);
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.out, "domain 5: vsnd device 0 written (backend domain 0)\n");
	xsc_ls(&s, (const char *const[]){ "/local/domain/5/device/vsnd", "/local/domain/0/backend/vsnd",
					  "/libxl/5/device/vsnd", NULL }, buf, sizeof(buf));
	xsc_data_path(path, sizeof(path), "VTEST_GOLDEN_DIR", "stereo.ls");
	xsc_read_file(path, want, sizeof(want));
	ASSERT_STREQ(buf, want);
	vtest_simd_stop(&s);
}

TEST(write_every_example_nodes_and_perms)
{
	const char *dir = getenv("VTEST_EXAMPLES_DIR");
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;

	ASSERT_NOT_NULL(dir);
	d = opendir(dir);
	ASSERT_NOT_NULL(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
			continue;
		check_example(e->d_name);
		n++;
	}
	closedir(d);
	ASSERT_GE(n, 3);
}

/* Collapse the alignment spaces before " = " in protocol.md's listing. */
static void normalise(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p && n < size - 1; p++) {
		if (*p == ' ' && (p[1] == ' ' || (p[1] == '=' && n && out[n - 1] == ' ')))
			continue;
		out[n++] = *p;
	}
	out[n] = '\0';
}

TEST(write_protocol_5_3_example)
{
	static char got[XSC_OUT_MAX], norm[XSC_OUT_MAX];
	static const char *const be_keys[] = { "frontend", "frontend-id", "online", "state" };
	struct vtest_simd s;
	struct xenif *x;
	char path[512];
	size_t len = 0;

	xsc_start(&s, 5);
	xsc_data_path(path, sizeof(path), "VTEST_FIXTURES_DIR", "protocol-5.3.cfg");
	xsc_tool(&s, &res, "write", "--domid", "5", "--config", path);
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.err, "");
	/* FE in libxl's order, as dump prints it, then BE's nodes. */
	xsc_tool(&s, &res, "dump", "--domid", "5", "--devid", "0");
	ASSERT_EQ(res.status, 0);
	for (char *line = strtok(res.out, "\n"); line; line = strtok(NULL, "\n"))
		if (line[0] != '#')
			len += (size_t)snprintf(got + len, sizeof(got) - len,
						"/local/domain/5/device/vsnd/0/%s\n", line);
	ASSERT_OK(xenif_open(s.spec, 0, &x));
	for (size_t i = 0; i < 4; i++) {
		char node[128], *v = NULL;

		snprintf(node, sizeof(node), "/local/domain/0/backend/vsnd/5/0/%s", be_keys[i]);
		ASSERT_OK(xenif_xs_read(x, XENIF_TX_NONE, node, &v, NULL));
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s = \"%s\"\n", node, v);
		free(v);
	}
	xenif_close(x);
	xsc_data_path(path, sizeof(path), "VTEST_FIXTURES_DIR", "protocol-5.3.xenstore");
	xsc_read_file(path, want, sizeof(want));
	normalise(want, norm, sizeof(norm));
	ASSERT_STREQ(got, norm);
	vtest_simd_stop(&s);
}

static int read_as(struct vtest_simd *s, uint32_t domid, const char *path)
{
	struct xenif *x;
	char *v = NULL;
	int r;

	ASSERT_OK(xenif_open(s->spec, domid, &x));
	r = xenif_xs_read(x, XENIF_TX_NONE, path, &v, NULL);
	free(v);
	xenif_close(x);
	return r;
}

static int write_as(struct vtest_simd *s, uint32_t domid, const char *path, const char *value)
{
	struct xenif *x;
	int r;

	ASSERT_OK(xenif_open(s->spec, domid, &x));
	r = xenif_xs_write(x, XENIF_TX_NONE, path, value, strlen(value));
	xenif_close(x);
	return r;
}

TEST(write_permissions_guest_backend_others)
{
	const char *fe = "/local/domain/5/device/vsnd/0";
	const char *be = "/local/domain/3/backend/vsnd/5/0";
	struct vtest_simd s;

	xsc_start(&s, 5);
	vtest_simd_domain_create(&s, 3, "drvdom");
	vtest_simd_domain_create(&s, 6, "other");
	/* backend= by name: the driver domain, looked up in /local/domain/N/name. */
	xsc_tool(&s, &res, "write", "--domid", "5", "--value",
		 "[ [ 'CARD, backend=drvdom, sample-rates=48000', 'PCM, name=a', "
		 "'STREAM, unique-id=x, type=p' ] ]");
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.out, "domain 5: vsnd device 0 written (backend domain 3)\n");
	/* The guest reads and writes its FE, reads but cannot write BE. */
	ASSERT_OK(read_as(&s, 5, "/local/domain/5/device/vsnd/0/0/0/type"));
	ASSERT_OK(write_as(&s, 5, "/local/domain/5/device/vsnd/0/0/0/type", "c"));
	ASSERT_OK(write_as(&s, 5, "/local/domain/5/device/vsnd/0/state", "3"));
	ASSERT_OK(read_as(&s, 5, "/local/domain/3/backend/vsnd/5/0/state"));
	ASSERT_ERR(write_as(&s, 5, "/local/domain/3/backend/vsnd/5/0/state", "4"), EACCES);
	ASSERT_ERR(read_as(&s, 5, "/libxl/5/device/vsnd/0/backend"), EACCES);
	/* The backend reads FE (cannot write it) and owns BE. */
	ASSERT_OK(read_as(&s, 3, "/local/domain/5/device/vsnd/0/sample-rates"));
	ASSERT_ERR(write_as(&s, 3, "/local/domain/5/device/vsnd/0/sample-rates", "8000"), EACCES);
	ASSERT_OK(write_as(&s, 3, "/local/domain/3/backend/vsnd/5/0/state", "2"));
	/* Another guest reads neither. */
	ASSERT_ERR(read_as(&s, 6, fe), EACCES);
	ASSERT_ERR(read_as(&s, 6, "/local/domain/5/device/vsnd/0/0/name"), EACCES);
	ASSERT_ERR(read_as(&s, 6, be), EACCES);
	ASSERT_ERR(read_as(&s, 6, "/local/domain/3/backend/vsnd/5/0/frontend"), EACCES);
	vtest_simd_stop(&s);
}

TEST(write_backend_errors)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	xsc_tool(&s, &res, "write", "--domid", "5", "--value",
		 "[ [ 'CARD, backend=nosuch', 'STREAM, type=p' ] ]");
	ASSERT_EQ(res.status, 1);
	ASSERT_NOT_NULL(strstr(res.err, "backend=nosuch: no domain has that name"));
	xsc_tool(&s, &res, "write", "--domid", "5", "--backend-domid", "9", "--value",
		 "[ [ 'STREAM, type=p' ] ]");
	ASSERT_EQ(res.status, 1);
	ASSERT_NOT_NULL(strstr(res.err, "backend domain 9: no such domain"));
	xsc_tool(&s, &res, "write", "--domid", "8", "--value", "[ [ 'STREAM, type=p' ] ]");
	ASSERT_EQ(res.status, 1);
	ASSERT_NOT_NULL(strstr(res.err, "guest domain 8: no such domain"));
	ASSERT_ERR(read_as(&s, 0, "/local/domain/0/backend/vsnd"), ENOENT);
	vtest_simd_stop(&s);
}

TEST(write_more_than_8_streams_warns_and_writes)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	xsc_tool(&s, &res, "write", "--domid", "5", "--value",
		 "[ [ 'PCM, name=many', 'STREAM, type=p', 'STREAM, type=p', 'STREAM, type=p', "
		 "'STREAM, type=p', 'STREAM, type=p', 'STREAM, type=p', 'STREAM, type=p', "
		 "'STREAM, type=p', 'STREAM, unique-id=ninth, type=c' ] ]");
	ASSERT_EQ(res.status, 0);
	ASSERT_NOT_NULL(strstr(res.err, "vsnd-xsconfig: warning: card 0: 0/8"));
	ASSERT_OK(read_as(&s, 0, "/local/domain/5/device/vsnd/0/0/8/unique-id"));
	/* dump shows what Linux reads, and says what it leaves out. */
	xsc_tool(&s, &res, "dump", "--domid", "5", "--format=xl");
	ASSERT_EQ(res.status, 0);
	ASSERT_NOT_NULL(strstr(res.err, "/local/domain/5/device/vsnd/0/0: 1 stream(s) beyond"));
	vtest_simd_stop(&s);
}

TEST(write_xl_quirks_warn)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	xsc_tool(&s, &res, "write", "--domid", "5", "--value",
		 "[ [ 'CARD, buffer-size=010, channels-max=2ch', 'STREAM, type=p' ] ]");
	ASSERT_EQ(res.status, 0);
	ASSERT_NOT_NULL(strstr(res.err, "warning: --value: buffer-size=010: xl reads a leading 0"));
	ASSERT_NOT_NULL(strstr(res.err, "warning: --value: channels-max=2ch"));
	vtest_simd_stop(&s);
}

TEST(write_allocates_devids_in_one_transaction)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	/* Two cards: devids 0 and 1; xensimd fails the first commits. */
	ASSERT_EQ(vtest_simd_ctl(&s, (const char *const[]){ "fault", "tx-eagain", "--domid", "0",
							    "--count", "2", NULL }), 0);
	xsc_tool(&s, &res, "write", "--domid", "5", "--value",
		 "[ [ 'STREAM, type=p' ], [ 'STREAM, type=c' ] ]");
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.out, "domain 5: vsnd device 0 written (backend domain 0)\n"
			      "domain 5: vsnd device 1 written (backend domain 0)\n");
	/* The next one takes the lowest free id. */
	xsc_tool(&s, &res, "remove", "--domid", "5", "--devid", "0");
	ASSERT_EQ(res.status, 0);
	xsc_tool(&s, &res, "write", "--domid", "5", "--value", "[ [ 'STREAM, type=p' ] ]");
	ASSERT_STREQ(res.out, "domain 5: vsnd device 0 written (backend domain 0)\n");
	xsc_tool(&s, &res, "write", "--domid", "5", "--value", "[ [ 'STREAM, type=p' ] ]");
	ASSERT_STREQ(res.out, "domain 5: vsnd device 2 written (backend domain 0)\n");
	/* --devid replaces what is there: FE, BE and LX are recreated. */
	ASSERT_OK(write_as(&s, 0, "/local/domain/5/device/vsnd/1/stale", "x"));
	xsc_tool(&s, &res, "write", "--domid", "5", "--devid", "1", "--value",
		 "[ [ 'STREAM, type=p' ] ]");
	ASSERT_EQ(res.status, 0);
	ASSERT_ERR(read_as(&s, 0, "/local/domain/5/device/vsnd/1/stale"), ENOENT);
	vtest_simd_stop(&s);
}
