/* SPDX-License-Identifier: MIT */
/*
 * worker.h - vsndbe --worker --fd N: one guest's device, served in a
 * process of its own (broker.h starts it; worker-proto.h is what it is
 * told). It receives its plan, opens its own Xen context and event-channel
 * handle restricted to the guest's domain, maps that domain's pages only,
 * gives up what it no longer needs (no new privileges, no capabilities),
 * says READY and serves the device on its own loop until its broker closes
 * the socket or SIGTERM, then unmaps everything and exits.
 */
#ifndef VSND_BACKEND_WORKER_H
#define VSND_BACKEND_WORKER_H

#include <stdbool.h>

/**
 * sndbe_worker_main() - run a worker.
 * @xen: the --xen spec ("real" or "sim:DIR").
 * @fd: its end of the socketpair.
 * @verbose: log single request failures too.
 *
 * Return: the exit status: 0 after its broker let it go or SIGTERM, 1 when
 * it could not serve the device (its READY said why).
 */
int sndbe_worker_main(const char *xen, int fd, bool verbose);

#endif /* VSND_BACKEND_WORKER_H */
