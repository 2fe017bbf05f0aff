#!/usr/bin/env bash
# Boots a check image and decides whether it passed.
#   Tools/qemu-check.sh LOGFILE qemu-system-... -kernel IMAGE ...
# The guest prints one line per self-check, then "N passed, M failed", and
# powers QEMU off with status 0 only when nothing failed. This script passes
# only when QEMU exited with the pass status within the time limit AND the
# closing line says "N passed, 0 failed" with N > 0: either alone could be a
# false pass (a guest that crashes into the power-off device, or output that
# lies). The pass status is 0, unless CHECK_PASS_STATUS says otherwise: x86's
# isa-debug-exit turns the guest's 0 into QEMU's exit status 1.
set -u
log=$1
shift
limit=${CHECK_TIMEOUT:-120}
pass_status=${CHECK_PASS_STATUS:-0}

timeout "$limit" "$@" </dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

closing=$(tr -d '\r' <"$log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ "$status" -eq 124 ]; then
    echo "check: FAILED: QEMU still running after ${limit}s (log: $log)" >&2
    exit 1
fi
if [ "$status" -ne "$pass_status" ]; then
    echo "check: FAILED: QEMU exited with status $status (log: $log)" >&2
    exit 1
fi
if ! printf '%s\n' "$closing" | grep -Eq '^[1-9][0-9]* passed, 0 failed$'; then
    echo "check: FAILED: no closing line 'N passed, 0 failed' (log: $log)" >&2
    exit 1
fi
echo "check: passed ($closing)"
