#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the dependency rules of DESIGN.md ("Layout and dependency rules").

Usage: check-deps.py ROOT

Every C source and header under ROOT (outside build directories) is scanned
for #include lines, and each include is checked against the rules below.
Prints one line per violation and a closing "N passed, N failed" line; exits
1 when a rule is broken. tests/data/deps-violation/ is a tree that breaks
every rule once, so the checker itself is tested (meson: should_fail).
"""
import fnmatch
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

XEN_LIBS = ('xenstore.h', 'xenevtchn.h', 'xengnttab.h', 'xenctrl.h',
            'xentoolcore.h', 'xenguest.h', 'xencall.h', 'xenforeignmemory.h',
            'xen/xs.h')

# (description, predicate on the include, files allowed to include it)
RULES = [
    ('ALSA headers only in the audio sink, the plugin and their tests',
     lambda inc: inc.startswith('alsa/'),
     ['backend/audio-alsa*.c', 'frontend/alsa/*', 'tests/alsa/*',
      'tests/bench/*']),
    ('vsnd/format-alsa.h only in ALSA-facing code',
     lambda inc: inc == 'vsnd/format-alsa.h',
     ['backend/audio-alsa*.c', 'frontend/alsa/*', 'tests/alsa/*']),
    ('Xen library headers only in the real xenif implementation',
     lambda inc: inc in XEN_LIBS,
     ['xenif/real/*', 'xenif/xenif-real*.c']),
    ('sd-event only in the backend loop',
     lambda inc: inc == 'systemd/sd-event.h',
     ['backend/loop.c', 'tests/sim/*']),
    ('other systemd headers only in the backend',
     lambda inc: inc.startswith('systemd/') and inc != 'systemd/sd-event.h',
     ['backend/*', 'xenif/sim/*', 'tests/*']),
    ('libinih only in the backend configuration',
     lambda inc: inc == 'ini.h',
     ['backend/config*.c', 'tests/*']),
    ('Xen public headers only through vsnd/wire.h (tests may check numbers)',
     lambda inc: inc.startswith('xen/'),
     ['protocol/include/vsnd/wire.h', 'xenif/*', 'frontend/linux/*',
      'tests/*']),
    ('the test runner only in tests',
     lambda inc: inc == 'vtest.h',
     ['tests/*']),
]

# Whole folders that may not depend on another module at all.
FOLDER_RULES = [
    ('xenif/ does not depend on protocol/',
     'xenif/*', lambda inc: inc.startswith('vsnd/')),
    ('protocol/ depends on libc only',
     'protocol/*', lambda inc: inc.startswith(('xenif/', 'alsa/', 'systemd/'))),
    ('protocol/ does not use the userspace helpers of common/',
     'protocol/*', lambda inc: inc.startswith('vsnd-common/')),
    ('protocol/ does no I/O',
     'protocol/*', lambda inc: inc in ('unistd.h', 'fcntl.h', 'poll.h', 'pthread.h')
     or inc.startswith('sys/')),
    ('nothing outside tests/ includes tests/ headers',
     '*', lambda inc: inc.startswith('tests/') or inc.startswith('lib/vtest')),
]

SKIP_DIRS = {'.git', 'build', 'subprojects', 'node_modules'}


def sources(root):
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        dirnames[:] = [d for d in dirnames
                       if d not in SKIP_DIRS and not d.startswith('build')
                       and not (rel == 'tests/data' and d == 'deps-violation')]
        for f in filenames:
            if f.endswith(('.c', '.h')):
                path = os.path.join(dirpath, f)
                yield os.path.relpath(path, root).replace(os.sep, '/'), path


def includes(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield lineno, m.group(2)


def matches(rel, patterns):
    return any(fnmatch.fnmatch(rel, p) for p in patterns)


def check(root):
    failures = []
    checked = 0
    for rel, path in sources(root):
        if rel.startswith('frontend/linux/'):
            continue  # kernel code: its own headers, its own rules
        for lineno, inc in includes(path):
            checked += 1
            broken = [desc for desc, pred, allowed in RULES
                      if pred(inc) and not matches(rel, allowed)]
            broken += [desc for desc, scope, pred in FOLDER_RULES
                       if fnmatch.fnmatch(rel, scope)
                       and not rel.startswith('tests/') and pred(inc)]
            if broken:
                failures.append(f'{rel}:{lineno}: includes <{inc}>: '
                                + '; '.join(broken))
    return checked, failures


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    checked, failures = check(sys.argv[1])
    for f in failures:
        print(f)
    print(f'{checked - len(failures)} passed, {len(failures)} failed')
    if checked == 0:
        print('no #include found: wrong root?', file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
