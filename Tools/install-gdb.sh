#!/bin/sh
# Makes sure gdb-multiarch (Debian package gdb-multiarch), which debugs both
# the RISC-V and the x86-64 kernel, is installed, with pyelftools (Debian
# python3-pyelftools) for Tools/gdb/swiftlet.py to read struct layouts from
# the kernel's DWARF. Does nothing when both are present, so `make gdb` calls
# it every time.
set -eu

if command -v gdb-multiarch >/dev/null 2>&1 && /usr/bin/python3 -c 'import elftools' 2>/dev/null; then
    exit 0
fi
exec "$(dirname "$0")/apt-install.sh" install-gdb gdb-multiarch python3-pyelftools
