#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Rules of security.md that hold for the source and the built daemon.

Usage: check-build-rules.py SOURCE_ROOT VSNDBE_BINARY

  rule 64  no teardown drains without bound: backend/ never calls
           snd_pcm_drain() (it stops with snd_pcm_drop());
  rule 83  the daemon is built hardened: a position-independent
           executable (ELF type DYN with an interpreter), full RELRO
           (a GNU_RELRO segment and BIND_NOW), the stack protector
           (__stack_chk_fail imported).
Prints every problem and exits 1 when there is one.
"""
import pathlib
import re
import subprocess
import sys


def no_drain(src):
    problems = []
    for f in sorted((src / 'backend').glob('*.c')):
        for n, line in enumerate(f.read_text(encoding='utf-8').splitlines(), 1):
            if re.search(r'\bsnd_pcm_drain\s*\(', line):
                problems.append(f'{f}:{n}: snd_pcm_drain() can block without bound')
    return problems


def readelf(args, binary):
    return subprocess.run(['readelf', '-W'] + args + [binary], check=True,
                          capture_output=True, text=True).stdout


def hardened(binary):
    problems = []
    header = readelf(['-h'], binary)
    segments = readelf(['-l'], binary)
    dynamic = readelf(['-d'], binary)
    symbols = readelf(['--dyn-syms'], binary)
    if not re.search(r'Type:\s+DYN', header) or 'INTERP' not in segments:
        problems.append(f'{binary}: not a position-independent executable')
    if 'GNU_RELRO' not in segments:
        problems.append(f'{binary}: no GNU_RELRO segment')
    if not re.search(r'\(FLAGS\).*\bBIND_NOW\b|\(FLAGS_1\).*\bNOW\b', dynamic):
        problems.append(f'{binary}: RELRO is partial (no BIND_NOW)')
    if '__stack_chk_fail' not in symbols:
        problems.append(f'{binary}: no stack protector (__stack_chk_fail not imported)')
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    problems = no_drain(pathlib.Path(sys.argv[1])) + hardened(sys.argv[2])
    for p in problems:
        print(p)
    print(f'build rules: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
