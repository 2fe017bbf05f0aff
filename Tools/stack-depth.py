#!/usr/bin/env python3
"""Worst-case kernel stack use from an entry point, from the disassembly:
each function's frame (its `addi sp, sp, -N`) plus the deepest chain of
direct calls below it. Recursive calls are followed `--recursion` times
(page-table walks recurse once per level). Used to keep every path from a
trap within one page of kernel stack."""
import re, subprocess, sys, argparse

parser = argparse.ArgumentParser()
parser.add_argument("elf")
parser.add_argument("entry", nargs="+")
parser.add_argument("--objdump", default="/opt/swift/usr/bin/llvm-objdump")
parser.add_argument("--recursion", type=int, default=3)
parser.add_argument("--limit", type=int, default=0, help="fail when deeper than this many bytes")
args = parser.parse_args()

text = subprocess.run([args.objdump, "-d", "--no-show-raw-insn", args.elf], capture_output=True, text=True).stdout
frames, calls, current = {}, {}, None
for line in text.splitlines():
    m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
    if m:
        if m.group(1).startswith(".L"): continue  # a local label inside the function
        current = m.group(1); frames.setdefault(current, 0); calls.setdefault(current, set()); continue
    if current is None: continue
    m = re.search(r"addi\s+sp, sp, -(0x[0-9a-f]+|\d+)", line) or re.search(r"sub[q]?\s+\$(0x[0-9a-f]+), %rsp", line)
    if m:
        frames[current] += int(m.group(1), 0)
    m = re.search(r"\b(?:jal|jalr|call|callq|jmp|tail|j)\s.*<([^>+]+)>", line)
    if m:
        calls[current].add(m.group(1))

sys.setrecursionlimit(10000)
memo = {}
def depth(fn, stack):
    if stack.count(fn) > args.recursion: return 0, []
    best, path = 0, []
    for callee in calls.get(fn, ()):
        if callee not in frames: continue
        d, p = depth(callee, stack + [fn])
        if d > best: best, path = d, p
    return frames.get(fn, 0) + best, [fn] + path

worst = 0
for entry in args.entry:
    names = [f for f in frames if entry in f]
    for name in names:
        d, path = depth(name, [])
        worst = max(worst, d)
        print(f"{d:6d} bytes from {name}")
        for fn in path:
            print(f"        {frames.get(fn,0):5d}  {fn[:110]}")
if args.limit and worst > args.limit:
    print(f"deepest path {worst} bytes exceeds {args.limit}")
    sys.exit(1)
