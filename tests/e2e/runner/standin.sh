#!/bin/sh
# SPDX-License-Identifier: MIT
#
# standin.sh READY_NODE - a stand-in for vsndbe until it exists. TEST ONLY.
#
# It does the two things libxl waits for from a backend, and nothing else:
#   state 1 (Initialising) -> 2 (InitWait)  `xl create` waits 10 s for it
#   state 5 (Closing)      -> 6 (Closed)    `xl destroy` waits 10 s for it
# for every /local/domain/0/backend/vsnd/<guest>/<dev>/state. It never
# connects, so a frontend stops in 3 (Initialised).
#
# It runs on one XenStore watch, never a polling loop: under TCG every
# process dom0 spawns is expensive. When the watch is in place it writes
# "ready" to READY_NODE.

BE=/local/domain/0/backend/vsnd
READY=${1:?usage: standin.sh READY_NODE}

# answer STATE_PATH: move one backend along, if it is waiting for us.
answer() {
	case $(xenstore-read "$1" 2>/dev/null) in
	1) next=2 ;;
	5) next=6 ;;
	*) return 0 ;;
	esac
	xenstore-write "$1" "$next" && echo "standin: $1 -> $next"
}

# answer_all: every backend there is (when the watch is first set, backends
# written earlier have to be looked at once).
answer_all() {
	for g in $(xenstore-list "$BE" 2>/dev/null); do
		for d in $(xenstore-list "$BE/$g" 2>/dev/null); do
			answer "$BE/$g/$d/state"
		done
	done
}

xenstore-watch "$BE" | while read -r path _; do
	case $path in
	"$BE")
		# The event of the watch being set (or of the root changing).
		answer_all
		[ -n "$READY" ] && xenstore-write "$READY" ready && READY=""
		;;
	"$BE"/*/*/state)
		answer "$path"
		;;
	esac
done
