#!/usr/bin/env python3
"""Ties together the copies of ABI facts that C, user Swift and the kernel
each spell (part of make user-host-test):

- open() flags: User/include/fcntl.h, OpenFlags in User/Runtime/Syscalls.swift,
  FileCalls in Kernel/Syscall/FileCalls.swift, and xv6's values (its
  kernel/fcntl.h too, when XV6_DIR has it);
- system-call numbers: User/include/syscalls.def (the stubs' source),
  SyscallNumber in User/Runtime/Syscalls.swift and in Kernel/Syscall/SyscallNumber.swift;
- file types: User/include/stat.h and FileStatus in User/Runtime/Records.swift.

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

# file types
stat = c_defines(read("User/include/stat.h"))
records = swift_lets(read("User/Runtime/Records.swift"), r"static let (directory|file|device): Int16 = (\d+)")
for c_name, swift_name in [("T_DIR", "directory"), ("T_FILE", "file"), ("T_DEVICE", "device")]:
    agree(c_name, {"stat.h": stat.get(c_name), "FileStatus": records.get(swift_name)})

print(f"abi copies: {checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
