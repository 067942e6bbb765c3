// SPDX-License-Identifier: MIT
/*
 * vsnd-xsconfig - put a guest's vsnd sound cards into XenStore, check them,
 * print them and take them out again, acting as the toolstack (dom0):
 *
 *   write    an xl `vsnd` entry (a whole xl.cfg or just the value), node for
 *            node and permission for permission as libxl writes it
 *   validate a card already in XenStore, with the strict model's rules
 *   dump     a card as a node tree or as the xl entry that recreates it
 *   remove   a card's frontend, backend and libxl directories
 *
 * This file reads the command line; the commands live in xsconfig-*.c.
 * Exit status: 0 done, 1 the operation failed (or validate found an invalid
 * card), 2 usage error. See vsnd-xsconfig(1).
 */
#include "xsconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#ifndef VSND_VERSION
#define VSND_VERSION "unknown"
#endif

static const char usage_text[] =
	"usage: vsnd-xsconfig [--xen=real|sim:DIR] COMMAND [OPTIONS]\n"
	"commands:\n"
	"  write --domid G [--devid N] [--backend-domid B] [--strict]\n"
	"        (--config FILE.cfg | --value 'VSND_VALUE')\n"
	"  validate --domid G [--devid N]\n"
	"  dump --domid G [--devid N] [--format=tree|xl]\n"
	"  remove --domid G --devid N\n"
	"  --help, --version\n";

static const char help_text[] =
	"\n"
	"Acts as dom0 (the toolstack) on XenStore, real or xensimd's.\n"
	"  write     write each card of an xl vsnd entry as libxl does, in one\n"
	"            transaction; devids N, N+1, ... or the lowest free ones\n"
	"  validate  check cards already in XenStore (exit 1 when invalid)\n"
	"  dump      print cards as tree lines or as an xl vsnd entry\n"
	"  remove    remove a card's frontend, backend and libxl directories\n"
	"Options:\n"
	"  --xen=real|sim:DIR    the Xen to talk to (default: real)\n"
	"  --domid G             the guest domain (1..32751)\n"
	"  --devid N             the vsnd device id (0..65535)\n"
	"  --backend-domid B     backend domain when the CARD has no backend= (0)\n"
	"  --config FILE         an xl.cfg holding a vsnd entry\n"
	"  --value TEXT          just the vsnd value: [ [ 'CARD, ...', ... ] ]\n"
	"  --strict              write nothing when the strict model finds an error\n"
	"  --format=tree|xl      dump's output (default: tree)\n";

enum {
	OPT_XEN = 0x100,
	OPT_DOMID,
	OPT_DEVID,
	OPT_BACKEND,
	OPT_CONFIG,
	OPT_VALUE,
	OPT_STRICT,
	OPT_FORMAT,
	OPT_HELP,
	OPT_VERSION,
};

/* Which command accepts which option. */
#define ALLOW(opt) (1u << ((opt) - OPT_XEN))

struct command {
	const char *name;
	int (*run)(const struct xsc_opts *o);
	unsigned int allowed;
	bool need_devid;
};

static const struct command commands[] = {
	{ "write", xsc_cmd_write,
	  ALLOW(OPT_DOMID) | ALLOW(OPT_DEVID) | ALLOW(OPT_BACKEND) | ALLOW(OPT_CONFIG) |
		  ALLOW(OPT_VALUE) | ALLOW(OPT_STRICT), false },
	{ "validate", xsc_cmd_validate, ALLOW(OPT_DOMID) | ALLOW(OPT_DEVID), false },
	{ "dump", xsc_cmd_dump, ALLOW(OPT_DOMID) | ALLOW(OPT_DEVID) | ALLOW(OPT_FORMAT), false },
	{ "remove", xsc_cmd_remove, ALLOW(OPT_DOMID) | ALLOW(OPT_DEVID), true },
};

static const struct option long_options[] = {
	{ "xen", required_argument, NULL, OPT_XEN },
	{ "domid", required_argument, NULL, OPT_DOMID },
	{ "devid", required_argument, NULL, OPT_DEVID },
	{ "backend-domid", required_argument, NULL, OPT_BACKEND },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "value", required_argument, NULL, OPT_VALUE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int __attribute__((format(printf, 1, 2))) usage(const char *fmt, ...)
{
	va_list ap;

	fputs("vsnd-xsconfig: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	return -XSC_EXIT_USAGE;
}

static int number(const char *opt, const char *arg, uint32_t min, uint32_t max, uint32_t *ret)
{
	int r = xsc_parse_u32(arg, max, ret);

	if (r == -ERANGE || (r == 0 && *ret < min))
		return usage("%s %s: out of range (%u..%u)", opt, arg, min, max);
	if (r < 0)
		return usage("%s %s: not a decimal number", opt, arg);
	return 0;
}

/* Apply one parsed option; seen is the set of options given so far. */
static int apply(struct xsc_opts *o, int opt, const char *arg, unsigned int *seen)
{
	if (opt != OPT_XEN && (*seen & ALLOW(opt)))
		return usage("--%s given twice", long_options[opt - OPT_XEN].name);
	*seen |= ALLOW(opt);
	switch (opt) {
	case OPT_XEN:
		if (strcmp(arg, "real") != 0 && (strncmp(arg, "sim:", 4) != 0 || !arg[4]))
			return usage("--xen=%s: want real or sim:DIR", arg);
		o->xen = arg;
		return 0;
	case OPT_DOMID:
		return number("--domid", arg, 1, XENIF_DOMID_MAX, &o->domid);
	case OPT_DEVID:
		o->have_devid = true;
		return number("--devid", arg, 0, XSC_DEVID_MAX, &o->devid);
	case OPT_BACKEND:
		return number("--backend-domid", arg, 0, XENIF_DOMID_MAX, &o->backend);
	case OPT_CONFIG:
		o->config = arg;
		return 0;
	case OPT_VALUE:
		o->value = arg;
		return 0;
	case OPT_STRICT:
		o->strict = true;
		return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "tree") == 0)
			o->format = XSC_FORMAT_TREE;
		else if (strcmp(arg, "xl") == 0)
			o->format = XSC_FORMAT_XL;
		else
			return usage("--format=%s: want tree or xl", arg);
		return 0;
	}
	return usage("unknown option");
}

/* The options before COMMAND: --xen, --help, --version. */
static int global_options(int argc, char **argv, struct xsc_opts *o)
{
	unsigned int seen = 0;
	int opt, r;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", long_options, NULL)) != -1) {
		if (opt == OPT_HELP || opt == 'h') {
			printf("%s%s", usage_text, help_text);
			return 1;
		}
		if (opt == OPT_VERSION) {
			printf("vsnd-xsconfig %s\n", VSND_VERSION);
			return 1;
		}
		if (opt != OPT_XEN)
			return usage("%s: unknown or misplaced option", argv[optind - 1]);
		r = apply(o, opt, optarg, &seen);
		if (r < 0)
			return r;
	}
	return 0;
}

static int command_options(int argc, char **argv, const struct command *c, struct xsc_opts *o)
{
	unsigned int seen = 0;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+", long_options, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return usage("%s: unknown option or missing value", argv[optind - 1]);
		if (opt == OPT_HELP || opt == OPT_VERSION) {
			if (opt == OPT_HELP)
				printf("%s%s", usage_text, help_text);
			else
				printf("vsnd-xsconfig %s\n", VSND_VERSION);
			return 1;
		}
		if (opt != OPT_XEN && !(c->allowed & ALLOW(opt)))
			return usage("%s: %s takes no --%s", c->name, c->name,
				     long_options[opt - OPT_XEN].name);
		r = apply(o, opt, optarg, &seen);
		if (r < 0)
			return r;
	}
	if (optind < argc)
		return usage("%s: unexpected argument %s", c->name, argv[optind]);
	if (!(seen & ALLOW(OPT_DOMID)))
		return usage("%s needs --domid G", c->name);
	if (c->need_devid && !o->have_devid)
		return usage("%s needs --devid N", c->name);
	if (c->run == xsc_cmd_write && !o->config == !o->value)
		return usage("write needs exactly one of --config FILE and --value TEXT");
	return 0;
}

int main(int argc, char **argv)
{
	struct xsc_opts o = { .xen = "real", .format = XSC_FORMAT_TREE };
	const struct command *c = NULL;
	int r = global_options(argc, argv, &o);

	if (r != 0)
		return r > 0 ? XSC_EXIT_OK : -r;
	if (optind >= argc)
		return -usage("no command given");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			c = &commands[i];
	if (!c)
		return -usage("%s: unknown command", argv[optind]);
	/* The command's own options, from its name on. */
	argc -= optind;
	argv += optind;
	optind = 0;
	r = command_options(argc, argv, c, &o);
	if (r != 0)
		return r > 0 ? XSC_EXIT_OK : -r;
	return c->run(&o);
}
