/* SPDX-License-Identifier: MIT */
/*
 * xsconfig.h - what the parts of vsnd-xsconfig share: the parsed command
 * line, the commands themselves, messages, and an in-memory list of
 * frontend nodes that doubles as a reader for the strict configuration
 * model (vsnd/xscfg.h).
 *
 * Every command acts as dom0, the toolstack. Commands print their own
 * messages (naming the value and the reason) and return the exit status:
 * 0 done, 1 the operation failed or the configuration is invalid. Usage
 * errors (exit 2) are found before a command runs.
 */
#ifndef VSND_XSCONFIG_H
#define VSND_XSCONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <xenif/xenif.h>

#include "vsnd-common/util.h"

static inline void xsc_strvp(char ***p)
{
	xenif_strv_free(*p);
}

#define _cleanup_strv_ _cleanup_(xsc_strvp)

/* Exit statuses. */
#define XSC_EXIT_OK 0
#define XSC_EXIT_FAIL 1
#define XSC_EXIT_USAGE 2

/* Device ids accepted on the command line (libxl's are ints; 65535 cards
 * per guest is far beyond any real use). */
#define XSC_DEVID_MAX 65535u

/* Commit attempts of one transaction before giving up on -EAGAIN. */
#define XSC_TX_RETRIES 64

/* A path: "/local/domain/32751/backend/vsnd/32751/65535/" + a relative
 * node path (VSND_XSCFG_PATH_MAX) fits with room to spare. */
#define XSC_PATH_MAX 160u

enum xsc_format {
	XSC_FORMAT_TREE,
	XSC_FORMAT_XL,
};

struct xsc_opts {
	const char *xen;	/* "real" or "sim:DIR" */
	uint32_t domid;		/* --domid G */
	bool have_devid;
	uint32_t devid;		/* --devid N */
	uint32_t backend;	/* --backend-domid B (default 0) */
	const char *config;	/* --config FILE */
	const char *value;	/* --value TEXT */
	bool strict;		/* --strict */
	enum xsc_format format;	/* --format */
};

/* "vsnd-xsconfig: " + the message, on stderr. */
void xsc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xsc_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open XenStore as dom0; prints the reason on failure. */
int xsc_open(const struct xsc_opts *o, struct xenif **ret);

/* The three directories of one card (protocol.md 1.1). */
struct xsc_paths {
	char fe[XSC_PATH_MAX];	/* /local/domain/G/device/vsnd/N */
	char be[XSC_PATH_MAX];	/* /local/domain/B/backend/vsnd/G/N */
	char lx[XSC_PATH_MAX];	/* /libxl/G/device/vsnd/N */
};

void xsc_paths(struct xsc_paths *p, uint32_t domid, uint32_t devid, uint32_t backend);

/*
 * The devids of @domid's vsnd cards (numeric children of
 * /local/domain/G/device/vsnd), ascending, as a malloc()ed array.
 * Return: the count (0 when there is none), or a negative errno.
 */
int xsc_list_devids(struct xenif *x, xenif_tx_t tx, uint32_t domid, uint32_t **ret);

/* Strict decimal 0..@max, the whole string. */
int xsc_parse_u32(const char *s, uint32_t max, uint32_t *ret);

/* A node list: relative paths and values, in the order added. */
struct xsc_nodes {
	size_t n;
	size_t cap;
	char **path;
	char **value;
};

/* A vsnd_xl_node_fn: appends a copy of (@relpath, @value). */
int xsc_nodes_add(void *nodes, const char *relpath, const char *value);
void xsc_nodes_clear(struct xsc_nodes *nodes);
/* A vsnd_xs_reader read function over a node list; the parents of the
 * listed nodes read as "" (XenStore's directories). */
int xsc_nodes_read(void *nodes, const char *relpath, char *buf, size_t bufsz);

/* @s with '"', '\\' and bytes outside printable ASCII escaped, no quotes;
 * a new string, or NULL when out of memory. */
char *xsc_escape(const char *s);

int xsc_cmd_write(const struct xsc_opts *o);
int xsc_cmd_remove(const struct xsc_opts *o);
int xsc_cmd_validate(const struct xsc_opts *o);
int xsc_cmd_dump(const struct xsc_opts *o);

/* dump --format=xl of one parsed card (xsconfig-xl.c). */
struct vsnd_xscfg;
int xsc_print_xl_card(const struct vsnd_xscfg *cfg, uint32_t backend, const char *fe);

#endif /* VSND_XSCONFIG_H */
