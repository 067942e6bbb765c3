// SPDX-License-Identifier: MIT
/*
 * simd-xs.c - the XenStore wire protocol over the pure model (xs-model.h).
 *
 * Each request is decoded as xenstored decodes it (NUL-separated strings,
 * the transaction in the header), run against the model as the
 * connection's domain, and answered with the reply xenstored would send:
 * the same type with the value, a list, or "OK"; or XS_ERROR with a name
 * from xenstored's own errno table. Requests libxenstore and
 * xenstore-utils never send, and types xensimd does not model, answer
 * EINVAL.
 *
 * Watch events come back from the model through simd_xs_fire(); the
 * spurious-watch fault knob narrows that callback to one watch at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd-int.h"

#define XS_OK "OK"
#define DIR_LISTING_MAX (16u * 1024u * 1024u)

static struct xs_model_caller caller_of(const struct simd_conn *c)
{
	return (struct xs_model_caller){
		.domid = c->domid,
		.privileged = c->privileged,
		.conn = c->id,
	};
}

/* Split the payload into exactly @n NUL-terminated strings (the last one
 * may be unterminated only if @last_raw, as the value of XS_WRITE). */
static int split_args(const struct xsd_sockmsg *h, const char *p, const char **args,
		      unsigned int n, bool last_raw)
{
	size_t off = 0;

	for (unsigned int i = 0; i < n; i++) {
		const char *nul;

		if (last_raw && i == n - 1) {
			args[i] = p + off;
			return 0;
		}
		if (off >= h->len)
			return -EINVAL;
		nul = memchr(p + off, '\0', h->len - off);
		if (!nul)
			return -EINVAL;
		args[i] = p + off;
		off = (size_t)(nul - p) + 1;
	}
	return off == h->len ? 0 : -EINVAL;
}

static void reply(struct simd_conn *c, const struct xsd_sockmsg *h, int r,
		  const void *data, size_t len)
{
	if (r < 0)
		simd_conn_send_error(c, h, -r, true);
	else
		simd_conn_send(c, h, h->type, data, len, NULL, 0);
}

static void reply_ok(struct simd_conn *c, const struct xsd_sockmsg *h, int r)
{
	reply(c, h, r, XS_OK, sizeof(XS_OK));
}

static void do_read(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	struct xs_model_caller who = caller_of(c);
	const char *path, *value = NULL;
	size_t len = 0;
	int r;

	r = split_args(h, p, &path, 1, false);
	if (r == 0)
		r = xs_model_read(c->srv->xs, &who, h->tx_id, path, &value, &len);
	reply(c, h, r, value, len);
}

static void do_write(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	struct xs_model_caller who = caller_of(c);
	const char *args[2];
	int r;

	r = split_args(h, p, args, 2, true);
	if (r == 0)
		r = xs_model_write(c->srv->xs, &who, h->tx_id, args[0], args[1],
				   h->len - (size_t)(args[1] - p));
	reply_ok(c, h, r);
}

static void do_path_op(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	struct xs_model_caller who = caller_of(c);
	const char *path;
	int r;

	r = split_args(h, p, &path, 1, false);
	if (r == 0 && h->type == XS_MKDIR)
		r = xs_model_mkdir(c->srv->xs, &who, h->tx_id, path);
	else if (r == 0)
		r = xs_model_rm(c->srv->xs, &who, h->tx_id, path);
	reply_ok(c, h, r);
}

static void do_directory(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	struct xs_model_caller who = caller_of(c);
	char buf[XENSTORE_PAYLOAD_MAX];
	const char *path;
	int r;

	r = split_args(h, p, &path, 1, false);
	if (r == 0)
		r = xs_model_directory(c->srv->xs, &who, h->tx_id, path, buf, sizeof(buf));
	reply(c, h, r, buf, r > 0 ? (size_t)r : 0);
}

/* The whole child list of @path, however long, in a malloc()ed buffer. */
static int full_listing(struct simd_conn *c, const struct xsd_sockmsg *h, const char *path,
			char **ret, size_t *ret_len)
{
	struct xs_model_caller who = caller_of(c);
	size_t cap = 65536;

	for (;;) {
		char *buf = malloc(cap);
		int r;

		if (!buf)
			return -ENOMEM;
		r = xs_model_directory(c->srv->xs, &who, h->tx_id, path, buf, cap);
		if (r >= 0) {
			*ret = buf;
			*ret_len = (size_t)r;
			return 0;
		}
		free(buf);
		if (r != -E2BIG || cap >= DIR_LISTING_MAX)
			return r == -E2BIG ? -ENOMEM : r;
		cap *= 2;
	}
}

/* The list's "generation": any change to the list changes it, which is
 * all a reader of several parts needs to notice a change under it. */
static unsigned long long listing_generation(const char *list, size_t len)
{
	unsigned long long h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)list[i]) * 1099511628211ull;
	return h;
}

static int directory_part(struct simd_conn *c, const struct xsd_sockmsg *h,
			  const char *path, size_t off)
{
	char out[XENSTORE_PAYLOAD_MAX];
	size_t len, genlen, n = 0;
	char *list;
	int r;

	r = full_listing(c, h, path, &list, &len);
	if (r < 0)
		return r;
	genlen = (size_t)snprintf(out, sizeof(out), "%llu", listing_generation(list, len)) + 1;
	/* whole names only, as many as fit, then an empty name at the end */
	while (off < len && off + n < len) {
		size_t name = strlen(list + off + n) + 1;

		if (genlen + n + name >= sizeof(out))
			break;
		n += name;
	}
	if (off < len)
		memcpy(out + genlen, list + off, n);
	if (off >= len || off + n == len)
		out[genlen + n++] = '\0';
	free(list);
	return simd_conn_send(c, h, h->type, out, genlen + n, NULL, 0);
}

static void do_directory_part(struct simd_conn *c, const struct xsd_sockmsg *h,
			      const char *p)
{
	const char *args[2];
	uint32_t off = 0;
	int r;

	r = split_args(h, p, args, 2, false);
	if (r == 0)
		r = simd_parse_u32(args[1], UINT32_MAX, &off);
	if (r == 0)
		r = directory_part(c, h, args[0], off);
	if (r < 0)
		simd_conn_send_error(c, h, -r, true);
}

static void do_get_perms(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	static const char letter[] = { 'n', 'r', 'w', 'b' };
	struct xs_model_caller who = caller_of(c);
	struct xs_model_perm_entry perms[XS_MODEL_PERMS_MAX];
	char out[XENSTORE_PAYLOAD_MAX];
	size_t len = 0;
	const char *path;
	int r;

	r = split_args(h, p, &path, 1, false);
	if (r == 0)
		r = xs_model_get_perms(c->srv->xs, &who, h->tx_id, path, perms,
				       XS_MODEL_PERMS_MAX);
	if (r > (int)XS_MODEL_PERMS_MAX)
		r = -E2BIG;
	for (int i = 0; i < r; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%c%u",
					letter[perms[i].perm & 3], perms[i].domid) + 1;
	reply(c, h, r, out, len);
}

static int parse_perm(const char *s, struct xs_model_perm_entry *e)
{
	switch (s[0]) {
	case 'n':
		e->perm = XS_MODEL_PERM_NONE;
		break;
	case 'r':
		e->perm = XS_MODEL_PERM_READ;
		break;
	case 'w':
		e->perm = XS_MODEL_PERM_WRITE;
		break;
	case 'b':
		e->perm = XS_MODEL_PERM_BOTH;
		break;
	default:
		return -EINVAL;
	}
	return simd_parse_u32(s + 1, UINT16_MAX, &e->domid);
}

static void do_set_perms(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	struct xs_model_caller who = caller_of(c);
	struct xs_model_perm_entry perms[XS_MODEL_PERMS_MAX];
	const char *end = p + h->len, *path = p, *s;
	unsigned int n = 0;
	int r = 0;

	if (h->len == 0 || p[h->len - 1] != '\0') {
		reply_ok(c, h, -EINVAL);
		return;
	}
	for (s = p + strlen(p) + 1; s < end && r == 0; s += strlen(s) + 1) {
		if (n == XS_MODEL_PERMS_MAX)
			r = -E2BIG;
		else
			r = parse_perm(s, &perms[n++]);
	}
	if (r == 0 && n == 0)
		r = -EINVAL;
	if (r == 0)
		r = xs_model_set_perms(c->srv->xs, &who, h->tx_id, path, perms, n);
	reply_ok(c, h, r);
}

static void remember_watch(struct simd_conn *c, const char *path, const char *token)
{
	struct simd_watch *w = calloc(1, sizeof(*w));

	if (w) {
		w->path = strdup(path);
		w->token = strdup(token);
	}
	if (!w || !w->path || !w->token) {
		/* only the spurious-watch knob misses it */
		if (w) {
			free(w->path);
			free(w->token);
		}
		free(w);
		return;
	}
	w->next = c->watches;
	c->watches = w;
}

static void forget_watch(struct simd_conn *c, const char *path, const char *token)
{
	for (struct simd_watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
		struct simd_watch *w = *pp;

		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			*pp = w->next;
			free(w->path);
			free(w->token);
			free(w);
			return;
		}
	}
}

/**
 * simd_xs_forget_watches() - drop a connection's record of its watches.
 * @c: the connection (the model forgets them separately).
 */
void simd_xs_forget_watches(struct simd_conn *c)
{
	while (c->watches)
		forget_watch(c, c->watches->path, c->watches->token);
}

static void do_watch(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	struct xs_model_caller who = caller_of(c);
	const char *args[2];
	int r;

	r = split_args(h, p, args, 2, false);
	if (r == 0 && h->type == XS_WATCH)
		r = xs_model_watch(c->srv->xs, &who, args[0], args[1]);
	else if (r == 0)
		r = xs_model_unwatch(c->srv->xs, &who, args[0], args[1]);
	if (r == 0 && h->type == XS_WATCH)
		remember_watch(c, args[0], args[1]);
	else if (r == 0)
		forget_watch(c, args[0], args[1]);
	reply_ok(c, h, r);
}

static void do_tx_start(struct simd_conn *c, const struct xsd_sockmsg *h)
{
	struct xs_model_caller who = caller_of(c);
	char out[16];
	uint32_t tx = 0;
	int r;

	r = xs_model_tx_start(c->srv->xs, &who, &tx);
	snprintf(out, sizeof(out), "%u", tx);
	reply(c, h, r, out, strlen(out) + 1);
}

static void do_tx_end(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	struct xs_model_caller who = caller_of(c);
	struct simd_domain *d = simd_domain_get(c->srv, c->domid);
	const char *arg;
	bool commit, armed;
	int r;

	r = split_args(h, p, &arg, 1, false);
	if (r == 0 && strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0)
		r = -EINVAL;
	if (r < 0) {
		reply_ok(c, h, r);
		return;
	}
	commit = arg[0] == 'T';
	armed = commit && d && d->tx_eagain;
	if (armed) {
		/* the knob is per domain; the model's is global, so arm it
		 * for exactly this commit */
		d->tx_eagain--;
		xs_model_fail_commits(c->srv->xs, 1);
	}
	r = xs_model_tx_end(c->srv->xs, &who, h->tx_id, commit);
	if (armed) {
		/* not consumed when the transaction id was bad */
		xs_model_fail_commits(c->srv->xs, 0);
		if (r != -EAGAIN)
			d->tx_eagain++;
	}
	reply_ok(c, h, r);
}

static void do_domain_query(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	const char *arg;
	char out[64];
	uint32_t domid = 0;
	int r;

	r = split_args(h, p, &arg, 1, false);
	if (r == 0)
		r = simd_parse_u32(arg, UINT16_MAX, &domid);
	if (r == 0 && h->type == XS_GET_DOMAIN_PATH) {
		snprintf(out, sizeof(out), "/local/domain/%u", domid);
	} else if (r == 0) {
		struct simd_domain *d = domid == 0x7ff0 /* DOMID_SELF */ ?
			simd_domain_get(c->srv, c->domid) : simd_domain_get(c->srv, domid);

		snprintf(out, sizeof(out), "%s", d && !d->dying ? "T" : "F");
	}
	reply(c, h, r, out, r == 0 ? strlen(out) + 1 : 0);
}

static void do_reset_watches(struct simd_conn *c, const struct xsd_sockmsg *h)
{
	/* xenstored drops the connection's watches and transactions */
	xs_model_conn_gone(c->srv->xs, c->id);
	simd_xs_forget_watches(c);
	reply_ok(c, h, 0);
}

/**
 * simd_xs_handle() - answer one XenStore request.
 * @c: the connection.
 * @h: the request header (type < XS_TYPE_COUNT).
 * @p: its payload, h->len bytes plus a terminating NUL.
 */
void simd_xs_handle(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p)
{
	switch (h->type) {
	case XS_READ:
		do_read(c, h, p);
		break;
	case XS_WRITE:
		do_write(c, h, p);
		break;
	case XS_MKDIR:
	case XS_RM:
		do_path_op(c, h, p);
		break;
	case XS_DIRECTORY:
		do_directory(c, h, p);
		break;
	case XS_DIRECTORY_PART:
		do_directory_part(c, h, p);
		break;
	case XS_GET_PERMS:
		do_get_perms(c, h, p);
		break;
	case XS_SET_PERMS:
		do_set_perms(c, h, p);
		break;
	case XS_WATCH:
	case XS_UNWATCH:
		do_watch(c, h, p);
		break;
	case XS_TRANSACTION_START:
		do_tx_start(c, h);
		break;
	case XS_TRANSACTION_END:
		do_tx_end(c, h, p);
		break;
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
		do_domain_query(c, h, p);
		break;
	case XS_RESET_WATCHES:
		do_reset_watches(c, h);
		break;
	case XS_INTRODUCE:
	case XS_RELEASE:
		/* the toolstack's half; domains come from XSIM_DOMAIN_CREATE */
		reply_ok(c, h, c->privileged ? 0 : -EACCES);
		break;
	case XS_CONTROL:
		reply_ok(c, h, c->privileged ? -EINVAL : -EACCES);
		break;
	default:
		reply_ok(c, h, -EINVAL);
		break;
	}
}

/**
 * simd_xs_fire() - the model's watch callback: queue the event.
 * @opaque: the server.
 * @conn: the watching connection's id.
 * @path: the event path.
 * @token: the watch token.
 */
void simd_xs_fire(void *opaque, uint64_t conn, const char *path, const char *token)
{
	struct simd_server *srv = opaque;
	struct simd_conn *c;

	if (srv->spur_active) {
		if (conn != srv->spur_conn || strcmp(token, srv->spur_token) != 0)
			return;
		srv->spur_delivered++;
	}
	c = simd_conn_find(srv, conn);
	if (c)
		simd_conn_watch_event(c, path, token);
}

static void fire_one_spurious(struct simd_server *srv, struct simd_conn *c,
			      const struct simd_watch *w)
{
	char abs[XS_MODEL_ABS_PATH_MAX + 32];

	srv->spur_active = true;
	srv->spur_conn = c->id;
	srv->spur_token = w->token;
	srv->spur_delivered = 0;
	if (w->path[0] == '@') {
		xs_model_fire_special(srv->xs, w->path);
	} else {
		if (w->path[0] == '/')
			snprintf(abs, sizeof(abs), "%s", w->path);
		else
			snprintf(abs, sizeof(abs), "/local/domain/%u/%s", c->domid, w->path);
		xs_model_fire_spurious(srv->xs, abs);
	}
	srv->spur_active = false;
	/* the knob promises an event even where the model stays silent
	 * (a watch on a node the watcher may not read) */
	if (srv->spur_delivered == 0)
		simd_conn_watch_event(c, w->path, w->token);
}

/**
 * simd_xs_spurious() - fire every watch of @domid's connections.
 * @srv: the server.
 * @domid: whose watches.
 * @count: how many times each.
 */
void simd_xs_spurious(struct simd_server *srv, uint32_t domid, unsigned int count)
{
	for (struct simd_conn *c = srv->conns; c; c = c->next) {
		if (c->domid != domid || c->dead)
			continue;
		for (const struct simd_watch *w = c->watches; w; w = w->next)
			for (unsigned int i = 0; i < count; i++)
				fire_one_spurious(srv, c, w);
	}
}
