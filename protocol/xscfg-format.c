// SPDX-License-Identifier: MIT
/*
 * The write side of vsnd/xscfg.h and everything that judges a model: building
 * a model in code, writing it back as XenStore nodes in the order libxl uses
 * (so a tree we write cannot be told from one xl wrote), the strict rules a
 * model must meet before a tool writes it or the backend serves it, and the
 * message helpers every error and warning of the module goes through, which
 * quote guest-controlled values safely (escaped, truncated) because those
 * messages end up in logs.
 */
#include "vsnd/xscfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsnd/format.h"
#include "vsnd/limits.h"
#include "vsnd/wire.h"

/* ---- building a model --------------------------------------------------- */

int vsnd_xscfg_new(struct vsnd_xscfg **ret)
{
	struct vsnd_xscfg *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return -ENOMEM;
	*ret = cfg;
	return 0;
}

static void pcm_free(struct vsnd_xscfg_pcm *pcm)
{
	if (!pcm)
		return;
	for (unsigned int s = 0; s < VSND_MAX_STREAMS_PER_PCM; s++)
		free(pcm->streams[s].unique_id);
	free(pcm->name);
	free(pcm);
}

struct vsnd_xscfg *vsnd_xscfg_free(struct vsnd_xscfg *cfg)
{
	if (!cfg)
		return NULL;
	for (unsigned int p = 0; p < VSND_MAX_PCMS; p++)
		pcm_free(cfg->pcms[p]);
	free(cfg->short_name);
	free(cfg->long_name);
	free(cfg);
	return NULL;
}

int vsnd_xscfg_add_pcm(struct vsnd_xscfg *cfg, struct vsnd_xscfg_pcm **ret)
{
	struct vsnd_xscfg_pcm *pcm;
	unsigned int idx = cfg->n_pcms;

	if (idx >= VSND_MAX_PCMS)
		return -ENOSPC;
	pcm = calloc(1, sizeof(*pcm));
	if (!pcm)
		return -ENOMEM;
	cfg->pcms[idx] = pcm;
	cfg->n_pcms = idx + 1;
	if (ret)
		*ret = pcm;
	return (int)idx;
}

int vsnd_xscfg_add_stream(struct vsnd_xscfg_pcm *pcm, enum vsnd_xscfg_stream_type type,
			  struct vsnd_xscfg_stream **ret)
{
	unsigned int idx = pcm->n_streams;

	if (type != VSND_XSCFG_STREAM_UNSET && type != VSND_XSCFG_STREAM_PLAYBACK &&
	    type != VSND_XSCFG_STREAM_CAPTURE)
		return -EINVAL;
	if (idx >= VSND_MAX_STREAMS_PER_PCM)
		return -ENOSPC;
	memset(&pcm->streams[idx], 0, sizeof(pcm->streams[idx]));
	pcm->streams[idx].type = type;
	pcm->n_streams = idx + 1;
	if (ret)
		*ret = &pcm->streams[idx];
	return (int)idx;
}

int vsnd_xscfg_set_string(char **field, const char *value)
{
	char *d = NULL;

	if (value) {
		size_t len = strnlen(value, VSND_XSCFG_VALUE_MAX + 1);

		if (len > VSND_XSCFG_VALUE_MAX)
			return -E2BIG;
		d = malloc(len + 1);
		if (!d)
			return -ENOMEM;
		memcpy(d, value, len + 1);
	}
	free(*field);
	*field = d;
	return 0;
}

int vsnd_xscfg_params_set(struct vsnd_xscfg_params *p, enum vsnd_xscfg_field field, uint32_t value)
{
	uint32_t *dst;

	switch (field) {
	case VSND_XSCFG_FIELD_CHANNELS_MIN:
		dst = &p->channels_min;
		break;
	case VSND_XSCFG_FIELD_CHANNELS_MAX:
		dst = &p->channels_max;
		break;
	case VSND_XSCFG_FIELD_BUFFER_SIZE:
		dst = &p->buffer_bytes;
		break;
	default:
		return -EINVAL;
	}
	*dst = value;
	if (value)
		p->present |= VSND_XSCFG_HAS(field);
	else
		p->present &= ~VSND_XSCFG_HAS(field);
	return 0;
}

int vsnd_xscfg_params_add_rate(struct vsnd_xscfg_params *p, uint32_t rate)
{
	if (rate == 0)
		return -EINVAL;
	for (uint32_t k = 0; k < p->n_rates && k < VSND_XSCFG_LIST_MAX; k++)
		if (p->rates[k] == rate)
			return 0;
	if (p->n_rates >= VSND_XSCFG_LIST_MAX)
		return -ENOSPC;
	p->rates[p->n_rates++] = rate;
	p->present |= VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_RATES);
	return 1;
}

static int add_format(struct vsnd_xscfg_params *p, unsigned int code, bool libxl)
{
	for (uint32_t k = 0; k < p->n_formats && k < VSND_XSCFG_LIST_MAX; k++)
		if (p->formats[k] == code && !!(p->formats_libxl & (1u << k)) == libxl)
			return 0;
	if (p->n_formats >= VSND_XSCFG_LIST_MAX)
		return -ENOSPC;
	p->formats[p->n_formats] = (uint8_t)code;
	if (libxl)
		p->formats_libxl |= 1u << p->n_formats;
	p->n_formats++;
	p->present |= VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_FORMATS);
	return 1;
}

int vsnd_xscfg_params_add_format(struct vsnd_xscfg_params *p, unsigned int code,
				 bool libxl_spelling)
{
	const struct vsnd_format_info *f = vsnd_format_info(code);

	if (!f || (libxl_spelling && !f->libxl_name))
		return -EINVAL;
	return add_format(p, code, libxl_spelling);
}

/* ---- messages ---------------------------------------------------------- */

/* Characters of a value shown in a message before it is cut. */
#define QUOTE_SHOWN 40u

struct msgbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void mb_putc(struct msgbuf *mb, char c)
{
	if (mb->len + 1 < mb->size) {
		mb->buf[mb->len++] = c;
		mb->buf[mb->len] = '\0';
	}
}

static void mb_puts(struct msgbuf *mb, const char *s)
{
	while (*s)
		mb_putc(mb, *s++);
}

__attribute__((format(printf, 2, 0))) static void mb_vprintf(struct msgbuf *mb, const char *fmt,
							     va_list ap)
{
	int n;

	if (mb->len + 1 >= mb->size)
		return;
	n = vsnprintf(mb->buf + mb->len, mb->size - mb->len, fmt, ap);
	if (n > 0)
		mb->len += (size_t)n < mb->size - mb->len ? (size_t)n : mb->size - mb->len - 1;
}

size_t vsnd_xscfg_quote(char *buf, size_t size, const char *value, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	struct msgbuf mb = { .buf = buf, .size = size };

	if (size == 0)
		return 0;
	buf[0] = '\0';
	mb_putc(&mb, '"');
	for (size_t i = 0; i < len && i < QUOTE_SHOWN; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '"' || c == '\\') {
			mb_putc(&mb, '\\');
			mb_putc(&mb, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			mb_puts(&mb, "\\x");
			mb_putc(&mb, hex[c >> 4]);
			mb_putc(&mb, hex[c & 15]);
		} else {
			mb_putc(&mb, (char)c);
		}
	}
	if (len > QUOTE_SHOWN)
		mb_puts(&mb, "...");
	mb_putc(&mb, '"');
	return mb.len;
}

/* "<relpath>: "<value>": <text>" into buf. */
__attribute__((format(printf, 6, 0))) static void node_msg(char *buf, size_t size,
							   const char *relpath, const char *value,
							   size_t len, const char *fmt, va_list ap)
{
	struct msgbuf mb = { .buf = buf, .size = size };
	char q[QUOTE_SHOWN * 4 + 8];

	buf[0] = '\0';
	mb_puts(&mb, relpath && relpath[0] ? relpath : "(card)");
	mb_puts(&mb, ": ");
	if (value) {
		vsnd_xscfg_quote(q, sizeof(q), value, len);
		mb_puts(&mb, q);
		mb_puts(&mb, ": ");
	}
	mb_vprintf(&mb, fmt, ap);
}

int vsnd_xscfg_node_error(struct vsnd_xscfg_error *err, const char *relpath, const char *value,
			  size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	va_start(ap, fmt);
	node_msg(err->msg, sizeof(err->msg), relpath, value, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void vsnd_xscfg_warn(struct vsnd_xscfg_warnings *w, const char *relpath, const char *value,
		     size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!w)
		return;
	if (w->n >= VSND_XSCFG_WARN_MAX) {
		w->lost++;
		return;
	}
	va_start(ap, fmt);
	node_msg(w->msg[w->n], sizeof(w->msg[0]), relpath, value, len, fmt, ap);
	va_end(ap);
	w->n++;
}

/* ---- list values ------------------------------------------------------- */

/* Room for VSND_XSCFG_LIST_MAX entries of the longest kind, separators included. */
#define LIST_BUF 1024

static const char *format_name(const struct vsnd_xscfg_params *p, uint32_t k, unsigned int flags)
{
	const struct vsnd_format_info *f = vsnd_format_info(p->formats[k]);

	if (!f)
		return NULL;
	if (f->libxl_name &&
	    ((flags & VSND_XSCFG_FORMAT_LIBXL_NAMES) || (p->formats_libxl & (1u << k))))
		return f->libxl_name;
	return f->name;
}

static bool spelled_before(const struct vsnd_xscfg_params *p, uint32_t k, unsigned int flags,
			   const char *name)
{
	for (uint32_t j = 0; j < k; j++)
		if (format_name(p, j, flags) == name)
			return true;
	return false;
}

/* Join a list field as libxl does ("%u" or names, ","). Return 0 or -EINVAL. */
static int join_list(const struct vsnd_xscfg_params *p, enum vsnd_xscfg_field f, unsigned int flags,
		     char *buf, size_t size)
{
	struct msgbuf mb = { .buf = buf, .size = size };
	uint32_t n = f == VSND_XSCFG_FIELD_SAMPLE_RATES ? p->n_rates : p->n_formats;
	char num[16];

	buf[0] = '\0';
	if (n > VSND_XSCFG_LIST_MAX)
		return -EINVAL;
	for (uint32_t k = 0; k < n; k++) {
		const char *e = num;

		if (f == VSND_XSCFG_FIELD_SAMPLE_RATES && p->rates[k] == 0)
			return -EINVAL;
		if (f == VSND_XSCFG_FIELD_SAMPLE_RATES)
			snprintf(num, sizeof(num), "%u", p->rates[k]);
		else
			e = format_name(p, k, flags);
		if (!e)
			return -EINVAL;
		/* Forcing libxl names can make two entries one. */
		if (f == VSND_XSCFG_FIELD_SAMPLE_FORMATS && spelled_before(p, k, flags, e))
			continue;
		if (mb.len)
			mb_putc(&mb, ',');
		mb_puts(&mb, e);
	}
	return 0;
}

/* ---- formatting -------------------------------------------------------- */

struct writer {
	const struct vsnd_xs_writer *wr;
	unsigned int flags;
	struct vsnd_xscfg_error *err;
	/* Nodes written so far, to see whether a directory got any. */
	unsigned int written;
};

static int emit(struct writer *w, int pcm, int stream, const char *key, const char *value)
{
	char path[VSND_XSCFG_PATH_MAX];
	int r;

	vsnd_xscfg_path(path, sizeof(path), pcm, stream, key);
	r = w->wr->write(w->wr->ctx, path, value);
	if (r < 0) {
		vsnd_xscfg_node_error(w->err, path, value, strlen(value), "cannot be written: %s",
				      strerror(-r));
		return r;
	}
	w->written++;
	return 0;
}

static int emit_list(struct writer *w, int pcm, int stream, const struct vsnd_xscfg_params *p,
		     enum vsnd_xscfg_field f)
{
	uint32_t n = f == VSND_XSCFG_FIELD_SAMPLE_RATES ? p->n_rates : p->n_formats;
	char path[VSND_XSCFG_PATH_MAX];
	char buf[LIST_BUF];

	if (!(p->present & VSND_XSCFG_HAS(f)) || n == 0)
		return 0;
	if (join_list(p, f, w->flags, buf, sizeof(buf)) < 0) {
		vsnd_xscfg_path(path, sizeof(path), pcm, stream, vsnd_xscfg_field_name(f));
		return vsnd_xscfg_node_error(w->err, path, NULL, 0,
					     "cannot be written: bad count, rate or format code");
	}
	return emit(w, pcm, stream, vsnd_xscfg_field_name(f), buf);
}

static int emit_params(struct writer *w, int pcm, int stream, const struct vsnd_xscfg_params *p)
{
	static const enum vsnd_xscfg_field numbers[] = {
		VSND_XSCFG_FIELD_CHANNELS_MIN,
		VSND_XSCFG_FIELD_CHANNELS_MAX,
		VSND_XSCFG_FIELD_BUFFER_SIZE,
	};
	const uint32_t values[] = { p->channels_min, p->channels_max, p->buffer_bytes };
	char num[16];
	int r;

	r = emit_list(w, pcm, stream, p, VSND_XSCFG_FIELD_SAMPLE_RATES);
	if (r >= 0)
		r = emit_list(w, pcm, stream, p, VSND_XSCFG_FIELD_SAMPLE_FORMATS);
	for (size_t i = 0; r >= 0 && i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (!(p->present & VSND_XSCFG_HAS(numbers[i])) || values[i] == 0)
			continue;
		snprintf(num, sizeof(num), "%u", values[i]);
		r = emit(w, pcm, stream, vsnd_xscfg_field_name(numbers[i]), num);
	}
	return r;
}

static int emit_stream(struct writer *w, int pcm, int idx, const struct vsnd_xscfg_stream *st)
{
	unsigned int before = w->written;
	int r = 0;

	if (st->unique_id)
		r = emit(w, pcm, idx, XENSND_FIELD_STREAM_UNIQUE_ID, st->unique_id);
	if (r >= 0 && st->type == VSND_XSCFG_STREAM_PLAYBACK)
		r = emit(w, pcm, idx, XENSND_FIELD_TYPE, XENSND_STREAM_TYPE_PLAYBACK);
	else if (r >= 0 && st->type == VSND_XSCFG_STREAM_CAPTURE)
		r = emit(w, pcm, idx, XENSND_FIELD_TYPE, XENSND_STREAM_TYPE_CAPTURE);
	if (r >= 0)
		r = emit_params(w, pcm, idx, &st->params);
	/* libxl would leave a gap here and hide every later stream. */
	if (r >= 0 && w->written == before)
		r = emit(w, pcm, idx, NULL, "");
	return r;
}

static int emit_pcm(struct writer *w, int idx, const struct vsnd_xscfg_pcm *pcm)
{
	unsigned int before = w->written;
	char path[VSND_XSCFG_PATH_MAX];
	int r = 0;

	if (pcm->n_streams > VSND_MAX_STREAMS_PER_PCM) {
		vsnd_xscfg_path(path, sizeof(path), idx, -1, NULL);
		return vsnd_xscfg_node_error(w->err, path, NULL, 0, "has more than %u streams",
					     VSND_MAX_STREAMS_PER_PCM);
	}
	if (pcm->name)
		r = emit(w, idx, -1, XENSND_FIELD_DEVICE_NAME, pcm->name);
	if (r >= 0)
		r = emit_params(w, idx, -1, &pcm->params);
	for (unsigned int s = 0; r >= 0 && s < pcm->n_streams; s++)
		r = emit_stream(w, idx, (int)s, &pcm->streams[s]);
	if (r >= 0 && w->written == before)
		r = emit(w, idx, -1, NULL, "");
	return r;
}

int vsnd_xscfg_format(const struct vsnd_xscfg *cfg, const struct vsnd_xs_writer *wr,
		      unsigned int flags, struct vsnd_xscfg_error *reterr)
{
	struct writer w = { .wr = wr, .flags = flags, .err = reterr };
	int r = 0;

	if (reterr)
		reterr->msg[0] = '\0';
	if (!cfg || !wr || !wr->write)
		return -EINVAL;
	if (cfg->n_pcms > VSND_MAX_PCMS)
		return vsnd_xscfg_node_error(reterr, "", NULL, 0, "has more than %u PCM devices",
					     VSND_MAX_PCMS);
	for (unsigned int p = 0; p < cfg->n_pcms; p++)
		if (!cfg->pcms[p])
			return vsnd_xscfg_node_error(reterr, "", NULL, 0, "PCM device %u is NULL",
						     p);
	if (cfg->long_name)
		r = emit(&w, -1, -1, XENSND_FIELD_VCARD_LONG_NAME, cfg->long_name);
	if (r >= 0 && cfg->short_name)
		r = emit(&w, -1, -1, XENSND_FIELD_VCARD_SHORT_NAME, cfg->short_name);
	if (r >= 0)
		r = emit_params(&w, -1, -1, &cfg->params);
	for (unsigned int p = 0; r >= 0 && p < cfg->n_pcms; p++)
		r = emit_pcm(&w, (int)p, cfg->pcms[p]);
	return r < 0 ? r : 0;
}

/* ---- validation -------------------------------------------------------- */

struct checker {
	const struct vsnd_xscfg *cfg;
	struct vsnd_xscfg_warnings *w;
	struct vsnd_xscfg_error *err;
	char path[VSND_XSCFG_PATH_MAX];
};

static int check_string(struct checker *ck, int pcm, int stream, const char *key, const char *s,
			size_t max)
{
	size_t len;

	if (!s)
		return 0;
	vsnd_xscfg_path(ck->path, sizeof(ck->path), pcm, stream, key);
	len = strnlen(s, VSND_XSCFG_VALUE_MAX + 1);
	if (len == 0)
		return vsnd_xscfg_node_error(ck->err, ck->path, s, 0, "is empty");
	if (len > max)
		return vsnd_xscfg_node_error(ck->err, ck->path, s, len,
					     "is longer than %zu characters", max);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return vsnd_xscfg_node_error(ck->err, ck->path, s, len,
						     "contains a control character");
	return 0;
}

static int check_number(struct checker *ck, int pcm, int stream, const struct vsnd_xscfg_params *p,
			enum vsnd_xscfg_field f)
{
	uint32_t v = f == VSND_XSCFG_FIELD_CHANNELS_MIN ? p->channels_min :
		     f == VSND_XSCFG_FIELD_CHANNELS_MAX ? p->channels_max :
							  p->buffer_bytes;
	uint32_t lo = 1, hi = VSND_XSCFG_MAX_CHANNELS;
	char num[16];

	if (!(p->present & VSND_XSCFG_HAS(f)))
		return 0;
	if (f == VSND_XSCFG_FIELD_BUFFER_SIZE) {
		lo = VSND_XSCFG_BUFFER_BYTES_MIN;
		hi = VSND_XSCFG_BUFFER_BYTES_MAX;
	}
	if (v >= lo && v <= hi)
		return 0;
	vsnd_xscfg_path(ck->path, sizeof(ck->path), pcm, stream, vsnd_xscfg_field_name(f));
	snprintf(num, sizeof(num), "%u", v);
	return vsnd_xscfg_node_error(ck->err, ck->path, num, strlen(num), "is out of range %u..%u",
				     lo, hi);
}

/* Common list checks; renders the list into buf for later messages. */
static int check_list(struct checker *ck, const struct vsnd_xscfg_params *p,
		      enum vsnd_xscfg_field f, char *buf, size_t size)
{
	uint32_t n = f == VSND_XSCFG_FIELD_SAMPLE_RATES ? p->n_rates : p->n_formats;

	if (n == 0)
		return vsnd_xscfg_node_error(ck->err, ck->path, NULL, 0, "is an empty list");
	if (n > VSND_XSCFG_LIST_MAX)
		return vsnd_xscfg_node_error(ck->err, ck->path, NULL, 0, "has more than %u entries",
					     VSND_XSCFG_LIST_MAX);
	if (join_list(p, f, 0, buf, size) < 0)
		return vsnd_xscfg_node_error(ck->err, ck->path, NULL, 0,
					     "has a rate of 0 or an unknown format code");
	return 0;
}

static int check_rates(struct checker *ck, int pcm, int stream, const struct vsnd_xscfg_params *p)
{
	char buf[LIST_BUF];
	uint32_t known = 0;
	int r;

	if (!(p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_RATES)))
		return 0;
	vsnd_xscfg_path(ck->path, sizeof(ck->path), pcm, stream, XENSND_FIELD_SAMPLE_RATES);
	r = check_list(ck, p, VSND_XSCFG_FIELD_SAMPLE_RATES, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (uint32_t k = 0; k < p->n_rates; k++) {
		if (p->rates[k] > VSND_XSCFG_RATE_MAX)
			return vsnd_xscfg_node_error(ck->err, ck->path, buf, strlen(buf),
						     "rate %u is out of range 1..%u", p->rates[k],
						     VSND_XSCFG_RATE_MAX);
		known += vsnd_xscfg_linux_rate(p->rates[k]);
	}
	if (known == 0) {
		vsnd_xscfg_warn(
			ck->w, ck->path, buf, strlen(buf),
			"Linux recognises none of these rates and keeps the inherited ones");
		return 0;
	}
	for (uint32_t k = 0; k < p->n_rates; k++)
		if (!vsnd_xscfg_linux_rate(p->rates[k]))
			vsnd_xscfg_warn(ck->w, ck->path, buf, strlen(buf),
					"Linux does not recognise %u and drops it", p->rates[k]);
	return 0;
}

static int check_formats(struct checker *ck, int pcm, int stream, const struct vsnd_xscfg_params *p)
{
	char buf[LIST_BUF];
	uint32_t known = 0;
	int r;

	if (!(p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_SAMPLE_FORMATS)))
		return 0;
	vsnd_xscfg_path(ck->path, sizeof(ck->path), pcm, stream, XENSND_FIELD_SAMPLE_FORMATS);
	r = check_list(ck, p, VSND_XSCFG_FIELD_SAMPLE_FORMATS, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (uint32_t k = 0; k < p->n_formats; k++) {
		const struct vsnd_format_info *f = vsnd_format_info(p->formats[k]);
		bool libxl = f->libxl_name && (p->formats_libxl & (1u << k));

		if (libxl)
			vsnd_xscfg_warn(ck->w, ck->path, buf, strlen(buf),
					"%s is libxl's spelling, which Linux does not recognise "
					"(write %s)",
					f->libxl_name, f->name);
		else
			known++;
		if (f->phys_bytes == 0)
			vsnd_xscfg_warn(ck->w, ck->path, buf, strlen(buf),
					"%s has no fixed frame size; vsnd never accepts it",
					f->name);
	}
	if (known == 0)
		vsnd_xscfg_warn(
			ck->w, ck->path, buf, strlen(buf),
			"Linux recognises none of these formats and keeps the inherited ones");
	return 0;
}

/* channels-min above channels-max once this level is applied: Linux would
 * silently lower the minimum, which is never what the writer meant. */
static int check_channels(struct checker *ck, int pcm, int stream,
			  const struct vsnd_xscfg_params *p)
{
	bool has_min = p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_CHANNELS_MIN);
	bool has_max = p->present & VSND_XSCFG_HAS(VSND_XSCFG_FIELD_CHANNELS_MAX);
	struct vsnd_stream_limits parent;
	uint32_t lo, hi;
	char num[16];

	if (pcm < 0)
		vsnd_stream_limits_linux_default(&parent);
	else if (vsnd_xscfg_limits(ck->cfg, stream < 0 ? -1 : pcm, -1, 0, &parent) < 0)
		return vsnd_xscfg_node_error(ck->err, "", NULL, 0, "inconsistent model");
	lo = has_min ? p->channels_min : parent.channels_min;
	hi = has_max ? p->channels_max : parent.channels_max;
	if (lo <= hi)
		return 0;
	vsnd_xscfg_path(ck->path, sizeof(ck->path), pcm, stream,
			has_min ? XENSND_FIELD_CHANNELS_MIN : XENSND_FIELD_CHANNELS_MAX);
	snprintf(num, sizeof(num), "%u", has_min ? lo : hi);
	if (has_min)
		return vsnd_xscfg_node_error(ck->err, ck->path, num, strlen(num),
					     "is above channels-max %u", hi);
	return vsnd_xscfg_node_error(ck->err, ck->path, num, strlen(num),
				     "is below the inherited channels-min %u", lo);
}

static int check_params(struct checker *ck, int pcm, int stream, const struct vsnd_xscfg_params *p)
{
	int r;

	r = check_rates(ck, pcm, stream, p);
	if (r >= 0)
		r = check_formats(ck, pcm, stream, p);
	if (r >= 0)
		r = check_number(ck, pcm, stream, p, VSND_XSCFG_FIELD_CHANNELS_MIN);
	if (r >= 0)
		r = check_number(ck, pcm, stream, p, VSND_XSCFG_FIELD_CHANNELS_MAX);
	if (r >= 0)
		r = check_number(ck, pcm, stream, p, VSND_XSCFG_FIELD_BUFFER_SIZE);
	if (r >= 0)
		r = check_channels(ck, pcm, stream, p);
	return r;
}

/* The backend may route by unique-id: two streams with one id are ambiguous. */
static void check_unique_id(struct checker *ck, unsigned int pcm, unsigned int stream)
{
	const char *id = ck->cfg->pcms[pcm]->streams[stream].unique_id;

	if (!id)
		return;
	for (unsigned int p = 0; p <= pcm; p++) {
		const struct vsnd_xscfg_pcm *other = ck->cfg->pcms[p];

		for (unsigned int s = 0; s < (p == pcm ? stream : other->n_streams); s++) {
			if (!other->streams[s].unique_id || strcmp(other->streams[s].unique_id, id))
				continue;
			vsnd_xscfg_path(ck->path, sizeof(ck->path), (int)pcm, (int)stream,
					XENSND_FIELD_STREAM_UNIQUE_ID);
			vsnd_xscfg_warn(ck->w, ck->path, id, strlen(id),
					"is also the unique-id of stream %u/%u", p, s);
			return;
		}
	}
}

static int check_stream(struct checker *ck, unsigned int pcm, unsigned int idx)
{
	const struct vsnd_xscfg_stream *st = &ck->cfg->pcms[pcm]->streams[idx];
	int r;

	if (st->type != VSND_XSCFG_STREAM_PLAYBACK && st->type != VSND_XSCFG_STREAM_CAPTURE) {
		vsnd_xscfg_path(ck->path, sizeof(ck->path), (int)pcm, (int)idx, XENSND_FIELD_TYPE);
		return vsnd_xscfg_node_error(ck->err, ck->path, NULL, 0,
					     "is missing: Linux fails the whole card");
	}
	r = check_string(ck, (int)pcm, (int)idx, XENSND_FIELD_STREAM_UNIQUE_ID, st->unique_id,
			 VSND_XSCFG_UNIQUE_ID_MAX);
	if (r < 0)
		return r;
	check_unique_id(ck, pcm, idx);
	return check_params(ck, (int)pcm, (int)idx, &st->params);
}

static int check_pcm(struct checker *ck, unsigned int idx)
{
	const struct vsnd_xscfg_pcm *pcm = ck->cfg->pcms[idx];
	int r;

	vsnd_xscfg_path(ck->path, sizeof(ck->path), (int)idx, -1, NULL);
	if (pcm->n_streams > VSND_MAX_STREAMS_PER_PCM)
		return vsnd_xscfg_node_error(ck->err, ck->path, NULL, 0,
					     "has more than %u streams, Linux reads only those",
					     VSND_MAX_STREAMS_PER_PCM);
	if (pcm->n_streams == 0)
		vsnd_xscfg_warn(ck->w, ck->path, NULL, 0, "has no streams");
	r = check_string(ck, (int)idx, -1, XENSND_FIELD_DEVICE_NAME, pcm->name,
			 VSND_XSCFG_PCM_NAME_MAX);
	if (r >= 0)
		r = check_params(ck, (int)idx, -1, &pcm->params);
	for (unsigned int s = 0; r >= 0 && s < pcm->n_streams; s++)
		r = check_stream(ck, idx, s);
	return r;
}

static int check_card(struct checker *ck)
{
	const struct vsnd_xscfg *cfg = ck->cfg;
	int r;

	if (cfg->n_pcms == 0)
		return vsnd_xscfg_node_error(ck->err, "0", NULL, 0,
					     "is missing: no PCM device, Linux fails the card");
	if (cfg->n_pcms > VSND_MAX_PCMS)
		return vsnd_xscfg_node_error(ck->err, "", NULL, 0, "has more than %u PCM devices",
					     VSND_MAX_PCMS);
	for (unsigned int p = 0; p < cfg->n_pcms; p++)
		if (!cfg->pcms[p])
			return vsnd_xscfg_node_error(ck->err, "", NULL, 0, "PCM device %u is NULL",
						     p);
	if (cfg->n_pcms > VSND_XSCFG_PCMS_STATIC_MINORS)
		vsnd_xscfg_warn(ck->w, "", NULL, 0,
				"has %u PCM devices; kernels without CONFIG_SND_DYNAMIC_MINORS "
				"see only %u",
				cfg->n_pcms, VSND_XSCFG_PCMS_STATIC_MINORS);
	r = check_string(ck, -1, -1, XENSND_FIELD_VCARD_SHORT_NAME, cfg->short_name,
			 VSND_XSCFG_SHORT_NAME_MAX);
	if (r >= 0)
		r = check_string(ck, -1, -1, XENSND_FIELD_VCARD_LONG_NAME, cfg->long_name,
				 VSND_XSCFG_LONG_NAME_MAX);
	if (r >= 0)
		r = check_params(ck, -1, -1, &cfg->params);
	for (unsigned int p = 0; r >= 0 && p < cfg->n_pcms; p++)
		r = check_pcm(ck, p);
	return r;
}

int vsnd_xscfg_validate(const struct vsnd_xscfg *cfg, struct vsnd_xscfg_warnings *warnings,
			struct vsnd_xscfg_error *reterr)
{
	struct vsnd_xscfg_error local;
	struct checker ck = {
		.cfg = cfg,
		.w = warnings,
		.err = reterr ? reterr : &local,
	};

	ck.err->msg[0] = '\0';
	if (!cfg)
		return -EINVAL;
	return check_card(&ck) < 0 ? -EINVAL : 0;
}
