// SPDX-License-Identifier: MIT
/*
 * errno <-> wire status (vsnd/status.h). The table lists the Xen errnos a
 * sndif peer may meaningfully send; Linux and Xen agree on every value in
 * it, which a unit test checks against <xen/errno.h>.
 */
#include "vsnd/status.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>

struct errno_row {
	int err;	/* positive errno */
	const char *name;
};

static const struct errno_row rows[] = {
	{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	  { EINTR, "EINTR" },
	{ EIO, "EIO" },		{ ENXIO, "ENXIO" },	  { E2BIG, "E2BIG" },
	{ EBADF, "EBADF" },	{ EAGAIN, "EAGAIN" },	  { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },	{ EFAULT, "EFAULT" },	  { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },	{ ENODEV, "ENODEV" },	  { EINVAL, "EINVAL" },
	{ ENOSPC, "ENOSPC" },	{ ERANGE, "ERANGE" },	  { ENOSYS, "ENOSYS" },
	{ ENODATA, "ENODATA" }, { EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ENOBUFS, "ENOBUFS" }, { ENOTCONN, "ENOTCONN" }, { ETIMEDOUT, "ETIMEDOUT" },
};

static const struct errno_row *lookup(int err)
{
	if (err == INT_MIN)
		return NULL;
	if (err < 0)
		err = -err;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].err == err)
			return &rows[i];
	return NULL;
}

int32_t vsnd_status_from_errno(int err)
{
	const struct errno_row *row;

	if (err >= 0)
		return 0;
	row = lookup(err);
	return row ? -(int32_t)row->err : -(int32_t)EIO;
}

int vsnd_errno_from_status(int32_t status)
{
	const struct errno_row *row;

	if (status == 0)
		return 0;
	/* INT32_MIN has no positive counterpart; it is not an errno anyway. */
	if (status > 0 || status == INT32_MIN)
		return -EPROTO;
	row = lookup((int)status);
	return row ? -row->err : -EPROTO;
}

const char *vsnd_errno_to_name(int err)
{
	const struct errno_row *row;

	row = lookup(err);
	return row ? row->name : "E?";
}
