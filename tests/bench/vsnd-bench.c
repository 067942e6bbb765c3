// SPDX-License-Identifier: MIT
/*
 * vsnd-bench - vsndbe's performance figures on the simulator, in one run
 * (docs/man/vsnd-bench.1, docs/benchmarks.md):
 *
 *   P1  vsndbe's CPU time per 48 kHz S16_LE stereo stream at 10 ms periods
 *       on the paced "null" sink, as a share of one core, with guests that
 *       keep every stream fed;
 *   P7  single-stream WRITE throughput against the "null:unpaced" sink,
 *       measured by the guest, beside memcpy of the same buffer.
 *
 * Each metric runs in a phase of its own: a fresh xensimd, guest domains
 * with vsnd cards written as libxl writes them, the real vsndbe binary
 * (readiness from its "vsndbe ready" line) and guest processes on
 * libvsndfront. The exit status says whether the bench ran, not whether
 * the targets were met: 0 ran, 1 could not run (the reason is printed),
 * 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "guest-int.h"
#include "vsnd-common/util.h"

#ifndef BENCH_DEFAULT_VSNDBE
#define BENCH_DEFAULT_VSNDBE "vsndbe"
#endif
#ifndef BENCH_DEFAULT_XENSIMD
#define BENCH_DEFAULT_XENSIMD "xensimd"
#endif
#ifndef BENCH_DEFAULT_XENSIMD_CTL
#define BENCH_DEFAULT_XENSIMD_CTL "xensimd-ctl"
#endif

#define P1_PERIOD_BYTES 1920u	/* 10 ms at 48 kHz, S16_LE, stereo */
#define P1_PERIODS 4u
#define P1_CARD_BUFFER 65536u	/* the card's buffer-size (Linux's default) */
#define STREAMS_MAX (64u * GUEST_STREAMS_MAX)

struct options {
	struct bench_paths paths;
	uint32_t streams;
	double seconds, warmup;
	uint32_t p7_buffer;
	bool p1, p7, keep;
	const char *json;
};

static void help(void)
{
	printf("Usage: " BENCH_PROGRAM " [OPTION]...\n"
	       "Measure vsndbe on the Xen simulator: P1 (CPU per stream) and P7 (throughput).\n\n"
	       "  --streams=N        P1 streams (1-%u, default 16)\n"
	       "  --seconds=S        measured window of each metric (default 10)\n"
	       "  --warmup=S         warm-up before each window (default 2)\n"
	       "  --p7-buffer=BYTES  P7 buffer size (default 1048576)\n"
	       "  --only=p1|p7       run one metric only\n"
	       "  --json=FILE        also write the results as JSON\n"
	       "  --vsndbe=PATH, --xensimd=PATH, --xensimd-ctl=PATH\n"
	       "                     the programs to run\n"
	       "  --vsndbe-arg=OPT   one more vsndbe option (repeatable)\n"
	       "  --keep             keep the run directory and its logs\n"
	       "  --help             show this help and exit\n", STREAMS_MAX);
}

/* A program next to the build, or its name for a search of $PATH. */
static const char *program(const char *built, const char *name)
{
	return access(built, X_OK) == 0 ? built : name;
}

static int parse_number(const char *name, const char *arg, double min, double max, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= min && v <= max)) {
		fprintf(stderr, BENCH_PROGRAM ": --%s=%s: expected a number from %g to %g\n", name,
			arg, min, max);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* A decimal in [min, max] that is a multiple of @unit. */
static int parse_count(const char *name, const char *arg, uint32_t min, uint32_t max,
		       uint32_t unit, uint32_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max || v % unit) {
		fprintf(stderr, BENCH_PROGRAM ": --%s=%s: expected a whole number from %u to %u%s\n",
			name, arg, min, max, unit > 1 ? ", in whole frames (4 octets)" : "");
		return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

static int parse_only(const char *arg, struct options *o)
{
	o->p1 = !strcmp(arg, "p1");
	o->p7 = !strcmp(arg, "p7");
	if (o->p1 || o->p7)
		return 0;
	fprintf(stderr, BENCH_PROGRAM ": --only=%s: expected p1 or p7\n", arg);
	return -EINVAL;
}

static int parse_option(int c, struct options *o)
{
	switch (c) {
	case 's':
		return parse_count("streams", optarg, 1, STREAMS_MAX, 1, &o->streams);
	case 'S':
		return parse_number("seconds", optarg, 0.1, 3600, &o->seconds);
	case 'w':
		return parse_number("warmup", optarg, 0, 3600, &o->warmup);
	case 'b':
		return parse_count("p7-buffer", optarg, 4096, 16u << 20, BENCH_FRAME_BYTES,
				   &o->p7_buffer);
	case 'o':
		return parse_only(optarg, o);
	case 'j':
		o->json = optarg;
		return 0;
	case 'V':
		o->paths.vsndbe = optarg;
		return 0;
	case 'X':
		o->paths.xensimd = optarg;
		return 0;
	case 'C':
		o->paths.xensimd_ctl = optarg;
		return 0;
	case 'A':
		if (o->paths.n_vsndbe_args == BENCH_VSNDBE_ARGS_MAX) {
			fprintf(stderr, BENCH_PROGRAM ": --vsndbe-arg=%s: at most %u\n", optarg,
				BENCH_VSNDBE_ARGS_MAX);
			return -EINVAL;
		}
		o->paths.vsndbe_args[o->paths.n_vsndbe_args++] = optarg;
		return 0;
	case 'k':
		o->keep = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Return 0 to run, 1 to exit 0 (help), -EINVAL on a usage error. */
static int parse_argv(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "streams", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "p7-buffer", required_argument, NULL, 'b' },
		{ "only", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "vsndbe", required_argument, NULL, 'V' },
		{ "xensimd", required_argument, NULL, 'X' },
		{ "xensimd-ctl", required_argument, NULL, 'C' },
		{ "vsndbe-arg", required_argument, NULL, 'A' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*o = (struct options){
		.paths = { program(BENCH_DEFAULT_VSNDBE, "vsndbe"),
			   program(BENCH_DEFAULT_XENSIMD, "xensimd"),
			   program(BENCH_DEFAULT_XENSIMD_CTL, "xensimd-ctl") },
		.streams = 16, .seconds = 10, .warmup = 2, .p7_buffer = 1u << 20,
		.p1 = true, .p7 = true,
	};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) >= 0) {
		if (c == 'h') {
			help();
			return 1;
		}
		if (parse_option(c, o) < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, BENCH_PROGRAM ": %s: unexpected argument\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static uint64_t to_ms(double s)
{
	return (uint64_t)(s * 1000.0 + 0.5);
}

/* Streams spread over guests of at most GUEST_STREAMS_MAX each. */
static unsigned int split_streams(unsigned int streams, unsigned int *per_guest)
{
	unsigned int guests = (streams + GUEST_STREAMS_MAX - 1) / GUEST_STREAMS_MAX;

	for (unsigned int i = 0; i < guests; i++)
		per_guest[i] = streams / guests + (i < streams % guests);
	return guests;
}

/* The measured window of P1, between two samples of vsndbe's CPU time. */
static int p1_window(const struct options *o, struct bench_report *rep, pid_t be,
		     struct bench_guests *g)
{
	uint64_t cpu0, cpu1, t0;
	int r;

	r = bench_guests_wait(g, to_ms(o->warmup));
	if (r >= 0)
		r = bench_tree_cpu_ns(be, &cpu0);
	if (r < 0)
		return r;
	t0 = now_ns();
	r = bench_guests_window(g);
	if (r >= 0)
		r = bench_guests_wait(g, to_ms(o->seconds));
	if (r >= 0)
		r = bench_tree_cpu_ns(be, &cpu1);
	if (r < 0)
		return r;
	rep->window_ns = now_ns() - t0;
	rep->cpu_ns = cpu1 - cpu0;
	r = bench_guests_finish(g, &rep->p1);
	if (r >= 0 && rep->p1.bytes_played == 0)
		r = bench_fail(-EIO, "P1: no stream played anything in the window");
	return r;
}

static int run_p1(const struct options *o, struct bench_report *rep, const char *dir)
{
	struct bench_p1_params p = { .period_bytes = P1_PERIOD_BYTES, .periods = P1_PERIODS };
	unsigned int per_guest[STREAMS_MAX / GUEST_STREAMS_MAX];
	struct bench_guests *g = NULL;
	struct bench_proc be = { .out = -1 };
	struct bench_sim sim;
	int r;

	rep->guests = split_streams(o->streams, per_guest);
	r = bench_sim_start(&sim, &o->paths, dir);
	for (unsigned int i = 0; r >= 0 && i < rep->guests; i++) {
		r = bench_sim_domain_create(&sim, i + 1);
		if (r >= 0)
			r = bench_sim_write_card(&sim, i + 1, per_guest[i], P1_CARD_BUFFER);
	}
	if (r >= 0)
		r = bench_vsndbe_start(&be, &sim, "null", 0);
	p.xen = sim.spec;
	if (r >= 0)
		r = bench_guests_start(&g, &p, rep->guests, per_guest);
	if (r >= 0)
		r = p1_window(o, rep, be.pid, g);
	bench_guests_free(g);
	if (bench_proc_stop(&be, "vsndbe") < 0 && r >= 0)
		r = -EIO;
	bench_sim_stop(&sim);
	return r;
}

static int run_p7(const struct options *o, struct bench_report *rep, const char *dir)
{
	struct bench_proc be = { .out = -1 };
	struct bench_sim sim;
	int r;

	r = bench_sim_start(&sim, &o->paths, dir);
	if (r >= 0)
		r = bench_sim_domain_create(&sim, 1);
	if (r >= 0)
		r = bench_sim_write_card(&sim, 1, 1, o->p7_buffer);
	if (r >= 0)
		r = bench_vsndbe_start(&be, &sim, "null:unpaced", o->p7_buffer);
	if (r >= 0)
		r = bench_p7_run(sim.spec, o->p7_buffer, to_ms(o->warmup), to_ms(o->seconds),
				 &rep->p7);
	if (r >= 0 && rep->p7.final_position != rep->p7.written)
		r = bench_fail(-EIO, "P7: vsndbe's position stopped at %llu of the %llu octets "
			       "written", (unsigned long long)rep->p7.final_position,
			       (unsigned long long)rep->p7.written);
	if (bench_proc_stop(&be, "vsndbe") < 0 && r >= 0)
		r = -EIO;
	bench_sim_stop(&sim);
	if (r >= 0)
		rep->memcpy_bps = bench_memcpy_bps(o->p7_buffer, to_ms(o->seconds < 1 ? o->seconds : 1));
	return r;
}

/* A run directory short enough for DIR/p1/domN.sock to fit sun_path. */
static int make_run_dir(char *buf, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp || strlen(tmp) > 60)
		tmp = "/tmp";
	snprintf(buf, size, "%s/vsnd-bench-XXXXXX", tmp);
	if (!mkdtemp(buf))
		return bench_fail(negative_errno(), "mkdtemp %s: %m", buf);
	return 0;
}

static void remove_run_dir(const char *dir)
{
	static const char *const files[] = { "p1/xensimd.log", "p1/vsndbe.log",
					     "p1/xensimd-ctl.log", "p1", "p7/xensimd.log",
					     "p7/vsndbe.log", "p7/xensimd-ctl.log", "p7", "" };
	char path[512];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (remove(path) < 0 && errno != ENOENT)
			fprintf(stderr, BENCH_PROGRAM ": removing %s: %m\n", path);
	}
}

static int run(const struct options *o, struct bench_report *rep)
{
	char dir[256], phase[300];
	int r;

	r = make_run_dir(dir, sizeof(dir));
	if (r < 0)
		return r;
	snprintf(phase, sizeof(phase), "%s/p1", dir);
	if (o->p1)
		r = run_p1(o, rep, phase);
	snprintf(phase, sizeof(phase), "%s/p7", dir);
	if (r >= 0 && o->p7)
		r = run_p7(o, rep, phase);
	if (r < 0 || o->keep)
		fprintf(stderr, BENCH_PROGRAM ": logs kept in %s\n", dir);
	else
		remove_run_dir(dir);
	return r;
}

int main(int argc, char **argv)
{
	struct bench_report rep = { 0 };
	struct options o;
	int r;

	r = parse_argv(argc, argv, &o);
	if (r != 0)
		return r > 0 ? 0 : 2;
	rep = (struct bench_report){ .streams = o.streams, .seconds = o.seconds,
				     .warmup = o.warmup, .p7_buffer = o.p7_buffer,
				     .run_p1 = o.p1, .run_p7 = o.p7 };
	r = run(&o, &rep);
	if (r < 0) {
		fprintf(stderr, BENCH_PROGRAM ": could not run: %s\n",
			bench_failure() ? bench_failure() : strerror(-r));
		return 1;
	}
	bench_report_print(&rep);
	if (o.json && bench_report_json(&rep, o.json) < 0) {
		fprintf(stderr, BENCH_PROGRAM ": %s\n", bench_failure());
		return 1;
	}
	return 0;
}
