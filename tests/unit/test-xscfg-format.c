// SPDX-License-Identifier: MIT
/*
 * Formatting and validating XenStore configuration models: nodes come out in
 * libxl's order, format -> parse round-trips, models built in code validate,
 * write errors stop the formatter, and error messages are escaped and
 * bounded.
 */
#include "xscfg-fixture.h"

TEST(format_writes_libxl_order)
{
	struct vsnd_xscfg *cfg = NULL;
	unsigned int k = 0;

	ASSERT_OK(load_parse(example, VSND_XSCFG_MODE_STRICT, &cfg, NULL));
	ASSERT_OK(format(cfg, &t_out, 0));
	/* Exactly protocol.md 5.3's FE nodes after backend, backend-id, state. */
	for (unsigned int i = 0; example[i]; i++) {
		const char *line = example[i], *eq = strchr(line, '=');
		char path[48];

		if (strstr(line, "backend") == line || strstr(line, "state=") == line ||
		    strstr(line, "ring-ref") || strstr(line, "event-channel"))
			continue;
		snprintf(path, sizeof(path), "%.*s", (int)(eq - line), line);
		ASSERT_LT(k, t_out.n);
		ASSERT_STREQ(t_out.nodes[k].path, path);
		ASSERT_STREQ(t_out.pool + t_out.nodes[k++].off, eq + 1);
	}
	ASSERT_EQ(k, t_out.n);
	vsnd_xscfg_free(cfg);
}

TEST(format_parse_round_trip)
{
	static const char *const nodes[] = {
		"short-name=s", "sample-formats=S16_LE,f32_le,float_le,u8", "buffer-size=4096",
		"0/channels-min=1", "0/channels-max=8", "0/0/type=C", "0/0/sample-rates=96000,8000",
		"0/1/type=p", "0/1/unique-id=x", "1/name=", "1/0/type=c", "2/sample-rates=abc",
		NULL,
	};
	struct vsnd_xscfg *a = NULL, *b = NULL;
	struct vsnd_stream_limits la, lb;

	ASSERT_OK(load_parse(nodes, VSND_XSCFG_MODE_LINUX, &a, NULL));
	ASSERT_EQ(a->n_pcms, 3);
	ASSERT_OK(format(a, &t_out, 0));
	ASSERT_STREQ(tree_value(&t_out, "sample-formats"), "s16_le,f32_le,float_le,u8");
	ASSERT_STREQ(tree_value(&t_out, "0/0/sample-rates"), "96000,8000");
	ASSERT_STREQ(tree_value(&t_out, "0/0/type"), "c");
	ASSERT_STREQ(tree_value(&t_out, "1/name"), "");
	/* PCM 2 had only an ignored node: kept as a bare directory. */
	ASSERT_STREQ(tree_value(&t_out, "2"), "");
	ASSERT_OK(parse(&t_out, VSND_XSCFG_MODE_LINUX, &b, NULL));
	ASSERT_EQ(b->n_pcms, a->n_pcms);
	for (int p = 0; p < 3; p++)
		for (int s = -1; s < (int)a->pcms[p]->n_streams; s++)
			for (unsigned int f = 0; f <= VSND_XSCFG_LIMITS_EXTENDED; f++) {
				la = limits(a, p, s, f);
				lb = limits(b, p, s, f);
				assert_same_limits(&la, &lb);
			}
	/* Formatting the re-parsed model gives the very same nodes. */
	ASSERT_OK(format(b, &t_again, 0));
	ASSERT_EQ(t_again.n, t_out.n);
	for (unsigned int i = 0; i < t_out.n; i++) {
		ASSERT_STREQ(t_again.nodes[i].path, t_out.nodes[i].path);
		ASSERT_STREQ(t_again.pool + t_again.nodes[i].off, t_out.pool + t_out.nodes[i].off);
	}
	ASSERT_OK(format(b, &t_again, VSND_XSCFG_FORMAT_LIBXL_NAMES));
	ASSERT_STREQ(tree_value(&t_again, "sample-formats"), "s16_le,f32_le,u8");
	vsnd_xscfg_free(a);
	vsnd_xscfg_free(b);
}

TEST(build_validate_format)
{
	struct vsnd_xscfg_warnings w = { 0 };
	struct vsnd_xscfg_stream *st;
	struct vsnd_xscfg_pcm *pcm;
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(vsnd_xscfg_new(&cfg));
	ASSERT_ERR(vsnd_xscfg_validate(cfg, NULL, &err), EINVAL);
	ASSERT_CONTAINS(err.msg, "no PCM device");
	ASSERT_OK(vsnd_xscfg_set_string(&cfg->short_name, "card"));
	ASSERT_EQ(vsnd_xscfg_params_add_rate(&cfg->params, 48000), 1);
	ASSERT_EQ(vsnd_xscfg_params_add_rate(&cfg->params, 48000), 0);
	ASSERT_ERR(vsnd_xscfg_params_add_rate(&cfg->params, 0), EINVAL);
	ASSERT_EQ(vsnd_xscfg_params_add_format(&cfg->params, XENSND_PCM_FORMAT_F32_LE, true), 1);
	ASSERT_ERR(vsnd_xscfg_params_add_format(&cfg->params, XENSND_PCM_FORMAT_S16_LE, true),
		   EINVAL);
	ASSERT_ERR(vsnd_xscfg_params_add_format(&cfg->params, 25, false), EINVAL);
	ASSERT_EQ(vsnd_xscfg_add_pcm(cfg, &pcm), 0);
	ASSERT_OK(vsnd_xscfg_params_set(&pcm->params, VSND_XSCFG_FIELD_CHANNELS_MAX, 2));
	ASSERT_ERR(vsnd_xscfg_params_set(&pcm->params, VSND_XSCFG_FIELD_SAMPLE_RATES, 2), EINVAL);
	ASSERT_EQ(vsnd_xscfg_add_stream(pcm, VSND_XSCFG_STREAM_UNSET, &st), 0);
	ASSERT_ERR(vsnd_xscfg_substream(cfg, 0, 0), EINVAL);
	ASSERT_ERR(vsnd_xscfg_validate(cfg, NULL, &err), EINVAL);
	ASSERT_STREQ(err.msg, "0/0/type: is missing: Linux fails the whole card");
	st->type = VSND_XSCFG_STREAM_CAPTURE;
	ASSERT_OK(vsnd_xscfg_set_string(&st->unique_id, "mic"));
	ASSERT_EQ(vsnd_xscfg_add_pcm(cfg, NULL), 1);
	ASSERT_OK(vsnd_xscfg_validate(cfg, &w, NULL));
	ASSERT_TRUE(warned(&w, "1: has no streams", NULL));
	ASSERT_TRUE(warned(&w, "sample-formats: \"f32_le\"", "libxl's spelling"));
	for (unsigned int s = 1; s < VSND_MAX_STREAMS_PER_PCM; s++)
		ASSERT_EQ(vsnd_xscfg_add_stream(pcm, VSND_XSCFG_STREAM_PLAYBACK, NULL), (int)s);
	ASSERT_ERR(vsnd_xscfg_add_stream(pcm, VSND_XSCFG_STREAM_PLAYBACK, NULL), ENOSPC);
	ASSERT_ERR(vsnd_xscfg_add_stream(pcm, (enum vsnd_xscfg_stream_type)7, NULL), EINVAL);

	ASSERT_OK(format(cfg, &t_out, 0));
	ASSERT_STREQ(t_out.nodes[0].path, "short-name");
	ASSERT_STREQ(tree_value(&t_out, "sample-rates"), "48000");
	ASSERT_STREQ(tree_value(&t_out, "0/channels-max"), "2");
	ASSERT_STREQ(tree_value(&t_out, "0/0/unique-id"), "mic");
	ASSERT_STREQ(tree_value(&t_out, "0/0/type"), "c");
	ASSERT_STREQ(tree_value(&t_out, "0/7/type"), "p");
	/* libxl would write nothing for the empty PCM, and hide it. */
	ASSERT_STREQ(t_out.nodes[t_out.n - 1].path, "1");

	/* Bad counts are refused, not written. */
	pcm->params.n_rates = VSND_XSCFG_LIST_MAX + 1;
	pcm->params.present |= VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_RATES);
	ASSERT_ERR(format(cfg, &t_out, 0), EINVAL);
	ASSERT_ERR(vsnd_xscfg_validate(cfg, NULL, &err), EINVAL);
	ASSERT_STREQ(err.msg, "0/sample-rates: has more than 32 entries");
	vsnd_xscfg_free(cfg);

	ASSERT_OK(vsnd_xscfg_new(&cfg));
	for (unsigned int p = 0; p < VSND_MAX_PCMS; p++)
		ASSERT_EQ(vsnd_xscfg_add_pcm(cfg, NULL), (int)p);
	ASSERT_ERR(vsnd_xscfg_add_pcm(cfg, NULL), ENOSPC);
	ASSERT_NULL(vsnd_xscfg_free(cfg));
	ASSERT_NULL(vsnd_xscfg_free(NULL));
}

static int failing_write(void *ctx, const char *relpath, const char *value)
{
	unsigned int *left = ctx;

	(void)relpath;
	(void)value;
	if (*left == 0)
		return -EAGAIN;
	(*left)--;
	return 0;
}

TEST(format_stops_at_a_write_error)
{
	unsigned int left = 3;
	struct vsnd_xs_writer wr = { .write = failing_write, .ctx = &left };
	struct vsnd_xscfg_error err;
	struct vsnd_xscfg *cfg = NULL;

	ASSERT_OK(load_parse(example, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	ASSERT_ERR(vsnd_xscfg_format(cfg, &wr, 0, &err), EAGAIN);
	ASSERT_CONTAINS(err.msg, "sample-formats: \"s16_le,s32_le\": cannot be written");
	vsnd_xscfg_free(cfg);
}

TEST(messages_are_escaped_and_bounded)
{
	char buf[VSND_XSCFG_MSG_MAX], small[8], list[512] = "";
	struct vsnd_xscfg *cfg = NULL;
	size_t len = 0;

	ASSERT_EQ(vsnd_xscfg_quote(buf, sizeof(buf), "a\"b\\c\x01\xff", 7), 17);
	ASSERT_STREQ(buf, "\"a\\\"b\\\\c\\x01\\xff\"");
	ASSERT_EQ(vsnd_xscfg_quote(small, sizeof(small), "abcdefghij", 10), 7);
	ASSERT_STREQ(small, "\"abcdef");
	ASSERT_EQ(vsnd_xscfg_quote(buf, 0, "x", 1), 0);
	vsnd_xscfg_quote(buf, sizeof(buf), "0123456789012345678901234567890123456789xyz", 43);
	ASSERT_STREQ(buf, "\"0123456789012345678901234567890123456789...\"");

	/* 40 unknown formats: 41 warnings, 16 kept. */
	for (unsigned int i = 0; i < 40; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%sx%u", i ? "," : "", i);
	tree_reset(&t_in);
	tree_add(&t_in, "0/0/type", "p");
	tree_add(&t_in, "sample-formats", list);
	ASSERT_OK(parse(&t_in, VSND_XSCFG_MODE_LINUX, &cfg, NULL));
	ASSERT_EQ(cfg->warnings.n, VSND_XSCFG_WARN_MAX);
	ASSERT_EQ(cfg->warnings.lost, 41 - VSND_XSCFG_WARN_MAX);
	vsnd_xscfg_free(cfg);
}

TEST(helpers)
{
	char path[VSND_XSCFG_PATH_MAX];

	ASSERT_STREQ(vsnd_xscfg_field_name(VSND_XSCFG_FIELD_BUFFER_SIZE), "buffer-size");
	ASSERT_NULL(vsnd_xscfg_field_name(_VSND_XSCFG_FIELD_MAX));
	ASSERT_EQ(vsnd_xscfg_stream_type_from_string("P", 1), VSND_XSCFG_STREAM_PLAYBACK);
	ASSERT_EQ(vsnd_xscfg_stream_type_from_string("c", 1), VSND_XSCFG_STREAM_CAPTURE);
	ASSERT_ERR(vsnd_xscfg_stream_type_from_string("cc", 2), EINVAL);
	ASSERT_ERR(vsnd_xscfg_stream_type_from_string("", 0), EINVAL);
	ASSERT_TRUE(vsnd_xscfg_linux_rate(5512) && !vsnd_xscfg_linux_rate(24000));
	vsnd_xscfg_path(path, sizeof(path), 98, 7, "sample-formats");
	ASSERT_STREQ(path, "98/7/sample-formats");
	vsnd_xscfg_path(path, sizeof(path), 3, -1, NULL);
	ASSERT_STREQ(path, "3");
	vsnd_xscfg_path(path, sizeof(path), -1, -1, "long-name");
	ASSERT_STREQ(path, "long-name");
}
