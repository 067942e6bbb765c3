/* SPDX-License-Identifier: MIT */
/*
 * main.c - vsndbe's entry point: command line, the wiring of the XenBus
 * side (xenbus.h) over the device layer (vsnd-dev.h) into the event loop
 * (loop.h), readiness and logging (docs/man/vsndbe.8).
 *
 * By default the process is the broker: it owns XenStore, the state
 * machine and the policy, and each connected device is served by a worker
 * process of its own (broker.h; vsndbe --worker --fd N runs one, worker.h).
 * A worker that dies or reports a broken ring has its device disconnected
 * through sndbe_xenbus_fail(), and a heartbeat timer pings every worker.
 * With --single-process the broker serves every device itself
 * (worker-loop.h). Either way, after every dispatch the devices whose guest
 * broke a ring are disconnected. Readiness, once the first XenStore scan is
 * done, is the line "vsndbe ready" on stdout and READY=1 to the service
 * manager. SIGTERM/SIGINT free the XenBus side (every device disconnected,
 * every worker gone, every page unmapped) and exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "broker.h"
#include "loop.h"
#include "policy.h"
#include "ring.h"
#include "util.h"
#include "vsnd-dev.h"
#include "worker-loop.h"
#include "worker-proto.h"
#include "worker.h"
#include "xenbus.h"
#include "xenif/xenif.h"

#ifndef VSND_VERSION
#define VSND_VERSION "unknown"
#endif

/* Largest --ring-budget: a few rings' worth. */
#define RING_BUDGET_MAX SNDBE_RING_BUDGET_MAX

/* The policy file, vsndbe.conf(5); a missing one is an empty policy. */
#define DEFAULT_CONFIG "/etc/vsnd/vsndbe.conf"

struct options {
	const char *xen;
	const char *sink;
	const char *config;
	bool config_given;	/* --config: the file must exist */
	bool check_config;	/* --check-config: validate and exit */
	uint32_t buffer_cap;
	uint32_t ring_budget;
	uint32_t pos_ticks;
	uint32_t pos_floor_us;
	bool single_process;
	bool verbose;
	bool worker;		/* --worker: serve one device for a broker */
	int worker_fd;		/* --fd */
};

struct daemon {
	const struct options *opt;
	struct sndbe_dev_layer layer;
	struct sndbe_xenbus *xb;
	struct sndbe_loop *loop;
	struct sndbe_wloop wl;
	struct sndbe_broker *broker; /* NULL with --single-process */
	unsigned int last_known, last_connected;
	uint64_t last_connect_errors;
	int last_xb_error;
	struct sndbe_policy *policy;
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vsndbe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void help(void)
{
	printf("Usage: vsndbe [OPTION]...\n"
	       "Serve the vsnd paravirtual sound devices of Xen guests (dom0 backend).\n\n"
	       "  --xen=real|sim:DIR   Xen to use (default: real)\n"
	       "  --single-process     serve every guest in this process, no workers\n"
	       "  --sink=SPEC          host device template, %%u: domid, pcm, stream\n"
	       "                       (default: alsa:default), unless the policy says\n"
	       "  --config=FILE        the policy, vsndbe.conf(5), and FILE's conf.d/*.conf\n"
	       "                       (default: " DEFAULT_CONFIG ", may be missing)\n"
	       "  --check-config[=FILE]  check the policy, list its errors and exit\n"
	       "  --buffer-cap=BYTES   largest buffer a guest may open (0: protocol maximum)\n"
	       "  --ring-budget=N      requests served per ring and wakeup (1-%u, default %u)\n"
	       "  --pos-ticks=K        position events per period (1-%u, default %u)\n"
	       "  --pos-floor-us=US    shortest time between position events\n"
	       "                       (%u-%u, default %u)\n"
	       "  -v, --verbose        log more\n"
	       "  --help               show this help and exit\n"
	       "  --version            show the version and exit\n",
	       RING_BUDGET_MAX, SNDBE_RING_BUDGET_DEFAULT, SNDBE_STREAM_POS_TICKS_MAX,
	       SNDBE_STREAM_POS_TICKS_DEFAULT,
	       SNDBE_STREAM_POS_FLOOR_US_MIN, SNDBE_STREAM_POS_FLOOR_US_MAX,
	       SNDBE_STREAM_POS_FLOOR_US_DEFAULT);
}

/* --NAME=ARG as a decimal in [min, max]; 0 or -EINVAL (said). */
static int parse_u32(const char *name, const char *arg, uint32_t min, uint32_t max, uint32_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		logf_("--%s=%s: expected a number from %" PRIu32 " to %" PRIu32, name, arg, min,
		      max);
		return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

enum { ARG_XEN = 0x100, ARG_SINGLE, ARG_SINK, ARG_CAP, ARG_BUDGET, ARG_TICKS, ARG_FLOOR,
       ARG_HELP, ARG_VERSION, ARG_CONFIG, ARG_CHECK, ARG_WORKER, ARG_FD };

/* The options with a value: 0, or -EINVAL having said why. */
static int parse_value(int c, const char *arg, struct options *o)
{
	char spec[SNDBE_DEV_SPEC_MAX];

	switch (c) {
	case ARG_XEN:
		if (strcmp(arg, "real") && (strncmp(arg, "sim:", 4) || !arg[4])) {
			logf_("--xen=%s: expected \"real\" or \"sim:DIR\"", arg);
			return -EINVAL;
		}
		o->xen = arg;
		return 0;
	case ARG_CONFIG:
		if (!*arg) {
			logf_("--config=: expected a file name");
			return -EINVAL;
		}
		o->config = arg;
		o->config_given = true;
		return 0;
	case ARG_SINK:
		if (!*arg || sndbe_dev_expand_spec(arg, 0, 0, 0, spec, sizeof(spec)) < 0) {
			logf_("--sink=%s: not a host device template", arg);
			return -EINVAL;
		}
		o->sink = arg;
		return 0;
	case ARG_CAP:
		return parse_u32("buffer-cap", arg, 0, UINT32_MAX, &o->buffer_cap);
	case ARG_BUDGET:
		return parse_u32("ring-budget", arg, 1, RING_BUDGET_MAX, &o->ring_budget);
	case ARG_TICKS:
		return parse_u32("pos-ticks", arg, 1, SNDBE_STREAM_POS_TICKS_MAX, &o->pos_ticks);
	case ARG_FLOOR:
		return parse_u32("pos-floor-us", arg, SNDBE_STREAM_POS_FLOOR_US_MIN,
				 SNDBE_STREAM_POS_FLOOR_US_MAX, &o->pos_floor_us);
	case ARG_FD: {
		uint32_t fd = 0;
		int r = parse_u32("fd", arg, 3, INT32_MAX, &fd);

		o->worker_fd = (int)fd;
		return r;
	}
	default:
		return -EINVAL;
	}
}

/* --worker comes with --fd=N and without --single-process. */
static int check_modes(const struct options *o)
{
	if (o->worker != (o->worker_fd >= 0) || (o->worker && o->single_process)) {
		logf_("--worker and --fd=N go together, without --single-process "
		      "(vsndbe starts its workers itself)");
		return -EINVAL;
	}
	return 0;
}

/* Return 0 to run, 1 to exit 0 (help/version), -EINVAL on a usage error. */
static int parse_argv(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "xen", required_argument, NULL, ARG_XEN },
		{ "single-process", no_argument, NULL, ARG_SINGLE },
		{ "sink", required_argument, NULL, ARG_SINK },
		{ "buffer-cap", required_argument, NULL, ARG_CAP },
		{ "ring-budget", required_argument, NULL, ARG_BUDGET },
		{ "pos-ticks", required_argument, NULL, ARG_TICKS },
		{ "pos-floor-us", required_argument, NULL, ARG_FLOOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, ARG_HELP },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "config", required_argument, NULL, ARG_CONFIG },
		{ "check-config", optional_argument, NULL, ARG_CHECK },
		{ "worker", no_argument, NULL, ARG_WORKER },
		{ "fd", required_argument, NULL, ARG_FD },
		{ 0 },
	};
	int c, r;

	*o = (struct options){ .xen = "real", .sink = "alsa:default", .config = DEFAULT_CONFIG,
			       .worker_fd = -1 };
	while ((c = getopt_long(argc, argv, "v", longopts, NULL)) >= 0) {
		switch (c) {
		case ARG_SINGLE:
			o->single_process = true;
			break;
		case ARG_WORKER:
			o->worker = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case ARG_HELP:
			help();
			return 1;
		case ARG_VERSION:
			printf("vsndbe " VSND_VERSION "\n");
			return 1;
		case ARG_CHECK:
			o->check_config = true;
			if (optarg && parse_value(ARG_CONFIG, optarg, o) < 0)
				return -EINVAL;
			break;
		case '?':
			return -EINVAL;
		default:
			r = parse_value(c, optarg, o);
			if (r < 0)
				return r;
		}
	}
	if (optind < argc) {
		logf_("%s: unexpected argument", argv[optind]);
		return -EINVAL;
	}
	return check_modes(o);
}

/* Log what changed that one can see: device counts, new failures. */
static void report(struct daemon *d)
{
	unsigned int known = sndbe_xenbus_count(d->xb);

	if (known != d->last_known || d->layer.n_devs != d->last_connected) {
		if (d->broker)
			logf_("%u device(s) known, %u connected, %u worker(s)", known,
			      d->layer.n_devs, sndbe_broker_count(d->broker));
		else
			logf_("%u device(s) known, %u connected", known, d->layer.n_devs);
	}
	if (d->layer.connect_errors != d->last_connect_errors) {
		logf_("warning: %" PRIu64 " device connection(s) failed so far",
		      d->layer.connect_errors);
		for (unsigned int i = 0; i < known; i++) {
			struct sndbe_xb_info info;

			if (sndbe_xenbus_info(d->xb, i, &info) == 0 && info.error[0])
				logf_("domain %u device %u: %s", info.domid, info.devid,
				      info.error);
		}
	}
	d->last_known = known;
	d->last_connected = d->layer.n_devs;
	d->last_connect_errors = d->layer.connect_errors;
}

static void on_xenbus_fd(struct sndbe_loop *l, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	int r = sndbe_xenbus_process(d->xb);

	(void)l, (void)fd, (void)revents;
	/* The next call tries again: say it once per distinct error. */
	if (r < 0 && r != d->last_xb_error)
		logf_("warning: XenStore scan: %s", strerror(-r));
	d->last_xb_error = r;
	report(d);
}

/* Disconnect a device whose guest broke a ring (security.md rule 2). */
static void on_broken(void *userdata, uint32_t domid, uint32_t devid, int err)
{
	struct daemon *d = userdata;

	logf_("domain %u device %u: the guest broke a request ring (%s): "
	      "disconnecting the device",
	      domid, devid, strerror(-err));
	sndbe_xenbus_fail(d->xb, domid, devid, err, "a request ring's req_prod is out of range");
}

/* After every dispatch: disconnect the devices of dead workers; report. */
static void after(void *userdata)
{
	struct daemon *d = userdata;
	uint32_t domid, devid;
	char why[SNDBE_XB_ERROR_MAX];
	int e;

	while (d->broker &&
	       (e = sndbe_broker_next_dead(d->broker, &domid, &devid, why, sizeof(why))) < 0) {
		logf_("domain %u device %u: %s: disconnecting the device", domid, devid, why);
		sndbe_xenbus_fail(d->xb, domid, devid, e, why);
	}
	report(d);
}

/* The heartbeat: the watchdog is fed only while every worker answers. */
static void on_tick(struct sndbe_loop *l, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;

	(void)l, (void)fd, (void)revents;
	if (sndbe_broker_tick(d->broker))
		sd_notify(0, "WATCHDOG=1");
}

/* The policy of --config, each error said on a line of its own. */
static int load_policy(const struct options *o, struct sndbe_policy **ret)
{
	struct sndbe_policy *p = NULL;
	unsigned int n;
	int r;

	r = sndbe_policy_load(o->config, o->config_given, &p);
	if (r == -ENOMEM) {
		logf_("%s: %s", o->config, strerror(-r));
		return r;
	}
	n = sndbe_policy_n_errors(p);
	for (unsigned int i = 0; i < n && sndbe_policy_error(p, i); i++)
		logf_("%s", sndbe_policy_error(p, i));
	if (n > SNDBE_POLICY_ERRORS_MAX)
		logf_("and %u more error(s)", n - SNDBE_POLICY_ERRORS_MAX);
	if (r < 0) {
		sndbe_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

/* --check-config: 0 when the policy is valid, 1 otherwise. */
static int check_config(const struct options *o)
{
	struct sndbe_policy *p = NULL;

	if (load_policy(o, &p) < 0) {
		logf_("%s: the policy is not valid", o->config);
		return 1;
	}
	printf("%s: valid, %u section(s)\n", o->config, sndbe_policy_n_sections(p));
	sndbe_policy_free(p);
	return 0;
}

/*
 * SIGHUP: read the policy again. An invalid one leaves the one in force;
 * a valid one applies to every later connect, and its capture rule at once
 * to the connected capture streams (sndbe_dev_reapply_capture()).
 */
static void on_reload(struct sndbe_loop *l, void *userdata)
{
	struct daemon *d = userdata;
	struct sndbe_policy *p = NULL;
	unsigned int withheld;

	(void)l;
	if (load_policy(d->opt, &p) < 0) {
		logf_("SIGHUP: %s is not valid: the policy in force stays", d->opt->config);
		return;
	}
	d->layer.policy = p;
	sndbe_policy_free(d->policy);
	d->policy = p;
	withheld = sndbe_dev_reapply_capture(&d->layer);
	logf_("SIGHUP: policy reloaded from %s; %u connected capture stream(s) withheld",
	      d->opt->config, withheld);
}

/* Per-guest workers, unless --single-process; the heartbeat in the loop. */
static int start_broker(struct daemon *d)
{
	const struct options *o = d->opt;
	struct sndbe_broker_config bc = { .exe = "/proc/self/exe", .xen = o->xen,
					  .verbose = o->verbose, .ring_budget = o->ring_budget,
					  .pos_ticks = o->pos_ticks,
					  .pos_floor_us = o->pos_floor_us };
	int r;

	if (o->single_process)
		return 0;
	r = sndbe_broker_new(&bc, &d->broker);
	if (r < 0)
		return r;
	d->layer.runner = &sndbe_broker_runner;
	d->layer.runner_data = d->broker;
	d->wl.extra = &sndbe_broker_extra;
	d->wl.extra_data = d->broker;
	return sndbe_loop_add(d->loop, sndbe_broker_timer_fd(d->broker), POLLIN, on_tick, d);
}

/* The loop and what it watches; 0 or a negative errno. */
static int start(struct daemon *d, struct xenif *x)
{
	int r = sndbe_loop_new(&d->loop);

	/* Broken rings and dead workers are the broker's to disconnect. */
	d->wl = (struct sndbe_wloop){ .layer = &d->layer, .loop = d->loop,
				      .verbose = d->opt->verbose, .log = logf_,
				      .on_broken = on_broken, .after = after, .userdata = d };
	if (r >= 0)
		r = start_broker(d);
	if (r >= 0)
		r = sndbe_xenbus_new(x, &sndbe_dev_ops, &d->layer, &d->xb);
	if (r >= 0)
		r = sndbe_loop_add(d->loop, sndbe_xenbus_fd(d->xb), POLLIN, on_xenbus_fd, d);
	if (r >= 0)
		r = sndbe_wloop_init(&d->wl);
	return r;
}

static int run(const struct options *o)
{
	static struct daemon d;
	struct xenif *x = NULL;
	int r;

	d = (struct daemon){ .opt = o };
	if (load_policy(o, &d.policy) < 0)
		return 1;
	r = xenif_open(o->xen, strcmp(o->xen, "real") ? 0 : XENIF_DOMID_SELF, &x);
	if (r < 0) {
		logf_("--xen=%s: %s", o->xen, strerror(-r));
		d.policy = sndbe_policy_free(d.policy);
		return 1;
	}
	d.layer = (struct sndbe_dev_layer){ .x = x,
					    .spec = o->sink,
					    .buffer_bytes_cap = o->buffer_cap,
					    .ring_budget = o->ring_budget,
					    .pos_ticks = o->pos_ticks,
					    .pos_floor_us = o->pos_floor_us,
					    .policy = d.policy };
	r = start(&d, x);
	if (r < 0) {
		logf_("starting: %s", strerror(-r));
		goto out;
	}
	sndbe_loop_set_reload(d.loop, on_reload, &d);
	on_xenbus_fd(d.loop, -1, 0, &d);
	sndbe_wloop_resync(&d.wl);
	printf("vsndbe ready\n");
	fflush(stdout);
	sd_notify(0, "READY=1");
	logf_("serving as domain %u, sink %s, %s", xenif_domid(x), o->sink,
	      d.broker ? "one worker per device" : "in a single process");
	r = sndbe_loop_run(d.loop);
	if (r < 0)
		logf_("event loop: %s", strerror(-r));
out:
	sndbe_wloop_fini(&d.wl);
	d.xb = sndbe_xenbus_free(d.xb);
	d.broker = sndbe_broker_free(d.broker);
	d.loop = sndbe_loop_free(d.loop);
	xenif_close(x);
	d.policy = sndbe_policy_free(d.policy);
	return r == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct options o;
	int r;

	r = parse_argv(argc, argv, &o);
	if (r != 0)
		return r > 0 ? 0 : 2;
	if (o.check_config)
		return check_config(&o);
	signal(SIGPIPE, SIG_IGN);
	if (o.worker)
		return sndbe_worker_main(o.xen, o.worker_fd, o.verbose);
	return run(&o);
}
