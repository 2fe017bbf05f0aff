#!/bin/sh
# Makes sure gdb-multiarch (Debian package gdb-multiarch), which debugs both
# the RISC-V and the x86-64 kernel, is installed, with pyelftools (Debian
# python3-pyelftools) for Tools/gdb/swiftlet.py to read struct layouts from
# the kernel's DWARF. Does nothing when both are present, so `make gdb` calls
# it every time. Installs with apt-get, as root
# or through sudo; otherwise says exactly what to run.
set -eu

if command -v gdb-multiarch >/dev/null 2>&1 && /usr/bin/python3 -c 'import elftools' 2>/dev/null; then
    exit 0
fi

install="apt-get install -y --no-install-recommends gdb-multiarch python3-pyelftools"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
else
    echo "install-gdb: gdb-multiarch or python3-pyelftools is missing; install them as root with:" >&2
    echo "install-gdb:   apt-get update && $install" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-gdb: gdb-multiarch is missing and there is no apt-get; install a gdb built for riscv64 and x86-64 by hand." >&2
    exit 1
fi

echo "install-gdb: installing gdb-multiarch and python3-pyelftools (Debian packages)"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive $install
