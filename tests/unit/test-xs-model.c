/* SPDX-License-Identifier: MIT */
/*
 * The pure XenStore model against xenstored 4.17's observable behaviour:
 * the initial tree, paths, permissions and the errors that hide what a
 * caller may not see, node creation and removal, ownership counts and
 * quotas (with xenstored's errno values), watches and their events.
 * Transactions and the randomized run are in test-xs-model-tx.c.
 */
#include "xs-model-fixture.h"

TEST(initial_tree_is_dom0_owned_and_closed)
{
	struct fx *f = fx_new();
	char buf[64];

	expect_perms(f->m, "/", 1, PERMS(P(0, NONE)));
	expect_perms(f->m, "/local", 1, PERMS(P(0, NONE)));
	expect_perms(f->m, "/local/domain", 1, PERMS(P(0, NONE)));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 3);
	ASSERT_EQ(xs_model_directory(f->m, &DOM0, 0, "/", buf, sizeof(buf)), 6);
	ASSERT_MEMEQ(buf, "local", 6);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "/"), EACCES);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "/local/domain"), EACCES);
	ASSERT_EQ(f->nev, 0);
	fx_free(f);
}

TEST(values_are_bytes_and_may_be_empty)
{
	struct fx *f = fx_new();
	const char *v;
	size_t len;

	ASSERT_OK(xs_model_write(f->m, &DOM0, 0, "/v", "a\0b", 3));
	ASSERT_OK(xs_model_read(f->m, &DOM0, 0, "/v", &v, &len));
	ASSERT_EQ(len, 3);
	ASSERT_MEMEQ(v, "a\0b", 3);
	ASSERT_OK(xs_model_write(f->m, &DOM0, 0, "/v", NULL, 0));
	expect_value(f->m, &DOM0, 0, "/v", "");
	ASSERT_OK(WR(f->m, &DOM0, 0, "/v", "again"));
	expect_value(f->m, &DOM0, 0, "/v", "again");
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/missing"), ENOENT);
	fx_free(f);
}

TEST(write_creates_ancestors_with_inherited_perms)
{
	struct fx *f = fx_new();
	char buf[16];

	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/b/c", "x"));
	expect_value(f->m, &DOM0, 0, "/a/b", "");
	ASSERT_EQ(xs_model_directory(f->m, &DOM0, 0, "/a", buf, sizeof(buf)), 2);
	expect_perms(f->m, "/a/b/c", 1, PERMS(P(0, NONE)));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 6);
	/* A privileged creator keeps the ancestor's owner. */
	ASSERT_OK(SETP(f->m, &DOM0, "/a", P(5, READ), P(6, WRITE)));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/x/y", "z"));
	expect_perms(f->m, "/a/x", 2, PERMS(P(5, READ), P(6, WRITE)));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 3);
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 5);
	fx_free(f);
}

TEST(unprivileged_creator_owns_what_it_creates)
{
	struct fx *f = fx_new();

	ASSERT_OK(xs_model_mkdir(f->m, &DOM0, 0, "/local/domain/5"));
	ASSERT_OK(SETP(f->m, &DOM0, "/local/domain/5", P(0, NONE), P(5, BOTH)));
	ASSERT_OK(WR(f->m, &DOM5, 0, "data/x", "1"));
	expect_perms(f->m, "/local/domain/5/data", 2, PERMS(P(5, NONE), P(5, BOTH)));
	expect_perms(f->m, "/local/domain/5/data/x", 2, PERMS(P(5, NONE), P(5, BOTH)));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 2);
	expect_value(f->m, &DOM5, 0, "/local/domain/5/data/x", "1");
	ASSERT_ERR(read_err(f->m, &DOM6, 0, "/local/domain/5/data/x"), EACCES);
	fx_free(f);
}

TEST(errors_hide_what_a_domain_cannot_see)
{
	struct fx *f = fx_new();

	make_home(f->m, 5);
	ASSERT_OK(WR(f->m, &DOM0, 0, "/secret/a", "s"));
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "/secret/a"), EACCES);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "/secret/missing"), EACCES);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "/secret/missing/deeper"), EACCES);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "missing"), ENOENT);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "missing/deeper"), ENOENT);
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/secret/missing"), ENOENT);
	ASSERT_ERR(WR(f->m, &DOM5, 0, "/secret/b", "x"), EACCES);
	ASSERT_ERR(xs_model_mkdir(f->m, &DOM5, 0, "/local/domain"), EACCES);
	fx_free(f);
}

TEST(granted_permissions_are_honoured)
{
	struct fx *f = fx_new();

	ASSERT_OK(WR(f->m, &DOM0, 0, "/pub", "p"));
	ASSERT_OK(SETP(f->m, &DOM0, "/pub", P(0, NONE), P(5, READ)));
	expect_value(f->m, &DOM5, 0, "/pub", "p");
	ASSERT_ERR(read_err(f->m, &DOM6, 0, "/pub"), EACCES);
	ASSERT_ERR(WR(f->m, &DOM5, 0, "/pub", "x"), EACCES);
	ASSERT_ERR(WR(f->m, &DOM5, 0, "/pub/new", "x"), EACCES);
	/* Entry 0 is everybody's default; a later entry overrides it. */
	ASSERT_OK(SETP(f->m, &DOM0, "/pub", P(0, READ), P(6, NONE)));
	expect_value(f->m, &DOM5, 0, "/pub", "p");
	ASSERT_ERR(read_err(f->m, &DOM6, 0, "/pub"), EACCES);
	ASSERT_OK(SETP(f->m, &DOM0, "/pub", P(0, NONE), P(5, WRITE)));
	ASSERT_OK(WR(f->m, &DOM5, 0, "/pub", "w"));
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "/pub"), EACCES);
	fx_free(f);
}

TEST(dom0_bypasses_permissions)
{
	struct fx *f = fx_new();

	make_home(f->m, 5);
	ASSERT_OK(WR(f->m, &DOM5, 0, "mine", "5"));
	expect_value(f->m, &DOM0, 0, "/local/domain/5/mine", "5");
	ASSERT_OK(WR(f->m, &DOM0, 0, "/local/domain/5/mine", "0"));
	ASSERT_OK(SETP(f->m, &DOM0, "/local/domain/5/mine", P(6, NONE)));
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "mine"), EACCES);
	ASSERT_OK(xs_model_rm(f->m, &DOM0, 0, "/local/domain/5/mine"));
	fx_free(f);
}

TEST(set_perms_rules)
{
	struct fx *f = fx_new();
	struct xs_model_perm_entry many[XS_MODEL_PERMS_MAX + 1] = { { 5, XS_MODEL_PERM_NONE } };
	struct xs_model_perm_entry got[1];

	make_home(f->m, 5);
	ASSERT_OK(WR(f->m, &DOM5, 0, "n", ""));
	ASSERT_OK(SETP(f->m, &DOM5, "n", P(5, READ), P(6, BOTH)));
	ASSERT_EQ(xs_model_get_perms(f->m, &DOM5, 0, "n", got, 1), 2);
	ASSERT_EQ(got[0].domid, 5);
	/* WRITE is not enough: only the owner (or dom0) sets permissions. */
	ASSERT_ERR(SETP(f->m, &DOM6, "/local/domain/5/n", P(5, BOTH)), EACCES);
	ASSERT_ERR(SETP(f->m, &DOM5, "n", P(6, BOTH)), EPERM);
	ASSERT_ERR(xs_model_set_perms(f->m, &DOM5, 0, "n", many, 0), EINVAL);
	ASSERT_ERR(xs_model_set_perms(f->m, &DOM0, 0, "/", many, XS_MODEL_PERMS_MAX + 1), EINVAL);
	ASSERT_ERR(SETP(f->m, &DOM5, "n", { 5, (enum xs_model_perm)4 }), EINVAL);
	ASSERT_ERR(xs_model_set_perms(f->m, &DOM5, 0, "n", many, 6), ENOSPC);
	ASSERT_OK(xs_model_set_perms(f->m, &DOM0, 0, "/local/domain/5/n", many, 6));
	ASSERT_ERR(SETP(f->m, &DOM5, "missing", P(5, NONE)), ENOENT);
	ASSERT_ERR(SETP(f->m, &DOM5, "/local/missing", P(5, NONE)), EACCES);
	/* dom0 may give a node away; ownership counts follow. */
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 2);
	ASSERT_OK(SETP(f->m, &DOM0, "/local/domain/5/n", P(6, NONE)));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 1);
	ASSERT_EQ(xs_model_nodes_owned(f->m, 6), 1);
	fx_free(f);
}

TEST(mkdir_of_existing_node_is_a_quiet_success)
{
	struct fx *f = fx_new();

	ASSERT_OK(WR(f->m, &DOM0, 0, "/d", "keep"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/d", "t"));
	f->nev = 0;
	ASSERT_OK(xs_model_mkdir(f->m, &DOM0, 0, "/d"));
	expect_value(f->m, &DOM0, 0, "/d", "keep");
	ASSERT_EQ(f->nev, 0);
	ASSERT_OK(xs_model_mkdir(f->m, &DOM0, 0, "/d/e"));
	expect_value(f->m, &DOM0, 0, "/d/e", "");
	ASSERT_EQ(ev_count(f, 1, "/d/e", "t"), 1);
	fx_free(f);
}

TEST(rm_removes_subtrees_and_tolerates_missing_nodes)
{
	struct fx *f = fx_new();
	char buf[16];

	ASSERT_OK(WR(f->m, &DOM0, 0, "/r/a/b", "1"));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/r/a/c", "2"));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/r/d", "3"));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 8);
	ASSERT_OK(xs_model_rm(f->m, &DOM0, 0, "/r/a"));
	ASSERT_ERR(read_err(f->m, &DOM0, 0, "/r/a/b"), ENOENT);
	ASSERT_EQ(xs_model_directory(f->m, &DOM0, 0, "/r", buf, sizeof(buf)), 2);
	ASSERT_MEMEQ(buf, "d", 2);
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 5);
	ASSERT_OK(xs_model_rm(f->m, &DOM0, 0, "/r/a"));
	ASSERT_ERR(xs_model_rm(f->m, &DOM0, 0, "/r/a/x"), ENOENT);
	ASSERT_ERR(xs_model_rm(f->m, &DOM0, 0, "/"), EINVAL);
	ASSERT_ERR(xs_model_rm(f->m, &DOM5, 0, "/"), EACCES);
	ASSERT_ERR(xs_model_rm(f->m, &DOM5, 0, "/r/d"), EACCES);
	ASSERT_ERR(xs_model_rm(f->m, &DOM5, 0, "/r/zz"), EACCES);
	fx_free(f);
}

TEST(directory_is_sorted_and_checks_room)
{
	struct fx *f = fx_new();
	char buf[16];

	ASSERT_OK(WR(f->m, &DOM0, 0, "/dir/b", ""));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/dir/c", ""));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/dir/aa", ""));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/dir/a", ""));
	ASSERT_ERR(xs_model_directory(f->m, &DOM0, 0, "/dir", buf, 8), E2BIG);
	ASSERT_EQ(xs_model_directory(f->m, &DOM0, 0, "/dir", buf, 9), 9);
	ASSERT_MEMEQ(buf, "a\0aa\0b\0c", 9);
	ASSERT_EQ(xs_model_directory(f->m, &DOM0, 0, "/dir/a", buf, 0), 0);
	ASSERT_ERR(xs_model_directory(f->m, &DOM0, 0, "/nodir", buf, 16), ENOENT);
	ASSERT_ERR(xs_model_directory(f->m, &DOM5, 0, "/dir", buf, 16), EACCES);
	fx_free(f);
}

TEST(invalid_paths_are_einval)
{
	static const char *const bad[] = {
		"", "//", "/a//b", "/a/", "a/", "/a b", "/a\t", "/a.b", "/ä", "@foo", "/a/../b",
	};
	struct fx *f = fx_new();
	char *big = malloc(3200);
	unsigned int i;

	ASSERT_NOT_NULL(big);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_ERR(WR(f->m, &DOM0, 0, bad[i], "x"), EINVAL);
		ASSERT_ERR(read_err(f->m, &DOM0, 0, bad[i]), EINVAL);
		ASSERT_ERR(xs_model_rm(f->m, &DOM0, 0, bad[i]), EINVAL);
	}
	ASSERT_ERR(WR(f->m, &DOM0, 0, NULL, "x"), EINVAL);
	ASSERT_ERR(xs_model_watch(f->m, &DOM0, "/a/", "t"), EINVAL);
	/* xenstored accepts '@' past the first character, and [-_]. */
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a@b/c-d_E9", "x"));
	/* 2048 characters at most after "/local/domain/<domid>/", or in all. */
	big[0] = '/';
	memset(big + 1, 'x', 2047);
	big[2048] = '\0';
	ASSERT_OK(WR(f->m, &DOM0, 0, big, "x"));
	big[2048] = 'x';
	big[2049] = '\0';
	ASSERT_ERR(WR(f->m, &DOM0, 0, big, "x"), EINVAL);
	memcpy(big, "/local/domain/0/", 16);
	memset(big + 16, 'y', 2048);
	big[16 + 2048] = '\0';
	ASSERT_OK(WR(f->m, &DOM0, 0, big, "x"));
	ASSERT_OK(WR(f->m, &DOM0, 0, big + 16, "rel"));
	expect_value(f->m, &DOM0, 0, big, "rel");
	big[16 + 2048] = 'y';
	big[16 + 2049] = '\0';
	ASSERT_ERR(WR(f->m, &DOM0, 0, big, "x"), EINVAL);
	ASSERT_ERR(WR(f->m, &DOM0, 0, big + 16, "x"), EINVAL);
	free(big);
	fx_free(f);
}

TEST(relative_paths_hang_off_the_callers_home)
{
	struct fx *f = fx_new();

	make_home(f->m, 5);
	ASSERT_OK(WR(f->m, &DOM5, 0, "a/b", "5"));
	expect_value(f->m, &DOM0, 0, "/local/domain/5/a/b", "5");
	expect_value(f->m, &DOM5, 0, "/local/domain/5/a/b", "5");
	ASSERT_OK(WR(f->m, &DOM0, 0, "x", "0"));
	expect_value(f->m, &DOM0, 0, "/local/domain/0/x", "0");
	ASSERT_ERR(read_err(f->m, &DOM6, 0, "a/b"), EACCES);
	fx_free(f);
}

TEST(watch_fires_once_on_registration)
{
	struct fx *f = fx_new();

	make_home(f->m, 5);
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "data", "t1"));
	ASSERT_EQ(f->nev, 1);
	ASSERT_EQ(ev_count(f, 5, "data", "t1"), 1);
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/not/there", "t2"));
	ASSERT_EQ(ev_count(f, 1, "/not/there", "t2"), 1);
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "@releaseDomain", "t3"));
	ASSERT_EQ(ev_count(f, 5, "@releaseDomain", "t3"), 1);
	ASSERT_EQ(f->nev, 3);
	fx_free(f);
}

TEST(watch_matches_subtrees_on_component_boundaries)
{
	struct fx *f = fx_new();

	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/a/b", "w"));
	f->nev = 0;
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/b", "1"));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/b/c/d", "2"));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/bc", "3"));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a", "4"));
	ASSERT_EQ(f->nev, 2);
	ASSERT_STREQ(f->ev[0].path, "/a/b");
	ASSERT_STREQ(f->ev[1].path, "/a/b/c/d");
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/", "root"));
	f->nev = 0;
	ASSERT_OK(WR(f->m, &DOM0, 0, "/z", ""));
	ASSERT_EQ(ev_count(f, 1, "/z", "root"), 1);
	ASSERT_EQ(f->nev, 1);
	fx_free(f);
}

TEST(rm_fires_watches_of_every_removed_node)
{
	struct fx *f = fx_new();

	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/b/c", "1"));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/b/d", "2"));
	ASSERT_OK(WR(f->m, &DOM0, 0, "/a/bz", "3"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/a", "up"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/a/b/c", "below"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/a/b/c/x", "missing"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/a/bz", "sibling"));
	ASSERT_OK(xs_model_watch(f->m, &TOOL, "/", "root"));
	f->nev = 0;
	ASSERT_OK(xs_model_rm(f->m, &DOM0, 0, "/a/b"));
	/* Descendants fire their own watches (children first), the removed
	 * node fires its own and its ancestors' (xenstored's delnode_sub). */
	ASSERT_EQ(f->nev, 3);
	ASSERT_EQ(ev_count(f, 1, "/a/b/c", "below"), 1);
	ASSERT_STREQ(f->ev[0].token, "below");
	ASSERT_EQ(ev_count(f, 1, "/a/b", "up"), 1);
	ASSERT_EQ(ev_count(f, 2, "/a/b", "root"), 1);
	fx_free(f);
}

TEST(events_need_read_access)
{
	struct fx *f = fx_new();

	ASSERT_OK(WR(f->m, &DOM0, 0, "/priv/x", "0"));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/priv/x", "x"));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/priv", "p"));
	f->nev = 0;
	ASSERT_OK(WR(f->m, &DOM0, 0, "/priv/x", "1"));
	ASSERT_EQ(f->nev, 0);
	/* Readable parent is enough (xenstored's watch_permitted()). */
	ASSERT_OK(SETP(f->m, &DOM0, "/priv", P(0, NONE), P(5, READ)));
	ASSERT_EQ(ev_count(f, 5, "/priv", "p"), 1);
	ASSERT_OK(WR(f->m, &DOM0, 0, "/priv/x", "2"));
	ASSERT_EQ(ev_count(f, 5, "/priv/x", NULL), 2);
	/* Losing access still tells: the old permissions count too. */
	ASSERT_OK(WR(f->m, &DOM0, 0, "/rv", ""));
	ASSERT_OK(SETP(f->m, &DOM0, "/rv", P(0, READ)));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/rv", "rv"));
	f->nev = 0;
	ASSERT_OK(SETP(f->m, &DOM0, "/rv", P(0, NONE)));
	ASSERT_EQ(ev_count(f, 5, "/rv", "rv"), 1);
	ASSERT_OK(WR(f->m, &DOM0, 0, "/rv", "hidden"));
	ASSERT_EQ(f->nev, 1);
	/* rm checks the permissions the node had. */
	ASSERT_OK(SETP(f->m, &DOM0, "/rv", P(0, READ)));
	f->nev = 0;
	ASSERT_OK(xs_model_rm(f->m, &DOM0, 0, "/rv"));
	ASSERT_EQ(ev_count(f, 5, "/rv", "rv"), 1);
	fx_free(f);
}

TEST(relative_watches_get_relative_events)
{
	struct fx *f = fx_new();

	make_home(f->m, 5);
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "data", "rel"));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/local/domain/5/data", "abs"));
	f->nev = 0;
	ASSERT_OK(WR(f->m, &DOM5, 0, "data/x", "1"));
	ASSERT_EQ(ev_count(f, 5, "data/x", "rel"), 1);
	ASSERT_EQ(ev_count(f, 5, "/local/domain/5/data/x", "abs"), 1);
	ASSERT_OK(WR(f->m, &DOM0, 0, "/local/domain/5/data", "0"));
	ASSERT_EQ(ev_count(f, 5, "data", "rel"), 1);
	fx_free(f);
}

TEST(spurious_fire_reaches_path_and_ancestors)
{
	struct fx *f = fx_new();

	make_home(f->m, 5);
	ASSERT_OK(WR(f->m, &DOM0, 0, "/s/a/b", ""));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/s/a", "a"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/s", "s"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/s/a/b", "b"));
	ASSERT_OK(xs_model_watch(f->m, &DOM0, "/nothing", "n"));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "here", "h"));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "gone", "g"));
	ASSERT_OK(WR(f->m, &DOM5, 0, "here", ""));
	f->nev = 0;
	xs_model_fire_spurious(f->m, "/s/a");
	ASSERT_EQ(f->nev, 2);
	ASSERT_EQ(ev_count(f, 1, "/s/a", "a"), 1);
	ASSERT_EQ(ev_count(f, 1, "/s/a", "s"), 1);
	xs_model_fire_spurious(f->m, "/nothing/here");
	ASSERT_EQ(ev_count(f, 1, "/nothing/here", "n"), 1);
	xs_model_fire_spurious(f->m, "/local/domain/5/here");
	ASSERT_EQ(ev_count(f, 5, "here", "h"), 1);
	xs_model_fire_spurious(f->m, "/local/domain/5/gone");
	ASSERT_EQ(ev_count(f, 5, NULL, "g"), 0);
	fx_free(f);
}

TEST(special_watches_fire_only_on_request_and_with_permission)
{
	struct fx *f = fx_new();
	struct xs_model_perm_entry got[2];

	ASSERT_OK(xs_model_watch(f->m, &DOM0, "@releaseDomain", "r0"));
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "@releaseDomain", "r5"));
	ASSERT_OK(xs_model_watch(f->m, &TOOL, "/", "root"));
	f->nev = 0;
	ASSERT_OK(WR(f->m, &DOM0, 0, "/x", ""));
	ASSERT_EQ(ev_count(f, 0, NULL, "r0") + ev_count(f, 0, NULL, "r5"), 0);
	f->nev = 0;
	xs_model_fire_special(f->m, "@releaseDomain");
	ASSERT_EQ(f->nev, 1);
	ASSERT_EQ(ev_count(f, 1, "@releaseDomain", "r0"), 1);
	ASSERT_ERR(SETP(f->m, &DOM5, "@releaseDomain", P(5, READ)), EACCES);
	ASSERT_ERR(SETP(f->m, &DOM0, "@other", P(0, READ)), ENOENT);
	ASSERT_OK(SETP(f->m, &DOM0, "@releaseDomain", P(0, NONE), P(5, READ)));
	ASSERT_EQ(xs_model_get_perms(f->m, &DOM5, 0, "@releaseDomain", got, 2), 2);
	f->nev = 0;
	xs_model_fire_special(f->m, "@releaseDomain");
	xs_model_fire_special(f->m, "@introduceDomain");
	ASSERT_EQ(f->nev, 2);
	ASSERT_EQ(ev_count(f, 5, "@releaseDomain", "r5"), 1);
	xs_model_fire_spurious(f->m, "@releaseDomain");
	ASSERT_EQ(f->nev, 4);
	fx_free(f);
}

TEST(watch_duplicates_and_unwatch)
{
	struct fx *f = fx_new();

	make_home(f->m, 5);
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "data", "t"));
	ASSERT_ERR(xs_model_watch(f->m, &DOM5, "/local/domain/5/data", "t"), EEXIST);
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "data", "t2"));
	ASSERT_OK(xs_model_watch(f->m, &DOM6, "/local/domain/5/data", "t"));
	ASSERT_OK(xs_model_unwatch(f->m, &DOM5, "/local/domain/5/data", "t"));
	ASSERT_ERR(xs_model_unwatch(f->m, &DOM5, "data", "t"), ENOENT);
	ASSERT_ERR(xs_model_unwatch(f->m, &DOM6, "/local/domain/5/data", "t2"), ENOENT);
	ASSERT_ERR(xs_model_unwatch(f->m, &DOM5, "da ta", "t2"), EINVAL);
	f->nev = 0;
	ASSERT_OK(WR(f->m, &DOM0, 0, "/local/domain/5/data", ""));
	ASSERT_EQ(f->nev, 1);
	ASSERT_EQ(ev_count(f, 5, "data", "t2"), 1);
	fx_free(f);
}

TEST(watch_quota_is_e2big)
{
	struct fx *f = fx_new();
	struct xs_model_quota q = { .nodes = 1000, .transactions = 10 };
	char tok[16];
	unsigned int i;

	/* xenstored compares with '>': 128 + 1 watches fit. */
	for (i = 0; i < 129; i++) {
		snprintf(tok, sizeof(tok), "t%u", i);
		ASSERT_OK(xs_model_watch(f->m, &DOM5, "/w", tok));
	}
	ASSERT_ERR(xs_model_watch(f->m, &DOM5, "/w", "one-more"), E2BIG);
	for (i = 0; i < 300; i++) {
		snprintf(tok, sizeof(tok), "t%u", i);
		ASSERT_OK(xs_model_watch(f->m, &DOM0, "/w", tok));
	}
	xs_model_set_quota(f->m, &q);
	ASSERT_OK(xs_model_watch(f->m, &DOM5, "/w", "one-more"));
	fx_free(f);
}

TEST(node_quota_is_enospc_and_counts_stay_exact)
{
	struct fx *f = fx_new();
	struct xs_model_quota q = { .nodes = 5,
				    .watches = 128,
				    .transactions = 10,
				    .value_bytes = 2048,
				    .perms_per_node = 5 };

	xs_model_set_quota(f->m, &q);
	make_home(f->m, 5);
	ASSERT_OK(WR(f->m, &DOM5, 0, "a", ""));
	ASSERT_OK(WR(f->m, &DOM5, 0, "b/c/d", ""));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 5);
	ASSERT_ERR(WR(f->m, &DOM5, 0, "e", ""), ENOSPC);
	ASSERT_ERR(xs_model_mkdir(f->m, &DOM5, 0, "f/g"), ENOSPC);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "f"), ENOENT);
	ASSERT_OK(WR(f->m, &DOM5, 0, "a", "rewrite is fine"));
	ASSERT_OK(xs_model_rm(f->m, &DOM5, 0, "b"));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 2);
	ASSERT_ERR(WR(f->m, &DOM5, 0, "x/y/z/w", ""), ENOSPC);
	ASSERT_OK(WR(f->m, &DOM5, 0, "x/y/z", ""));
	/* dom0 is exempt, even creating nodes the domain will own. */
	ASSERT_OK(WR(f->m, &DOM0, 0, "/local/domain/5/by0/a", ""));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 7);
	ASSERT_OK(SETP(f->m, &DOM0, "/local/domain/5/by0", P(0, NONE)));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 6);
	ASSERT_OK(xs_model_rm(f->m, &DOM0, 0, "/local/domain/5"));
	ASSERT_EQ(xs_model_nodes_owned(f->m, 5), 0);
	ASSERT_EQ(xs_model_nodes_owned(f->m, 0), 3);
	fx_free(f);
}

TEST(value_size_limits)
{
	struct fx *f = fx_new();
	struct xs_model_quota q = { .nodes = 1000 };
	char *v = calloc(1, XS_MODEL_VALUE_MAX + 1);

	ASSERT_NOT_NULL(v);
	make_home(f->m, 5);
	ASSERT_OK(xs_model_write(f->m, &DOM0, 0, "/big", v, XS_MODEL_VALUE_MAX));
	ASSERT_ERR(xs_model_write(f->m, &DOM0, 0, "/big", v, XS_MODEL_VALUE_MAX + 1), E2BIG);
	ASSERT_OK(xs_model_write(f->m, &DOM5, 0, "v", v, 2048));
	ASSERT_ERR(xs_model_write(f->m, &DOM5, 0, "v", v, 2049), ENOSPC);
	ASSERT_ERR(xs_model_write(f->m, &DOM5, 0, "new", v, 2049), ENOSPC);
	ASSERT_ERR(read_err(f->m, &DOM5, 0, "new"), ENOENT);
	xs_model_set_quota(f->m, &q);
	ASSERT_OK(xs_model_write(f->m, &DOM5, 0, "v", v, XS_MODEL_VALUE_MAX));
	ASSERT_ERR(xs_model_write(f->m, &DOM5, 0, "v", v, XS_MODEL_VALUE_MAX + 1), E2BIG);
	free(v);
	fx_free(f);
}

TEST(transaction_quota_is_enospc)
{
	struct fx *f = fx_new();
	uint32_t id[12], extra;
	unsigned int i;

	/* xenstored compares with '>': 10 + 1 transactions fit. */
	for (i = 0; i < 11; i++)
		ASSERT_OK(xs_model_tx_start(f->m, &DOM5, &id[i]));
	ASSERT_ERR(xs_model_tx_start(f->m, &DOM5, &extra), ENOSPC);
	ASSERT_OK(xs_model_tx_start(f->m, &DOM6, &extra));
	ASSERT_OK(xs_model_tx_end(f->m, &DOM5, id[0], false));
	ASSERT_OK(xs_model_tx_start(f->m, &DOM5, &id[0]));
	for (i = 0; i < 50; i++)
		ASSERT_OK(xs_model_tx_start(f->m, &DOM0, &extra));
	fx_free(f);
}
