#!/usr/bin/env python3
"""A stand-in for QEMU that Tools/qemu-shell-test.py can drive: a shell
prompt that echoes `echo` commands, and a monitor (Ctrl-A C) whose `nmi`
lands in kernel mode the first N times (argv[1]) and in user mode after,
and whose `mce` stops the "kernel" with a panic while the number in the
file argv[2] (if given) is above 0, counting it down once per boot, and
kills a user process after; `echo late & ; echo now` prints the way two
CPUs may ("late" before the prompt, its newline after). Tests/Tools/shell-driver-sample.txt and
shell-driver-reboot-sample.txt run against it (`make shell-driver-test`)."""
import sys

kernel_mode_left = int(sys.argv[1])
panics_file = sys.argv[2] if len(sys.argv) > 2 else None
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
    elif in_monitor and line == "mce":
        panics_left = int(open(panics_file).read()) if panics_file else 0
        if panics_left > 0:
            open(panics_file, "w").write(str(panics_left - 1))
            out.write("machine check: MCG_STATUS 0x5, bank 1 status 0xb000_0000_0000_0000\n")
            out.write("panic: machine check in kernel mode: kernel state cannot be trusted\n")
            out.flush()
            while sys.stdin.read(1):  # a stopped machine: reads, says nothing
                pass
            break
        out.write("pid 3 (spin): machine check at 0x40_0010: killed\n")
    elif not in_monitor and line == "echo late & ; echo now":
        # The background echo's word before the prompt, its newline after.
        out.write(line + "\nnow\nlate$ ")
        out.flush()
        out.write("\n")
    elif not in_monitor and line.startswith("echo "):
        out.write(line + "\n" + line[5:] + "\n$ ")
    line = ""
    out.flush()
