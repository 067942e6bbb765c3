// SPDX-License-Identifier: MIT
/*
 * report.c - vsnd-bench's results: the rows of the human table and of the
 * JSON file come from one list, so the two always say the same thing; and
 * the memcpy reference measured beside P7.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "vsnd-common/util.h"

enum target_kind { TARGET_NONE, TARGET_MAX, TARGET_MIN };

struct row {
	const char *id;		/* "P1", "P7" */
	const char *key;	/* JSON name */
	const char *what;
	double value;
	const char *unit;
	double scale;		/* shown value = value / scale */
	int digits;
	enum target_kind kind;
	double target;
};

#define MAX_ROWS 8

static double p1_pct(const struct bench_report *r)
{
	if (!r->window_ns || !r->streams)
		return 0;
	return (double)r->cpu_ns / (double)r->window_ns / r->streams * 100.0;
}

static double p1_played_pct(const struct bench_report *r)
{
	double want = (double)r->window_ns / 1e9 * BENCH_BYTES_PER_SEC * r->streams;

	return want > 0 ? (double)r->p1.bytes_played / want * 100.0 : 0;
}

static double p7_bps(const struct bench_report *r)
{
	return r->p7.elapsed_ns ? (double)r->p7.bytes * 1e9 / (double)r->p7.elapsed_ns : 0;
}

static unsigned int rows(const struct bench_report *r, struct row *out)
{
	unsigned int n = 0;

	if (r->run_p1) {
		out[n++] = (struct row){ "P1", "cpu_per_stream", "vsndbe CPU per 48 kHz stereo stream",
					 p1_pct(r), "% of a core", 1, 3, TARGET_MAX,
					 BENCH_P1_TARGET_PCT };
		out[n++] = (struct row){ "P1", "underruns", "guest underruns in the window",
					 r->p1.underruns, "", 1, 0, TARGET_MAX, 0 };
		out[n++] = (struct row){ "P1", "played", "audio played, share of real time",
					 p1_played_pct(r), "%", 1, 1, TARGET_NONE, 0 };
		out[n++] = (struct row){ "P1", "max_position_gap", "longest wait for a position move",
					 r->p1.max_gap_us / 1000.0, "ms", 1, 1, TARGET_NONE, 0 };
	}
	if (r->run_p7) {
		out[n++] = (struct row){ "P7", "throughput", "unpaced single-stream WRITE throughput",
					 p7_bps(r), "GB/s", 1e9, 2, TARGET_MIN,
					 BENCH_P7_TARGET_BPS };
		out[n++] = (struct row){ "P7", "memcpy", "memcpy of the same buffer (reference)",
					 r->memcpy_bps, "GB/s", 1e9, 2, TARGET_NONE, 0 };
	}
	return n;
}

static bool row_met(const struct row *w)
{
	switch (w->kind) {
	case TARGET_MAX:
		return w->value <= w->target;
	case TARGET_MIN:
		return w->value >= w->target;
	default:
		return true;
	}
}

static void cpu_model(char *buf, size_t size)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		snprintf(buf, size, "%.*s", (int)strcspn(colon + 2, "\n"), colon + 2);
		break;
	}
	fclose(f);
}

static void format_target(const struct row *w, char *buf, size_t size)
{
	if (w->kind == TARGET_NONE)
		snprintf(buf, size, "-");
	else if (w->kind == TARGET_MAX && w->target == 0)
		snprintf(buf, size, "none");
	else
		snprintf(buf, size, "%s %.*f %s", w->kind == TARGET_MAX ? "<=" : ">=", w->digits,
			 w->target / w->scale, w->unit);
}

void bench_report_print(const struct bench_report *r)
{
	struct row w[MAX_ROWS];
	unsigned int n = rows(r, w);
	char cpu[128], value[64], target[64];

	cpu_model(cpu, sizeof(cpu));
	printf("vsnd-bench: %s, %ld CPU(s); window %.1f s after %.1f s of warm-up\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN), r->seconds, r->warmup);
	if (r->run_p1)
		printf("P1: %u stream(s) in %u guest(s), 48 kHz S16_LE stereo, 10 ms periods, "
		       "paced null sink\n", r->streams, r->guests);
	if (r->run_p7)
		printf("P7: one stream, %u-octet buffer, null:unpaced sink\n", r->p7_buffer);
	printf("\n%-3s  %-40s  %-20s  %-20s  %s\n", "id", "metric", "value", "target", "result");
	for (unsigned int i = 0; i < n; i++) {
		snprintf(value, sizeof(value), "%.*f %s", w[i].digits, w[i].value / w[i].scale,
			 w[i].unit);
		format_target(&w[i], target, sizeof(target));
		printf("%-3s  %-40s  %-20s  %-20s  %s\n", w[i].id, w[i].what, value, target,
		       w[i].kind == TARGET_NONE ? "-" : row_met(&w[i]) ? "met" : "missed");
	}
	fflush(stdout);
}

/* @s as a JSON string body (the CPU model is the only outside text). */
static void json_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

static void json_rows(FILE *f, const struct bench_report *r)
{
	struct row w[MAX_ROWS];
	unsigned int n = rows(r, w);

	fprintf(f, "  \"metrics\": [\n");
	for (unsigned int i = 0; i < n; i++) {
		fprintf(f, "    {\"id\": \"%s\", \"name\": \"%s\", \"what\": \"%s\", "
			"\"value\": %.9g, \"unit\": \"%s\", ", w[i].id, w[i].key, w[i].what,
			w[i].value / w[i].scale, w[i].unit);
		if (w[i].kind == TARGET_NONE)
			fprintf(f, "\"target\": null, \"met\": null}");
		else
			fprintf(f, "\"target\": {\"%s\": %.9g}, \"met\": %s}",
				w[i].kind == TARGET_MAX ? "max" : "min", w[i].target / w[i].scale,
				row_met(&w[i]) ? "true" : "false");
		fprintf(f, "%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "  ]\n");
}

static void json_details(FILE *f, const struct bench_report *r)
{
	fprintf(f, "  \"p1\": {\"streams\": %u, \"guests\": %u, \"cpu_ns\": %llu, "
		"\"window_ns\": %llu, \"bytes_played\": %llu, \"writes\": %llu, "
		"\"events\": %llu, \"underruns\": %u},\n",
		r->streams, r->guests, (unsigned long long)r->cpu_ns,
		(unsigned long long)r->window_ns, (unsigned long long)r->p1.bytes_played,
		(unsigned long long)r->p1.writes, (unsigned long long)r->p1.events,
		r->p1.underruns);
	fprintf(f, "  \"p7\": {\"buffer_bytes\": %u, \"bytes\": %llu, \"writes\": %llu, "
		"\"elapsed_ns\": %llu, \"written_since_open\": %llu, \"final_position\": %llu, "
		"\"memcpy_bytes_per_s\": %.9g},\n",
		r->p7.buffer_bytes, (unsigned long long)r->p7.bytes,
		(unsigned long long)r->p7.writes, (unsigned long long)r->p7.elapsed_ns,
		(unsigned long long)r->p7.written, (unsigned long long)r->p7.final_position,
		r->memcpy_bps);
}

int bench_report_json(const struct bench_report *r, const char *path)
{
	char cpu[128];
	FILE *f = fopen(path, "we");

	if (!f)
		return bench_fail(negative_errno(), "creating %s: %m", path);
	cpu_model(cpu, sizeof(cpu));
	fprintf(f, "{\n  \"program\": \"" BENCH_PROGRAM "\",\n  \"machine\": {\"cpu\": \"");
	json_str(f, cpu);
	fprintf(f, "\", \"cpus\": %ld},\n", sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "  \"parameters\": {\"streams\": %u, \"seconds\": %.3f, \"warmup\": %.3f, "
		"\"p7_buffer\": %u, \"p1\": %s, \"p7\": %s},\n", r->streams, r->seconds, r->warmup,
		r->p7_buffer, r->run_p1 ? "true" : "false", r->run_p7 ? "true" : "false");
	json_details(f, r);
	json_rows(f, r);
	fprintf(f, "}\n");
	if (fclose(f) != 0)
		return bench_fail(negative_errno(), "writing %s: %m", path);
	return 0;
}

double bench_memcpy_bps(uint32_t bytes, uint64_t ms)
{
	_cleanup_free_ uint8_t *src = malloc(bytes), *dst = malloc(bytes);
	uint64_t t0, t, n = 0;

	if (!src || !dst || !bytes)
		return 0;
	memset(src, 0x5a, bytes);
	memset(dst, 0, bytes);
	t0 = now_ns();
	do {
		memcpy(dst, src, bytes);
		/* The copy must happen: the compiler may not see dst unused. */
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		n++;
		t = now_ns();
	} while (t - t0 < ms * NSEC_PER_MSEC);
	return (double)n * bytes * 1e9 / (double)(t - t0);
}
