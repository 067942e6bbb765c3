/* SPDX-License-Identifier: MIT */
/*
 * xlcfg.h - the `vsnd = [...]` entry of an xl guest configuration, read the
 * way xl reads it, and the XenStore nodes libxl writes for it.
 *
 * xl's own quirks are kept on purpose, because the tree must come out as
 * libxl would write it (protocol.md 5.1-5.2): items are split on ',' with
 * empty tokens skipped, leading spaces (not tabs) are dropped and trailing
 * spaces kept, keys are matched case-sensitively as "key=", numbers are read
 * with strtoul(..., 0) (so "0x10" is 16, "010" is 8 and "48000Hz" is 48000),
 * list values are split on ';', the item names CARD/PCM/STREAM and stream
 * types are case-insensitive, and formats take libxl's enum names (f32_le,
 * not float_le). Where xl would read something other than what the user
 * probably meant, a warning says so; where xl would refuse the entry, so do
 * we, with the value and the reason.
 *
 * No I/O: the caller reads the file and writes the nodes.
 */
#ifndef VSND_XLCFG_H
#define VSND_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what one entry may hold (xl has none; a typo should not eat
 * memory): */
#define VSND_XL_MAX_CARDS 16u
#define VSND_XL_MAX_PCMS 99u
#define VSND_XL_MAX_STREAMS 99u	/* per PCM; Linux reads 8 */
#define VSND_XL_MAX_LIST 64u	/* rates or formats in one list */
#define VSND_XL_MSG_MAX 256u
#define VSND_XL_WARN_MAX 16u

struct vsnd_xl_params {
	uint32_t rates[VSND_XL_MAX_LIST];
	uint32_t n_rates;
	uint8_t formats[VSND_XL_MAX_LIST];	/* sndif codes */
	uint32_t n_formats;
	uint32_t channels_min;	/* 0: not set (libxl writes only non-zero) */
	uint32_t channels_max;
	uint32_t buffer_size;
};

enum vsnd_xl_stream_type {
	VSND_XL_STREAM_UNSET,	/* no type= : libxl writes no type node */
	VSND_XL_STREAM_P,
	VSND_XL_STREAM_C,
};

struct vsnd_xl_stream {
	char *unique_id;
	enum vsnd_xl_stream_type type;
	struct vsnd_xl_params params;
};

struct vsnd_xl_pcm {
	char *name;
	struct vsnd_xl_params params;
	uint32_t n_streams;
	struct vsnd_xl_stream *streams;	/* n_streams entries */
};

struct vsnd_xl_card {
	char *backend;		/* backend=: a domain name or id; NULL = dom0 */
	char *short_name;
	char *long_name;
	struct vsnd_xl_params params;
	uint32_t n_pcms;
	struct vsnd_xl_pcm *pcms;	/* n_pcms entries */
};

struct vsnd_xl_config {
	uint32_t n_cards;
	struct vsnd_xl_card cards[VSND_XL_MAX_CARDS];	/* devid = index */
};

struct vsnd_xl_diag {
	char error[VSND_XL_MSG_MAX];
	uint32_t n_warnings;
	char warnings[VSND_XL_WARN_MAX][VSND_XL_MSG_MAX];
	uint32_t lost_warnings;
};

/**
 * vsnd_xl_parse_item() - apply one item string ('CARD, ...', 'PCM, ...',
 * 'STREAM, ...') to @card, as xl's parse_vsnd_item() does.
 * Return: 0, or -EINVAL with @diag->error naming the token and the reason.
 */
int vsnd_xl_parse_item(struct vsnd_xl_card *card, const char *spec, struct vsnd_xl_diag *diag);

/**
 * vsnd_xl_parse_value() - parse the value of a vsnd entry: a list of cards,
 * each a list of item strings, in xl's config syntax ('...' or "..." strings,
 * '#' comments, trailing commas, newlines inside lists).
 * @ret: a new config; free with vsnd_xl_config_free().
 * Return: 0, or -EINVAL with @diag->error naming line, column and reason.
 */
int vsnd_xl_parse_value(const char *text, size_t len, struct vsnd_xl_config **ret,
			struct vsnd_xl_diag *diag);

/**
 * vsnd_xl_parse_file() - parse a whole xl.cfg and return its vsnd entry.
 * Other settings are skipped (their syntax is still checked, as xl would).
 * Return: 0; -ENOENT when the file has no vsnd entry; -EINVAL as above.
 */
int vsnd_xl_parse_file(const char *text, size_t len, struct vsnd_xl_config **ret,
		       struct vsnd_xl_diag *diag);

struct vsnd_xl_config *vsnd_xl_config_free(struct vsnd_xl_config *cfg);

/* Frees what a card holds and zeroes it (cards live inside the config). */
void vsnd_xl_card_clear(struct vsnd_xl_card *card);

typedef int (*vsnd_xl_node_fn)(void *ctx, const char *relpath, const char *value);

/**
 * vsnd_xl_card_nodes() - the frontend nodes libxl writes for @card, in
 * libxl's order, relative to the card's FE directory (long-name, short-name,
 * card parameters; per PCM i: i/name, i/<params>; per stream j:
 * i/j/unique-id, i/j/type, i/j/<params>), only those set. The toolstack's
 * own nodes (backend, backend-id, state) are not included.
 * Return: 0, or the first negative value @fn returned.
 */
int vsnd_xl_card_nodes(const struct vsnd_xl_card *card, vsnd_xl_node_fn fn, void *ctx);

/* libxl's enum spelling of a sndif format ("s16_le", "f32_le"), or NULL. */
const char *vsnd_xl_format_name(unsigned int code);

#endif /* VSND_XLCFG_H */
