#!/usr/bin/env python3
"""A stand-in for QEMU that Tools/qemu-shell-test.py can drive: a shell
prompt that echoes `echo` commands, and a monitor (Ctrl-A C) whose `nmi`
lands in kernel mode the first N times (argv[1]) and in user mode after.
Tests/Tools/shell-driver-sample.txt runs against it (`make
shell-driver-test`)."""
import sys

kernel_mode_left = int(sys.argv[1])
out = sys.stdout
out.write("$ ")
out.flush()
in_monitor = False
line = ""
while True:
    ch = sys.stdin.read(1)
    if not ch:
        break
    if ch == "\x01":
        if sys.stdin.read(1) == "c":
            in_monitor = not in_monitor
            line = ""
        continue
    if ch not in "\r\n":
        line += ch
        continue
    if in_monitor and line == "nmi":
        where = "kernel mode" if kernel_mode_left > 0 else "user mode (pid 3)"
        kernel_mode_left -= 1
        out.write(f"nmi: taken in {where} at rip 0x40_0010, port 0x61 = 0x20; continuing\n")
    elif not in_monitor and line.startswith("echo "):
        out.write(line + "\n" + line[5:] + "\n$ ")
    line = ""
    out.flush()
