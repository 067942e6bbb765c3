#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every libFuzzer target of a -Dfuzzing=true build for SECONDS each,
# starting from a working copy of its committed corpus (new inputs stay in
# the build directory; add the interesting ones to tests/fuzz/corpus/ by
# hand). A crash keeps its reproducer in BUILD/fuzz-artifacts/ and fails.
set -eu
build=$1
seconds=$2
src=$(cd "$(dirname "$0")/.." && pwd)
failed=0
passed=0

for corpus in "$src"/tests/fuzz/corpus/*/; do
	target=$(basename "$corpus")
	bin="$build/tests/fuzz/$target"
	work="$build/fuzz-corpus/$target"
	art="$build/fuzz-artifacts/$target/"
	[ -x "$bin" ] || { echo "$target: not built" >&2; failed=$((failed + 1)); continue; }
	mkdir -p "$work" "$art"
	cp -n "$corpus"* "$work"/ 2>/dev/null || true
	echo "== $target: ${seconds}s"
	if "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$art" \
		"$work" >"$build/fuzz-$target.log" 2>&1; then
		grep -E 'stat::number_of_executed_units|Done' "$build/fuzz-$target.log" | tail -2
		passed=$((passed + 1))
	else
		tail -40 "$build/fuzz-$target.log"
		echo "$target: FAILED, reproducer in $art" >&2
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
