// SPDX-License-Identifier: MIT
/*
 * conform.c - vsnd-conform's command line and scenario runner.
 *
 * Exit status: 0 when no scenario failed, 1 when one did, 2 for a usage
 * error, 77 (a test harness's "skipped") when the target cannot be reached
 * at all.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "vsnd-common/util.h"
#include "xenif/xenif.h"

#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 77
#define MAX_ONLY 16

struct run {
	struct cf_options o;
	bool tap, list;
	const char *junit;
	const char *only[MAX_ONLY];
	unsigned int n_only;
};

static void help(void)
{
	printf("Usage: vsnd-conform [OPTION]...\n"
	       "Check an sndif (Xen PV sound, version 2) peer against the protocol.\n\n"
	       "  --role=frontend      play the frontend against a backend (the default)\n"
	       "  --role=backend       play a (hostile) backend against a frontend driver\n"
	       "  --fe-cmd=CMD         backend role: the frontend driver, run by /bin/sh\n"
	       "                       once per scenario (see vsnd-conform(1))\n"
	       "  --xen=real|sim:DIR   Xen to use (default: real)\n"
	       "  --domid=N            frontend role: the guest domain to act as (default\n"
	       "                       with real: our own; required with sim:); backend\n"
	       "                       role: the guest whose device is served (required)\n"
	       "  --devid=N            the vsnd device (default 0)\n"
	       "  --list               list the scenarios and what each checks\n"
	       "  --only=PATTERN       run the scenarios matching PATTERN (fnmatch);\n"
	       "                       may be given up to %u times\n"
	       "  --tap                print TAP instead of plain lines\n"
	       "  --junit=FILE         also write a JUnit XML report to FILE\n"
	       "  -v, --verbose        log what happens on stderr\n"
	       "  --help               show this help and exit\n"
	       "  --version            show the version and exit\n",
	       MAX_ONLY);
}

static int parse_u32(const char *name, const char *arg, uint32_t max, uint32_t *ret)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || !*arg || *end || arg[0] == '-' || v > max) {
		fprintf(stderr, "vsnd-conform: --%s=%s: expected a number up to %u\n", name, arg,
			max);
		return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

enum { ARG_ROLE = 0x100, ARG_XEN, ARG_DOMID, ARG_DEVID, ARG_LIST, ARG_ONLY, ARG_TAP,
       ARG_JUNIT, ARG_HELP, ARG_VERSION, ARG_FE_CMD };

static const struct option long_opts[] = {
	{ "role", required_argument, NULL, ARG_ROLE },
	{ "fe-cmd", required_argument, NULL, ARG_FE_CMD },
	{ "xen", required_argument, NULL, ARG_XEN },
	{ "domid", required_argument, NULL, ARG_DOMID },
	{ "devid", required_argument, NULL, ARG_DEVID },
	{ "list", no_argument, NULL, ARG_LIST },
	{ "only", required_argument, NULL, ARG_ONLY },
	{ "tap", no_argument, NULL, ARG_TAP },
	{ "junit", required_argument, NULL, ARG_JUNIT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, ARG_HELP },
	{ "version", no_argument, NULL, ARG_VERSION },
	{}
};

/* One option; 1 to go on, 0 to exit 0, or -EINVAL. */
static int parse_one(struct run *r, int opt, const char *arg)
{
	switch (opt) {
	case ARG_ROLE:
		if (strcmp(arg, "frontend") == 0)
			return r->o.role = CF_ROLE_FRONTEND, 1;
		if (strcmp(arg, "backend") == 0)
			return r->o.role = CF_ROLE_BACKEND, 1;
		fprintf(stderr, "vsnd-conform: --role=%s: expected frontend or backend\n", arg);
		return -EINVAL;
	case ARG_XEN:
		if (strcmp(arg, "real") != 0 && strncmp(arg, "sim:", 4) != 0) {
			fprintf(stderr, "vsnd-conform: --xen=%s: expected real or sim:DIR\n", arg);
			return -EINVAL;
		}
		return r->o.xen = arg, 1;
	case ARG_DOMID:
		return parse_u32("domid", arg, XENIF_DOMID_MAX, &r->o.domid) < 0 ? -EINVAL : 1;
	case ARG_DEVID:
		return parse_u32("devid", arg, 255, &r->o.devid) < 0 ? -EINVAL : 1;
	case ARG_FE_CMD:
		return r->o.fe_cmd = arg, 1;
	case ARG_LIST:
		return r->list = true, 1;
	case ARG_ONLY:
		if (r->n_only == MAX_ONLY) {
			fprintf(stderr, "vsnd-conform: at most %u --only\n", MAX_ONLY);
			return -EINVAL;
		}
		return r->only[r->n_only++] = arg, 1;
	case ARG_TAP:
		return r->tap = true, 1;
	case ARG_JUNIT:
		return r->junit = arg, 1;
	case 'v':
		return r->o.verbose = true, 1;
	case ARG_HELP:
		help();
		return 0;
	case ARG_VERSION:
		printf("vsnd-conform %s\n", VSND_VERSION);
		return 0;
	default:
		return -EINVAL;
	}
}

/* 1 to run, 0 to exit 0, -EINVAL for a usage error (said). */
static int parse_args(struct run *r, int argc, char **argv)
{
	int opt, k;

	*r = (struct run){ .o = { .role = CF_ROLE_FRONTEND, .xen = "real",
				  .domid = XENIF_DOMID_SELF } };
	while ((opt = getopt_long(argc, argv, "v", long_opts, NULL)) >= 0) {
		k = parse_one(r, opt, optarg);
		if (k <= 0)
			return k;
	}
	if (optind < argc) {
		fprintf(stderr, "vsnd-conform: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	if (r->list)
		return 1;
	if (r->o.role == CF_ROLE_FRONTEND && strncmp(r->o.xen, "sim:", 4) == 0 &&
	    r->o.domid == XENIF_DOMID_SELF) {
		fprintf(stderr, "vsnd-conform: --xen=%s needs --domid\n", r->o.xen);
		return -EINVAL;
	}
	if (r->o.role == CF_ROLE_BACKEND && (r->o.domid == XENIF_DOMID_SELF || !r->o.fe_cmd)) {
		fprintf(stderr, "vsnd-conform: --role=backend needs --domid and --fe-cmd\n");
		return -EINVAL;
	}
	return 1;
}

static bool selected(const struct run *r, const struct cf_scenario *s)
{
	if (r->n_only == 0)
		return true;
	for (unsigned int i = 0; i < r->n_only; i++)
		if (fnmatch(r->only[i], s->name, 0) == 0)
			return true;
	return false;
}

static void list(const struct run *r, const struct cf_scenario *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (selected(r, &t[i]))
			printf("%-28s %s\n", t[i].name, t[i].claim);
}

/* What differs between the roles. */
struct role_ops {
	const struct cf_scenario *table;
	const size_t *n;
	struct cf_ctx *(*ctx_new)(const struct cf_options *o);
	struct cf_ctx *(*ctx_free)(struct cf_ctx *c);
	enum cf_result (*prepare)(struct cf_ctx *c, const struct cf_scenario *s);
	void (*finish)(struct cf_ctx *c, const struct cf_scenario *s, enum cf_result r);
};

static const struct role_ops roles[] = {
	[CF_ROLE_FRONTEND] = { cf_fe_scenarios, &cf_fe_n_scenarios, cf_fe_new, cf_fe_free,
			       cf_fe_prepare, cf_fe_finish },
	[CF_ROLE_BACKEND] = { cf_be_scenarios, &cf_be_n_scenarios, cf_be_new, cf_be_free,
			      cf_be_prepare, cf_be_finish },
};

static void run_one(const struct role_ops *ro, struct cf_ctx *c, const struct cf_scenario *s,
		    struct cf_outcome *o)
{
	uint64_t start = now_ms();

	o->s = s;
	cf_log(c, "--- %s", s->name);
	o->result = ro->prepare(c, s);
	if (o->result == CF_OK)
		o->result = s->run(c);
	ro->finish(c, s, o->result);
	snprintf(o->msg, sizeof(o->msg), "%s", o->result == CF_OK ? "" : cf_message(c));
	o->ms = now_ms() - start;
}

/* Run the selected scenarios of the role; the exit status. */
static int run_all(const struct run *r, const struct role_ops *ro)
{
	const struct cf_scenario *t = ro->table;
	size_t n = *ro->n;
	_cleanup_free_ struct cf_outcome *out = calloc(n ? n : 1, sizeof(*out));
	struct cf_ctx *c;
	size_t k = 0, failed = 0, skipped = 0;

	if (!out)
		return EXIT_FAILURE;
	for (size_t i = 0; i < n; i++)
		k += selected(r, &t[i]);
	c = ro->ctx_new(&r->o);
	if (!c)
		return EXIT_UNREACHABLE;
	if (r->tap)
		printf("1..%zu\n", k);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!selected(r, &t[i]))
			continue;
		run_one(ro, c, &t[i], &out[k]);
		failed += out[k].result == CF_FAIL;
		skipped += out[k].result == CF_SKIP;
		cf_report_line(&out[k], (unsigned int)(k + 1), r->tap);
		k++;
	}
	ro->ctx_free(c);
	printf("%s%zu passed, %zu failed", r->tap ? "# " : "", k - failed - skipped, failed);
	printf(skipped ? ", %zu skipped\n" : "\n", skipped);
	if (r->junit && cf_report_junit(r->junit, out, k) < 0) {
		fprintf(stderr, "vsnd-conform: cannot write %s\n", r->junit);
		return EXIT_FAILURE;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct run r;
	int k = parse_args(&r, argc, argv);

	if (k <= 0)
		return k < 0 ? EXIT_USAGE : EXIT_SUCCESS;
	if (r.list) {
		list(&r, roles[r.o.role].table, *roles[r.o.role].n);
		return EXIT_SUCCESS;
	}
	return run_all(&r, &roles[r.o.role]);
}
