// SPDX-License-Identifier: MIT
/*
 * errno <-> wire status: only 0 and negative Xen errnos leave a peer, and
 * every table entry has the number Xen's own errno.h gives it.
 */
#include <errno.h>
#include <limits.h>

#include "vtest.h"
#include "vsnd/status.h"

/* Xen's numbers, straight from its public header. */
enum {
#define XEN_ERRNO(name, value) XEN_##name = value,
#include <xen/errno.h>
};

TEST(success_is_zero)
{
	ASSERT_EQ(vsnd_status_from_errno(0), 0);
	ASSERT_EQ(vsnd_status_from_errno(4096), 0);
	ASSERT_EQ(vsnd_status_from_errno(INT_MAX), 0);
}

TEST(known_errnos_match_xen)
{
	static const struct {
		int local, xen;
	} rows[] = {
		{ EPERM, XEN_EPERM },	  { ENOENT, XEN_ENOENT },   { EIO, XEN_EIO },
		{ ENXIO, XEN_ENXIO },	  { EAGAIN, XEN_EAGAIN },   { ENOMEM, XEN_ENOMEM },
		{ EFAULT, XEN_EFAULT },	  { EBUSY, XEN_EBUSY },	    { ENODEV, XEN_ENODEV },
		{ EINVAL, XEN_EINVAL },	  { ENOSPC, XEN_ENOSPC },   { ENOSYS, XEN_ENOSYS },
		{ EOPNOTSUPP, XEN_EOPNOTSUPP }, { ETIMEDOUT, XEN_ETIMEDOUT },
		{ EOVERFLOW, XEN_EOVERFLOW }, { ENOTCONN, XEN_ENOTCONN },
	};

	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ASSERT_EQ(vsnd_status_from_errno(-rows[i].local), -rows[i].xen);
		ASSERT_EQ(vsnd_errno_from_status(-rows[i].xen), -rows[i].local);
	}
}

TEST(errnos_xen_lacks_become_eio)
{
	ASSERT_EQ(vsnd_status_from_errno(-EPIPE), -XEN_EIO);
	ASSERT_EQ(vsnd_status_from_errno(-ESTRPIPE), -XEN_EIO);
	ASSERT_EQ(vsnd_status_from_errno(-EPROTO), -XEN_EIO);
	ASSERT_EQ(vsnd_status_from_errno(INT_MIN), -XEN_EIO);
	ASSERT_EQ(vsnd_status_from_errno(-4095), -XEN_EIO);
}

TEST(every_status_is_zero_or_negative)
{
	for (int e = -5000; e <= 5000; e++)
		ASSERT_LE(vsnd_status_from_errno(e), 0);
	ASSERT_LE(vsnd_status_from_errno(INT_MIN), 0);
}

TEST(bad_statuses_from_a_peer)
{
	ASSERT_ERR(vsnd_errno_from_status(1), EPROTO);
	ASSERT_ERR(vsnd_errno_from_status(INT32_MAX), EPROTO);
	ASSERT_ERR(vsnd_errno_from_status(INT32_MIN), EPROTO);
	ASSERT_ERR(vsnd_errno_from_status(-4000), EPROTO);
	ASSERT_EQ(vsnd_errno_from_status(0), 0);
}

TEST(names)
{
	ASSERT_STREQ(vsnd_errno_to_name(-EINVAL), "EINVAL");
	ASSERT_STREQ(vsnd_errno_to_name(ENOSYS), "ENOSYS");
	ASSERT_STREQ(vsnd_errno_to_name(-9999), "E?");
	ASSERT_STREQ(vsnd_errno_to_name(INT_MIN), "E?");
}
