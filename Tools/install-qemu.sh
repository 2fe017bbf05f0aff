#!/bin/sh
# Makes sure the QEMU system emulators Swiftlet boots in are installed:
# qemu-system-riscv64 (Debian package qemu-system-misc) and
# qemu-system-x86_64 (qemu-system-x86). Does nothing when both are present,
# so the Makefile calls it before every boot.
set -eu

if command -v qemu-system-riscv64 >/dev/null 2>&1 && command -v qemu-system-x86_64 >/dev/null 2>&1; then
    exit 0
fi
# The x86 firmware (SeaBIOS, and the iPXE option ROMs QEMU's default network
# card loads) named explicitly, since some builds of qemu-system-x86 only
# recommend them.
exec "$(dirname "$0")/apt-install.sh" install-qemu qemu-system-misc qemu-system-x86 seabios ipxe-qemu
