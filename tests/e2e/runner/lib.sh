# SPDX-License-Identifier: MIT
#
# lib.sh - what the checks share: waiting on XenStore, dumping a guest's
# vsnd trees, guest configs, the backend stand-in. Sourced by run.sh;
# busybox ash (it has `local`).

# shellcheck disable=SC2034 # used by checks.sh
XSCONFIG=$E2E_BIN/xenstore-config/vsnd-xsconfig
# shellcheck disable=SC2034
VSNDBE=$E2E_BIN/backend/vsndbe
# shellcheck disable=SC2034
CONTRACT=$E2E_BIN/tests/sim/xenif/test-xenif-contract
BE_ROOT=/local/domain/0/backend/vsnd
# The rig's own XenStore corner (the stand-in's ready flag).
RIG_XS=/vsnd-e2e

# xs_wait PATH PATTERN SECONDS: wait until the value of PATH matches the
# shell PATTERN, on a XenStore watch (a watch fires once when set, so a
# value already there counts). Prints the last value seen; fails after
# SECONDS.
xs_wait() {
	local fifo="$E2E_TMP/watch.$$" wpid v="" ok=1

	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	timeout "$3" xenstore-watch "$1" > "$fifo" 2>/dev/null &
	wpid=$!
	while read -r _; do
		v=$(xenstore-read "$1" 2>/dev/null)
		# shellcheck disable=SC2254 # $2 is a pattern on purpose
		case $v in
		$2)
			ok=0
			break
			;;
		esac
	done < "$fifo"
	kill "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	rm -f "$fifo"
	echo "$1 = \"$v\""
	return $ok
}

# vsnd_trees G: the FE, BE and LX directories of guest G's vsnd devices,
# one node a line as `xenstore-ls -fp` prints it (path = "value" (perms)),
# in XenStore's order.
vsnd_trees() {
	xenstore-ls -fp "/local/domain/$1/device" 2>/dev/null |
		grep "^/local/domain/$1/device/vsnd[/ ]"
	xenstore-ls -fp "$BE_ROOT" 2>/dev/null | grep "^$BE_ROOT/$1[/ ]"
	xenstore-ls -fp "/libxl/$1/device" 2>/dev/null | grep "^/libxl/$1/device/vsnd[/ ]"
}

# domid_to_g G: on stdin, replace guest domid G by "G" wherever a tree
# dump holds it (paths, values, permission lists), so that the trees of
# two guests compare. Domain 0 is the backend and is left alone.
domid_to_g() {
	# A permission entry is [nrwb]<domid>; run twice, as neighbouring
	# entries share the ',' the pattern needs.
	sed -e "s#/local/domain/$1/#/local/domain/G/#g" \
		-e "s#/local/domain/$1\"#/local/domain/G\"#g" \
		-e "s#/backend/vsnd/$1/#/backend/vsnd/G/#g" \
		-e "s#/backend/vsnd/$1 #/backend/vsnd/G #g" \
		-e "s#^/libxl/$1/#/libxl/G/#" \
		-e "s#^\(.*/frontend-id = \)\"$1\"#\1\"G\"#" \
		-e "s#\([(,][nrwb]\)$1\([,)]\)#\1G\2#g" \
		-e "s#\([(,][nrwb]\)$1\([,)]\)#\1G\2#g"
}

# guest_cfg EXAMPLE NAME OUT [WORDS]: an xl config for a rig guest NAME
# keeping EXAMPLE's vsnd entry: the example's domain settings give way to a
# PV guest booting the rig's kernel and domU initramfs. WORDS go on the
# guest's command line (e2e.play=DEVICE: see vm/domU-init).
guest_cfg() {
	{
		echo "# $1, adapted by the e2e rig"
		echo "name = \"$2\""
		echo 'type = "pv"'
		echo "kernel = \"$E2E_IMG/vmlinux.gz\""
		echo "ramdisk = \"$E2E_IMG/domU.cpio.gz\""
		echo "extra = \"console=hvc0 loglevel=4${4:+ $4}\""
		echo 'memory = 128'
		echo 'vcpus = 1'
		echo 'on_crash = "preserve"'
		sed -E '/^[[:space:]]*(name|type|builder|kernel|ramdisk|cmdline|extra|root|bootloader|memory|maxmem|vcpus|maxvcpus|on_[a-z]+)[[:space:]]*=/d' "$1"
	} > "$3"
}

# spare_cfg NAME OUT: a guest with no devices, never unpaused: the domain
# vsnd-xsconfig writes to.
spare_cfg() {
	{
		echo "name = \"$1\""
		echo 'type = "pv"'
		echo "kernel = \"$E2E_IMG/vmlinux.gz\""
		echo 'memory = 128'
		echo 'vcpus = 1'
	} > "$2"
}

# standin_start / standin_stop: the backend stand-in (standin.sh) in a
# session of its own, so that stopping it stops its xenstore-watch too.
standin_start() {
	xenstore-rm "$RIG_XS/standin" 2>/dev/null
	setsid sh "$E2E_RUNNER/standin.sh" "$RIG_XS/standin" \
		>> "$E2E_LOGS/standin.log" 2>&1 &
	STANDIN_PID=$!
	xs_wait "$RIG_XS/standin" ready 20
}

standin_stop() {
	[ -n "${STANDIN_PID:-}" ] || return 0
	kill -TERM "-$STANDIN_PID" 2>/dev/null
	wait "$STANDIN_PID" 2>/dev/null
	STANDIN_PID=""
}

# domain_gone G: true when xl no longer lists domain G.
domain_gone() {
	! xl list 2>/dev/null | awk -v g="$1" 'NR > 1 && $2 == g { found = 1 } END { exit !found }'
}

# collect_logs: the toolstack's and the guests' logs into the results.
collect_logs() {
	mkdir -p "$E2E_LOGS/xen"
	cp /var/log/xen/*.log /var/log/xen/console/*.log "$E2E_LOGS/xen/" 2>/dev/null
	xl dmesg > "$E2E_LOGS/xen/xl-dmesg.log" 2>&1
	dmesg > "$E2E_LOGS/xen/dom0-dmesg.log" 2>&1
}

# vsndbe_start ARGS: vsndbe in a session of its own, its stderr to
# $E2E_LOGS/vsndbe.stderr.log; returns once it said "vsndbe ready" on
# stdout (read from a fifo kept open on fd 8 until vsndbe_stop), or fails
# after 30 s.
vsndbe_start() {
	local fifo="$E2E_TMP/vsndbe.out" line=""

	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	: > "$E2E_LOGS/vsndbe.stderr.log"
	setsid "$VSNDBE" "$@" > "$fifo" 2>> "$E2E_LOGS/vsndbe.stderr.log" &
	VSNDBE_PID=$!
	exec 8< "$fifo"
	read -r -t 30 line <&8
	echo "vsndbe (pid $VSNDBE_PID) on stdout: \"$line\""
	[ "$line" = "vsndbe ready" ]
}

# vsndbe_stop: SIGTERM, then its exit status (as VSNDBE_RC).
vsndbe_stop() {
	[ -n "${VSNDBE_PID:-}" ] || return 0
	kill -TERM "$VSNDBE_PID" 2>/dev/null
	wait "$VSNDBE_PID"
	VSNDBE_RC=$?
	exec 8<&-
	VSNDBE_PID=""
	echo "vsndbe: exit $VSNDBE_RC after SIGTERM"
}

# states_log_start LOG / states_log_stop: every change of a vsnd state node
# (frontend and backend), timestamped, on one XenStore watch of
# /local/domain (a value read only for the state nodes).
states_log_start() {
	setsid sh -c '
		xenstore-watch /local/domain | while read -r p _; do
			case $p in
			*/device/vsnd/*/state | /local/domain/0/backend/vsnd/*/state)
				echo "$(cut -d" " -f1 /proc/uptime) $p = $(xenstore-read "$p" 2>/dev/null)"
				;;
			esac
		done' > "$1" 2>&1 &
	STATES_PID=$!
}

states_log_stop() {
	[ -n "${STATES_PID:-}" ] || return 0
	kill -TERM "-$STATES_PID" 2>/dev/null
	wait "$STATES_PID" 2>/dev/null
	STATES_PID=""
}

# until_true SECONDS CMD...: run CMD every 0.1 s until it succeeds (for
# conditions no XenStore event announces, like a process dropping its
# mappings); fails after SECONDS.
until_true() {
	local n=0 max=$(($1 * 10))

	shift
	until "$@"; do
		[ $n -ge $max ] && return 1
		n=$((n + 1))
		sleep 0.1
	done
}

# grant_maps PID: how many grant maps (gntdev) PID and its children hold
# (vsndbe's broker maps nothing; each worker maps its guest's pages).
grant_maps() {
	local n=0 p c

	for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		c=$(grep -c /dev/xen/gntdev "/proc/$p/maps" 2>/dev/null)
		n=$((n + ${c:-0}))
	done
	echo "$n"
}

# frame_bytes FORMAT CHANNELS
frame_bytes() {
	case $1 in S32_LE) echo $((4 * $2)) ;; *) echo $((2 * $2)) ;; esac
}

# signal_start FILE FRAMEBYTES: where the first frame that is not silence
# starts (the audio checks' signals never start with a silent frame).
signal_start() {
	local at

	at=$(cmp "$1" /dev/zero 2>&1 | sed -nE 's/.*(char|byte) ([0-9]+).*/\2/p')
	[ -n "$at" ] || return 1
	echo $(((at - 1) / $2 * $2))
}

# signal_vs_pattern FILE PATTERN FRAMEBYTES: the signal in FILE, after its
# leading silence, against PATTERN, byte for byte.
signal_vs_pattern() {
	local start len size

	len=$(wc -c < "$2")
	size=$(wc -c < "$1")
	start=$(signal_start "$1" "$3") || { echo "$1: $size bytes of silence"; return 1; }
	echo "$1: $size bytes, the signal from byte $start; pattern: $len bytes"
	if tail -c +$((start + 1)) "$1" | head -c "$len" | cmp - "$2"; then
		echo "bit-exact"
		return 0
	fi
	echo "received, from the signal's start:"
	tail -c +$((start + 1)) "$1" | od -A d -t x1 | head -n 4
	echo "pattern:"
	od -A d -t x1 "$2" | head -n 4
	return 1
}

# xrun_void G KEY: when guest G reported that its aplay/arecord of KEY
# under- or overran (vm/domU-init), say so and return 0: ALSA dropped what
# was queued, so a data mismatch says nothing about the backend and the
# check skips instead of failing. Under emulation on a busy host the
# guest's vCPU is sometimes that late.
xrun_void() {
	[ "$(xenstore-read "/local/domain/$1/data/e2e/xrun/$2" 2>/dev/null)" = yes ] || return 1
	skip_because "the guest's ALSA reported an xrun for $2 (its vCPU was late under emulation); the data cannot be compared"
	echo "$SKIP_WHY"
}
