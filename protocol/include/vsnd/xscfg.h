/* SPDX-License-Identifier: MIT */
/*
 * vsnd/xscfg.h - the XenStore configuration of one vsnd card: a card -> PCM
 * device -> stream tree, parsed with exactly the Linux frontend's rules
 * (sound/xen/xen_snd_front_cfg.c, protocol.md 1.3-1.5 and 4.2), formatted
 * back into nodes in libxl's order (protocol.md 5.2), and validated.
 *
 * No I/O happens here: nodes are read and written through the small callback
 * tables below, with paths relative to the card's frontend directory
 * ("sample-rates", "0/name", "0/1/type"). Transport nodes (ring-ref,
 * event-channel, evt-ring-ref, evt-event-channel) are not part of the model.
 *
 * Two parse modes:
 *
 *  - VSND_XSCFG_MODE_LINUX reads the tree the way the Linux frontend does and
 *    only fails where Linux fails the card: no PCM device, a stream with a
 *    missing or invalid `type`, plus a reader error or a value longer than
 *    XenStore allows. Numbers are read like the kernel's sscanf("%u")
 *    (leading white space skipped, digits up to the first non-digit, wrapped
 *    to 32 bits) and a 0 or unreadable number is ignored; list entries Linux
 *    does not recognise are dropped; what is dropped is recorded as warnings.
 *
 *  - VSND_XSCFG_MODE_STRICT is for our tools and the backend: every present
 *    value must be well-formed and within the caps below, or the parse fails
 *    with -EINVAL and a message naming the node, its value and the reason,
 *    e.g. `0/1/sample-rates: "44100,abc": "abc" is not a decimal rate`.
 *    Well-formed values that Linux will not honour are warnings, not errors:
 *    a rate outside Linux's 12 (24000), libxl's float spelling (f32_le, which
 *    Linux does not recognise, protocol.md 6.2), a list none of whose entries
 *    Linux recognises, a format without a fixed frame size, duplicate list
 *    entries or unique-ids, a PCM device without streams, streams beyond the
 *    8th of a PCM, more than 8 PCM devices.
 *
 * Both modes stop at a reader error other than -ENOENT. Linux would take such
 * a node as absent; for us a failing XenStore connection must not turn into
 * a different configuration.
 *
 * The model keeps, per level, only what that level sets ("present" bits), so
 * formatting a parsed model writes back the same nodes (less what the parse
 * mode dropped, with list entries deduplicated and format names in lower
 * case), and the effective settings are computed on demand by
 * vsnd_xscfg_limits(): each level starts from its parent's settings and
 * replaces every field it sets, with no intersection, exactly as Linux does
 * (REQ-4).
 *
 * In LINUX mode the model holds what Linux counts: sample-rates entries are
 * the recognised ones only; sample-formats entries are those either spelling
 * names (a libxl spelling is kept, flagged, because our own frontends may
 * honour it, but vsnd_xscfg_limits() ignores it unless asked); numbers are
 * the values Linux applies; the PCM name is cut to the 79 characters Linux
 * keeps. In STRICT mode it holds every (well-formed) entry given.
 */
#ifndef VSND_XSCFG_H
#define VSND_XSCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsnd/limits.h"

/*
 * Linux numbers PCM devices with a 2-digit index buffer (and stops at
 * SNDRV_PCM_DEVICES, 254 with dynamic minors, 8 without), and scans at most
 * 8 streams per device (VSND_MAX_STREAM).
 */
#define VSND_MAX_PCMS 99u
#define VSND_MAX_STREAMS_PER_PCM 8u
/* PCM devices a kernel without CONFIG_SND_DYNAMIC_MINORS sees (a warning). */
#define VSND_XSCFG_PCMS_STATIC_MINORS 8u

/* The longest value read: XenStore's whole payload (XENSTORE_PAYLOAD_MAX). */
#define VSND_XSCFG_VALUE_MAX 4096u
/* Distinct entries kept per sample-rates / sample-formats list. */
#define VSND_XSCFG_LIST_MAX 32u
/* Characters of one list entry (XENSND_SAMPLE_RATE/FORMAT_MAX_LEN). */
#define VSND_XSCFG_RATE_ENTRY_MAX 11u
#define VSND_XSCFG_FORMAT_ENTRY_MAX 24u

/*
 * Strict caps. Channels: sndif's field is a u8, but no host device we serve
 * has more than 64. Buffer: 128 octets is the smallest buffer Linux can
 * configure (two periods of its 64-octet minimum); 16 MiB is far above any
 * sane per-stream buffer and keeps the grant count bounded (4096 pages).
 * Rates: 768 kHz is the highest rate any host hardware offers.
 */
#define VSND_XSCFG_MAX_CHANNELS 64u
#define VSND_XSCFG_BUFFER_BYTES_MIN 128u
#define VSND_XSCFG_BUFFER_BYTES_MAX (16u * 1024u * 1024u)
#define VSND_XSCFG_RATE_MAX 768000u
/*
 * Strict string caps, in characters without the terminating NUL: sndif
 * declares short-name char[32], long-name and name char[80]; Linux copies the
 * PCM name into char[80] with strscpy, so 79 characters survive.
 */
#define VSND_XSCFG_SHORT_NAME_MAX 31u
#define VSND_XSCFG_LONG_NAME_MAX 79u
#define VSND_XSCFG_PCM_NAME_MAX 79u
/* unique-id is opaque; the backend uses it as a routing key. */
#define VSND_XSCFG_UNIQUE_ID_MAX 255u

/* Size of a relative node path buffer ("98/7/sample-formats"), NUL included. */
#define VSND_XSCFG_PATH_MAX 48u
/* Size of an error or warning message, NUL included. */
#define VSND_XSCFG_MSG_MAX 256u
/* Warnings a model holds; later ones are only counted. */
#define VSND_XSCFG_WARN_MAX 16u

/**
 * struct vsnd_xs_reader - how the parser reads nodes.
 * @read: read node @relpath (relative to the card's frontend directory) into
 *        @buf: copy at most @bufsz - 1 octets of the value and a NUL, and
 *        return the value's full length in octets (a value longer than
 *        @bufsz - 1 is then known to be truncated). Return -ENOENT when the
 *        node does not exist, another negative errno on failure. A directory
 *        node (a PCM "0", a stream "0/1") must read as present: XenStore
 *        gives intermediate nodes an empty value.
 * @ctx: passed to @read.
 */
struct vsnd_xs_reader {
	int (*read)(void *ctx, const char *relpath, char *buf, size_t bufsz);
	void *ctx;
};

/**
 * struct vsnd_xs_writer - how the formatter emits nodes.
 * @write: write @value to node @relpath; return 0 or a negative errno.
 * @ctx: passed to @write.
 */
struct vsnd_xs_writer {
	int (*write)(void *ctx, const char *relpath, const char *value);
	void *ctx;
};

enum vsnd_xscfg_mode {
	VSND_XSCFG_MODE_LINUX,
	VSND_XSCFG_MODE_STRICT,
};

/* The five PCM settings, in the order libxl writes them. */
enum vsnd_xscfg_field {
	VSND_XSCFG_FIELD_SAMPLE_RATES,
	VSND_XSCFG_FIELD_SAMPLE_FORMATS,
	VSND_XSCFG_FIELD_CHANNELS_MIN,
	VSND_XSCFG_FIELD_CHANNELS_MAX,
	VSND_XSCFG_FIELD_BUFFER_SIZE,
	_VSND_XSCFG_FIELD_MAX,
};

#define VSND_XSCFG_HAS(field) (1u << (field))

enum vsnd_xscfg_stream_type {
	VSND_XSCFG_STREAM_UNSET, /* only in models built in code */
	VSND_XSCFG_STREAM_PLAYBACK, /* "p" */
	VSND_XSCFG_STREAM_CAPTURE, /* "c" */
};

/**
 * struct vsnd_xscfg_params - the PCM settings one level sets.
 * @present: VSND_XSCFG_HAS() bits of the fields this level sets.
 * @channels_min: channels-min, when present.
 * @channels_max: channels-max, when present.
 * @buffer_bytes: buffer-size in octets, when present.
 * @rates: sample-rates entries in the order given, without duplicates.
 * @n_rates: number of @rates.
 * @formats: sample-formats entries (sndif codes), in order, no duplicates.
 * @n_formats: number of @formats.
 * @formats_libxl: bit i set when @formats[i] is spelled the libxl way
 *                 (f32_le rather than float_le).
 */
struct vsnd_xscfg_params {
	uint32_t present;
	uint32_t channels_min;
	uint32_t channels_max;
	uint32_t buffer_bytes;
	uint32_t rates[VSND_XSCFG_LIST_MAX];
	uint32_t n_rates;
	uint8_t formats[VSND_XSCFG_LIST_MAX];
	uint32_t n_formats;
	uint32_t formats_libxl;
};

/**
 * struct vsnd_xscfg_stream - one stream, FE/<p>/<s>.
 * @type: `type`.
 * @unique_id: `unique-id`, NULL when absent.
 * @params: the settings this stream overrides.
 */
struct vsnd_xscfg_stream {
	enum vsnd_xscfg_stream_type type;
	char *unique_id;
	struct vsnd_xscfg_params params;
};

/**
 * struct vsnd_xscfg_pcm - one PCM device, FE/<p>.
 * @name: `name` (Linux's ALSA PCM id), NULL when absent.
 * @params: the settings this device overrides.
 * @n_streams: streams 0..n_streams-1 (contiguous, at most 8).
 * @streams: the streams.
 * @n_ignored_streams: parsed trees only: streams FE/<p>/8, 9, ... that exist
 *                     but that Linux never reads.
 */
struct vsnd_xscfg_pcm {
	char *name;
	struct vsnd_xscfg_params params;
	unsigned int n_streams;
	struct vsnd_xscfg_stream streams[VSND_MAX_STREAMS_PER_PCM];
	unsigned int n_ignored_streams;
};

/**
 * struct vsnd_xscfg_warnings - non-fatal findings, in the order found.
 * @n: messages held in @msg.
 * @lost: further warnings that did not fit.
 * @msg: the messages, each naming the node it is about.
 */
struct vsnd_xscfg_warnings {
	unsigned int n;
	unsigned int lost;
	char msg[VSND_XSCFG_WARN_MAX][VSND_XSCFG_MSG_MAX];
};

/**
 * struct vsnd_xscfg - one vsnd card, FE.
 * @short_name: `short-name`, NULL when absent (Linux never reads it).
 * @long_name: `long-name`, NULL when absent (Linux never reads it).
 * @params: the card-level settings.
 * @n_pcms: PCM devices 0..n_pcms-1 (contiguous, at most 99).
 * @pcms: the devices; each allocated on its own, so pointers stay valid.
 * @n_ignored_pcms: parsed trees only: devices FE/99, FE/100, ... that exist
 *                  beyond the cap.
 * @warnings: what the parse found but tolerated.
 */
struct vsnd_xscfg {
	char *short_name;
	char *long_name;
	struct vsnd_xscfg_params params;
	unsigned int n_pcms;
	struct vsnd_xscfg_pcm *pcms[VSND_MAX_PCMS];
	unsigned int n_ignored_pcms;
	struct vsnd_xscfg_warnings warnings;
};

/**
 * struct vsnd_xscfg_error - why a parse, validation or format failed.
 * @msg: "<relpath>: \"<value>\": <reason>" (value truncated and escaped),
 *       or "<relpath>: <reason>" when there is no value to show.
 */
struct vsnd_xscfg_error {
	char msg[VSND_XSCFG_MSG_MAX];
};

/**
 * vsnd_xscfg_parse() - read a card's configuration.
 * @rd: the node reader.
 * @mode: VSND_XSCFG_MODE_LINUX or VSND_XSCFG_MODE_STRICT (see the top).
 * @ret: receives the new model; free it with vsnd_xscfg_free().
 * @reterr: optional; receives the reason when the parse fails.
 *
 * PCM devices FE/0, FE/1, ... and their streams FE/<p>/0, ... are counted by
 * existence until the first missing index (a gap hides everything after it),
 * at most VSND_MAX_PCMS and VSND_MAX_STREAMS_PER_PCM; what exists beyond the
 * caps is counted in n_ignored_* and warned about. Every counted stream's
 * `type` is checked before any stream settings are read, as Linux does. In
 * STRICT mode the finished model is also passed through
 * vsnd_xscfg_validate(), whose warnings join the model's.
 *
 * Return: 0; -ENODEV when FE/0 does not exist (Linux: "No devices
 * configured"); -EINVAL for a missing or invalid stream type, a value longer
 * than VSND_XSCFG_VALUE_MAX, or (STRICT) any malformed or out-of-range value;
 * -ENOMEM; or the reader's own negative errno.
 */
int vsnd_xscfg_parse(const struct vsnd_xs_reader *rd, enum vsnd_xscfg_mode mode,
		     struct vsnd_xscfg **ret, struct vsnd_xscfg_error *reterr);

/**
 * vsnd_xscfg_new() - an empty model, to be built in code.
 * @ret: receives the model.
 *
 * Return: 0 or -ENOMEM.
 */
int vsnd_xscfg_new(struct vsnd_xscfg **ret);

/**
 * vsnd_xscfg_free() - free a model and everything it holds.
 * @cfg: the model, or NULL.
 *
 * Return: NULL, so that callers can write `cfg = vsnd_xscfg_free(cfg);`.
 */
struct vsnd_xscfg *vsnd_xscfg_free(struct vsnd_xscfg *cfg);

/**
 * vsnd_xscfg_add_pcm() - append a PCM device with nothing set.
 * @cfg: the model.
 * @ret: optional; receives the new device (valid until the model is freed).
 *
 * Return: the device's index; -ENOSPC when VSND_MAX_PCMS exist; -ENOMEM.
 */
int vsnd_xscfg_add_pcm(struct vsnd_xscfg *cfg, struct vsnd_xscfg_pcm **ret);

/**
 * vsnd_xscfg_add_stream() - append a stream to a PCM device.
 * @pcm: the device.
 * @type: the stream's type (VSND_XSCFG_STREAM_UNSET is allowed here, as xl
 *        allows it, and rejected by vsnd_xscfg_validate()).
 * @ret: optional; receives the new stream.
 *
 * Return: the stream's index in @pcm; -ENOSPC when the device already has
 * VSND_MAX_STREAMS_PER_PCM streams (Linux would not see another one);
 * -EINVAL for an unknown @type.
 */
int vsnd_xscfg_add_stream(struct vsnd_xscfg_pcm *pcm, enum vsnd_xscfg_stream_type type,
			  struct vsnd_xscfg_stream **ret);

/**
 * vsnd_xscfg_set_string() - replace one of the model's strings.
 * @field: &cfg->short_name, &pcm->name, &stream->unique_id, ...
 * @value: the new value (copied), or NULL to remove the node.
 *
 * Return: 0; -E2BIG when @value is longer than VSND_XSCFG_VALUE_MAX; -ENOMEM
 * (the old value is then kept).
 */
int vsnd_xscfg_set_string(char **field, const char *value);

/**
 * vsnd_xscfg_params_set() - set a numeric field at one level.
 * @p: the level's settings.
 * @field: VSND_XSCFG_FIELD_CHANNELS_MIN, VSND_XSCFG_FIELD_CHANNELS_MAX or
 *         VSND_XSCFG_FIELD_BUFFER_SIZE.
 * @value: the value; 0 removes the field (libxl writes only non-zero ones).
 *
 * Return: 0, or -EINVAL for a list field or an unknown one.
 */
int vsnd_xscfg_params_set(struct vsnd_xscfg_params *p, enum vsnd_xscfg_field field, uint32_t value);

/**
 * vsnd_xscfg_params_add_rate() - append a rate to the level's sample-rates.
 * @p: the level's settings.
 * @rate: the rate in Hz; a duplicate is ignored.
 *
 * Return: 1 when added, 0 for a duplicate; -EINVAL for 0; -ENOSPC when
 * VSND_XSCFG_LIST_MAX are held.
 */
int vsnd_xscfg_params_add_rate(struct vsnd_xscfg_params *p, uint32_t rate);

/**
 * vsnd_xscfg_params_add_format() - append a format to the level's
 * sample-formats.
 * @p: the level's settings.
 * @code: the sndif format code; a duplicate (same code and spelling) is
 *        ignored.
 * @libxl_spelling: write it the libxl way (f32_le) rather than the sndif way
 *                  (float_le); only meaningful for the four float formats.
 *
 * Return: 1 when added, 0 for a duplicate; -EINVAL for an unknown code, or
 * a libxl spelling of a format that has none; -ENOSPC when
 * VSND_XSCFG_LIST_MAX are held.
 */
int vsnd_xscfg_params_add_format(struct vsnd_xscfg_params *p, unsigned int code,
				 bool libxl_spelling);

/**
 * vsnd_xscfg_field_name() - the XenStore key of a field ("sample-rates").
 * Return: the key, or NULL for an unknown @field.
 */
const char *vsnd_xscfg_field_name(enum vsnd_xscfg_field field);

/**
 * vsnd_xscfg_path() - the path of a node relative to the card's directory.
 * @buf: the destination (VSND_XSCFG_PATH_MAX octets are always enough for a
 *       key of this header).
 * @size: its size.
 * @pcm: the device index, or -1 for a card-level node.
 * @stream: the stream index, or -1 for a device-level node.
 * @key: the node's name ("type"), or NULL for the directory itself ("0/1").
 */
void vsnd_xscfg_path(char *buf, size_t size, int pcm, int stream, const char *key);

/**
 * vsnd_xscfg_linux_rate() - whether the Linux frontend recognises @rate in a
 * sample-rates list (one of vsnd_linux_rates).
 */
bool vsnd_xscfg_linux_rate(uint32_t rate);

/**
 * vsnd_xscfg_stream_type_from_string() - parse a `type` value as Linux does.
 * @s: the characters (not necessarily NUL-terminated).
 * @len: their number.
 *
 * Return: VSND_XSCFG_STREAM_PLAYBACK for "p"/"P", VSND_XSCFG_STREAM_CAPTURE
 * for "c"/"C", else -EINVAL.
 */
int vsnd_xscfg_stream_type_from_string(const char *s, size_t len);

/* Flags of vsnd_xscfg_limits(). */
/*
 * Count entries Linux ignores but our own frontends may honour: libxl's
 * float spellings, and (STRICT-parsed or built models) rates outside Linux's
 * 12. Without it the result is exactly what the Linux frontend derives.
 */
#define VSND_XSCFG_LIMITS_EXTENDED (1u << 0)

/**
 * vsnd_xscfg_limits() - the effective settings of a card, PCM or stream.
 * @cfg: the model.
 * @pcm: the PCM device index, or -1 for the card level.
 * @stream: the stream index within @pcm, or -1 for the device level.
 * @flags: 0 or VSND_XSCFG_LIMITS_EXTENDED.
 * @ret: receives the limits.
 *
 * Starts from Linux's defaults (vsnd_stream_limits_linux_default()) and
 * applies card, device and stream in turn; each replaces the fields it sets:
 * a 0 number is ignored, a list with no recognised entry is ignored, a rate
 * list becomes a discrete set, and channels_min is lowered to channels_max
 * after each level. These are the ALSA hardware limits a Linux guest offers.
 *
 * Return: 0, or -ENOENT when @pcm or @stream does not exist (or @stream is
 * given without @pcm).
 */
int vsnd_xscfg_limits(const struct vsnd_xscfg *cfg, int pcm, int stream, unsigned int flags,
		      struct vsnd_stream_limits *ret);

/**
 * vsnd_xscfg_stream_count() - number of streams of the whole card.
 * Return: the count (0 .. VSND_MAX_PCMS * VSND_MAX_STREAMS_PER_PCM).
 */
unsigned int vsnd_xscfg_stream_count(const struct vsnd_xscfg *cfg);

/**
 * vsnd_xscfg_stream_index() - a stream's card-wide index.
 * @cfg: the model.
 * @pcm: the device index.
 * @stream: the stream index within it.
 *
 * Linux numbers the streams 0, 1, 2, ... in device-then-stream order; the
 * number selects the stream's ring pair.
 *
 * Return: the index, or -ENOENT.
 */
int vsnd_xscfg_stream_index(const struct vsnd_xscfg *cfg, unsigned int pcm, unsigned int stream);

/**
 * vsnd_xscfg_stream_at() - the inverse of vsnd_xscfg_stream_index().
 * @cfg: the model.
 * @index: a card-wide stream index.
 * @ret_pcm: receives the device index.
 * @ret_stream: receives the stream index within it.
 *
 * Return: 0, or -ENOENT when @index is not below vsnd_xscfg_stream_count().
 */
int vsnd_xscfg_stream_at(const struct vsnd_xscfg *cfg, unsigned int index, unsigned int *ret_pcm,
			 unsigned int *ret_stream);

/**
 * vsnd_xscfg_substream() - a stream's ALSA substream number.
 * @cfg: the model.
 * @pcm: the device index.
 * @stream: the stream index within it.
 *
 * The i-th playback stream of a device (in index order) is its playback
 * substream i, the j-th capture stream its capture substream j.
 *
 * Return: the number, -ENOENT for no such stream, -EINVAL when the stream
 * has no type.
 */
int vsnd_xscfg_substream(const struct vsnd_xscfg *cfg, unsigned int pcm, unsigned int stream);

/**
 * vsnd_xscfg_pcm_substreams() - how many substreams of one direction a PCM
 * device has.
 * @pcm: the device.
 * @type: VSND_XSCFG_STREAM_PLAYBACK or VSND_XSCFG_STREAM_CAPTURE.
 *
 * Return: the count.
 */
unsigned int vsnd_xscfg_pcm_substreams(const struct vsnd_xscfg_pcm *pcm,
				       enum vsnd_xscfg_stream_type type);

/* Flags of vsnd_xscfg_format(). */
/*
 * Spell every float format the libxl way (f32_le), byte for byte what libxl
 * writes. Beware: Linux does not recognise that spelling (protocol.md 6.2).
 * Without the flag each entry keeps the spelling it was given (built
 * entries default to the sndif spelling, which Linux recognises).
 */
#define VSND_XSCFG_FORMAT_LIBXL_NAMES (1u << 0)

/**
 * vsnd_xscfg_format() - write a model as XenStore nodes.
 * @cfg: the model.
 * @wr: the node writer.
 * @flags: 0 or VSND_XSCFG_FORMAT_LIBXL_NAMES.
 * @reterr: optional; receives the reason when formatting fails.
 *
 * Emits nodes in libxl's order (protocol.md 5.2): long-name, short-name, the
 * card settings; for each PCM i: i/name, its settings, then for each stream
 * j: i/j/unique-id, i/j/type, its settings. Settings come in the order
 * sample-rates, sample-formats, channels-min, channels-max, buffer-size, and
 * only when set and non-zero / non-empty; rates as "%u" joined by ",",
 * formats as names joined by ",". Strings are written when non-NULL (even
 * empty, as libxl does). Unlike libxl, a device or stream that would get no
 * node at all is written as its bare directory node (value "") so that the
 * indices after it stay visible. The model is not validated first.
 *
 * Return: 0; -EINVAL for a model that cannot be written (counts beyond the
 * caps, a missing device, an unknown format code, a rate of 0); or the
 * writer's negative errno, stopping at the first failure.
 */
int vsnd_xscfg_format(const struct vsnd_xscfg *cfg, const struct vsnd_xs_writer *wr,
		      unsigned int flags, struct vsnd_xscfg_error *reterr);

/**
 * vsnd_xscfg_validate() - check a model against the strict rules.
 * @cfg: the model, typically built in code (e.g. from an xl.cfg vsnd spec).
 * @warnings: optional; receives the warnings (appended to what it holds).
 * @reterr: optional; receives the first error.
 *
 * Errors: no PCM device; counts beyond the caps; a stream without a type;
 * empty, overlong or control-character strings; numbers out of the strict
 * ranges; empty lists or lists beyond VSND_XSCFG_LIST_MAX; rates outside
 * 1..VSND_XSCFG_RATE_MAX; unknown format codes; channels-min above
 * channels-max in any level's effective settings. Warnings: see the top of
 * this file.
 *
 * Return: 0, or -EINVAL.
 */
int vsnd_xscfg_validate(const struct vsnd_xscfg *cfg, struct vsnd_xscfg_warnings *warnings,
			struct vsnd_xscfg_error *reterr);

/**
 * vsnd_xscfg_quote() - render a value for a message: in double quotes, '"'
 * and '\\' escaped, bytes outside printable ASCII as \xNN, cut with "..."
 * after 40 characters of the value.
 * @buf: the destination, always NUL-terminated when @size > 0.
 * @size: its size.
 * @value: the value's octets (NULs allowed).
 * @len: their number.
 *
 * Return: the length of the string written to @buf.
 */
size_t vsnd_xscfg_quote(char *buf, size_t size, const char *value, size_t len);

/**
 * vsnd_xscfg_node_error() - fill an error about one node.
 * @err: the error to fill, or NULL.
 * @relpath: the node's path relative to the card's directory.
 * @value: the offending value (rendered with vsnd_xscfg_quote()), or NULL.
 * @len: the value's length.
 * @fmt: printf-style reason.
 *
 * Return: -EINVAL, for `return vsnd_xscfg_node_error(...)`.
 */
int vsnd_xscfg_node_error(struct vsnd_xscfg_error *err, const char *relpath, const char *value,
			  size_t len, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/**
 * vsnd_xscfg_warn() - append a warning about one node.
 * @w: the warnings, or NULL (the warning is then dropped).
 * @relpath: the node's path relative to the card's directory.
 * @value: the value it is about, or NULL.
 * @len: the value's length.
 * @fmt: printf-style text.
 *
 * Beyond VSND_XSCFG_WARN_MAX messages only @w->lost is counted.
 */
void vsnd_xscfg_warn(struct vsnd_xscfg_warnings *w, const char *relpath, const char *value,
		     size_t len, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif /* VSND_XSCFG_H */
