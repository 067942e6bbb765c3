# SPDX-License-Identifier: MIT
#
# checks.sh - the rig's checks and the plan that runs them, in one boot.
# Sourced by run.sh, which defines check, result, step, say and
# skip_because; helpers are in lib.sh.
#
# To add a check: write a function chk_* that prints what it looks at and
# returns 0 (ok), 77 (skip, after skip_because) or anything else (FAIL),
# and call it with `check NAME chk_* ARGS` from a step below.

# The programs of vsnd the checks run, relative to the e2e build.
VSND_PROGRAMS=$(grep -v '^#' "$E2E_SRC/tests/e2e/programs")

plan() {
	step dom0 plan_dom0
	step xenif plan_xenif
	step guests plan_guests
	step playback plan_playback
	step audio plan_audio
	step frontlib plan_frontlib
}

# ---- dom0 ------------------------------------------------------------------------

plan_dom0() {
	check dom0/toolstack chk_toolstack
	check dom0/libraries chk_libraries
}

chk_toolstack() {
	local ok=0 d

	xl info | grep -E '^(xen_version|xen_caps|virt_caps|total_memory|free_memory|nr_cpus)'
	xl list
	xl list | grep -q '^Domain-0 ' || { echo "no Domain-0 in xl list"; ok=1; }
	for d in evtchn gntdev gntalloc privcmd xenbus; do
		[ -c "/dev/xen/$d" ] || { echo "/dev/xen/$d missing"; ok=1; }
	done
	ls -l /dev/xen
	return $ok
}

# Every program of the e2e build finds its shared libraries in dom0.
chk_libraries() {
	local ok=0 p

	for p in $VSND_PROGRAMS; do
		echo "== $p"
		[ -x "$E2E_BIN/$p" ] || { echo "missing: $E2E_BIN/$p"; ok=1; continue; }
		/lib64/ld-linux-x86-64.so.2 --list "$E2E_BIN/$p" > "$E2E_TMP/ldd" 2>&1 ||
			ok=1
		cat "$E2E_TMP/ldd"
		grep -q 'not found' "$E2E_TMP/ldd" && ok=1
	done
	return $ok
}

# ---- xenif: the contract against real Xen ---------------------------------------

# The contract binary runs every test in "xen" mode (docs/xenif.md): dom0
# acts as both peers. Each of its tests becomes a result xenif/<test>; a
# skip carries the reason the test gave.
plan_xenif() {
	local log rc why="" line name t0

	log=$(log_of xenif/contract)
	if [ ! -x "$CONTRACT" ]; then
		result FAIL xenif/contract ": $CONTRACT missing"
		return
	fi
	say "running $CONTRACT (VSND_TEST_XEN=1)"
	t0=$(now_cs)
	VSND_TEST_XEN=1 "$CONTRACT" > "$log" 2>&1 < /dev/null
	rc=$?
	say "contract: exit $rc after $(secs_since "$t0") s"
	# vtest flushes before each test, so a test's messages come before
	# its result line.
	# A failed test's messages also go to a log of its own.
	: > "$E2E_TMP/msgs"
	while IFS= read -r line; do
		name=${line#* - }
		case $line in
		"ok - "*) result ok "xenif/$name" "" ;;
		"skip - "*) result skip "xenif/$name" ": ${why:-no reason given}" ;;
		"FAIL - "*)
			result FAIL "xenif/$name" ""
			cp "$E2E_TMP/msgs" "$(log_of "xenif/$name")"
			;;
		*)
			case $line in "skip reason: "*) why=${line#skip reason: } ;; esac
			echo "$line" >> "$E2E_TMP/msgs"
			continue
			;;
		esac
		why=""
		: > "$E2E_TMP/msgs"
	done < "$log"
	grep -Eq '^[0-9]+ passed, [0-9]+ failed' "$log" ||
		result FAIL xenif/contract ": exit $rc without a summary (see its log)"
}

# ---- guests: libxl, vsnd-xsconfig and the Linux frontend ---------------------------

# Each example card goes into a paused PV guest with `xl create -p`. Its
# trees, as libxl wrote them, are compared with what vsnd-xsconfig writes
# for the same file into a spare paused guest; then the guest runs and its
# snd_xen_front must publish its rings; then it is destroyed.
plan_guests() {
	local ex n

	check guests/standin chk_standin || return
	check guests/spare chk_spare || return
	for ex in "$E2E_SRC"/xenstore-config/examples/*.cfg; do
		n=$(basename "$ex" .cfg)
		check "xl-create/$n" chk_create "$ex" "e2e-$n" || continue
		check "xsconfig-vs-libxl/$n" chk_vs_libxl "$ex" "$GUEST"
		check "xsconfig-order/$n" chk_order
		check "xsconfig-dump/$n" chk_dump "$GUEST"
		check "xsconfig-validate/$n" chk_validate "$GUEST"
		check "xsconfig-remove/$n" chk_remove "$ex"
		check "frontend/$n" chk_frontend "$GUEST"
		check "xl-destroy/$n" chk_destroy "$GUEST"
	done
	check xl-destroy/spare chk_destroy "$SPARE"
	check xl-list-empty chk_list_empty
	standin_stop
}

chk_standin() {
	standin_start
}

# The spare guest: no devices, never unpaused.
chk_spare() {
	spare_cfg e2e-spare "$E2E_TMP/spare.cfg"
	xl create -p "$E2E_TMP/spare.cfg" || return 1
	SPARE=$(xl domid e2e-spare) || return 1
	echo "spare domain: $SPARE"
}

# xl create -p: libxl writes the trees and waits for the stand-in's InitWait.
chk_create() {
	local cfg="$E2E_TMP/$2.cfg" t0

	guest_cfg "$1" "$2" "$cfg"
	cat "$cfg"
	t0=$(now_cs)
	xl create -p "$cfg" || return 1
	echo "xl create -p: $(secs_since "$t0") s"
	GUEST=$(xl domid "$2") || return 1
	echo "guest domain: $GUEST"
	vsnd_trees "$GUEST"
}

# The trees libxl wrote for guest G against those vsnd-xsconfig writes from
# the same file for the spare guest, domids aside: nodes, values and
# permissions (order apart: chk_order).
chk_vs_libxl() {
	local g="$2" d="$E2E_TMP"

	# chk_order reads these: no leftovers of the previous card.
	rm -f "$d/libxl.tree" "$d/xsconfig.tree"
	vsnd_trees "$g" | domid_to_g "$g" > "$d/libxl.tree"
	"$XSCONFIG" write --domid "$SPARE" --config "$1" || return 1
	# The stand-in answers vsnd-xsconfig's backend as it did libxl's.
	xs_wait "$BE_ROOT/$SPARE/0/state" 2 20 || return 1
	vsnd_trees "$SPARE" | domid_to_g "$SPARE" > "$d/xsconfig.tree"
	echo "== libxl ($(wc -l < "$d/libxl.tree") nodes) vs vsnd-xsconfig" \
		"($(wc -l < "$d/xsconfig.tree") nodes), guest domid as G"
	sort "$d/libxl.tree" > "$d/libxl.sorted"
	sort "$d/xsconfig.tree" > "$d/xsconfig.sorted"
	if diff -u "$d/libxl.sorted" "$d/xsconfig.sorted"; then
		cat "$d/libxl.tree"
		return 0
	fi
	return 1
}

# The same trees in XenStore's own order (children as created): what a
# directory listing returns.
chk_order() {
	local d="$E2E_TMP"

	[ -s "$d/xsconfig.tree" ] || { skip_because "no trees to compare"; return 77; }
	diff -u "$d/libxl.tree" "$d/xsconfig.tree"
}

# vsnd-xsconfig reads both trees back the same, as a tree and as xl syntax.
chk_dump() {
	local g="$1" d="$E2E_TMP" f ok=0

	for f in tree xl; do
		"$XSCONFIG" dump --domid "$g" --format=$f 2>&1 | domid_to_g "$g" > "$d/libxl.$f"
		"$XSCONFIG" dump --domid "$SPARE" --format=$f 2>&1 |
			domid_to_g "$SPARE" > "$d/xsconfig.$f"
		echo "== dump --format=$f: libxl's tree vs vsnd-xsconfig's"
		diff -u "$d/libxl.$f" "$d/xsconfig.$f" || ok=1
	done
	cat "$d/libxl.xl"
	return $ok
}

# vsnd-xsconfig validate accepts what libxl wrote.
chk_validate() {
	"$XSCONFIG" validate --domid "$1"
}

# vsnd-xsconfig remove against libxl's own removal of the same card
# (`xl vsnd-detach`, which also shows libxl takes vsnd-xsconfig's tree for
# one of its devices): both must leave the same nodes behind. The spare's
# card is the one chk_vs_libxl wrote.
chk_remove() {
	local d="$E2E_TMP" left

	echo "== xl vsnd-detach $SPARE 0 (libxl removes vsnd-xsconfig's card)"
	xl vsnd-detach "$SPARE" 0 || return 1
	vsnd_trees "$SPARE" | domid_to_g "$SPARE" > "$d/left.libxl"
	cat "$d/left.libxl"
	echo "== vsnd-xsconfig write, then remove --devid 0"
	"$XSCONFIG" write --domid "$SPARE" --devid 0 --config "$1" || return 1
	xs_wait "$BE_ROOT/$SPARE/0/state" 2 20 || return 1
	"$XSCONFIG" remove --domid "$SPARE" --devid 0 || return 1
	vsnd_trees "$SPARE" | domid_to_g "$SPARE" > "$d/left.xsconfig"
	cat "$d/left.xsconfig"
	# The next card starts from a guest as fresh as libxl's.
	for left in "/local/domain/$SPARE/device/vsnd" "$BE_ROOT/$SPARE" \
		"/libxl/$SPARE/device/vsnd"; do
		xenstore-rm "$left" 2>/dev/null
	done
	echo "== left behind: after xl vsnd-detach vs after vsnd-xsconfig remove"
	diff -u "$d/left.libxl" "$d/left.xsconfig"
}

# The guest runs: snd_xen_front loads and its card reaches Initialised (3)
# with a request and an event ring per stream, as read from dom0.
chk_frontend() {
	local g="$1" fe="/local/domain/$1/device/vsnd/0" ok=0 p s n k v streams=0

	xl unpause "$g" || return 1
	xs_wait "$fe/state" 3 180 || { vsnd_trees "$g"; return 1; }
	xs_wait "/local/domain/$g/data/e2e/snd_xen_front" '?*' 60
	case $(xenstore-read "/local/domain/$g/data/e2e/snd_xen_front" 2>/dev/null) in
	coming | live) ;;
	*)
		echo "snd_xen_front is not loaded in the guest"
		ok=1
		;;
	esac
	echo "backend state: $(xenstore-read "$BE_ROOT/$g/0/state")"
	for p in $(xenstore-list "$fe"); do
		case $p in *[!0-9]*) continue ;; esac
		for s in $(xenstore-list "$fe/$p"); do
			case $s in *[!0-9]*) continue ;; esac
			streams=$((streams + 1))
			for k in ring-ref event-channel evt-ring-ref evt-event-channel; do
				v=$(xenstore-read "$fe/$p/$s/$k" 2>/dev/null)
				case $v in
				'' | *[!0-9]*)
					echo "$fe/$p/$s/$k: \"$v\": not a number"
					ok=1
					;;
				esac
			done
		done
	done
	echo "$streams streams"
	[ $streams -gt 0 ] || ok=1
	xenstore-ls -f "$fe"
	return $ok
}

# xl destroy: the domain goes, and libxl takes its vsnd trees with it.
chk_destroy() {
	local g="$1" t0 left

	t0=$(now_cs)
	xl destroy "$g" || return 1
	echo "xl destroy: $(secs_since "$t0") s"
	domain_gone "$g" || { xl list; return 1; }
	left=$(vsnd_trees "$g")
	[ -z "$left" ] && return 0
	echo "left behind in XenStore:"
	echo "$left"
	return 1
}

# Nothing but dom0 is left.
chk_list_empty() {
	xl list
	[ "$(xl list | sed 1d | grep -vc '^Domain-0 ')" -eq 0 ]
}

# ---- playback: vsndbe against the real frontend -------------------------------------

# vsndbe, not the stand-in (plan_guests has stopped it), serves a running
# guest with the stereo example's card; the guest plays 1 s of a counter
# signal to it and dom0 compares the WAV vsndbe wrote with the signal.
plan_playback() {
	check playback/stereo chk_playback "$E2E_SRC/xenstore-config/examples/stereo.cfg"
}

# The pattern the guest plays (vm/domU-init; images.sh makes both copies).
PATTERN=$E2E_IMG/pattern.raw
PLAY_OUT=/tmp/e2e-out

chk_playback() {
	local cfg="$E2E_TMP/e2e-play.cfg" g="" fe be ok=0 t0 wav rc

	modprobe snd-aloop && echo "dom0: snd-aloop loaded" || echo "dom0: modprobe snd-aloop failed"
	rm -rf "$PLAY_OUT"
	mkdir -p "$PLAY_OUT"
	states_log_start "$E2E_LOGS/playback-states.log"
	t0=$(now_cs)
	if ! vsndbe_start --xen=real --single-process "--sink=file:$PLAY_OUT/dom%u-%u-%u.wav"; then
		echo "vsndbe did not get ready"
		ok=1
	fi
	echo "vsndbe ready after $(secs_since "$t0") s"
	if [ $ok -eq 0 ]; then
		guest_cfg "$1" e2e-play "$cfg" "e2e.play=hw:0,0"
		t0=$(now_cs)
		xl create "$cfg" || ok=1
		echo "xl create: $(secs_since "$t0") s"
		g=$(xl domid e2e-play 2>/dev/null)
	fi
	if [ -n "$g" ]; then
		fe=/local/domain/$g/device/vsnd/0
		be=$BE_ROOT/$g/0
		echo "guest domain: $g"
		xs_wait "$fe/state" 4 90 || ok=1
		xs_wait "$be/state" 4 10 || ok=1
		echo "connected after $(secs_since "$t0") s (from xl create)"
		xs_wait "/local/domain/$g/data/e2e/aplay" '?*' 60 || ok=1
		echo "guest's /proc/asound/cards:"
		xenstore-read "/local/domain/$g/data/e2e/cards" 2>&1
		rc=$(xenstore-read "/local/domain/$g/data/e2e/aplay" 2>/dev/null)
		echo "guest's aplay: exit ${rc:-none}; done $(secs_since "$t0") s after xl create"
		[ "$rc" = 0 ] || ok=1
		echo "== the trees before xl destroy"
		xenstore-ls -f "$fe"
		xenstore-ls -f "$be"
		t0=$(now_cs)
		xl destroy "$g" || ok=1
		echo "xl destroy (vsndbe answering Closing): $(secs_since "$t0") s"
		domain_gone "$g" || { echo "domain $g still there"; ok=1; }
		left=$(vsnd_trees "$g")
		[ -z "$left" ] || { echo "left behind in XenStore:"; echo "$left"; ok=1; }
	fi
	vsndbe_stop
	[ "${VSNDBE_RC:-1}" = 0 ] || ok=1
	states_log_stop
	echo "== state changes (dom0 uptime, path, value read at the event)"
	cat "$E2E_LOGS/playback-states.log"
	echo "== vsndbe's stderr"
	cat "$E2E_LOGS/vsndbe.stderr.log"
	echo "== the guest's console (aplay -v, dmesg for sound)"
	cat /var/log/xen/console/guest-e2e-play.log 2>/dev/null | tr -d '\r' |
		grep -v '^\[' | tail -n 80
	echo "== files written"
	ls -l "$PLAY_OUT"
	cp "$PLAY_OUT"/*.wav "$E2E_LOGS/" 2>/dev/null
	[ -n "$g" ] || return 1
	wav=$PLAY_OUT/dom$g-0-0.wav
	if ! wav_vs_pattern "$wav" "$PATTERN"; then
		[ $ok -eq 0 ] && xrun_void "$g" play && return 77
		ok=1
	fi
	return $ok
}

# wav_vs_pattern WAV RAW: the WAV's data chunk against RAW, byte for byte;
# the first difference is reported. Extra bytes fail (they are described:
# zeros are what aplay pads with).
wav_vs_pattern() {
	local d="$E2E_TMP" hdr len size plen off at

	[ -f "$1" ] || { echo "no $1"; return 1; }
	echo "== $1 against $2"
	od -A d -t x1 -N 64 "$1"
	hdr=$(dd if="$1" bs=1 skip=36 count=4 2>/dev/null)
	[ "$hdr" = data ] || { echo "no data chunk at byte 36 (\"$hdr\")"; return 1; }
	len=$(od -A n -t u4 -j 40 -N 4 "$1" | tr -d ' ')
	size=$(wc -c < "$1")
	plen=$(wc -c < "$2")
	echo "data chunk: $len bytes declared, $((size - 44)) in the file; pattern: $plen bytes"
	tail -c +45 "$1" > "$d/play.data"
	if cmp "$2" "$d/play.data" > "$d/cmp" 2>&1; then
		echo "bit-exact: $plen bytes ($((plen / 4)) frames)"
		[ "$len" = "$plen" ] || { echo "but the header says $len"; return 1; }
		return 0
	fi
	cat "$d/cmp"
	case $(cat "$d/cmp") in
	*"EOF on $2"*)
		tail -c +$((plen + 1)) "$d/play.data" > "$d/play.extra"
		if cmp "$d/play.extra" /dev/zero > "$d/cmp" 2>&1 ||
			grep -q "EOF on $d/play.extra" "$d/cmp"; then
			echo "the pattern, bit-exact, then $((size - 44 - plen)) zero bytes"
			return 1
		fi
		echo "the pattern, bit-exact, then $((size - 44 - plen)) bytes, not all zero:"
		od -A d -t x2 "$d/play.extra" | head -n 8
		return 1
		;;
	esac
	at=$(sed -n 's/.* char \([0-9]*\).*/\1/p' "$d/cmp")
	if [ -n "$at" ]; then
		off=$(((at - 1) / 4 * 4))
		echo "first difference at byte $((at - 1)) (frame $((off / 4))); 8 frames from there:"
		echo "pattern:"
		od -A d -t x2 -j "$off" -N 32 "$2"
		echo "played:"
		od -A d -t x2 -j "$off" -N 32 "$d/play.data"
	fi
	return 1
}
