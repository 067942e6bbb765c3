// SPDX-License-Identifier: MIT
/*
 * test-policy.c - the dom0 policy (backend/policy.h, config.c): good files
 * and what each lookup resolves to, every error with its FILE:LINE text,
 * the precedence of sections (stream > unique-id > pcm > card > domain >
 * defaults, id over name), conf.d's order and overrides, and the narrowing
 * of a stream's limits (an empty intersection refuses every OPEN and makes
 * every query infeasible).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "vsnd/format.h"
#include "vsnd/hwparams.h"
#include "vsnd/request.h"
#include "vsnd/wire.h"
#include "vtest.h"

static struct sndbe_policy *parse(const char *text, int expect)
{
	struct sndbe_policy *p = NULL;

	ASSERT_OK(sndbe_policy_new(&p));
	ASSERT_EQ(sndbe_policy_parse_text(p, "t.conf", text, strlen(text)), expect);
	return p;
}

/* @text has exactly one error, and it reads @want. */
static void one_error(const char *text, const char *want)
{
	struct sndbe_policy *p = parse(text, -EINVAL);

	ASSERT_EQ(sndbe_policy_n_errors(p), 1);
	ASSERT_STREQ(sndbe_policy_error(p, 0), want);
	sndbe_policy_free(p);
}

static void lookup(const struct sndbe_policy *p, uint32_t domid, const char *name, uint32_t card,
		   int pcm, int stream, const char *uid, struct sndbe_policy_settings *ret)
{
	struct sndbe_policy_key k = { domid, name, card, pcm, stream, uid };

	sndbe_policy_lookup(p, &k, ret);
}

static const char good[] =
	"# the policy of a test\n"
	"; both comment styles\n"
	"[defaults]\n"
	"capture = deny   ; an inline comment\n"
	"max-buffer-bytes = 65536\n"
	"\n"
	"  [domain:android]\n"
	"\tsink = file:/srv/%u-%u-%u.wav\r\n"
	"rates = 44100,48000,8000\n"
	"max-volume-mdb = -6000 # another\n"
	"[domain:android/0]\n"
	"max-streams = 4\n"
	"[domain:android/0/1]\n"
	"max-channels = 2\n"
	"[domain:android/0/1/0]\n"
	"rates = 8000-16000\n"
	"[domain:android/uid:mic-0]\n"
	"capture = silence\n"
	"[domain:7]\n"
	"sink = alsa:hw:1,0\n"
	"[domain:empty]\n";

TEST(good_file_resolves_each_key)
{
	struct sndbe_policy *p = parse(good, 0);
	struct sndbe_policy_settings s;

	ASSERT_EQ(sndbe_policy_n_errors(p), 0);
	ASSERT_EQ(sndbe_policy_n_sections(p), 8);
	ASSERT_TRUE(sndbe_policy_uses_names(p));

	/* Another domain: [defaults] only. */
	lookup(p, 3, "other", 0, 0, 0, NULL, &s);
	ASSERT_NULL(s.sink);
	ASSERT_EQ(s.capture, SNDBE_CAPTURE_DENY);
	ASSERT_EQ(s.max_buffer_bytes, 65536);
	ASSERT_FALSE(s.has_rates);
	ASSERT_FALSE(s.has_max_volume);
	ASSERT_EQ(s.max_streams, 0);

	/* android, card 0, pcm 1, stream 0, uid mic-0: every level at once. */
	lookup(p, 9, "android", 0, 1, 0, "mic-0", &s);
	ASSERT_STREQ(s.sink, "file:/srv/%u-%u-%u.wav");
	ASSERT_EQ(s.capture, SNDBE_CAPTURE_SILENCE);
	ASSERT_EQ(s.max_streams, 4);
	ASSERT_EQ(s.max_channels, 2);
	ASSERT_TRUE(s.has_rates);
	ASSERT_EQ(s.rates.n, 0); /* the stream's range beats the domain's list */
	ASSERT_EQ(s.rates.min, 8000);
	ASSERT_EQ(s.rates.max, 16000);
	ASSERT_TRUE(s.has_max_volume);
	ASSERT_EQ(s.max_volume_mdb, -6000);

	/* android, pcm 0: the domain's list, sorted. */
	lookup(p, 9, "android", 0, 0, 0, NULL, &s);
	ASSERT_EQ(s.rates.n, 3);
	ASSERT_EQ(s.rates.rates[0], 8000);
	ASSERT_EQ(s.rates.rates[2], 48000);
	ASSERT_EQ(s.max_channels, 0);
	ASSERT_EQ(s.capture, SNDBE_CAPTURE_DENY);

	/* Card 1 of android: no card section. */
	lookup(p, 9, "android", 1, -1, -1, NULL, &s);
	ASSERT_EQ(s.max_streams, 0);
	/* A name is only known from dom0: unknown, only ids match. */
	lookup(p, 7, NULL, 0, 0, 0, "mic-0", &s);
	ASSERT_STREQ(s.sink, "alsa:hw:1,0");
	ASSERT_EQ(s.capture, SNDBE_CAPTURE_DENY);
	sndbe_policy_free(p);
}

TEST(precedence_stream_uid_pcm_card_domain_defaults)
{
	static const char text[] = "[defaults]\nmax-channels = 1\n"
				   "[domain:g]\nmax-channels = 2\n"
				   "[domain:g/0]\nmax-channels = 3\n"
				   "[domain:g/0/0]\nmax-channels = 4\n"
				   "[domain:g/uid:u]\nmax-channels = 5\n"
				   "[domain:g/0/0/0]\nmax-channels = 6\n";
	struct sndbe_policy *p = parse(text, 0);
	struct sndbe_policy_settings s;

	lookup(p, 1, "g", 0, 0, 0, "u", &s);
	ASSERT_EQ(s.max_channels, 6);
	lookup(p, 1, "g", 0, 0, 1, "u", &s);
	ASSERT_EQ(s.max_channels, 5);
	lookup(p, 1, "g", 0, 0, 1, "v", &s);
	ASSERT_EQ(s.max_channels, 4);
	lookup(p, 1, "g", 0, 1, 0, NULL, &s);
	ASSERT_EQ(s.max_channels, 3);
	lookup(p, 1, "g", 1, 0, 0, NULL, &s);
	ASSERT_EQ(s.max_channels, 2);
	lookup(p, 1, "h", 0, 0, 0, "u", &s);
	ASSERT_EQ(s.max_channels, 1);
	/* A whole card: nothing below the card level applies. */
	lookup(p, 1, "g", 0, -1, -1, "u", &s);
	ASSERT_EQ(s.max_channels, 3);
	sndbe_policy_free(p);
}

TEST(an_id_beats_a_name_at_the_same_level_only)
{
	static const char text[] = "[domain:7]\nmax-channels = 2\n"
				   "[domain:android]\nmax-channels = 4\n"
				   "[domain:android/0]\nmax-buffer-bytes = 4096\n"
				   "[domain:7/0]\nmax-buffer-bytes = 8192\n"
				   "[domain:android/0/0]\nmax-channels = 6\n";
	struct sndbe_policy *p = parse(text, 0);
	struct sndbe_policy_settings s;

	lookup(p, 7, "android", 0, 1, 0, NULL, &s);
	ASSERT_EQ(s.max_channels, 2);
	ASSERT_EQ(s.max_buffer_bytes, 8192);
	/* A more specific name section beats a domain-wide id section. */
	lookup(p, 7, "android", 0, 0, 0, NULL, &s);
	ASSERT_EQ(s.max_channels, 6);
	lookup(p, 8, "android", 0, 1, 0, NULL, &s);
	ASSERT_EQ(s.max_channels, 4);
	ASSERT_EQ(s.max_buffer_bytes, 4096);
	sndbe_policy_free(p);
}

TEST(every_error_says_file_line_value_and_reason)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "[bogus]\n", "t.conf:1: [bogus]: unknown section: expected [defaults] or [domain:...]" },
		{ "\n[domain:]\n", "t.conf:2: [domain:]: the domain name or id is missing" },
		{ "[domain:0123]\n", "t.conf:1: [domain:0123]: a domain id is a decimal from 0 to 32751 without leading zeros" },
		{ "[domain:32752]\n", "t.conf:1: [domain:32752]: a domain id is a decimal from 0 to 32751 without leading zeros" },
		{ "[domain:a b]\n", "t.conf:1: [domain:a b]: a domain name is printable ASCII without blanks or '/'" },
		{ "[domain:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n", "t.conf:1: [domain:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]: a domain name has at most 63 characters" },
		{ "[domain:a/x]\n", "t.conf:1: [domain:a/x]: a card (device id) is a decimal without leading zeros" },
		{ "[domain:a/0/99]\n", "t.conf:1: [domain:a/0/99]: a pcm is a decimal from 0 to 98 without leading zeros" },
		{ "[domain:a/0/0/8]\n", "t.conf:1: [domain:a/0/0/8]: a stream is a decimal from 0 to 7 without leading zeros" },
		{ "[domain:a/0/0/0/0]\n", "t.conf:1: [domain:a/0/0/0/0]: more than domain/card/pcm/stream" },
		{ "[domain:a/uid:]\n", "t.conf:1: [domain:a/uid:]: the unique-id after \"uid:\" is missing" },
		{ "[domain:a/uid:x y]\n", "t.conf:1: [domain:a/uid:x y]: a unique-id is printable ASCII without blanks" },
		{ "[defaults\n", "t.conf:1: [defaults: a section header ends with ']'" },
		{ "[defaults] x\n", "t.conf:1: [defaults] x: text after the section header" },
		{ "sink = null\n", "t.conf:1: sink = null: a key outside of any section" },
		{ "[defaults]\nfoo = 1\n", "t.conf:2: unknown key \"foo\" in [defaults]" },
		{ "[defaults]\njunk\n", "t.conf:2: junk: expected [SECTION] or KEY = VALUE" },
		{ "[defaults]\nsink: null\n", "t.conf:2: sink: null: expected [SECTION] or KEY = VALUE" },
		{ "[defaults]\n= 1\n", "t.conf:2: = 1: expected [SECTION] or KEY = VALUE" },
		{ "[defaults]\nsink =\n", "t.conf:2: sink = : the value is empty" },
		{ "[defaults]\nsink = foo\n", "t.conf:2: sink = foo: expected null, null:unpaced, file:PATH or alsa:PCM" },
		{ "[defaults]\nsink = file:\n", "t.conf:2: sink = file:: expected null, null:unpaced, file:PATH or alsa:PCM" },
		{ "[defaults]\nsink = file:/a%s\n", "t.conf:2: sink = file:/a%s: '%' may only start \"%u\" (at most three) or \"%%\"" },
		{ "[defaults]\nsink = null:%u%u%u%u\n", "t.conf:2: sink = null:%u%u%u%u: '%' may only start \"%u\" (at most three) or \"%%\"" },
		{ "[defaults]\ncapture = maybe\n", "t.conf:2: capture = maybe: expected allow, deny or silence" },
		{ "[defaults]\nmax-streams = 0\n", "t.conf:2: max-streams = 0: expected a number from 1 to 792" },
		{ "[defaults]\nmax-streams = 793\n", "t.conf:2: max-streams = 793: expected a number from 1 to 792" },
		{ "[domain:a/0/0]\nmax-streams = 2\n", "t.conf:2: max-streams = 2: max-streams counts a card's streams: only in [defaults], [domain:D] or [domain:D/CARD]" },
		{ "[defaults]\nmax-buffer-bytes = 127\n", "t.conf:2: max-buffer-bytes = 127: expected a number of bytes from 128 to 16777216" },
		{ "[defaults]\nmax-buffer-bytes = 0x100\n", "t.conf:2: max-buffer-bytes = 0x100: expected a number of bytes from 128 to 16777216" },
		{ "[defaults]\nmax-channels = 65\n", "t.conf:2: max-channels = 65: expected a number from 1 to 64" },
		{ "[defaults]\nmax-channels = +2\n", "t.conf:2: max-channels = +2: expected a number from 1 to 64" },
		{ "[defaults]\nmax-channels = 02\n", "t.conf:2: max-channels = 02: expected a number from 1 to 64" },
		{ "[defaults]\nmax-volume-mdb = 1\n", "t.conf:2: max-volume-mdb = 1: expected a gain in 0.001 dB from -120000 to 0" },
		{ "[defaults]\nmax-volume-mdb = -120001\n", "t.conf:2: max-volume-mdb = -120001: expected a gain in 0.001 dB from -120000 to 0" },
		{ "[defaults]\nmax-volume-mdb = -0\n", "t.conf:2: max-volume-mdb = -0: expected a gain in 0.001 dB from -120000 to 0" },
		{ "[defaults]\nrates = 48000-44100\n", "t.conf:2: rates = 48000-44100: a range is MIN-MAX, two rates from 1 to 768000 with MIN <= MAX" },
		{ "[defaults]\nrates = 0-48000\n", "t.conf:2: rates = 0-48000: a range is MIN-MAX, two rates from 1 to 768000 with MIN <= MAX" },
		{ "[defaults]\nrates = 44100,,48000\n", "t.conf:2: rates = 44100,,48000: expected MIN-MAX or a comma-separated list of rates from 1 to 768000" },
		{ "[defaults]\nrates = 44100, 48000\n", "t.conf:2: rates = 44100, 48000: expected MIN-MAX or a comma-separated list of rates from 1 to 768000" },
		{ "[defaults]\nrates = 768001\n", "t.conf:2: rates = 768001: expected MIN-MAX or a comma-separated list of rates from 1 to 768000" },
		{ "[defaults]\nrates = 8000,8000\n", "t.conf:2: rates = 8000,8000: a rate is listed twice" },
		{ "[defaults]\ncapture = deny\n[domain:a]\n[defaults]\ncapture = allow\n", "t.conf:5: capture = allow: already set in this section at line 2" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one_error(cases[i].text, cases[i].want);
}

TEST(bad_lines_nul_long_lines_and_many_errors)
{
	static const char nul[] = "[defaults]\ncapture = d\0ny\n";
	struct sndbe_policy *p = NULL;
	char line[400];
	char *text;

	ASSERT_OK(sndbe_policy_new(&p));
	ASSERT_ERR(sndbe_policy_parse_text(p, "n.conf", nul, sizeof(nul) - 1), EINVAL);
	ASSERT_STREQ(sndbe_policy_error(p, 0), "n.conf:2: a NUL byte in the line");
	sndbe_policy_free(p);

	memset(line, 'a', sizeof(line));
	memcpy(line, "[defaults]\nsink = file:/", 24);
	line[sizeof(line) - 1] = '\0';
	p = parse(line, -EINVAL);
	ASSERT_EQ(sndbe_policy_n_errors(p), 1);
	ASSERT_TRUE(strstr(sndbe_policy_error(p, 0), "t.conf:2: the line is longer than ") != NULL);
	sndbe_policy_free(p);

	/* 100 errors: 64 kept, every one counted. */
	text = calloc(100, 8);
	ASSERT_NOT_NULL(text);
	for (int i = 0; i < 100; i++)
		strcat(text, "[x]\n");
	p = parse(text, -EINVAL);
	ASSERT_EQ(sndbe_policy_n_errors(p), 100);
	ASSERT_STREQ(sndbe_policy_error(p, 63), "t.conf:64: [x]: unknown section: expected [defaults] or [domain:...]");
	ASSERT_NULL(sndbe_policy_error(p, 64));
	sndbe_policy_free(p);
	free(text);
}

TEST(a_bad_section_ignores_its_keys_and_the_next_one_counts)
{
	struct sndbe_policy *p = parse("[nope]\nsink = null\nfoo = 1\n[defaults]\nsink = null\n",
				       -EINVAL);
	struct sndbe_policy_settings s;

	ASSERT_EQ(sndbe_policy_n_errors(p), 1);
	lookup(p, 1, "a", 0, 0, 0, NULL, &s);
	ASSERT_STREQ(s.sink, "null");
	sndbe_policy_free(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ASSERT_NOT_NULL(f);
	ASSERT_EQ(fputs(text, f) >= 0, 1);
	ASSERT_OK(fclose(f));
}

TEST(conf_d_sorted_and_later_files_override)
{
	char dir[] = "/tmp/test-policy-XXXXXX", path[128], d[128];
	struct sndbe_policy *p = NULL;
	struct sndbe_policy_settings s;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vsndbe.conf", dir);
	snprintf(d, sizeof(d), "%s/conf.d", dir);
	ASSERT_OK(mkdir(d, 0700));
	write_file(path, "[domain:g]\nmax-channels = 1\nmax-buffer-bytes = 1024\n");
	/* Read as 10-, 9- (byte order: '1' < '9'), never the .bak or the dotfile. */
	snprintf(d, sizeof(d), "%s/conf.d/9-late.conf", dir);
	write_file(d, "[domain:g]\nmax-channels = 3\n");
	snprintf(d, sizeof(d), "%s/conf.d/10-early.conf", dir);
	write_file(d, "[domain:g]\nmax-channels = 2\ncapture = deny\n");
	snprintf(d, sizeof(d), "%s/conf.d/50-x.conf.bak", dir);
	write_file(d, "[bogus]\n");
	snprintf(d, sizeof(d), "%s/conf.d/.hidden.conf", dir);
	write_file(d, "[bogus]\n");

	ASSERT_OK(sndbe_policy_load(path, true, &p));
	lookup(p, 1, "g", 0, 0, 0, NULL, &s);
	ASSERT_EQ(s.max_channels, 3);
	ASSERT_EQ(s.max_buffer_bytes, 1024);
	ASSERT_EQ(s.capture, SNDBE_CAPTURE_DENY);
	sndbe_policy_free(p);

	/* An error in a drop-in names that file and its line. */
	snprintf(d, sizeof(d), "%s/conf.d/20-bad.conf", dir);
	write_file(d, "\n[domain:g]\nmax-channels = 100\n");
	ASSERT_ERR(sndbe_policy_load(path, true, &p), EINVAL);
	ASSERT_EQ(sndbe_policy_n_errors(p), 1);
	snprintf(path, sizeof(path), "%s/conf.d/20-bad.conf:3: max-channels = 100: expected a number from 1 to 64", dir);
	ASSERT_STREQ(sndbe_policy_error(p, 0), path);
	sndbe_policy_free(p);

	/* A missing main file: empty when optional, an error when named. */
	ASSERT_OK(unlink(d));
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	ASSERT_OK(sndbe_policy_load(path, false, &p));
	lookup(p, 1, "g", 0, 0, 0, NULL, &s);
	ASSERT_EQ(s.max_channels, 3); /* conf.d is still read */
	sndbe_policy_free(p);
	ASSERT_ERR(sndbe_policy_load(path, true, &p), EINVAL);
	ASSERT_TRUE(strstr(sndbe_policy_error(p, 0), "missing.conf: No such file or directory") != NULL);
	sndbe_policy_free(p);
	/* A directory is not a policy file. */
	ASSERT_ERR(sndbe_policy_load(dir, true, &p), EINVAL);
	sndbe_policy_free(p);

	for (const char *const *f = (const char *const[]){ "conf.d/9-late.conf",
		"conf.d/10-early.conf", "conf.d/50-x.conf.bak", "conf.d/.hidden.conf",
		"vsndbe.conf", "conf.d", NULL }; *f; f++) {
		snprintf(d, sizeof(d), "%s/%s", dir, *f);
		ASSERT_OK(remove(d));
	}
	ASSERT_OK(rmdir(dir));
}

TEST(narrowing_limits)
{
	struct vsnd_stream_limits lim;
	struct sndbe_policy_settings s = { .has_rates = true, .max_channels = 1,
					   .max_buffer_bytes = 4096 };

	vsnd_stream_limits_linux_default(&lim); /* 5512..48000, 1-2 ch, 64 KiB */
	ASSERT_OK(vsnd_rate_set_add(&s.rates, 44100));
	ASSERT_OK(vsnd_rate_set_add(&s.rates, 96000));
	sndbe_policy_narrow(&s, &lim);
	ASSERT_EQ(lim.rates.n, 1);
	ASSERT_EQ(lim.rates.rates[0], 44100);
	ASSERT_EQ(lim.channels_max, 1);
	ASSERT_EQ(lim.buffer_bytes_max, 4096);

	/* Range against range; then nothing in common. */
	vsnd_stream_limits_linux_default(&lim);
	memset(&s.rates, 0, sizeof(s.rates));
	ASSERT_OK(vsnd_rate_set_range(&s.rates, 32000, 96000));
	sndbe_policy_narrow(&s, &lim);
	ASSERT_EQ(lim.rates.n, 0);
	ASSERT_EQ(lim.rates.min, 32000);
	ASSERT_EQ(lim.rates.max, 48000);
	ASSERT_OK(vsnd_rate_set_range(&s.rates, 96000, 192000));
	sndbe_policy_narrow(&s, &lim);
	ASSERT_FALSE(vsnd_rate_set_contains(&lim.rates, 48000));
	ASSERT_FALSE(vsnd_rate_set_contains(&lim.rates, 96000));
}

/* An empty intersection: every OPEN refused, every query infeasible. */
TEST(empty_rates_refuse_open_and_query)
{
	struct vsnd_stream_limits lim;
	struct sndbe_policy_settings s = { .has_rates = true };
	struct vsnd_hw_caps caps;
	struct vsnd_hw_space req, ans;
	struct vsnd_stream_ctx ctx = { .dir = VSND_DIR_PLAYBACK, .lim = &lim };
	struct vsnd_req r = { .op = XENSND_OP_OPEN };

	vsnd_stream_limits_linux_default(&lim);
	ASSERT_OK(vsnd_rate_set_add(&s.rates, 96000));
	sndbe_policy_narrow(&s, &lim);
	vsnd_hw_caps_any(&caps);
	req.formats = ~UINT64_C(0);
	vsnd_interval_any(&req.rates);
	vsnd_interval_any(&req.channels);
	vsnd_interval_any(&req.buffer_frames);
	vsnd_interval_any(&req.period_frames);
	ASSERT_ERR(vsnd_hw_solve(&req, &lim, &caps, &ans), EINVAL);
	r.u.open = (struct vsnd_open_params){ .rate = 48000, .format = XENSND_PCM_FORMAT_S16_LE,
					      .channels = 2, .buffer_bytes = 4096,
					      .period_bytes = 1024, .frame_bytes = 4,
					      .buffer_frames = 1024, .period_frames = 256 };
	ASSERT_ERR(vsnd_req_validate(&r, &ctx), EINVAL);
}
