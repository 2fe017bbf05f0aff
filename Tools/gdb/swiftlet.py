# gdb commands for Swiftlet's RISC-V kernel (load with `source Tools/gdb/swiftlet.py`;
# `make gdb` does). They read the kernel's own globals and structures:
#
#   swiftlet ps                 every process slot in use
#   swiftlet proc [SLOT]        the current process (Scheduler.currentSlot), or SLOT
#   swiftlet walk ADDR [SLOT|kernel|satp]
#                               the Sv39 walk for ADDR: each level's PTE, the leaf's
#                               physical address and permissions, the layout region
#   swiftlet trapframe [SLOT]   the user registers saved in a process's trap frame
#   swiftlet region ADDR        which layout region ADDR falls in
#
# Where things are:
# - globals by their mangled names, found with llvm-nm in the kernel ELF
#   (Embedded Swift mangles with a `$e` prefix: `$e6Kernel9SchedulerO11currentSlotSivpZ`);
# - struct field offsets from the kernel's DWARF (it is built with -g), read with
#   pyelftools; Swift 6.3 reports the offset of a field that follows a one-byte field
#   without its alignment (Process.pid says 1, it is 8), so offsets are re-aligned;
# - layout addresses from Tools/gdb/swiftlet_layout.py, which `make maps` generates
#   from the layout tables.
# Memory is read physically (QEMU's Qqemu.PhyMemMode), so the commands work
# whichever page table satp holds, user or kernel: the RISC-V kernel maps RAM at
# its physical addresses, so a kernel pointer is also a physical address.

import os
import re
import struct
import subprocess
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swiftlet_layout  # noqa: E402  (generated next to this file)

LAYOUT = swiftlet_layout.RISCV64
CONSTANTS = LAYOUT["constants"]
PAGE = 4096
STATES = ["unused", "embryo", "sleeping", "runnable", "running", "zombie"]
REGISTER_NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
                  "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
                  "s11", "t3", "t4", "t5", "t6"]

# Offsets of this kernel build, used only when the DWARF cannot be read (no
# pyelftools): Process fields, Process stride, UserTrapFrame fields.
FALLBACK = {
    "Process": {"__size__": 1448, "state": 0, "pid": 8, "parent": 16, "killed": 24, "exitStatus": 32,
                "name": 56, "space": 72},
    "UserTrapFrame": {"__size__": 296, "registers": 0, "kernelSatp": 256, "kernelStack": 264,
                      "kernelTrap": 272, "userPC": 280, "hart": 288},
}


def kernel_file():
    progspace = gdb.current_progspace()
    if progspace.filename is None:
        raise gdb.GdbError("swiftlet: no kernel loaded (file build/riscv64/kernel.elf)")
    return progspace.filename


_symbols = {}


def symbols():
    """Global symbols of the kernel ELF: name -> address (llvm-nm, else nm)."""
    path = kernel_file()
    if path in _symbols:
        return _symbols[path]
    swift_bin = os.environ.get("SWIFT_BIN", "/opt/swift/usr/bin")
    table = {}
    for tool in (os.path.join(swift_bin, "llvm-nm"), "llvm-nm", "nm"):
        try:
            out = subprocess.run([tool, path], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            continue
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3:
                table[parts[2]] = int(parts[0], 16)
        break
    if not table:
        raise gdb.GdbError("swiftlet: could not list the kernel's symbols (llvm-nm or nm)")
    _symbols[path] = table
    return table


def symbol(pattern):
    """Address of the one symbol whose mangled name matches `pattern`."""
    found = [(name, address) for name, address in symbols().items() if re.search(pattern, name)]
    if len(found) != 1:
        raise gdb.GdbError("swiftlet: expected one symbol matching %s, found %d" % (pattern, len(found)))
    return found[0][1]


_layouts = {}


def struct_layout(name):
    """Field offsets (and `__size__`) of the Swift struct `name`, from DWARF."""
    path = kernel_file()
    key = (path, name)
    if key in _layouts:
        return _layouts[key]
    layout = None
    try:
        layout = dwarf_struct(path, name)
    except ImportError:
        pass
    if layout is None:
        layout = FALLBACK.get(name)
        if layout is None:
            raise gdb.GdbError("swiftlet: no layout for %s (install python3-pyelftools)" % name)
    _layouts[key] = layout
    return layout


def dwarf_struct(path, name):
    from elftools.elf.elffile import ELFFile
    with open(path, "rb") as stream:
        elf = ELFFile(stream)
        if not elf.has_dwarf_info():
            return None
        dwarf = elf.get_dwarf_info()
        for unit in dwarf.iter_CUs():
            for die in unit.iter_DIEs():
                if die.tag != "DW_TAG_structure_type":
                    continue
                attribute = die.attributes.get("DW_AT_name")
                if attribute is None or attribute.value.decode() != name or "DW_AT_byte_size" not in die.attributes:
                    continue
                fields = {}
                end = 0
                for child in die.iter_children():
                    if child.tag != "DW_TAG_member" or "DW_AT_data_member_location" not in child.attributes:
                        continue
                    member_type = child.get_DIE_from_attribute("DW_AT_type")
                    size = member_type.attributes["DW_AT_byte_size"].value if "DW_AT_byte_size" in member_type.attributes else 8
                    align = natural_alignment(member_type, size)
                    offset = max(child.attributes["DW_AT_data_member_location"].value, end)
                    offset = (offset + align - 1) // align * align
                    fields[child.attributes["DW_AT_name"].value.decode()] = offset
                    end = offset + size
                fields["__size__"] = (die.attributes["DW_AT_byte_size"].value + 7) // 8 * 8
                return fields
    return None


def natural_alignment(die, size):
    """Alignment of a member type: its widest scalar, at most 8 bytes."""
    widest = 1
    stack = [(die, 0)]
    while stack:
        node, depth = stack.pop()
        node_size = node.attributes["DW_AT_byte_size"].value if "DW_AT_byte_size" in node.attributes else 0
        children = [c for c in node.iter_children() if c.tag == "DW_TAG_member" and "DW_AT_type" in c.attributes]
        if not children or depth > 6:
            if node.tag in ("DW_TAG_base_type", "DW_TAG_pointer_type") or not children:
                widest = max(widest, min(node_size, 8) if node_size in (1, 2, 4, 8) else 1)
            continue
        for child in children:
            stack.append((child.get_DIE_from_attribute("DW_AT_type"), depth + 1))
    if widest == 1 and size in (2, 4, 8) and die.attributes.get("DW_AT_name") is not None:
        # Swift's scalar wrappers (Int, UInt64, ...) hold a typedef'd builtin.
        if die.attributes["DW_AT_name"].value.decode() in ("Int", "UInt", "Int64", "UInt64", "Int32", "UInt32",
                                                             "Int16", "UInt16"):
            widest = size
    return widest


class PhysicalMode:
    """Reads guest memory by physical address while in effect."""

    def __enter__(self):
        gdb.execute("maintenance packet Qqemu.PhyMemMode:1", to_string=True)
        return self

    def __exit__(self, *exc):
        gdb.execute("maintenance packet Qqemu.PhyMemMode:0", to_string=True)
        return False


def read(address, size):
    return bytes(gdb.selected_inferior().read_memory(address, size))


def u64(address):
    return struct.unpack("<Q", read(address, 8))[0]


def i64(address):
    return struct.unpack("<q", read(address, 8))[0]


def hexa(value):
    """0x... with `_` every four digits, as Swiftlet writes addresses."""
    digits = "%X" % value
    groups = []
    while digits:
        groups.insert(0, digits[-4:])
        digits = digits[:-4]
    return "0x" + "_".join(groups)


def region_name(address, table="process"):
    """The smallest layout row holding `address` (a slot's guard before its region)."""
    rows = [(last - first, name) for first, last, name, kind in LAYOUT[table] if first <= address <= last]
    return min(rows)[1] if rows else "outside the layout"


def process_table():
    """(base address, stride) of the process table, or None before it exists."""
    storage = u64(symbol(r"9ProcessesO7storage.*vpZ$"))
    if storage == 0:
        return None
    return storage, struct_layout("Process")["__size__"]


def current_slot():
    return i64(symbol(r"9SchedulerO11currentSlotSivpZ$"))


def slot_address(slot):
    table = process_table()
    if table is None:
        raise gdb.GdbError("swiftlet: the process table is not set up yet")
    base, stride = table
    return base + slot * stride


def process_fields(slot):
    fields = struct_layout("Process")
    at = slot_address(slot)
    raw_name = read(at + fields["name"], 16)
    return {
        "slot": slot,
        "state": STATES[read(at + fields["state"], 1)[0]] if read(at + fields["state"], 1)[0] < len(STATES) else "?",
        "pid": i64(at + fields["pid"]),
        "parent": i64(at + fields["parent"]),
        "killed": read(at + fields["killed"], 1)[0] != 0,
        "name": raw_name.split(b"\0")[0].decode(errors="replace"),
        # Optional<AddressSpace>: the payload first; AddressSpace starts with its
        # PageTable, which starts with the root's frame number.
        "root": u64(at + fields["space"]) * PAGE,
    }


def parse_slot(argument):
    if argument:
        return int(gdb.parse_and_eval(argument))
    slot = current_slot()
    if slot < 0:
        raise gdb.GdbError("swiftlet: no current process (the CPU is in the scheduler); give a slot")
    return slot


def describe(process):
    return "slot %d  pid %d  %-8s  %-15s parent slot %d%s  page table %s" % (
        process["slot"], process["pid"], process["state"], process["name"], process["parent"],
        "  killed" if process["killed"] else "", hexa(process["root"]))


def sv39_walk(root, address):
    """Each level's (level, PTE address, PTE); the last is a leaf, invalid, or level 0."""
    steps = []
    table = root
    for level in (2, 1, 0):
        index = (address >> (12 + 9 * level)) & 0x1FF
        entry_address = table + 8 * index
        entry = u64(entry_address)
        steps.append((level, index, entry_address, entry))
        if entry & 1 == 0 or entry & 0xE != 0:  # invalid, or a leaf (R, W or X set)
            break
        table = (entry >> 10) << 12
    return steps


def permissions(entry):
    return "".join(flag if entry & bit else "-" for flag, bit in
                   (("r", 2), ("w", 4), ("x", 8), ("u", 16), ("g", 32), ("a", 64), ("d", 128)))


class Swiftlet(gdb.Command):
    """Swiftlet kernel helpers: swiftlet ps | proc | walk | trapframe | region."""

    def __init__(self):
        super().__init__("swiftlet", gdb.COMMAND_USER, prefix=True)


class Ps(gdb.Command):
    """List every process slot in use."""

    def __init__(self):
        super().__init__("swiftlet ps", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        with PhysicalMode():
            table = process_table()
            if table is None:
                print("no process table yet")
                return
            current = current_slot()
            for slot in range(CONSTANTS.get("processSlots", 64)):
                process = process_fields(slot)
                if process["state"] != "unused":
                    print(("* " if slot == current else "  ") + describe(process))


class Proc(gdb.Command):
    """Show the current process (Scheduler.currentSlot), or the one in SLOT."""

    def __init__(self):
        super().__init__("swiftlet proc", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        with PhysicalMode():
            slot = parse_slot(argument.strip())
            print("current process: " + describe(process_fields(slot)))
            print("kernel stack: %s (one page above a guard page)" % hexa(CONSTANTS["kernelStack(0)"] - 2 * PAGE * slot))


class Walk(gdb.Command):
    """Walk the Sv39 page table for ADDR: swiftlet walk ADDR [SLOT | kernel | satp].
Without a second argument: the current process's table if there is one, else satp."""

    def __init__(self):
        super().__init__("swiftlet walk", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        words = gdb.string_to_argv(argument)
        if not words:
            raise gdb.GdbError("usage: swiftlet walk ADDR [SLOT|kernel|satp]")
        address = int(gdb.parse_and_eval(words[0].replace("_", ""))) & (2**64 - 1)
        satp = int(gdb.parse_and_eval("$satp")) & (2**64 - 1)
        with PhysicalMode():
            which = words[1] if len(words) > 1 else None
            if which is None and current_slot() >= 0:
                which = str(current_slot())
            if which in (None, "satp"):
                root, source = (satp & ((1 << 44) - 1)) << 12, "satp %s" % hexa(satp)
            elif which == "kernel":
                frame_satp = u64(symbol(r"RiscV64O10kernelSatps6UInt64VvpZ$"))
                root = (frame_satp & ((1 << 44) - 1)) << 12
                source = "kernel page table (satp %s)" % hexa(frame_satp)
            else:
                process = process_fields(int(which))
                root, source = process["root"], "page table of slot %d (pid %d %s)" % (
                    process["slot"], process["pid"], process["name"])
            if root == 0:
                raise gdb.GdbError("swiftlet: no page table (paging is off or the slot has no space)")
            print("walk %s in the %s, root %s" % (hexa(address), source, hexa(root)))
            if address >= CONSTANTS["maxVA"]:
                print("  %s is at or above MAXVA %s: no Sv39 table maps it" % (hexa(address), hexa(CONSTANTS["maxVA"])))
                return
            for level, index, entry_address, entry in sv39_walk(root, address):
                print("  level %d  index %3d  pte at %s = %s  %s" % (level, index, hexa(entry_address), hexa(entry),
                                                                   permissions(entry) if entry & 1 else "invalid"))
                if entry & 1 == 0:
                    print("  not mapped (%s)" % region_name(address, "kernel" if which == "kernel" else "process"))
                    return
                if entry & 0xE:
                    size = 1 << (12 + 9 * level)
                    physical = ((entry >> 10) << 12) + (address & (size - 1))
                    print("  -> physical %s  (%s page, %s)" % (hexa(physical), {0: "4 KiB", 1: "2 MiB", 2: "1 GiB"}[level],
                                                              permissions(entry)))
                    print("  region: %s" % region_name(address, "kernel" if which == "kernel" else "process"))
                    return
            print("  level 0 entry is not a leaf: malformed table")


class TrapFrame(gdb.Command):
    """Show the user registers saved in the trap frame of the current process or SLOT."""

    def __init__(self):
        super().__init__("swiftlet trapframe", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        fields = struct_layout("UserTrapFrame")
        with PhysicalMode():
            process = process_fields(parse_slot(argument.strip()))
            steps = sv39_walk(process["root"], CONSTANTS["trapFrame"])
            level, _, _, entry = steps[-1]
            if entry & 1 == 0 or entry & 0xE == 0:
                raise gdb.GdbError("swiftlet: slot %d has no trap frame mapped" % process["slot"])
            frame = ((entry >> 10) << 12) + (CONSTANTS["trapFrame"] & ((1 << (12 + 9 * level)) - 1))
            print("trap frame of pid %d (%s): virtual %s, physical %s" % (
                process["pid"], process["name"], hexa(CONSTANTS["trapFrame"]), hexa(frame)))
            pc = u64(frame + fields["userPC"])
            print("  pc  %s  (%s)" % (hexa(pc), region_name(pc)))
            registers = [u64(frame + fields["registers"] + 8 * n) for n in range(32)]
            for row in range(1, 32, 4):
                print("  " + "  ".join("%-3s %18s" % (REGISTER_NAMES[n], hexa(registers[n])) for n in range(row, min(row + 4, 32))))
            print("  a7 (system call number) = %d" % registers[17])
            print("  kernel satp %s  kernel sp %s  kernel trap %s  hart %d" % (
                hexa(u64(frame + fields["kernelSatp"])), hexa(u64(frame + fields["kernelStack"])),
                hexa(u64(frame + fields["kernelTrap"])), u64(frame + fields["hart"])))


class Region(gdb.Command):
    """Name the layout region of ADDR in a process's and in the kernel's address space."""

    def __init__(self):
        super().__init__("swiftlet region", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        address = int(gdb.parse_and_eval(argument.strip().replace("_", ""))) & (2**64 - 1)
        print("%s: process space: %s; kernel space: %s" % (hexa(address), region_name(address, "process"),
                                                            region_name(address, "kernel")))


Swiftlet()
Ps()
Proc()
Walk()
TrapFrame()
Region()
print("swiftlet: commands loaded: swiftlet ps | proc [SLOT] | walk ADDR [SLOT|kernel|satp] | trapframe [SLOT] | region ADDR")
