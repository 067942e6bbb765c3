/* SPDX-License-Identifier: MIT */
/*
 * vsnd/wire.h - the sndif v2 wire format, as libxen-dev's public headers
 * define it.
 *
 * This is the one place that includes <xen/io/sndif.h> and <xen/io/ring.h>.
 * ring.h expects the includer to provide xen_mb/xen_rmb/xen_wmb; without them
 * (or with the legacy interface version, see below) the ring macros silently
 * reference undefined functions. The barriers below
 * order accesses to pages shared with another domain (or, under xensimd, with
 * another process): on x86 loads and stores are not reordered with older
 * stores of the same kind, so rmb/wmb only stop the compiler; a full barrier
 * needs mfence. Other architectures get a full fence each time.
 *
 * Every size and offset the protocol fixes is checked at compile time below
 * (protocol.md 3.1-3.12), so a header change that would alter the ABI breaks
 * the build instead of the guests.
 */
#ifndef VSND_WIRE_H
#define VSND_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define xen_mb() __asm__ __volatile__("mfence" ::: "memory")
#define xen_rmb() __asm__ __volatile__("" ::: "memory")
#define xen_wmb() __asm__ __volatile__("" ::: "memory")
#else
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/*
 * An includer that names no Xen interface version gets the legacy one, for
 * which ring.h maps xen_mb() to an undefined mb() and the build fails only
 * at link time. Ask for the interface these headers implement.
 */
#if !defined(__XEN_INTERFACE_VERSION__) && !defined(__XEN__) && !defined(__XEN_TOOLS__)
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif

#include <xen/io/ring.h>
#include <xen/io/sndif.h>

#if __XEN_INTERFACE_VERSION__ < 0x00030208
#error "vsnd/wire.h needs Xen interface version 0x00030208 or later for xen_mb()"
#endif

/* Xen's page size; Linux refuses other guest page sizes (protocol.md 3.1). */
#define VSND_PAGE_SIZE 4096u
/* Slots of the request ring: (4096 - 64) / 64 rounded down to a power of two. */
#define VSND_REQ_RING_SLOTS 32u
/* Slots of the event page: (4096 - 64) / 64, used modulo 63. */
#define VSND_EVT_RING_SLOTS 63u
/* Buffer grefs in one page-directory page: (4096 - 4) / 4. */
#define VSND_PGDIR_ENTRIES 1023u
/* The highest sndif format code (GSM). */
#define VSND_FORMAT_MAX XENSND_PCM_FORMAT_GSM
/* The highest operation code (HW_PARAM_QUERY). */
#define VSND_OP_MAX XENSND_OP_HW_PARAM_QUERY

_Static_assert(sizeof(struct xensnd_req) == 64, "request is 64 octets");
_Static_assert(sizeof(struct xensnd_resp) == 64, "response is 64 octets");
_Static_assert(sizeof(struct xensnd_evt) == 64, "event is 64 octets");
_Static_assert(sizeof(struct xensnd_event_page) == 64, "event page header is 64 octets");
_Static_assert(offsetof(struct xensnd_req, id) == 0, "req.id at 0");
_Static_assert(offsetof(struct xensnd_req, operation) == 2, "req.operation at 2");
_Static_assert(offsetof(struct xensnd_req, op) == 8, "req payload at 8");
_Static_assert(offsetof(struct xensnd_req, op.open.pcm_rate) == 8, "open.pcm_rate at 8");
_Static_assert(offsetof(struct xensnd_req, op.open.pcm_format) == 12, "open.pcm_format at 12");
_Static_assert(offsetof(struct xensnd_req, op.open.pcm_channels) == 13, "open.pcm_channels at 13");
_Static_assert(offsetof(struct xensnd_req, op.open.buffer_sz) == 16, "open.buffer_sz at 16");
_Static_assert(offsetof(struct xensnd_req, op.open.gref_directory) == 20, "open.gref_directory at 20");
_Static_assert(offsetof(struct xensnd_req, op.open.period_sz) == 24, "open.period_sz at 24");
_Static_assert(offsetof(struct xensnd_req, op.rw.offset) == 8, "rw.offset at 8");
_Static_assert(offsetof(struct xensnd_req, op.rw.length) == 12, "rw.length at 12");
_Static_assert(offsetof(struct xensnd_req, op.trigger.type) == 8, "trigger.type at 8");
_Static_assert(offsetof(struct xensnd_req, op.hw_param.formats) == 8, "hw_param.formats at 8");
_Static_assert(offsetof(struct xensnd_req, op.hw_param.rates) == 16, "hw_param.rates at 16");
_Static_assert(offsetof(struct xensnd_req, op.hw_param.channels) == 24, "hw_param.channels at 24");
_Static_assert(offsetof(struct xensnd_req, op.hw_param.buffer) == 32, "hw_param.buffer at 32");
_Static_assert(offsetof(struct xensnd_req, op.hw_param.period) == 40, "hw_param.period at 40");
_Static_assert(sizeof(struct xensnd_query_hw_param) == 40, "hw_param is 40 octets");
_Static_assert(offsetof(struct xensnd_resp, id) == 0, "resp.id at 0");
_Static_assert(offsetof(struct xensnd_resp, operation) == 2, "resp.operation at 2");
_Static_assert(offsetof(struct xensnd_resp, status) == 4, "resp.status at 4");
_Static_assert(offsetof(struct xensnd_resp, resp.hw_param) == 8, "resp.hw_param at 8");
_Static_assert(offsetof(struct xensnd_evt, id) == 0, "evt.id at 0");
_Static_assert(offsetof(struct xensnd_evt, type) == 2, "evt.type at 2");
_Static_assert(offsetof(struct xensnd_evt, op.cur_pos.position) == 8, "cur_pos.position at 8");
_Static_assert(offsetof(struct xensnd_event_page, in_cons) == 0, "in_cons at 0");
_Static_assert(offsetof(struct xensnd_event_page, in_prod) == 4, "in_prod at 4");
_Static_assert(offsetof(struct xensnd_page_directory, gref_dir_next_page) == 0, "next at 0");
_Static_assert(offsetof(struct xensnd_page_directory, gref) == 4, "gref[] at 4");
_Static_assert(__CONST_RING_SIZE(xen_sndif, VSND_PAGE_SIZE) == VSND_REQ_RING_SLOTS,
	       "32-slot request ring");
_Static_assert(XENSND_IN_RING_LEN == VSND_EVT_RING_SLOTS, "63-slot event page");
_Static_assert(XENSND_IN_RING_OFFS == 64, "event slots start at 64");
_Static_assert((VSND_PAGE_SIZE - sizeof(uint32_t)) / sizeof(uint32_t) == VSND_PGDIR_ENTRIES,
	       "1023 grefs per directory page");
_Static_assert(XENSND_PROTOCOL_VERSION == 2, "sndif protocol version 2");

#endif /* VSND_WIRE_H */
