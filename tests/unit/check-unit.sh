#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-unit.sh UNIT MAX - systemd/vsndbe.service (a copy whose ExecStart is
# this build's vsndbe): `systemd-analyze verify` accepts it, and its
# exposure (`systemd-analyze security`, offline) is at most MAX tenths
# (security.md rule 81; docs/admin-guide.md states the figure). Skips (77)
# without systemd-analyze.
unit=$1
max=$2
if ! command -v systemd-analyze > /dev/null; then
	echo "skip: no systemd-analyze"
	exit 77
fi
systemd-analyze verify --man=no "$unit" || exit 1
systemd-analyze security --offline=true --threshold="$max" "$unit" | tail -n 1
if ! systemd-analyze security --offline=true --threshold="$max" "$unit" > /dev/null 2>&1; then
	echo "$unit: exposure above $max tenths"
	exit 1
fi
echo "$unit: verified, exposure at most $max tenths"
