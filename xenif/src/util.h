/* SPDX-License-Identifier: MIT */
/*
 * util.h - libxenif's private helpers: the shared ones of
 * vsnd-common/util.h (cleanup, ownership transfer, errno conversion).
 */
#ifndef XENIF_SRC_UTIL_H
#define XENIF_SRC_UTIL_H

#include "vsnd-common/util.h"

#endif /* XENIF_SRC_UTIL_H */
