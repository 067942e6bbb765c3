#!/bin/bash
# SPDX-License-Identifier: MIT
#
# boot.sh - boot Xen, with the rig's dom0, under QEMU.
#
#   boot.sh IMAGES SRC BIN OUT [auto|shell]
#
# IMAGES holds what images.sh built; SRC (the source tree) and BIN (the
# e2e build of vsnd) are shared read-only with dom0, OUT read-write (the
# runner writes results.txt and logs/ there). auto (the default): dom0 runs
# the checks and powers off; the serial console goes to $E2E_LOG with a
# timestamp per line. shell: dom0's console on this terminal (Ctrl-] x
# quits QEMU, Ctrl-A three times switches between dom0 and Xen).
#
# Environment:
#   E2E_ACCEL     kvm or tcg; default kvm only where KVM has real VT-x/AMD-V
#   E2E_TIMEOUT   seconds before QEMU is killed in auto mode (900)
#   E2E_LOG       serial log file (OUT/serial.log)
#   E2E_MEM       guest RAM of the QEMU machine in MiB (1536)
#   E2E_DOM0_MEM  dom0's memory (768M)
#   E2E_DOM0_ARGS extra words for dom0's kernel command line, e.g.
#                 E2E_ONLY='xsconfig/*' (passed to the runner)
set -euo pipefail

IMAGES=${1:?usage: boot.sh IMAGES SRC BIN OUT [auto|shell]}
SRC=${2:?}
BIN=${3:?}
OUT=${4:?}
MODE=${5:-auto}
TIMEOUT=${E2E_TIMEOUT:-900}
LOG=${E2E_LOG:-$OUT/serial.log}

# Xen runs under KVM only when KVM is hardware virtualisation. kvm_pvm (a
# software "pagetable-based" KVM) fails on Xen's first shadow-stack
# instruction, and runs other kernels far slower than TCG.
kvm_runs_xen() {
	[ -c /dev/kvm ] && [ -w /dev/kvm ] || return 1
	[ -d /sys/module/kvm_pvm ] && return 1
	[ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ] || return 1
	grep -qw -e vmx -e svm /proc/cpuinfo
}
if [ -z "${E2E_ACCEL:-}" ]; then
	if kvm_runs_xen; then E2E_ACCEL=kvm; else E2E_ACCEL=tcg; fi
fi

# Under TCG, `-cpu max` offers SMAP/SMEP and Xen's PV dom0 crashes at its
# first exception with them on: switch both off there.
case $E2E_ACCEL in
kvm)
	accel=(-accel kvm -cpu host)
	xen_cpu=""
	;;
tcg)
	# shellcheck disable=SC2054 # the commas belong to QEMU's option
	accel=(-accel tcg,tb-size=256 -cpu max)
	xen_cpu="smap=0 smep=0"
	;;
*)
	echo "boot: E2E_ACCEL must be kvm or tcg" >&2
	exit 2
	;;
esac

dom0_mem=${E2E_DOM0_MEM:-768M}
xen_args="console=com1 com1=115200,8n1 $xen_cpu dom0_mem=$dom0_mem,max:$dom0_mem"
xen_args+=" dom0_max_vcpus=1 loglvl=all guest_loglvl=warning noreboot"
dom0_args="console=hvc0 earlyprintk=xen loglevel=4 rdinit=/init e2e=$MODE"
dom0_args+=" ${E2E_DOM0_ARGS:-}"

qemu=(qemu-system-x86_64 -machine pc "${accel[@]}" -m "${E2E_MEM:-1536}" -smp 2
	-display none -vga none -no-reboot -nic none
	-kernel "$IMAGES/xen.elf" -append "$xen_args"
	-initrd "$IMAGES/vmlinuz $dom0_args,$IMAGES/dom0.cpio.gz")
fs() {	# fs TAG DIR [readonly=on]
	qemu+=(-virtfs "local,path=$2,mount_tag=$1,security_model=none${3:+,$3}")
}
fs vsnd-src "$SRC" readonly=on
fs vsnd-bin "$BIN" readonly=on
fs e2e-img "$IMAGES" readonly=on
fs e2e-out "$OUT"

echo "boot: QEMU with $E2E_ACCEL; serial log $LOG" >&2
if [ "$MODE" = shell ]; then
	exec "${qemu[@]}" -echr 29 -serial mon:stdio
fi

# Each serial line gets the seconds since QEMU started.
set +e
timeout -k 15 "$TIMEOUT" "${qemu[@]}" -monitor none -serial stdio </dev/null 2>&1 |
	perl -MTime::HiRes=time -ne \
		'BEGIN { $| = 1; $t0 = time } s/\r//g; printf "[%7.2f] %s", time - $t0, $_' \
		> "$LOG"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "boot: QEMU killed after the ${TIMEOUT}s timeout" >&2
fi
exit "$rc"
