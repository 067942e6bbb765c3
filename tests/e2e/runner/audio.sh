# SPDX-License-Identifier: MIT
#
# audio.sh - the audio checks: vsndbe with snd-aloop as its host device
# serves a guest running the upstream snd_xen_front; the guest plays or
# records each signal of audio.list (vm/domU-init), dom0 records or plays
# the loopback's other end, and the signal must come through bit-exact.
# Then the guest reboots (a new domain id) and plays again, and
# `xl destroy` must leave vsndbe with no grant mapping and no zombie.
# Sourced by run.sh after lib.sh and checks.sh.
#
# The ALSA device of a stream is the loopback's device of the stream's
# index (/etc/asound.conf below): the stereo card's playback stream (0)
# plays into hw:Loopback,0,0, heard at hw:Loopback,1,0; its capture stream
# (1) records hw:Loopback,1,0, which hears hw:Loopback,0,0.

AUDIO_OUT=/tmp/e2e-audio
AUDIO_G=""

plan_audio() {
	if check audio/start chk_audio_start; then
		grep -v '^#' "$E2E_SRC/tests/e2e/audio.list" > "$E2E_TMP/audio.list"
		while read -r name dir fmt rate ch frames; do
			check "audio/$name" chk_audio_item "$name" "$dir" "$fmt" "$rate" "$ch" \
				"$frames"
		done < "$E2E_TMP/audio.list"
		check audio/reboot chk_audio_reboot
		# A reboot that skipped on an xrun still left a guest running.
		case $? in 0 | 77) check audio/destroy chk_audio_destroy ;; esac
	fi
	[ -z "$AUDIO_G" ] || xl destroy "$AUDIO_G" 2>/dev/null
	vsndbe_stop
	states_log_stop
	cp "$E2E_LOGS/vsndbe.stderr.log" "$E2E_LOGS/audio-vsndbe.stderr.log" 2>/dev/null
}

audio_asound_conf() {
	cat <<'CONF'
# vsndbe's --sink=alsa:vsnd:%u,%u,%u: stream S of any guest and PCM is
# device S of the loopback card.
pcm.vsnd {
	@args [ DOM PCM STREAM ]
	@args.DOM { type integer }
	@args.PCM { type integer }
	@args.STREAM { type integer }
	type hw
	card Loopback
	device $STREAM
	subdevice 0
}
CONF
}

# audio_connect NAME: wait for the guest NAME's card to be connected and
# its sound card to be there; sets AUDIO_G.
audio_connect() {
	local t0

	t0=$(now_cs)
	AUDIO_G=$(xl domid "$1" 2>/dev/null)
	[ -n "$AUDIO_G" ] || { echo "no domain $1"; return 1; }
	echo "guest domain: $AUDIO_G"
	xs_wait "/local/domain/$AUDIO_G/device/vsnd/0/state" 4 90 || return 1
	xs_wait "$BE_ROOT/$AUDIO_G/0/state" 4 10 || return 1
	xs_wait "/local/domain/$AUDIO_G/data/e2e/cards" '?*' 60 || return 1
	echo "connected and carded in $(secs_since "$t0") s"
}

chk_audio_start() {
	local cfg="$E2E_TMP/e2e-audio.cfg"

	modprobe snd-aloop || { echo "modprobe snd-aloop failed"; return 1; }
	cat /proc/asound/cards
	audio_asound_conf > /etc/asound.conf
	rm -rf "$AUDIO_OUT"
	mkdir -p "$AUDIO_OUT"
	states_log_start "$E2E_LOGS/audio-states.log"
	vsndbe_start --xen=real "--sink=alsa:vsnd:%u,%u,%u" || return 1
	guest_cfg "$E2E_SRC/xenstore-config/examples/stereo.cfg" e2e-audio "$cfg" \
		"e2e.audio=hw:0,0"
	xl create "$cfg" || return 1
	audio_connect e2e-audio
}

# audio_play NAME FORMAT RATE CHANNELS FRAMES: the guest plays NAME while
# dom0 records the loopback; the recording must hold the signal.
audio_play() {
	local d="/local/domain/$AUDIO_G/data/e2e" cap="$AUDIO_OUT/$1.$AUDIO_G.raw" rec rc fb

	fb=$(frame_bytes "$2" "$4")
	arecord -D hw:Loopback,1,0 -t raw -f "$2" -r "$3" -c "$4" > "$cap" \
		2> "$AUDIO_OUT/$1.arecord.log" &
	rec=$!
	until_true 10 test -s "$cap" || echo "the loopback gave nothing before the signal"
	xenstore-write "$d/go" "$1"
	xs_wait "$d/done/$1" '?*' 120
	rc=$(xenstore-read "$d/done/$1" 2>/dev/null)
	echo "the guest's aplay: exit ${rc:-none}"
	# Everything played is in once the recording holds the signal's end.
	until_true 10 signal_in "$cap" "$fb" "$(($5 * fb))"
	kill "$rec"
	wait "$rec"
	cat "$AUDIO_OUT/$1.arecord.log"
	[ "$rc" = 0 ] || return 1
	signal_vs_pattern "$cap" "$E2E_IMG/$1.raw" "$fb" && return 0
	xrun_void "$AUDIO_G" "$1" && return 77
	return 1
}

# signal_in FILE FRAMEBYTES BYTES: FILE holds BYTES after its silence.
signal_in() {
	local start

	start=$(signal_start "$1" "$2") || return 1
	[ "$(wc -c < "$1")" -ge $((start + $3)) ]
}

# audio_record NAME FORMAT RATE CHANNELS: dom0 plays NAME into the
# loopback while the guest records; the guest compares.
audio_record() {
	local d="/local/domain/$AUDIO_G/data/e2e" ok=0

	xenstore-write "$d/go" "$1"
	xs_wait "$d/rec/$1" go 60 || return 1
	aplay -D hw:Loopback,0,0 -t raw -f "$2" -r "$3" -c "$4" "$E2E_IMG/$1.raw" || ok=1
	xenstore-write "$d/played/$1" yes
	xs_wait "$d/done/$1" '?*' 120 || return 1
	echo "the guest: $(xenstore-read "$d/cmp/$1" 2>/dev/null)"
	if [ "$(xenstore-read "$d/done/$1")" != 0 ]; then
		[ $ok -eq 0 ] && xrun_void "$AUDIO_G" "$1" && return 77
		ok=1
	fi
	return $ok
}

# chk_audio_item NAME p|c FORMAT RATE CHANNELS FRAMES
chk_audio_item() {
	echo "$1: $2, $3, $4 Hz, $5 channel(s), $6 frames"
	if [ "$2" = p ]; then
		audio_play "$1" "$3" "$4" "$5" "$6"
	else
		audio_record "$1" "$3" "$4" "$5"
	fi
}

# The guest reboots itself; xl brings it back under a new id, the card
# reconnects and plays the first signal again.
chk_audio_reboot() {
	local old=$AUDIO_G first

	first=$(grep -v '^#' "$E2E_SRC/tests/e2e/audio.list" | head -n 1)
	xenstore-write "/local/domain/$old/data/e2e/go" reboot
	until_true 60 audio_rebooted "$old" || { echo "no new domain"; return 1; }
	audio_connect e2e-audio || return 1
	[ "$AUDIO_G" != "$old" ] || return 1
	echo "rebooted: domain $old is now $AUDIO_G"
	# shellcheck disable=SC2086 # the list's fields
	set -- $first
	audio_play "$1" "$3" "$4" "$5" "$6"
}

audio_rebooted() {
	local g

	g=$(xl domid e2e-audio 2>/dev/null)
	[ -n "$g" ] && [ "$g" != "$1" ] && domain_gone "$1"
}

chk_audio_destroy() {
	local g=$AUDIO_G before

	before=$(grant_maps "$VSNDBE_PID")
	echo "vsndbe holds $before grant mapping(s) while the guest runs"
	[ "$before" -gt 0 ] || return 1
	xl destroy "$g" || return 1
	AUDIO_G=""
	until_true 20 audio_released "$g" || {
		echo "after xl destroy: $(grant_maps "$VSNDBE_PID") grant mapping(s)"
		xl list
		return 1
	}
	echo "after xl destroy: no grant mapping, domain $g gone from xl list"
}

audio_released() {
	[ "$(grant_maps "$VSNDBE_PID")" = 0 ] && domain_gone "$1"
}
