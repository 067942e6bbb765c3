#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-conform-be.sh - the 'conformance' suite, backend role: vsnd-conform
# plays a hostile backend for libvsndfront, driven by vsnd-play, on xensimd.
#
# Usage: run-conform-be.sh XENSIMD XENSIMD-CTL VSND-XSCONFIG VSND-CONFORM VSND-PLAY CARD.cfg [ARG]...
#
# Starts xensimd in a temporary directory, creates guest domain 5, writes
# its card as libxl would (vsnd-xsconfig write), writes a short WAV file
# (0.25 s of S16_LE stereo 48 kHz) and runs vsnd-conform --role=backend
# --tap (plus ARGs) as the backend domain, with the frontend driver
# "vsnd-play --xen=sim:DIR --domid 5 play FILE" run once per scenario. The
# driver runs with the sanitizers set to abort, so that a memory error in
# libvsndfront shows as a death by signal rather than as a plain failure.
# TAP goes to stdout; xensimd's log goes to stderr on failure.
set -u

if [ $# -lt 6 ]; then
	echo "usage: $0 XENSIMD XENSIMD-CTL VSND-XSCONFIG VSND-CONFORM VSND-PLAY CARD.cfg [ARG]..." >&2
	exit 2
fi
xensimd=$1 ctl=$2 xsconfig=$3 conform=$4 play=$5 card=$6
shift 6
guest=5
dir=$(mktemp -d /tmp/vsnd-conform-be-XXXXXX) || exit 1
pid=

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
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

# Four little-endian octets of $1, as printf escapes.
le32() {
	printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
		$((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}

mkfifo "$dir/simd.out" || fail "mkfifo"
"$xensimd" --run-dir "$dir/run" >"$dir/simd.out" 2>"$dir/xensimd.log" &
pid=$!
exec 3<"$dir/simd.out"
line=""
read -r -t 30 line <&3 || true
[ "$line" = "xensimd ready run-dir=$dir/run" ] || fail "xensimd: got \"$line\""

"$ctl" --run-dir "$dir/run" domain create "$guest" --name conform-fe-guest \
	2>>"$dir/setup.log" || fail "xensimd-ctl domain create"
"$xsconfig" --xen="sim:$dir/run" write --domid "$guest" --config "$card" \
	>>"$dir/setup.log" 2>&1 || fail "vsnd-xsconfig write"

# 0.25 s of S16_LE stereo 48 kHz, pseudo-random: 48000 octets.
data=48000
{
	printf "RIFF$(le32 $((data + 36)))WAVEfmt $(le32 16)"
	printf '\x01\x00\x02\x00'"$(le32 48000)$(le32 192000)"'\x04\x00\x10\x00'
	printf "data$(le32 $data)"
	head -c "$data" /dev/urandom
} >"$dir/tone.wav" || fail "writing the WAV file"

san="abort_on_error=1"
fe_cmd="ASAN_OPTIONS='${ASAN_OPTIONS:-}:$san' UBSAN_OPTIONS='${UBSAN_OPTIONS:-}:$san'"
fe_cmd="$fe_cmd exec '$play' --xen=sim:$dir/run --domid $guest play '$dir/tone.wav'"

"$conform" --role=backend --xen="sim:$dir/run" --domid="$guest" --devid=0 \
	--fe-cmd="$fe_cmd" --tap "$@"
rc=$?
if [ "$rc" -ne 0 ]; then
	for f in "$dir"/*.log; do
		echo "--- $f" >&2
		tail -n 60 "$f" >&2
	done
fi
exit "$rc"
