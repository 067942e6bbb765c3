// SPDX-License-Identifier: MIT
/*
 * simd-names.c - the name tables xensimd and xensimd-ctl share: errno names
 * as they travel in XS_ERROR replies, the xenif operation names used by the
 * fault knob, and a strict number parser for command lines and XenStore
 * payloads.
 *
 * The operation table mirrors enum xenif_op (xenif/xenif.h) in order; it is
 * kept here rather than linked from libxenif so the simulator does not
 * depend on the library it simulates for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "simd-int.h"

#define ERRNO_ROW(e) { e, #e }

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	/* xenstored's table first, so its spelling wins for shared values */
	ERRNO_ROW(EINVAL),    ERRNO_ROW(EACCES),    ERRNO_ROW(EEXIST),
	ERRNO_ROW(EISDIR),    ERRNO_ROW(ENOENT),    ERRNO_ROW(ENOMEM),
	ERRNO_ROW(ENOSPC),    ERRNO_ROW(EIO),       ERRNO_ROW(ENOTEMPTY),
	ERRNO_ROW(ENOSYS),    ERRNO_ROW(EROFS),     ERRNO_ROW(EBUSY),
	ERRNO_ROW(EAGAIN),    ERRNO_ROW(EISCONN),   ERRNO_ROW(E2BIG),
	ERRNO_ROW(EPERM),     ERRNO_ROW(ESRCH),     ERRNO_ROW(ENOTCONN),
	ERRNO_ROW(EBADF),     ERRNO_ROW(EMFILE),    ERRNO_ROW(ENFILE),
	ERRNO_ROW(EPROTO),    ERRNO_ROW(EDQUOT),    ERRNO_ROW(EINTR),
	ERRNO_ROW(ENXIO),     ERRNO_ROW(EFAULT),    ERRNO_ROW(ENODEV),
	ERRNO_ROW(EPIPE),     ERRNO_ROW(ERANGE),    ERRNO_ROW(ETIMEDOUT),
	ERRNO_ROW(ECONNRESET), ERRNO_ROW(ECONNREFUSED), ERRNO_ROW(EOVERFLOW),
	ERRNO_ROW(ENOTSUP),   ERRNO_ROW(ENOBUFS),   ERRNO_ROW(ECANCELED),
	ERRNO_ROW(ENOTDIR),   ERRNO_ROW(ESHUTDOWN), ERRNO_ROW(EMSGSIZE),
	ERRNO_ROW(ENAMETOOLONG), ERRNO_ROW(EDEADLK), ERRNO_ROW(ENOLCK),
	ERRNO_ROW(ENOTTY),    ERRNO_ROW(EXDEV),     ERRNO_ROW(ENOEXEC),
	ERRNO_ROW(ECHILD),    ERRNO_ROW(EHOSTDOWN), ERRNO_ROW(ENODATA),
};

/* enum xenif_op order, lowercased without XENIF_OP_ */
static const char *const op_names[] = {
	"xs_read",
	"xs_write",
	"xs_mkdir",
	"xs_rm",
	"xs_directory",
	"xs_get_perms",
	"xs_set_perms",
	"xs_watch",
	"xs_unwatch",
	"xs_read_watch",
	"xs_transaction_start",
	"xs_transaction_end",
	"evtchn_open",
	"evtchn_bind_interdomain",
	"evtchn_alloc_unbound",
	"evtchn_notify",
	"evtchn_pending",
	"evtchn_unmask",
	"evtchn_unbind",
	"evtchn_restrict",
	"gnt_map",
	"gnt_unmap",
	"gnt_share",
	"gnt_unshare",
	"domain_info",
};

/**
 * simd_errno_name() - the name of a positive errno value.
 * @err: the errno value.
 *
 * Return: "EINVAL" and the like; NULL when the table does not know @err.
 */
const char *simd_errno_name(int err)
{
	for (size_t i = 0; i < SIMD_ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

/**
 * simd_errno_from_name() - parse an errno name ("EIO", case-insensitive).
 * @name: the name.
 *
 * Return: the positive errno value, or -EINVAL for an unknown name.
 */
int simd_errno_from_name(const char *name)
{
	for (size_t i = 0; i < SIMD_ARRAY_SIZE(errno_names); i++)
		if (strcasecmp(errno_names[i].name, name) == 0)
			return errno_names[i].err;
	return -EINVAL;
}

/**
 * simd_op_name() - the fault-knob name of an xenif operation.
 * @op: an enum xenif_op value.
 *
 * Return: "gnt_map" and the like; NULL outside the table.
 */
const char *simd_op_name(unsigned int op)
{
	return op < SIMD_ARRAY_SIZE(op_names) ? op_names[op] : NULL;
}

/**
 * simd_op_from_name() - parse an operation name.
 * @name: "gnt_map" and the like (case-insensitive).
 *
 * Return: the enum xenif_op value, or -EINVAL.
 */
int simd_op_from_name(const char *name)
{
	for (size_t i = 0; i < SIMD_ARRAY_SIZE(op_names); i++)
		if (strcasecmp(op_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

/**
 * simd_op_count() - the number of operations in the table.
 *
 * Return: one more than the largest valid operation.
 */
unsigned int simd_op_count(void)
{
	return SIMD_ARRAY_SIZE(op_names);
}

/**
 * simd_parse_u32() - parse a plain decimal number.
 * @s: digits only: no sign, no spaces, no leading zeros but "0" itself.
 * @max: the largest value accepted.
 * @ret: receives the value.
 *
 * Return: 0, or -EINVAL when @s is not such a number or exceeds @max.
 */
int simd_parse_u32(const char *s, uint32_t max, uint32_t *ret)
{
	unsigned long long v = 0;

	if (!s || !*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}
