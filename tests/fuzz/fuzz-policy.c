// SPDX-License-Identifier: MIT
/*
 * fuzz-policy.c - the dom0 policy parser (backend/config.c over libinih,
 * backend/policy.c): any text as the content of one file. Invariants:
 * every error text names the file and is terminated; a text that parses
 * without errors says so; lookups of a few keys derived from the input
 * never fail, their settings stay within the documented bounds, and a
 * `sink` found is a template that expands.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static void check_settings(const struct sndbe_policy_settings *s)
{
	char spec[SNDBE_POLICY_SPEC_MAX];

	if (s->sink && sndbe_dev_expand_spec(s->sink, 1, 2, 3, spec, sizeof(spec)) < 0)
		abort();
	if (s->capture > SNDBE_CAPTURE_SILENCE || s->max_streams > 792 || s->max_channels > 64 ||
	    s->max_buffer_bytes > 16u * 1024u * 1024u)
		abort();
	if (s->has_max_volume && (s->max_volume_mdb > 0 || s->max_volume_mdb < -120000))
		abort();
	if (s->has_rates && s->rates.n > VSND_MAX_RATES)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "android", "7", "a", NULL };
	static const char *const uids[] = { "mic-0", "x", NULL };
	struct sndbe_policy *p = NULL;
	unsigned int n;
	int r;

	if (sndbe_policy_new(&p) < 0)
		return 0;
	r = sndbe_policy_parse_text(p, "f.conf", (const char *)data, size);
	n = sndbe_policy_n_errors(p);
	if ((r == 0) != (n == 0) || (r < 0 && r != -EINVAL && r != -ENOMEM))
		abort();
	for (unsigned int i = 0; i < n && i < SNDBE_POLICY_ERRORS_MAX; i++) {
		const char *e = sndbe_policy_error(p, i);

		if (!e || strncmp(e, "f.conf:", 7) != 0 || strlen(e) >= SNDBE_POLICY_ERROR_SZ)
			abort();
	}
	for (unsigned int d = 0; d < 3; d++) {
		for (int pcm = -1; pcm < 2; pcm++) {
			struct sndbe_policy_key k = { d * 7, names[d], d % 2, pcm, pcm, uids[d % 3] };
			struct sndbe_policy_settings s;

			sndbe_policy_lookup(p, &k, &s);
			check_settings(&s);
		}
	}
	sndbe_policy_free(p);
	return 0;
}
