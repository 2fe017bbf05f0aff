#!/usr/bin/env bash
# Where the instructions of one system call go: boots the bench image halted
# under QEMU's gdb stub, lets `bench` make the call a few times, then
# single-steps one call through the kernel and counts instructions per
# function (Tools/gdb/profile_syscall.py). Slow (gdb steps one instruction
# at a time: a fork takes minutes), exact, and the same on every machine.
#   Tools/gdb/profile-syscall.sh ARCH SYSCALL BUILD_DIR OBJDUMP DEMANGLE qemu-system-... -kernel IMAGE
set -eu
arch=$1 number=$2 build=$3 objdump=$4 demangle=$5
shift 5
image=${!#}
. "$(dirname "$0")/halted-qemu.sh"
gdb_arch=$(gdb_architecture "$arch")
start_halted_qemu "$build/profile-console.log" "$@"
PROFILE_ARCH=$arch PROFILE_SYSCALL=$number gdb-multiarch -q -batch \
    -ex "set architecture $gdb_arch" -ex "file $image" -ex "target remote 127.0.0.1:$port" \
    -x Tools/gdb/profile_syscall.py 2>&1 | grep '^profile:' >"$build/profile.txt" || true
if ! grep -q '^profile: [0-9]* instructions' "$build/profile.txt"; then
    echo "profile: FAILED (no count; QEMU console: $build/profile-console.log)" >&2
    exit 1
fi
total=$(sed -n 's/^profile: \([0-9]*\) instructions$/\1/p' "$build/profile.txt")
echo "system call $number on $arch: $total instructions in the kernel's Swift and C code, by function:"
grep -v ' instructions$' "$build/profile.txt" | sed 's/^profile: //' | "$demangle" --simplified | sed 's/^/  /'
if [ "$arch" = riscv64 ]; then
    # uservec and userret: straight-line code, counted from the image.
    trampoline=$("$objdump" -d --no-show-raw-insn "$image" |
        awk '/^[0-9a-f]+ </ {on = ($0 ~ /<(uservec|userret)>:/); next} on && /^ *[0-9a-f]+:/ {n++} END {print n}')
    echo "plus the trampoline (uservec and userret, assembly): $trampoline instructions"
fi
exit 0
