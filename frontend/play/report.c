// SPDX-License-Identifier: MIT
/*
 * report.c - what vsnd-play prints: errors (with strerror and what was being
 * done, and a plain-words reason for the library's -EPROTO, -ETIMEDOUT and
 * -ENOTCONN), warnings, and the closing report, as text or as one JSON
 * object (--json) on standard output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "play.h"
#include "vsnd/format.h"

static const char *errno_reason(int err)
{
	switch (err) {
	case -EPROTO:
		return " (the backend broke the protocol)";
	case -ETIMEDOUT:
		return " (the backend did not answer within 3 s)";
	case -ENOTCONN:
		return " (the backend is not connected)";
	default:
		return "";
	}
}

int log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s%s\n", strerror(-err), errno_reason(err));
	return err;
}

int log_error(int err, const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return err;
}

void log_warn(const struct session *ss, const char *fmt, ...)
{
	va_list ap;

	(void)ss;
	fputs(PROGRAM ": warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *format_name(unsigned int code)
{
	return vsnd_format_to_string(code);
}

/* "u8, s16_le" (cut short with "..." when @len is too small). */
const char *format_list(uint64_t formats, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT && used < len; c++) {
		if (!(formats & VSND_FORMAT_BIT(c)))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 format_name(c));
	}
	if (!formats)
		snprintf(buf, len, "no format");
	return buf;
}

/* "5512 to 48000 Hz" or "44100, 48000 Hz". */
const char *rate_list(const struct vsnd_rate_set *rates, char *buf, size_t len)
{
	size_t used = 0;

	if (rates->n == 0) {
		snprintf(buf, len, "%u to %u Hz", rates->min, rates->max);
		return buf;
	}
	buf[0] = '\0';
	for (unsigned int i = 0; i < rates->n && i < VSND_MAX_RATES && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? ", " : "",
					 rates->rates[i]);
	if (used < len)
		snprintf(buf + used, len - used, " Hz");
	return buf;
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_json(const struct session *ss)
{
	const struct play_report *r = &ss->rep;
	bool play = ss->opts->cmd == CMD_PLAY;

	printf("{\"command\":\"%s\",\"file\":", play ? "play" : "record");
	json_string(stdout, ss->opts->file);
	printf(",\"stream\":{\"index\":%u,\"pcm\":%u,\"stream\":%u}", r->index, r->pcm,
	       r->stream);
	printf(",\"rate\":%u,\"format\":\"%s\",\"channels\":%u", r->params.rate,
	       format_name(r->params.format), r->params.channels);
	printf(",\"period_bytes\":%u,\"buffer_bytes\":%u,\"s24_converted\":%s",
	       r->params.period_bytes, r->params.buffer_bytes, r->s24_packed ? "true" : "false");
	printf(",\"frames\":%llu,\"bytes\":%llu", (unsigned long long)r->frames,
	       (unsigned long long)r->bytes);
	if (r->have_pos)
		printf(",\"position_first\":%llu,\"position_last\":%llu",
		       (unsigned long long)r->pos_first, (unsigned long long)r->pos_last);
	else
		printf(",\"position_first\":null,\"position_last\":null");
	printf(",\"cur_pos_events\":%llu,\"%s\":%llu", (unsigned long long)r->events,
	       play ? "underruns" : "overruns", (unsigned long long)r->xruns);
	printf(",\"hw_param_queries\":%llu,\"requests\":%llu,\"elapsed_s\":%.3f"
	       ",\"interrupted\":%s}\n", (unsigned long long)r->queries,
	       (unsigned long long)r->requests, r->elapsed_s, r->interrupted ? "true" : "false");
}

static void print_text(const struct session *ss)
{
	const struct play_report *r = &ss->rep;
	bool play = ss->opts->cmd == CMD_PLAY;

	printf("%s %llu frames (%llu octets) %s stream %u (pcm %u, stream %u)%s\n",
	       play ? "played" : "recorded", (unsigned long long)r->frames,
	       (unsigned long long)r->bytes, play ? "on" : "from", r->index, r->pcm, r->stream,
	       r->interrupted ? ", interrupted" : "");
	printf("  parameters: %u Hz, %s, %u channels, period %u octets, buffer %u octets%s\n",
	       r->params.rate, format_name(r->params.format), r->params.channels,
	       r->params.period_bytes, r->params.buffer_bytes,
	       r->s24_packed ? " (24-bit WAV samples in 4-octet S24_LE containers)" : "");
	if (r->have_pos)
		printf("  positions seen: first %llu, last %llu octets\n",
		       (unsigned long long)r->pos_first, (unsigned long long)r->pos_last);
	else
		printf("  positions seen: none\n");
	printf("  CUR_POS events: %llu\n  %s: %llu\n", (unsigned long long)r->events,
	       play ? "underruns" : "overruns", (unsigned long long)r->xruns);
	printf("  HW_PARAM_QUERY round trips: %llu\n  requests: %llu\n  elapsed: %.3f s\n",
	       (unsigned long long)r->queries, (unsigned long long)r->requests, r->elapsed_s);
}

void print_report(const struct session *ss)
{
	if (ss->opts->json)
		print_json(ss);
	else
		print_text(ss);
	fflush(stdout);
}
