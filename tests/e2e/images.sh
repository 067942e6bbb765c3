#!/bin/bash
# SPDX-License-Identifier: MIT
#
# images.sh - build the real-Xen rig's boot images from Debian packages.
#
#   images.sh DIR
#
# writes, under DIR (the rig's cache, e.g. build-e2e):
#   debs/                  the .debs, fetched once with `apt-get download`
#   images/xen.elf         the Xen 4.17 hypervisor, unpacked: QEMU's -kernel
#                          loads a multiboot ELF but not the .gz Debian ships
#   images/vmlinuz         the Debian kernel of dom0 and of every domU
#   images/vmlinux.gz      the same kernel for the domUs, its ELF taken out
#                          of the bzImage: libxenguest would otherwise
#                          unpack xz in dom0 at every `xl create`, which
#                          costs 3 s under TCG (gzip costs far less)
#   images/dom0.cpio.gz    dom0's busybox initramfs: the Xen toolstack,
#                          kernel modules, vm/dom0-init as /init
#   images/domU.cpio.gz    the PV guests' initramfs: snd_xen_front,
#                          xenstore clients, vm/domU-init as /init
#   images/pattern.raw, frontlib.wav, <signal>.raw
#                          the signals the guests play, for dom0 to
#                          compare with
#   images/manifest        the package versions that went in
#   images/key             the hash of what the images are made from: this
#                          script, packages.conf and the two init scripts
#
# Nothing is rebuilt while the key stays the same. The checks themselves are not in the
# images: dom0 reads them from the source tree over 9p, so editing a check
# never rebuilds an image.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:?usage: images.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
DEBS=$DIR/debs
OUT=$DIR/images
WORK=$DIR/images.tmp

# shellcheck source=packages.conf
. "$HERE/packages.conf"
KDEB=linux-image-$E2E_KVER-unsigned

note() { echo "images: $*"; }

# ---- cache -------------------------------------------------------------------
key=$(cat "$HERE/images.sh" "$HERE/packages.conf" "$HERE/audio.list" "$HERE/vm/dom0-init" \
	"$HERE/vm/domU-init" | sha256sum | cut -d' ' -f1)
if [ -f "$OUT/key" ] && [ "$(cat "$OUT/key")" = "$key" ]; then
	note "up to date ($OUT)"
	exit 0
fi

# ---- fetch -------------------------------------------------------------------
# Fetch the named packages that are not in debs/ yet. apt's download
# sandbox user cannot write into a root-owned directory; downloading as
# root is fine for files that are only unpacked.
fetch() {
	local missing="" p
	for p in "$@"; do
		compgen -G "$DEBS/${p}_*.deb" >/dev/null || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	note "apt-get download$missing"
	# shellcheck disable=SC2086
	if ! (cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root $missing); then
		note "download failed; refreshing the package lists once"
		apt-get update -q
		# shellcheck disable=SC2086
		(cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root $missing) || {
			echo "images: cannot fetch:$missing" >&2
			echo "images: if $KDEB is gone from the mirror, update E2E_KVER in" \
				"$HERE/packages.conf" >&2
			exit 1
		}
	fi
}

mkdir -p "$DEBS"
# shellcheck disable=SC2086
fetch $E2E_XEN_DEBS $E2E_BASE_DEBS "$KDEB"

# ---- unpack ------------------------------------------------------------------
# Two staging trees: the kernel package (mostly modules) and everything else.
rm -rf "$WORK"
mkdir -p "$WORK/kernel" "$WORK/user"
note "unpacking"
dpkg-deb -x "$(compgen -G "$DEBS/${KDEB}_*.deb" | head -1)" "$WORK/kernel"
for p in $E2E_XEN_DEBS $E2E_BASE_DEBS; do
	dpkg-deb -x "$(compgen -G "$DEBS/${p}_*.deb" | head -1)" "$WORK/user"
done
USR=$WORK/user
MODS=$WORK/kernel/lib/modules/$E2E_KVER
BB=$USR/bin/busybox
[ -d "$MODS" ] || { echo "images: no modules for $E2E_KVER in $KDEB" >&2; exit 1; }

rm -rf "$OUT.new"
mkdir -p "$OUT.new"
zcat "$USR/boot/xen-4.17-amd64.gz" > "$OUT.new/xen.elf"
cp "$WORK/kernel/boot/vmlinuz-$E2E_KVER" "$OUT.new/vmlinuz"

# The kernel's ELF is the payload of the bzImage, compressed: find the
# first known magic and unpack from there (as the kernel's own
# scripts/extract-vmlinux does).
extract_vmlinux() {
	local magic tool off
	for magic in '\xfd7zXZ\x00:xz -dc --single-stream' '\x1f\x8b\x08:gzip -dc' \
		'\x28\xb5\x2f\xfd:zstd -dc'; do
		tool=${magic#*:}
		# shellcheck disable=SC2013 # one offset a word
		for off in $(LC_ALL=C grep -obUaP "${magic%%:*}" "$1" | cut -d: -f1); do
			tail -c +$((off + 1)) "$1" | $tool > "$2" 2>/dev/null
			readelf -h "$2" >/dev/null 2>&1 && return 0
		done
	done
	return 1
}
if extract_vmlinux "$OUT.new/vmlinuz" "$WORK/vmlinux"; then
	gzip -1 -c "$WORK/vmlinux" > "$OUT.new/vmlinux.gz"
	rm -f "$WORK/vmlinux"
else
	note "no ELF found in the bzImage: the domUs boot the bzImage"
	cp "$OUT.new/vmlinuz" "$OUT.new/vmlinux.gz"
fi

# ---- helpers -----------------------------------------------------------------
# Library directories of the staging tree, in the dynamic loader's order.
LIBDIRS="lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu usr/lib/xen-4.17/lib/x86_64-linux-gnu"

# put ROOT PATH: copy PATH (relative to the staging tree) into ROOT, and the
# target of a symbolic link as well.
put() {
	local root=$1 p=$2 t
	if [ -e "$root/$p" ] || [ -L "$root/$p" ]; then
		return 0
	fi
	mkdir -p "$root/$(dirname "$p")"
	cp -a "$USR/$p" "$root/$p"
	if [ -L "$USR/$p" ]; then
		t=$(readlink "$USR/$p")
		case $t in
		/*) put "$root" "${t#/}" ;;
		*) put "$root" "$(dirname "$p")/$t" ;;
		esac
	fi
}

# put_elf ROOT PATH: put PATH and, recursively, every shared library it
# names (DT_NEEDED) that the staging tree has.
put_elf() {
	local root=$1 p=$2 lib d found
	put "$root" "$p"
	for lib in $(readelf -d "$USR/$p" 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		found=""
		for d in $LIBDIRS; do
			if [ -e "$USR/$d/$lib" ]; then
				found=$d/$lib
				break
			fi
		done
		[ -n "$found" ] || { echo "images: $p needs $lib: not packaged" >&2; exit 1; }
		[ -e "$root/$found" ] || put_elf "$root" "$found"
	done
}

# Module name -> .ko path (relative to MODS); '-' and '_' are the same.
declare -A KO
while IFS= read -r f; do
	n=$(basename "$f" .ko)
	KO[${n//-/_}]=${f#"$MODS"/}
done < <(find "$MODS/kernel" -name '*.ko')

# put_module ROOT NAME: copy a module and what its depends= line names.
put_module() {
	local root=$1 n=${2//-/_} rel dep
	rel=${KO[$n]:-}
	[ -n "$rel" ] || { echo "images: no module $2 in $KDEB" >&2; exit 1; }
	[ -e "$root/lib/modules/$E2E_KVER/$rel" ] && return 0
	mkdir -p "$root/lib/modules/$E2E_KVER/$(dirname "$rel")"
	cp "$MODS/$rel" "$root/lib/modules/$E2E_KVER/$rel"
	for dep in $(tr '\0' '\n' < "$MODS/$rel" | sed -n 's/^depends=//p' | tr ',' ' '); do
		put_module "$root" "$dep"
	done
}

# new_root ROOT: busybox with its applets, the dynamic loader, the
# directories every init expects.
new_root() {
	local root=$1 a
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,root,etc,lib64,var/lib,var/log}
	ln -s ../run "$root/var/run"
	cp "$BB" "$root/bin/busybox"
	for a in $("$BB" --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	put "$root" lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
	ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
	echo 'root:x:0:' > "$root/etc/group"
}

# finish ROOT INIT OUTPUT: module index, /init, and the cpio archive.
finish() {
	local root=$1 init=$2 out=$3
	"$BB" depmod -b "$root" "$E2E_KVER"
	install -m 755 "$init" "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -6 > "$out"
}

# The xenstore command-line clients (one binary, the rest are links).
XS_TOOLS="xenstore xenstore-read xenstore-write xenstore-ls xenstore-list
	xenstore-watch xenstore-exists xenstore-rm xenstore-chmod"

# ---- domU --------------------------------------------------------------------
R=$WORK/domU
note "domU root"
new_root "$R"
for t in $XS_TOOLS; do put_elf "$R" "usr/bin/$t"; done
put_elf "$R" usr/bin/aplay
put "$R" usr/bin/arecord
mkdir -p "$R/usr/share"
cp -a "$USR/usr/share/alsa" "$R/usr/share/"
for m in $E2E_DOMU_MODULES; do put_module "$R" "$m"; done
# The playback check's signal: 1 s of 48 kHz stereo S16_LE, a counter
# (frame n: left n, right 3n + 0x5555, mod 2^16), played by the guest and
# compared by dom0 with what vsndbe wrote (images/pattern.raw).
perl -e 'print pack("v*", map { ($_ & 0xffff, (3 * $_ + 0x5555) & 0xffff) } 0 .. 47999)' \
	> "$OUT.new/pattern.raw"
cp "$OUT.new/pattern.raw" "$R/e2e-pattern.raw"
# The frontlib check's WAV, which vsnd-play plays in the guest: the
# pattern's first 0.5 s (24000 frames) behind a 44-octet RIFF/WAVE header
# (PCM, 48 kHz, 2 channels, 16 bits). dom0 compares its data chunk with
# what vsndbe wrote (images/frontlib.wav).
head -c 96000 "$OUT.new/pattern.raw" | perl -e '
	local $/;
	my $d = <STDIN>;
	my $n = length $d;
	print "RIFF", pack("V", 36 + $n), "WAVE", "fmt ",
		pack("VvvVVvv", 16, 1, 2, 48000, 48000 * 4, 4, 16), "data", pack("V", $n), $d' \
	> "$OUT.new/frontlib.wav"
cp "$OUT.new/frontlib.wav" "$R/e2e-frontlib.wav"
# The audio checks' signals (audio.list): frame n, channel c holds
# (n + 1) * (2c + 1) + 0x1111 * c, 16 bits as it is, 32 bits times 65537.
grep -v '^#' "$HERE/audio.list" | while read -r name _ fmt _ ch frames; do
	perl -e '
		my ($fmt, $ch, $frames) = @ARGV;
		for my $n (0 .. $frames - 1) {
			for my $c (0 .. $ch - 1) {
				my $v = (($n + 1) * (2 * $c + 1) + 0x1111 * $c) & 0xffff;
				print $fmt eq "S32_LE" ? pack("V", ($v * 65537) & 0xffffffff)
						       : pack("v", $v);
			}
		}' "$fmt" "$ch" "$frames" > "$OUT.new/$name.raw"
	cp "$OUT.new/$name.raw" "$R/e2e-$name.raw"
done
cp "$HERE/audio.list" "$R/e2e-audio.list"
finish "$R" "$HERE/vm/domU-init" "$OUT.new/domU.cpio.gz"

# ---- dom0 --------------------------------------------------------------------
R=$WORK/dom0
note "dom0 root"
new_root "$R"
# Debian's xl, xenstored, xenconsoled... live in /usr/lib/xen-4.17/bin with
# libxenlight & co in their own library directory; /usr/sbin/xl is a wrapper.
for f in "$USR"/usr/lib/xen-4.17/bin/*; do
	case ${f##*/} in
	pygrub | xenpvnetboot | xencov | xen-kdd | gdbsx | xentrace* | xenmon*) continue ;;
	esac
	if [ -f "$f" ] && readelf -h "$f" >/dev/null 2>&1; then
		put_elf "$R" "usr/lib/xen-4.17/bin/${f##*/}"
	fi
done
for t in $XS_TOOLS; do put_elf "$R" "usr/bin/$t"; done
put_elf "$R" usr/bin/aplay
put "$R" usr/bin/arecord
mkdir -p "$R/usr/share"
cp -a "$USR/usr/share/alsa" "$R/usr/share/"
# Every shared library of the packages, so that vsnd's programs (xenif,
# alsa-lib, libsystemd, libinih) find theirs; the runner checks them.
for d in $LIBDIRS; do
	[ -d "$USR/$d" ] || continue
	for f in "$USR/$d"/*.so.*; do put_elf "$R" "${f#"$USR"/}"; done
done
mkdir -p "$R/etc/xen" "$R/var/lib/xen" "$R/var/lib/xenstored" "$R/var/log/xen/console"
cp -a "$USR/etc/xen/xl.conf" "$R/etc/xen/"
for m in $E2E_DOM0_MODULES; do put_module "$R" "$m"; done
finish "$R" "$HERE/vm/dom0-init" "$OUT.new/dom0.cpio.gz"

# ---- record and publish ----------------------------------------------------------
for f in "$DEBS"/*.deb; do
	dpkg-deb -f "$f" Package Version | sed 's/^[A-Za-z]*: //' | paste -sd' '
done > "$OUT.new/manifest"
echo "$key" > "$OUT.new/key"
rm -rf "$OUT" "$WORK"
mv "$OUT.new" "$OUT"
note "done: $(du -sh "$OUT" | cut -f1) in $OUT"
ls -l "$OUT"
