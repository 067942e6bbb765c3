#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check docs/security-matrix.md against the rules and the tests.

Usage: check-matrix.py SOURCE_ROOT MATRIX BUILD_DIR

Every rule 1..88 of security.md section 5 and REQ-1..REQ-22 of protocol.md
8.1 must have exactly one row. A row names tests in its third column or
says "n/a:" or "gap:" in its fourth. A named test must exist:
  SUITE:EXE/CASE  tests/**/EXE.c defines TEST(CASE) or
                  TEST_TIMEOUT(CASE, ...), and where BUILD_DIR builds the
                  Meson test EXE (an optional dependency may leave it
                  out), it is in suite SUITE
  SUITE:NAME      a Meson test NAME of suite SUITE (a checker script)
  fuzz:TARGET     tests/fuzz/TARGET.c and its replay test
  e2e:CHECK       a check of the real-Xen rig: a literal `check CHECK` in
                  tests/e2e/runner/*.sh, or audio/NAME for a line NAME of
                  tests/e2e/audio.list
Prints every problem and exits 1 when there is one.
"""
import json
import pathlib
import re
import sys

RULES = [str(n) for n in range(1, 89)] + [f'REQ-{n}' for n in range(1, 23)]
REF = re.compile(r'`([a-z0-9]+):([^`]+)`')


def rows(text):
    """(rule, tests cell, note cell) for each table row with a rule."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) != 4 or not re.fullmatch(r'\d+|REQ-\d+', cells[0]):
            continue
        yield cells[0], cells[2], cells[3]


def meson_tests(build):
    """{test name: set of suites} from Meson's introspection file."""
    path = pathlib.Path(build) / 'meson-info' / 'intro-tests.json'
    tests = {}
    for t in json.loads(path.read_text(encoding='utf-8')):
        suites = {s.split(':', 1)[-1] for s in t.get('suite', [])}
        tests.setdefault(t['name'], set()).update(suites)
    return tests


def test_cases(src, exe):
    """The TEST() names of tests/**/EXE.c, or None when there is none."""
    files = list((src / 'tests').rglob(exe + '.c'))
    if not files:
        return None
    names = set()
    for f in files:
        text = f.read_text(encoding='utf-8', errors='replace')
        names.update(re.findall(r'^TEST(?:_TIMEOUT)?\((\w+)', text, re.M))
    return names


def e2e_checks(src):
    """Names the rig's runner reports."""
    runner = src / 'tests' / 'e2e' / 'runner'
    names = set()
    for f in runner.glob('*.sh'):
        names.update(re.findall(r'(?:^|[\s;&|!(])check\s+"?([A-Za-z0-9_./-]+)"?\s',
                                f.read_text(encoding='utf-8'), re.M))
    audio = src / 'tests' / 'e2e' / 'audio.list'
    if audio.exists():
        for line in audio.read_text(encoding='utf-8').splitlines():
            if line.strip() and not line.startswith('#'):
                names.add('audio/' + line.split()[0])
    return names


def check_ref(src, tests, e2e, suite, name):
    """A problem with one named test, or None."""
    if suite == 'e2e':
        return None if name in e2e else f'e2e:{name}: no such check'
    if suite == 'fuzz' and '/' not in name:
        if not (src / 'tests' / 'fuzz' / (name + '.c')).exists():
            return f'fuzz:{name}: no tests/fuzz/{name}.c'
        return None if any(t.startswith(name) for t in tests) else \
            f'fuzz:{name}: no replay test'
    if '/' not in name:
        if name not in tests:
            return f'{suite}:{name}: no such Meson test'
        return None if suite in tests[name] else \
            f'{suite}:{name}: in suite(s) {", ".join(sorted(tests[name]))}'
    exe, _, case = name.partition('/')
    cases = test_cases(src, exe)
    if cases is None:
        return f'{suite}:{name}: no Meson test {exe} and no tests/**/{exe}.c'
    if case not in cases:
        return f'{suite}:{name}: {exe}.c has no TEST({case})'
    # A build without an optional dependency leaves some tests out: the
    # source still has to define the case, the suite is checked when built.
    if exe in tests and suite not in tests[exe]:
        return f'{suite}:{name}: {exe} is in suite(s) {", ".join(sorted(tests[exe]))}'
    return None


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src = pathlib.Path(sys.argv[1])
    matrix = pathlib.Path(sys.argv[2])
    tests = meson_tests(sys.argv[3])
    e2e = e2e_checks(src)
    problems, seen = [], {}
    for rule, cell, note in rows(matrix.read_text(encoding='utf-8')):
        seen[rule] = seen.get(rule, 0) + 1
        refs = REF.findall(cell)
        if not refs and not re.match(r'(n/a|gap):', note):
            problems.append(f'rule {rule}: names no test and says neither n/a: nor gap:')
        for suite, name in refs:
            p = check_ref(src, tests, e2e, suite, name)
            if p:
                problems.append(f'rule {rule}: {p}')
    for rule in RULES:
        if rule not in seen:
            problems.append(f'rule {rule}: missing')
        elif seen[rule] > 1:
            problems.append(f'rule {rule}: {seen[rule]} rows')
    for rule in seen:
        if rule not in RULES:
            problems.append(f'rule {rule}: no such rule')
    for p in problems:
        print(f'{matrix}: {p}')
    covered = sum(1 for r in RULES if r in seen)
    print(f'{matrix}: {covered} of {len(RULES)} rules listed, {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
