# Sourced by the scripts that drive a kernel under gdb (gdb-test.sh,
# profile-syscall.sh).
#
#   gdb_architecture ARCH             gdb's name for riscv64 or x86_64
#   start_halted_qemu CONSOLE CMD...  runs the QEMU command line CMD halted at
#                                     its first instruction, its gdb stub on a
#                                     free port (in $port, so parallel runs do
#                                     not collide), the console into CONSOLE;
#                                     QEMU is stopped when the script exits,
#                                     whose exit status is kept.

gdb_architecture() {
    case $1 in
    riscv64) echo riscv:rv64 ;;
    x86_64) echo i386:x86-64 ;;
    *)
        echo "unknown ARCH $1" >&2
        return 1
        ;;
    esac
}

start_halted_qemu() {
    local console=$1
    shift
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$@" -S -gdb tcp:127.0.0.1:$port </dev/null >"$console" 2>&1 &
    halted_qemu=$!
    trap 'status=$?; set +e; kill $halted_qemu 2>/dev/null; wait $halted_qemu 2>/dev/null; exit $status' EXIT
}
