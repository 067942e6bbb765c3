// SPDX-License-Identifier: MIT
/*
 * xensimd-ctl.c - the command line for a running xensimd: create, destroy
 * and list simulated domains, set fault knobs, read mapping counts.
 *
 * It speaks xensimd's protocol (simproto.h) on DIR/dom0.sock as the
 * privileged domain, one request per invocation. Exit status: 0 done,
 * 1 xensimd refused or could not be reached (the message names the value
 * and the reason), 2 the command line was wrong. See xensimd-ctl(1).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "simd-int.h"

#define EXIT_USAGE 2

/* Where to reach xensimd; connected on the first request, so that a
 * wrong command line is reported as such even when xensimd is down. */
struct ctl {
	const char *dir;
	int fd;
};

/* "--key value" options of a subcommand. */
struct opts {
	const char *domid;
	const char *name;
	const char *op;
	const char *nth;
	const char *errname;
	const char *count;
	const char *ms;
};

static const char usage_text[] =
	"usage: xensimd-ctl --run-dir DIR COMMAND\n"
	"commands:\n"
	"  domain create N [--name NAME]\n"
	"  domain destroy N\n"
	"  domain list\n"
	"  fault op --domid N --op OPNAME --nth K --errno ENAME [--count C]\n"
	"  fault spurious-watch --domid N [--count C]\n"
	"  fault tx-eagain --domid N [--count C]\n"
	"  fault notify-delay --domid N --ms M\n"
	"  mappings --domid N\n";

static int usage_only(void)
{
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static int __attribute__((format(printf, 1, 2))) usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xensimd-ctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return usage_only();
}

static int fail(const char *what, int err)
{
	const char *name = simd_errno_name(err);

	fprintf(stderr, "xensimd-ctl: %s: %s%s%s\n", what, name ? name : "",
		name ? ": " : "", strerror(err));
	return 1;
}

static int connect_dom0(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom0.sock", dir);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		fprintf(stderr, "xensimd-ctl: --run-dir %s: path too long\n", dir);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		n = -errno;
		fprintf(stderr, "xensimd-ctl: %s: %s (is xensimd running there?)\n",
			sa.sun_path, strerror(-n));
		close(fd);
		return n;
	}
	return fd;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		got += (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

/* One request, one reply (watch events, which dom0 never asked for here,
 * are skipped). *ret_reply is malloc()ed. Return: 0 or -errno. */
static int call(struct ctl *ctl, uint32_t type, const void *req, size_t len, void **ret_reply,
		size_t *ret_len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = 1, .len = (uint32_t)len };
	char *reply;
	int fd, r;

	if (ctl->fd < 0)
		ctl->fd = connect_dom0(ctl->dir);
	if (ctl->fd < 0)
		return ctl->fd;
	fd = ctl->fd;
	r = write_full(fd, &h, sizeof(h));
	if (r == 0 && len)
		r = write_full(fd, req, len);
	for (; r == 0;) {
		r = read_full(fd, &h, sizeof(h));
		if (r < 0)
			break;
		if (h.len > 64u * 1024 * 1024)
			return -EPROTO;
		reply = calloc(1, (size_t)h.len + 1);
		if (!reply)
			return -ENOMEM;
		r = read_full(fd, reply, h.len);
		if (r < 0 || h.type == XS_WATCH_EVENT) {
			free(reply);
			continue;
		}
		if (h.type == XS_ERROR) {
			r = simd_errno_from_name(reply);
			free(reply);
			return r < 0 ? -EPROTO : -r;
		}
		if (ret_reply) {
			*ret_reply = reply;
			*ret_len = h.len;
		} else {
			free(reply);
		}
		return 0;
	}
	return r;
}

static int parse_opts(char **argv, int argc, struct opts *o)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "--domid", offsetof(struct opts, domid) },
		{ "--name", offsetof(struct opts, name) },
		{ "--op", offsetof(struct opts, op) },
		{ "--nth", offsetof(struct opts, nth) },
		{ "--errno", offsetof(struct opts, errname) },
		{ "--count", offsetof(struct opts, count) },
		{ "--ms", offsetof(struct opts, ms) },
	};

	for (int i = 0; i < argc; i++) {
		size_t k;

		for (k = 0; k < SIMD_ARRAY_SIZE(keys); k++)
			if (strcmp(argv[i], keys[k].key) == 0)
				break;
		if (k == SIMD_ARRAY_SIZE(keys))
			return usage("unknown argument %s", argv[i]);
		if (i + 1 >= argc)
			return usage("%s needs a value", argv[i]);
		*(const char **)((char *)o + keys[k].off) = argv[++i];
	}
	return 0;
}

/* A required number option; prints the usage error itself. */
static int number(const char *opt, const char *val, uint32_t max, uint32_t *ret)
{
	if (!val) {
		fprintf(stderr, "xensimd-ctl: %s is required\n", opt);
		return -EINVAL;
	}
	if (simd_parse_u32(val, max, ret) < 0) {
		fprintf(stderr, "xensimd-ctl: %s %s: not a number in 0..%u\n", opt, val, max);
		return -EINVAL;
	}
	return 0;
}

static int cmd_domain_create(struct ctl *ctl, const char *id, const struct opts *o)
{
	unsigned char req[4 + 64] = { 0 };
	char what[128];
	uint32_t domid;
	int r;

	if (simd_parse_u32(id, SIMD_DOMID_MAX, &domid) < 0 || domid == 0)
		return usage("domain id %s: not a domU id (1..32752)", id);
	if (o->name && (!*o->name || strlen(o->name) >= 64))
		return usage("--name %s: want 1 to 63 characters", o->name);
	memcpy(req, &domid, sizeof(domid));
	if (o->name)
		memcpy(req + 4, o->name, strlen(o->name));
	else
		snprintf((char *)req + 4, 64, "dom%u", domid);
	r = call(ctl, XSIM_DOMAIN_CREATE, req, sizeof(req), NULL, NULL);
	snprintf(what, sizeof(what), "domain create %u", domid);
	return r < 0 ? fail(what, -r) : 0;
}

static int cmd_domain_destroy(struct ctl *ctl, const char *id)
{
	char what[64];
	uint32_t domid;
	int r;

	if (simd_parse_u32(id, SIMD_DOMID_MAX, &domid) < 0)
		return usage("domain id %s: not a domain id (0..32752)", id);
	r = call(ctl, XSIM_DOMAIN_DESTROY, &domid, sizeof(domid), NULL, NULL);
	snprintf(what, sizeof(what), "domain destroy %u", domid);
	return r < 0 ? fail(what, -r) : 0;
}

static int cmd_domain_list(struct ctl *ctl)
{
	struct xsim_dominfo info;
	size_t len = 0;
	void *reply;
	uint32_t n;
	int r;

	r = call(ctl, XSIM_DOMAIN_LIST, NULL, 0, &reply, &len);
	if (r < 0)
		return fail("domain list", -r);
	memcpy(&n, reply, len >= sizeof(n) ? sizeof(n) : 0);
	if (len < sizeof(n) || len != sizeof(n) + n * sizeof(info)) {
		free(reply);
		return fail("domain list", EPROTO);
	}
	for (uint32_t i = 0; i < n; i++) {
		memcpy(&info, (char *)reply + sizeof(n) + i * sizeof(info), sizeof(info));
		info.name[sizeof(info.name) - 1] = '\0';
		printf("%u\t%s\t%s\n", info.domid, info.name,
		       info.flags & XSIM_DOMINFO_DYING ? "dying" : "running");
	}
	free(reply);
	return 0;
}

static int cmd_domain(struct ctl *ctl, int argc, char **argv)
{
	struct opts o = { 0 };
	int r;

	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		if (argc != 1)
			return usage("domain list takes no argument: %s", argv[1]);
		return cmd_domain_list(ctl);
	}
	if (argc < 2)
		return usage("domain: want create N, destroy N or list");
	if (strcmp(argv[0], "create") == 0) {
		r = parse_opts(argv + 2, argc - 2, &o);
		if (r)
			return r;
		if (o.domid || o.op || o.nth || o.errname || o.count || o.ms)
			return usage("domain create takes only --name");
		return cmd_domain_create(ctl, argv[1], &o);
	}
	if (strcmp(argv[0], "destroy") == 0) {
		if (argc != 2)
			return usage("domain destroy takes one domain id");
		return cmd_domain_destroy(ctl, argv[1]);
	}
	return usage("domain %s: unknown subcommand", argv[0]);
}

static int send_fault(struct ctl *ctl, const struct xsim_fault_req *rq, const char *what)
{
	int r = call(ctl, XSIM_FAULT, rq, sizeof(*rq), NULL, NULL);

	return r < 0 ? fail(what, -r) : 0;
}

static int fault_op(struct ctl *ctl, const struct opts *o, struct xsim_fault_req *rq)
{
	int op, err;

	rq->kind = XSIM_FAULT_OP_ERRNO;
	if (!o->op || !o->errname)
		return usage("fault op needs --op and --errno");
	op = simd_op_from_name(o->op);
	if (op < 0)
		return usage("--op %s: not an xenif operation name (e.g. gnt_map)", o->op);
	err = simd_errno_from_name(o->errname);
	if (err < 0)
		return usage("--errno %s: not an errno name (e.g. EIO)", o->errname);
	rq->op = (uint32_t)op;
	rq->err = err;
	if (number("--nth", o->nth, UINT32_MAX, &rq->nth) < 0)
		return usage_only();
	if (rq->nth == 0)
		return usage("--nth %s: calls count from 1", o->nth);
	return send_fault(ctl, rq, "fault op");
}

static int cmd_fault(struct ctl *ctl, int argc, char **argv)
{
	struct xsim_fault_req rq = { .count = 1 };
	struct opts o = { 0 };
	int r;

	if (argc < 1)
		return usage("fault: want op, spurious-watch, tx-eagain or notify-delay");
	r = parse_opts(argv + 1, argc - 1, &o);
	if (r)
		return r;
	if (o.name)
		return usage("fault takes no --name");
	if (number("--domid", o.domid, SIMD_DOMID_MAX, &rq.domid) < 0 ||
	    (o.count && number("--count", o.count, UINT32_MAX, &rq.count) < 0))
		return usage_only();
	if (strcmp(argv[0], "op") == 0)
		return fault_op(ctl, &o, &rq);
	if (o.op || o.errname || o.nth)
		return usage("fault %s takes no --op, --errno or --nth", argv[0]);
	if (strcmp(argv[0], "spurious-watch") == 0 && !o.ms) {
		rq.kind = XSIM_FAULT_SPURIOUS_WATCH;
		return send_fault(ctl, &rq, "fault spurious-watch");
	}
	if (strcmp(argv[0], "tx-eagain") == 0 && !o.ms) {
		rq.kind = XSIM_FAULT_TX_EAGAIN;
		return send_fault(ctl, &rq, "fault tx-eagain");
	}
	if (strcmp(argv[0], "notify-delay") == 0 && !o.count) {
		rq.kind = XSIM_FAULT_NOTIFY_DELAY;
		if (number("--ms", o.ms, 60000, &rq.nth) < 0)
			return usage_only();
		return send_fault(ctl, &rq, "fault notify-delay");
	}
	return usage("fault %s: unknown knob or misplaced option", argv[0]);
}

static int cmd_mappings(struct ctl *ctl, int argc, char **argv)
{
	struct opts o = { 0 };
	uint32_t domid, out[2];
	size_t len = 0;
	void *reply;
	int r;

	r = parse_opts(argv, argc, &o);
	if (r)
		return r;
	if (o.name || o.op || o.nth || o.errname || o.count || o.ms)
		return usage("mappings takes only --domid");
	if (number("--domid", o.domid, SIMD_DOMID_MAX, &domid) < 0)
		return usage_only();
	r = call(ctl, XSIM_MAPPINGS, &domid, sizeof(domid), &reply, &len);
	if (r < 0)
		return fail("mappings", -r);
	if (len != sizeof(out)) {
		free(reply);
		return fail("mappings", EPROTO);
	}
	memcpy(out, reply, sizeof(out));
	free(reply);
	printf("domid=%u mapped-by=%u mapped-of=%u\n", domid, out[0], out[1]);
	return 0;
}

static int run(const char *dir, int argc, char **argv)
{
	struct ctl ctl = { .dir = dir, .fd = -1 };
	int r;

	if (argc < 1)
		return usage("no command given");
	if (strcmp(argv[0], "domain") != 0 && strcmp(argv[0], "fault") != 0 &&
	    strcmp(argv[0], "mappings") != 0)
		return usage("unknown command %s", argv[0]);
	if (strcmp(argv[0], "domain") == 0)
		r = cmd_domain(&ctl, argc - 1, argv + 1);
	else if (strcmp(argv[0], "fault") == 0)
		r = cmd_fault(&ctl, argc - 1, argv + 1);
	else
		r = cmd_mappings(&ctl, argc - 1, argv + 1);
	if (ctl.fd >= 0)
		close(ctl.fd);
	return r;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int i = 1;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc > 1 && strncmp(argv[1], "--run-dir=", 10) == 0) {
		dir = argv[1] + 10;
		i = 2;
	} else if (argc > 2 && strcmp(argv[1], "--run-dir") == 0) {
		dir = argv[2];
		i = 3;
	}
	if (!dir || !*dir)
		return usage("--run-dir DIR must come first");
	return run(dir, argc - i, argv + i);
}
