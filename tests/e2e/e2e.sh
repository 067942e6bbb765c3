#!/bin/bash
# SPDX-License-Identifier: MIT
#
# e2e.sh - vsnd's real-Xen end-to-end suite (`make e2e`); docs/e2e.md.
#
#   tests/e2e/e2e.sh           build what is missing, boot, run the checks
#   tests/e2e/e2e.sh --shell   the same images, but a dom0 shell on this
#                              terminal instead of the checks
#
# Steps: install the host packages that are missing (apt-get); build vsnd
# without sanitizers (E2E_BUILD); build or reuse the boot images (E2E_DIR,
# images.sh); boot QEMU -> Xen -> dom0, where runner/run.sh runs the
# checks; print their results. Exits 0 only when every check ran and none
# failed.
#
# Environment:
#   E2E_DIR      the rig's cache and results (build-e2e)
#   E2E_BUILD    the meson build of vsnd for dom0 (build-e2e-bin)
#   E2E_TIMEOUT  seconds before the boot is killed (900)
#   E2E_ONLY     steps of runner/checks.sh to run, e.g. "dom0 guests"
#   E2E_ACCEL    kvm or tcg (default: kvm where it can run Xen); see boot.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
cd "$SRC"
E2E_DIR=$(realpath -m "${E2E_DIR:-build-e2e}")
E2E_BUILD=$(realpath -m "${E2E_BUILD:-build-e2e-bin}")
MODE=auto
case ${1:-} in
"") ;;
--shell) MODE=shell ;;
*)
	echo "usage: $0 [--shell]" >&2
	exit 2
	;;
esac

T0=$(date +%s)
phase() { echo "e2e: [$(($(date +%s) - T0)) s] $*"; }

# 1. Host packages: QEMU and the image tools, and what building vsnd needs.
phase "host packages"
"$SRC/scripts/install-deps.sh" qemu-system-x86 cpio gzip xz-utils binutils perl \
	meson ninja-build pkg-config gcc libxen-dev

# 2. vsnd for dom0: no sanitizers (they would need their runtimes in dom0
# and slow TCG further), only the programs the checks run (tests/e2e/programs).
# -Dwerror=false: this build tests Xen, not warnings (`make build` does).
phase "vsnd build in $E2E_BUILD"
if [ ! -f "$E2E_BUILD/build.ninja" ]; then
	meson setup "$E2E_BUILD" -Db_sanitize=none -Dbuildtype=release -Dwerror=false \
		-Dxen=enabled
fi
mapfile -t programs < <(grep -v '^#' "$HERE/programs")
ninja -C "$E2E_BUILD" "${programs[@]}"

# 3. Boot images (cached; rebuilt when their inputs change).
phase "images in $E2E_DIR/images"
"$HERE/images.sh" "$E2E_DIR"

# 4. Boot. The results share starts empty on every run.
RUN=$E2E_DIR/run
rm -rf "$RUN"
mkdir -p "$RUN/out"
phase "boot (serial log $RUN/serial.log)"
export E2E_LOG=$RUN/serial.log
[ -n "${E2E_ONLY:-}" ] && export E2E_DOM0_ARGS="E2E_ONLY=\"$E2E_ONLY\""
boot_rc=0
"$HERE/boot.sh" "$E2E_DIR/images" "$SRC" "$E2E_BUILD" "$RUN/out" "$MODE" || boot_rc=$?
[ "$MODE" = shell ] && exit $boot_rc

# 5. Results: one line per check and the closing count, from dom0.
phase "done booting (QEMU exit $boot_rc)"
[ "$boot_rc" -eq 124 ] && echo "e2e: timed out after ${E2E_TIMEOUT:-900} s" >&2
RESULTS=$RUN/out/results.txt
if [ ! -s "$RESULTS" ]; then
	echo "e2e: no results from dom0; the end of the serial log:" >&2
	tail -n 40 "$E2E_LOG" >&2
	exit 1
fi
echo
cat "$RESULTS"
echo
# The end of each failed check's log.
sed -n 's/^FAIL - \([^ ]*\).*/\1/p' "$RESULTS" | while read -r name; do
	log=$RUN/out/logs/$(echo "$name" | tr '/ ' '__').log
	echo "---- $name ($log)"
	tail -n 40 "$log" 2>/dev/null || echo "(no log)"
done
closing=$(tail -n 1 "$RESULTS")
case $closing in
*" passed, 0 failed"*)
	phase "$closing; logs in $RUN"
	[ "$boot_rc" -eq 0 ] || { echo "e2e: QEMU exit $boot_rc" >&2; exit 1; }
	;;
*" passed, "*" failed"*)
	phase "$closing; logs in $RUN"
	exit 1
	;;
*)
	echo "e2e: the run did not finish (no closing line); see $E2E_LOG" >&2
	exit 1
	;;
esac
