/* SPDX-License-Identifier: MIT */
/*
 * xenif-sim.c - the xensimd client: opening a context as one simulated
 * domain, the shared fault table, XenStore over xenstored's wire protocol
 * and domain information. Grants and event channels live in
 * xenif-sim-gnt.c and xenif-sim-evtchn.c.
 *
 * xenif_xs_fd() is an epoll fd over the XenStore socket and an eventfd.
 * Watch events that arrive while a request waits for its reply are queued
 * by the connection, and the eventfd is kept readable exactly while that
 * queue is non-empty, so a caller polling the fd never misses an event
 * that was read off the socket on its behalf.
 *
 * Fault injection (simproto.h, XSIM_FAULT_OP_ERRNO): before a call reaches
 * xensimd (or, for data-plane calls, the peer), sim_fault() walks the
 * shared table; an active entry for this domain and op counts the call
 * with an atomic increment of @calls, and from the @nth call on takes one
 * of its @count failures with a compare-and-swap, so @count failures are
 * injected in a row however many processes act as the domain.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "sim.h"
#include "util.h"

#define FAULT_TABLE_BYTES 4096u

/* ---- the fault table ------------------------------------------------------ */

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)

/* True for an active entry of @kind aimed at @domid. */
static bool entry_for(struct xsim_fault_entry *e, uint32_t kind, uint32_t domid)
{
	return LOAD(&e->active) && LOAD(&e->kind) == kind && LOAD(&e->domid) == domid;
}

/* Take one of @e's remaining failures; false when none is left. */
static bool take_failure(struct xsim_fault_entry *e)
{
	uint32_t left = LOAD(&e->count);

	while (left > 0) {
		if (__atomic_compare_exchange_n(&e->count, &left, left - 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

static int sim_fault(struct xenif *x, enum xenif_op op)
{
	struct xsim_fault_table *t = to_sim(x)->faults;

	for (unsigned int i = 0; i < XSIM_FAULT_SLOTS; i++) {
		struct xsim_fault_entry *e = &t->e[i];
		uint32_t n;
		int32_t err;

		if (!entry_for(e, XSIM_FAULT_OP_ERRNO, x->domid) || LOAD(&e->op) != (uint32_t)op)
			continue;
		n = __atomic_add_fetch(&e->calls, 1, __ATOMIC_ACQ_REL);
		if (n < LOAD(&e->nth) || !take_failure(e))
			continue;
		err = (int32_t)LOAD((uint32_t *)&e->err);
		return err > 0 && err < 4096 ? -err : -EIO;
	}
	return 0;
}

/**
 * sim_notify_delay_ms() - the notify-delay knob for this context's domain.
 * @s: the context.
 *
 * Return: the delay in ms (XSIM_FAULT_NOTIFY_DELAY's @nth, capped at 60 s),
 * 0 when no such entry is active.
 */
unsigned int sim_notify_delay_ms(struct xenif_sim *s)
{
	for (unsigned int i = 0; i < XSIM_FAULT_SLOTS; i++) {
		struct xsim_fault_entry *e = &s->faults->e[i];

		if (entry_for(e, XSIM_FAULT_NOTIFY_DELAY, s->base.domid)) {
			uint32_t ms = LOAD(&e->nth);

			return ms > 60000 ? 60000 : ms;
		}
	}
	return 0;
}

/* ---- payload building ------------------------------------------------------ */

struct payload {
	char b[XENSTORE_PAYLOAD_MAX];
	size_t len;
	int err;	/* sticky: -E2BIG once something did not fit */
};

static void put(struct payload *p, const void *data, size_t len)
{
	if (p->err || len > sizeof(p->b) - p->len) {
		p->err = -E2BIG;
		return;
	}
	memcpy(p->b + p->len, data, len);
	p->len += len;
}

static void put_str(struct payload *p, const char *s)
{
	put(p, s, strlen(s) + 1);
}

static int xs_call(struct xenif *x, uint32_t type, xenif_tx_t tx, const struct payload *p,
		   struct sim_reply *ret)
{
	if (p->err)
		return p->err;
	return sim_conn_call(to_sim(x)->conn, type, tx, p->b, p->len, NULL, ret);
}

/* For requests answered with "OK": send, check, discard the body. */
static int xs_simple(struct xenif *x, uint32_t type, xenif_tx_t tx, const struct payload *p)
{
	struct sim_reply rep;
	int r = xs_call(x, type, tx, p, &rep);

	if (r < 0)
		return r;
	sim_reply_done(&rep);
	return 0;
}

/* ---- XenStore ----------------------------------------------------------- */

static int sim_xs_read(struct xenif *x, xenif_tx_t tx, const char *path, char **ret_value,
		       size_t *ret_len)
{
	struct payload p = { .len = 0 };
	struct sim_reply rep;
	int r;

	put_str(&p, path);
	r = xs_call(x, XS_READ, tx, &p, &rep);
	if (r < 0)
		return r;
	if (ret_len)
		*ret_len = rep.len;
	*ret_value = rep.body;
	return 0;
}

static int sim_xs_write(struct xenif *x, xenif_tx_t tx, const char *path, const char *value,
			size_t len)
{
	struct payload p = { .len = 0 };

	put_str(&p, path);
	put(&p, value, len);
	return xs_simple(x, XS_WRITE, tx, &p);
}

static int sim_xs_mkdir(struct xenif *x, xenif_tx_t tx, const char *path)
{
	struct payload p = { .len = 0 };

	put_str(&p, path);
	return xs_simple(x, XS_MKDIR, tx, &p);
}

static int sim_xs_rm(struct xenif *x, xenif_tx_t tx, const char *path)
{
	struct payload p = { .len = 0 };

	put_str(&p, path);
	return xs_simple(x, XS_RM, tx, &p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Split "a\0b\0c\0" into a sorted, NULL-terminated array of copies. An
 * unterminated last name still counts (the body is NUL-terminated for us).
 */
static int split_names(const char *body, size_t len, char ***ret)
{
	size_t n = 0, i = 0;
	char **v;

	for (size_t off = 0; off < len; off += strlen(body + off) + 1)
		n++;
	v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t off = 0; off < len; off += strlen(body + off) + 1) {
		v[i] = strdup(body + off);
		if (!v[i]) {
			xenif_strv_free(v);
			return -ENOMEM;
		}
		i++;
	}
	qsort(v, n, sizeof(char *), cmp_str);
	*ret = v;
	return (int)n;
}

static int sim_xs_directory(struct xenif *x, xenif_tx_t tx, const char *path, char ***ret_names)
{
	struct payload p = { .len = 0 };
	struct sim_reply rep;
	int r;

	put_str(&p, path);
	r = xs_call(x, XS_DIRECTORY, tx, &p, &rep);
	if (r < 0)
		return r;
	r = split_names(rep.body, rep.len, ret_names);
	sim_reply_done(&rep);
	return r;
}

static const char perm_letters[] = "nrwb";	/* indexed by enum xenif_perm */

/* One "r5"-style entry of an XS_GET_PERMS reply. */
static int parse_perm(const char *s, struct xenif_xs_perm *ret)
{
	const char *l = s[0] ? strchr(perm_letters, s[0]) : NULL;
	char *end;
	unsigned long d;

	if (!l || s[1] < '0' || s[1] > '9')
		return -EPROTO;
	d = strtoul(s + 1, &end, 10);
	if (*end != '\0' || d > XENIF_DOMID_MAX)
		return -EPROTO;
	ret->domid = (uint32_t)d;
	ret->perm = (enum xenif_perm)(l - perm_letters);
	return 0;
}

static int sim_xs_get_perms(struct xenif *x, xenif_tx_t tx, const char *path,
			    struct xenif_xs_perm *perms, unsigned int n)
{
	struct payload p = { .len = 0 };
	struct sim_reply rep;
	unsigned int count = 0;
	int r;

	put_str(&p, path);
	r = xs_call(x, XS_GET_PERMS, tx, &p, &rep);
	if (r < 0)
		return r;
	for (size_t off = 0; off < rep.len && r == 0; off += strlen(rep.body + off) + 1) {
		struct xenif_xs_perm e;

		r = parse_perm(rep.body + off, &e);
		if (r == 0 && count < n)
			perms[count] = e;
		count++;
	}
	sim_reply_done(&rep);
	if (r < 0)
		return r;
	if (count == 0)
		return -EPROTO;
	return count > n ? -E2BIG : (int)count;
}

static int sim_xs_set_perms(struct xenif *x, xenif_tx_t tx, const char *path,
			    const struct xenif_xs_perm *perms, unsigned int n)
{
	struct payload p = { .len = 0 };

	put_str(&p, path);
	for (unsigned int i = 0; i < n; i++) {
		char s[16];

		snprintf(s, sizeof(s), "%c%u", perm_letters[perms[i].perm], perms[i].domid);
		put_str(&p, s);
	}
	return xs_simple(x, XS_SET_PERMS, tx, &p);
}

static int sim_xs_watch(struct xenif *x, const char *path, const char *token)
{
	struct payload p = { .len = 0 };

	put_str(&p, path);
	put_str(&p, token);
	return xs_simple(x, XS_WATCH, XENIF_TX_NONE, &p);
}

static int sim_xs_unwatch(struct xenif *x, const char *path, const char *token)
{
	struct payload p = { .len = 0 };

	put_str(&p, path);
	put_str(&p, token);
	return xs_simple(x, XS_UNWATCH, XENIF_TX_NONE, &p);
}

static int sim_xs_fd(struct xenif *x)
{
	return to_sim(x)->xs_epfd;
}

static int sim_xs_read_watch(struct xenif *x, char **ret_path, char **ret_token)
{
	return sim_conn_read_event(to_sim(x)->conn, ret_path, ret_token);
}

static int sim_xs_transaction_start(struct xenif *x, xenif_tx_t *ret_tx)
{
	struct payload p = { .len = 0 };
	struct sim_reply rep;
	unsigned long id;
	char *end;
	int r;

	put_str(&p, "");
	r = xs_call(x, XS_TRANSACTION_START, XENIF_TX_NONE, &p, &rep);
	if (r < 0)
		return r;
	id = strtoul(rep.body, &end, 10);
	r = (end == rep.body || *end != '\0' || id == 0 || id > UINT32_MAX) ? -EPROTO : 0;
	sim_reply_done(&rep);
	if (r == 0)
		*ret_tx = (xenif_tx_t)id;
	return r;
}

static int sim_xs_transaction_end(struct xenif *x, xenif_tx_t tx, bool abort)
{
	struct payload p = { .len = 0 };

	put_str(&p, abort ? "F" : "T");
	return xs_simple(x, XS_TRANSACTION_END, tx, &p);
}

static const struct xenif_xs_ops sim_xs_ops = {
	.read = sim_xs_read,
	.write = sim_xs_write,
	.mkdir = sim_xs_mkdir,
	.rm = sim_xs_rm,
	.directory = sim_xs_directory,
	.get_perms = sim_xs_get_perms,
	.set_perms = sim_xs_set_perms,
	.watch = sim_xs_watch,
	.unwatch = sim_xs_unwatch,
	.fd = sim_xs_fd,
	.read_watch = sim_xs_read_watch,
	.transaction_start = sim_xs_transaction_start,
	.transaction_end = sim_xs_transaction_end,
};

/* ---- domains --------------------------------------------------------------- */

static int sim_domain_info(struct xenif *x, uint32_t domid, struct xenif_dominfo *ret)
{
	struct xsim_dominfo di;
	struct sim_reply rep;
	size_t len;
	int r;

	r = sim_conn_call(to_sim(x)->conn, XSIM_DOMAIN_INFO, 0, &domid, sizeof(domid), NULL, &rep);
	if (r < 0)
		return r;
	if (rep.len != sizeof(di)) {
		sim_reply_done(&rep);
		return -EPROTO;
	}
	memcpy(&di, rep.body, sizeof(di));
	sim_reply_done(&rep);

	if (!(di.flags & XSIM_DOMINFO_EXISTS))
		return -ENOENT;
	if (di.domid != domid)
		return -EPROTO;
	ret->domid = domid;
	ret->dying = di.flags & XSIM_DOMINFO_DYING;
	/* xensimd's name is untrusted: copy at most what fits, terminated
	 * (xenif.c zeroed @ret). */
	len = strnlen(di.name, sizeof(di.name));
	if (len >= sizeof(ret->name))
		len = sizeof(ret->name) - 1;
	memcpy(ret->name, di.name, len);
	return 0;
}

static const struct xenif_domain_ops sim_domain_ops = {
	.info = sim_domain_info,
};

/* ---- the context ------------------------------------------------------------ */

/**
 * sim_hello() - greet xensimd on a fresh connection.
 * @c: the connection.
 * @domid: the domain the connection should be acting as.
 * @ret_fault_fd: receives the fault table's memfd (the caller owns it).
 *
 * Return: 0; -EPROTONOSUPPORT for another protocol version; -EPROTO when
 * xensimd answers for another domain or sends a malformed reply.
 */
int sim_hello(struct sim_conn *c, uint32_t domid, int *ret_fault_fd)
{
	uint32_t version = XSIM_PROTO_VERSION, got[2];
	int fd = -1;
	struct sim_fd_sink sink = { .want = 1, .opaque = &fd };
	struct sim_reply rep;
	int r;

	sink.take = sim_take_fd;
	r = sim_conn_call(c, XSIM_HELLO, 0, &version, sizeof(version), &sink, &rep);
	if (r < 0) {
		safe_close(fd);
		return r;
	}
	r = 0;
	if (rep.len < sizeof(got))
		r = -EPROTO;
	else {
		memcpy(got, rep.body, sizeof(got));
		if (got[0] != XSIM_PROTO_VERSION)
			r = -EPROTONOSUPPORT;
		else if (got[1] != domid)
			r = -EPROTO;
	}
	sim_reply_done(&rep);
	if (r < 0) {
		safe_close(fd);
		return r;
	}
	*ret_fault_fd = fd;
	return 0;
}

static int map_faults(int fd, struct xsim_fault_table **ret)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct xsim_fault_table))
		return -EPROTO;
	p = mmap(NULL, FAULT_TABLE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return negative_errno();
	*ret = p;
	return 0;
}

static void on_queue(void *opaque, bool nonempty)
{
	struct xenif_sim *s = opaque;
	uint64_t v = 1;

	/* The eventfd mirrors "queue non-empty"; both calls cannot fail in a
	 * way that matters: EAGAIN means it is already in the wanted state. */
	if (nonempty)
		(void)!write(s->watch_evfd, &v, sizeof(v));
	else
		(void)!read(s->watch_evfd, &v, sizeof(v));
}

static int setup_xs_fd(struct xenif_sim *s)
{
	struct epoll_event ev = { .events = EPOLLIN };

	s->watch_evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->watch_evfd < 0)
		return negative_errno();
	s->xs_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->xs_epfd < 0)
		return negative_errno();
	if (epoll_ctl(s->xs_epfd, EPOLL_CTL_ADD, s->watch_evfd, &ev) < 0)
		return negative_errno();
	if (epoll_ctl(s->xs_epfd, EPOLL_CTL_ADD, sim_conn_fd(s->conn), &ev) < 0)
		return negative_errno();
	sim_conn_set_queue_fn(s->conn, on_queue, s);
	return 0;
}

static void sim_close(struct xenif *x)
{
	struct xenif_sim *s = to_sim(x);

	sim_gnt_release_all(s);
	sim_conn_free(s->conn);
	safe_close(s->xs_epfd);
	safe_close(s->watch_evfd);
	if (s->faults)
		munmap(s->faults, FAULT_TABLE_BYTES);
	free(s->dir);
	free(s);
}

static const struct xenif_core_ops sim_core_ops = {
	.name = "sim",
	.close = sim_close,
	.fault = sim_fault,
};

/**
 * xenif_sim_open() - open a context as simulated domain @domid.
 * @dir: xensimd's run directory.
 * @domid: the domain to act as.
 * @ret: the new context.
 *
 * Context: blocks for the connection and one round trip.
 * Return: 0; -ENOENT when DIR/dom<domid>.sock does not exist (no such
 * domain); the errors of sim_conn_open() and sim_hello().
 */
int xenif_sim_open(const char *dir, uint32_t domid, struct xenif **ret)
{
	_cleanup_close_ int fault_fd = -1;
	struct xenif_sim *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.core = &sim_core_ops;
	s->base.xs = &sim_xs_ops;
	s->base.evtchn = &sim_evtchn_ops;
	s->base.gnttab = &sim_gnttab_ops;
	s->base.gntshr = &sim_gntshr_ops;
	s->base.domain = &sim_domain_ops;
	s->base.domid = domid;
	s->xs_epfd = s->watch_evfd = -1;

	s->dir = strdup(dir);
	r = s->dir ? sim_conn_open(dir, domid, &s->conn) : -ENOMEM;
	if (r == 0)
		r = sim_hello(s->conn, domid, &fault_fd);
	if (r == 0)
		r = map_faults(fault_fd, &s->faults);
	if (r == 0)
		r = setup_xs_fd(s);
	if (r < 0) {
		sim_close(&s->base);
		return r;
	}
	*ret = &s->base;
	return 0;
}
