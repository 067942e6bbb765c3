#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-conform.sh - the 'conformance' suite: vsnd-conform (the frontend
# role) against the real vsndbe, on xensimd.
#
# Usage: run-conform.sh XENSIMD XENSIMD-CTL VSND-XSCONFIG VSNDBE VSND-CONFORM CARD.cfg [ARG]...
#
# Starts xensimd in a temporary directory, creates guest domain 5, writes
# its card as libxl would (vsnd-xsconfig write), puts a WAV file in place
# for the capture stream (S16_LE stereo, what vsnd-conform opens), starts
# vsndbe with "file:" host devices, and runs vsnd-conform --tap (plus ARGs)
# as the guest. Every readiness wait reads a line from the program, never
# a sleep. TAP goes to stdout; the daemons' logs go to stderr on failure.
set -u

if [ $# -lt 6 ]; then
	echo "usage: $0 XENSIMD XENSIMD-CTL VSND-XSCONFIG VSNDBE VSND-CONFORM CARD.cfg [ARG]..." >&2
	exit 2
fi
xensimd=$1 ctl=$2 xsconfig=$3 vsndbe=$4 conform=$5 card=$6
shift 6
guest=5
dir=$(mktemp -d /tmp/vsnd-conform-XXXXXX) || exit 1
pids=()

cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait
	rm -rf "$dir"
}
trap cleanup EXIT

fail() {
	echo "Bail out! $*"
	for f in "$dir"/*.log; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
	done
	exit 1
}

# Read one line from fd $1 within 30 s; it must be $2.
expect_line() {
	local line=""

	read -r -t 30 line <&"$1" || true
	[ "$line" = "$2" ] || fail "expected \"$2\", got \"$line\""
}

mkfifo "$dir/simd.out" "$dir/be.out" || fail "mkfifo"
"$xensimd" --run-dir "$dir/run" >"$dir/simd.out" 2>"$dir/xensimd.log" &
pids+=($!)
exec 3<"$dir/simd.out"
expect_line 3 "xensimd ready run-dir=$dir/run"

"$ctl" --run-dir "$dir/run" domain create "$guest" --name conform-guest \
	2>>"$dir/setup.log" || fail "xensimd-ctl domain create"
"$xsconfig" --xen="sim:$dir/run" write --domid "$guest" --config "$card" \
	>>"$dir/setup.log" 2>&1 || fail "vsnd-xsconfig write"

# Capture source of stream 0/1: 2 s of S16_LE stereo 48 kHz silence.
{
	printf 'RIFF\x24\xdc\x05\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00'
	printf '\x80\xbb\x00\x00\x00\xee\x02\x00\x04\x00\x10\x00data\x00\xdc\x05\x00'
	head -c 384000 /dev/zero
} >"$dir/dom$guest-0-1.wav" || fail "writing the capture WAV file"

"$vsndbe" --xen="sim:$dir/run" "--sink=file:$dir/dom%u-%u-%u.wav" \
	>"$dir/be.out" 2>"$dir/vsndbe.log" &
pids+=($!)
exec 4<"$dir/be.out"
expect_line 4 "vsndbe ready"

rc=0
"$conform" --xen="sim:$dir/run" --domid="$guest" --devid=0 --tap "$@" || rc=$?
if [ "$rc" -ne 0 ]; then
	for f in "$dir"/*.log; do
		echo "--- $f" >&2
		tail -n 60 "$f" >&2
	done
fi
exit "$rc"
