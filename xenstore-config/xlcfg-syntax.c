// SPDX-License-Identifier: MIT
/*
 * xl configuration syntax, enough to find and read a `vsnd = [...]` entry:
 * `name = value` settings ended by a newline or ';', values that are
 * strings ('...' or "..." with C escapes), numbers or bracketed lists
 * (newlines and a trailing comma allowed inside), '#' comments. Settings
 * other than vsnd are checked for syntax and skipped, as xl would reject a
 * file that does not parse. Nesting is bounded so hostile input cannot
 * exhaust the stack.
 */
#include "xlcfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 8
#define MAX_STRING 4096

struct lexer {
	const char *p, *end;
	unsigned int line, col;
	struct vsnd_xl_diag *diag;
};

__attribute__((format(printf, 2, 3))) static int syntax(struct lexer *lx, const char *fmt, ...)
{
	char msg[VSND_XL_MSG_MAX - 48];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(lx->diag->error, sizeof(lx->diag->error), "line %u, column %u: %s", lx->line,
		 lx->col, msg);
	return -EINVAL;
}

static int peek(const struct lexer *lx)
{
	return lx->p < lx->end ? (unsigned char)*lx->p : EOF;
}

static void advance(struct lexer *lx)
{
	if (lx->p >= lx->end)
		return;
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

/* Skip blanks and comments; newlines too when @newlines. */
static void skip(struct lexer *lx, bool newlines)
{
	for (;;) {
		int c = peek(lx);

		if (c == '#') {
			while (peek(lx) != EOF && peek(lx) != '\n')
				advance(lx);
		} else if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
			advance(lx);
		} else {
			return;
		}
	}
}

static int escape(struct lexer *lx, char *out)
{
	static const char from[] = "abfnrtv\\'\"", to[] = "\a\b\f\n\r\t\v\\'\"";
	const char *k;
	int c = peek(lx);

	if (c == EOF)
		return syntax(lx, "unterminated string");
	k = strchr(from, c);
	if (k && c) {
		*out = to[k - from];
		advance(lx);
		return 0;
	}
	if (c == 'x' || (c >= '0' && c <= '7')) {
		bool hex = c == 'x';
		unsigned int v = 0, n = 0;

		if (hex)
			advance(lx);
		while (n < (hex ? 2u : 3u) && peek(lx) != EOF &&
		       (hex ? isxdigit(peek(lx)) : (peek(lx) >= '0' && peek(lx) <= '7'))) {
			c = peek(lx);
			v = v * (hex ? 16u : 8u) +
			    (unsigned int)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
			advance(lx);
			n++;
		}
		if (n == 0 || v == 0 || v > 255)
			return syntax(lx, "bad escape in string");
		*out = (char)v;
		return 0;
	}
	return syntax(lx, "unknown escape \\%c in string", c);
}

/* A quoted string into a new malloc()ed buffer (NULL @ret: check only). */
static int string(struct lexer *lx, char **ret)
{
	int quote = peek(lx);
	char buf[MAX_STRING];
	size_t n = 0;

	advance(lx);
	for (;;) {
		int c = peek(lx);
		char ch;

		if (c == EOF || c == '\n')
			return syntax(lx, "unterminated string");
		/* A NUL would silently cut the value short. */
		if (c == '\0')
			return syntax(lx, "NUL character in a string");
		advance(lx);
		if (c == quote)
			break;
		ch = (char)c;
		if (c == '\\' && escape(lx, &ch) < 0)
			return -EINVAL;
		if (n + 1 >= sizeof(buf))
			return syntax(lx, "string longer than %d characters", MAX_STRING - 1);
		buf[n++] = ch;
	}
	buf[n] = '\0';
	if (!ret)
		return 0;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

/* Inside a list: skip blanks; consume and report a closing ']'. */
static bool list_end(struct lexer *lx)
{
	skip(lx, true);
	if (peek(lx) != ']')
		return false;
	advance(lx);
	return true;
}

/* After a list element: a ',' (consumed) or the closing ']' must follow. */
static int list_sep(struct lexer *lx, const char *after)
{
	skip(lx, true);
	if (peek(lx) == ',') {
		advance(lx);
		return 0;
	}
	if (peek(lx) != ']')
		return syntax(lx, "expected ',' or ']' after %s", after);
	return 0;
}

static int value(struct lexer *lx, unsigned int depth);

static int list(struct lexer *lx, unsigned int depth)
{
	advance(lx);	/* '[' */
	while (!list_end(lx)) {
		int r = value(lx, depth + 1);

		if (r < 0 || (r = list_sep(lx, "a list element")) < 0)
			return r;
	}
	return 0;
}

static int value(struct lexer *lx, unsigned int depth)
{
	int c = peek(lx);

	if (depth > MAX_DEPTH)
		return syntax(lx, "lists nested deeper than %d", MAX_DEPTH);
	if (c == '\'' || c == '"')
		return string(lx, NULL);
	if (c == '[')
		return list(lx, depth);
	if (c != EOF && (isalnum(c) || c == '-' || c == '.')) {
		while (peek(lx) != EOF && (isalnum(peek(lx)) || strchr("-._", peek(lx))))
			advance(lx);
		return 0;
	}
	return syntax(lx, "expected a string, a number or a list");
}

/* One card: a list of item strings, applied in order. */
static int card(struct lexer *lx, struct vsnd_xl_card *card)
{
	skip(lx, true);
	if (peek(lx) != '[')
		return syntax(lx, "a vsnd card must be a list of strings");
	advance(lx);
	while (!list_end(lx)) {
		char *item = NULL;
		int r;

		if (peek(lx) != '\'' && peek(lx) != '"')
			return syntax(lx, "a vsnd card item must be a string");
		r = string(lx, &item);
		if (r < 0)
			return r;
		r = vsnd_xl_parse_item(card, item, lx->diag);
		free(item);
		if (r < 0 || (r = list_sep(lx, "a vsnd item")) < 0)
			return r;
	}
	return 0;
}

static int vsnd_value(struct lexer *lx, struct vsnd_xl_config *cfg)
{
	skip(lx, true);
	if (peek(lx) != '[')
		return syntax(lx, "vsnd must be a list of cards");
	advance(lx);
	while (!list_end(lx)) {
		int r;

		if (cfg->n_cards == VSND_XL_MAX_CARDS)
			return syntax(lx, "more than %u vsnd cards", VSND_XL_MAX_CARDS);
		r = card(lx, &cfg->cards[cfg->n_cards++]);
		if (r < 0 || (r = list_sep(lx, "a vsnd card")) < 0)
			return r;
	}
	return 0;
}

static void lexer_init(struct lexer *lx, const char *text, size_t len, struct vsnd_xl_diag *d)
{
	memset(d, 0, sizeof(*d));
	lx->p = text;
	lx->end = text + len;
	lx->line = lx->col = 1;
	lx->diag = d;
}

int vsnd_xl_parse_value(const char *text, size_t len, struct vsnd_xl_config **ret,
			struct vsnd_xl_diag *diag)
{
	struct vsnd_xl_config *cfg = calloc(1, sizeof(*cfg));
	struct lexer lx;
	int r;

	if (!cfg)
		return -ENOMEM;
	lexer_init(&lx, text, len, diag);
	r = vsnd_value(&lx, cfg);
	if (r >= 0) {
		skip(&lx, true);
		if (peek(&lx) != EOF)
			r = syntax(&lx, "unexpected text after the vsnd list");
	}
	if (r < 0) {
		vsnd_xl_config_free(cfg);
		return r;
	}
	*ret = cfg;
	return 0;
}

/* One `name = value` setting; the vsnd one is parsed into @cfg. */
static int setting(struct lexer *lx, struct vsnd_xl_config **cfg, bool *found)
{
	const char *name = lx->p;
	size_t n = 0;

	while (peek(lx) != EOF && (isalnum(peek(lx)) || peek(lx) == '_')) {
		advance(lx);
		n++;
	}
	if (n == 0)
		return syntax(lx, "expected a setting name");
	skip(lx, false);
	if (peek(lx) == '+')
		return syntax(lx, "'+=' is not supported here; write the whole list");
	if (peek(lx) != '=')
		return syntax(lx, "expected '=' after \"%.*s\"", (int)n, name);
	advance(lx);
	skip(lx, false);
	if (n == 4 && strncmp(name, "vsnd", 4) == 0) {
		if (*found)
			return syntax(lx, "vsnd is set twice");
		*found = true;
		*cfg = calloc(1, sizeof(**cfg));
		return *cfg ? vsnd_value(lx, *cfg) : -ENOMEM;
	}
	return value(lx, 0);
}

int vsnd_xl_parse_file(const char *text, size_t len, struct vsnd_xl_config **ret,
		       struct vsnd_xl_diag *diag)
{
	struct vsnd_xl_config *cfg = NULL;
	bool found = false;
	struct lexer lx;
	int r = 0;

	lexer_init(&lx, text, len, diag);
	for (;;) {
		skip(&lx, true);
		while (peek(&lx) == ';') {
			advance(&lx);
			skip(&lx, true);
		}
		if (peek(&lx) == EOF)
			break;
		r = setting(&lx, &cfg, &found);
		if (r < 0)
			break;
		skip(&lx, false);
		if (peek(&lx) != EOF && peek(&lx) != '\n' && peek(&lx) != ';') {
			r = syntax(&lx, "expected the end of the setting");
			break;
		}
	}
	if (r < 0 || !found) {
		vsnd_xl_config_free(cfg);
		if (r == 0)
			snprintf(diag->error, sizeof(diag->error), "no vsnd setting in the file");
		return r < 0 ? r : -ENOENT;
	}
	*ret = cfg;
	return 0;
}
