#!/bin/bash
# SPDX-License-Identifier: MIT
#
# meson-test.sh - the real-Xen rig as the Meson test 'e2e' (suite e2e):
# runs e2e.sh with the rig's cache and its own vsnd build in the source
# tree (E2E_DIR, E2E_BUILD: the same as `make e2e`, so both share the
# images). e2e.sh prints the results with their closing line, which
# `make test`'s summary adds to its counts. Skips (77) where the rig
# cannot run: not root (it installs host packages with apt-get) or not
# x86_64.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
export E2E_DIR=${E2E_DIR:-$SRC/build-e2e}
export E2E_BUILD=${E2E_BUILD:-$SRC/build-e2e-bin}

if [ "$(id -u)" != 0 ]; then
	echo "e2e: skipped: the rig needs root (apt-get of QEMU and the image packages)"
	exit 77
fi
if [ "$(uname -m)" != x86_64 ]; then
	echo "e2e: skipped: the rig boots x86_64 Xen; this machine is $(uname -m)"
	exit 77
fi
"$HERE/e2e.sh"
rc=$?
if [ ! -f "$E2E_DIR/run/out/results.txt" ]; then
	echo "e2e: no results in $E2E_DIR/run/out"
	rc=1
fi
exit $rc
