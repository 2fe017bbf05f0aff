#!/usr/bin/env python3
"""Worst-case kernel stack use from an entry point, from the disassembly:
each function's frame plus the deepest chain of direct calls below it.
Recursive calls are followed `--recursion` times (page-table walks recurse
once per level). Used to keep every path from a trap within one page of
kernel stack.

A function's frame is everything it takes from the stack pointer:
- RISC-V: `addi sp, sp, -N`, and `sub sp, sp, rX` where rX holds a constant
  built in the same function (`lui`/`addi`/`li`, how large frames are made);
  the prologue of an outlined function (`jal t0, OUTLINED_FUNCTION_n`, whose
  `addi sp, sp, -N` stays in effect after it returns) counts as the caller's.
- x86-64: `sub $N, %rsp`, `sub %reg, %rsp` with a constant from `mov $N`,
  8 bytes per `push`, and 8 for the return address of every call.

What it cannot see is printed after each path, not silently left out:
calls through a register (function values, closures, protocol witnesses,
switch tables), and stack adjustments by a register it could not resolve
to a constant, in any function reachable from the entry. `--strict` fails
when there are any."""
import re, subprocess, sys, argparse

parser = argparse.ArgumentParser()
parser.add_argument("elf")
parser.add_argument("entry", nargs="+")
parser.add_argument("--objdump", default="/opt/swift/usr/bin/llvm-objdump")
parser.add_argument("--recursion", type=int, default=3)
parser.add_argument("--limit", type=int, default=0, help="fail when deeper than this many bytes")
parser.add_argument("--strict", action="store_true", help="fail when something reachable cannot be seen")
args = parser.parse_args()

text = subprocess.run([args.objdump, "-d", "--no-show-raw-insn", args.elf], capture_output=True, text=True).stdout

NUMBER = r"(-?0x[0-9a-f]+|-?\d+)"
frames, calls, outlined_calls = {}, {}, {}
indirect, dynamic = {}, {}
constants = {}
current = None
x86 = False


def function(name):
    frames.setdefault(name, 0)
    calls.setdefault(name, set())
    outlined_calls.setdefault(name, [])
    indirect.setdefault(name, 0)
    dynamic.setdefault(name, 0)


for line in text.splitlines():
    if "file format elf64-x86-64" in line:
        x86 = True
    m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
    if m:
        if m.group(1).startswith(".L"):
            continue  # a local label inside the function
        current = m.group(1)
        function(current)
        constants = {}
        continue
    if current is None:
        continue
    body = line.split(":", 1)[-1].strip()
    if x86:
        m = re.match(r"sub[q]?\s+\$" + NUMBER + r", %rsp", body)
        if m:
            frames[current] += int(m.group(1), 0)
            continue
        m = re.match(r"mov[lq]?\s+\$" + NUMBER + r", %(\w+)", body)
        if m:
            constants[m.group(2).lstrip("er")] = int(m.group(1), 0)
        m = re.match(r"sub[q]?\s+%(\w+), %rsp", body)
        if m:
            value = constants.get(m.group(1).lstrip("er"))
            if value is None:
                dynamic[current] += 1
            else:
                frames[current] += value
            continue
        if re.match(r"push[qw]?\s", body):
            frames[current] += 8
            continue
        if re.match(r"call[q]?\s+\*", body):
            indirect[current] += 1
            continue
        m = re.match(r"(?:call|callq|jmp|jmpq)\s.*<([^>+]+)>", body)
        if m:
            calls[current].add(m.group(1))
        continue
    # RISC-V.
    m = re.match(r"(?:c\.)?addi\s+sp, sp, " + NUMBER + "$", body)
    if m:
        value = int(m.group(1), 0)
        if value < 0:
            frames[current] += -value
        continue
    m = re.match(r"lui\s+(\w+), " + NUMBER + "$", body)
    if m:
        constants[m.group(1)] = int(m.group(2), 0) << 12
        continue
    m = re.match(r"li\s+(\w+), " + NUMBER + "$", body)
    if m:
        constants[m.group(1)] = int(m.group(2), 0)
        continue
    m = re.match(r"addiw?\s+(\w+), (\w+), " + NUMBER + "$", body)
    if m and m.group(1) != "sp":
        base = constants.get(m.group(2))
        constants[m.group(1)] = None if base is None else base + int(m.group(3), 0)
        continue
    m = re.match(r"sub\s+sp, sp, (\w+)$", body)
    if m:
        value = constants.get(m.group(1))
        if value is None:
            dynamic[current] += 1
        else:
            frames[current] += value
        continue
    m = re.match(r"add\s+sp, sp, (\w+)$", body)
    if m:
        continue  # giving stack back
    m = re.match(r"jal\s+t0, .*<([^>+]+)>", body)
    if m:
        outlined_calls[current].append(m.group(1))  # an outlined prologue or epilogue
        continue
    m = re.match(r"(?:jalr|jr|c\.jalr|c\.jr)\s+(\w+)$", body)
    if m and m.group(1) not in ("ra", "t0"):
        indirect[current] += 1  # through a register; `jr ra` returns, `jr t0` ends an outlined piece
        continue
    m = re.search(r"\b(?:jal|call|tail|j)\s.*<([^>+]+)>", body)
    if m:
        calls[current].add(m.group(1))

# Outlined prologues run in the caller's frame.
for name, pieces in outlined_calls.items():
    frames[name] += sum(frames.get(piece, 0) for piece in pieces)
return_address = 8 if x86 else 0

sys.setrecursionlimit(10000)


def depth(fn, stack):
    if stack.count(fn) > args.recursion:
        return 0, []
    best, path = 0, []
    for callee in calls.get(fn, ()):
        if callee not in frames:
            continue
        d, p = depth(callee, stack + [fn])
        if d > best:
            best, path = d, p
    return frames.get(fn, 0) + return_address + best, [fn] + path


def reachable(entry):
    seen, todo = set(), [entry]
    while todo:
        fn = todo.pop()
        if fn in seen or fn not in frames:
            continue
        seen.add(fn)
        todo.extend(calls.get(fn, ()))
    return seen


worst = 0
unseen = 0
for entry in args.entry:
    names = [f for f in frames if entry in f]
    if not names:
        print(f"stack depth: no function matches {entry!r}")
        sys.exit(1)
    for name in names:
        d, path = depth(name, [])
        worst = max(worst, d)
        print(f"{d:6d} bytes from {name}")
        for fn in path:
            print(f"        {frames.get(fn, 0) + return_address:5d}  {fn[:110]}")
        scope = reachable(name)
        through = sorted(fn for fn in scope if indirect[fn])
        unresolved = sorted(fn for fn in scope if dynamic[fn])
        unseen += len(through) + len(unresolved)
        if through:
            print(f"  not seen: calls through a register in {len(through)} reachable functions "
                  f"({sum(indirect[fn] for fn in through)} sites), their callees not counted:")
            for fn in through[:12]:
                print(f"        {indirect[fn]:3d}  {fn[:110]}")
            if len(through) > 12:
                print(f"        ... and {len(through) - 12} more")
        if unresolved:
            print(f"  not seen: stack adjustments by a register in {len(unresolved)} reachable functions:")
            for fn in unresolved:
                print(f"        {dynamic[fn]:3d}  {fn[:110]}")
if args.limit and worst > args.limit:
    print(f"deepest path {worst} bytes exceeds {args.limit}")
    sys.exit(1)
if args.strict and unseen:
    print("stack depth: --strict and some calls or adjustments cannot be seen")
    sys.exit(1)
