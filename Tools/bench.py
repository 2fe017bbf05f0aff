#!/usr/bin/env python3
"""Boots Swiftlet's bench image in QEMU and prints its figures as tables.

    Tools/bench.py --arch ARCH --pass-status N --kernel ELF
                   --objdump LLVM-OBJDUMP --log LOGFILE -- qemu-system-... -kernel ELF

The guest (init in bench mode) boots to the shell's first prompt, where the
kernel prints its boot figures line, then runs User/Programs/bench, which
prints one `bench NAME ITERATIONS COUNTER=PER-OP ...` line per benchmark,
and powers off with halt(0) when every operation went as expected. This
script fails unless QEMU exits with the pass status, bench reports no
failures and every expected line is there. Everything it prints comes from
the image and the guest's counters, nothing from the host's clock, so under
-icount two runs print the same tables (make bench-twice checks that)."""
import argparse, re, subprocess, sys

BENCHMARKS = {
    "call": "loop + indirect call, no kernel entry (the other rows' overhead)",
    "getpid": "null system call",
    "sbrk": "sbrk(+4096), write the page, sbrk(-4096)",
    "fork": "fork + child exit(0) + wait",
    "exec": "fork + exec(true) + exit + wait",
    "forkheap": "fork + child exit(0) + wait, with 1 MiB of touched heap",
    "pipe": "1-byte round trip through two pipes to another process",
    "fault": "fork + child reads an unmapped page, killed + wait",
    "create": "open(O_CREATE) + write 4 KiB + close + unlink",
    "write1m": "1 MiB written in 4 KiB writes, as 4 files of 256 KiB (the largest file is 268 KiB), O_TRUNC each",
    "read1m": "the same 1 MiB read back in 4 KiB reads, each block's stamp checked",
    "ls100": "what ls does for a directory of 100 files, without printing: read its entries, stat each",
}

BOOT = re.compile(r"^boot figures: first prompt after (\d+) instructions; (\d+) of (\d+) frames in use; "
                  r"(\d+) kernel heap bytes in use$")
BENCH = re.compile(r"^bench (\S+) (\d+)((?: \S+=\d+\.\d\d)+)$")


def sections(objdump, path):
    """(name, size) of every allocated section of an ELF file, from llvm-objdump -h."""
    out = subprocess.run([objdump, "-h", path], check=True, capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        fields = line.split()
        # Idx Name Size VMA [LMA] [Type]: only sections with a type take memory.
        if len(fields) >= 5 and fields[0].isdigit() and fields[1].startswith("."):
            if fields[-1] in ("TEXT", "DATA", "BSS"):
                result.append((fields[1], int(fields[2], 16), fields[-1]))
    return result


def fail(message, log):
    print(f"bench: FAILED: {message} (log: {log})", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    for option in ("--arch", "--kernel", "--objdump", "--log"):
        parser.add_argument(option, required=True)
    parser.add_argument("--pass-status", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("qemu", nargs="+")
    args = parser.parse_args()

    try:
        run = subprocess.run(args.qemu, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=args.timeout)
        output, status = run.stdout, run.returncode
    except subprocess.TimeoutExpired as expired:
        output, status = expired.stdout or b"", None
    with open(args.log, "wb") as log:
        log.write(output)
    lines = output.decode("utf-8", "replace").replace("\r", "").splitlines()
    if status is None:
        fail(f"QEMU still running after {args.timeout} s", args.log)
    if status != args.pass_status:
        fail(f"QEMU exited with status {status}, not {args.pass_status}", args.log)
    if "bench: 0 failures" not in lines:
        fail("bench did not report 0 failures", args.log)

    boot = next((m for m in map(BOOT.match, lines) if m), None)
    if boot is None:
        fail("no boot figures line", args.log)
    results = [m for m in map(BENCH.match, lines) if m]
    names = [m.group(1) for m in results]
    missing = [name for name in BENCHMARKS if name not in names]
    if missing:
        fail("no figures for " + ", ".join(missing), args.log)

    counters = [pair.split("=")[0] for pair in results[0].group(3).split()]
    print(f"Swiftlet benchmarks, {args.arch}, QEMU -icount shift=0, one CPU "
          f"(per operation; under -icount the counters are deterministic)")
    print()
    print("| benchmark | iterations | " + " | ".join(f"{c}/op" for c in counters) + " | what one operation is |")
    print("|---|---:|" + "---:|" * len(counters) + "---|")
    for m in results:
        values = [pair.split("=")[1] for pair in m.group(3).split()]
        print(f"| {m.group(1)} | {m.group(2)} | " + " | ".join(values) + f" | {BENCHMARKS.get(m.group(1), '')} |")
    print()

    print("Kernel image (bench image; the interactive image differs by a few bytes)")
    print()
    print("| section | kind | bytes |")
    print("|---|---|---:|")
    total = 0
    for name, size, kind in sections(args.objdump, args.kernel):
        print(f"| {name} | {kind.lower()} | {size} |")
        total += size
    print(f"| (all) | | {total} |")
    print()

    instructions, used, managed, heap = (int(boot.group(i)) for i in range(1, 5))
    print("Boot, at the shell's first prompt (init and sh running)")
    print()
    print("| figure | value |")
    print("|---|---:|")
    print(f"| instructions from reset | {instructions} |")
    print(f"| frames in use (of {managed} the allocator manages) | {used} ({used * 4} KiB) |")
    print(f"| kernel heap bytes in use | {heap} |")


if __name__ == "__main__":
    main()
