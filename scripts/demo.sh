#!/bin/bash
# SPDX-License-Identifier: MIT
# make demo: a simulated guest plays a 2 s 48 kHz S16_LE stereo tone through
# the whole sndif protocol into ALSA, and the result is compared with the
# guest's source sample for sample.
#
#   xensimd (a user-space Xen) -> domain 5 with the stereo card of
#   xenstore-config/examples/stereo.cfg (written by vsnd-xsconfig as libxl
#   would) -> vsndbe serving it -> vsnd-play in "domain 5" playing tone.wav
#   -> ALSA. The ALSA device is a private `type file` PCM that writes a WAV
#   file, since a build machine has no sound card.
#
# Prints "MATCH: <wav>" and exits 0, or "MISMATCH: ..." and exits 1.
# Processes are waited on by their readiness lines, never by sleeping.
set -euo pipefail

build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
bin() { echo "$build/$1"; }
work=$build/demo
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
run="$work/xen"

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

# Start a program with its stdout on a new fd (named by $1), stderr to $2.
start() {
	local -n fdref=$1
	local log=$2
	shift 2
	exec {fdref}< <(exec "$@" 2>"$log")
	pids+=("$!")
}

# Wait (at most 20 s) for a line on a started program's stdout.
await() {
	local fd=$1 want=$2 line
	while IFS= read -r -t 20 line <&"$fd"; do
		[[ $line == "$want"* ]] && return 0
	done
	echo "demo: gave up waiting for \"$want\"" >&2
	return 1
}

for p in xenif/sim/xensimd xenif/sim/xensimd-ctl xenstore-config/vsnd-xsconfig \
	backend/vsndbe frontend/play/vsnd-play; do
	[ -x "$(bin $p)" ] || { echo "demo: $(bin $p) is not built" >&2; exit 1; }
done

echo "== a 2 s 440 Hz tone, 48 kHz S16_LE stereo"
sox -q -n -r 48000 -c 2 -b 16 -e signed-integer "$work/tone.wav" synth 2 sine 440 gain -6

echo "== xensimd, a simulated Xen, and guest domain 5"
start xs_fd "$work/xensimd.log" "$(bin xenif/sim/xensimd)" --run-dir "$run"
await "$xs_fd" "xensimd ready"
"$(bin xenif/sim/xensimd-ctl)" --run-dir "$run" domain create 5 --name demo-guest
"$(bin xenstore-config/vsnd-xsconfig)" --xen="sim:$run" write --domid 5 \
	--config "$src/xenstore-config/examples/stereo.cfg"

echo "== vsndbe, playing into ALSA (a type file PCM writing $work/out.wav)"
cat >"$work/asound.conf" <<CONF
pcm.vsnddemo {
	type file
	slave { pcm { type null } }
	file "$work/out.wav"
	format "wav"
}
CONF
export ALSA_CONFIG_PATH="$work/asound.conf"
start be_fd "$work/vsndbe.log" "$(bin backend/vsndbe)" \
	--xen="sim:$run" --single-process --sink=alsa:vsnddemo
be_pid=${pids[-1]}
await "$be_fd" "vsndbe ready"

echo "== the guest plays the tone"
"$(bin frontend/play/vsnd-play)" --xen="sim:$run" --domid 5 play "$work/tone.wav"

kill -TERM "$be_pid"
wait "$be_pid" || { echo "demo: vsndbe did not exit cleanly, see $work/vsndbe.log" >&2; exit 1; }

python3 - "$work/tone.wav" "$work/out.wav" <<'PY'
import sys, wave
def frames(path):
    with wave.open(path, 'rb') as w:
        return (w.getframerate(), w.getnchannels(), w.getsampwidth()), w.readframes(w.getnframes())
(src_fmt, src), (out_fmt, out) = frames(sys.argv[1]), frames(sys.argv[2])
if src_fmt == out_fmt and src == out:
    print(f"MATCH: {sys.argv[2]} ({len(out)} bytes, identical to the guest's source)")
    sys.exit(0)
where = next((i for i, (a, b) in enumerate(zip(src, out)) if a != b), min(len(src), len(out)))
print(f"MISMATCH: {sys.argv[2]}: format {out_fmt} vs {src_fmt}, {len(out)} vs {len(src)} bytes, "
      f"first difference at byte {where}")
sys.exit(1)
PY
