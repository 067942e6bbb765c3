/* SPDX-License-Identifier: MIT */
/*
 * simd-int.h - xensimd's internals, shared by its source files.
 *
 * xensimd is one single-threaded epoll loop. The server owns the XenStore
 * model, the simulated domains (indexed by domid), the connections and the
 * shared fault table. Each domain owns its grant table and its event
 * channel ports; each connection owns the grants it shared, the mappings
 * it made and the ports it bound, so that closing a connection (its process
 * died) releases exactly what that process held, as closing its Xen
 * device files does on Xen.
 *
 * Objects an epoll event may still point to are never freed while a batch
 * of events is being handled: they go to the graveyard and are freed after
 * the batch (simd_defer_free()).
 */
#ifndef VSND_SIMD_INT_H
#define VSND_SIMD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "simproto.h"
#include "xs-model.h"

#define SIMD_DOMID_MAX 32752u		/* largest domU id (DOMID_FIRST_RESERVED - 1) */
#define SIMD_GREF_FIRST 8u		/* Xen reserves refs 0..7 */
#define SIMD_GREF_LIMIT 32768u		/* 64 grant frames of 512 v1 entries */
#define SIMD_EVTCHN_PORTS 4096u		/* the 2-level ABI of a 64-bit guest */
#define SIMD_PAGE_SIZE 4096u
#define SIMD_OUTQ_SOFT (256u * 1024u)	/* stop reading requests above this */
#define SIMD_OUTQ_DEFAULT_MAX (8u * 1024u * 1024u)

#define SIMD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct simd_server;

/* Something in the epoll set. */
struct simd_io {
	int fd;
	void (*handle)(struct simd_io *io, uint32_t events);
};

/* One queued piece of output; its fds travel with its first byte. */
struct simd_chunk {
	struct simd_chunk *next;
	size_t len;
	size_t off;
	int *fds;
	unsigned int nfds;
	bool fds_owned;		/* dup()ed: close them when done */
	unsigned char data[];
};

/* A watch registered by a connection (kept for the spurious-watch knob). */
struct simd_watch {
	struct simd_watch *next;
	char *path;
	char *token;
};

/* A mapping made by a connection: @count refs of @granter. */
struct simd_map {
	struct simd_map *next;
	uint64_t id;
	uint32_t granter;
	uint32_t count;
	uint32_t refs[];
};

struct simd_conn {
	struct simd_io io;
	struct simd_server *srv;
	struct simd_conn *next;
	uint64_t id;
	uint32_t domid;
	bool privileged;
	bool dead;
	const char *doomed;	/* to be closed after this event, and why */
	bool in_paused;
	bool out_armed;
	/* input: a header, then its payload */
	struct xsd_sockmsg hdr;
	size_t hdr_got;
	unsigned char *payload;
	size_t payload_got;
	/* output */
	struct simd_chunk *out_head;
	struct simd_chunk **out_tail;
	size_t out_bytes;
	/* watch events raised while this connection's request is handled;
	 * sent after its reply, as xenstored does */
	struct simd_chunk *held_head;
	struct simd_chunk **held_tail;
	bool holding;
	struct simd_watch *watches;
	struct simd_map *maps;
	bool restricted;
	uint32_t restrict_domid;
};

struct simd_grant {
	uint32_t ref;
	uint32_t grantee;
	bool readonly;
	bool revoked;		/* no new maps; freed when @maps drops to 0 */
	int memfd;
	uint64_t sharer;	/* connection id */
	uint32_t maps;
};

/* The two eventfds of a channel, shared by both of its ends. */
struct simd_evpair {
	int efd[2];
	unsigned int refs;
};

enum simd_port_state {
	SIMD_PORT_FREE,
	SIMD_PORT_UNBOUND,
	SIMD_PORT_INTERDOMAIN,
};

struct simd_port {
	enum simd_port_state state;
	uint64_t owner;		/* connection id */
	uint32_t remote_domid;
	uint32_t remote_port;	/* SIMD_PORT_INTERDOMAIN only */
	struct simd_evpair *pair;
	unsigned int recv_idx;	/* the eventfd this end reads */
};

struct simd_domain {
	struct simd_io listener;
	struct simd_server *srv;
	uint32_t domid;
	char name[64];
	char uuid[40];
	bool dying;
	bool reaped;
	char *sock_path;
	/* grant table: refs below next_ref are in use or on the free list */
	struct simd_grant **grants;
	uint32_t grants_cap;
	uint32_t next_ref;
	uint32_t *free_refs;
	uint32_t nfree_refs;
	/* event channels, indexed by port */
	struct simd_port *ports;
	uint32_t ports_cap;
	uint32_t pages_mapped_by;
	uint32_t pages_mapped_of;
	uint32_t tx_eagain;
};

struct simd_grave {
	struct simd_grave *next;
	void *ptr;
	void (*free_fn)(void *ptr);
};

struct simd_server {
	int epfd;
	const char *run_dir;
	struct xs_model *xs;
	struct simd_domain *domains[SIMD_DOMID_MAX + 1];
	struct simd_conn *conns;
	uint64_t next_conn_id;
	uint64_t next_map_id;
	size_t outq_max;
	struct simd_grave *graveyard;
	bool doomed_pending;
	int fault_fd;
	int spare_fd;		/* given up to refuse a client when out of fds */
	struct xsim_fault_table *faults;
	/* the connection whose request is being handled, if any */
	struct simd_conn *current;
	/* spurious-watch filter: while set, watch events go only here */
	bool spur_active;
	uint64_t spur_conn;
	const char *spur_token;
	unsigned int spur_delivered;
	bool verbose;
};

/* simd-main.c */
void simd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void simd_defer_free(struct simd_server *srv, void *ptr, void (*free_fn)(void *ptr));
int simd_epoll_add(struct simd_server *srv, struct simd_io *io, uint32_t events);
void simd_epoll_mod(struct simd_server *srv, struct simd_io *io, uint32_t events);
void simd_epoll_del(struct simd_server *srv, struct simd_io *io);

/* simd-conn.c */
int simd_conn_accept(struct simd_server *srv, int lfd, uint32_t domid);
void simd_conn_close(struct simd_conn *c, const char *why);
void simd_conn_reap_doomed(struct simd_server *srv);
struct simd_conn *simd_conn_find(struct simd_server *srv, uint64_t id);
int simd_conn_send(struct simd_conn *c, const struct xsd_sockmsg *req, uint32_t type,
		   const void *payload, size_t len, const int *fds, unsigned int nfds);
int simd_conn_send_error(struct simd_conn *c, const struct xsd_sockmsg *req, int err,
			 bool xs_table_only);
void simd_conn_watch_event(struct simd_conn *c, const char *path, const char *token);
void simd_conn_release_held(struct simd_conn *c);

/* simd-xs.c */
void simd_xs_handle(struct simd_conn *c, const struct xsd_sockmsg *h, const char *p);
void simd_xs_fire(void *opaque, uint64_t conn, const char *path, const char *token);
void simd_xs_forget_watches(struct simd_conn *c);
void simd_xs_spurious(struct simd_server *srv, uint32_t domid, unsigned int count);

/* simd-domain.c */
int simd_domain_boot_dom0(struct simd_server *srv);
struct simd_domain *simd_domain_get(struct simd_server *srv, uint32_t domid);
void simd_domain_maybe_reap(struct simd_domain *d);
void simd_domain_free_all(struct simd_server *srv);
void simd_domain_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
			const unsigned char *p);

/* simd-grant.c */
void simd_grant_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
		       const unsigned char *p);
void simd_grant_conn_gone(struct simd_conn *c);
void simd_grant_domain_dead(struct simd_domain *d);
void simd_grant_table_free(struct simd_domain *d);

/* simd-evtchn.c */
void simd_evtchn_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
			const unsigned char *p);
void simd_evtchn_conn_gone(struct simd_conn *c);
void simd_evtchn_table_free(struct simd_domain *d);

/* simd-fault.c */
int simd_fault_init(struct simd_server *srv);
void simd_fault_fini(struct simd_server *srv);
void simd_fault_handle(struct simd_conn *c, const struct xsd_sockmsg *h,
		       const unsigned char *p);

/* simd-names.c: shared with xensimd-ctl */
const char *simd_errno_name(int err);
int simd_errno_from_name(const char *name);
const char *simd_op_name(unsigned int op);
int simd_op_from_name(const char *name);
unsigned int simd_op_count(void);
int simd_parse_u32(const char *s, uint32_t max, uint32_t *ret);

#endif /* VSND_SIMD_INT_H */
