#!/usr/bin/env bash
# Boots an image that must fail in one particular way, and checks it did.
#   Tools/qemu-expect-panic.sh LOGFILE STATUS PATTERN... -- qemu-system-... -kernel IMAGE ...
# Passes only when QEMU exits with STATUS within the time limit AND every
# PATTERN (an extended regular expression) matches a whole line of the log:
# a deliberate kernel stack overflow, for one, must end in the panic that
# names it, reported from the stack it is supposed to be reported from.
set -u
log=$1
expected_status=$2
shift 2
patterns=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    patterns+=("$1")
    shift
done
if [ $# -eq 0 ]; then
    echo "usage: $0 LOGFILE STATUS PATTERN... -- QEMU-COMMAND..." >&2
    exit 2
fi
shift
limit=${CHECK_TIMEOUT:-120}

timeout "$limit" "$@" </dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if [ "$status" -eq 124 ]; then
    echo "check: FAILED: QEMU still running after ${limit}s (log: $log)" >&2
    exit 1
fi
if [ "$status" -ne "$expected_status" ]; then
    echo "check: FAILED: QEMU exited with status $status, expected $expected_status (log: $log)" >&2
    exit 1
fi
for pattern in "${patterns[@]}"; do
    if ! tr -d '\r' <"$log" | grep -Eq "^${pattern}\$"; then
        echo "check: FAILED: no line matching '$pattern' (log: $log)" >&2
        exit 1
    fi
done
echo "check: passed (QEMU exit status $status; ${#patterns[@]} expected lines found)"
