// SPDX-License-Identifier: MIT
/*
 * Reading a vsnd card's XenStore configuration into the model of vsnd/xscfg.h
 * and deriving the effective per-stream settings from it. The walk mirrors
 * the Linux frontend (xen_snd_front_cfg.c) step for step: count the devices
 * by existence, read the card settings, then per device its name, settings,
 * stream count and every stream's type before any stream's settings, so that
 * both the result and the first failure are the ones a Linux guest sees. In
 * LINUX mode values are interpreted with the kernel's own leniency; in STRICT
 * mode anything Linux would silently reinterpret is an error instead.
 */
#include "vsnd/xscfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsnd/format.h"
#include "vsnd/limits.h"
#include "vsnd/wire.h"

_Static_assert(VSND_XSCFG_LIST_MAX <= VSND_MAX_RATES, "a rate list fits a rate set");
_Static_assert(VSND_XSCFG_LIST_MAX <= 32, "formats_libxl holds one bit per entry");
_Static_assert(VSND_XSCFG_RATE_ENTRY_MAX == XENSND_SAMPLE_RATE_MAX_LEN, "sndif rate entry");
_Static_assert(VSND_XSCFG_FORMAT_ENTRY_MAX == XENSND_SAMPLE_FORMAT_MAX_LEN, "sndif format entry");

/* How far past a cap the parser looks for ignored devices or streams. */
#define SCAN_LIMIT 256

struct parser {
	const struct vsnd_xs_reader *rd;
	enum vsnd_xscfg_mode mode;
	struct vsnd_xscfg *cfg;
	struct vsnd_xscfg_error *err;
	/* The value last read, NUL-terminated, VSND_XSCFG_VALUE_MAX + 1 octets. */
	char *val;
	size_t len;
	char path[VSND_XSCFG_PATH_MAX];
};

/* ---- names ------------------------------------------------------------ */

static const char *const field_names[_VSND_XSCFG_FIELD_MAX] = {
	[VSND_XSCFG_FIELD_SAMPLE_RATES] = XENSND_FIELD_SAMPLE_RATES,
	[VSND_XSCFG_FIELD_SAMPLE_FORMATS] = XENSND_FIELD_SAMPLE_FORMATS,
	[VSND_XSCFG_FIELD_CHANNELS_MIN] = XENSND_FIELD_CHANNELS_MIN,
	[VSND_XSCFG_FIELD_CHANNELS_MAX] = XENSND_FIELD_CHANNELS_MAX,
	[VSND_XSCFG_FIELD_BUFFER_SIZE] = XENSND_FIELD_BUFFER_SIZE,
};

const char *vsnd_xscfg_field_name(enum vsnd_xscfg_field field)
{
	if ((unsigned int)field >= _VSND_XSCFG_FIELD_MAX)
		return NULL;
	return field_names[field];
}

int vsnd_xscfg_stream_type_from_string(const char *s, size_t len)
{
	/* Linux: strncasecmp(str, "p", sizeof("p")), i.e. exactly one letter. */
	if (len != 1)
		return -EINVAL;
	if (s[0] == 'p' || s[0] == 'P')
		return VSND_XSCFG_STREAM_PLAYBACK;
	if (s[0] == 'c' || s[0] == 'C')
		return VSND_XSCFG_STREAM_CAPTURE;
	return -EINVAL;
}

/* ---- reading nodes ----------------------------------------------------- */

void vsnd_xscfg_path(char *buf, size_t size, int pcm, int stream, const char *key)
{
	if (pcm < 0)
		snprintf(buf, size, "%s", key ? key : "");
	else if (stream < 0)
		snprintf(buf, size, "%d%s%s", pcm, key ? "/" : "", key ? key : "");
	else
		snprintf(buf, size, "%d/%d%s%s", pcm, stream, key ? "/" : "", key ? key : "");
}

static void set_path(struct parser *ps, int pcm, int stream, const char *key)
{
	vsnd_xscfg_path(ps->path, sizeof(ps->path), pcm, stream, key);
}

/* Return the reader's result; a failure other than absence gets a message. */
static int read_raw(struct parser *ps)
{
	int r = ps->rd->read(ps->rd->ctx, ps->path, ps->val, VSND_XSCFG_VALUE_MAX + 1);

	if (r < 0 && r != -ENOENT) {
		vsnd_xscfg_node_error(ps->err, ps->path, NULL, 0, "cannot be read: %s",
				      strerror(-r));
		return r;
	}
	return r;
}

/* Read ps->path into ps->val. Return 1 when present, 0 when absent. */
static int read_node(struct parser *ps)
{
	int r = read_raw(ps);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if ((unsigned int)r > VSND_XSCFG_VALUE_MAX) {
		ps->val[VSND_XSCFG_VALUE_MAX] = '\0';
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, VSND_XSCFG_VALUE_MAX,
					     "is longer than %u octets", VSND_XSCFG_VALUE_MAX);
	}
	ps->val[r] = '\0';
	ps->len = (size_t)r;
	/* Linux handles every value as a C string: a NUL ends it. */
	if (ps->mode == VSND_XSCFG_MODE_LINUX)
		ps->len = strlen(ps->val);
	else if (memchr(ps->val, '\0', ps->len))
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len,
					     "contains a NUL octet");
	return 1;
}

/* Linux's xenbus_exists(): the node is there, whatever its value. */
static int node_exists(struct parser *ps, int pcm, int stream)
{
	int r;

	set_path(ps, pcm, stream, NULL);
	r = read_raw(ps);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : 1;
}

/* ---- numbers ----------------------------------------------------------- */

/* The kernel's isspace(): ASCII white space and Latin-1 NBSP (lib/ctype.c). */
static bool kernel_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The kernel's sscanf(s, "%u"): white space skipped, no sign accepted, digits
 * up to the first other character, wrapping in 64 bits, then cut to 32.
 * Return false when nothing was converted (xenbus_read_unsigned() then falls
 * back to its default, 0 here, which the caller ignores).
 */
static bool linux_scan_u32(const char *s, uint32_t *ret)
{
	uint64_t v = 0;

	while (kernel_isspace((unsigned char)*s))
		s++;
	if (!is_digit(*s))
		return false;
	for (; is_digit(*s); s++)
		v = v * 10u + (uint64_t)(*s - '0');
	*ret = (uint32_t)v;
	return true;
}

/* Strict decimal: digits only, no leading zero. Return NULL or the reason. */
static const char *strict_u32(const char *s, size_t len, bool rate, uint32_t *ret)
{
	uint64_t v = 0;

	if (len == 0)
		return "is empty";
	if (kernel_isspace((unsigned char)s[0]) || kernel_isspace((unsigned char)s[len - 1]))
		return "has leading or trailing white space";
	if (s[0] == '+' || s[0] == '-')
		return "has a sign";
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return rate ? "is not a decimal rate" : "is not a decimal number";
	if (len > 1 && s[0] == '0')
		return "has a leading zero";
	if (len > 10)
		return "does not fit 32 bits";
	for (size_t i = 0; i < len; i++)
		v = v * 10u + (uint64_t)(s[i] - '0');
	if (v > UINT32_MAX)
		return "does not fit 32 bits";
	*ret = (uint32_t)v;
	return NULL;
}

static int number_range(enum vsnd_xscfg_field f, uint32_t *ret_min, uint32_t *ret_max)
{
	if (f == VSND_XSCFG_FIELD_BUFFER_SIZE) {
		*ret_min = VSND_XSCFG_BUFFER_BYTES_MIN;
		*ret_max = VSND_XSCFG_BUFFER_BYTES_MAX;
	} else {
		*ret_min = 1;
		*ret_max = VSND_XSCFG_MAX_CHANNELS;
	}
	return 0;
}

static int parse_number(struct parser *ps, enum vsnd_xscfg_field f, struct vsnd_xscfg_params *p)
{
	uint32_t v = 0, lo, hi;
	const char *why;
	int r;

	r = read_node(ps);
	if (r <= 0)
		return r;
	if (ps->mode == VSND_XSCFG_MODE_LINUX) {
		if (!linux_scan_u32(ps->val, &v) || v == 0) {
			vsnd_xscfg_warn(&ps->cfg->warnings, ps->path, ps->val, ps->len,
					"Linux ignores it (no non-zero number)");
			return 0;
		}
		return vsnd_xscfg_params_set(p, f, v);
	}
	why = strict_u32(ps->val, ps->len, false, &v);
	if (why)
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len, "%s", why);
	number_range(f, &lo, &hi);
	if (v < lo || v > hi)
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len,
					     "is out of range %u..%u", lo, hi);
	return vsnd_xscfg_params_set(p, f, v);
}

/* ---- lists ------------------------------------------------------------- */

bool vsnd_xscfg_linux_rate(uint32_t rate)
{
	for (unsigned int k = 0; k < VSND_LINUX_RATES_COUNT; k++)
		if (vsnd_linux_rates[k] == rate)
			return true;
	return false;
}

static int entry_error(struct parser *ps, const char *e, size_t elen, const char *why)
{
	char q[64];

	vsnd_xscfg_quote(q, sizeof(q), e, elen);
	return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len, "%s %s", q, why);
}

static void entry_dropped(struct parser *ps, const char *e, size_t elen)
{
	char q[64];

	vsnd_xscfg_quote(q, sizeof(q), e, elen);
	vsnd_xscfg_warn(&ps->cfg->warnings, ps->path, ps->val, ps->len, "Linux ignores %s", q);
}

/* Checks common to every strict entry. */
static int strict_entry(struct parser *ps, const char *e, size_t elen, size_t max)
{
	char why[48];

	if (elen == 0)
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len,
					     "has an empty entry");
	if (elen > max) {
		snprintf(why, sizeof(why), "is longer than %zu characters", max);
		return entry_error(ps, e, elen, why);
	}
	return 0;
}

static int rate_entry(struct parser *ps, struct vsnd_xscfg_params *p, const char *e, size_t elen)
{
	const char *why;
	uint32_t v = 0;
	int r;

	if (ps->mode == VSND_XSCFG_MODE_LINUX) {
		/* Linux matches the exact strings of its 12 rates. */
		if (elen > VSND_XSCFG_RATE_ENTRY_MAX || strict_u32(e, elen, true, &v) ||
		    !vsnd_xscfg_linux_rate(v)) {
			entry_dropped(ps, e, elen);
			return 0;
		}
		return vsnd_xscfg_params_add_rate(p, v) < 0 ? -ENOSPC : 0;
	}
	r = strict_entry(ps, e, elen, VSND_XSCFG_RATE_ENTRY_MAX);
	if (r < 0)
		return r;
	why = strict_u32(e, elen, true, &v);
	if (why)
		return entry_error(ps, e, elen, why);
	if (v == 0 || v > VSND_XSCFG_RATE_MAX)
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len,
					     "rate %u is out of range 1..%u", v,
					     VSND_XSCFG_RATE_MAX);
	return vsnd_xscfg_params_add_rate(p, v);
}

/* Whether e is the libxl spelling of format code (f32_le for float_le). */
static bool libxl_spelled(unsigned int code, const char *e, size_t elen)
{
	const struct vsnd_format_info *f = vsnd_format_info(code);

	return f && f->libxl_name && strlen(f->libxl_name) == elen &&
	       strncasecmp(f->libxl_name, e, elen) == 0;
}

static int format_entry(struct parser *ps, struct vsnd_xscfg_params *p, const char *e, size_t elen)
{
	bool libxl;
	int code, r;

	if (ps->mode == VSND_XSCFG_MODE_STRICT) {
		r = strict_entry(ps, e, elen, VSND_XSCFG_FORMAT_ENTRY_MAX);
		if (r < 0)
			return r;
	}
	code = vsnd_format_from_name(e, elen);
	if (code < 0) {
		if (ps->mode == VSND_XSCFG_MODE_STRICT)
			return entry_error(ps, e, elen, "is not a sample format");
		entry_dropped(ps, e, elen);
		return 0;
	}
	/* Kept, flagged: Linux ignores it but our own frontends may not. */
	libxl = libxl_spelled((unsigned int)code, e, elen);
	if (libxl && ps->mode == VSND_XSCFG_MODE_LINUX)
		entry_dropped(ps, e, elen);
	return vsnd_xscfg_params_add_format(p, (unsigned int)code, libxl);
}

/* Whether Linux honours at least one entry of the list (LINUX mode model). */
static bool linux_list_used(const struct vsnd_xscfg_params *p, enum vsnd_xscfg_field f)
{
	if (f == VSND_XSCFG_FIELD_SAMPLE_RATES)
		return p->n_rates > 0;
	for (uint32_t k = 0; k < p->n_formats; k++)
		if (!(p->formats_libxl & (1u << k)))
			return true;
	return false;
}

static int parse_list(struct parser *ps, enum vsnd_xscfg_field f, struct vsnd_xscfg_params *p)
{
	const char *e, *end, *comma;
	int r;

	r = read_node(ps);
	if (r <= 0)
		return r;
	if (ps->mode == VSND_XSCFG_MODE_STRICT && ps->len == 0)
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, 0, "is empty");
	end = ps->val + ps->len;
	for (e = ps->val;; e = comma + 1) {
		comma = memchr(e, ',', (size_t)(end - e));
		size_t elen = (size_t)((comma ? comma : end) - e);

		if (f == VSND_XSCFG_FIELD_SAMPLE_RATES)
			r = rate_entry(ps, p, e, elen);
		else
			r = format_entry(ps, p, e, elen);
		if (r == -ENOSPC)
			return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len,
						     "has more than %u distinct entries",
						     VSND_XSCFG_LIST_MAX);
		if (r < 0)
			return r;
		if (r == 0 && ps->mode == VSND_XSCFG_MODE_STRICT)
			vsnd_xscfg_warn(&ps->cfg->warnings, ps->path, ps->val, ps->len,
					"lists an entry twice");
		if (!comma)
			break;
	}
	if (ps->mode == VSND_XSCFG_MODE_LINUX && !linux_list_used(p, f))
		vsnd_xscfg_warn(&ps->cfg->warnings, ps->path, ps->val, ps->len,
				"Linux recognises no entry and keeps the inherited %s",
				f == VSND_XSCFG_FIELD_SAMPLE_RATES ? "rates" : "formats");
	return 0;
}

/* ---- strings and types --------------------------------------------------- */

static bool has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/*
 * @max: the strict length cap; @linux_cut: Linux copies the value into a
 * buffer of max + 1 octets (the PCM name), so it keeps only @max of them.
 */
static int parse_string(struct parser *ps, char **field, size_t max, bool linux_cut)
{
	size_t len;
	int r;

	r = read_node(ps);
	if (r <= 0)
		return r;
	len = ps->len;
	if (ps->mode == VSND_XSCFG_MODE_STRICT) {
		if (len == 0)
			return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, 0, "is empty");
		if (len > max)
			return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, len,
						     "is longer than %zu characters", max);
		if (has_control(ps->val, len))
			return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, len,
						     "contains a control character");
	} else if (linux_cut && len > max) {
		vsnd_xscfg_warn(&ps->cfg->warnings, ps->path, ps->val, len,
				"Linux keeps only the first %zu characters", max);
		len = max;
	}
	ps->val[len] = '\0';
	return vsnd_xscfg_set_string(field, ps->val);
}

static int parse_type(struct parser *ps, int pcm, int stream, enum vsnd_xscfg_stream_type *ret)
{
	int r;

	set_path(ps, pcm, stream, XENSND_FIELD_TYPE);
	r = read_node(ps);
	if (r < 0)
		return r;
	if (r == 0)
		return vsnd_xscfg_node_error(ps->err, ps->path, NULL, 0,
					     "is missing: Linux fails the whole card");
	r = vsnd_xscfg_stream_type_from_string(ps->val, ps->len);
	if (r < 0)
		return vsnd_xscfg_node_error(ps->err, ps->path, ps->val, ps->len,
					     "is not \"p\" or \"c\": Linux fails the whole card");
	*ret = (enum vsnd_xscfg_stream_type)r;
	return 0;
}

/* ---- the tree ---------------------------------------------------------- */

/* One level's five settings, in the order Linux reads them. */
static int parse_params(struct parser *ps, int pcm, int stream, struct vsnd_xscfg_params *p)
{
	static const enum vsnd_xscfg_field order[] = {
		VSND_XSCFG_FIELD_CHANNELS_MIN, VSND_XSCFG_FIELD_CHANNELS_MAX,
		VSND_XSCFG_FIELD_SAMPLE_RATES, VSND_XSCFG_FIELD_SAMPLE_FORMATS,
		VSND_XSCFG_FIELD_BUFFER_SIZE,
	};
	int r;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum vsnd_xscfg_field f = order[i];

		set_path(ps, pcm, stream, vsnd_xscfg_field_name(f));
		if (f == VSND_XSCFG_FIELD_SAMPLE_RATES || f == VSND_XSCFG_FIELD_SAMPLE_FORMATS)
			r = parse_list(ps, f, p);
		else
			r = parse_number(ps, f, p);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Count indices first..limit-1 of a level that exist, up to the first gap. */
static int count_existing(struct parser *ps, int pcm, unsigned int first, unsigned int limit,
			  unsigned int *ret)
{
	unsigned int n = 0;
	int r;

	for (unsigned int i = first; i < limit; i++, n++) {
		if (pcm < 0)
			r = node_exists(ps, (int)i, -1);
		else
			r = node_exists(ps, pcm, (int)i);
		if (r < 0)
			return r;
		if (r == 0)
			break;
	}
	*ret = n;
	return 0;
}

static int parse_stream(struct parser *ps, int pcm, int idx, struct vsnd_xscfg_stream *st)
{
	int r;

	r = parse_type(ps, pcm, idx, &st->type);
	if (r < 0)
		return r;
	set_path(ps, pcm, idx, XENSND_FIELD_STREAM_UNIQUE_ID);
	r = parse_string(ps, &st->unique_id, VSND_XSCFG_UNIQUE_ID_MAX, false);
	if (r < 0)
		return r;
	return parse_params(ps, pcm, idx, &st->params);
}

static int parse_streams(struct parser *ps, int idx, struct vsnd_xscfg_pcm *pcm)
{
	enum vsnd_xscfg_stream_type t;
	unsigned int n;
	int r;

	r = count_existing(ps, idx, 0, VSND_MAX_STREAMS_PER_PCM, &n);
	if (r < 0)
		return r;
	/* Linux checks every type before it reads any stream's settings. */
	for (unsigned int s = 0; s < n; s++) {
		r = parse_type(ps, idx, (int)s, &t);
		if (r < 0)
			return r;
	}
	for (unsigned int s = 0; s < n; s++) {
		r = vsnd_xscfg_add_stream(pcm, VSND_XSCFG_STREAM_UNSET, NULL);
		if (r < 0)
			return r;
		r = parse_stream(ps, idx, (int)s, &pcm->streams[s]);
		if (r < 0)
			return r;
	}
	if (n < VSND_MAX_STREAMS_PER_PCM)
		return 0;
	r = count_existing(ps, idx, n, SCAN_LIMIT, &pcm->n_ignored_streams);
	if (r < 0 || pcm->n_ignored_streams == 0)
		return r;
	set_path(ps, idx, (int)n, NULL);
	vsnd_xscfg_warn(&ps->cfg->warnings, ps->path, NULL, 0,
			"and %u more stream(s) exist, but Linux reads only %u per device",
			pcm->n_ignored_streams, VSND_MAX_STREAMS_PER_PCM);
	return 0;
}

static int parse_pcm(struct parser *ps, int idx)
{
	struct vsnd_xscfg_pcm *pcm;
	int r;

	r = vsnd_xscfg_add_pcm(ps->cfg, &pcm);
	if (r < 0)
		return r;
	set_path(ps, idx, -1, XENSND_FIELD_DEVICE_NAME);
	r = parse_string(ps, &pcm->name, VSND_XSCFG_PCM_NAME_MAX, true);
	if (r < 0)
		return r;
	r = parse_params(ps, idx, -1, &pcm->params);
	if (r < 0)
		return r;
	return parse_streams(ps, idx, pcm);
}

static int parse_card(struct parser *ps)
{
	struct vsnd_xscfg *cfg = ps->cfg;
	unsigned int n;
	int r;

	r = count_existing(ps, -1, 0, VSND_MAX_PCMS, &n);
	if (r < 0)
		return r;
	if (n == 0) {
		vsnd_xscfg_node_error(ps->err, "0", NULL, 0,
				      "is missing: no PCM device, Linux fails the card");
		return -ENODEV;
	}
	r = parse_params(ps, -1, -1, &cfg->params);
	if (r < 0)
		return r;
	set_path(ps, -1, -1, XENSND_FIELD_VCARD_SHORT_NAME);
	r = parse_string(ps, &cfg->short_name, VSND_XSCFG_SHORT_NAME_MAX, false);
	if (r < 0)
		return r;
	set_path(ps, -1, -1, XENSND_FIELD_VCARD_LONG_NAME);
	r = parse_string(ps, &cfg->long_name, VSND_XSCFG_LONG_NAME_MAX, false);
	if (r < 0)
		return r;
	for (unsigned int p = 0; p < n; p++) {
		r = parse_pcm(ps, (int)p);
		if (r < 0)
			return r;
	}
	if (n < VSND_MAX_PCMS)
		return 0;
	r = count_existing(ps, -1, n, SCAN_LIMIT, &cfg->n_ignored_pcms);
	if (r < 0 || cfg->n_ignored_pcms == 0)
		return r;
	set_path(ps, (int)n, -1, NULL);
	vsnd_xscfg_warn(&cfg->warnings, ps->path, NULL, 0,
			"and %u more device(s) exist beyond the cap of %u", cfg->n_ignored_pcms,
			VSND_MAX_PCMS);
	return 0;
}

int vsnd_xscfg_parse(const struct vsnd_xs_reader *rd, enum vsnd_xscfg_mode mode,
		     struct vsnd_xscfg **ret, struct vsnd_xscfg_error *reterr)
{
	struct vsnd_xscfg_error local;
	struct parser ps = {
		.rd = rd,
		.mode = mode,
		.err = reterr ? reterr : &local,
	};
	int r;

	ps.err->msg[0] = '\0';
	if (!rd || !rd->read || (mode != VSND_XSCFG_MODE_LINUX && mode != VSND_XSCFG_MODE_STRICT))
		return -EINVAL;
	ps.val = malloc(VSND_XSCFG_VALUE_MAX + 1);
	if (!ps.val)
		return -ENOMEM;
	r = vsnd_xscfg_new(&ps.cfg);
	if (r >= 0)
		r = parse_card(&ps);
	if (r >= 0 && mode == VSND_XSCFG_MODE_STRICT)
		r = vsnd_xscfg_validate(ps.cfg, &ps.cfg->warnings, ps.err);
	free(ps.val);
	if (r < 0) {
		if (r == -ENOMEM && !ps.err->msg[0])
			snprintf(ps.err->msg, sizeof(ps.err->msg), "out of memory");
		vsnd_xscfg_free(ps.cfg);
		return r;
	}
	*ret = ps.cfg;
	return 0;
}

/* ---- effective settings ----------------------------------------------- */

static void apply_rates(struct vsnd_stream_limits *l, const struct vsnd_xscfg_params *p,
			unsigned int flags)
{
	struct vsnd_rate_set set;

	memset(&set, 0, sizeof(set));
	for (uint32_t k = 0; k < p->n_rates && k < VSND_XSCFG_LIST_MAX; k++) {
		uint32_t rate = p->rates[k];

		if (rate && (vsnd_xscfg_linux_rate(rate) || (flags & VSND_XSCFG_LIMITS_EXTENDED)))
			(void)vsnd_rate_set_add(&set, rate);
	}
	/* No recognised entry: Linux keeps the parent's set. */
	if (set.n)
		l->rates = set;
}

static void apply_formats(struct vsnd_stream_limits *l, const struct vsnd_xscfg_params *p,
			  unsigned int flags)
{
	uint64_t mask = 0;

	for (uint32_t k = 0; k < p->n_formats && k < VSND_XSCFG_LIST_MAX; k++) {
		const struct vsnd_format_info *f = vsnd_format_info(p->formats[k]);
		bool libxl = f && f->libxl_name && (p->formats_libxl & (1u << k));

		if (!f)
			continue;
		/* Linux knows only the sndif spelling (protocol.md 6.2). */
		if (!libxl || (flags & VSND_XSCFG_LIMITS_EXTENDED))
			mask |= VSND_FORMAT_BIT(p->formats[k]);
	}
	if (mask)
		l->formats = mask;
}

/* One level of Linux's cfg_read_pcm_hw(): replace, never intersect. */
static void apply_params(struct vsnd_stream_limits *l, const struct vsnd_xscfg_params *p,
			 unsigned int flags)
{
	if ((p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_CHANNELS_MIN)) && p->channels_min)
		l->channels_min = p->channels_min;
	if ((p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_CHANNELS_MAX)) && p->channels_max)
		l->channels_max = p->channels_max;
	if (p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_RATES))
		apply_rates(l, p, flags);
	if (p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_FORMATS))
		apply_formats(l, p, flags);
	if ((p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_BUFFER_SIZE)) && p->buffer_bytes)
		l->buffer_bytes_max = p->buffer_bytes;
	if (l->channels_min > l->channels_max)
		l->channels_min = l->channels_max;
}

static const struct vsnd_xscfg_pcm *get_pcm(const struct vsnd_xscfg *cfg, unsigned int pcm)
{
	if (pcm >= cfg->n_pcms || pcm >= VSND_MAX_PCMS)
		return NULL;
	return cfg->pcms[pcm];
}

static const struct vsnd_xscfg_stream *get_stream(const struct vsnd_xscfg *cfg, unsigned int pcm,
						  unsigned int stream)
{
	const struct vsnd_xscfg_pcm *p = get_pcm(cfg, pcm);

	if (!p || stream >= p->n_streams || stream >= VSND_MAX_STREAMS_PER_PCM)
		return NULL;
	return &p->streams[stream];
}

int vsnd_xscfg_limits(const struct vsnd_xscfg *cfg, int pcm, int stream, unsigned int flags,
		      struct vsnd_stream_limits *ret)
{
	const struct vsnd_xscfg_stream *st = NULL;
	const struct vsnd_xscfg_pcm *p = NULL;
	struct vsnd_stream_limits l;

	if (pcm >= 0 && !(p = get_pcm(cfg, (unsigned int)pcm)))
		return -ENOENT;
	if (stream >= 0 && (!p || !(st = get_stream(cfg, (unsigned int)pcm, (unsigned int)stream))))
		return -ENOENT;
	vsnd_stream_limits_linux_default(&l);
	apply_params(&l, &cfg->params, flags);
	if (p)
		apply_params(&l, &p->params, flags);
	if (st)
		apply_params(&l, &st->params, flags);
	*ret = l;
	return 0;
}

/* ---- stream numbering -------------------------------------------------- */

unsigned int vsnd_xscfg_stream_count(const struct vsnd_xscfg *cfg)
{
	unsigned int n = 0;

	for (unsigned int p = 0; p < cfg->n_pcms && p < VSND_MAX_PCMS; p++)
		if (cfg->pcms[p])
			n += cfg->pcms[p]->n_streams;
	return n;
}

int vsnd_xscfg_stream_index(const struct vsnd_xscfg *cfg, unsigned int pcm, unsigned int stream)
{
	unsigned int n = 0;

	if (!get_stream(cfg, pcm, stream))
		return -ENOENT;
	for (unsigned int p = 0; p < pcm; p++)
		if (cfg->pcms[p])
			n += cfg->pcms[p]->n_streams;
	return (int)(n + stream);
}

int vsnd_xscfg_stream_at(const struct vsnd_xscfg *cfg, unsigned int index, unsigned int *ret_pcm,
			 unsigned int *ret_stream)
{
	for (unsigned int p = 0; p < cfg->n_pcms && p < VSND_MAX_PCMS; p++) {
		unsigned int n = cfg->pcms[p] ? cfg->pcms[p]->n_streams : 0;

		if (index < n) {
			*ret_pcm = p;
			*ret_stream = index;
			return 0;
		}
		index -= n;
	}
	return -ENOENT;
}

int vsnd_xscfg_substream(const struct vsnd_xscfg *cfg, unsigned int pcm, unsigned int stream)
{
	const struct vsnd_xscfg_stream *st = get_stream(cfg, pcm, stream);
	unsigned int n = 0;

	if (!st)
		return -ENOENT;
	if (st->type == VSND_XSCFG_STREAM_UNSET)
		return -EINVAL;
	for (unsigned int s = 0; s < stream; s++)
		if (cfg->pcms[pcm]->streams[s].type == st->type)
			n++;
	return (int)n;
}

unsigned int vsnd_xscfg_pcm_substreams(const struct vsnd_xscfg_pcm *pcm,
				       enum vsnd_xscfg_stream_type type)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < pcm->n_streams && s < VSND_MAX_STREAMS_PER_PCM; s++)
		if (pcm->streams[s].type == type)
			n++;
	return n;
}
