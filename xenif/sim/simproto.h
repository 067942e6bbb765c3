/* SPDX-License-Identifier: MIT */
/*
 * simproto.h - what xensimd speaks beyond xenstored's wire protocol.
 *
 * Each simulated domain N has a socket DIR/dom<N>.sock (N = 0 is privileged).
 * On it a client speaks the XenStore wire protocol of <xen/io/xs_wire.h>
 * (struct xsd_sockmsg header + payload), so libxenstore and xenstore-utils
 * work unchanged, and, with the message types below, asks for what a
 * hypervisor provides: grants, event channels, domain information, and (dom0
 * only) domain control and fault injection. Replies echo req_id and type, or
 * are XS_ERROR with an errno name ("EINVAL\0") as xenstored sends them.
 * File descriptors travel with the reply header as SCM_RIGHTS ancillary data.
 * All integers are host-endian (client and server share a machine).
 *
 * Large fd sets: the kernel passes at most 253 fds per sendmsg(), and
 * recvmsg() on a stream socket returns after each message that carried fds.
 * So a reply carrying more than XSIM_FDS_PER_SEND fds is written with
 * several sendmsg() calls, each carrying at most XSIM_FDS_PER_SEND fds on
 * at least one byte of the reply. A receiver reads a reply (header, then
 * len payload bytes) with recvmsg() calls whose control buffer has room for
 * XSIM_FDS_PER_SEND fds, appending the fds of every call in arrival order,
 * until it has read all len payload bytes; it then holds all of them.
 * Reading each header and payload with exact lengths keeps the fds of one
 * message apart from the next one's.
 *
 * Bounds: the payload of an XS_* request is at most XENSTORE_PAYLOAD_MAX
 * bytes, that of an XSIM_* request at most XSIM_MSG_MAX; a header with a
 * longer len makes xensimd close the connection (the stream cannot be
 * resynchronised), as xenstored does.
 *
 * Requests listed below without "->" answer with an empty payload.
 * Grants, mappings and event channel ports belong to the connection that
 * made them: only it may unshare, unmap or unbind them, and when it closes
 * (its process died) its grants are revoked, its mappings dropped and its
 * ports closed. XSIM_EVT_RESTRICT restricts that connection only.
 *
 * Errors of the XSIM_* requests use errno names beyond xenstored's table
 * (<xen/io/xs_wire.h> xsd_errors): ESRCH, ENOTCONN and EPROTO also
 * appear (docs/xensimd.md lists which request answers what). XS_* requests
 * answer only names of that table, as xenstored does (a quota failure is
 * "ENOSPC").
 *
 * The data plane never passes through xensimd: granted pages are memfds
 * (named "dom<D>-gref<R>") that both sides mmap, and each event channel is a
 * pair of eventfds that the two ends write to each other directly.
 */
#ifndef VSND_SIMPROTO_H
#define VSND_SIMPROTO_H

#include <stdint.h>

#define XSIM_PROTO_VERSION 1u

enum xsim_type {
	/* {u32 version} -> {u32 version, u32 domid} + fd: the fault table (a
	 * memfd holding struct xsim_fault_table, mapped shared by clients). */
	XSIM_HELLO = 0x5600,
	/* {u32 grantee, u32 count, u32 flags} -> {u32 refs[count]} + count
	 * memfds, one page each, zeroed. */
	XSIM_GNT_SHARE,
	/* {u32 count, u32 refs[count]}: revoke; pages still mapped elsewhere
	 * stay alive there. */
	XSIM_GNT_UNSHARE,
	/* {u32 granter, u32 count, u32 flags, u32 refs[count]} ->
	 * {u64 map_id} + count memfds. All or nothing. When count exceeds
	 * XSIM_FDS_PER_SEND, the payload has DIV_ROUND_UP(count,
	 * XSIM_FDS_PER_SEND) zero bytes of padding after map_id for the fds
	 * to travel on (see the top of this file); readers ignore them. A
	 * read-only map (no XSIM_GNT_WRITABLE) gets read-only fds. */
	XSIM_GNT_MAP,
	/* {u64 map_id} */
	XSIM_GNT_UNMAP,
	/* {u32 remote_domid} -> {u32 port} + 2 eventfds: [0] is read by this
	 * end (it becomes readable when the peer notifies), [1] is written
	 * to notify the peer. */
	XSIM_EVT_ALLOC_UNBOUND,
	/* {u32 remote_domid, u32 remote_port} -> {u32 port} + 2 eventfds, as
	 * for XSIM_EVT_ALLOC_UNBOUND. */
	XSIM_EVT_BIND,
	/* {u32 port} */
	XSIM_EVT_UNBIND,
	/* {u32 domid}: from now on this connection may bind only to @domid. */
	XSIM_EVT_RESTRICT,
	/* {u32 domid} -> struct xsim_dominfo */
	XSIM_DOMAIN_INFO,
	/* dom0 only: {u32 domid, char name[64]}: build libxl's skeleton,
	 * create DIR/dom<N>.sock, fire @introduceDomain. */
	XSIM_DOMAIN_CREATE,
	/* dom0 only: {u32 domid}: the domain dies (channels closed, grants no
	 * longer mappable, its XenStore home removed, @releaseDomain fired);
	 * it stays a zombie (dying) while another domain maps its pages. */
	XSIM_DOMAIN_DESTROY,
	/* -> {u32 n, struct xsim_dominfo[n]} */
	XSIM_DOMAIN_LIST,
	/* dom0 only: struct xsim_fault_req */
	XSIM_FAULT,
	/* {u32 domid} -> {u32 pages_mapped_by, u32 pages_mapped_of}: pages
	 * @domid maps of others, and pages of @domid others map. */
	XSIM_MAPPINGS,
	_XSIM_TYPE_MAX,
};

/* XSIM_GNT_SHARE / XSIM_GNT_MAP flags */
#define XSIM_GNT_READONLY 1u	/* share: grant read-only */
#define XSIM_GNT_WRITABLE 1u	/* map: map read-write */

/* Largest count in one grant request (a 64 MiB buffer + its directory). */
#define XSIM_GNT_MAX_BATCH 16448u

/* Most fds sent with one sendmsg() (the kernel's SCM_MAX_FD is 253). */
#define XSIM_FDS_PER_SEND 250u

/* Largest XSIM_* request payload: an XSIM_GNT_MAP of XSIM_GNT_MAX_BATCH. */
#define XSIM_MSG_MAX (12u + 4u * XSIM_GNT_MAX_BATCH)

#define XSIM_DOMINFO_EXISTS 1u
#define XSIM_DOMINFO_DYING 2u

struct xsim_dominfo {
	uint32_t domid;
	uint32_t flags;
	char name[64];
};

enum xsim_fault_kind {
	/* The @nth call (counting from 1) of xenif operation @op by @domid
	 * fails with @err, @count times in a row (0 = clear). Counted by the
	 * clients in the shared fault table, so data-plane operations
	 * (notify, pending, unmask) that never reach xensimd are covered. */
	XSIM_FAULT_OP_ERRNO,
	/* Every watch registered by @domid's connections fires @count extra
	 * times, each event carrying the watch's own path. */
	XSIM_FAULT_SPURIOUS_WATCH,
	/* The next @count transaction commits by @domid fail with EAGAIN. */
	XSIM_FAULT_TX_EAGAIN,
	/* @domid's event channel notifications are delayed by @nth ms and
	 * coalesced (a client-side knob read from the fault table). The
	 * table entry has kind, domid and nth = ms; nth = 0 clears it. */
	XSIM_FAULT_NOTIFY_DELAY,
	_XSIM_FAULT_KIND_MAX,
};

struct xsim_fault_req {
	uint32_t kind;
	uint32_t domid;
	uint32_t op;		/* enum xenif_op */
	uint32_t nth;
	int32_t err;		/* positive errno */
	uint32_t count;
};

#define XSIM_FAULT_SLOTS 32u

/* The shared fault table (one page). xensimd writes entries; clients
 * count calls in @calls with atomic increments. */
struct xsim_fault_entry {
	uint32_t active;
	uint32_t kind;
	uint32_t domid;
	uint32_t op;
	uint32_t nth;
	int32_t err;
	uint32_t count;		/* failures left to inject */
	uint32_t calls;		/* calls seen so far (atomic) */
};

struct xsim_fault_table {
	uint32_t version;
	uint32_t generation;	/* bumped by xensimd on every change */
	struct xsim_fault_entry e[XSIM_FAULT_SLOTS];
};

_Static_assert(sizeof(struct xsim_fault_table) <= 4096, "fault table fits a page");

#endif /* VSND_SIMPROTO_H */
