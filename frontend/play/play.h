/* SPDX-License-Identifier: MIT */
/*
 * play.h - the pieces of vsnd-play shared between its files: the parsed
 * command line, the session (card, stream, signal fd), what the run
 * measured for the report, and the helpers that print errors.
 *
 * vsnd-play.c parses the command line and runs a command; session.c opens
 * the card, picks the stream, checks the parameters against the stream's
 * limits and negotiates them; playback.c and capture.c move the audio;
 * report.c prints errors and the closing report.
 */
#ifndef VSND_PLAY_PLAY_H
#define VSND_PLAY_PLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsndfront.h"

#include "vsnd-common/util.h"

#define PROGRAM "vsnd-play"
/* Exit statuses besides 0 and 1. */
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

/* Defaults (see vsnd-play(1)). */
#define DEFAULT_PERIOD_MS 10u
#define DEFAULT_PERIODS 4u
#define DEFAULT_RECORD_RATE 48000u
#define DEFAULT_RECORD_CHANNELS 2u
#define DEFAULT_RECORD_MS 5000u
/* Linux's smallest period and fewest periods per buffer (protocol.md 4.2). */
#define LINUX_PERIOD_BYTES_MIN 64u
#define LINUX_PERIODS_MIN 2u
/* How long the position may stand still while it must move. */
#define STALL_MS_MIN 3000u

enum play_cmd { CMD_PLAY, CMD_RECORD };

struct play_opts {
	enum play_cmd cmd;
	const char *file;
	const char *xen;		/* "real" or "sim:DIR" */
	uint32_t domid;
	bool have_domid;
	uint32_t devid;
	int pcm, stream, stream_index;	/* -1: not given */
	uint32_t period_bytes, period_ms; /* 0: not given */
	uint32_t buffer_bytes, periods;	/* 0: not given */
	uint32_t rate, channels;	/* record: 0 = default */
	int format;			/* record: sndif code, -1 = default */
	uint64_t duration_ms;		/* 0: not given */
	bool json;
	bool verbose;
};

/* What a run did, for the report. */
struct play_report {
	unsigned int index, pcm, stream;
	struct vsndfe_pcm_params params;
	bool s24_packed;		/* 24-bit WAV data <-> S24_LE containers */
	uint64_t bytes;			/* octets played or recorded */
	uint64_t frames;
	bool have_pos;
	uint64_t pos_first, pos_last;
	uint64_t events;		/* CUR_POS events consumed */
	uint64_t xruns;			/* underruns (play) / overruns (record) */
	uint64_t queries;		/* HW_PARAM_QUERY round trips */
	uint64_t requests;
	double elapsed_s;
	bool interrupted;
};

struct session {
	const struct play_opts *opts;
	struct vsndfe_card *card;
	struct vsndfe_stream *s;
	int sigfd;
	uint32_t frame_bytes;		/* of the negotiated format */
	uint64_t last_progress_ms;	/* when the position last moved */
	uint32_t stall_ms;
	struct play_report rep;
};

/* session.c */
int session_open(struct session *ss, const struct play_opts *opts);
void session_close(struct session *ss);
int session_configure(struct session *ss, struct vsndfe_pcm_params *p, const char *origin);
int session_open_stream(struct session *ss, const struct vsndfe_pcm_params *p);
int session_start(struct session *ss);
/* *@ret_pos: in, the position seen last; out, the current one. */
int session_wait(struct session *ss, uint64_t *ret_pos);
int session_finish(struct session *ss, bool started, int err);

/* playback.c, capture.c */
int play_file(struct session *ss);
int record_file(struct session *ss);

/* report.c */
int log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warn(const struct session *ss, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void print_report(const struct session *ss);
const char *format_name(unsigned int code);
const char *format_list(uint64_t formats, char *buf, size_t len);
const char *rate_list(const struct vsnd_rate_set *rates, char *buf, size_t len);

#endif /* VSND_PLAY_PLAY_H */
