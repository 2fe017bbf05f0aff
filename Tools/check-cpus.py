#!/usr/bin/env python3
"""Checks a multiprocessor boot log (make check): every CPU says it started
("cpu N started", N from 0 to COUNT-1, once each), the boot CPU reports
COUNT CPUs running the scheduler, and the CPU self-checks passed, each of
the ones named in REQUIRED_CHECKS among them (so that none can silently
drop out of the check image).

    Tools/check-cpus.py LOG COUNT
"""
import re
import sys

# Self-checks (Kernel/SelfCheck/SelfCheck.swift, runCPUChecks) whose "ok"
# line the multiprocessor log must hold.
REQUIRED_CHECKS = [
    "a TLB shootdown is acknowledged by every other CPU",
    "after a shared kernel page is remapped, every other CPU reads the new frame there",
    "a process made runnable interrupts the idle CPUs",
]


def main() -> int:
    log_path, count = sys.argv[1], int(sys.argv[2])
    with open(log_path, errors="replace") as log:
        lines = [line.rstrip("\r\n") for line in log]
    problems = []
    for cpu in range(count):
        starts = sum(1 for line in lines if line == f"cpu {cpu} started")
        if starts != 1:
            problems.append(f"'cpu {cpu} started' appears {starts} times, not once")
    extra = [line for line in lines if re.fullmatch(r"cpu (\d+) started", line) and int(line.split()[1]) >= count]
    problems += [f"unexpected '{line}'" for line in extra]
    running = f"cpus         {count} running the scheduler"
    if running not in lines:
        problems.append(f"no line '{running}'")
    if not any(re.fullmatch(r"cpu self-check: [1-9][0-9]* passed, 0 failed", line) for line in lines):
        problems.append("no line 'cpu self-check: N passed, 0 failed'")
    for name in REQUIRED_CHECKS:
        if f"check: {name} ... ok" not in lines:
            problems.append(f"no line 'check: {name} ... ok'")
    if problems:
        for problem in problems:
            print(f"check-cpus: FAILED: {problem} ({log_path})", file=sys.stderr)
        return 1
    print(f"check-cpus: {count} CPUs started and joined the scheduler; the shootdown, remap and idle wake-up checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
