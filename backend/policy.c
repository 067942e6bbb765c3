// SPDX-License-Identifier: MIT
/*
 * policy.c - the dom0 policy model: sections (selector + keys), their
 * parsing from the text of a header or a "key = value" line, and the
 * lookup of a stream (policy.h). The values of each key are parsed in
 * policy-keys.c.
 *
 * Nothing here comes from a guest except the lookup key; the only
 * guest-chosen string, a unique-id, is compared with strcmp() and never
 * copied.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-int.h"
#include "policy.h"
#include "util.h"

int sndbe_policy_new(struct sndbe_policy **ret)
{
	_cleanup_free_ struct sndbe_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->errors = calloc(SNDBE_POLICY_ERRORS_MAX, sizeof(*p->errors));
	if (!p->errors)
		return -ENOMEM;
	p->cur = POLICY_NO_SECTION;
	*ret = TAKE_PTR(p);
	return 0;
}

struct sndbe_policy *sndbe_policy_free(struct sndbe_policy *p)
{
	if (!p)
		return NULL;
	for (unsigned int i = 0; i < p->n_rules; i++) {
		free(p->rules[i].sel.uid);
		free(p->rules[i].sink);
	}
	for (unsigned int i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->rules);
	free(p->files);
	free(p->errors);
	free(p);
	return NULL;
}

int sndbe_policy_begin_file(struct sndbe_policy *p, const char *file)
{
	char **v = reallocarray(p->files, p->n_files + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->files = v;
	v[p->n_files] = strdup(file);
	if (!v[p->n_files])
		return -ENOMEM;
	p->n_files++;
	p->cur = POLICY_NO_SECTION;
	return 0;
}

static const char *cur_file(const struct sndbe_policy *p)
{
	return p->n_files ? p->files[p->n_files - 1] : "(text)";
}

static void __attribute__((format(printf, 3, 0)))
error_v(struct sndbe_policy *p, unsigned int line, const char *fmt, va_list ap)
{
	char *e;
	int n;

	if (p->n_errors++ >= SNDBE_POLICY_ERRORS_MAX)
		return;
	e = p->errors[p->n_errors - 1];
	if (line)
		n = snprintf(e, SNDBE_POLICY_ERROR_SZ, "%s:%u: ", cur_file(p), line);
	else
		n = snprintf(e, SNDBE_POLICY_ERROR_SZ, "%s: ", cur_file(p));
	if (n < 0 || (size_t)n >= SNDBE_POLICY_ERROR_SZ)
		return;
	vsnprintf(e + n, SNDBE_POLICY_ERROR_SZ - (size_t)n, fmt, ap);
}

void sndbe_policy_error_at(struct sndbe_policy *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(p, line, fmt, ap);
	va_end(ap);
}

unsigned int sndbe_policy_n_errors(const struct sndbe_policy *p)
{
	return p->n_errors;
}

const char *sndbe_policy_error(const struct sndbe_policy *p, unsigned int i)
{
	if (i >= p->n_errors || i >= SNDBE_POLICY_ERRORS_MAX)
		return NULL;
	return p->errors[i];
}

bool sndbe_policy_uses_names(const struct sndbe_policy *p)
{
	for (unsigned int i = 0; p && i < p->n_rules; i++)
		if (p->rules[i].sel.level != POLICY_LV_DEFAULTS && !p->rules[i].sel.by_id)
			return true;
	return false;
}

unsigned int sndbe_policy_n_sections(const struct sndbe_policy *p)
{
	return p ? p->n_rules : 0;
}

/* ---- section headers ------------------------------------------------------ */

/* A canonical decimal of @len characters (no sign, no leading zero) <= @max. */
static bool parse_dec(const char *s, size_t len, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;

	if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*ret = (uint32_t)v;
	return true;
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 0;
}

/* Printable ASCII without blanks; '/' only when @slash. */
static bool plain_text(const char *s, size_t len, bool slash)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || (s[i] == '/' && !slash))
			return false;
	return true;
}

/* The domain part of "domain:D...": an id or a name. NULL or a reason. */
static const char *parse_domain(const char *s, size_t len, struct policy_sel *sel)
{
	if (all_digits(s, len)) {
		if (!parse_dec(s, len, POLICY_DOMID_MAX, &sel->domid))
			return "a domain id is a decimal from 0 to 32751 without leading zeros";
		sel->by_id = true;
		return NULL;
	}
	if (len == 0)
		return "the domain name or id is missing";
	if (len > SNDBE_POLICY_NAME_MAX)
		return "a domain name has at most 63 characters";
	if (!plain_text(s, len, false))
		return "a domain name is printable ASCII without blanks or '/'";
	memcpy(sel->name, s, len);
	sel->name[len] = '\0';
	return NULL;
}

/* "uid:ID" after the domain. NULL or a reason. */
static const char *parse_uid(const char *s, struct policy_sel *sel)
{
	size_t len = strlen(s);

	if (len == 0)
		return "the unique-id after \"uid:\" is missing";
	if (len > POLICY_UID_MAX)
		return "a unique-id has at most 255 characters";
	if (!plain_text(s, len, true))
		return "a unique-id is printable ASCII without blanks";
	sel->uid = strdup(s);
	if (!sel->uid)
		return "out of memory";
	sel->level = POLICY_LV_UID;
	return NULL;
}

/* The "/CARD[/PCM[/STREAM]]" or "/uid:ID" part. NULL or a reason. */
static const char *parse_path(const char *s, struct policy_sel *sel)
{
	static const uint32_t max[3] = { UINT32_MAX, POLICY_PCM_MAX, POLICY_STREAM_MAX };
	static const enum policy_level level[3] = { POLICY_LV_CARD, POLICY_LV_PCM,
						    POLICY_LV_STREAM };
	static const char *const what[3] = {
		"a card (device id) is a decimal without leading zeros",
		"a pcm is a decimal from 0 to 98 without leading zeros",
		"a stream is a decimal from 0 to 7 without leading zeros",
	};
	uint32_t *field[3] = { &sel->card, &sel->pcm, &sel->stream };
	unsigned int k = 0;

	if (strncmp(s, "uid:", 4) == 0)
		return parse_uid(s + 4, sel);
	for (;;) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);

		if (k == 3)
			return "more than domain/card/pcm/stream";
		if (!parse_dec(s, len, max[k], field[k]))
			return what[k];
		sel->level = level[k];
		k++;
		if (!slash)
			return NULL;
		s = slash + 1;
	}
}

static const char *parse_section(const char *name, struct policy_sel *sel)
{
	const char *s, *slash, *why;
	size_t len;

	memset(sel, 0, sizeof(*sel));
	if (strcmp(name, "defaults") == 0) {
		sel->level = POLICY_LV_DEFAULTS;
		return NULL;
	}
	if (strncmp(name, "domain:", 7) != 0)
		return "unknown section: expected [defaults] or [domain:...]";
	s = name + 7;
	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : strlen(s);
	sel->level = POLICY_LV_DOMAIN;
	why = parse_domain(s, len, sel);
	if (why)
		return why;
	return slash ? parse_path(slash + 1, sel) : NULL;
}

static bool sel_equal(const struct policy_sel *a, const struct policy_sel *b)
{
	if (a->level != b->level || a->by_id != b->by_id)
		return false;
	if (a->level == POLICY_LV_DEFAULTS)
		return true;
	if (a->by_id ? a->domid != b->domid : strcmp(a->name, b->name) != 0)
		return false;
	if (a->level == POLICY_LV_UID)
		return strcmp(a->uid, b->uid) == 0;
	return a->card == b->card && (a->level < POLICY_LV_PCM || a->pcm == b->pcm) &&
	       (a->level < POLICY_LV_STREAM || a->stream == b->stream);
}

int sndbe_policy_section(struct sndbe_policy *p, const char *name, unsigned int line)
{
	struct policy_sel sel;
	struct policy_rule *v;
	const char *why;

	snprintf(p->cur_name, sizeof(p->cur_name), "%s", name);
	why = parse_section(name, &sel);
	if (why) {
		free(sel.uid);
		sndbe_policy_error_at(p, line, "[%s]: %s", name, why);
		p->cur = POLICY_BAD_SECTION;
		return -EINVAL;
	}
	for (unsigned int i = 0; i < p->n_rules; i++) {
		if (sel_equal(&p->rules[i].sel, &sel)) {
			free(sel.uid);
			p->cur = (int)i;
			return 0;
		}
	}
	v = reallocarray(p->rules, p->n_rules + 1, sizeof(*v));
	if (!v) {
		free(sel.uid);
		return -ENOMEM;
	}
	p->rules = v;
	memset(&v[p->n_rules], 0, sizeof(v[0]));
	v[p->n_rules].sel = sel;
	p->cur = (int)p->n_rules++;
	return 0;
}

int sndbe_policy_set(struct sndbe_policy *p, const char *key, const char *value,
		     unsigned int line)
{
	struct policy_rule *rule;
	const char *why = NULL;
	int k;

	if (p->cur == POLICY_BAD_SECTION)
		return -EINVAL; /* said once, at its header */
	if (p->cur == POLICY_NO_SECTION) {
		sndbe_policy_error_at(p, line, "%s = %s: a key outside of any section", key,
				      value);
		return -EINVAL;
	}
	rule = &p->rules[p->cur];
	k = policy_key_from_name(key);
	if (k < 0) {
		sndbe_policy_error_at(p, line, "unknown key \"%s\" in [%s]", key, p->cur_name);
		return -EINVAL;
	}
	if ((rule->set & (1u << k)) && rule->file[k] == p->n_files) {
		sndbe_policy_error_at(p, line, "%s = %s: already set in this section at line %u",
				      key, value, rule->line[k]);
		return -EINVAL;
	}
	k = policy_key_parse(rule, k, value, &why);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		sndbe_policy_error_at(p, line, "%s = %s: %s", key, value, why);
		return -EINVAL;
	}
	rule->set |= 1u << k;
	rule->file[k] = p->n_files;
	rule->line[k] = line;
	return 0;
}

/* ---- lookup ------------------------------------------------------------------ */

static bool rule_matches(const struct policy_sel *s, const struct sndbe_policy_key *k)
{
	bool whole = k->pcm < 0 || k->stream < 0;

	if (s->level == POLICY_LV_DEFAULTS)
		return true;
	if (s->by_id ? s->domid != k->domid : (!k->name || strcmp(s->name, k->name) != 0))
		return false;
	switch (s->level) {
	case POLICY_LV_DOMAIN:
		return true;
	case POLICY_LV_CARD:
		return s->card == k->card;
	case POLICY_LV_PCM:
		return !whole && s->card == k->card && s->pcm == (uint32_t)k->pcm;
	case POLICY_LV_UID:
		return !whole && k->uid && strcmp(s->uid, k->uid) == 0;
	case POLICY_LV_STREAM:
		return !whole && s->card == k->card && s->pcm == (uint32_t)k->pcm &&
		       s->stream == (uint32_t)k->stream;
	default:
		return false;
	}
}

/* Higher is more specific; an id beats a name at the same level. */
static int rule_rank(const struct policy_sel *s)
{
	return (int)s->level * 2 + (s->by_id ? 1 : 0);
}

void sndbe_policy_lookup(const struct sndbe_policy *p, const struct sndbe_policy_key *k,
			 struct sndbe_policy_settings *ret)
{
	int best[_POLICY_KEY_MAX];

	memset(ret, 0, sizeof(*ret));
	for (unsigned int i = 0; i < _POLICY_KEY_MAX; i++)
		best[i] = -1;
	for (unsigned int i = 0; p && i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];
		int rank = rule_rank(&r->sel);

		if (!r->set || !rule_matches(&r->sel, k))
			continue;
		for (unsigned int key = 0; key < _POLICY_KEY_MAX; key++) {
			if (!(r->set & (1u << key)) || rank <= best[key])
				continue;
			best[key] = rank;
			policy_key_copy(r, (int)key, ret);
		}
	}
}
