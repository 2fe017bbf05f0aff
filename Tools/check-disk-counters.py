#!/usr/bin/env python3
"""Holds a check log's disk counters to what the test programs must cause.

A check image prints, when it halts, the driver's counters in one line
(Kernel/Drivers/Disk.swift, logStatistics):

    disk: N requests (F failed), S sleeps, at most P outstanding, I interrupts

After init's test programs ran on a file system on the disk, processes must
have slept on it (S > 0), their requests must have overlapped (P >= 2:
another process submitted while one slept), completions must have come by
interrupt (I > 0), and the device must have failed nothing (F = 0).

    Tools/check-disk-counters.py LOG
"""
import re
import sys

PATTERN = re.compile(r"^disk: (\d+) requests \((\d+) failed\), (\d+) sleeps, at most (\d+) outstanding, (\d+) interrupts\s*$")


def main() -> int:
    log = sys.argv[1]
    with open(log, encoding="utf-8", errors="replace") as handle:
        lines = [match for match in (PATTERN.match(line.replace("\r", "")) for line in handle) if match]
    if not lines:
        print(f"disk counters: FAILED: no 'disk: ...' line in {log}", file=sys.stderr)
        return 1
    requests, failed, sleeps, peak, interrupts = (int(value) for value in lines[-1].groups())
    problems = []
    if failed != 0:
        problems.append(f"{failed} requests failed")
    if sleeps == 0:
        problems.append("no process slept on the disk")
    if peak < 2:
        problems.append("requests never overlapped")
    if interrupts == 0:
        problems.append("no disk interrupt")
    if problems:
        print(f"disk counters: FAILED: {', '.join(problems)} ({lines[-1].group(0).strip()})", file=sys.stderr)
        return 1
    print(f"disk counters: {requests} requests, {sleeps} sleeps, up to {peak} outstanding, {interrupts} interrupts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
