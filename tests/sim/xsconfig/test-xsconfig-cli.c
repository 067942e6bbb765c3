// SPDX-License-Identifier: MIT
/*
 * vsnd-xsconfig's other commands against xensimd: validate names the node,
 * value and reason of what is broken and exits 1; dump --format=xl writes
 * back the same tree; remove takes FE, BE and LX away together; --strict;
 * and the exit statuses (0 done, 1 failed, 2 usage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenif/xenif.h>

#include "simd.h"
#include "vtest.h"
#include "xsc-run.h"

static struct xsc_result res;

static const char *const all_three[] = { "/local/domain/5/device/vsnd",
					  "/local/domain/0/backend/vsnd",
					  "/libxl/5/device/vsnd", NULL };

static void write_example(struct vtest_simd *s, const char *name)
{
	char path[512];

	xsc_data_path(path, sizeof(path), "VTEST_EXAMPLES_DIR", name);
	xsc_tool(s, &res, "write", "--domid", "5", "--config", path);
	if (res.status != 0)
		vtest_fail(__FILE__, __LINE__, "write %s: %s", name, res.err);
}

static void xs_write(struct vtest_simd *s, const char *path, const char *value)
{
	struct xenif *x;

	ASSERT_OK(xenif_open(s->spec, 0, &x));
	ASSERT_OK(xenif_xs_write(x, XENIF_TX_NONE, path, value, strlen(value)));
	xenif_close(x);
}

static int xs_rm(struct vtest_simd *s, const char *path)
{
	struct xenif *x;
	int r;

	ASSERT_OK(xenif_open(s->spec, 0, &x));
	r = xenif_xs_rm(x, XENIF_TX_NONE, path);
	xenif_close(x);
	return r;
}

static int xs_exists(struct vtest_simd *s, const char *path)
{
	struct xenif *x;
	char *v = NULL;
	int r;

	ASSERT_OK(xenif_open(s->spec, 0, &x));
	r = xenif_xs_read(x, XENIF_TX_NONE, path, &v, NULL);
	free(v);
	xenif_close(x);
	if (r != 0 && r != -ENOENT)
		vtest_fail(__FILE__, __LINE__, "%s: %s", path, strerror(-r));
	return r == 0;
}

#define ASSERT_HAS(hay, needle)                                                        \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			vtest_fail(__FILE__, __LINE__, "no \"%s\" in:\n%s", (needle), (hay)); \
	} while (0)

TEST(validate_valid_card)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	write_example(&s, "agl.cfg");
	xsc_tool(&s, &res, "validate", "--domid", "5");
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.out, "/local/domain/5/device/vsnd/0: valid (0 warnings)\n");
	vtest_simd_stop(&s);
}

TEST(validate_missing_type)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	write_example(&s, "stereo.cfg");
	ASSERT_OK(xs_rm(&s, "/local/domain/5/device/vsnd/0/0/1/type"));
	xsc_tool(&s, &res, "validate", "--domid", "5", "--devid", "0");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.out, "/local/domain/5/device/vsnd/0: error: 0/1/type");
	ASSERT_HAS(res.out, "/local/domain/5/device/vsnd/0: invalid\n");
	vtest_simd_stop(&s);
}

TEST(validate_garbage_rate)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	write_example(&s, "stereo.cfg");
	xs_write(&s, "/local/domain/5/device/vsnd/0/0/sample-rates", "44100,fast");
	xsc_tool(&s, &res, "validate", "--domid", "5");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.out, "/local/domain/5/device/vsnd/0: error: 0/sample-rates: "
			    "\"44100,fast\": \"fast\" is not a decimal rate\n");
	/* An unknown type: the value and the reason. */
	xs_write(&s, "/local/domain/5/device/vsnd/0/0/sample-rates", "48000");
	xs_write(&s, "/local/domain/5/device/vsnd/0/0/0/type", "x");
	xsc_tool(&s, &res, "validate", "--domid", "5");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.out, "error: 0/0/type: \"x\"");
	vtest_simd_stop(&s);
}

TEST(validate_warnings_and_missing_card)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	xsc_tool(&s, &res, "validate", "--domid", "5");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "domain 5: no vsnd device");
	write_example(&s, "stereo.cfg");
	xsc_tool(&s, &res, "validate", "--domid", "5", "--devid", "3");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "no vsnd device 3");
	/* A rate Linux does not know is a warning, not an error. */
	xs_write(&s, "/local/domain/5/device/vsnd/0/sample-rates", "24000");
	xsc_tool(&s, &res, "validate", "--domid", "5");
	ASSERT_EQ(res.status, 0);
	ASSERT_HAS(res.out, "/local/domain/5/device/vsnd/0: warning: sample-rates");
	ASSERT_HAS(res.out, "valid (1 warning)");
	vtest_simd_stop(&s);
}

static void roundtrip(const char *name)
{
	static char before[XSC_OUT_MAX], after[XSC_OUT_MAX], tree[XSC_OUT_MAX];
	struct vtest_simd s;
	char cfg[64];

	xsc_start(&s, 5);
	write_example(&s, name);
	xsc_ls(&s, all_three, before, sizeof(before));
	xsc_tool(&s, &res, "dump", "--domid", "5");
	ASSERT_EQ(res.status, 0);
	memcpy(tree, res.out, sizeof(tree));
	xsc_tool(&s, &res, "dump", "--domid", "5", "--format=xl");
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.err, "");
	xsc_write_temp(res.out, cfg, sizeof(cfg));
	xsc_tool(&s, &res, "remove", "--domid", "5", "--devid", "0");
	ASSERT_EQ(res.status, 0);
	xsc_tool(&s, &res, "write", "--domid", "5", "--config", cfg);
	unlink(cfg);
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.err, "");
	xsc_ls(&s, all_three, after, sizeof(after));
	ASSERT_STREQ(after, before);
	xsc_tool(&s, &res, "dump", "--domid", "5", "--format=tree");
	ASSERT_STREQ(res.out, tree);
	vtest_simd_stop(&s);
}

TEST(dump_xl_round_trips_stereo)
{
	roundtrip("stereo.cfg");
}

TEST(dump_xl_round_trips_android)
{
	roundtrip("android.cfg");
}

TEST(dump_xl_round_trips_agl)
{
	roundtrip("agl.cfg");
}

TEST(dump_xl_text)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	xsc_tool(&s, &res, "write", "--domid", "5", "--value",
		 "[ [ \"CARD, long-name=it's, sample-formats=f32_le\", 'PCM, name=a', "
		 "'STREAM, unique-id=u, type=c, channels-max=1' ] ]");
	ASSERT_EQ(res.status, 0);
	xsc_tool(&s, &res, "dump", "--domid", "5", "--format=xl");
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.out, "vsnd = [\n"
			      "  [ 'CARD, backend=0, long-name=it\\'s, sample-formats=f32_le',\n"
			      "    'PCM, name=a',\n"
			      "      'STREAM, unique-id=u, type=c, channels-max=1',\n"
			      "  ],\n"
			      "]\n");
	/* A ',' cannot be carried by xl: refused, naming the node. */
	xs_write(&s, "/local/domain/5/device/vsnd/0/0/name", "a,b");
	xsc_tool(&s, &res, "dump", "--domid", "5", "--format=xl");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "/local/domain/5/device/vsnd/0/0/name: \"a,b\": xl splits items");
	vtest_simd_stop(&s);
}

TEST(remove_deletes_all_three)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	write_example(&s, "stereo.cfg");
	xsc_tool(&s, &res, "remove", "--domid", "5", "--devid", "0");
	ASSERT_EQ(res.status, 0);
	ASSERT_STREQ(res.out, "domain 5: vsnd device 0 removed\n");
	ASSERT_FALSE(xs_exists(&s, "/local/domain/5/device/vsnd/0"));
	ASSERT_FALSE(xs_exists(&s, "/local/domain/0/backend/vsnd/5/0"));
	ASSERT_FALSE(xs_exists(&s, "/libxl/5/device/vsnd/0"));
	/* Found on real Xen: libxl also removes the parents a removal leaves
	 * empty (device/vsnd, backend/vsnd/<G>, /libxl/<G>/device/vsnd), but
	 * stops at a parent that still has children or a value. */
	ASSERT_FALSE(xs_exists(&s, "/local/domain/5/device/vsnd"));
	ASSERT_FALSE(xs_exists(&s, "/local/domain/0/backend/vsnd/5"));
	ASSERT_FALSE(xs_exists(&s, "/libxl/5/device/vsnd"));
	ASSERT_TRUE(xs_exists(&s, "/local/domain/5/device"));
	ASSERT_TRUE(xs_exists(&s, "/local/domain/5"));
	xsc_tool(&s, &res, "remove", "--domid", "5", "--devid", "0");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "domain 5: no vsnd device 0");
	vtest_simd_stop(&s);
}

TEST(remove_ignores_guest_backend_path)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	write_example(&s, "stereo.cfg");
	/* The guest owns FE: what it writes there never picks what dom0 removes. */
	xs_write(&s, "/local/domain/5/device/vsnd/0/backend", "/local/domain/0/name");
	ASSERT_OK(xs_rm(&s, "/libxl/5/device/vsnd/0"));
	xsc_tool(&s, &res, "remove", "--domid", "5", "--devid", "0");
	ASSERT_EQ(res.status, 0);
	ASSERT_TRUE(xs_exists(&s, "/local/domain/0/name"));
	ASSERT_FALSE(xs_exists(&s, "/local/domain/0/backend/vsnd/5/0"));
	vtest_simd_stop(&s);
}

TEST(strict_refuses_what_xl_writes)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	/* A stream without type=: xl writes it (and Linux fails the card). */
	xsc_tool(&s, &res, "write", "--strict", "--domid", "5", "--value",
		 "[ [ 'PCM, name=a', 'STREAM, unique-id=u' ] ]");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "vsnd-xsconfig: card 0: 0/0/type");
	ASSERT_HAS(res.err, "nothing written");
	ASSERT_FALSE(xs_exists(&s, "/local/domain/5/device/vsnd/0"));
	xsc_tool(&s, &res, "write", "--domid", "5", "--value",
		 "[ [ 'PCM, name=a', 'STREAM, unique-id=u' ] ]");
	ASSERT_EQ(res.status, 0);
	ASSERT_HAS(res.err, "warning: card 0: 0/0/type");
	ASSERT_HAS(res.err, "written anyway");
	ASSERT_TRUE(xs_exists(&s, "/local/domain/5/device/vsnd/0/0/0/unique-id"));
	vtest_simd_stop(&s);
}

TEST(exit_codes_and_usage)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	xsc_tool(&s, &res, "--help");
	ASSERT_EQ(res.status, 0);
	ASSERT_HAS(res.out, "usage: vsnd-xsconfig");
	xsc_tool(&s, &res, "--version");
	ASSERT_EQ(res.status, 0);
	ASSERT_HAS(res.out, "vsnd-xsconfig ");
	xsc_tool(&s, &res, "frobnicate");
	ASSERT_EQ(res.status, 2);
	ASSERT_HAS(res.err, "frobnicate: unknown command");
	xsc_tool(&s, &res, "write", "--value", "[]");
	ASSERT_EQ(res.status, 2);
	ASSERT_HAS(res.err, "write needs --domid G");
	xsc_tool(&s, &res, "validate", "--domid", "abc");
	ASSERT_EQ(res.status, 2);
	ASSERT_HAS(res.err, "--domid abc: not a decimal number");
	xsc_tool(&s, &res, "validate", "--domid", "0");
	ASSERT_EQ(res.status, 2);
	ASSERT_HAS(res.err, "--domid 0: out of range");
	xsc_tool(&s, &res, "remove", "--domid", "5");
	ASSERT_EQ(res.status, 2);
	ASSERT_HAS(res.err, "remove needs --devid N");
	xsc_tool(&s, &res, "dump", "--domid", "5", "--format=json");
	ASSERT_EQ(res.status, 2);
	ASSERT_HAS(res.err, "--format=json: want tree or xl");
	xsc_tool(&s, &res, "validate", "--domid", "5", "--value", "x");
	ASSERT_EQ(res.status, 2);
	ASSERT_HAS(res.err, "validate takes no --value");
	xsc_tool(&s, &res, "write", "--domid", "5", "--value", "x", "--config", "y");
	ASSERT_EQ(res.status, 2);
	vtest_simd_stop(&s);
}

/* Operation errors: 1, naming the value and the reason. */
TEST(exit_codes_operation_errors)
{
	struct vtest_simd s;

	xsc_start(&s, 5);
	xsc_tool(&s, &res, "write", "--domid", "5", "--config", "/nonexistent.cfg");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "--config /nonexistent.cfg: cannot open: No such file");
	xsc_tool(&s, &res, "write", "--domid", "5", "--value", "[ [ 'SPEAKER, x=1' ] ]");
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "--value: ");
	ASSERT_HAS(res.err, "SPEAKER");
	xsc_tool(&s, &res, "write", "--domid", "5", "--value", "[ [ 'STREAM, type=p' ] ]");
	ASSERT_EQ(res.status, 0);
	vtest_simd_stop(&s);
	xsc_run(&s, 0, (const char *const[]){ getenv("VTEST_XSCONFIG"), "--xen=sim:/nonexistent",
					      "validate", "--domid", "5", NULL }, &res);
	ASSERT_EQ(res.status, 1);
	ASSERT_HAS(res.err, "--xen=sim:/nonexistent: cannot open XenStore");
}
