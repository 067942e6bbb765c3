/* SPDX-License-Identifier: MIT */
/*
 * broker.h - vsndbe's per-guest workers, as the broker sees them: a
 * struct sndbe_dev_runner that serves each connected device in a process of
 * its own (vsndbe --worker --fd N, started by fork and exec of
 * /proc/self/exe, since a forked child could not reuse the broker's sd-event
 * loop or XenStore connection), and the fds through which the broker
 * notices a worker that dies or misbehaves.
 *
 * start() forks and execs the worker, hands it the device's plan over a
 * socketpair (worker-proto.h) and waits, for at most
 * SNDBE_BROKER_READY_MS, for its READY: every stream mapped and bound. The
 * wait is synchronous: other guests wait for it too, at most that long.
 * stop() closes the broker's end (the worker unmaps everything and exits),
 * reaps the worker within SNDBE_BROKER_REAP_MS and kills it (SIGKILL) if
 * it does not. A worker whose socket closes or that exits while its device
 * is connected, that reports a broken ring, or that stops answering
 * heartbeats is dead: sndbe_broker_next_dead() names its device, which the
 * caller disconnects (sndbe_xenbus_fail()); nothing else is affected.
 */
#ifndef VSND_BACKEND_BROKER_H
#define VSND_BACKEND_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsnd-dev.h"
#include "worker-loop.h"

/* Longest wait for a new worker's READY. */
#define SNDBE_BROKER_READY_MS 2500u
/* Longest wait for a stopped worker to exit before SIGKILL. */
#define SNDBE_BROKER_REAP_MS 2000u
/* Heartbeat period, and the periods a worker may miss before it is killed. */
#define SNDBE_BROKER_TICK_MS 1000u
#define SNDBE_BROKER_MISSED_MAX 3u

struct sndbe_broker;

struct sndbe_broker_config {
	const char *exe;	/* the worker binary: "/proc/self/exe" */
	const char *xen;	/* "--xen=" argument handed on */
	bool verbose;		/* -v handed on */
	uint32_t ring_budget;	/* device options handed on (0: defaults) */
	uint32_t pos_ticks;
	uint32_t pos_floor_us;
};

/* The runner (struct sndbe_dev_layer) and the loop's extra fds. */
extern const struct sndbe_dev_runner sndbe_broker_runner;
extern const struct sndbe_wloop_extra sndbe_broker_extra;

/**
 * sndbe_broker_new() - no worker yet; a heartbeat timer.
 * @cfg: copied (its strings borrowed: they must outlive the broker).
 * @ret: receives the broker.
 *
 * Return: 0 or a negative errno.
 */
int sndbe_broker_new(const struct sndbe_broker_config *cfg, struct sndbe_broker **ret);

/* Free; every worker must have been stopped (sndbe_xenbus_free() first). */
struct sndbe_broker *sndbe_broker_free(struct sndbe_broker *b);

/* The heartbeat timerfd, to poll for POLLIN; then call sndbe_broker_tick(). */
int sndbe_broker_timer_fd(const struct sndbe_broker *b);

/**
 * sndbe_broker_tick() - one heartbeat: a worker that did not answer the
 * last SNDBE_BROKER_MISSED_MAX pings is killed and dead; every other one
 * gets a new ping.
 * @b: the broker.
 *
 * Return: true when every worker answered its last ping.
 */
bool sndbe_broker_tick(struct sndbe_broker *b);

/**
 * sndbe_broker_next_dead() - a dead worker not returned before.
 * @b: the broker.
 * @domid: receives its guest.
 * @devid: receives its device.
 * @why: receives the reason, for the error node and the log.
 * @size: room in @why.
 *
 * Return: a negative errno for the error node, or 0 when there is none.
 */
int sndbe_broker_next_dead(struct sndbe_broker *b, uint32_t *domid, uint32_t *devid, char *why,
			   size_t size);

/* Workers running now, and started so far. */
unsigned int sndbe_broker_count(const struct sndbe_broker *b);
uint64_t sndbe_broker_started(const struct sndbe_broker *b);

#endif /* VSND_BACKEND_BROKER_H */
