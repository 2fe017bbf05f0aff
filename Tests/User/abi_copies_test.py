#!/usr/bin/env python3
"""Ties together the copies of ABI facts that C, user Swift and the kernel
each spell (part of make user-host-test):

- open() flags: User/include/fcntl.h, OpenFlags in User/Runtime/Syscalls.swift,
  FileCalls in Kernel/Syscall/FileCalls.swift, and xv6's values (its
  kernel/fcntl.h too, when XV6_DIR has it);
- system-call numbers: User/include/syscalls.def (the stubs' source),
  SyscallNumber in User/Runtime/Syscalls.swift and in Kernel/Syscall/SyscallNumber.swift;
  and every kernel SyscallNumber has its case in the dispatch switch of
  Kernel/Syscall/Syscalls.swift (which switches on the raw number, so the
  compiler cannot see a missing one: it would return -1);
- file types: User/include/stat.h and FileStatus in User/Runtime/Records.swift;
- the records the kernel writes into user memory: struct memregion
  (User/include/user.h, MemoryRegion in User/Runtime/Records.swift, the
  kernel's Kernel/Syscall/MemoryCalls.swift) with its state values (MR_* and
  LayoutLineState in Sources/MemoryCore/Layout/LayoutText.swift) and struct exitinfo with its
  causes (user.h, ExitInfo and EndCause in Records.swift, the kernel's
  Kernel/Process/ProcessEnding.swift): sizes and field offsets.

    Tests/User/abi_copies_test.py [XV6_DIR]

One line per disagreement, then "abi copies: N passed, M failed"."""
import os, re, sys

checks = failures = 0


def agree(what, copies):
    """copies: {source: value}; every value must be the same."""
    global checks, failures
    checks += 1
    values = set(copies.values())
    if len(values) != 1 or None in values:
        failures += 1
        print(f"FAIL {what}: " + ", ".join(f"{k} says {v}" for k, v in copies.items()))


def read(path):
    with open(path) as f:
        return f.read()


def c_defines(text):
    return {m[0]: int(m[1], 0) for m in re.findall(r"#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)", text)}


def swift_lets(text, pattern=r"static let (\w+)(?:: \w+)? = (?:OpenFlags\(raw: )?(0x[0-9a-fA-F_]+|\d+)"):
    return {m[0]: int(m[1].replace("_", ""), 0) for m in re.findall(pattern, text)}


root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(root)

# open() flags
fcntl = c_defines(read("User/include/fcntl.h"))
user_flags = swift_lets(read("User/Runtime/Syscalls.swift"))
kernel_flags = swift_lets(read("Kernel/Syscall/FileCalls.swift"))
xv6_values = {"O_RDONLY": 0x000, "O_WRONLY": 0x001, "O_RDWR": 0x002, "O_CREATE": 0x200, "O_TRUNC": 0x400}
xv6_header = {}
if len(sys.argv) > 1 and os.path.exists(os.path.join(sys.argv[1], "kernel/fcntl.h")):
    xv6_header = c_defines(read(os.path.join(sys.argv[1], "kernel/fcntl.h")))
for c_name, user_name, kernel_name in [
    ("O_RDONLY", "readOnly", None),
    ("O_WRONLY", "writeOnly", "openWriteOnly"),
    ("O_RDWR", "readWrite", "openReadWrite"),
    ("O_CREATE", "create", "openCreate"),
    ("O_TRUNC", "truncate", "openTruncate"),
]:
    copies = {"fcntl.h": fcntl.get(c_name), "OpenFlags": user_flags.get(user_name), "xv6": xv6_values[c_name]}
    if kernel_name:
        copies["kernel FileCalls"] = kernel_flags.get(kernel_name)
    if xv6_header:
        copies["xv6 kernel/fcntl.h"] = xv6_header.get(c_name)
    agree(c_name, copies)

# system-call numbers
definitions = {m[0]: int(m[1]) for m in re.findall(r"^SYSCALL\((\w+), (\d+)\)", read("User/include/syscalls.def"), re.M)}
user_numbers = {m[0]: int(m[1]) for m in re.findall(r"(\w+) = (\d+)", read("User/Runtime/Syscalls.swift").split("public enum SyscallNumber")[1])}
kernel_text = read("Kernel/Syscall/SyscallNumber.swift")
kernel_numbers, next_number = {}, None
for case in re.findall(r"case ([^\n]+)", kernel_text):
    for item in case.split(","):
        name, _, number = item.strip().partition(" = ")
        next_number = int(number) if number else next_number + 1
        kernel_numbers[name.strip()] = next_number
kernel_by_number = {v: k for k, v in kernel_numbers.items()}
agree("syscall count", {"syscalls.def": len(definitions), "user SyscallNumber": len(user_numbers),
                        "kernel SyscallNumber": len(kernel_numbers)})
for name, number in definitions.items():
    agree(f"syscall {name}", {"syscalls.def": number, "user SyscallNumber": user_numbers.get(name),
                              "kernel SyscallNumber": kernel_numbers.get(name, number if number in kernel_by_number
                                                                         and number > 21 else None)})

dispatched = re.findall(r"case SyscallNumber\.(\w+)\.rawValue", read("Kernel/Syscall/Syscalls.swift"))
for name in kernel_numbers:
    agree(f"syscall {name} dispatched", {"SyscallNumber": 1, "Syscalls.swift switch": dispatched.count(name) or None})

# file types
stat = c_defines(read("User/include/stat.h"))
records = swift_lets(read("User/Runtime/Records.swift"), r"static let (directory|file|device): Int16 = (\d+)")
for c_name, swift_name in [("T_DIR", "directory"), ("T_FILE", "file"), ("T_DEVICE", "device")]:
    agree(c_name, {"stat.h": stat.get(c_name), "FileStatus": records.get(swift_name)})

# records: offsets in C come from user.h's struct (natural alignment)
C_SIZES = {"uint64": 8, "int64": 8, "uint32": 4, "uint": 4, "int": 4, "ushort": 2, "short": 2, "char": 1}


def c_struct(name):
    """Field name -> offset, and the struct's size."""
    block = re.search(r"struct " + name + r" \{(.*?)\};", read("User/include/user.h"), re.S).group(1)
    fields, offset, align = {}, 0, 1
    for type_, field, count in re.findall(r"^\s*(\w+) (\w+)(?:\[(\w+)\])?;", block, re.M):
        size = C_SIZES[type_]
        offset = (offset + size - 1) // size * size
        fields[field] = offset
        offset += size * (int(count) if count else 1)
        align = max(align, size)
    return fields, (offset + align - 1) // align * align


def swift_type(path, name):
    text = read(path)
    start = text.index("struct " + name)
    return text[start:text.index("\n}\n", start)]


def int_let(text, name):
    match = re.search(r"static let " + name + r"(?:: \w+)? = (\d+)", text)
    return int(match.group(1)) if match else None


region, region_size = c_struct("memregion")
runtime = swift_type("User/Runtime/Records.swift", "MemoryRegion")
kernel = read("Kernel/Syscall/MemoryCalls.swift")
runtime_loads = [int(x) for x in re.findall(r"fromByteOffset: (\d+)", runtime)]
kernel_stores = [int(x) for x in re.findall(r"store\(&record, at: (\d+)", kernel)]
agree("memregion size", {"user.h": region_size, "MemoryRegion": int_let(runtime, "size"), "kernel": int_let(kernel, "recordSize")})
for index, field in enumerate(("start", "end", "perms", "flags", "state", "users")):
    agree(f"memregion {field}", {"user.h": region[field], "MemoryRegion": runtime_loads[index] if index < len(runtime_loads) else None,
                                 "kernel": kernel_stores[index] if index < len(kernel_stores) else None})
agree("memregion name", {"user.h": region["name"], "MemoryRegion": int(re.search(r"record \+ (\d+)", runtime).group(1)),
                         "kernel": int_let(kernel, "nameOffset")})
agree("memregion name capacity", {"user.h": region["state"] - region["name"], "MemoryRegion": int_let(runtime, "nameCapacity"),
                                  "kernel": int_let(kernel, "nameCapacity")})
# The state values: user.h's MR_* and LayoutLineState (LayoutText.swift, which
# the kernel and the user runtime both compile).
text_block = read("Sources/MemoryCore/Layout/LayoutText.swift")
text_block = text_block[text_block.index("enum LayoutLineState"):]
text_block = text_block[:text_block.index("\n}")]
layout_states = {k.strip("`"): int(v) for k, v in re.findall(r"case (`?\w+`?) = (\d+)", text_block)}
user_defines = c_defines(read("User/include/user.h"))
c_states = {k[3:].lower(): v for k, v in user_defines.items() if k in ("MR_PRIVATE", "MR_SHARED", "MR_LAZY")}
agree("memregion state count", {"user.h": len(c_states), "LayoutLineState": len(layout_states)})
for name in sorted(set(c_states) | set(layout_states)):
    agree(f"memregion state {name}", {"user.h": c_states.get(name), "LayoutLineState": layout_states.get(name)})

info, info_size = c_struct("exitinfo")
runtime = swift_type("User/Runtime/Records.swift", "ExitInfo")
kernel = read("Kernel/Process/ProcessEnding.swift")
runtime_loads = [int(x) for x in re.findall(r"fromByteOffset: (\d+)", runtime)]
agree("exitinfo size", {"user.h": info_size, "ExitInfo": int_let(runtime, "size"), "kernel": int_let(kernel, "recordSize")})
for index, field in enumerate(("pid", "status", "cause", "detail", "address", "pc")):
    agree(f"exitinfo {field}", {"user.h": info[field], "ExitInfo": runtime_loads[index] if index < len(runtime_loads) else None,
                                "kernel": int_let(kernel, field + "Offset")})
c_causes = {k[4:].lower(): v for k, v in c_defines(read("User/include/user.h")).items() if k.startswith("END_")}


def swift_causes(text):
    block = text[text.index("enum EndCause"):]
    block = block[:block.index("\n}")]
    return {k.lower(): int(v) for k, v in re.findall(r"case (\w+) = (\d+)", block)}


runtime_causes = swift_causes(read("User/Runtime/Records.swift"))
kernel_causes = swift_causes(kernel)
for name in sorted(set(c_causes) | set(runtime_causes) | set(kernel_causes)):
    agree(f"end cause {name}", {"user.h": c_causes.get(name), "EndCause (runtime)": runtime_causes.get(name),
                                "EndCause (kernel)": kernel_causes.get(name)})

print(f"abi copies: {checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
