/* SPDX-License-Identifier: MIT */
/*
 * conform.h - vsnd-conform, the sndif v2 conformance harness: roles,
 * scenarios and their results.
 *
 * A scenario states in one sentence what a correct peer must do (its
 * claim, shown by --list) and checks it. It never aborts the program: it
 * returns CF_OK, or CF_FAIL / CF_SKIP with the reason in the context's
 * message buffer (cf_fail(), cf_skip()). Scenarios come in one table per
 * role and run in table order; the order matters (see fe-suite.c).
 *
 * In the frontend role the harness is the guest and the peer under test a
 * backend (fe-*.c); in the backend role the harness is the backend domain
 * and the peer under test a frontend program run per scenario (be-*.c).
 * The context (struct cf_ctx, fe-scen.h) is shared: cf_fail() and friends
 * work in both roles.
 */
#ifndef VSND_CONFORM_H
#define VSND_CONFORM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsnd/xscfg.h"
#include "xenif/xenif.h"

enum cf_role {
	CF_ROLE_FRONTEND,	/* we are the guest; the backend is tested */
	CF_ROLE_BACKEND,	/* we are dom0's backend; the frontend is tested */
};

enum cf_result {
	CF_OK,
	CF_FAIL,
	CF_SKIP,
};

/* Scenario flags. */
/* Runs before the first handshake: the link is left as the last one left it. */
#define CF_UNLINKED (1u << 0)
/* Leaves the device disconnected: the runner reconnects before the next one. */
#define CF_BREAKS (1u << 1)

struct cf_ctx;

struct cf_scenario {
	const char *name;
	const char *claim;	/* what a correct peer must do, one sentence */
	enum cf_result (*run)(struct cf_ctx *c);
	unsigned int flags;
};

struct cf_options {
	enum cf_role role;
	const char *xen;	/* "real" or "sim:DIR" */
	uint32_t domid;		/* the domain we act as (XENIF_DOMID_SELF: ours) */
	uint32_t devid;		/* the vsnd device */
	const char *fe_cmd;	/* backend role: the frontend driver command */
	bool verbose;
};

/* Room for a scenario's message. */
#define CF_MSG_MAX 512u

/* Record why a scenario failed / skipped; return CF_FAIL / CF_SKIP. */
enum cf_result cf_fail(struct cf_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum cf_result cf_skip(struct cf_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The message of the last cf_fail()/cf_skip(). */
/* Read the card of the device whose frontend directory is @fe (Linux's
 * rules); on failure @why says why. 0 or a negative errno. */
int cf_card_parse(struct xenif *x, const char *fe, struct vsnd_xscfg **ret, char *why,
		  size_t whysz);
/* Write @v to @path outside a transaction. */
int cf_xs_write_str(struct xenif *x, const char *path, const char *v);

const char *cf_message(const struct cf_ctx *c);
/* A line on stderr with -v. */
void cf_log(const struct cf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fail the scenario unless @cond holds. */
#define CF_CHECK(c, cond, ...)                                                               \
	do {                                                                                 \
		if (!(cond))                                                                 \
			return cf_fail((c), __VA_ARGS__);                                    \
	} while (0)

/* Return from the scenario unless @expr (an enum cf_result) is CF_OK. */
#define CF_TRY(expr)                                                                         \
	do {                                                                                 \
		enum cf_result _r = (expr);                                                  \
		if (_r != CF_OK)                                                             \
			return _r;                                                           \
	} while (0)

/* ---- the frontend role (fe-*.c) --------------------------------------------- */

extern const struct cf_scenario cf_fe_scenarios[];
extern const size_t cf_fe_n_scenarios;

/* A context for the frontend role; NULL with a message on stderr. */
struct cf_ctx *cf_fe_new(const struct cf_options *o);
struct cf_ctx *cf_fe_free(struct cf_ctx *c);
/* Connect (again) before a scenario that needs it; CF_FAIL with why. */
enum cf_result cf_fe_prepare(struct cf_ctx *c, const struct cf_scenario *s);
/* After a scenario that gave @r: note whether the device needs a new
 * handshake (it broke it, it failed, or the link looks broken). */
void cf_fe_finish(struct cf_ctx *c, const struct cf_scenario *s, enum cf_result r);

/* ---- the backend role (be-*.c) ----------------------------------------------- */

extern const struct cf_scenario cf_be_scenarios[];
extern const size_t cf_be_n_scenarios;

/* A context for the backend role (it serves the device of o->domid); NULL
 * with a message on stderr. */
struct cf_ctx *cf_be_new(const struct cf_options *o);
struct cf_ctx *cf_be_free(struct cf_ctx *c);
/* Back to a fresh InitWait with a clean script before each scenario. */
enum cf_result cf_be_prepare(struct cf_ctx *c, const struct cf_scenario *s);
void cf_be_finish(struct cf_ctx *c, const struct cf_scenario *s, enum cf_result r);

/* ---- reporting (report.c) --------------------------------------------------- */

struct cf_outcome {
	const struct cf_scenario *s;
	enum cf_result result;
	char msg[CF_MSG_MAX];
	uint64_t ms;
};

/* One line for a finished scenario, plain or TAP (@n counts from 1). */
void cf_report_line(const struct cf_outcome *o, unsigned int n, bool tap);
/* Write a JUnit XML file of @n outcomes; 0 or a negative errno. */
int cf_report_junit(const char *path, const struct cf_outcome *o, size_t n);

#endif /* VSND_CONFORM_H */
