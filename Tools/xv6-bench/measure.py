#!/usr/bin/env python3
"""Runs fsbench (bench's file-system rows) on xv6 and on Swiftlet, counting
instructions with the QEMU plugin insn-count.c, and prints one table.

    Tools/xv6-bench/measure.py --plugin LIB.so --image FS.IMG --log-dir DIR
        --nm LLVM-NM --objdump LLVM-OBJDUMP
        --xv6-kernel ELF --swiftlet-kernel ELF -- qemu-system-riscv64 ...

Both kernels boot the same disk (a fresh copy each: xv6's mkfs image with
xv6's init and sh, and fsbench) under -icount shift=0,sleep=off on one CPU,
the QEMU command after `--` plus the plugin. The shell is given `fsbench`
(on Swiftlet `fsbench counters`, which also reads Swiftlet's own counters).

Idle time: while the disk works the CPU has nothing to run. The plugin
leaves out what it executes then, from the point the kernel finds nothing
runnable to its next switch to a process (the rule Swiftlet's idlecount
follows, Kernel/Process/Scheduler.swift):
- xv6's scheduler loops without waiting: idle starts when its loop head (the
  interrupt-enable at the top of scheduler()) is reached twice with no
  switch between; it ends at the next call of swtch.
- Swiftlet waits with wfi: idle starts there, and ends at switch_context.
Nothing here depends on the host's speed but the idle part, which is left
out; the busy figures repeat within a fraction of a percent."""
import argparse, os, re, select, shutil, subprocess, sys, time

ROWS = {
    "call": "loop + indirect call: the loop's cost, left out of the other rows",
    "getpid": "null system call",
    "create": "open(O_CREATE) + write 4 KiB + close + unlink",
    "write1m": "1 MiB in 4 KiB writes, 4 files of 256 KiB, O_TRUNC each",
    "read1m": "the same 1 MiB read back in 4 KiB reads",
    "ls100": "ls of a 100-file directory without printing",
}
RESULT = re.compile(r"^fsbench (\d+) (\S+) (\d+) (ok|FAILED)(?: instret=(\d+) idle=(\d+))?\s*$")
MARK = re.compile(r"^insn-count mark (\d+) total=(\d+) idle=(\d+)$")


def symbol(nm, elf, name):
    for line in subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == name:
            return int(fields[0], 16)
    sys.exit(f"xv6-bench: no symbol {name} in {elf}")


def scheduler_loop_head(nm, objdump, elf):
    """The first instruction in scheduler() that writes sstatus: intr_on()
    at the top of its loop (compilers write it as csrs, or csrr/ori/csrw)."""
    start = size = None
    for line in subprocess.run([nm, "-S", elf], check=True, capture_output=True, text=True).stdout.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[3] == "scheduler":
            start, size = int(fields[0], 16), int(fields[1], 16)
    if start is None:
        sys.exit(f"xv6-bench: no scheduler() in {elf}")
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", f"--start-address={start:#x}",
                          f"--stop-address={start + size:#x}", elf],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(csrw|csrs|csrrs|csrrw|csrsi|csrrsi|csrwi)\s+(.*)$", line)
        if m and "sstatus" in m.group(3):
            return int(m.group(1), 16)
    sys.exit(f"xv6-bench: no interrupt enable found in scheduler() of {elf}")


def boot(name, qemu, kernel, image, plugin_args, command, log_dir, timeout):
    disk = os.path.join(log_dir, f"{name}.img")
    shutil.copyfile(image, disk)
    plugin_log = os.path.join(log_dir, f"{name}-plugin.log")
    console_log = os.path.join(log_dir, f"{name}-console.log")
    argv = qemu + ["-icount", "shift=0,sleep=off", "-kernel", kernel,
                   "-drive", f"file={disk},if=none,format=raw,id=x0",
                   "-plugin", plugin_args, "-d", "plugin", "-D", plugin_log]
    print(f"== {name}: {' '.join(argv)}", file=sys.stderr)
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, sent, deadline = b"", False, time.time() + timeout
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 1)
            if ready:
                data = os.read(process.stdout.fileno(), 4096)
                if not data:
                    break
                output += data
            if not sent and b"$ " in output:
                process.stdin.write(command.encode() + b"\n")
                process.stdin.flush()
                sent = True
            if re.search(rb"fsbench: \d+ failures", output) or b"panic" in output:
                break
    finally:
        process.kill()
        process.wait()
    with open(console_log, "wb") as f:
        f.write(output)
    text = output.decode(errors="replace")
    if not re.search(r"fsbench: 0 failures", text):
        sys.exit(f"xv6-bench: {name}: fsbench did not finish cleanly (log: {console_log})")
    marks = {}
    with open(plugin_log) as f:
        for line in f:
            m = MARK.match(line.strip())
            if m:
                marks[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
    rows = {}
    for line in text.replace("\r", "").splitlines():
        m = RESULT.match(line)
        if not m:
            continue
        row, row_name, iterations = int(m.group(1)), m.group(2), int(m.group(3))
        begin, end = marks.get(2 * row + 1), marks.get(2 * row + 2)
        if begin is None or end is None:
            sys.exit(f"xv6-bench: {name}: no plugin marks for row {row_name} (log: {plugin_log})")
        total, idle = end[0] - begin[0], end[1] - begin[1]
        own = None
        if m.group(5) is not None:
            own = (int(m.group(5)) - int(m.group(6))) / iterations
        rows[row_name] = (iterations, (total - idle) / iterations, idle / iterations, own)
    return rows


def main():
    parser = argparse.ArgumentParser()
    for option in ("--plugin", "--image", "--log-dir", "--nm", "--objdump", "--xv6-kernel", "--swiftlet-kernel"):
        parser.add_argument(option, required=True)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("qemu", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    qemu = args.qemu[1:] if args.qemu[:1] == ["--"] else args.qemu
    os.makedirs(args.log_dir, exist_ok=True)

    xv6_switch = symbol(args.nm, args.xv6_kernel, "swtch")
    xv6_loop = scheduler_loop_head(args.nm, args.objdump, args.xv6_kernel)
    xv6 = boot("xv6", qemu, args.xv6_kernel, args.image,
               f"{args.plugin},switch={xv6_switch:#x},loop={xv6_loop:#x}", "fsbench", args.log_dir, args.timeout)
    swiftlet_switch = symbol(args.nm, args.swiftlet_kernel, "switch_context")
    swiftlet = boot("swiftlet", qemu, args.swiftlet_kernel, args.image,
                    f"{args.plugin},switch={swiftlet_switch:#x},wfi=1", "fsbench counters", args.log_dir, args.timeout)

    # The empty row is the loop's own cost per iteration: the other rows are
    # given without it.
    xv6_base, swiftlet_base, own_base = xv6["call"][1], swiftlet["call"][1], swiftlet["call"][3]
    print("| row | iterations | xv6 busy/op | Swiftlet busy/op | Swiftlet ÷ xv6 | Swiftlet's own counters, busy/op | one operation |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, what in ROWS.items():
        if name not in xv6 or name not in swiftlet:
            sys.exit(f"xv6-bench: row {name} missing")
        iterations, xv6_busy, _, _ = xv6[name]
        _, swiftlet_busy, _, own = swiftlet[name]
        if name != "call":
            xv6_busy, swiftlet_busy, own = xv6_busy - xv6_base, swiftlet_busy - swiftlet_base, own - own_base
        ratio = swiftlet_busy / xv6_busy if xv6_busy else float("nan")
        print(f"| {name} | {iterations} | {xv6_busy:,.0f} | {swiftlet_busy:,.0f} | {ratio:.2f} | {own:,.0f} | {what} |")
    print("(busy: executed instructions, idle left out; every row but call less call's figure, the loop's cost)")

if __name__ == "__main__":
    main()
