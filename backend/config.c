// SPDX-License-Identifier: MIT
/*
 * config.c - reading vsndbe.conf(5) and conf.d/ *.conf into a policy
 * (policy.h), the only user of libinih.
 *
 * libinih splits "key = value" lines and strips blanks; every line reaches
 * it through read_line() below, which counts lines (so that each error says
 * FILE:LINE), takes the section headers itself (so that an empty section is
 * checked too), refuses what is not a header, a key line or a comment, and
 * takes leading blanks and inline comments off. libinih's own options
 * (multi-line values, inline comments, the line size) differ between
 * builds; after read_line() none of them can change what a file means.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "util.h"

struct reader {
	struct sndbe_policy *p;
	const char *text;
	size_t len;
	size_t pos;
	unsigned int line;
	int err;		/* -ENOMEM met in a callback */
	unsigned int errors;	/* errors before this text */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Cut an inline comment: ';' or '#' after a blank. */
static void cut_comment(char *s)
{
	for (char *c = s + 1; *c; c++) {
		if ((*c == ';' || *c == '#') && is_blank(c[-1])) {
			*c = '\0';
			return;
		}
	}
}

/* A "[NAME]" line (leading blanks gone): the section, for the model. */
static void header(struct reader *rd, char *s)
{
	char *end = strchr(s, ']');

	if (!end) {
		sndbe_policy_error_at(rd->p, rd->line, "%s: a section header ends with ']'", s);
		return;
	}
	cut_comment(end);
	for (const char *c = end + 1; *c; c++) {
		if (!is_blank(*c)) {
			sndbe_policy_error_at(rd->p, rd->line, "%s: text after the section header",
					      s);
			return;
		}
	}
	*end = '\0';
	if (sndbe_policy_section(rd->p, s + 1, rd->line) == -ENOMEM)
		rd->err = -ENOMEM;
}

/*
 * Check one line (no newline, leading blanks gone) and say what libinih is
 * to see: "" for nothing, or the line itself.
 */
static const char *check_line(struct reader *rd, char *s, size_t len)
{
	const char *eq;

	if (memchr(s, '\0', len)) {
		sndbe_policy_error_at(rd->p, rd->line, "a NUL byte in the line");
		return "";
	}
	if (!*s || *s == ';' || *s == '#')
		return "";
	if (*s == '[') {
		header(rd, s);
		return "";
	}
	cut_comment(s);
	eq = strchr(s, '=');
	if (!eq || eq == s || (strchr(s, ':') && strchr(s, ':') < eq)) {
		sndbe_policy_error_at(rd->p, rd->line, "%s: expected [SECTION] or KEY = VALUE", s);
		return "";
	}
	return s;
}

/* libinih's fgets(): one line of the text, checked and cleaned. */
static char *read_line(char *str, int num, void *stream)
{
	struct reader *rd = stream;
	const char *start = rd->text + rd->pos, *nl;
	char buf[SNDBE_POLICY_SPEC_MAX + 64];
	const char *out;
	size_t len, skip = 0;

	if (rd->pos >= rd->len || num < 4)
		return NULL;
	nl = memchr(start, '\n', rd->len - rd->pos);
	len = nl ? (size_t)(nl - start) : rd->len - rd->pos;
	rd->pos += len + (nl ? 1 : 0);
	rd->line++;
	if (len && start[len - 1] == '\r')
		len--;
	while (skip < len && is_blank(start[skip]))
		skip++;
	out = "";
	if (len - skip + 2 > (size_t)num || len - skip >= sizeof(buf)) {
		sndbe_policy_error_at(rd->p, rd->line, "the line is longer than %d characters",
				      num - 2 < (int)sizeof(buf) - 1 ? num - 2 : (int)sizeof(buf) - 1);
	} else {
		memcpy(buf, start + skip, len - skip);
		buf[len - skip] = '\0';
		out = check_line(rd, buf, len - skip);
	}
	snprintf(str, (size_t)num, "%s\n", out);
	return str;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct reader *rd = user;

	(void)section; /* the model keeps the current section itself */
	if (sndbe_policy_set(rd->p, name, value, rd->line) == -ENOMEM)
		rd->err = -ENOMEM;
	return 1;
}

int sndbe_policy_parse_text(struct sndbe_policy *p, const char *file, const char *text,
			    size_t len)
{
	struct reader rd = { .p = p, .text = text, .len = len,
			     .errors = sndbe_policy_n_errors(p) };
	int r;

	r = sndbe_policy_begin_file(p, file);
	if (r < 0)
		return r;
	r = ini_parse_stream(read_line, &rd, on_key, &rd);
	if (r == -2 || rd.err)
		return -ENOMEM;
	return sndbe_policy_n_errors(p) > rd.errors ? -EINVAL : 0;
}

/* Read and parse one file; a missing one is fine when !@must_exist. */
static int load_file(struct sndbe_policy *p, const char *path, bool must_exist)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	struct stat st;
	ssize_t n;
	size_t len = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && !must_exist)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > SNDBE_POLICY_FILE_MAX) {
		int e = fd < 0 ? errno : 0;

		if (sndbe_policy_begin_file(p, path) < 0)
			return -ENOMEM;
		sndbe_policy_error_at(p, 0, "%s", e ? strerror(e) : "not a regular file of at most 1 MiB");
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return -ENOMEM;
	/* One octet more than the size, to see a file that grew. */
	while ((n = read(fd, text + len, (size_t)st.st_size + 1 - len)) > 0) {
		len += (size_t)n;
		if (len > (size_t)st.st_size)
			break;
	}
	if (n < 0 || len != (size_t)st.st_size) {
		int e = n < 0 ? errno : 0;

		if (sndbe_policy_begin_file(p, path) < 0)
			return -ENOMEM;
		sndbe_policy_error_at(p, 0, "%s", e ? strerror(e) : "changed while read");
		return -EINVAL;
	}
	return sndbe_policy_parse_text(p, path, text, len);
}

static int only_conf(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 && strcmp(d->d_name + len - 5, ".conf") == 0;
}

/* Byte order, whatever the locale. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every conf.d/ *.conf beside @path, sorted. */
static int load_dropins(struct sndbe_policy *p, const char *path)
{
	_cleanup_free_ char *copy = strdup(path), *dir = NULL;
	struct dirent **names = NULL;
	int n, r = 0;

	if (!copy || asprintf(&dir, "%s/conf.d", dirname(copy)) < 0)
		return -ENOMEM;
	n = scandir(dir, &names, only_conf, by_name);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *file = NULL;
		int e = asprintf(&file, "%s/%s", dir, names[i]->d_name) < 0 ? -ENOMEM :
			load_file(p, file, true);

		if (e == -ENOMEM || (e < 0 && r == 0))
			r = e;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int sndbe_policy_load(const char *path, bool must_exist, struct sndbe_policy **ret)
{
	struct sndbe_policy *p = NULL;
	int r, d;

	r = sndbe_policy_new(&p);
	if (r < 0)
		return r;
	r = load_file(p, path, must_exist);
	if (r != -ENOMEM) {
		d = load_dropins(p, path);
		if (d == -ENOMEM)
			r = d;
		else if (d < 0 && d != -EINVAL && sndbe_policy_begin_file(p, "conf.d") == 0)
			sndbe_policy_error_at(p, 0, "%s", strerror(-d));
	}
	if (r == -ENOMEM) {
		sndbe_policy_free(p);
		return r;
	}
	*ret = p;
	return sndbe_policy_n_errors(p) ? -EINVAL : 0;
}
