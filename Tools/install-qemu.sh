#!/bin/sh
# Makes sure the QEMU system emulators Swiftlet boots in are installed:
# qemu-system-riscv64 (Debian package qemu-system-misc) and
# qemu-system-x86_64 (qemu-system-x86). Does nothing when both are present,
# so the Makefile calls it before every boot. Installs with apt-get, as root
# or through sudo.
set -eu

if command -v qemu-system-riscv64 >/dev/null 2>&1 && command -v qemu-system-x86_64 >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
else
    echo "install-qemu: QEMU is missing and this is neither root nor has sudo;" >&2
    echo "install-qemu: install qemu-system-misc and qemu-system-x86 by hand." >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-qemu: no apt-get here; install QEMU (riscv64 and x86_64 system emulators) by hand." >&2
    exit 1
fi

echo "install-qemu: installing qemu-system-misc and qemu-system-x86"
$SUDO apt-get update
# Without the recommended GUI packages; the x86 firmware (SeaBIOS, and the
# iPXE option ROMs QEMU's default network card loads) named explicitly,
# since some builds of qemu-system-x86 only recommend them.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-misc qemu-system-x86 seabios ipxe-qemu
