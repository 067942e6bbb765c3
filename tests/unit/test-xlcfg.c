// SPDX-License-Identifier: MIT
/*
 * The xl `vsnd` entry parser and libxl node writer: protocol.md 5.3's example
 * gives exactly libxl's frontend nodes, and each xl quirk (leading spaces
 * dropped but trailing ones kept, empty tokens skipped, case-sensitive keys,
 * strtoul numbers, libxl format spellings, STREAM before PCM) behaves as xl
 * does, with warnings where xl reads something other than what was written.
 */
#include <errno.h>

#include "vtest.h"
#include "xlcfg.h"

#define MAX_NODES 256

struct nodes {
	unsigned int n;
	char path[MAX_NODES][64];
	char value[MAX_NODES][256];
};

static int collect(void *ctx, const char *relpath, const char *value)
{
	struct nodes *ns = ctx;

	ASSERT_LT(ns->n, MAX_NODES);
	snprintf(ns->path[ns->n], sizeof(ns->path[0]), "%s", relpath);
	snprintf(ns->value[ns->n], sizeof(ns->value[0]), "%s", value);
	ns->n++;
	return 0;
}

static void expect_nodes(const struct vsnd_xl_card *card, const char *const *want)
{
	static struct nodes ns;
	unsigned int i;

	memset(&ns, 0, sizeof(ns));
	ASSERT_OK(vsnd_xl_card_nodes(card, collect, &ns));
	for (i = 0; want[2 * i]; i++) {
		ASSERT_LT(i, ns.n);
		ASSERT_STREQ(ns.path[i], want[2 * i]);
		ASSERT_STREQ(ns.value[i], want[2 * i + 1]);
	}
	ASSERT_EQ(ns.n, i);
}

static struct vsnd_xl_config *parse_file(const char *text, struct vsnd_xl_diag *d)
{
	struct vsnd_xl_config *cfg = NULL;
	int r = vsnd_xl_parse_file(text, strlen(text), &cfg, d);

	if (r < 0)
		vtest_fail(__FILE__, __LINE__, "parse failed: %d: %s", r, d->error);
	return cfg;
}

static int parse_card(const char *const *items, struct vsnd_xl_card *card, struct vsnd_xl_diag *d)
{
	memset(card, 0, sizeof(*card));
	memset(d, 0, sizeof(*d));
	for (unsigned int i = 0; items[i]; i++) {
		int r = vsnd_xl_parse_item(card, items[i], d);

		if (r < 0)
			return r;
	}
	return 0;
}

/* protocol.md 5.3 */
static const char example_cfg[] =
	"name   = \"guest1\"\n"
	"type   = \"pvh\"\n"
	"kernel = \"/boot/vmlinuz-guest\"\n"
	"memory = 1024\n"
	"vcpus  = 2\n"
	"disk   = [ 'format=raw, vdev=xvda, access=rw, target=/var/lib/xen/guest1.img' ]\n"
	"vsnd = [\n"
	"  [ 'CARD, backend=0, short-name=XenSnd, long-name=Xen PV sound, "
	"sample-rates=44100;48000, sample-formats=s16_le;s32_le, channels-min=1, "
	"channels-max=2, buffer-size=65536',\n"
	"    'PCM, name=analog',\n"
	"      'STREAM, unique-id=main-p, type=p',\n"
	"      'STREAM, unique-id=main-c, type=c, channels-max=1',\n"
	"    'PCM, name=hdmi, sample-rates=48000',\n"
	"      'STREAM, unique-id=hdmi-p, type=p'\n"
	"  ]\n"
	"]\n";

TEST(example_gives_libxl_nodes)
{
	static const char *const want[] = {
		"long-name", "Xen PV sound",
		"short-name", "XenSnd",
		"sample-rates", "44100,48000",
		"sample-formats", "s16_le,s32_le",
		"channels-min", "1",
		"channels-max", "2",
		"buffer-size", "65536",
		"0/name", "analog",
		"0/0/unique-id", "main-p",
		"0/0/type", "p",
		"0/1/unique-id", "main-c",
		"0/1/type", "c",
		"0/1/channels-max", "1",
		"1/name", "hdmi",
		"1/sample-rates", "48000",
		"1/0/unique-id", "hdmi-p",
		"1/0/type", "p",
		NULL,
	};
	struct vsnd_xl_diag d;
	struct vsnd_xl_config *cfg = parse_file(example_cfg, &d);

	ASSERT_EQ(cfg->n_cards, 1);
	ASSERT_STREQ(cfg->cards[0].backend, "0");
	ASSERT_EQ(d.n_warnings, 0);
	expect_nodes(&cfg->cards[0], want);
	vsnd_xl_config_free(cfg);
}

TEST(spaces_tokens_and_case)
{
	static const char *const items[] = {
		"card,,  long-name= spaced ,short-name=x",
		"Pcm, name=analog ",
		"sTrEaM,type=P",
		NULL,
	};
	static const char *const want[] = {
		"long-name", " spaced ",
		"short-name", "x",
		"0/name", "analog ",
		"0/0/type", "p",
		NULL,
	};
	struct vsnd_xl_card card;
	struct vsnd_xl_diag d;

	ASSERT_OK(parse_card(items, &card, &d));
	expect_nodes(&card, want);
	vsnd_xl_card_clear(&card);
}

TEST(keys_are_case_sensitive)
{
	static const char *const items[] = { "PCM, Name=analog", NULL };
	struct vsnd_xl_card card;
	struct vsnd_xl_diag d;

	ASSERT_ERR(parse_card(items, &card, &d), EINVAL);
	ASSERT_TRUE(strstr(d.error, "Name=analog") != NULL);
	vsnd_xl_card_clear(&card);
}

TEST(numbers_read_like_strtoul)
{
	static const char *const items[] = {
		"CARD, channels-min=0x2, channels-max=010, buffer-size=65536B, "
		"sample-rates=48000; 44100;;0x5622",
		"STREAM, type=c, channels-max=-1",
		NULL,
	};
	static const char *const want[] = {
		"sample-rates", "48000,44100,22050",
		"channels-min", "2",
		"channels-max", "8",
		"buffer-size", "65536",
		"0/0/type", "c",
		"0/0/channels-max", "4294967295",
		NULL,
	};
	struct vsnd_xl_card card;
	struct vsnd_xl_diag d;

	ASSERT_OK(parse_card(items, &card, &d));
	expect_nodes(&card, want);
	/* 0x2, 010, 65536B, 0x5622 and -1 each earn a warning. */
	ASSERT_EQ(d.n_warnings, 5);
	ASSERT_TRUE(strstr(d.warnings[1], "octal") != NULL);
	vsnd_xl_card_clear(&card);
}

TEST(formats_take_libxl_names)
{
	static const char *const ok[] = { "CARD, sample-formats=F32_LE;s24_le;f64_be", NULL };
	static const char *const sndif[] = { "CARD, sample-formats=float_le", NULL };
	static const char *const bad[] = { "CARD, sample-formats=s16_le; s32_le", NULL };
	static const char *const want[] = { "sample-formats", "f32_le,s24_le,f64_be", NULL };
	struct vsnd_xl_card card;
	struct vsnd_xl_diag d;

	ASSERT_OK(parse_card(ok, &card, &d));
	expect_nodes(&card, want);
	vsnd_xl_card_clear(&card);
	/* xl rejects the sndif spelling of floats (protocol.md 6.2). */
	ASSERT_ERR(parse_card(sndif, &card, &d), EINVAL);
	ASSERT_TRUE(strstr(d.error, "f32_le") != NULL);
	vsnd_xl_card_clear(&card);
	/* Entries are not trimmed: " s32_le" is no format. */
	ASSERT_ERR(parse_card(bad, &card, &d), EINVAL);
	vsnd_xl_card_clear(&card);
}

TEST(stream_before_pcm_and_missing_type)
{
	static const char *const items[] = { "STREAM, unique-id=a", "STREAM", NULL };
	static const char *const want[] = { "0/0/unique-id", "a", NULL };
	struct vsnd_xl_card card;
	struct vsnd_xl_diag d;

	ASSERT_OK(parse_card(items, &card, &d));
	ASSERT_EQ(card.n_pcms, 1);
	ASSERT_EQ(card.pcms[0].n_streams, 2);
	/* No type: libxl writes no type node (and Linux fails the card). */
	expect_nodes(&card, want);
	vsnd_xl_card_clear(&card);
}

TEST(what_xl_refuses)
{
	static const char *const cases[][2] = {
		{ "STREAM, id=0, type=p", "unique-id" },	/* the man page's example */
		{ "STREAM, type=x", "stream type" },
		{ "CARD, name=x", "invalid parameter" },
		{ "SPEAKER, a=b", "invalid item" },
		{ "CARD, sample-rates=", "empty list" },
		{ "CARD, sample-formats=;;", "empty list" },
		{ "card , short-name=x", "invalid item" },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *items[] = { cases[i][0], NULL };
		struct vsnd_xl_card card;
		struct vsnd_xl_diag d;

		ASSERT_ERR(parse_card(items, &card, &d), EINVAL);
		if (!strstr(d.error, cases[i][1]))
			vtest_fail(__FILE__, __LINE__, "%s: \"%s\" lacks \"%s\"", cases[i][0],
				   d.error, cases[i][1]);
		vsnd_xl_card_clear(&card);
	}
}

TEST(more_than_eight_streams_are_all_written)
{
	char item[32];
	struct vsnd_xl_card card;
	struct vsnd_xl_diag d;
	static struct nodes ns;

	memset(&card, 0, sizeof(card));
	memset(&d, 0, sizeof(d));
	for (int i = 0; i < 10; i++) {
		snprintf(item, sizeof(item), "STREAM, unique-id=s%d, type=p", i);
		ASSERT_OK(vsnd_xl_parse_item(&card, item, &d));
	}
	memset(&ns, 0, sizeof(ns));
	ASSERT_OK(vsnd_xl_card_nodes(&card, collect, &ns));
	ASSERT_EQ(ns.n, 20);
	ASSERT_STREQ(ns.path[19], "0/9/type");
	vsnd_xl_card_clear(&card);
}

TEST(file_syntax)
{
	struct vsnd_xl_diag d;
	struct vsnd_xl_config *cfg;
	const char *text =
		"# a comment\n"
		"name = 'g' ; memory = 512\n"
		"vsnd = [ # cards\n"
		"  [ \"PCM, name=a\\tb\", 'STREAM, type=p', ],\n"
		"  [ 'STREAM, type=c' ],\n"
		"]\n";

	cfg = parse_file(text, &d);
	ASSERT_EQ(cfg->n_cards, 2);
	ASSERT_STREQ(cfg->cards[0].pcms[0].name, "a\tb");
	ASSERT_EQ(cfg->cards[1].pcms[0].streams[0].type, VSND_XL_STREAM_C);
	vsnd_xl_config_free(cfg);
}

TEST(file_errors_name_the_place)
{
	static const char *const cases[][2] = {
		{ "name = 'g'\n", "no vsnd" },
		{ "vsnd = [ [ 'PCM' ]\n", "line 2" },
		{ "vsnd = [ 'PCM' ]\n", "list of strings" },
		{ "vsnd = [ [ 'PCM', 5 ] ]\n", "must be a string" },
		{ "vsnd = [ [ 'PCM ] ]\n", "unterminated" },
		{ "vsnd += [ [ 'PCM' ] ]\n", "+=" },
		{ "vsnd = [ [ 'PCM' ] ]\nvsnd = [ ]\n", "twice" },
		{ "x = [[[[[[[[[[[[ 1 ]]]]]]]]]]]]\nvsnd = []\n", "nested" },
		{ "vsnd = [ [ 'PCM' ] ] junk\n", "end of the setting" },
		{ "vsnd = [ [ 'PCM, name=\\q' ] ]\n", "escape" },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vsnd_xl_config *cfg = NULL;
		struct vsnd_xl_diag d;
		int r = vsnd_xl_parse_file(cases[i][0], strlen(cases[i][0]), &cfg, &d);

		ASSERT_LT(r, 0);
		ASSERT_NULL(cfg);
		if (!strstr(d.error, cases[i][1]))
			vtest_fail(__FILE__, __LINE__, "case %u: \"%s\" lacks \"%s\"", i, d.error,
				   cases[i][1]);
	}
}

TEST(value_only)
{
	struct vsnd_xl_config *cfg = NULL;
	struct vsnd_xl_diag d;
	const char *v = "[ [ 'CARD, short-name=a', 'PCM', 'STREAM, type=p' ] ]";

	ASSERT_OK(vsnd_xl_parse_value(v, strlen(v), &cfg, &d));
	ASSERT_STREQ(cfg->cards[0].short_name, "a");
	vsnd_xl_config_free(cfg);
	ASSERT_ERR(vsnd_xl_parse_value("[ ] x", 5, &cfg, &d), EINVAL);
}

TEST(nul_in_a_string_is_refused)
{
	/* Found by fuzz-xlcfg: a NUL inside a quoted string used to cut the
	 * value short silently ("short-name=\0XenSnd" became "short-name="). */
	static const char text[] = "vsnd = [ [ 'CARD, short-name=\0XenSnd' ] ]\n";
	struct vsnd_xl_config *cfg = NULL;
	struct vsnd_xl_diag d;

	ASSERT_ERR(vsnd_xl_parse_file(text, sizeof(text) - 1, &cfg, &d), EINVAL);
	ASSERT_TRUE(strstr(d.error, "NUL") != NULL);
	ASSERT_NULL(cfg);
}

TEST(empty_values_are_written_empty)
{
	static const char *const items[] = { "CARD, short-name=", "PCM, name=", NULL };
	static const char *const want[] = { "short-name", "", "0/name", "", NULL };
	struct vsnd_xl_card card;
	struct vsnd_xl_diag d;

	ASSERT_OK(parse_card(items, &card, &d));
	expect_nodes(&card, want);
	vsnd_xl_card_clear(&card);
}
