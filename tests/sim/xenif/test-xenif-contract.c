/* SPDX-License-Identifier: MIT */
/*
 * test-xenif-contract.c - docs/xenif.md's contract, checked one TEST per
 * clause, against xensimd through the "sim:" implementation (or, with
 * VSND_TEST_XEN=1 in the rig's dom0, against real Xen). The TESTs live in
 * contract-xs.c (X), contract-evtchn.c (E), contract-gnt.c (G) and
 * contract-misc.c (D, F, C); this file picks the binary's mode.
 */
#include "contract.h"

const enum contract_mode contract_build_mode = CONTRACT_SIM;
