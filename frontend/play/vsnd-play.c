// SPDX-License-Identifier: MIT
/*
 * vsnd-play.c - the command line of vsnd-play, a guest-side player and
 * recorder for Xen PV sound.
 *
 * vsnd-play acts as a guest's sound frontend through libvsndfront: it
 * connects to one vsnd device (in a domU, or as domain N under xensimd),
 * negotiates a stream's parameters the way the Linux frontend does, and
 * plays a WAV file into a playback stream or records a capture stream into
 * a WAV file, then reports what the backend did (positions, CUR_POS events,
 * underruns, requests). This file parses the options (exit status 2 for a
 * bad one, naming it) and runs the command; see vsnd-play(1).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"

enum {
	OPT_XEN = 0x100,
	OPT_DOMID,
	OPT_DEVID,
	OPT_PCM,
	OPT_STREAM,
	OPT_STREAM_INDEX,
	OPT_PERIOD_BYTES,
	OPT_PERIOD_MS,
	OPT_BUFFER_BYTES,
	OPT_PERIODS,
	OPT_RATE,
	OPT_FORMAT,
	OPT_CHANNELS,
	OPT_DURATION,
	OPT_JSON,
};

static const struct option long_options[] = {
	{ "xen", required_argument, NULL, OPT_XEN },
	{ "domid", required_argument, NULL, OPT_DOMID },
	{ "devid", required_argument, NULL, OPT_DEVID },
	{ "pcm", required_argument, NULL, OPT_PCM },
	{ "stream", required_argument, NULL, OPT_STREAM },
	{ "stream-index", required_argument, NULL, OPT_STREAM_INDEX },
	{ "period-bytes", required_argument, NULL, OPT_PERIOD_BYTES },
	{ "period-ms", required_argument, NULL, OPT_PERIOD_MS },
	{ "buffer-bytes", required_argument, NULL, OPT_BUFFER_BYTES },
	{ "periods", required_argument, NULL, OPT_PERIODS },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "channels", required_argument, NULL, OPT_CHANNELS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROGRAM " [OPTIONS] play FILE.wav\n"
		"       " PROGRAM " [OPTIONS] record FILE.wav\n"
		"\n"
		"Play a WAV file into, or record one from, a Xen PV sound stream as a guest.\n"
		"\n"
		"  --xen=real|sim:DIR       Xen to use (default real; sim:DIR needs --domid)\n"
		"  --domid N                the domain to act as under xensimd\n"
		"  --devid N                the vsnd device (default 0)\n"
		"  --pcm P --stream S       the stream by PCM device and stream number\n"
		"  --stream-index I         the stream by card-wide index\n"
		"                           (default: the first playback/capture stream)\n"
		"  --period-bytes N | --period-ms MS    period (default 10 ms)\n"
		"  --buffer-bytes N | --periods K       buffer (default 4 periods)\n"
		"  --rate R --format F --channels C     record only (48000, s16_le, 2)\n"
		"  --duration SECONDS       record length (default 5), or play at most this\n"
		"  --json                   print the report as one JSON object\n"
		"  -v, --verbose            print the library's messages\n"
		"  -h, --help               show this help\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROGRAM " --help'.\n", stderr);
	return -EINVAL;
}

static int parse_u32(const char *opt, const char *arg, uint32_t min, uint32_t max,
		     uint32_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno == ERANGE)
		return usage_error("--%s '%s': not a decimal number", opt, arg);
	if (v < min || v > max)
		return usage_error("--%s %llu: must be %u to %u", opt, v, min, max);
	*ret = (uint32_t)v;
	return 0;
}

static int parse_int(const char *opt, const char *arg, uint32_t max, int *ret)
{
	uint32_t v;
	int r = parse_u32(opt, arg, 0, max, &v);

	if (r == 0)
		*ret = (int)v;
	return r;
}

static int parse_duration(const char *arg, uint64_t *ret_ms)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(s))
		return usage_error("--duration '%s': not a number of seconds", arg);
	if (s < 0.001 || s > 86400.0)
		return usage_error("--duration %s: must be 0.001 to 86400 seconds", arg);
	*ret_ms = (uint64_t)llround(s * 1000.0);
	return 0;
}

static int parse_format(const char *arg, int *ret)
{
	int code = vsnd_format_from_name(arg, strlen(arg));

	if (code < 0)
		return usage_error("--format '%s': not a sndif format name (e.g. s16_le)", arg);
	if (code != XENSND_PCM_FORMAT_U8 && code != XENSND_PCM_FORMAT_S16_LE &&
	    code != XENSND_PCM_FORMAT_S24_LE && code != XENSND_PCM_FORMAT_S32_LE &&
	    code != XENSND_PCM_FORMAT_F32_LE && code != XENSND_PCM_FORMAT_F64_LE)
		return usage_error("--format %s: a WAV file cannot hold it (use u8, s16_le, "
				   "s24_le, s32_le, float_le or float64_le)", arg);
	*ret = code;
	return 0;
}

static int parse_xen(const char *arg)
{
	if (strcmp(arg, "real") == 0 || (strncmp(arg, "sim:", 4) == 0 && arg[4] != '\0'))
		return 0;
	return usage_error("--xen '%s': must be 'real' or 'sim:DIR'", arg);
}

/* One option; returns 0 or -EINVAL (the message printed). */
static int parse_one(int c, const char *arg, struct play_opts *o)
{
	switch (c) {
	case OPT_XEN:
		o->xen = arg;
		return parse_xen(arg);
	case OPT_DOMID:
		o->have_domid = true;
		return parse_u32("domid", arg, 0, 0x7fef, &o->domid);
	case OPT_DEVID:
		return parse_u32("devid", arg, 0, INT32_MAX, &o->devid);
	case OPT_PCM:
		return parse_int("pcm", arg, 98, &o->pcm);
	case OPT_STREAM:
		return parse_int("stream", arg, 7, &o->stream);
	case OPT_STREAM_INDEX:
		return parse_int("stream-index", arg, 99 * 8 - 1, &o->stream_index);
	case OPT_PERIOD_BYTES:
		return parse_u32("period-bytes", arg, 1, UINT32_MAX, &o->period_bytes);
	case OPT_PERIOD_MS:
		return parse_u32("period-ms", arg, 1, 10000, &o->period_ms);
	case OPT_BUFFER_BYTES:
		return parse_u32("buffer-bytes", arg, 1, UINT32_MAX, &o->buffer_bytes);
	case OPT_PERIODS:
		return parse_u32("periods", arg, LINUX_PERIODS_MIN, 4096, &o->periods);
	case OPT_RATE:
		return parse_u32("rate", arg, 1, 768000, &o->rate);
	case OPT_FORMAT:
		return parse_format(arg, &o->format);
	case OPT_CHANNELS:
		return parse_u32("channels", arg, 1, 255, &o->channels);
	case OPT_DURATION:
		return parse_duration(arg, &o->duration_ms);
	case OPT_JSON:
		o->json = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Combinations that single options cannot check. */
static int check_opts(const struct play_opts *o)
{
	if (strncmp(o->xen, "sim:", 4) == 0 && !o->have_domid)
		return usage_error("--xen=%s needs --domid (the domain to act as)", o->xen);
	if ((o->pcm >= 0) != (o->stream >= 0))
		return usage_error("--%s needs --%s too", o->pcm >= 0 ? "pcm" : "stream",
				   o->pcm >= 0 ? "stream" : "pcm");
	if (o->pcm >= 0 && o->stream_index >= 0)
		return usage_error("--stream-index and --pcm/--stream both name a stream");
	if (o->period_bytes && o->period_ms)
		return usage_error("--period-bytes and --period-ms both set the period");
	if (o->buffer_bytes && o->periods)
		return usage_error("--buffer-bytes and --periods both set the buffer");
	if (o->cmd == CMD_PLAY && (o->rate || o->channels || o->format >= 0))
		return usage_error("--%s: only for record (play takes it from the WAV file)",
				   o->rate ? "rate" : o->channels ? "channels" : "format");
	return 0;
}

static int parse_command(int argc, char **argv, struct play_opts *o)
{
	if (optind >= argc)
		return usage_error("missing command: play FILE.wav or record FILE.wav");
	if (strcmp(argv[optind], "play") == 0)
		o->cmd = CMD_PLAY;
	else if (strcmp(argv[optind], "record") == 0)
		o->cmd = CMD_RECORD;
	else
		return usage_error("unknown command '%s' (play or record)", argv[optind]);
	if (optind + 1 >= argc)
		return usage_error("%s: missing FILE.wav", argv[optind]);
	if (optind + 2 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 2]);
	o->file = argv[optind + 1];
	return 0;
}

/* Return: 1 to run, 0 to exit successfully (--help), -EINVAL for a bad command line. */
static int parse_argv(int argc, char **argv, struct play_opts *o)
{
	int c, r;

	*o = (struct play_opts){ .xen = "real", .pcm = -1, .stream = -1,
				 .stream_index = -1, .format = -1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", long_options, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == ':')
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		if (c == '?' && optopt > 0 && optopt < 0x100)
			return usage_error("unknown option '-%c'", optopt);
		if (c == '?')
			return usage_error("unknown option '%s'", argv[optind - 1]);
		r = parse_one(c, optarg, o);
		if (r < 0)
			return r;
	}
	r = parse_command(argc, argv, o);
	if (r < 0)
		return r;
	r = check_opts(o);
	return r < 0 ? r : 1;
}

static int run(const struct play_opts *opts)
{
	struct session ss = { .sigfd = -1 };
	int r;

	r = session_open(&ss, opts);
	if (r < 0)
		return EXIT_FAILURE;
	r = opts->cmd == CMD_PLAY ? play_file(&ss) : record_file(&ss);
	session_close(&ss);
	if (r < 0 && !ss.rep.interrupted)
		return EXIT_FAILURE;
	print_report(&ss);
	if (r < 0)
		return EXIT_FAILURE;
	return ss.rep.interrupted ? EXIT_INTERRUPTED : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct play_opts opts;
	int r;

	r = parse_argv(argc, argv, &opts);
	if (r <= 0)
		return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
	return run(&opts);
}
