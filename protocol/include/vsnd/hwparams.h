/* SPDX-License-Identifier: MIT */
/*
 * vsnd/hwparams.h - hardware parameter spaces with ALSA semantics, and the
 * HW_PARAM_QUERY solver.
 *
 * Intervals follow snd_interval: [min, max] with optionally open ends, an
 * integer flag and an empty flag; refining one interval by another narrows
 * it to the intersection and reports whether it changed. The wire
 * (struct xensnd_query_hw_param) carries closed integer intervals only, so
 * conversion to the wire closes open ends inward.
 *
 * The solver answers a HW_PARAM_QUERY from three inputs: the request (the
 * guest's current space), the stream's limits (XenStore + policy,
 * vsnd/limits.h) and the host capability space (what the audio path can
 * do). A *configuration* (format f, rate r, channels c, buffer b frames,
 * period p frames) is feasible when
 *   - f is in req.formats, lim.formats and cap.formats of some capability
 *     entry e, and f has a fixed frame size;
 *   - r is in req.rates, in lim.rates and in e.rates, and r >= 1;
 *   - c is in req.channels, [lim.channels_min, lim.channels_max], [1, 255]
 *     (OPEN's pcm_channels is one octet) and e.channels,
 *     and c >= 1;
 *   - b is in req.buffer_frames and e.buffer_frames, b >= 1, and
 *     b * c * phys_bytes(f) <= lim.buffer_bytes_max;
 *   - p is in req.period_frames and e.period_frames, 1 <= p <= b.
 * The answer is the bounding space of all feasible configurations: the
 * formats mask and the smallest closed intervals that contain every feasible
 * configuration. It is therefore inside the request, and every feasible
 * configuration of the request stays inside it. When nothing is feasible the
 * solver returns -EINVAL (the guest's configuration then fails, which is
 * what an infeasible request must do).
 *
 * r >= 1 and c >= 1 are required like b >= 1 and p >= 1: OPEN cannot use
 * zero of any of them, and a zero-channel configuration would take no
 * buffer bytes at all, so admitting it would lift the buffer-bytes cap from
 * the buffer interval of every real configuration.
 */
#ifndef VSND_HWPARAMS_H
#define VSND_HWPARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "vsnd/limits.h"

struct xensnd_query_hw_param;

struct vsnd_interval {
	uint32_t min;
	uint32_t max;
	bool openmin;	/* min itself is excluded */
	bool openmax;	/* max itself is excluded */
	bool integer;	/* only integers (always true for wire-derived intervals) */
	bool empty;
};

/* Capacity of a capability space (entries, one per format group). */
#define VSND_HW_CAPS_MAX 8u

struct vsnd_hw_space {
	uint64_t formats;			/* sndif format bits */
	struct vsnd_interval rates;		/* Hz */
	struct vsnd_interval channels;
	struct vsnd_interval buffer_frames;
	struct vsnd_interval period_frames;
};

/* What the host path can do for a group of formats. */
struct vsnd_hw_cap {
	uint64_t formats;
	struct vsnd_rate_set rates;
	struct vsnd_interval channels;
	struct vsnd_interval buffer_frames;
	struct vsnd_interval period_frames;
};

struct vsnd_hw_caps {
	uint32_t n;
	struct vsnd_hw_cap cap[VSND_HW_CAPS_MAX];
};

/**
 * vsnd_interval_any() - set @i to [0, UINT32_MAX], closed, integer.
 */
void vsnd_interval_any(struct vsnd_interval *i);

/**
 * vsnd_interval_set() - set @i to [@min, @max], closed, integer; marked
 * empty when @min > @max.
 */
void vsnd_interval_set(struct vsnd_interval *i, uint32_t min, uint32_t max);

/**
 * vsnd_interval_is_empty() - whether @i holds no value: flagged empty,
 * min > max, a point with an open end, or, for an integer interval, no
 * integer between its ends (e.g. integer (3, 4)).
 */
bool vsnd_interval_is_empty(const struct vsnd_interval *i);

/**
 * vsnd_interval_contains() - whether the integer @v lies in @i (open ends
 * excluded).
 */
bool vsnd_interval_contains(const struct vsnd_interval *i, uint32_t v);

/**
 * vsnd_interval_refine() - narrow @i to its intersection with @v
 * (snd_interval_refine semantics, integer flag included).
 *
 * An empty @i or @v gives an empty result. Unlike the kernel, an open end
 * of an integer interval at UINT32_MAX (min) or 0 (max) empties the
 * interval instead of wrapping around.
 *
 * Return: 1 if @i changed, 0 if not, -EINVAL if the result is empty (@i is
 * then marked empty).
 */
int vsnd_interval_refine(struct vsnd_interval *i, const struct vsnd_interval *v);

/**
 * vsnd_interval_refine_min() - raise the lower end of @i to @min (excluded
 * when @openmin), as vsnd_interval_refine() with [@min, UINT32_MAX].
 * Return: as vsnd_interval_refine().
 */
int vsnd_interval_refine_min(struct vsnd_interval *i, uint32_t min, bool openmin);

/**
 * vsnd_interval_refine_max() - lower the upper end of @i to @max (excluded
 * when @openmax), as vsnd_interval_refine() with [0, @max].
 * Return: as vsnd_interval_refine().
 */
int vsnd_interval_refine_max(struct vsnd_interval *i, uint32_t max, bool openmax);

/**
 * vsnd_interval_closed() - the closed integer interval holding the same
 * integers as @i: open ends move inward.
 * Return: 0, or -EINVAL when no integer remains.
 */
int vsnd_interval_closed(const struct vsnd_interval *i, uint32_t *ret_min, uint32_t *ret_max);

/**
 * vsnd_mask_refine() - @mask &= @v.
 * Return: 1 if changed, 0 if not, -EINVAL if the result is empty.
 */
int vsnd_mask_refine(uint64_t *mask, uint64_t v);

/**
 * vsnd_hw_space_from_wire() - decode a copied wire space.
 * Return: 0, or -EINVAL when an interval has min > max (@ret untouched).
 */
int vsnd_hw_space_from_wire(const struct xensnd_query_hw_param *w, struct vsnd_hw_space *ret);

/**
 * vsnd_hw_space_to_wire() - encode a space with closed integer intervals.
 * Return: 0, or -EINVAL when an interval holds no integer (@ret untouched).
 */
int vsnd_hw_space_to_wire(const struct vsnd_hw_space *s, struct xensnd_query_hw_param *ret);

/**
 * vsnd_hw_caps_any() - a capability space that constrains nothing: every
 * fixed-size format, every rate, channels and sizes unbounded.
 */
void vsnd_hw_caps_any(struct vsnd_hw_caps *ret);

/**
 * vsnd_hw_solve() - answer a HW_PARAM_QUERY (see the file comment).
 * @req: the guest's space (decoded from its copied request).
 * @lim: the stream's limits.
 * @caps: the host capability space.
 * @ret: the answer, inside @req.
 *
 * Context: pure and allocation-free; bounded by the number of formats and
 * capability entries, never by guest-chosen values. Entries past
 * VSND_HW_CAPS_MAX are ignored.
 * Return: 0, or -EINVAL when no configuration is feasible (@ret untouched).
 */
int vsnd_hw_solve(const struct vsnd_hw_space *req, const struct vsnd_stream_limits *lim,
		  const struct vsnd_hw_caps *caps, struct vsnd_hw_space *ret);

#endif /* VSND_HWPARAMS_H */
