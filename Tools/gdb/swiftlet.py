# gdb commands for Swiftlet's kernels, RISC-V and x86-64 (load with
# `source Tools/gdb/swiftlet.py`; `make gdb` does). They read the kernel's own
# globals and structures:
#
#   swiftlet ps                 every process slot in use
#   swiftlet proc [SLOT]        the current process (its CPU's CPURecord.currentSlot), or SLOT
#   swiftlet walk ADDR [SLOT|kernel|satp|cr3]
#                               the page-table walk for ADDR (Sv39 or 4-level): each
#                               level's entry, the leaf's physical address and
#                               permissions, the layout region, the copy-on-write
#                               bit, the frame's users (the allocator's reference
#                               count) and the page's state: private, shared by N,
#                               or (not mapped) lazy in the heap or stack reserve
#   swiftlet trapframe [SLOT]   the user registers a process saved when it entered the kernel
#   swiftlet region ADDR        which layout region ADDR falls in
#
# The architecture comes from the loaded ELF's machine field; the parts that
# differ (walk format, where the kernel's pointers are in physical memory,
# where the saved user registers are) are the two Architecture classes below.
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
# whichever page table is loaded, user or kernel, and reach every frame. A kernel
# pointer is turned into a physical address first: on RISC-V it is one already
# (RAM is mapped at its physical addresses); on x86-64 the first 128 MiB of the
# kernel's top 2 GiB map physical memory from 0, and anything else (the heap,
# the kernel-extra window) is walked through the kernel's page table.

import os
import re
import struct
import subprocess
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swiftlet_layout  # noqa: E402  (generated next to this file)

PAGE = 4096
STATES = ["unused", "embryo", "sleeping", "runnable", "running", "zombie"]
PAGE_SIZES = {0: "4 KiB", 1: "2 MiB", 2: "1 GiB"}

# The layout of the loaded kernel's architecture; set when it is known
# (architecture()). gdb-test.sh reads CONSTANTS.
LAYOUT = swiftlet_layout.RISCV64
CONSTANTS = LAYOUT["constants"]


def kernel_file():
    progspace = gdb.current_progspace()
    if progspace.filename is None:
        raise gdb.GdbError("swiftlet: no kernel loaded (file build/ARCH/kernel-gdb.elf)")
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
        layout = architecture().fallback.get(name)
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


def hexa(value):
    """0x... with `_` every four digits, as Swiftlet writes addresses."""
    digits = "%X" % value
    groups = []
    while digits:
        groups.insert(0, digits[-4:])
        digits = digits[:-4]
    return "0x" + "_".join(groups)


def parse_address(text):
    return int(gdb.parse_and_eval(text.replace("_", ""))) & (2**64 - 1)


def region_name(address, table):
    """The smallest layout row holding `address` (a slot's guard before its region)."""
    rows = [(last - first, name) for first, last, name, kind in LAYOUT[table] if first <= address <= last]
    return min(rows)[1] if rows else "outside the layout"


# ------------------------------------------------------------ page tables
# Both schemes index each level with nine bits of the address above the
# 12-bit page offset; they differ in the number of levels and in the entry
# format.

def walk_steps(arch, root, address):
    """Each level's (level, index, entry address, entry); the last one is a
    leaf, not present, or a malformed level-0 entry."""
    steps = []
    table = root
    for level in range(arch.levels - 1, -1, -1):
        index = (address >> (12 + 9 * level)) & 0x1FF
        entry_address = table + 8 * index
        entry = u64(entry_address)
        steps.append((level, index, entry_address, entry))
        if not arch.present(entry) or arch.is_leaf(entry, level):
            break
        table = arch.entry_address(entry)
    return steps


def translate(arch, root, address):
    """(physical address, level, steps) of `address` in the table at `root`;
    physical is None when it is not mapped."""
    steps = walk_steps(arch, root, address)
    level, _, _, entry = steps[-1]
    if not arch.present(entry) or not arch.is_leaf(entry, level):
        return None, level, steps
    size = 1 << (12 + 9 * level)
    return arch.entry_address(entry) + (address & (size - 1)), level, steps


class RiscV64:
    """Sv39; one page table per process holds the user's pages, its trap
    frame and the trampoline; the kernel has a table of its own."""

    name = "riscv64"
    layout = swiftlet_layout.RISCV64
    levels = 3
    level_names = {2: "level 2", 1: "level 1", 0: "level 0"}
    root_register = "satp"
    # Offsets of a kernel build, used only when the DWARF cannot be read (no
    # pyelftools): Process fields, Process stride, UserTrapFrame fields.
    fallback = {
        "Process": {"__size__": 1448, "state": 0, "pid": 8, "parent": 16, "killed": 24, "exitStatus": 32,
                    "name": 56, "space": 72},
        "UserTrapFrame": {"__size__": 296, "registers": 0, "kernelSatp": 256, "kernelStack": 264,
                          "kernelTrap": 272, "userPC": 280, "cpuRecord": 288},
    }
    registers = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
                 "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
                 "s11", "t3", "t4", "t5", "t6"]

    @staticmethod
    def present(entry):
        return entry & 1 != 0

    @staticmethod
    def is_leaf(entry, level):
        return entry & 0xE != 0  # R, W or X set

    @staticmethod
    def entry_address(entry):
        return (entry >> 10) << 12

    @staticmethod
    def permissions(entry, steps):
        return "".join(flag if entry & bit else "-" for flag, bit in
                       (("r", 2), ("w", 4), ("x", 8), ("u", 16), ("g", 32), ("a", 64), ("d", 128)))

    # RSW bit 8 of a leaf (Sv39.copyOnWriteBit); U and W as above.
    copy_on_write_bit, user_bit, write_bit = 0x100, 16, 4

    @staticmethod
    def out_of_range(address):
        if address >= CONSTANTS["maxVA"]:
            return "at or above MAXVA %s: no Sv39 table maps it" % hexa(CONSTANTS["maxVA"])
        return None

    @staticmethod
    def kernel_physical(address):
        return address  # RAM is mapped at its physical addresses

    @staticmethod
    def current_root():
        satp = int(gdb.parse_and_eval("$satp")) & (2**64 - 1)
        return (satp & ((1 << 44) - 1)) << 12, "table in satp (%s)" % hexa(satp)

    @staticmethod
    def kernel_root():
        satp = kernel_u64(symbol(r"RiscV64O10kernelSatps6UInt64VvpZ$"))
        return (satp & ((1 << 44) - 1)) << 12, "kernel page table (satp %s)" % hexa(satp)

    @staticmethod
    def region_table(which):
        return "kernel" if which == "kernel" else "process"

    @staticmethod
    def kernel_stack(slot):
        return "kernel stack: %s (one page above a guard page)" % hexa(CONSTANTS["kernelStack(0)"] - 2 * PAGE * slot)

    @staticmethod
    def regions(address):
        return "process space: %s; kernel space: %s" % (region_name(address, "process"), region_name(address, "kernel"))

    @classmethod
    def trap_frame(cls, process):
        fields = struct_layout("UserTrapFrame")
        frame, _, _ = translate(cls, process["root"], CONSTANTS["trapFrame"])
        if frame is None:
            raise gdb.GdbError("swiftlet: slot %d has no trap frame mapped" % process["slot"])
        pc = u64(frame + fields["userPC"])
        values = [u64(frame + fields["registers"] + 8 * n) for n in range(32)]
        lines = ["trap frame of pid %d (%s): virtual %s, physical %s" % (
            process["pid"], process["name"], hexa(CONSTANTS["trapFrame"]), hexa(frame)),
            "  pc  %s  (%s)" % (hexa(pc), region_name(pc, "process"))]
        for row in range(1, 32, 4):
            lines.append("  " + "  ".join("%-3s %18s" % (cls.registers[n], hexa(values[n]))
                                          for n in range(row, min(row + 4, 32))))
        lines.append("  a7 (system call number) = %d" % values[17])
        lines.append("  kernel satp %s  kernel sp %s  kernel trap %s  cpu record %s" % (
            hexa(u64(frame + fields["kernelSatp"])), hexa(u64(frame + fields["kernelStack"])),
            hexa(u64(frame + fields["kernelTrap"])), hexa(u64(frame + fields["cpuRecord"]))))
        registers = dict(zip(cls.registers, values))
        registers["pc"] = pc
        return registers, lines


class X86_64:
    """4-level paging (PML4, PDPT, PD, PT) in the Emerald layout: one table
    per process holds the user's pages, the process's own kernel stack (the
    same addresses in every process) and links to the kernel's shared top
    2 GiB; the kernel has a table of its own for the time before processes."""

    name = "x86_64"
    layout = swiftlet_layout.X86_64
    levels = 4
    level_names = {3: "PML4", 2: "PDPT", 1: "PD  ", 0: "PT  "}
    root_register = "cr3"
    address_mask = 0x000F_FFFF_FFFF_F000
    # The saved segment state sits below the general registers (frame.h).
    SEGMENT_STATE = ["fsBase", "gsBase", "ds", "es", "fs", "gs"]
    TRAP_FRAME = ["r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rbp", "rdi", "rsi", "rdx", "rcx",
                  "rbx", "rax", "vector", "errorCode", "rip", "cs", "rflags", "rsp", "ss"]
    fallback = {
        "Process": {"__size__": 1400, "state": 0, "pid": 8, "parent": 16, "killed": 24, "exitStatus": 32,
                    "name": 56, "space": 72},
        "TrapFrame": dict([(n, 8 * i) for i, n in enumerate(SEGMENT_STATE + TRAP_FRAME)] + [("__size__", 224)]),
    }

    @staticmethod
    def present(entry):
        return entry & 1 != 0

    @staticmethod
    def is_leaf(entry, level):
        return level == 0 or (level in (1, 2) and entry & 0x80 != 0)  # PS: a 2 MiB or 1 GiB page

    @classmethod
    def entry_address(cls, entry):
        return entry & cls.address_mask

    @staticmethod
    def permissions(entry, steps):
        """The leaf's flags, with w, u and x as the whole walk grants them
        (every level must allow writing and user access; NX at any level
        forbids execution)."""
        entries = [e for _, _, _, e in steps] if steps else [entry]
        writable = all(e & 2 for e in entries)
        user = all(e & 4 for e in entries)
        executable = not any(e >> 63 for e in entries)
        return "".join(flag if on else "-" for flag, on in (
            ("r", entry & 1), ("w", writable), ("x", executable), ("u", user), ("g", entry & 0x100),
            ("a", entry & 0x20), ("d", entry & 0x40)))

    # Software bit 11 of a leaf (X86_64FourLevel.copyOnWriteBit); U/S and R/W.
    copy_on_write_bit, user_bit, write_bit = 0x800, 4, 2

    @staticmethod
    def out_of_range(address):
        if CONSTANTS["userLowEnd"] <= address < CONSTANTS["userHighStart"]:
            return "non-canonical: no 4-level table maps it"
        return None

    @classmethod
    def kernel_physical(cls, address):
        first = CONSTANTS["kernelFirst"]
        if first <= address < first + CONSTANTS["directMapSize"]:
            return address - first
        root, _ = cls.kernel_root()
        physical, _, _ = translate(cls, root, address)
        if physical is None:
            raise gdb.GdbError("swiftlet: kernel address %s is not mapped" % hexa(address))
        return physical

    @classmethod
    def current_root(cls):
        cr3 = int(gdb.parse_and_eval("$cr3")) & (2**64 - 1)
        return cr3 & cls.address_mask, "table in cr3 (%s)" % hexa(cr3)

    @staticmethod
    def kernel_root():
        # KernelPaging.table: Optional<PageTable>, whose first field is the
        # root's frame number (a global in the kernel's data: direct-mapped).
        at = symbol(r"(12KernelPaging|0A6Paging)O5table.*vpZ$") - CONSTANTS["kernelFirst"]
        root = u64(at) * PAGE
        return root, "kernel page table (KernelPaging.table)"

    @staticmethod
    def region_table(which):
        return "kernel"  # one layout: the user's part is the same in every process

    @staticmethod
    def kernel_stack(slot):
        return "kernel stack: %s..%s (the same addresses in every process, above a guard page at %s)" % (
            hexa(CONSTANTS["processKernelStack"]), hexa(CONSTANTS["processKernelStackTop"]),
            hexa(CONSTANTS["processKernelStackGuard"]))

    @staticmethod
    def regions(address):
        return region_name(address, "kernel")

    @classmethod
    def trap_frame(cls, process):
        fields = struct_layout("TrapFrame")
        virtual = CONSTANTS["processKernelStackTop"] - fields["__size__"]
        frame, _, _ = translate(cls, process["root"], virtual)
        if frame is None:
            raise gdb.GdbError("swiftlet: slot %d has no kernel stack mapped" % process["slot"])
        registers = {name: u64(frame + fields[name]) for name in cls.TRAP_FRAME}
        lines = ["trap frame of pid %d (%s): top of its kernel stack, virtual %s, physical %s" % (
            process["pid"], process["name"], hexa(virtual), hexa(frame)),
            "  rip %s  (%s)" % (hexa(registers["rip"]), region_name(registers["rip"], "kernel"))]
        general = cls.TRAP_FRAME[:15]
        for row in range(0, 15, 4):
            lines.append("  " + "  ".join("%-3s %21s" % (name, hexa(registers[name])) for name in general[row:row + 4]))
        lines.append("  rsp %s  rflags %s  cs %s  ss %s  vector %d  error code %s" % (
            hexa(registers["rsp"]), hexa(registers["rflags"]), hexa(registers["cs"]), hexa(registers["ss"]),
            registers["vector"], hexa(registers["errorCode"])))
        lines.append("  rax (system call number) = %d" % registers["rax"])
        registers["pc"] = registers["rip"]
        return registers, lines


ELF_MACHINES = {0xF3: RiscV64, 0x3E: X86_64}
_architectures = {}


def architecture():
    """The loaded kernel's architecture, from its ELF header's e_machine."""
    global LAYOUT, CONSTANTS
    path = kernel_file()
    if path not in _architectures:
        with open(path, "rb") as stream:
            header = stream.read(20)
        machine = struct.unpack("<H", header[18:20])[0]
        if header[:4] != b"\x7fELF" or machine not in ELF_MACHINES:
            raise gdb.GdbError("swiftlet: %s is not a RISC-V or x86-64 kernel (machine %#x)" % (path, machine))
        _architectures[path] = ELF_MACHINES[machine]
    arch = _architectures[path]
    LAYOUT = arch.layout
    CONSTANTS = LAYOUT["constants"]
    return arch


# ------------------------------------------------------------ kernel state

def kernel_u64(address):
    return u64(architecture().kernel_physical(address))


def kernel_read(address, size):
    return read(architecture().kernel_physical(address), size)


def process_table():
    """(base address, stride) of the process table, or None before it exists."""
    storage = kernel_u64(symbol(r"9ProcessesO7storage.*vpZ$"))
    if storage == 0:
        return None
    return storage, struct_layout("Process")["__size__"]


# CPURecord.currentSlot's offset (Kernel/Process/CPURecord.swift; the boot
# stops if Swift puts it elsewhere).
CPU_RECORD_CURRENT_SLOT = 32
CPU_RECORD_BOUND = 1024


def current_slot():
    """The slot the CPU of gdb's current thread runs: that CPU's CPURecord
    is in tp (RISC-V) or the GS base (x86-64) in kernel mode, and in the
    swapped-out GS base (x86-64) in user mode; CPU 0's record when none of
    them points at a record."""
    records = symbol(r"4CPUsO7storage.*vpZ$")
    record = records
    # Only trust a register that points into the records (8 of them, each
    # well under CPU_RECORD_BOUND bytes): a stop in user mode has the
    # user's tp or GS base there.
    registers = ["$tp"] if architecture().name == "riscv64" else ["$gs_base", "$k_gs_base"]
    for register in registers:
        try:
            value = int(gdb.parse_and_eval(register)) & (2**64 - 1)
        except gdb.error:
            continue
        if records <= value < records + 8 * CPU_RECORD_BOUND:
            record = value
            break
    return struct.unpack("<q", kernel_read(record + CPU_RECORD_CURRENT_SLOT, 8))[0]


def slot_address(slot):
    table = process_table()
    if table is None:
        raise gdb.GdbError("swiftlet: the process table is not set up yet")
    base, stride = table
    return base + slot * stride


def process_fields(slot):
    fields = struct_layout("Process")
    at = slot_address(slot)
    raw = kernel_read(at, fields["__size__"])

    def word(name, signed=True):
        return struct.unpack("<q" if signed else "<Q", raw[fields[name]:fields[name] + 8])[0]

    state = raw[fields["state"]]
    return {
        "slot": slot,
        "state": STATES[state] if state < len(STATES) else "?",
        "pid": word("pid"),
        "parent": word("parent"),
        "killed": raw[fields["killed"]] != 0,
        "name": raw[fields["name"]:fields["name"] + 16].split(b"\0")[0].decode(errors="replace"),
        # Optional<AddressSpace>: the payload first; AddressSpace starts with its
        # PageTable, which starts with the root's frame number.
        "root": word("space", signed=False) * PAGE,
    }


def parse_slot(argument):
    if argument:
        return int(gdb.parse_and_eval(argument))
    slot = current_slot() if process_table() is not None else -1
    if slot < 0:
        raise gdb.GdbError("swiftlet: no current process (the CPU is in the scheduler); give a slot")
    return slot


def describe(process):
    return "slot %d  pid %d  %-8s  %-15s parent slot %d%s  page table %s" % (
        process["slot"], process["pid"], process["state"], process["name"], process["parent"],
        "  killed" if process["killed"] else "", hexa(process["root"]))


def user_registers(slot=None):
    """The saved user registers of SLOT (default: the current process) as a
    dict, `pc` included; for scripts such as gdb-test.sh."""
    with PhysicalMode():
        arch = architecture()
        return arch.trap_frame(process_fields(parse_slot("" if slot is None else str(slot))))[0]


# ------------------------------------------------------------ commands

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
            architecture()
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
    """Show the current process (its CPU's CPURecord.currentSlot), or the one in SLOT."""

    def __init__(self):
        super().__init__("swiftlet proc", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        with PhysicalMode():
            arch = architecture()
            slot = parse_slot(argument.strip())
            print("current process: " + describe(process_fields(slot)))
            print(arch.kernel_stack(slot))


class Walk(gdb.Command):
    """Walk the page table for ADDR: swiftlet walk ADDR [SLOT | kernel | satp | cr3].
Without a second argument: the current process's table if there is one, else the
one satp (RISC-V) or cr3 (x86-64) holds."""

    def __init__(self):
        super().__init__("swiftlet walk", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        words = gdb.string_to_argv(argument)
        if not words:
            raise gdb.GdbError("usage: swiftlet walk ADDR [SLOT|kernel|satp|cr3]")
        arch = architecture()
        address = parse_address(words[0])
        current = arch.current_root()  # a register: read before physical mode
        with PhysicalMode():
            which = words[1] if len(words) > 1 else None
            if which is None and process_table() is not None and current_slot() >= 0:
                which = str(current_slot())
            if which in (None, "satp", "cr3"):
                root, source = current
            elif which == "kernel":
                root, source = arch.kernel_root()
            else:
                process = process_fields(int(which))
                root, source = process["root"], "page table of slot %d (pid %d %s)" % (
                    process["slot"], process["pid"], process["name"])
            if root == 0:
                raise gdb.GdbError("swiftlet: no page table (paging is off or the slot has no space)")
            print("walk %s in the %s, root %s" % (hexa(address), source, hexa(root)))
            why = arch.out_of_range(address)
            if why is not None:
                print("  %s is %s" % (hexa(address), why))
                return
            region = region_name(address, arch.region_table(which))
            steps = walk_steps(arch, root, address)
            for level, index, entry_address, entry in steps:
                print("  %s  index %3d  entry at %s = %s  %s" % (
                    arch.level_names[level], index, hexa(entry_address), hexa(entry),
                    arch.permissions(entry, None) if arch.present(entry) else "not present"))
            level, _, _, entry = steps[-1]
            process = None if which in (None, "satp", "cr3", "kernel") else process_fields(int(which))
            if not arch.present(entry):
                print("  not mapped (%s)" % region)
                lazy = lazy_range(process, address) if process is not None else None
                if lazy is not None:
                    print("  page: lazy (%s %s..%s: a zeroed frame at the first touch)" % (lazy[0], hexa(lazy[1]), hexa(lazy[2])))
            elif not arch.is_leaf(entry, level):
                print("  level 0 entry is not a leaf: malformed table")
            else:
                physical, level, steps = translate(arch, root, address)
                print("  -> physical %s  (%s page, %s)" % (hexa(physical), PAGE_SIZES[level],
                                                          arch.permissions(entry, steps)))
                print("  region: %s" % region)
                users = frame_users(arch.entry_address(entry))
                print("  copy-on-write bit: %s" % ("set" if entry & arch.copy_on_write_bit else "clear"))
                print("  frame users: %s" % ("not a frame of the allocator" if users is None else
                                             "free (in the pool or a CPU's cache)" if users == 0 else users))
                print("  page: %s" % page_state(arch, entry, users))


def page_state(arch, entry, users):
    """What the leaf and its frame's reference count say (AddressSpace+Clone.swift):
    private, shared by N (copy-on-write if the leaf has the bit), or a kernel page."""
    if not entry & arch.user_bit:
        return "kernel"
    cow = entry & arch.copy_on_write_bit
    if users is not None and users > 1:
        return "shared by %d, %s" % (users, "copy-on-write (the first write copies it)" if cow else "read-only")
    if cow:
        return "private, copy-on-write (the first write takes the frame back without copying)"
    return "private"


def frame_users(physical):
    """How many address spaces map the frame at `physical`: the frame
    allocator's count array (users beyond the first; 0xFFFF marks a frame in
    a CPU's cache) read through PhysicalFrames.storage. None for a frame the
    allocator does not manage (the trampoline, the kernel image), 0 for a free one."""
    pointer = kernel_u64(symbol(r"14PhysicalFramesO7storage.*vpZ$"))
    if pointer == 0:
        return None
    fields = struct_layout("FrameAllocator")
    allocator = kernel_read(pointer, fields["__size__"])

    def word(name):
        return struct.unpack("<Q", allocator[fields[name]:fields[name] + 8])[0]

    index = physical // PAGE - word("firstFrame")
    if not 0 <= index < word("frameCount"):
        return None
    free_bits = word("freeBits")
    if kernel_read(free_bits + index // 8, 1)[0] & (1 << (index % 8)):
        return 0
    extra = struct.unpack("<H", kernel_read(word("extraUsers") + 2 * index, 2))[0]
    return 0 if extra == 0xFFFF else 1 + extra


def lazy_range(process, address):
    """(what, first, end) when `address` is in a lazy range of `process`: its
    heap below the break (rounded up to a page) or its stack's reserve
    (x86-64), where a page has no frame until first touched. The offsets
    inside the address space come from the kernel (DebuggerOffsets)."""
    offsets = {name: struct.unpack("<q", kernel_read(symbol(r"15DebuggerOffsetsO%d%sSivpZ$" % (len(name), name)), 8))[0]
               for name in ("heapStart", "heapBreak", "stackReserve")}
    if process["root"] == 0 or min(offsets.values()) < 0:
        return None
    space = slot_address(process["slot"]) + struct_layout("Process")["space"]
    start = kernel_u64(space + offsets["heapStart"])
    top = (kernel_u64(space + offsets["heapBreak"]) + PAGE - 1) // PAGE * PAGE
    if start <= address < top:
        return ("heap", start, top)
    reserve = space + offsets["stackReserve"]
    if kernel_read(reserve + 16, 1)[0] == 0:
        first, end = kernel_u64(reserve), kernel_u64(reserve + 8)
        if first <= address < end:
            return ("stack reserve", first, end)
    return None


def copy_on_write_pages(slot, first, count):
    """(page, frame users) of the pages among `count` from `first` that
    SLOT's table maps with the copy-on-write bit (for scripts such as gdb-test.sh)."""
    with PhysicalMode():
        arch = architecture()
        root = process_fields(slot)["root"]
        found = []
        for page in range(first, first + count * PAGE, PAGE):
            steps = walk_steps(arch, root, page)
            level, _, _, entry = steps[-1]
            if arch.present(entry) and arch.is_leaf(entry, level) and entry & arch.copy_on_write_bit:
                found.append((page, frame_users(arch.entry_address(entry))))
        return found


def slot_of_pid(pid, name=None):
    """The slot of the process with `pid` (and `name`, if given), or None."""
    with PhysicalMode():
        architecture()
        if process_table() is None:
            return None
        for slot in range(CONSTANTS.get("processSlots", 64)):
            process = process_fields(slot)
            if process["state"] != "unused" and process["pid"] == pid and (name is None or process["name"] == name):
                return slot
    return None


class TrapFrame(gdb.Command):
    """Show the user registers a process (the current one, or SLOT) saved on entering the kernel."""

    def __init__(self):
        super().__init__("swiftlet trapframe", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        with PhysicalMode():
            arch = architecture()
            _, lines = arch.trap_frame(process_fields(parse_slot(argument.strip())))
        print("\n".join(lines))


class Region(gdb.Command):
    """Name the layout region of ADDR (on RISC-V, in a process's and in the kernel's address space)."""

    def __init__(self):
        super().__init__("swiftlet region", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        address = parse_address(argument.strip())
        print("%s: %s" % (hexa(address), architecture().regions(address)))


Swiftlet()
Ps()
Proc()
Walk()
TrapFrame()
Region()
if gdb.current_progspace().filename is not None:
    architecture()
print("swiftlet: commands loaded: swiftlet ps | proc [SLOT] | walk ADDR [SLOT|kernel|satp|cr3] | trapframe [SLOT] | region ADDR")
