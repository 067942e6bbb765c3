// SPDX-License-Identifier: MIT
/*
 * xsconfig-util.c - the small pieces every vsnd-xsconfig command uses:
 * messages, opening XenStore as dom0, the card's three paths, listing a
 * guest's cards, strict numbers, and the in-memory node list that lets the
 * strict model read a tree before it is written.
 */
#include "xsconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 2, 0))) static void vmessage(const char *kind, const char *fmt,
							     va_list ap)
{
	fputs("vsnd-xsconfig: ", stderr);
	if (kind)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void xsc_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
}

void xsc_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

int xsc_open(const struct xsc_opts *o, struct xenif **ret)
{
	int r = xenif_open(o->xen, 0, ret);

	if (r < 0)
		xsc_error("--xen=%s: cannot open XenStore: %s", o->xen, strerror(-r));
	return r;
}

void xsc_paths(struct xsc_paths *p, uint32_t domid, uint32_t devid, uint32_t backend)
{
	snprintf(p->fe, sizeof(p->fe), "/local/domain/%u/device/vsnd/%u", domid, devid);
	snprintf(p->be, sizeof(p->be), "/local/domain/%u/backend/vsnd/%u/%u", backend, domid,
		 devid);
	snprintf(p->lx, sizeof(p->lx), "/libxl/%u/device/vsnd/%u", domid, devid);
}

int xsc_parse_u32(const char *s, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	/* No sign, no leading zero (it would read as octal to xl), no blank. */
	if (s[0] == '0' && s[1])
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -ERANGE;
	}
	*ret = (uint32_t)v;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int xsc_list_devids(struct xenif *x, xenif_tx_t tx, uint32_t domid, uint32_t **ret)
{
	_cleanup_strv_ char **names = NULL;
	char path[XSC_PATH_MAX];
	uint32_t *ids;
	int n, k = 0;

	*ret = NULL;
	snprintf(path, sizeof(path), "/local/domain/%u/device/vsnd", domid);
	n = xenif_xs_directory(x, tx, path, &names);
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return n;
	ids = calloc((size_t)n + 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		if (xsc_parse_u32(names[i], UINT32_MAX, &ids[k]) == 0)
			k++;
	qsort(ids, (size_t)k, sizeof(*ids), cmp_u32);
	*ret = ids;
	return k;
}

int xsc_nodes_add(void *ctx, const char *relpath, const char *value)
{
	struct xsc_nodes *t = ctx;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		char **p = realloc(t->path, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->path = p;
		p = realloc(t->value, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->value = p;
		t->cap = cap;
	}
	t->path[t->n] = strdup(relpath);
	t->value[t->n] = strdup(value);
	if (!t->path[t->n] || !t->value[t->n]) {
		free(t->path[t->n]);
		free(t->value[t->n]);
		return -ENOMEM;
	}
	t->n++;
	return 0;
}

void xsc_nodes_clear(struct xsc_nodes *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->path[i]);
		free(t->value[i]);
	}
	free(t->path);
	free(t->value);
	memset(t, 0, sizeof(*t));
}

int xsc_nodes_read(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	const struct xsc_nodes *t = ctx;
	size_t n = strlen(relpath);

	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->path[i], relpath) == 0) {
			if (bufsz)
				snprintf(buf, bufsz, "%s", t->value[i]);
			return (int)strlen(t->value[i]);
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		if (strncmp(t->path[i], relpath, n) == 0 && t->path[i][n] == '/') {
			if (bufsz)
				buf[0] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

char *xsc_escape(const char *s)
{
	size_t len = strlen(s), n = 0;
	char *out = malloc(len * 4 + 1);

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*p;
		} else if (*p < 0x20 || *p >= 0x7f) {
			n += (size_t)snprintf(out + n, 5, "\\x%02x", *p);
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return out;
}
