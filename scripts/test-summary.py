#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print the closing line of a `make test` run from Meson's testlog.json.

Counts the test cases the vtest binaries and corpus replays report in their
own "N passed, N failed" lines, and the Meson tests themselves.
"""
import json
import re
import sys

LINE = re.compile(r'^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$', re.M)


def main():
    path = sys.argv[1]
    tests = {'OK': 0, 'FAIL': 0, 'SKIP': 0, 'TIMEOUT': 0, 'EXPECTEDFAIL': 0}
    cases = [0, 0, 0]
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                rec = json.loads(line)
                res = rec.get('result', 'FAIL')
                tests[res] = tests.get(res, 0) + 1
                if res == 'EXPECTEDFAIL':
                    continue  # a checker proving it can fail: its cases are not ours
                for m in LINE.finditer(rec.get('stdout') or ''):
                    cases[0] += int(m.group(1))
                    cases[1] += int(m.group(2))
                    cases[2] += int(m.group(3) or 0)
    except OSError as e:
        print(f'test summary: {e}', file=sys.stderr)
        return 1
    failed = tests['FAIL'] + tests['TIMEOUT'] + tests.get('UNEXPECTEDPASS', 0)
    passed = tests['OK'] + tests['EXPECTEDFAIL']
    print(f'meson tests: {passed} passed, {failed} failed, {tests["SKIP"]} skipped')
    print(f'test cases: {cases[0]} passed, {cases[1]} failed, {cases[2]} skipped')
    print(f'{passed} passed, {failed} failed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
