#!/usr/bin/env python3
"""Writes the disk image the check images read (make check attaches it).

Each 1024-byte block b holds b as a 32-bit little-endian number in its first
four bytes, then byte i (from 4) = (7*b + 3*(b >> 8) + 13*i + (i >> 8)) mod 256.
Kernel/SelfCheck/DiskChecks.swift expects exactly this pattern: when the two
disagree, the check fails.

    Tools/make-test-disk.py OUTPUT [BLOCKS]
"""
import struct
import sys

BLOCK_BYTES = 1024


def block(number: int) -> bytes:
    body = bytes((7 * number + 3 * (number >> 8) + 13 * i + (i >> 8)) & 0xFF for i in range(4, BLOCK_BYTES))
    return struct.pack("<I", number) + body


def main() -> None:
    output = sys.argv[1]
    blocks = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with open(output, "wb") as image:
        for number in range(blocks):
            image.write(block(number))


if __name__ == "__main__":
    main()
