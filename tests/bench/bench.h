/* SPDX-License-Identifier: MIT */
/*
 * bench.h - vsnd-bench's parts: the processes it runs (xensimd, vsndbe,
 * xensimd-ctl) and the CPU time of a process tree (launch.c), the guest
 * processes that drive streams on libvsndfront (guest.c, guest-p7.c), and
 * the report (report.c). docs/man/vsnd-bench.1 says what is measured.
 *
 * Errors are negative errnos; the first failure's explanation is kept by
 * bench_fail() and printed once by main.
 */
#ifndef VSND_BENCH_H
#define VSND_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_PROGRAM "vsnd-bench"

/* Upper bound of every wait for a process's readiness or answer. */
#define BENCH_WAIT_MS 30000u

/* The stream every measurement uses: 48 kHz, S16_LE, stereo. */
#define BENCH_RATE 48000u
#define BENCH_FRAME_BYTES 4u
#define BENCH_BYTES_PER_SEC (BENCH_RATE * BENCH_FRAME_BYTES)

/* Remember why the run failed (the first reason wins) and return @r. */
int bench_fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The reason, or NULL when nothing failed. */
const char *bench_failure(void);

#define BENCH_VSNDBE_ARGS_MAX 8u

struct bench_paths {
	const char *vsndbe;
	const char *xensimd;
	const char *xensimd_ctl;
	/* More vsndbe options (--vsndbe-arg), for both phases. */
	const char *vsndbe_args[BENCH_VSNDBE_ARGS_MAX];
	unsigned int n_vsndbe_args;
};

/* A child with its stdout on a pipe and its stderr in a log file. */
struct bench_proc {
	pid_t pid;
	int out;
	char log[320];
};

/* One phase's simulator: xensimd in a run directory of its own. */
struct bench_sim {
	const struct bench_paths *paths;
	struct bench_proc proc;
	char dir[256];
	char spec[272];		/* "sim:DIR" */
};

/*
 * Start xensimd in @dir (created, logs in @dir) and wait for its readiness
 * line; create guest domains; stop it. bench_sim_stop() accepts a sim that
 * never started.
 */
int bench_sim_start(struct bench_sim *sim, const struct bench_paths *paths, const char *dir);
int bench_sim_domain_create(struct bench_sim *sim, uint32_t domid);
/* Write a vsnd card with @n_streams playback PCMs (one stream each) and a
 * card-level buffer-size of @buffer_bytes for guest @domid, as libxl does. */
int bench_sim_write_card(struct bench_sim *sim, uint32_t domid, unsigned int n_streams,
			 uint32_t buffer_bytes);
void bench_sim_stop(struct bench_sim *sim);

/* Start vsndbe --xen=@sim --single-process --sink=@sink (and
 * --buffer-cap=@buffer_cap when not 0, and the paths' extra options), wait
 * for "vsndbe ready". */
int bench_vsndbe_start(struct bench_proc *p, const struct bench_sim *sim, const char *sink,
		       uint32_t buffer_cap);
/* SIGTERM, then wait; 0 when it exited 0. Accepts a process never started. */
int bench_proc_stop(struct bench_proc *p, const char *name);

/* CPU time (user + system, reaped children included) of @root and every
 * live descendant, in nanoseconds (clock-tick resolution). */
int bench_tree_cpu_ns(pid_t root, uint64_t *ret_ns);

/* ---- guests --------------------------------------------------------------- */

/* What a P1 guest saw during the measured window, per guest. */
struct bench_p1_stats {
	uint32_t streams;
	uint64_t bytes_played;		/* position advance, all streams */
	uint64_t writes;		/* WRITE requests */
	uint64_t events;		/* CUR_POS events */
	uint32_t underruns;		/* episodes, see guest.c */
	uint32_t max_gap_us;		/* longest time without a position advance */
};

struct bench_guests;

struct bench_p1_params {
	const char *xen;		/* "sim:DIR" */
	uint32_t period_bytes;
	uint32_t periods;		/* buffer = periods x period */
};

/* Fork one guest process per domain (domids 1..@n_guests), @streams[i]
 * streams each; returns once every stream runs. */
int bench_guests_start(struct bench_guests **ret, const struct bench_p1_params *p,
		       unsigned int n_guests, const unsigned int *streams);
/* Wait @ms, returning early with an error if a guest reports one. */
int bench_guests_wait(struct bench_guests *g, uint64_t ms);
/* Mark the start of the measured window in every guest. */
int bench_guests_window(struct bench_guests *g);
/* End the window, collect and sum the guests' statistics, reap them. */
int bench_guests_finish(struct bench_guests *g, struct bench_p1_stats *ret);
/* Kill and reap what is left; accepts NULL. */
void bench_guests_free(struct bench_guests *g);

struct bench_p7_result {
	uint32_t buffer_bytes;
	uint64_t bytes;			/* acknowledged WRITE octets in the window */
	uint64_t writes;
	uint64_t elapsed_ns;
	uint64_t final_position;	/* CUR_POS position after the window */
	uint64_t written;		/* octets written since OPEN */
};

/* Run the P7 guest (domain 1 of @xen) in a child process: warm up for
 * @warmup_ms, then WRITE the whole buffer back to back for @window_ms. */
int bench_p7_run(const char *xen, uint32_t buffer_bytes, uint64_t warmup_ms,
		 uint64_t window_ms, struct bench_p7_result *ret);

/* ---- report --------------------------------------------------------------- */

struct bench_report {
	/* parameters */
	unsigned int streams;
	unsigned int guests;
	double seconds;
	double warmup;
	uint32_t p7_buffer;
	bool run_p1, run_p7;
	/* P1 */
	uint64_t cpu_ns;
	uint64_t window_ns;
	struct bench_p1_stats p1;
	/* P7 */
	struct bench_p7_result p7;
	double memcpy_bps;
};

#define BENCH_P1_TARGET_PCT 0.2
#define BENCH_P7_TARGET_BPS 1e9

void bench_report_print(const struct bench_report *r);
int bench_report_json(const struct bench_report *r, const char *path);
/* memcpy bandwidth of @bytes-sized copies over about @ms, in octets/s. */
double bench_memcpy_bps(uint32_t bytes, uint64_t ms);

#endif /* VSND_BENCH_H */
