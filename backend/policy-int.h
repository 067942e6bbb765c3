/* SPDX-License-Identifier: MIT */
/*
 * policy-int.h - the policy model's private types, shared by policy.c (the
 * sections and the lookup) and policy-keys.c (the values of each key).
 */
#ifndef VSND_BACKEND_POLICY_INT_H
#define VSND_BACKEND_POLICY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

/* The largest domain id a section may name (DOMID_FIRST_RESERVED - 1). */
#define POLICY_DOMID_MAX 32751u
/* Largest PCM and stream index (XenStore's 99 PCMs, 8 streams each). */
#define POLICY_PCM_MAX 98u
#define POLICY_STREAM_MAX 7u
/* Longest unique-id (VSND_XSCFG_UNIQUE_ID_MAX). */
#define POLICY_UID_MAX 255u

/* p->cur outside of a valid section. */
#define POLICY_NO_SECTION (-1)
#define POLICY_BAD_SECTION (-2)

/* From the least to the most specific. */
enum policy_level {
	POLICY_LV_DEFAULTS,
	POLICY_LV_DOMAIN,
	POLICY_LV_CARD,
	POLICY_LV_PCM,
	POLICY_LV_UID,
	POLICY_LV_STREAM,
};

enum policy_key {
	POLICY_KEY_SINK,
	POLICY_KEY_CAPTURE,
	POLICY_KEY_MAX_STREAMS,
	POLICY_KEY_MAX_BUFFER_BYTES,
	POLICY_KEY_RATES,
	POLICY_KEY_MAX_CHANNELS,
	POLICY_KEY_MAX_VOLUME_MDB,
	_POLICY_KEY_MAX,
};

struct policy_sel {
	enum policy_level level;
	bool by_id;
	uint32_t domid;
	char name[SNDBE_POLICY_NAME_MAX + 1];
	uint32_t card;
	uint32_t pcm;
	uint32_t stream;
	char *uid;			/* POLICY_LV_UID only */
};

struct policy_rule {
	struct policy_sel sel;
	uint32_t set;			/* 1 << enum policy_key */
	unsigned int file[_POLICY_KEY_MAX]; /* 1-based file that set it */
	unsigned int line[_POLICY_KEY_MAX];
	char *sink;
	struct sndbe_policy_settings v;	/* v.sink unused: see sink */
};

struct sndbe_policy {
	struct policy_rule *rules;
	unsigned int n_rules;
	char **files;
	unsigned int n_files;
	int cur;			/* rule of the current section */
	char cur_name[352];		/* its header, for error texts */
	unsigned int n_errors;
	char (*errors)[SNDBE_POLICY_ERROR_SZ];
};

/* The key named @name, or -EINVAL. */
int policy_key_from_name(const char *name);

/*
 * Parse @value for @key into @rule (replacing an earlier value). Return
 * @key, -EINVAL with the reason in @why (static text), or -ENOMEM.
 */
int policy_key_parse(struct policy_rule *rule, int key, const char *value, const char **why);

/* Copy @rule's value of @key into @ret. */
void policy_key_copy(const struct policy_rule *rule, int key, struct sndbe_policy_settings *ret);

#endif /* VSND_BACKEND_POLICY_INT_H */
