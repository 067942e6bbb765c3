// SPDX-License-Identifier: MIT
/*
 * The XenStore configuration model against the Linux frontend's rules: the
 * protocol.md 5.3 example must give exactly the ALSA view described there,
 * inheritance replaces instead of intersecting, unrecognised entries are
 * dropped the Linux way, index scans stop at the first gap and at the caps,
 * and strict mode names path, value and reason. Formatting and validation
 * are in test-xscfg-format.c.
 */
#include "xscfg-fixture.h"

TEST(example_gives_the_documented_alsa_view)
{
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(example, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	check_example(cfg);
	ASSERT_EQ(cfg->warnings.n, 0);
	cfg = vsnd_xscfg_free(cfg);

	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	check_example(cfg);
	dump_warnings(&cfg->warnings);
	ASSERT_EQ(cfg->warnings.n, 0);
	ASSERT_OK(vsnd_xscfg_validate(cfg, NULL, NULL));
	ASSERT_NULL(vsnd_xscfg_free(cfg));
}

TEST(inheritance_replaces_never_intersects)
{
	static const char *const nodes[] = {
		"sample-rates=44100,48000", "sample-formats=s16_le", "channels-max=2",
		"buffer-size=65536", "0/sample-formats=u8", "0/0/type=p",
		"0/0/sample-rates=8000", "0/0/channels-max=6", "0/0/buffer-size=131072",
		"0/1/type=c", NULL,
	};
	struct vsnd_xscfg *cfg = NULL;
	struct vsnd_stream_limits l;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	/* Intersecting would leave no rate at all, and 2 channels. */
	EXPECT(cfg, 0, 0, 0, BIT(U8), 1, 6, 131072, 1, { 8000 });
	EXPECT(cfg, 0, 1, 0, BIT(U8), 1, 2, 65536, 2, { 44100, 48000 });
	EXPECT(cfg, -1, -1, 0, BIT(S16_LE), 1, 2, 65536, 2, { 44100, 48000 });
	EXPECT(cfg, 0, -1, 0, BIT(U8));
	ASSERT_ERR(vsnd_xscfg_limits(cfg, 0, 2, 0, &l), ENOENT);
	ASSERT_ERR(vsnd_xscfg_limits(cfg, 1, -1, 0, &l), ENOENT);
	ASSERT_ERR(vsnd_xscfg_limits(cfg, -1, 0, 0, &l), ENOENT);
	vsnd_xscfg_free(cfg);
}

TEST(defaults_without_any_setting)
{
	static const char *const nodes[] = { "0/0/type=p", NULL };
	struct vsnd_stream_limits l, d;
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	l = limits(cfg, 0, 0, 0);
	vsnd_stream_limits_linux_default(&d);
	assert_same_limits(&l, &d);
	EXPECT(cfg, 0, 0, 0, DEFAULT_FORMATS, 1, 2, 65536, DEFAULT_RATES);
	ASSERT_NULL(cfg->pcms[0]->name);
	ASSERT_NULL(cfg->pcms[0]->streams[0].unique_id);
	vsnd_xscfg_free(cfg);
}

TEST(unrecognised_rates_dropped_the_linux_way)
{
	static const char *const nodes[] = {
		"sample-rates=24000,48000,abc, 44100,044100,5512", "0/sample-rates=24000,88200",
		"0/0/type=p", "1/0/type=p", "1/0/sample-rates=", NULL,
	};
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	dump_warnings(&cfg->warnings);
	EXPECT(cfg, -1, -1, 0, .n_rates = 2, .rates = { 5512, 48000 });
	/* None recognised at the device or stream: the card's set stays. */
	EXPECT(cfg, 0, 0, 0, .n_rates = 2, .rates = { 5512, 48000 });
	EXPECT(cfg, 1, 0, 0, .n_rates = 2, .rates = { 5512, 48000 });
	ASSERT_EQ(cfg->pcms[0]->params.n_rates, 0);
	ASSERT_TRUE(warned(&cfg->warnings, "sample-rates", "\"24000\""));
	ASSERT_TRUE(warned(&cfg->warnings, "sample-rates", "\" 44100\""));
	ASSERT_TRUE(warned(&cfg->warnings, "0/sample-rates", "keeps the inherited rates"));
	vsnd_xscfg_free(cfg);
	/* Strict: a leading space is an error. */
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, NULL), EINVAL);
}

TEST(unrecognised_rate_is_a_strict_warning)
{
	static const char *const nodes[] = {
		"sample-rates=24000,48000", "0/0/type=p", "0/0/sample-rates=88200", NULL,
	};
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	dump_warnings(&cfg->warnings);
	ASSERT_TRUE(warned(&cfg->warnings, "sample-rates: \"24000,48000\"",
			   "does not recognise 24000"));
	ASSERT_TRUE(warned(&cfg->warnings, "0/0/sample-rates", "recognises none"));
	EXPECT(cfg, -1, -1, 0, .n_rates = 1, .rates = { 48000 });
	EXPECT(cfg, 0, 0, 0, .n_rates = 1, .rates = { 48000 });
	EXPECT(cfg, -1, -1, VSND_XSCFG_LIMITS_EXTENDED, .n_rates = 2, .rates = { 24000, 48000 });
	EXPECT(cfg, 0, 0, VSND_XSCFG_LIMITS_EXTENDED, .n_rates = 1, .rates = { 88200 });
	vsnd_xscfg_free(cfg);
}

TEST(float_spellings)
{
	static const char *const nodes[] = {
		"0/0/type=p", "0/0/sample-formats=f32_le", "0/1/type=p",
		"0/1/sample-formats=float_le", "0/2/type=p", "0/2/sample-formats=F64_BE,S16_LE",
		NULL,
	};
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_EQ(vsnd_format_from_name("f32_le", 6), XENSND_PCM_FORMAT_F32_LE);
	ASSERT_EQ(vsnd_format_from_name("float_le", 8), XENSND_PCM_FORMAT_F32_LE);
	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	/* Both spellings name F32_LE in the model... */
	ASSERT_EQ(cfg->pcms[0]->streams[0].params.formats[0], XENSND_PCM_FORMAT_F32_LE);
	ASSERT_EQ(cfg->pcms[0]->streams[1].params.formats[0], XENSND_PCM_FORMAT_F32_LE);
	ASSERT_EQ_U(cfg->pcms[0]->streams[0].params.formats_libxl, 1);
	ASSERT_EQ_U(cfg->pcms[0]->streams[1].params.formats_libxl, 0);
	EXPECT(cfg, 0, 0, VSND_XSCFG_LIMITS_EXTENDED, BIT(F32_LE));
	EXPECT(cfg, 0, 1, 0, BIT(F32_LE));
	/* ...but Linux knows only float_le: f32_le alone leaves the defaults. */
	EXPECT(cfg, 0, 0, 0, DEFAULT_FORMATS);
	ASSERT_TRUE(warned(&cfg->warnings, "0/0/sample-formats", "\"f32_le\""));
	EXPECT(cfg, 0, 2, 0, BIT(S16_LE));
	EXPECT(cfg, 0, 2, VSND_XSCFG_LIMITS_EXTENDED, BIT(S16_LE) | BIT(F64_BE));
	vsnd_xscfg_free(cfg);

	/* Strict accepts libxl's spelling, with a warning. */
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	ASSERT_TRUE(warned(&cfg->warnings, "0/0/sample-formats", "libxl's spelling"));
	ASSERT_TRUE(warned(&cfg->warnings, "0/0/sample-formats", "recognises none"));
	vsnd_xscfg_free(cfg);
}

TEST(case_insensitive_type_and_formats)
{
	static const char *const nodes[] = {
		"0/0/type=P", "0/1/type=C", "0/1/sample-formats=S16_LE,Float_Le,s24_LE", NULL,
	};
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	ASSERT_EQ(cfg->pcms[0]->streams[0].type, VSND_XSCFG_STREAM_PLAYBACK);
	ASSERT_EQ(cfg->pcms[0]->streams[1].type, VSND_XSCFG_STREAM_CAPTURE);
	EXPECT(cfg, 0, 1, 0, BIT(S16_LE) | BIT(F32_LE) | BIT(S24_LE));
	vsnd_xscfg_free(cfg);
}

TEST(missing_or_bad_type_fails_the_card)
{
	static const char *const missing[] = {
		"0/0/type=p", "0/1/unique-id=x", "0/1/sample-rates=48000", NULL,
	};
	static const char *const bad[][2] = {
		{ "0/0/type=x" }, { "0/0/type=pp" }, { "0/0/type=playback" },
		{ "0/0/type=" },  { "0/0/type= p" },
	};
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_ERR(load_parse(missing, VSND_XSCFG_MODE_LINUX, &cfg, &err), EINVAL);
	ASSERT_STREQ(err.msg, "0/1/type: is missing: Linux fails the whole card");
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, &err), EINVAL);
	ASSERT_CONTAINS(err.msg, "0/1/type");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_ERR(load_parse(bad[i], VSND_XSCFG_MODE_LINUX, &cfg, &err), EINVAL);
		ASSERT_CONTAINS(err.msg, "0/0/type: \"");
		ASSERT_CONTAINS(err.msg, "\": is not \"p\" or \"c\"");
	}
	ASSERT_NULL(cfg);
}

TEST(types_are_checked_before_any_stream_setting)
{
	/* Stream 0's bad value must not win over stream 1's missing type:
	 * Linux reads every type first. */
	static const char *const nodes[] = {
		"0/0/type=p", "0/0/channels-min=abc", "0/1/buffer-size=1", NULL,
	};
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_ERR(load_parse(nodes, VSND_XSCFG_MODE_STRICT, &cfg, &err), EINVAL);
	ASSERT_CONTAINS(err.msg, "0/1/type");
}

TEST(gaps_hide_the_rest)
{
	static const char *const nodes[] = {
		"0/0/type=p", "0/2/type=bogus", "2/0/type=p", "2/name=hidden", NULL,
	};
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	ASSERT_EQ(cfg->n_pcms, 1);
	ASSERT_EQ(cfg->pcms[0]->n_streams, 1);
	ASSERT_EQ(cfg->pcms[0]->n_ignored_streams + cfg->n_ignored_pcms, 0);
	vsnd_xscfg_free(cfg);
}

/* An Android-style card: 9 streams, in one device or spread over two. */
static void load_nine_streams(struct tree *t, unsigned int first_pcm_streams)
{
	char path[48];

	tree_reset(t);
	tree_add(t, "sample-rates", "48000");
	for (unsigned int i = 0; i < 9; i++) {
		unsigned int p = i < first_pcm_streams ? 0 : 1;
		unsigned int s = p ? i - first_pcm_streams : i;

		snprintf(path, sizeof(path), "%u/%u/type", p, s);
		tree_add(t, path, i % 3 == 2 ? "c" : "p");
		snprintf(path, sizeof(path), "%u/%u/unique-id", p, s);
		tree_add(t, path, i == 8 ? "last" : "s");
	}
}

TEST(ninth_stream_is_ignored_and_reported)
{
	struct vsnd_xscfg *cfg = NULL;
	unsigned int p, s;

	load_nine_streams(&t_in, 9);
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	ASSERT_EQ(cfg->pcms[0]->n_streams, 8);
	ASSERT_EQ(cfg->pcms[0]->n_ignored_streams, 1);
	ASSERT_TRUE(warned(&cfg->warnings, "0/8", "8 per device"));
	ASSERT_EQ(vsnd_xscfg_stream_count(cfg), 8);
	/* Streams 2 and 5 are capture: substreams count per direction. */
	ASSERT_EQ(vsnd_xscfg_substream(cfg, 0, 5), 1);
	ASSERT_EQ(vsnd_xscfg_substream(cfg, 0, 6), 4);
	ASSERT_EQ(vsnd_xscfg_pcm_substreams(cfg->pcms[0], VSND_XSCFG_STREAM_PLAYBACK), 6);
	vsnd_xscfg_free(cfg);

	/* Strict: a warning, not a failure; so are duplicate unique-ids. */
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	ASSERT_EQ(cfg->pcms[0]->n_ignored_streams, 1);
	ASSERT_TRUE(warned(&cfg->warnings, "0/8", NULL));
	ASSERT_TRUE(warned(&cfg->warnings, "0/1/unique-id", "0/0"));
	vsnd_xscfg_free(cfg);

	/* Spread over two devices every stream is seen. */
	load_nine_streams(&t_in, 5);
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	ASSERT_EQ(vsnd_xscfg_stream_count(cfg), 9);
	ASSERT_EQ(vsnd_xscfg_stream_index(cfg, 1, 3), 8);
	ASSERT_OK(vsnd_xscfg_stream_at(cfg, 5, &p, &s));
	ASSERT_TRUE(p == 1 && s == 0);
	ASSERT_STREQ(cfg->pcms[1]->streams[3].unique_id, "last");
	vsnd_xscfg_free(cfg);
}

TEST(pcm_cap_is_99)
{
	struct vsnd_xscfg *cfg = NULL;
	char path[48];

	tree_reset(&t_in);
	for (unsigned int p = 0; p < 101; p++) {
		snprintf(path, sizeof(path), "%u/0/type", p);
		tree_add(&t_in, path, "p");
	}
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	ASSERT_EQ(cfg->n_pcms, VSND_MAX_PCMS);
	ASSERT_EQ(cfg->n_ignored_pcms, 2);
	ASSERT_TRUE(warned(&cfg->warnings, "99", "2 more device"));
	ASSERT_EQ(vsnd_xscfg_stream_index(cfg, 98, 0), 98);
	vsnd_xscfg_free(cfg);
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	ASSERT_TRUE(warned(&cfg->warnings, "CONFIG_SND_DYNAMIC_MINORS", NULL));
	vsnd_xscfg_free(cfg);
}

TEST(zero_pcms_fails)
{
	static const char *const card_only[] = {
		"sample-rates=48000", "short-name=x", "1/0/type=p", NULL,
	};
	static const char *const none[] = { NULL };
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_ERR(load_parse(none, VSND_XSCFG_MODE_LINUX, &cfg, &err), ENODEV);
	ASSERT_CONTAINS(err.msg, "no PCM device");
	ASSERT_ERR(load_parse(card_only, VSND_XSCFG_MODE_STRICT, &cfg, &err), ENODEV);
	ASSERT_CONTAINS(err.msg, "0: is missing");
	ASSERT_NULL(cfg);
}

TEST(channels_min_above_max)
{
	static const char *const card[] = {
		"channels-min=4", "channels-max=2", "0/0/type=p", NULL,
	};
	static const char *const inherited[] = {
		"channels-min=2", "0/0/type=p", "0/0/channels-max=1", NULL,
	};
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	/* Linux lowers the minimum to the maximum after each level. */
	ASSERT_OK(load_parse(card, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	EXPECT(cfg, 0, 0, 0, .ch_min = 2, .ch_max = 2);
	vsnd_xscfg_free(cfg);
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, &err), EINVAL);
	ASSERT_STREQ(err.msg, "channels-min: \"4\": is above channels-max 2");

	ASSERT_OK(load_parse(inherited, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	EXPECT(cfg, 0, 0, 0, .ch_min = 1, .ch_max = 1);
	vsnd_xscfg_free(cfg);
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, &err), EINVAL);
	ASSERT_STREQ(err.msg, "0/0/channels-max: \"1\": is below the inherited channels-min 2");
}

TEST(zero_and_garbage_numbers_keep_the_parent)
{
	static const char *const nodes[] = {
		"channels-min=2", "channels-max=6", "buffer-size=32768", "0/0/type=p",
		"0/0/channels-min=0", "0/0/channels-max=-1", "0/0/buffer-size=x1", NULL,
	};
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	EXPECT(cfg, 0, 0, 0, .ch_min = 2, .ch_max = 6, .buffer = 32768);
	ASSERT_EQ_U(cfg->pcms[0]->streams[0].params.present, 0);
	ASSERT_TRUE(warned(&cfg->warnings, "0/0/channels-min: \"0\"", "ignores"));
	vsnd_xscfg_free(cfg);
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, &err), EINVAL);
	ASSERT_STREQ(err.msg, "0/0/channels-min: \"0\": is out of range 1..64");
}

TEST(linux_reads_numbers_like_sscanf)
{
	static const struct {
		const char *value;
		uint32_t channels; /* 0: ignored, the default 2 stays */
	} rows[] = {
		{ "2abc", 2 }, { " 3", 3 }, { "\t\n7 ", 7 }, { "-1", 0 }, { "+2", 0 },
		{ "", 0 }, { "abc", 0 }, { "4294967298", 2 }, { "18446744073709551617", 1 },
		{ "0x10", 0 }, { "010", 10 }, { "\xa0" "5", 5 },
	};
	struct vsnd_xscfg *cfg = NULL;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tree_reset(&t_in);
		tree_add(&t_in, "0/0/type", "p");
		tree_add(&t_in, "channels-max", rows[i].value);
		ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
		EXPECT(cfg, 0, 0, 0, .ch_max = rows[i].channels ? rows[i].channels : 2);
		cfg = vsnd_xscfg_free(cfg);
	}
}

/* Parse one node strictly (beside a valid stream); return the error. */
static const char *strict_error(const char *path, const char *value, size_t len)
{
	static struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	tree_reset(&t_in);
	tree_add(&t_in, "0/0/type", "p");
	if (strncmp(path, "0/1/", 4) == 0)
		tree_add(&t_in, "0/1/type", "c");
	tree_add_len(&t_in, path, value, len);
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, &err), EINVAL);
	ASSERT_NULL(cfg);
	return err.msg;
}

TEST(strict_rejects_malformed_values)
{
	/* An expectation with a ':' is the whole message, else a part of it. */
	static const struct {
		const char *path, *value, *expect;
	} rows[] = {
		{ "0/1/sample-rates", "44100,abc",
		  "0/1/sample-rates: \"44100,abc\": \"abc\" is not a decimal rate" },
		{ "channels-max", "2abc", "channels-max: \"2abc\": is not a decimal number" },
		{ "channels-max", "-1", "channels-max: \"-1\": has a sign" },
		{ "channels-min", " 2", "channels-min: \" 2\": has leading or trailing white space" },
		{ "channels-min", "2 ", "white space" },
		{ "channels-min", "", "channels-min: \"\": is empty" },
		{ "channels-min", "02", "has a leading zero" },
		{ "buffer-size", "4294967296", "does not fit 32 bits" },
		{ "buffer-size", "64", "buffer-size: \"64\": is out of range 128..16777216" },
		{ "buffer-size", "16777217", "out of range" },
		{ "channels-max", "65", "channels-max: \"65\": is out of range 1..64" },
		{ "sample-rates", "44100,,48000", "sample-rates: \"44100,,48000\": has an empty entry" },
		{ "sample-rates", "44100,", "has an empty entry" },
		{ "sample-rates", "", "sample-rates: \"\": is empty" },
		{ "sample-rates", "441000000000", "\"441000000000\" is longer than 11 characters" },
		{ "sample-rates", "0", "rate 0 is out of range 1..768000" },
		{ "sample-rates", "768001", "rate 768001 is out of range" },
		{ "sample-rates", "48000 ", "\"48000 \" has leading or trailing white space" },
		{ "sample-formats", "s16_le,foo", "\"foo\" is not a sample format" },
		{ "sample-formats", "s16_le_and_a_lot_more_text", "is longer than 24 characters" },
		{ "sample-formats", ",s16_le", "has an empty entry" },
		{ "short-name", "", "short-name: \"\": is empty" },
		{ "short-name", "0123456789abcdef0123456789abcdef", "is longer than 31 characters" },
		{ "long-name", "tab\there", "long-name: \"tab\\x09here\": contains a control character" },
		{ "0/0/unique-id", "", "0/0/unique-id: \"\": is empty" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *msg = strict_error(rows[i].path, rows[i].value, strlen(rows[i].value));

		if (strchr(rows[i].expect, ':'))
			ASSERT_STREQ(msg, rows[i].expect);
		else
			ASSERT_CONTAINS(msg, rows[i].expect);
	}
}

TEST(strict_rejects_huge_values)
{
	static char big[VSND_XSCFG_VALUE_MAX + 2];
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;
	const char *msg;

	memset(big, 'a', sizeof(big) - 1);
	/* 4 KiB name: fine for XenStore, far too long for a PCM name. */
	msg = strict_error("0/name", big, VSND_XSCFG_VALUE_MAX);
	ASSERT_CONTAINS(msg, "0/name: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
	ASSERT_CONTAINS(msg, "longer than 79 characters");
	/* Longer than XenStore allows: rejected in both modes. */
	msg = strict_error("0/0/unique-id", big, VSND_XSCFG_VALUE_MAX + 1);
	ASSERT_CONTAINS(msg, "longer than 4096 octets");
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, &err), EINVAL);
	ASSERT_CONTAINS(err.msg, "0/0/unique-id");
	/* A 4 KiB list of rates with one bad entry at its very end. */
	for (size_t i = 0; i < VSND_XSCFG_VALUE_MAX; i++)
		big[i] = i % 6 == 5 ? ',' : "48000"[i % 6];
	big[VSND_XSCFG_VALUE_MAX - 2] = 'x';
	msg = strict_error("sample-rates", big, VSND_XSCFG_VALUE_MAX - 1);
	ASSERT_CONTAINS(msg, "sample-rates: \"48000,48000,");
	ASSERT_CONTAINS(msg, "...\": \"48x\" is not a decimal rate");
	ASSERT_TRUE(strlen(msg) < VSND_XSCFG_MSG_MAX - 1);
}

TEST(strict_rejects_too_many_distinct_rates)
{
	char list[512] = "";
	size_t len = 0;

	for (unsigned int r = 1; r <= VSND_XSCFG_LIST_MAX + 1; r++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u", r > 1 ? "," : "",
					1000 * r);
	ASSERT_CONTAINS(strict_error("sample-rates", list, len), "more than 32 distinct entries");
}

TEST(nul_octets)
{
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	tree_reset(&t_in);
	tree_add_len(&t_in, "0/0/type", "p\0junk", 6);
	tree_add_len(&t_in, "0/name", "ab\0cd", 5);
	/* Linux stops at the NUL, like every C string function. */
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	ASSERT_STREQ(cfg->pcms[0]->name, "ab");
	vsnd_xscfg_free(cfg);
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, &err), EINVAL);
	ASSERT_STREQ(err.msg, "0/name: \"ab\\x00cd\": contains a NUL octet");
}

TEST(linux_cuts_the_pcm_name_at_79)
{
	char name[101];
	struct vsnd_xscfg *cfg = NULL;

	memset(name, 'n', 100);
	name[100] = '\0';
	tree_reset(&t_in);
	tree_add(&t_in, "0/0/type", "c");
	tree_add(&t_in, "0/name", name);
	tree_add(&t_in, "long-name", name);
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	ASSERT_EQ(strlen(cfg->pcms[0]->name), VSND_XSCFG_PCM_NAME_MAX);
	/* Linux never reads long-name; the model keeps it whole. */
	ASSERT_EQ(strlen(cfg->long_name), 100);
	ASSERT_TRUE(warned(&cfg->warnings, "0/name", "first 79"));
	vsnd_xscfg_free(cfg);
}

TEST(reader_errors_propagate)
{
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	tree_reset(&t_in);
	tree_add(&t_in, "0/0/type", "p");
	tree_fail(&t_in, "0/0/sample-formats", -EACCES);
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, &err), EACCES);
	ASSERT_STREQ(err.msg, "0/0/sample-formats: cannot be read: Permission denied");
	tree_fail(&t_in, "1", -EIO);
	ASSERT_ERR(parse(&t_in, VSND_XSCFG_MODE_STRICT, &cfg, &err), EIO);
	ASSERT_STREQ(err.msg, "1: cannot be read: Input/output error");
	ASSERT_NULL(cfg);
}
