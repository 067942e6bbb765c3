/* SPDX-License-Identifier: MIT */
/*
 * policy.h - vsndbe's dom0 policy (vsndbe.conf(5)): which host device each
 * guest stream gets and what the guest may do with it. Only dom0 writes it;
 * nothing a guest controls ever reaches a value of it. A stream's
 * guest-chosen unique-id may select a section, and that is all it does: it
 * is compared byte for byte with a section's key, never copied into a
 * device name.
 *
 * The model is a list of sections ("rules"), each a selector and the keys
 * it sets. A lookup resolves every key on its own: among the sections that
 * match the stream and set that key, the most specific one wins (stream >
 * unique-id > pcm > card > domain > defaults; at each level a domain id
 * beats a domain name). The same selector seen again (a later file of
 * conf.d, say) is the same section: a later file overrides its keys, a key
 * given twice in one file is an error.
 *
 * This file is pure: no XenStore, no ALSA, no file I/O. Reading files
 * (libinih) is config.c's job, through sndbe_policy_section() and
 * sndbe_policy_set().
 */
#ifndef VSND_BACKEND_POLICY_H
#define VSND_BACKEND_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsnd/limits.h"

struct sndbe_policy;

/* Errors kept with their text; later ones are only counted. */
#define SNDBE_POLICY_ERRORS_MAX 64u
/* Size of one error text, NUL included. */
#define SNDBE_POLICY_ERROR_SZ 320u
/* Longest domain name (xenif's struct xenif_dominfo holds 63). */
#define SNDBE_POLICY_NAME_MAX 63u
/* Longest `sink` template, and of its expansion, NUL included. */
#define SNDBE_POLICY_SPEC_MAX 512u
/* max-volume-mdb bounds: the software volume's range (audio.h). */
#define SNDBE_POLICY_VOLUME_MIN_MDB (-120000)
#define SNDBE_POLICY_VOLUME_MAX_MDB 0

enum sndbe_capture {
	SNDBE_CAPTURE_ALLOW,	/* the host source, as routed */
	SNDBE_CAPTURE_DENY,	/* OPEN of a capture stream answers -EACCES */
	SNDBE_CAPTURE_SILENCE,	/* nothing opened on the host: paced zeros */
};

/*
 * What a stream gets, every key resolved. Zero / false / NULL: the key is
 * set nowhere that matches, and the daemon's own default applies.
 */
struct sndbe_policy_settings {
	const char *sink;		/* template; borrowed from the policy */
	enum sndbe_capture capture;	/* default: allow */
	uint32_t max_streams;		/* per device (card) */
	uint32_t max_buffer_bytes;
	bool has_rates;
	struct vsnd_rate_set rates;
	uint32_t max_channels;
	bool has_max_volume;
	int32_t max_volume_mdb;
};

/*
 * What to look up. @name is the domain's name as dom0's XenStore says
 * ("" or NULL: unknown, so only id sections and [defaults] match). @pcm and
 * @stream < 0 look up a device as a whole (what max-streams needs); then
 * only sections without pcm, stream or unique-id match. @uid is the
 * stream's unique-id, NULL when it has none.
 */
struct sndbe_policy_key {
	uint32_t domid;
	const char *name;
	uint32_t card;
	int pcm;
	int stream;
	const char *uid;
};

/**
 * sndbe_policy_new() - an empty policy (every lookup gives the defaults).
 * @ret: receives it.
 *
 * Return: 0 or -ENOMEM.
 */
int sndbe_policy_new(struct sndbe_policy **ret);

/**
 * sndbe_policy_free() - free a policy.
 * @p: the policy, or NULL.
 *
 * Return: NULL.
 */
struct sndbe_policy *sndbe_policy_free(struct sndbe_policy *p);

/**
 * sndbe_policy_begin_file() - the sections and keys that follow come from
 * @file (its name is used in error texts and to tell files apart).
 * @p: the policy.
 * @file: the file name, copied.
 *
 * Return: 0 or -ENOMEM.
 */
int sndbe_policy_begin_file(struct sndbe_policy *p, const char *file);

/**
 * sndbe_policy_section() - a section header "[NAME]" at @line.
 * @p: the policy.
 * @name: the text between the brackets.
 * @line: its line number.
 *
 * A bad name is recorded as an error and makes the keys up to the next
 * header ignored (without further errors).
 * Return: 0; -EINVAL when the name was refused; -ENOMEM.
 */
int sndbe_policy_section(struct sndbe_policy *p, const char *name, unsigned int line);

/**
 * sndbe_policy_set() - "KEY = VALUE" at @line, in the current section.
 * @p: the policy.
 * @key: the key.
 * @value: the value (surrounding blanks already stripped).
 * @line: its line number.
 *
 * Return: 0; -EINVAL when refused (recorded); -ENOMEM.
 */
int sndbe_policy_set(struct sndbe_policy *p, const char *key, const char *value,
		     unsigned int line);

/**
 * sndbe_policy_error_at() - record an error found outside the model (a
 * syntax error of the file, say) as "FILE:LINE: TEXT".
 * @p: the policy.
 * @line: the line (0: the file as a whole, "FILE: TEXT").
 * @fmt: printf format of TEXT.
 */
void sndbe_policy_error_at(struct sndbe_policy *p, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * sndbe_policy_n_errors() - errors recorded so far (also those past
 * SNDBE_POLICY_ERRORS_MAX, whose text is lost).
 * @p: the policy.
 */
unsigned int sndbe_policy_n_errors(const struct sndbe_policy *p);

/**
 * sndbe_policy_error() - the text of the @i-th error, "FILE:LINE: ...".
 * @p: the policy.
 * @i: 0 .. min(errors, SNDBE_POLICY_ERRORS_MAX) - 1.
 *
 * Return: the text, or NULL past the last one kept.
 */
const char *sndbe_policy_error(const struct sndbe_policy *p, unsigned int i);

/**
 * sndbe_policy_uses_names() - whether a section selects a domain by name,
 * so that the caller must know each guest's name before looking it up.
 * @p: the policy, or NULL.
 */
bool sndbe_policy_uses_names(const struct sndbe_policy *p);

/**
 * sndbe_policy_n_sections() - how many distinct sections the policy holds.
 * @p: the policy, or NULL.
 */
unsigned int sndbe_policy_n_sections(const struct sndbe_policy *p);

/**
 * sndbe_policy_lookup() - resolve every key for @k.
 * @p: the policy, or NULL (the defaults).
 * @k: what to look up.
 * @ret: receives the settings; its strings live as long as @p.
 */
void sndbe_policy_lookup(const struct sndbe_policy *p, const struct sndbe_policy_key *k,
			 struct sndbe_policy_settings *ret);

/**
 * sndbe_policy_narrow() - narrow a stream's XenStore limits by the policy:
 * rates intersected with `rates`, channels_max and buffer_bytes_max lowered
 * to `max-channels` and `max-buffer-bytes`. An empty result is kept empty
 * (a rate range with min > max, channels_min > channels_max), so that no
 * OPEN is accepted and every HW_PARAM_QUERY is infeasible.
 * @ps: the resolved settings.
 * @lim: the limits, narrowed in place.
 */
void sndbe_policy_narrow(const struct sndbe_policy_settings *ps, struct vsnd_stream_limits *lim);

/**
 * sndbe_dev_expand_spec() - expand a host device template for one stream:
 * each "%u" in turn becomes the guest's domid, the PCM index and the stream
 * index; "%%" is a '%'.
 * @tmpl: the template.
 * @domid: the guest.
 * @pcm: the PCM index.
 * @stream: the stream index.
 * @buf: receives the spec.
 * @size: room in @buf.
 *
 * Return: 0; -EINVAL for more than three "%u" or another '%' sequence;
 * -ENAMETOOLONG when it does not fit.
 */
int sndbe_dev_expand_spec(const char *tmpl, uint32_t domid, unsigned int pcm, unsigned int stream,
			  char *buf, size_t size);

/**
 * sndbe_spec_check() - whether @tmpl is a host device template vsndbe can
 * open: it expands, and names "null", "null:unpaced", "file:PATH" or
 * "alsa:PCM" (audio.h).
 * @tmpl: the template.
 *
 * Return: 0, or -EINVAL with a reason in @why (static text).
 */
int sndbe_spec_check(const char *tmpl, const char **why);

/*
 * Reading files (config.c, over libinih). A file is lines of "[SECTION]",
 * "KEY = VALUE", blank lines and comments (';' or '#' first on a line, or
 * after a blank later on). Every error is recorded as "FILE:LINE: ..." and
 * parsing goes on, so that one run lists them all.
 */

/* Largest file read. */
#define SNDBE_POLICY_FILE_MAX (1u << 20)

/**
 * sndbe_policy_parse_text() - parse the text of one file into @p.
 * @p: the policy.
 * @file: its name, for error texts.
 * @text: the text (need not be NUL-terminated; a NUL in it is an error).
 * @len: its length.
 *
 * Return: 0; -EINVAL when this text added errors; -ENOMEM.
 */
int sndbe_policy_parse_text(struct sndbe_policy *p, const char *file, const char *text,
			    size_t len);

/**
 * sndbe_policy_load() - read @path, then every "*.conf" of the directory
 * "conf.d" beside it, in strcmp() order of their names.
 * @path: the main file (/etc/vsnd/vsndbe.conf by default).
 * @must_exist: false: a missing @path is an empty file (conf.d is still
 *	read); true: it is an error.
 * @ret: receives the policy, also when it holds errors.
 *
 * Return: 0; -EINVAL when errors were recorded (read them from *@ret, then
 * free it); -ENOMEM (nothing returned).
 */
int sndbe_policy_load(const char *path, bool must_exist, struct sndbe_policy **ret);

#endif /* VSND_BACKEND_POLICY_H */
