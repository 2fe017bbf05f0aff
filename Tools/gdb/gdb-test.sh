#!/usr/bin/env bash
# Checks Tools/gdb/swiftlet.py against a real kernel: boots it halted under
# QEMU's gdb stub, lets it run to the first system call of init, and runs the
# swiftlet commands in gdb -batch; then checks their output.
#   Tools/gdb/gdb-test.sh ARCH BUILD_DIR qemu-system-... ... -kernel IMAGE
# ARCH (riscv64 or x86_64) picks the commands' arguments and the expected
# output; the shared ones come first.
set -u
arch=$1
build=$2
shift 2
log=$build/gdb-test.log
console=$build/gdb-test-console.log
. "$(dirname "$0")/halted-qemu.sh"
gdb_arch=$(gdb_architecture "$arch") || exit 1

case $arch in
riscv64)
    image=0
    commands='echo == walk trap frame\n
python gdb.execute("swiftlet walk %d" % CONSTANTS["trapFrame"])
echo == walk user text\n
swiftlet walk 0
echo == walk trampoline in the kernel table\n
python gdb.execute("swiftlet walk %d kernel" % CONSTANTS["trampoline"])
echo == walk a kernel stack guard\n
python gdb.execute("swiftlet walk %d kernel" % (CONSTANTS["kernelStack(0)"] - 4096))
echo == region\n
python gdb.execute("swiftlet region %d" % CONSTANTS["trapFrame"])'
    ;;
x86_64)
    image=0x400000
    commands='echo == walk user text\n
python gdb.execute("swiftlet walk %d" % user_registers()["pc"])
echo == walk the process kernel stack\n
python gdb.execute("swiftlet walk %d" % (CONSTANTS["processKernelStackTop"] - 4096))
echo == walk the process kernel stack guard\n
python gdb.execute("swiftlet walk %d" % CONSTANTS["processKernelStackGuard"])
echo == walk the heap in the kernel table\n
python gdb.execute("swiftlet walk %d kernel" % CONSTANTS["heapStart"])
echo == walk the untouched stack reserve\n
python gdb.execute("swiftlet walk %d" % (CONSTANTS["userStackTop"] - 0x100000))
echo == walk a non-canonical address\n
swiftlet walk 0x8000_0000_0000
echo == region\n
python gdb.execute("swiftlet region %d" % (CONSTANTS["processKernelStackTop"] - 8))'
    ;;
esac

start_halted_qemu "$console" "$@"

cat >"$build/gdb-test.gdb" <<GDB
set pagination off
set confirm off
set architecture $gdb_arch
file $build/kernel-gdb.elf
target remote 127.0.0.1:$port
source Tools/gdb/swiftlet.py
python gdb.execute("break *%d" % symbol(r"8SyscallsO7perform.*FZ$"))
continue
echo == ps\n
swiftlet ps
echo == proc\n
swiftlet proc
echo == trapframe\n
swiftlet trapframe
$commands
echo == source line\n
info line *\$pc
echo == init's forked child, before its exec\n
python
for attempt in range(60):
    if slot_of_pid(2, "init") is not None:
        break
    gdb.execute("continue")
child = slot_of_pid(2, "init")
print("child of init: slot %s" % child)
shared = copy_on_write_pages(child, $image, 32)
print("copy-on-write pages of the child: " + " ".join("%s (%s users)" % (hexa(page), users) for page, users in shared))
both = [page for page, users in shared if users == 2]
if both:
    gdb.execute("swiftlet walk %d %d" % (both[0], child))
gdb.execute("swiftlet walk %d %d" % ($image, child))
end
kill
GDB

timeout 120 gdb-multiarch -batch -nx -x "$build/gdb-test.gdb" >"$log" 2>&1
status=$?
cat "$log"

fail=0
expect() {
    if ! grep -Eq -- "$1" "$log"; then
        echo "gdb-test: FAILED: no line matching: $1" >&2
        fail=1
    fi
}
expect '^swiftlet: commands loaded'
expect '^current process: slot [0-9]+  pid 1  running +init '
expect '^\* slot [0-9]+  pid 1  running +init '
expect '^Line [0-9]+ of "Kernel/Syscall/Syscalls.swift"'
# init's text before its first fork: a frame of its own.
expect '^  copy-on-write bit: clear$'
expect '^  frame users: 1$'
expect '^  page: private$'
# After the fork: a writable page the child shares copy-on-write with init
# (the bit in its leaf, two users in the allocator's count), and the text
# shared read-only.
expect '^child of init: slot [0-9]+$'
expect '^copy-on-write pages of the child: 0x'
expect '^  copy-on-write bit: set$'
expect '^  frame users: 2$'
expect '^  page: shared by 2, copy-on-write \(the first write copies it\)$'
expect '^  page: shared by 2, read-only$'
case $arch in
riscv64)
    expect '^  pc  0x[0-9A-F_]+  \(user \(text, data, guard, stack, heap\)\)'
    expect '^  a7 \(system call number\) = ([1-9]|1[0-9]|2[0-5])$'
    expect '^walk 0x3F_FFFF_E000 in the page table of slot [0-9]+ \(pid 1 init\)'
    expect '^  -> physical 0x[0-9A-F_]+  \(4 KiB page, rw---'
    expect '^  -> physical 0x[0-9A-F_]+  \(4 KiB page, r-xu'
    expect '^  region: trampoline'
    expect '^  not mapped \(kernel stacks \(guard of slot 63\)\)'
    expect 'process space: trap frame; kernel space: not in the table'
    ;;
x86_64)
    expect '^kernel stack: 0xFFFF_FF80_0000_1000\.\.0xFFFF_FF80_0004_1000 '
    expect '^  rip 0x[0-9A-F_]+  \(user \(ELF, heap\)\)'
    expect '^  rax \(system call number\) = ([1-9]|1[0-9]|2[0-5])$'
    expect '^walk 0x[0-9A-F_]+ in the page table of slot [0-9]+ \(pid 1 init\)'
    expect '^  PML4  index +[0-9]+  entry at 0x[0-9A-F_]+ = 0x[0-9A-F_]+  r'
    expect '^  PT    index +[0-9]+  entry at 0x[0-9A-F_]+ = 0x[0-9A-F_]+  r'
    expect '^  -> physical 0x[0-9A-F_]+  \(4 KiB page, r-xu'
    expect '^  -> physical 0x[0-9A-F_]+  \(4 KiB page, rw---'
    expect '^  region: process kernel stack$'
    expect '^  not mapped \(process kernel stack guard\)'
    expect '^walk 0xFFFF_FFFF_8800_0000 in the kernel page table'
    expect '^  region: kernel heap$'
    expect '^  page: lazy \(stack reserve 0xFFFF_FF7F_FF7F_D000\.\.0xFFFF_FF7F_FFFF_D000: a zeroed frame at the first touch\)$'
    expect 'is non-canonical'
    expect '^0xFFFF_FF80_0004_0FF8: process kernel stack$'
    ;;
esac
if [ $status -ne 0 ] || [ $fail -ne 0 ]; then
    echo "gdb-test: FAILED (gdb status $status; log: $log)" >&2
    exit 1
fi
echo "gdb-test: passed"
