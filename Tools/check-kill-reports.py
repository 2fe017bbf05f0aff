#!/usr/bin/env python3
"""Holds a check log to the kill reports the guest programs announced.

   Tools/check-kill-reports.py LOGFILE [MINIMUM]

A guest test that makes the kernel kill it (cpuattack) first prints the
report it expects, as `NAME: expect: TEXT`; the kernel's report of the kill
follows (`pid 7 (cpuattack): general protection at 0x40_1234 pc 0x40_1234
[text]: killed`). For every announcement, the next line that starts with
"pid " must start with TEXT and end with "]: killed": the right process, the
exact fault, address and pc. TEXT may give alternatives separated by " || "
(where QEMU is known to fault differently from the processor manuals), in
which `0x*` stands for any address. Fails if any does not match, or if fewer
than MINIMUM (default 1) announcements are found, so a run that announced
nothing cannot pass."""
import re
import sys

ANNOUNCEMENT = re.compile(r"^([a-z0-9_-]+): expect: (pid .*)$")


def matches(report, expected):
    pattern = re.escape(expected).replace(re.escape("0x*"), "0x[0-9a-f_]+")
    return re.match(pattern, report) is not None


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    minimum = int(sys.argv[2]) if len(sys.argv) == 3 else 1
    with open(sys.argv[1], errors="replace") as log:
        lines = [line.rstrip("\r\n").replace("\r", "") for line in log]
    checked = 0
    failures = []
    for index, line in enumerate(lines):
        match = ANNOUNCEMENT.match(line)
        if not match:
            continue
        expected = match.group(2)
        # The report comes before the next announcement, or not at all.
        report = None
        for later in lines[index + 1:]:
            if ANNOUNCEMENT.match(later):
                break
            if later.startswith("pid "):
                report = later
                break
        if report is None:
            failures.append("no kill report after: %s" % line)
        elif not (any(matches(report, text) for text in expected.split(" || ")) and report.endswith("]: killed")):
            failures.append("expected %r...]: killed\n    got %r" % (expected, report))
        checked += 1
    for failure in failures:
        print("kill reports: FAILED: " + failure)
    if checked < minimum:
        print("kill reports: FAILED: %d announced, at least %d expected" % (checked, minimum))
        sys.exit(1)
    if failures:
        sys.exit(1)
    print("kill reports: %d announced, all matched" % checked)


if __name__ == "__main__":
    main()
