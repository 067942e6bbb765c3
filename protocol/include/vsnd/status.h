/* SPDX-License-Identifier: MIT */
/*
 * vsnd/status.h - errno <-> sndif wire status.
 *
 * A response status is 0 or a negative Xen errno (protocol.md 3.11, REQ-17).
 * Every status a vsnd peer sends is produced by vsnd_status_from_errno(), so
 * no positive value and no errno Xen lacks (EPIPE, ESTRPIPE, ...) can reach
 * a guest. The Xen and Linux numbers agree for every code in the table.
 */
#ifndef VSND_STATUS_H
#define VSND_STATUS_H

#include <stdint.h>

/**
 * vsnd_status_from_errno() - the wire status for an internal result.
 * @err: 0, a positive count (success) or a negative errno.
 *
 * Return: 0 for @err >= 0; the matching -XEN_E* value for an errno in the
 * table; -XEN_EIO for any other negative value (host-side failures such as
 * -EPIPE surface as I/O errors).
 */
int32_t vsnd_status_from_errno(int err);

/**
 * vsnd_errno_from_status() - interpret a status received from a peer.
 *
 * Return: 0 for 0; the negative errno for a known negative Xen errno;
 * -EPROTO for a positive or unknown value (a peer that breaks REQ-17).
 */
int vsnd_errno_from_status(int32_t status);

/**
 * vsnd_errno_to_name() - "EINVAL" for 22 or -22, "E?" when unknown.
 */
const char *vsnd_errno_to_name(int err);

#endif /* VSND_STATUS_H */
