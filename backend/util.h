/* SPDX-License-Identifier: MIT */
/*
 * util.h - vsndbe's private helpers: the shared ones of vsnd-common/util.h
 * (cleanup, ownership transfer, errno conversion, container_of, the
 * monotonic clock). Nothing here is an interface of its own.
 */
#ifndef VSND_BACKEND_UTIL_H
#define VSND_BACKEND_UTIL_H

#include "vsnd-common/util.h"

#endif /* VSND_BACKEND_UTIL_H */
