/* SPDX-License-Identifier: MIT */
/*
 * sim.h - the xensimd client's context, shared by xenif-sim.c (core,
 * XenStore, domain info, fault table), xenif-sim-gnt.c (grant map and
 * share) and xenif-sim-evtchn.c (event channels).
 *
 * Lifetime: the context owns its XenStore connection, the mapped fault
 * table and every grant region; each event-channel handle owns a
 * connection of its own (so xenif_evtchn_restrict() binds that handle
 * only) and borrows the context's fault table.
 */
#ifndef XENIF_SRC_SIM_H
#define XENIF_SRC_SIM_H

#include <stdint.h>

#include "sim-conn.h"
#include "simproto.h"
#include "xenif-impl.h"

struct sim_region;

struct xenif_sim {
	struct xenif base;
	char *dir;
	struct sim_conn *conn;		/* XenStore, grants, domain info */
	int xs_epfd;			/* xenif_xs_fd(): the socket + watch_evfd */
	int watch_evfd;			/* readable while watch events are queued */
	struct xsim_fault_table *faults; /* shared with xensimd and all clients */
	struct sim_region *regions;	/* grant maps and shares, for lookup */
};

static inline struct xenif_sim *to_sim(struct xenif *x)
{
	return container_of(x, struct xenif_sim, base);
}

int sim_hello(struct sim_conn *c, uint32_t domid, int *ret_fault_fd);
unsigned int sim_notify_delay_ms(struct xenif_sim *s);
void sim_gnt_release_all(struct xenif_sim *s);

extern const struct xenif_evtchn_ops sim_evtchn_ops;
extern const struct xenif_gnttab_ops sim_gnttab_ops;
extern const struct xenif_gntshr_ops sim_gntshr_ops;

#endif /* XENIF_SRC_SIM_H */
