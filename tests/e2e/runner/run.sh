#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh - the check runner, run by dom0's /init once the toolstack is up.
#
# It sources checks.sh, which defines the checks and the plan, runs the
# plan's steps and writes one line per check to $E2E_OUT/results.txt (and
# the console):
#     ok - NAME (1.2 s)
#     FAIL - NAME (1.2 s)
#     skip - NAME: why
# then the closing line "N passed, N failed, N skipped". Each check's
# output goes to $E2E_OUT/logs/NAME.log ('/' in NAME becomes '_').
#
# A check is a shell function run in this shell (so it may set variables
# for later checks): it returns 0 for ok, 77 to skip (after `skip_because
# WHY`), anything else for FAIL. Add one with
#     check NAME FUNCTION [ARG...]
# in a step of checks.sh; `result` reports a check run elsewhere (the
# xenif contract binary reports its tests itself).
#
# Environment (the kernel passes E2E_* words of dom0's command line):
#   E2E_ONLY   space-separated step names to run (default: all)

E2E_SRC=${E2E_SRC:-/vsnd}
E2E_BIN=${E2E_BIN:-/vsnd-bin}
E2E_IMG=${E2E_IMG:-/e2e/images}
E2E_OUT=${E2E_OUT:-/e2e/out}
E2E_RUNNER=$E2E_SRC/tests/e2e/runner
E2E_LOGS=$E2E_OUT/logs
E2E_TMP=/tmp/e2e
export E2E_SRC E2E_BIN E2E_IMG E2E_OUT E2E_RUNNER E2E_LOGS E2E_TMP

RESULTS=$E2E_OUT/results.txt
n_pass=0
n_fail=0
n_skip=0
SKIP_WHY=""

# say WORDS: a progress line on the console.
say() { echo "e2e-runner [$(cut -d' ' -f1 /proc/uptime)]: $*"; }

# now_cs: uptime in centiseconds (for durations without spawning awk).
now_cs() {
	read -r up _ < /proc/uptime
	cs=${up%.*}${up#*.}
	while [ "${cs#0}" != "$cs" ] && [ -n "${cs#0}" ]; do
		cs=${cs#0}	# "0042" would be octal to $(( ))
	done
	echo "$cs"
}

# secs_since CS: "12.3" seconds since the centisecond stamp CS.
secs_since() {
	d=$(($(now_cs) - $1))
	echo "$((d / 100)).$((d % 100 / 10))"
}

# result ok|FAIL|skip NAME [NOTE]: record one check's result.
result() {
	case $1 in
	ok) n_pass=$((n_pass + 1)) ;;
	skip) n_skip=$((n_skip + 1)) ;;
	*) n_fail=$((n_fail + 1)) ;;
	esac
	line="$1 - $2$3"
	echo "$line" >> "$RESULTS"
	echo "e2e-result: $line"
}

# skip_because WHY: the reason a check about to return 77 gives.
skip_because() { SKIP_WHY=$*; }

# log_of NAME: the log file of check NAME.
log_of() { echo "$E2E_LOGS/$(echo "$1" | tr '/ ' '__').log"; }

# check NAME FUNCTION [ARG...]: run one check, record its result, and
# return 0 when it passed (so a step can stop on a failed precondition).
check() {
	name=$1
	shift
	log=$(log_of "$name")
	SKIP_WHY=""
	say "check $name"
	t0=$(now_cs)
	"$@" > "$log" 2>&1 < /dev/null
	rc=$?
	dt=$(secs_since "$t0")
	case $rc in
	0) result ok "$name" " ($dt s)" ;;
	77) result skip "$name" ": ${SKIP_WHY:-skipped}" ;;
	*)
		result FAIL "$name" " ($dt s)"
		# The tail goes to the console too: the serial log is all
		# there is when the results share is gone.
		tail -n 15 "$log" | sed 's/^/e2e-log: /'
		;;
	esac
	return $rc
}

# step NAME FUNCTION: run a group of checks unless E2E_ONLY leaves it out.
step() {
	if [ -n "${E2E_ONLY:-}" ]; then
		case " $E2E_ONLY " in
		*" $1 "*) ;;
		*)
			say "step $1: not in E2E_ONLY"
			return 0
			;;
		esac
	fi
	say "step $1"
	"$2"
}

mkdir -p "$E2E_LOGS" "$E2E_TMP" || exit 1
: > "$RESULTS" || exit 1
t_start=$(now_cs)

. "$E2E_RUNNER/lib.sh"
. "$E2E_RUNNER/checks.sh"
. "$E2E_RUNNER/audio.sh"
. "$E2E_RUNNER/frontlib.sh"
plan

closing="$n_pass passed, $n_fail failed, $n_skip skipped"
echo "$closing" >> "$RESULTS"
say "$closing (runner: $(secs_since "$t_start") s)"
collect_logs
sync
[ $n_fail -eq 0 ]
