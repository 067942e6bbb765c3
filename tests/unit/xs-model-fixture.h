/* SPDX-License-Identifier: MIT */
/*
 * xs-model-fixture.h - what test-xs-model.c needs besides its tests: a
 * model with an event log, callers, expectations, and, for the randomized
 * test, a naive reference store (a flat array applying xenstored's rules the
 * slow, obvious way), a request generator and the transaction bookkeeping.
 * Header-only so the test binary stays one source file, as xscfg-fixture.h;
 * only test-xs-model.c includes it.
 */
#ifndef VSND_TEST_XS_MODEL_FIXTURE_H
#define VSND_TEST_XS_MODEL_FIXTURE_H

#include <errno.h>

#include "vtest.h"
#include "xs-model.h"

#define EV_MAX 1024

struct ev {
	uint64_t conn;
	char path[256];
	char token[32];
};

struct fx {
	struct xs_model *m;
	unsigned int nev;
	struct ev ev[EV_MAX];
};

static const struct xs_model_caller DOM0 = { .domid = 0, .privileged = true, .conn = 1 };
static const struct xs_model_caller TOOL = { .domid = 0, .privileged = true, .conn = 2 };
static const struct xs_model_caller DOM5 = { .domid = 5, .privileged = false, .conn = 5 };
static const struct xs_model_caller DOM6 = { .domid = 6, .privileged = false, .conn = 6 };

/* clang-format off */
#define P(d, p) { (d), XS_MODEL_PERM_##p }
#define PERMS(...) (const struct xs_model_perm_entry[]){ __VA_ARGS__ }
/* clang-format on */
#define NPERMS(...) (sizeof(PERMS(__VA_ARGS__)) / sizeof(struct xs_model_perm_entry))
#define SETP(m, c, path, ...) \
	xs_model_set_perms(m, c, 0, path, PERMS(__VA_ARGS__), NPERMS(__VA_ARGS__))
#define SETPT(m, c, tx, path, ...) \
	xs_model_set_perms(m, c, tx, path, PERMS(__VA_ARGS__), NPERMS(__VA_ARGS__))
#define WR(m, c, tx, path, s) xs_model_write(m, c, tx, path, s, strlen(s))

static inline void on_event(void *opaque, uint64_t conn, const char *path, const char *token)
{
	struct fx *f = opaque;
	struct ev *e;

	ASSERT_LT(f->nev, EV_MAX);
	ASSERT_LT(strlen(path), sizeof(f->ev[0].path));
	ASSERT_LT(strlen(token), sizeof(f->ev[0].token));
	e = &f->ev[f->nev++];
	e->conn = conn;
	strcpy(e->path, path);
	strcpy(e->token, token);
}

static inline struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));

	ASSERT_NOT_NULL(f);
	ASSERT_OK(xs_model_new(on_event, f, &f->m));
	return f;
}

static inline void fx_free(struct fx *f)
{
	ASSERT_OK(xs_model_check(f->m));
	ASSERT_NULL(xs_model_free(f->m));
	free(f);
}

/* Events matching (conn, path, token); 0 / NULL match anything. */
static inline unsigned int ev_count(const struct fx *f, uint64_t conn, const char *path, const char *token)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->nev; i++)
		n += (!conn || f->ev[i].conn == conn) && (!path || !strcmp(f->ev[i].path, path)) &&
		     (!token || !strcmp(f->ev[i].token, token));
	return n;
}

static inline void expect_value(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
			 const char *path, const char *want)
{
	const char *v;
	size_t len;

	ASSERT_OK(xs_model_read(m, c, tx, path, &v, &len));
	ASSERT_EQ(len, strlen(want));
	ASSERT_MEMEQ(v, want, len);
}

static inline int read_err(struct xs_model *m, const struct xs_model_caller *c, uint32_t tx,
		    const char *path)
{
	const char *v;
	size_t len;

	return xs_model_read(m, c, tx, path, &v, &len);
}

/* libxl's skeleton, simplified: /local/domain/<d> owned by d. */
static inline void make_home(struct xs_model *m, uint32_t d)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u", d);
	ASSERT_OK(xs_model_mkdir(m, &DOM0, 0, path));
	ASSERT_OK(SETP(m, &DOM0, path, P(d, NONE)));
}

static inline void expect_perms(struct xs_model *m, const char *path, unsigned int n,
			 const struct xs_model_perm_entry *want)
{
	struct xs_model_perm_entry got[8];

	ASSERT_EQ(xs_model_get_perms(m, &DOM0, 0, path, got, 8), n);
	ASSERT_MEMEQ(got, want, n * sizeof(*got));
}

/* ---- the randomized test's reference ------------------------------------ */
#define RMAX 512
#define RPATH 64
#define ROUT 128
#define TXOPS 48

enum { OP_WRITE, OP_MKDIR, OP_RM, OP_READ, OP_DIR, OP_SETP, OP_N };

struct rnode {
	char path[RPATH];
	char value[8];
	struct xs_model_perm_entry p[6];
	unsigned int np;
};

struct ref {
	struct rnode n[RMAX];
	unsigned int count;
	unsigned long version;
	uint32_t quota;
};

struct op {
	int kind;
	const struct xs_model_caller *c;
	char path[RPATH];
	char value[8];
	struct xs_model_perm_entry p[6];
	unsigned int np;
};

struct rec {
	struct op op;
	int rc;
	size_t outlen;
	char out[ROUT];
};

struct rtx {
	uint32_t id;
	bool open;
	unsigned long v0;
	unsigned int nops;
	struct rec recs[TXOPS];
};

static const struct xs_model_caller RC[4] = {
	{ .domid = 0, .privileged = true, .conn = 10 },
	{ .domid = 1, .conn = 11 },
	{ .domid = 2, .conn = 12 },
	{ .domid = 3, .conn = 13 },
};
static const char *const bases[] = { "/local/domain/1", "/local/domain/2", "/local/domain/3",
				     "/shared" };
static const char comps[] = "abcd";

static inline unsigned int rnd(uint64_t *s, unsigned int n)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned int)(*s % n);
}

static inline int ref_find(const struct ref *r, const char *path)
{
	unsigned int i;

	for (i = 0; i < r->count; i++)
		if (!strcmp(r->n[i].path, path))
			return (int)i;
	return -1;
}

static inline unsigned int ref_perm(const struct xs_model_caller *c, const struct rnode *n)
{
	unsigned int i;

	if (c->privileged || n->p[0].domid == c->domid)
		return 7;
	for (i = 1; i < n->np; i++)
		if (n->p[i].domid == c->domid)
			return n->p[i].perm;
	return n->p[0].perm;
}

static inline void up(char *p)
{
	char *s = strrchr(p, '/');

	s[s == p] = '\0';
}

/* Index of the node, or xenstored's error for @need. */
static inline int ref_checked(const struct ref *r, const struct xs_model_caller *c, const char *path,
		       unsigned int need)
{
	char p[RPATH];
	int i = ref_find(r, path);

	if (i >= 0)
		return (ref_perm(c, &r->n[i]) & need) == need ? i : -EACCES;
	strcpy(p, path);
	do
		up(p);
	while ((i = ref_find(r, p)) < 0);
	return ref_perm(c, &r->n[i]) & need ? -ENOENT : -EACCES;
}

static inline unsigned int ref_owned(const struct ref *r, uint32_t domid)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->count; i++)
		n += r->n[i].p[0].domid == domid;
	return n;
}

static inline void ref_add(struct ref *r, const char *path, size_t len, const struct rnode *like,
		    uint32_t owner)
{
	struct rnode *n = &r->n[r->count++];

	ASSERT_LE(r->count, RMAX);
	*n = *like;
	memcpy(n->path, path, len);
	n->path[len] = '\0';
	n->value[0] = '\0';
	n->p[0].domid = owner;
}

static inline int ref_create(struct ref *r, const struct op *o)
{
	char p[RPATH];
	unsigned int miss = 0;
	size_t i, start;
	struct rnode anc;
	int a;

	strcpy(p, o->path);
	do
		up(p);
	while ((a = ref_find(r, p)) < 0);
	start = strcmp(p, "/") ? strlen(p) : 0;
	for (i = start; o->path[i]; i++)
		miss += o->path[i] == '/';
	if (!o->c->privileged && r->quota && ref_owned(r, o->c->domid) + miss > r->quota)
		return -ENOSPC;
	anc = r->n[a];
	for (i = start + 1; i <= strlen(o->path); i++)
		if (o->path[i] == '/' || o->path[i] == '\0')
			ref_add(r, o->path, i, &anc,
				o->c->privileged ? anc.p[0].domid : o->c->domid);
	if (o->kind == OP_WRITE)
		strcpy(r->n[r->count - 1].value, o->value);
	r->version++;
	return 0;
}

static inline int ref_rm(struct ref *r, const struct op *o)
{
	char p[RPATH];
	size_t len = strlen(o->path);
	unsigned int i;
	int n = ref_checked(r, o->c, o->path, XS_MODEL_PERM_WRITE);

	if (n == -ENOENT) {
		strcpy(p, o->path);
		up(p);
		return ref_find(r, p) >= 0 ? 0 : -ENOENT;
	}
	if (n < 0)
		return n;
	for (i = r->count; i-- > 0;)
		if (!strncmp(r->n[i].path, o->path, len) &&
		    (r->n[i].path[len] == '/' || r->n[i].path[len] == '\0'))
			r->n[i] = r->n[--r->count];
	r->version++;
	return 0;
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static inline int ref_dir(const struct ref *r, int n, char *out, size_t *outlen)
{
	const char *kids[RMAX];
	char p[RPATH];
	unsigned int i, nk = 0;

	for (i = 0; i < r->count; i++) {
		strcpy(p, r->n[i].path);
		up(p);
		if (strcmp(r->n[i].path, "/") && !strcmp(p, r->n[n].path))
			kids[nk++] = strrchr(r->n[i].path, '/') + 1;
	}
	qsort(kids, nk, sizeof(kids[0]), cmp_str);
	for (i = 0, *outlen = 0; i < nk; i++) {
		memcpy(out + *outlen, kids[i], strlen(kids[i]) + 1);
		*outlen += strlen(kids[i]) + 1;
	}
	return (int)*outlen;
}

static inline int ref_setp(struct ref *r, const struct op *o)
{
	int n;

	if (!o->c->privileged && o->np > 5)
		return -ENOSPC;
	n = ref_checked(r, o->c, o->path, XS_MODEL_PERM_WRITE | 4);
	if (n < 0)
		return n;
	if (!o->c->privileged && o->p[0].domid != r->n[n].p[0].domid)
		return -EPERM;
	memcpy(r->n[n].p, o->p, sizeof(o->p));
	r->n[n].np = o->np;
	r->version++;
	return 0;
}

static inline int ref_apply(struct ref *r, const struct op *o, char *out, size_t *outlen)
{
	bool wr = o->kind == OP_WRITE || o->kind == OP_MKDIR;
	int n = ref_checked(r, o->c, o->path, wr ? XS_MODEL_PERM_WRITE : XS_MODEL_PERM_READ);

	*outlen = 0;
	switch (o->kind) {
	case OP_WRITE:
	case OP_MKDIR:
		if (n == -ENOENT)
			return ref_create(r, o);
		if (n >= 0 && o->kind == OP_WRITE) {
			strcpy(r->n[n].value, o->value);
			r->version++;
		}
		return n < 0 ? n : 0;
	case OP_RM:
		return ref_rm(r, o);
	case OP_READ:
		if (n >= 0) {
			*outlen = strlen(r->n[n].value);
			memcpy(out, r->n[n].value, *outlen);
		}
		return n < 0 ? n : 0;
	case OP_DIR:
		return n < 0 ? n : ref_dir(r, n, out, outlen);
	default:
		return ref_setp(r, o);
	}
}

static inline int model_apply(struct xs_model *m, uint32_t tx, const struct op *o, char *out,
		       size_t *outlen)
{
	const char *v;
	int rc;

	*outlen = 0;
	switch (o->kind) {
	case OP_WRITE:
		return WR(m, o->c, tx, o->path, o->value);
	case OP_MKDIR:
		return xs_model_mkdir(m, o->c, tx, o->path);
	case OP_RM:
		return xs_model_rm(m, o->c, tx, o->path);
	case OP_READ:
		rc = xs_model_read(m, o->c, tx, o->path, &v, outlen);
		if (rc >= 0)
			memcpy(out, v, *outlen);
		return rc;
	case OP_DIR:
		rc = xs_model_directory(m, o->c, tx, o->path, out, ROUT);
		*outlen = rc > 0 ? (size_t)rc : 0;
		return rc;
	default:
		return xs_model_set_perms(m, o->c, tx, o->path, o->p, o->np);
	}
}

/* A random request by @c under @base (any base if NULL). */
static inline void gen_op(uint64_t *s, const struct ref *r, const struct xs_model_caller *c,
		   const char *base, bool setp, struct op *o)
{
	static const int kinds[] = {
		OP_WRITE, OP_WRITE, OP_WRITE, OP_MKDIR, OP_RM, OP_RM,
		OP_READ, OP_READ, OP_DIR, OP_SETP, OP_SETP,
	};
	unsigned int i, depth = 1 + rnd(s, 3);
	int n;

	memset(o, 0, sizeof(*o));
	do
		o->kind = kinds[rnd(s, sizeof(kinds) / sizeof(kinds[0]))];
	while (o->kind == OP_SETP && !setp);
	o->c = c;
	strcpy(o->path, base ? base : bases[rnd(s, 4)]);
	for (i = 0; i < depth; i++) {
		size_t len = strlen(o->path);

		o->path[len] = '/';
		o->path[len + 1] = comps[rnd(s, 4)];
		o->path[len + 2] = '\0';
	}
	snprintf(o->value, sizeof(o->value), "v%u", rnd(s, 1000));
	o->np = rnd(s, 10) ? 1 + rnd(s, 3) : 6;
	for (i = 0; i < o->np; i++)
		o->p[i] = (struct xs_model_perm_entry){ rnd(s, 4), (enum xs_model_perm)rnd(s, 4) };
	n = ref_find(r, o->path);
	if (n >= 0 && rnd(s, 10))
		o->p[0].domid = r->n[n].p[0].domid;
}

static inline void both_apply(struct fx *f, struct ref *r, const struct op *o)
{
	char a[ROUT], b[ROUT];
	size_t alen, blen;
	int ra = model_apply(f->m, 0, o, a, &alen), rb = ref_apply(r, o, b, &blen);

	if (ra != rb)
		vtest_fail(__FILE__, __LINE__, "op %d by dom%u on %s: model %d, reference %d",
			   o->kind, o->c->domid, o->path, ra, rb);
	ASSERT_EQ(alen, blen);
	ASSERT_MEMEQ(a, b, alen);
}

static inline void compare_all(struct xs_model *m, const struct ref *r)
{
	struct xs_model_perm_entry p[8];
	unsigned int i, d, total = 0;

	for (i = 0; i < r->count; i++) {
		expect_value(m, &DOM0, 0, r->n[i].path, r->n[i].value);
		ASSERT_EQ(xs_model_get_perms(m, &DOM0, 0, r->n[i].path, p, 8), r->n[i].np);
		ASSERT_MEMEQ(p, r->n[i].p, r->n[i].np * sizeof(p[0]));
	}
	for (d = 0; d < 4; d++) {
		ASSERT_EQ(xs_model_nodes_owned(m, d), ref_owned(r, d));
		total += xs_model_nodes_owned(m, d);
	}
	ASSERT_EQ(total, r->count);
	ASSERT_OK(xs_model_check(m));
}

static inline void set_node_quota(struct fx *f, struct ref *r, uint32_t nodes)
{
	struct xs_model_quota q = { .nodes = nodes,
				    .watches = 128,
				    .transactions = 10,
				    .value_bytes = 2048,
				    .perms_per_node = 5 };

	xs_model_set_quota(f->m, &q);
	r->quota = nodes;
}

static inline void end_tx(struct fx *f, struct ref *r, unsigned int who, struct rtx *t, bool commit)
{
	char out[ROUT];
	size_t outlen;
	unsigned int i;
	int rc = xs_model_tx_end(f->m, &RC[who], t->id, commit);

	t->open = false;
	if (commit && r->version == t->v0)
		ASSERT_OK(rc);
	if (!commit || rc == -EAGAIN)
		return;
	ASSERT_OK(rc);
	for (i = 0; i < t->nops; i++) {
		ASSERT_EQ(ref_apply(r, &t->recs[i].op, out, &outlen), t->recs[i].rc);
		ASSERT_EQ(outlen, t->recs[i].outlen);
		ASSERT_MEMEQ(out, t->recs[i].out, outlen);
	}
}

static inline void tx_step(struct fx *f, struct ref *r, uint64_t *s, unsigned int who, struct rtx *t)
{
	struct rec *rec;
	struct op o;

	if (!t->open) {
		if (rnd(s, 6) == 0) {
			ASSERT_OK(xs_model_tx_start(f->m, &RC[who], &t->id));
			t->open = true;
			t->nops = 0;
			t->v0 = r->version;
			return;
		}
		/* Outside transactions, each caller keeps to its own nodes. */
		gen_op(s, r, &RC[who], bases[who ? who - 1 : 3], who != 0, &o);
		both_apply(f, r, &o);
		return;
	}
	if (t->nops == TXOPS || rnd(s, 12) == 0) {
		end_tx(f, r, who, t, rnd(s, 5) != 0);
		return;
	}
	rec = &t->recs[t->nops++];
	gen_op(s, r, &RC[who], NULL, true, &rec->op);
	rec->rc = model_apply(f->m, t->id, &rec->op, rec->out, &rec->outlen);
}

#endif /* VSND_TEST_XS_MODEL_FIXTURE_H */
