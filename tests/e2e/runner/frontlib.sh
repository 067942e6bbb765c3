# SPDX-License-Identifier: MIT
#
# frontlib.sh - libvsndfront over real Xen: in a guest whose upstream
# snd_xen_front owns vsnd device 0, vsnd-play (libvsndfront through xenif's
# real implementation: /dev/xen/gntalloc, /dev/xen/evtchn, XenStore) plays
# a WAV through device 1 to vsndbe, and what vsndbe wrote must be the
# WAV's data, bit-exact. Sourced by run.sh after lib.sh and checks.sh.
#
# snd_xen_front binds device 1 too. Linux 6.1's creates every card with
# ALSA index 0, so device 1 fails (EBUSY) once the backend connects it and
# stays bound in Closing; the guest unbinds the driver from it (Closing,
# a 1 s wait for the backend's InitWait, Closed) before vsnd-play starts
# over from Initialising (vm/domU-init). The check's log has every state
# change, the guest's console and its dmesg lines about sound.
#
# The domU image has no vsnd program: frontlib/ramdisk puts vsnd-play and
# the shared libraries dom0's loader resolves for it into a cpio archive of
# its own and gives the guest that archive followed by the image's. Linux
# unpacks one archive after the other. The added archive stays
# uncompressed and first because libxenguest gunzips a ramdisk that starts
# with gzip's magic, sized by its last four octets, and so would unpack
# only the first of two gzip members.
#
# Device 1's only playback stream is PCM 1, stream 0, so its WAV
# (dom<G>-1-0.wav, vsndbe names files by domain, PCM and stream) can come
# from no stream of device 0, which has a single PCM.

FRONT_OUT=/tmp/e2e-front
FRONT_RAMDISK=$E2E_TMP/domU-frontlib.cpio
FRONT_WAV=$E2E_IMG/frontlib.wav
FRONT_PLAY=$E2E_BIN/frontend/play/vsnd-play
FRONT_CONFORM=$E2E_BIN/tests/conformance/vsnd-conform

plan_frontlib() {
	check frontlib/ramdisk chk_frontlib_ramdisk &&
		check frontlib/play chk_frontlib_play
	[ -z "$FRONT_G" ] || check frontlib/conform chk_frontlib_conform
	frontlib_end
}

# The guest's cards: device 0 is the stereo example's card (snd_xen_front
# keeps it), device 1 has a capture-only PCM 0 and a playback-only PCM 1.
frontlib_cards() {
	cat <<'CFG'
vsnd = [
  [ 'CARD, short-name=Stereo, long-name=vsnd stereo card, sample-rates=44100;48000, sample-formats=s16_le;s32_le, channels-min=1, channels-max=2, buffer-size=65536',
    'PCM, name=analog',
      'STREAM, unique-id=stereo-p, type=p',
      'STREAM, unique-id=stereo-c, type=c'
  ],
  [ 'CARD, short-name=Lib, long-name=vsnd card of libvsndfront, sample-rates=48000, sample-formats=s16_le, channels-min=2, channels-max=2, buffer-size=65536',
    'PCM, name=in',
      'STREAM, unique-id=lib-c, type=c',
    'PCM, name=out',
      'STREAM, unique-id=lib-p, type=p'
  ]
]
CFG
}

# vsnd-play and its libraries (by soname, into the guest's multiarch
# directory, which its loader searches), then the image's archive.
chk_frontlib_ramdisk() {
	local root="$E2E_TMP/frontlib-root" ldd="$E2E_TMP/frontlib.ldd" lib n=0

	[ -x "$FRONT_PLAY" ] || { echo "missing: $FRONT_PLAY"; return 1; }
	[ -x "$FRONT_CONFORM" ] || { echo "missing: $FRONT_CONFORM"; return 1; }
	rm -rf "$root"
	mkdir -p "$root/usr/bin" "$root/usr/lib/x86_64-linux-gnu" || return 1
	cp "$FRONT_PLAY" "$root/usr/bin/vsnd-play" || return 1
	cp "$FRONT_CONFORM" "$root/usr/bin/vsnd-conform" || return 1
	/lib64/ld-linux-x86-64.so.2 --list "$FRONT_PLAY" > "$ldd" 2>&1
	/lib64/ld-linux-x86-64.so.2 --list "$FRONT_CONFORM" >> "$ldd" 2>&1
	cat "$ldd"
	grep -q 'not found' "$ldd" && return 1
	# shellcheck disable=SC2013 # one path a word
	for lib in $(sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' "$ldd"); do
		[ -e "$root/usr/lib/x86_64-linux-gnu/${lib##*/}" ] && continue
		cp -L "$lib" "$root/usr/lib/x86_64-linux-gnu/${lib##*/}" || return 1
		n=$((n + 1))
	done
	[ $n -gt 0 ] || { echo "no library found in the list"; return 1; }
	# No DT_NEEDED names libgcc_s, but glibc loads it for pthread_cancel(),
	# which libxenstore's xs_close() calls on its watch thread: without it
	# vsnd-play aborts on its way out.
	cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/usr/lib/x86_64-linux-gnu/" || return 1
	(cd "$root" && find . | cpio -o -H newc) > "$E2E_TMP/frontlib.cpio" || return 1
	cat "$E2E_TMP/frontlib.cpio" "$E2E_IMG/domU.cpio.gz" > "$FRONT_RAMDISK" || return 1
	echo "vsnd-play, $n libraries and libgcc_s: $(wc -c < "$E2E_TMP/frontlib.cpio") octets of cpio;" \
		"with the image: $(wc -c < "$FRONT_RAMDISK")"
}

# frontlib_report G: what the guest reported, and both devices' states.
frontlib_report() {
	local d="/local/domain/$1/data/e2e" k dev

	for k in fl-driver fl-unbind fl-report fl-play; do
		echo "guest's $k: $(xenstore-read "$d/$k" 2>&1)"
	done
	echo "guest's /proc/asound/cards after the unbind:"
	xenstore-read "$d/fl-cards" 2>&1
	for dev in 0 1; do
		echo "device $dev: FE state $(xenstore-read "/local/domain/$1/device/vsnd/$dev/state" \
			2>&1), BE state $(xenstore-read "$BE_ROOT/$1/$dev/state" 2>&1)"
	done
}

chk_frontlib_play() {
	local cfg="$E2E_TMP/e2e-frontlib.cfg" g="" ok=0 t0 rc wav

	FRONT_G=""

	rm -rf "$FRONT_OUT"
	mkdir -p "$FRONT_OUT"
	states_log_start "$E2E_LOGS/frontlib-states.log"
	if vsndbe_start --xen=real "--sink=file:$FRONT_OUT/dom%u-%u-%u.wav"; then
		frontlib_cards > "$E2E_TMP/frontlib-cards.cfg"
		guest_cfg "$E2E_TMP/frontlib-cards.cfg" e2e-frontlib "$cfg" "e2e.frontlib=1"
		sed -i "s#^ramdisk = .*#ramdisk = \"$FRONT_RAMDISK\"#" "$cfg"
		cat "$cfg"
		t0=$(now_cs)
		xl create "$cfg" || ok=1
		echo "xl create: $(secs_since "$t0") s"
		g=$(xl domid e2e-frontlib 2>/dev/null)
	else
		echo "vsndbe did not get ready"
		ok=1
	fi
	if [ -n "$g" ]; then
		echo "guest domain: $g"
		# snd_xen_front connects both devices before the guest unbinds one.
		xs_wait "/local/domain/$g/device/vsnd/0/state" 4 90 || ok=1
		xs_wait "$BE_ROOT/$g/0/state" 4 10 || ok=1
		echo "device 0 connected after $(secs_since "$t0") s (from xl create)"
		xs_wait "/local/domain/$g/data/e2e/fl-play" '?*' 90 || ok=1
		echo "vsnd-play done $(secs_since "$t0") s after xl create"
		frontlib_report "$g"
		rc=$(xenstore-read "/local/domain/$g/data/e2e/fl-play" 2>/dev/null)
		[ "$rc" = 0 ] || ok=1
		# The kernel's card is untouched by what happened to device 1.
		[ "$(xenstore-read "/local/domain/$g/device/vsnd/0/state" 2>/dev/null)" = 4 ] ||
			{ echo "device 0 is no longer connected"; ok=1; }
		FRONT_G=$g
		# The capture stream of device 1 (PCM 0) reads this file.
		cp "$FRONT_WAV" "$FRONT_OUT/dom$g-0-0.wav"
	fi
	cp "$E2E_LOGS/vsndbe.stderr.log" "$E2E_LOGS/frontlib-vsndbe.stderr.log" 2>/dev/null
	echo "== state changes (dom0 uptime, path, value read at the event)"
	cat "$E2E_LOGS/frontlib-states.log"
	echo "== vsndbe's stderr"
	cat "$E2E_LOGS/vsndbe.stderr.log"
	echo "== the guest's console"
	tr -d '\r' < /var/log/xen/console/guest-e2e-frontlib.log 2>/dev/null |
		grep -v '^\[' | tail -n 80
	echo "== files written"
	ls -l "$FRONT_OUT"
	[ -n "$g" ] || return 1
	wav=$FRONT_OUT/dom$g-1-0.wav
	cp "$wav" "$E2E_LOGS/frontlib-dom$g-1-0.wav" 2>/dev/null
	# The WAV played has a 44-octet header (images.sh): its data chunk follows.
	tail -c +45 "$FRONT_WAV" > "$E2E_TMP/frontlib.raw"
	wav_vs_pattern "$wav" "$E2E_TMP/frontlib.raw" || ok=1
	if cmp "$wav" "$FRONT_WAV" > /dev/null 2>&1; then
		echo "vsndbe's WAV is the guest's file, header included"
	fi
	# Compared: the guest's vsnd-conform may now play into the same file.
	xenstore-write "/local/domain/$g/data/e2e/fl-go" conform
	return $ok
}

# vsnd-conform's frontend role in the guest, on device 1 after vsnd-play,
# against vsndbe on real Xen: the guest reports its closing line and the
# scenarios that failed (vm/domU-init).
chk_frontlib_conform() {
	local d="/local/domain/$FRONT_G/data/e2e" sum

	xs_wait "$d/fl-conform" '?*' 300 || return 1
	sum=$(xenstore-read "$d/fl-conform")
	echo "the guest's vsnd-conform: $sum"
	echo "its failures: $(xenstore-read "$d/fl-conform-fails" 2>/dev/null)"
	echo "== its output"
	tr -d '\r' < /var/log/xen/console/guest-e2e-frontlib.log 2>/dev/null |
		grep 'vsnd-conform:' | tail -n 90
	case $sum in
	*" passed, 0 failed"*) return 0 ;;
	*) return 1 ;;
	esac
}

# The frontlib guest goes, then vsndbe (exit 0 required).
frontlib_end() {
	local t0 ok=0

	if [ -n "$FRONT_G" ]; then
		t0=$(now_cs)
		xl destroy "$FRONT_G" || ok=1
		echo "xl destroy: $(secs_since "$t0") s"
		domain_gone "$FRONT_G" || { echo "domain $FRONT_G still there"; ok=1; }
	fi
	vsndbe_stop
	[ "${VSNDBE_RC:-1}" = 0 ] || ok=1
	states_log_stop
	[ $ok -eq 0 ] || result FAIL frontlib/end ": the guest or vsndbe did not end cleanly"
}
