/* SPDX-License-Identifier: MIT */
/*
 * xenif/xenif.h - the seam between vsnd and Xen.
 *
 * Every vsnd program talks to Xen through a struct xenif: XenStore, event
 * channels, grant mapping (the backend maps a guest's pages), grant sharing
 * (a frontend shares its pages) and domain information. Two implementations
 * sit behind it, chosen at run time by xenif_open():
 *   "real"     libxenstore, libxenevtchn, libxengnttab/xengntshr, libxenctrl;
 *   "sim:DIR"  a client of xensimd, the user-space simulator whose run
 *              directory is DIR, acting as one domain (the domid argument).
 * docs/xenif.md is the contract both honour; tests/sim/xenif/
 * test-xenif-contract.c checks each of its clauses.
 *
 * Conventions: every call returns 0 (or a count / port / fd) on success and
 * a negative errno on failure; nothing blocks except where it says so (a
 * simulator call waits at most 10 s for xensimd's answer); the caller owns
 * its event loop: xenif exposes pollable fds and never runs callbacks.
 * Strings returned through ret_* are malloc()ed and belong to the caller. A
 * struct xenif is not thread-safe; use one per thread. After fork(), only
 * the process that opened a context may use it (the child may close it);
 * open new contexts in the child.
 *
 * Arguments are checked before anything else: a NULL context, a NULL or
 * empty path, a request larger than XenStore's payload limit, port 0 or a
 * reserved domid fail with -EINVAL (or -E2BIG for sizes) without reaching
 * Xen or xensimd and without counting as a call for fault injection.
 */
#ifndef XENIF_XENIF_H
#define XENIF_XENIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xenif;
struct xenif_evtchn;

/* A XenStore transaction; XENIF_TX_NONE for none. */
typedef uint32_t xenif_tx_t;
#define XENIF_TX_NONE ((xenif_tx_t)0)

/* "Whoever I am": the real implementation's own domain. */
#define XENIF_DOMID_SELF UINT32_MAX

/* Domain ids from here up are reserved by Xen (DOMID_FIRST_RESERVED). */
#define XENIF_DOMID_MAX 0x7fefu

/* Grants are always 4 KiB pages, whatever the host's page size. */
#define XENIF_PAGE_SIZE 4096u

/* Largest page count of one xenif_gnt_map()/xenif_gnt_share() call: a
 * 64 MiB buffer and its page directory (xensimd's XSIM_GNT_MAX_BATCH). */
#define XENIF_GNT_MAX_PAGES 16448u

/* XenStore node permissions, as xenstored defines them. */
enum xenif_perm {
	XENIF_PERM_NONE = 0,
	XENIF_PERM_READ = 1,
	XENIF_PERM_WRITE = 2,
	XENIF_PERM_BOTH = 3,
};

/* Entry 0 of a permission list names the owner and what every domain not
 * listed later may do; later entries grant to one domain each. */
struct xenif_xs_perm {
	uint32_t domid;
	enum xenif_perm perm;
};

/* Maximum entries in a node's permission list accepted by xenif. */
#define XENIF_XS_PERMS_MAX 64u

/* Every operation, for fault injection (xensimd-ctl fault) and statistics. */
enum xenif_op {
	XENIF_OP_XS_READ,
	XENIF_OP_XS_WRITE,
	XENIF_OP_XS_MKDIR,
	XENIF_OP_XS_RM,
	XENIF_OP_XS_DIRECTORY,
	XENIF_OP_XS_GET_PERMS,
	XENIF_OP_XS_SET_PERMS,
	XENIF_OP_XS_WATCH,
	XENIF_OP_XS_UNWATCH,
	XENIF_OP_XS_READ_WATCH,
	XENIF_OP_XS_TRANSACTION_START,
	XENIF_OP_XS_TRANSACTION_END,
	XENIF_OP_EVTCHN_OPEN,
	XENIF_OP_EVTCHN_BIND_INTERDOMAIN,
	XENIF_OP_EVTCHN_ALLOC_UNBOUND,
	XENIF_OP_EVTCHN_NOTIFY,
	XENIF_OP_EVTCHN_PENDING,
	XENIF_OP_EVTCHN_UNMASK,
	XENIF_OP_EVTCHN_UNBIND,
	XENIF_OP_EVTCHN_RESTRICT,
	XENIF_OP_GNT_MAP,
	XENIF_OP_GNT_UNMAP,
	XENIF_OP_GNT_SHARE,
	XENIF_OP_GNT_UNSHARE,
	XENIF_OP_DOMAIN_INFO,
	_XENIF_OP_MAX,
};

/**
 * xenif_op_to_string() - name of an operation.
 * @op: the operation.
 *
 * Context: any thread.
 * Return: "xs_read", "gnt_map", ... (the enum name without XENIF_OP_, in
 * lower case); NULL for a value outside the enum.
 */
const char *xenif_op_to_string(enum xenif_op op);

/**
 * xenif_op_from_string() - operation of a name.
 * @name: a name as xenif_op_to_string() returns it.
 *
 * Context: any thread.
 * Return: the op, or -EINVAL for NULL or an unknown name.
 */
int xenif_op_from_string(const char *name);

struct xenif_dominfo {
	uint32_t domid;
	bool dying;		/* destroyed, kept as a zombie by mappings */
	char name[64];		/* empty when unknown */
};

/**
 * xenif_open() - connect to Xen or to the simulator.
 * @spec: "real", or "sim:DIR" with DIR xensimd's run directory.
 * @domid: with "sim:", the domain to act as (0 is privileged dom0); with
 *	"real", XENIF_DOMID_SELF (the own domid is then read from XenStore's
 *	"domid" node, or is 0 in a control domain), or the caller's domid
 *	when it knows better (taken as given).
 * @ret: the new context.
 *
 * "real" opens only XenStore here; the event-channel, grant and control
 * interfaces are opened on first use, so a program that only needs
 * XenStore does not need /dev/xen/{evtchn,gntdev,gntalloc,privcmd}.
 *
 * Context: may block while connecting (at most 10 s for the simulator).
 * Return: 0; -EINVAL for a malformed @spec or a reserved @domid;
 * -ENOTSUP for "real" in a build without the Xen libraries; -ENOENT when
 * the simulated domain does not exist; -ENAMETOOLONG when DIR does not fit
 * a socket address; -EPROTONOSUPPORT when xensimd speaks another protocol
 * version; the errno of a failed open or connect.
 */
int xenif_open(const char *spec, uint32_t domid, struct xenif **ret);

/**
 * xenif_close() - close a context and everything opened through it.
 * @x: the context, or NULL.
 *
 * Event-channel handles still open are closed (their pointers become
 * invalid); in the simulator, grant mappings and shared areas still held
 * are unmapped and revoked. With the real libraries, closing the grant
 * handles releases their mappings.
 *
 * Context: may block like any call to xensimd.
 * Return: NULL, for "x = xenif_close(x);".
 */
struct xenif *xenif_close(struct xenif *x);

/**
 * xenif_domid() - the domain this context acts as.
 * @x: the context.
 *
 * Return: the domid; XENIF_DOMID_SELF when "real" could not find out.
 */
uint32_t xenif_domid(const struct xenif *x);

/* ---- XenStore ----------------------------------------------------------- */

/*
 * Paths are absolute ("/local/domain/5/name") or relative to the caller's
 * home ("device/vsnd/0" is /local/domain/<own domid>/device/vsnd/0); watch
 * paths may also be the special "@releaseDomain" and "@introduceDomain".
 * Every call taking @tx works inside that transaction, or outside any with
 * XENIF_TX_NONE. All may block for one round trip to xenstored/xensimd.
 */

/**
 * xenif_xs_read() - read a node.
 * @x: the context.
 * @tx: the transaction, or XENIF_TX_NONE.
 * @path: the node.
 * @ret_value: receives the value, NUL-terminated (values may hold NULs).
 * @ret_len: if non-NULL, receives the value's length without the NUL.
 *
 * Return: 0; -ENOENT, -EACCES, or another errno xenstored sends.
 */
int xenif_xs_read(struct xenif *x, xenif_tx_t tx, const char *path, char **ret_value,
		  size_t *ret_len);

/**
 * xenif_xs_write() - write a node, creating it and missing ancestors.
 * @x: the context.
 * @tx: the transaction, or XENIF_TX_NONE.
 * @path: the node.
 * @value: @len bytes (NULL only with @len 0).
 * @len: the value's length.
 *
 * Return: 0; -E2BIG when path and value exceed XenStore's 4096-byte
 * payload; -EACCES, or another errno xenstored sends.
 */
int xenif_xs_write(struct xenif *x, xenif_tx_t tx, const char *path, const char *value,
		   size_t len);

/**
 * xenif_xs_mkdir() - create a node with an empty value (no-op if present).
 * @x: the context.
 * @tx: the transaction, or XENIF_TX_NONE.
 * @path: the node.
 *
 * Return: 0 or a negative errno.
 */
int xenif_xs_mkdir(struct xenif *x, xenif_tx_t tx, const char *path);

/**
 * xenif_xs_rm() - remove a node and its subtree.
 * @x: the context.
 * @tx: the transaction, or XENIF_TX_NONE.
 * @path: the node.
 *
 * Return: 0; -ENOENT when absent and its parent is absent too (xenstored
 * accepts removing a missing child of an existing node); -EACCES, ...
 */
int xenif_xs_rm(struct xenif *x, xenif_tx_t tx, const char *path);

/**
 * xenif_xs_directory() - list a node's children.
 * @x: the context.
 * @tx: the transaction, or XENIF_TX_NONE.
 * @path: the node.
 * @ret_names: receives the names, sorted (strcmp), as a NULL-terminated
 *	array; free it with xenif_strv_free().
 *
 * Return: the number of children; -ENOENT, -EACCES, ...
 */
int xenif_xs_directory(struct xenif *x, xenif_tx_t tx, const char *path, char ***ret_names);

/**
 * xenif_xs_get_perms() - read a node's permission list.
 * @x: the context.
 * @tx: the transaction, or XENIF_TX_NONE.
 * @path: the node.
 * @perms: receives up to @n entries (may be NULL when @n is 0).
 * @n: room in @perms.
 *
 * Return: the number of entries written (at least 1: the owner); -E2BIG
 * when the list is longer than @n; -ENOENT, -EACCES, ...
 */
int xenif_xs_get_perms(struct xenif *x, xenif_tx_t tx, const char *path,
		       struct xenif_xs_perm *perms, unsigned int n);

/**
 * xenif_xs_set_perms() - replace a node's permission list.
 * @x: the context.
 * @tx: the transaction, or XENIF_TX_NONE.
 * @path: the node.
 * @perms: @n entries, entry 0 the owner and the default.
 * @n: 1 to XENIF_XS_PERMS_MAX.
 *
 * Only the owner (or dom0) may do it; an unprivileged caller cannot give a
 * node away (xenstored keeps that for dom0).
 * Return: 0; -EINVAL for a bad list; -EACCES, -ENOENT, ...
 */
int xenif_xs_set_perms(struct xenif *x, xenif_tx_t tx, const char *path,
		       const struct xenif_xs_perm *perms, unsigned int n);

/**
 * xenif_xs_watch() - watch a node and its subtree.
 * @x: the context.
 * @path: the node, or "@releaseDomain" / "@introduceDomain".
 * @token: a non-empty string handed back with every event.
 *
 * A watch fires once at registration (with @path itself) and then on any
 * change at or below @path; it may fire spuriously. Events arrive through
 * xenif_xs_fd() / xenif_xs_read_watch().
 * Return: 0; -EEXIST when (@path, @token) is already watched; -E2BIG,
 * -ENOSPC (watch quota), ...
 */
int xenif_xs_watch(struct xenif *x, const char *path, const char *token);

/**
 * xenif_xs_unwatch() - remove a watch.
 * @x: the context.
 * @path: as given to xenif_xs_watch().
 * @token: as given to xenif_xs_watch().
 *
 * Events of the watch already queued may still be read afterwards.
 * Return: 0; -ENOENT when no such watch exists.
 */
int xenif_xs_unwatch(struct xenif *x, const char *path, const char *token);

/**
 * xenif_xs_fd() - the fd to poll for watch events.
 * @x: the context.
 *
 * It polls readable (POLLIN) whenever a watch event is queued or arriving;
 * it may also poll readable with nothing to read. Never read it directly.
 * Return: the fd (owned by @x), or -EINVAL.
 */
int xenif_xs_fd(struct xenif *x);

/**
 * xenif_xs_read_watch() - take the next queued watch event.
 * @x: the context.
 * @ret_path: receives the path that changed (as registered when it is the
 *	watched path; relative when the watch was registered relative).
 * @ret_token: receives the watch's token.
 *
 * Call it until -EAGAIN each time xenif_xs_fd() polls readable.
 * Context: never blocks.
 * Return: 0; -EAGAIN when no event is left.
 */
int xenif_xs_read_watch(struct xenif *x, char **ret_path, char **ret_token);

/**
 * xenif_xs_transaction_start() - start a transaction.
 * @x: the context.
 * @ret_tx: receives the transaction (never XENIF_TX_NONE).
 *
 * Return: 0; -ENOSPC (transaction quota), ...
 */
int xenif_xs_transaction_start(struct xenif *x, xenif_tx_t *ret_tx);

/**
 * xenif_xs_transaction_end() - commit or abort a transaction.
 * @x: the context.
 * @tx: the transaction; it is gone afterwards, whatever the result.
 * @abort: true to discard its changes.
 *
 * Return: 0; -EAGAIN: it conflicted with another change (or the tx-eagain
 * knob fired), nothing was applied; start it again from the beginning.
 */
int xenif_xs_transaction_end(struct xenif *x, xenif_tx_t tx, bool abort);

/**
 * xenif_strv_free() - free a NULL-terminated string array.
 * @v: the array, or NULL.
 */
void xenif_strv_free(char **v);

/* ---- Event channels ------------------------------------------------------ */

/*
 * A handle (struct xenif_evtchn) holds a set of bound ports and one fd. A
 * port with an event pending makes the fd readable; xenif_evtchn_pending()
 * returns it once and leaves it masked until xenif_evtchn_unmask(). Several
 * notifications before delivery are one event. Handles belong to their
 * context: xenif_close() closes those still open.
 */

/**
 * xenif_evtchn_open() - open an event-channel handle.
 * @x: the context.
 * @ret: the new handle.
 *
 * Return: 0 or a negative errno (-ENOENT without /dev/xen/evtchn).
 */
int xenif_evtchn_open(struct xenif *x, struct xenif_evtchn **ret);

/**
 * xenif_evtchn_close() - unbind every port of a handle and free it.
 * @h: the handle, or NULL.
 *
 * Return: NULL.
 */
struct xenif_evtchn *xenif_evtchn_close(struct xenif_evtchn *h);

/**
 * xenif_evtchn_fd() - the fd to poll for pending events.
 * @h: the handle.
 *
 * Return: the fd (owned by @h), or -EINVAL.
 */
int xenif_evtchn_fd(struct xenif_evtchn *h);

/**
 * xenif_evtchn_bind_interdomain() - bind to a remote domain's port.
 * @h: the handle.
 * @remote_domid: the domain that allocated @remote_port for us.
 * @remote_port: the port it allocated with xenif_evtchn_alloc_unbound().
 *
 * Return: the new local port (> 0); -EACCES when @h is restricted to
 * another domain; -EINVAL when the remote port is not unbound for us, ...
 */
int xenif_evtchn_bind_interdomain(struct xenif_evtchn *h, uint32_t remote_domid,
				  uint32_t remote_port);

/**
 * xenif_evtchn_alloc_unbound() - allocate a port for a remote domain.
 * @h: the handle.
 * @remote_domid: the only domain that may bind to it.
 *
 * Return: the new local port (> 0); -EACCES when @h is restricted.
 */
int xenif_evtchn_alloc_unbound(struct xenif_evtchn *h, uint32_t remote_domid);

/**
 * xenif_evtchn_notify() - send an event to the other end of a port.
 * @h: the handle.
 * @port: a local port bound through @h.
 *
 * Context: never blocks; notifications coalesce.
 * Return: 0; -ENOTCONN when @port is not bound through @h.
 */
int xenif_evtchn_notify(struct xenif_evtchn *h, uint32_t port);

/**
 * xenif_evtchn_pending() - take the next port with a pending event.
 * @h: the handle.
 *
 * The port stays masked (it is not reported again) until unmasked; an
 * event arriving meanwhile is delivered after xenif_evtchn_unmask().
 * Context: never blocks.
 * Return: the port; -EAGAIN when none is pending.
 */
int xenif_evtchn_pending(struct xenif_evtchn *h);

/**
 * xenif_evtchn_unmask() - let a port deliver events again.
 * @h: the handle.
 * @port: a port returned by xenif_evtchn_pending().
 *
 * Return: 0; in the simulator -ENOTCONN for a port not bound through @h
 * (real Xen ignores such a port).
 */
int xenif_evtchn_unmask(struct xenif_evtchn *h, uint32_t port);

/**
 * xenif_evtchn_unbind() - close a port.
 * @h: the handle.
 * @port: a port bound through @h.
 *
 * Return: 0; -ENOTCONN when @port is not bound through @h.
 */
int xenif_evtchn_unbind(struct xenif_evtchn *h, uint32_t port);

/**
 * xenif_evtchn_restrict() - restrict a handle to one domain, for good.
 * @h: the handle.
 * @domid: the domain (not 0: Linux's evtchn driver refuses dom0).
 *
 * Afterwards @h may bind only to ports of @domid and may not allocate
 * unbound ports; ports already bound keep working.
 * Return: 0; -EACCES when @h is already restricted; -EINVAL for @domid 0.
 */
int xenif_evtchn_restrict(struct xenif_evtchn *h, uint32_t domid);

/* ---- Grants ---------------------------------------------------------------- */

/**
 * xenif_gnt_map() - map pages granted to us by @domid, contiguously.
 * @x: the context.
 * @domid: the granting domain.
 * @refs: @n grant references.
 * @n: 1 to XENIF_GNT_MAX_PAGES.
 * @writable: map read-write, else read-only.
 * @ret_addr: receives the address of the first page.
 *
 * All or nothing: if one ref cannot be mapped, none is. Only the grantee a
 * page was granted to may map it; a read-only grant cannot be mapped
 * writable. In the simulator the mapping has a PROT_NONE guard page on
 * each side.
 * Return: 0; -EINVAL for n = 0, a ref of 0 or a reserved @domid; -EINVAL
 * too for any ref Xen refuses (not granted to us, revoked, read-only asked
 * writable, granter dying), as Linux's gntdev reports every grant status
 * other than okay; -ENOMEM, ... otherwise.
 */
int xenif_gnt_map(struct xenif *x, uint32_t domid, const uint32_t *refs, uint32_t n,
		  bool writable, void **ret_addr);

/**
 * xenif_gnt_unmap() - unmap a xenif_gnt_map() area.
 * @x: the context.
 * @addr: what xenif_gnt_map() returned.
 * @n: the same page count.
 *
 * Return: 0; -EINVAL for an address (or count) that is not a mapping of
 * this context. The area is unmapped locally even when xensimd fails.
 */
int xenif_gnt_unmap(struct xenif *x, void *addr, uint32_t n);

/**
 * xenif_gnt_share() - allocate @n zeroed pages and grant them to @domid.
 * @x: the context.
 * @domid: the grantee, the only domain that may map them.
 * @n: 1 to XENIF_GNT_MAX_PAGES.
 * @writable: whether the grantee may map them writable.
 * @ret_refs: receives the @n grant references.
 * @ret_addr: receives the address of the first page (always writable here).
 *
 * Return: 0 with *@ret_addr set, or a negative errno.
 */
int xenif_gnt_share(struct xenif *x, uint32_t domid, uint32_t n, bool writable,
		    uint32_t *ret_refs, void **ret_addr);

/**
 * xenif_gnt_unshare() - revoke the grants of a xenif_gnt_share() area and
 * free it.
 * @x: the context.
 * @addr: what xenif_gnt_share() returned.
 * @n: the same page count.
 *
 * Pages the grantee still maps stay alive for it until it unmaps them.
 * Return: 0; -EINVAL for an address (or count) this context did not share.
 */
int xenif_gnt_unshare(struct xenif *x, void *addr, uint32_t n);

/* ---- Domains --------------------------------------------------------------- */

/**
 * xenif_domain_info() - what Xen knows of a domain.
 * @x: the context.
 * @domid: the domain.
 * @ret: receives its id, dying flag and name (from /local/domain/N/name).
 *
 * Return: 0; -ENOENT when no such domain exists (a dying domain exists).
 */
int xenif_domain_info(struct xenif *x, uint32_t domid, struct xenif_dominfo *ret);

#endif /* XENIF_XENIF_H */
