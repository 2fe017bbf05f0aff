"""Instructions per kernel function for one system call, by single-stepping.

Sourced by Tools/gdb/profile-syscall.sh into gdb attached to QEMU running the
bench image. Environment: PROFILE_ARCH (riscv64, x86_64), PROFILE_SYSCALL
(the number), PROFILE_SKIP (calls to let pass first, so that what is found
once per process is already found). Prints `profile: N instructions` and one
line per function (mangled; the script demangles), most first.

Where counting starts and stops:
  riscv64  from usertrap (swiftlet_user_trap) to the jump into userret; the
           trampoline's uservec and userret are straight-line assembly
           whose length the script adds from the disassembly.
  x86_64   from the `syscall` entry to the first user instruction."""
import collections
import os

import gdb

arch = os.environ["PROFILE_ARCH"]
number = int(os.environ["PROFILE_SYSCALL"])
skip = int(os.environ.get("PROFILE_SKIP", "3"))
limit = 2_000_000

gdb.execute("set pagination off")
gdb.execute("set confirm off")
if arch == "riscv64":
    gdb.execute("break swiftlet_user_trap if $a7 == %d && $scause == 8" % number)  # 8: ecall from U-mode
    trampoline = int(gdb.parse_and_eval("(unsigned long)&trampoline_start"))
    # usertrapret jumps to userret through the trampoline's high mapping,
    # the top page of the Sv39 address space.
    done = lambda pc: pc >= 0x3F_FFFF_F000
else:
    gdb.execute("break swiftlet_x86_system_call_entry if $rax == %d" % number)
    done = lambda pc: pc < 0x8000_0000_0000_0000
for _ in range(skip + 1):
    gdb.execute("continue", to_string=True)
gdb.execute("delete")

counts = collections.Counter()
steps = 0
while steps < limit:
    pc = int(gdb.parse_and_eval("$pc")) & 0xFFFF_FFFF_FFFF_FFFF
    if steps > 0 and done(pc):
        break
    symbol = gdb.execute("info symbol 0x%x" % pc, to_string=True)
    name = symbol.split(" in section ")[0].split(" + ")[0].strip() if "No symbol" not in symbol else "?"
    counts[name] += 1
    steps += 1
    gdb.execute("stepi", to_string=True)
print("profile: %d instructions" % steps)
for name, count in counts.most_common():
    print("profile: %8d %s" % (count, name))
gdb.execute("kill")
