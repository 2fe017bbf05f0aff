#!/usr/bin/env python3
"""Ties together the copies of each fact of the user-kernel interface that
Swiftlet writes in more than one language, and fails on any disagreement:

  system-call numbers  User/include/syscalls.def (the source: the C stubs and
                       sysfuzz are generated from it), the kernel's
                       SyscallNumber.swift, the Swift runtime's Syscalls.swift
  struct memregion     User/include/user.h, User/Runtime/Records.swift,
                       Kernel/Syscall/MemoryCalls.swift
  struct exitinfo      User/include/user.h, User/Runtime/Records.swift,
                       Kernel/Process/ProcessEnding.swift (and the end causes)

    Tools/abi-check.py [ROOT]

Prints one line per fact checked and exits 1 if any copy disagrees."""
import re, sys, os

root = sys.argv[1] if len(sys.argv) > 1 else "."
problems = []


def read(path):
    return open(os.path.join(root, path)).read()


def check(what, ok, detail=""):
    print(f"abi: {what}: {'ok' if ok else 'FAILED ' + detail}")
    if not ok:
        problems.append(what)


# ---- system-call numbers ----
source = {int(n): name for name, n in re.findall(r"^SYSCALL\((\w+), (\d+)\)", read("User/include/syscalls.def"), re.M)}
check("syscalls.def lists calls 1..N without gaps", sorted(source) == list(range(1, len(source) + 1)), str(sorted(source)))

# The kernel spells Swiftlet's own calls in Swift's style; this maps them.
kernel_alias = {"freeFrames": "freeframes", "memoryMap": "memmap", "kernelHeap": "kheap", "waitInfo": "waitinfo"}
kernel_text = read("Kernel/Syscall/SyscallNumber.swift")
body = kernel_text[kernel_text.index("enum SyscallNumber"):]
kernel = {}
next_number = None
for line in body.splitlines():
    line = line.split("//")[0].strip()
    if not line.startswith("case "):
        continue
    for item in line[5:].split(","):
        item = item.strip()
        if "=" in item:
            name, value = [x.strip() for x in item.split("=")]
            next_number = int(value)
        else:
            name = item
        kernel[next_number] = kernel_alias.get(name, name)
        next_number += 1
check("kernel SyscallNumber.swift matches syscalls.def", kernel == source,
      str({n: (source.get(n), kernel.get(n)) for n in set(source) | set(kernel) if source.get(n) != kernel.get(n)}))

runtime_text = read("User/Runtime/Syscalls.swift")
numbers_block = runtime_text[runtime_text.index("public enum SyscallNumber"):]
runtime = {int(n): name for name, n in re.findall(r"(\w+) = (\d+)", numbers_block)}
check("runtime SyscallNumber matches syscalls.def", runtime == source,
      str({n: (source.get(n), runtime.get(n)) for n in set(source) | set(runtime) if source.get(n) != runtime.get(n)}))
externs = set(re.findall(r'@_extern\(c, "(\w+)"\)', runtime_text)) - {"usyscall"}
check("runtime declares a stub for every call", externs == set(source.values()),
      f"missing {set(source.values()) - externs}, extra {externs - set(source.values())}")


# ---- records ----
C_SIZES = {"uint64": 8, "int64": 8, "uint32": 4, "uint": 4, "int": 4, "int32": 4, "ushort": 2, "short": 2, "char": 1}


def c_struct(name):
    """Field name -> (offset, size) and the total size, from user.h (natural alignment)."""
    text = read("User/include/user.h")
    block = re.search(r"struct " + name + r" \{(.*?)\};", text, re.S).group(1)
    fields, offset, align = {}, 0, 1
    for type_, field, count in re.findall(r"^\s*(\w+) (\w+)(?:\[(\w+)\])?;", block, re.M):
        size = C_SIZES[type_]
        n = int(count) if count else 1
        offset = (offset + size - 1) // size * size
        fields[field] = (offset, size * n)
        offset += size * n
        align = max(align, size)
    return fields, (offset + align - 1) // align * align


def swift_loads(path, type_name):
    """Byte offsets a Swift reader loads fields from, in `type_name`'s init."""
    text = read(path)
    start = text.index("struct " + type_name)
    block = text[start:text.index("\n}\n", start)]
    return [int(x) for x in re.findall(r"fromByteOffset: (\d+)", block)], block


def constant(text, name):
    match = re.search(r"static let " + name + r"\s*(?::\s*\w+)?\s*=\s*(\d+)", text)
    return int(match.group(1)) if match else None


# struct memregion
fields, size = c_struct("memregion")
loads, block = swift_loads("User/Runtime/Records.swift", "MemoryRegion")
kernel_text = read("Kernel/Syscall/MemoryCalls.swift")
stores = [int(x) for x in re.findall(r"store\(&record, at: (\d+)", kernel_text)]
name_offset, name_size = fields["name"]
check("memregion: C, Swift and kernel sizes", size == constant(block, "size") == constant(kernel_text, "recordSize"),
      f"C {size}, runtime {constant(block, 'size')}, kernel {constant(kernel_text, 'recordSize')}")
check("memregion: the runtime reads the C offsets",
      loads == [fields[f][0] for f in ("start", "end", "perms", "flags")] and f"record + {name_offset}" in block
      and constant(block, "nameCapacity") == name_size, f"loads {loads}, C {fields}")
check("memregion: the kernel writes the C offsets",
      stores == [fields[f][0] for f in ("start", "end", "perms", "flags")]
      and constant(kernel_text, "nameOffset") == name_offset and constant(kernel_text, "nameCapacity") == name_size,
      f"stores {stores}, C {fields}")

# struct exitinfo and its causes
if os.path.exists(os.path.join(root, "Kernel/Process/ProcessEnding.swift")):
    fields, size = c_struct("exitinfo")
    loads, block = swift_loads("User/Runtime/Records.swift", "ExitInfo")
    kernel_text = read("Kernel/Process/ProcessEnding.swift")
    order = ("pid", "status", "cause", "detail", "address", "pc")
    offsets = [fields[f][0] for f in order]
    kernel_offsets = [constant(kernel_text, f + "Offset") for f in order]
    check("exitinfo: C, Swift and kernel sizes", size == constant(block, "size") == constant(kernel_text, "recordSize"),
          f"C {size}, runtime {constant(block, 'size')}, kernel {constant(kernel_text, 'recordSize')}")
    check("exitinfo: the runtime reads the C offsets", loads == offsets, f"loads {loads}, C {offsets}")
    check("exitinfo: the kernel writes the C offsets", kernel_offsets == offsets, f"kernel {kernel_offsets}, C {offsets}")
    c_causes = {name.lower(): int(v) for name, v in re.findall(r"#define END_(\w+) (\d+)", read("User/include/user.h"))}
    enum_text = kernel_text[kernel_text.index("enum EndCause"):]
    kernel_causes = {name.lower(): int(v) for name, v in re.findall(r"case (\w+) = (\d+)", enum_text)}
    runtime_text = read("User/Runtime/Records.swift")
    enum_text = runtime_text[runtime_text.index("enum EndCause"):]
    runtime_causes = {name.lower(): int(v) for name, v in re.findall(r"case (\w+) = (\d+)", enum_text)}
    check("end causes: user.h, runtime and kernel agree", c_causes == kernel_causes == runtime_causes,
          f"C {c_causes}, kernel {kernel_causes}, runtime {runtime_causes}")

print(f"abi: {len(problems)} problems")
sys.exit(1 if problems else 0)
