# Swiftlet's front door. `make run` boots the system, `make test` runs every test.
ARCH ?= riscv64
SWIFT_BIN ?= /opt/swift/usr/bin
SWIFTC := $(SWIFT_BIN)/swiftc
BUILD := build/$(ARCH)

CLANG := $(SWIFT_BIN)/clang
LD := $(SWIFT_BIN)/ld.lld

ifeq ($(ARCH),riscv64)
TRIPLE := riscv64-none-none-eabi
ARCH_SWIFTFLAGS :=
# Assembly and C must match Swift's rv64imac / lp64 objects (TOOLCHAIN.md).
ARCH_CFLAGS := --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -mcmodel=medany
# Guest CPUs (make run, shell-test, conformance): every hart runs the
# scheduler; four, as issue 14 asks.
CPUS ?= 4
QEMU := qemu-system-riscv64 -machine virt -bios none -m 128M -smp $(CPUS) -nographic
# The check image powers off through the test finisher: QEMU exits 0 on a pass.
QEMU_CHECK_DEVICES :=
CHECK_PASS_STATUS := 0
# A panic in a check image powers off with status 2.
PANIC_STATUS := 2
PANIC_CHECK_IMAGES := $(BUILD)/kernel-overflow.elf $(BUILD)/kernel-bootoverflow.elf $(BUILD)/kernel-lockpanic.elf
# Kill reports cpuattack announces in the check log (Tools/check-kill-reports.py).
KILL_REPORTS := 10
else ifeq ($(ARCH),x86_64)
TRIPLE := x86_64-unknown-none-elf
ARCH_SWIFTFLAGS := -Xcc -mno-red-zone -Xcc -mno-sse
ARCH_CFLAGS := --target=x86_64-unknown-none-elf -mcmodel=kernel -fno-pic -mno-red-zone -mno-sse
# q35 with 512 MiB: the Emerald layout direct-maps the first 128 MiB; the
# RAM above goes into the kernel-extra window (Kernel/Arch/x86_64/HighMemory.swift). No
# reboot on a triple fault, so a broken boot ends QEMU instead of looping;
# no network card (its boot ROM only slows the boot down). COM1 and QEMU's
# monitor share the terminal (Ctrl-A X quits); no -nographic, because with it
# SeaBIOS also writes to the serial line, terminal resets included.
# The CPU: QEMU's qemu64 plus the protections Swiftlet turns on where CPUID
# offers them (Kernel/Arch/x86_64/CPUProtections.swift); QEMU 7.2's TCG
# emulates all three, and the check image fails unless they are on.
X86_CPU := qemu64,+smep,+smap,+umip
# Guest CPUs (make run, shell-test, conformance): every processor the MADT
# lists joins the scheduler; four, as issue 14 asks.
CPUS ?= 4
QEMU := qemu-system-x86_64 -machine q35 -cpu $(X86_CPU) -m 512M -smp $(CPUS) -display none -serial mon:stdio -nic none -no-reboot
# isa-debug-exit: the guest writes v to port 0xf4 and QEMU exits with
# (v << 1) | 1, so a pass (v = 0) is exit status 1.
QEMU_CHECK_DEVICES := -device isa-debug-exit,iobase=0xf4,iosize=0x04
CHECK_PASS_STATUS := 1
# A panic in a check image powers off with 2: QEMU exits with 5.
PANIC_STATUS := 5
PANIC_CHECK_IMAGES := $(BUILD)/kernel-overflow.elf $(BUILD)/kernel-scratch-overflow.elf $(BUILD)/kernel-lockpanic.elf
KILL_REPORTS := 25
else
$(error ARCH must be riscv64 or x86_64, not $(ARCH))
endif

# The disk: DISK_IMAGE, a raw image, attached as a virtio-blk device with
# the modern interface (docs/drivers.md). DISK_FLAGS is empty without an
# image, and the kernel then boots without a disk. The check images get
# TEST_DISK_IMAGE, a known pattern (Tools/make-test-disk.py).
DISK_IMAGE ?=
TEST_DISK_IMAGE := $(BUILD)/test-disk.img
DISK_DRIVE = -drive file=$(DISK_IMAGE),if=none,format=raw,id=x0
ifeq ($(ARCH),riscv64)
DISK_DEVICE := -global virtio-mmio.force-legacy=false -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
else
DISK_DEVICE := -device virtio-blk-pci,drive=x0,disable-legacy=on
endif
DISK_FLAGS = $(if $(DISK_IMAGE),$(DISK_DRIVE) $(DISK_DEVICE))
# $(call disk_flags,IMAGE): the flags for IMAGE (make check boots two disks).
disk_flags = -drive file=$(1),if=none,format=raw,id=x0 $(DISK_DEVICE)
# Without init (no file system) a check image powers off with 1.
NO_INIT_STATUS := $(if $(filter x86_64,$(ARCH)),3,1)
# The check image's second boot runs every test program on the disk, on one
# CPU; with SMP_CHECK=on a third boot runs them again on SMP_CHECK_CPUS CPUs.
# Each check boot's QEMU limit (Tools/qemu-check.sh): x86-64's 4-CPU run
# takes about 5 minutes alone but passed 600 s twice on a host whose load
# average was 13-15, so 900 s; a hang still fails, only later.
export CHECK_TIMEOUT ?= 900
SMP_CHECK_CPUS := 4
# The 4-CPU run is on by default (make test runs both); SMP_CHECK=off skips it.
SMP_CHECK ?= on
QEMU_ONE_CPU = $(subst -smp $(CPUS),-smp 1,$(QEMU))
QEMU_SMP = $(subst -smp $(CPUS),-smp $(SMP_CHECK_CPUS),$(QEMU))

# Flags every Embedded Swift object of the kernel is compiled with (TOOLCHAIN.md).
EMBEDDED_SWIFTFLAGS := -target $(TRIPLE) -enable-experimental-feature Embedded \
	-enable-experimental-feature Extern -wmo -parse-as-library -Osize \
	-Xfrontend -no-allocations -Xfrontend -disable-stack-protector \
	-Xfrontend -function-sections $(ARCH_SWIFTFLAGS) -I Kernel/Arch/$(ARCH)/include

CORE_SOURCES := $(shell find Sources/MemoryCore -name '*.swift' | sort)
# The portable file system (Sources/FileSystem): compiled into the kernel
# module beside the memory core, so its type names are unique across both.
FS_SOURCES := $(shell find Sources/FileSystem -name '*.swift' | sort)
# The portable virtqueue (Sources/Virtio): in the kernel module too; on its
# own (make core) it imports the memory core's module for the address types.
VIRTIO_SOURCES := $(shell find Sources/Virtio -name '*.swift' | sort)

# The kernel: one Embedded Swift module made of the memory core, the portable
# kernel (Kernel/ except Kernel/Arch) and this architecture's directory. Only
# ARCH's directory is compiled in: that is how an image picks its platform.
ARCH_DIR := Kernel/Arch/$(ARCH)
PORTABLE_KERNEL_SOURCES := $(shell find Kernel -path Kernel/Arch -prune -o -name '*.swift' -print | sort)
ARCH_KERNEL_SOURCES := $(shell find $(ARCH_DIR) -name '*.swift' 2>/dev/null | sort)
KERNEL_SWIFT := $(CORE_SOURCES) $(FS_SOURCES) $(VIRTIO_SOURCES) $(PORTABLE_KERNEL_SOURCES) $(ARCH_KERNEL_SOURCES)
KERNEL_ASM := $(sort $(wildcard $(ARCH_DIR)/*.S))
# The architecture's inline instructions for Swift: a Clang module
# (include/module.modulemap and its header) that the kernel imports.
KERNEL_SWIFT_HEADERS := $(wildcard $(ARCH_DIR)/include/*)
KERNEL_C := Kernel/Runtime/libc.c
LINKER_SCRIPT := $(ARCH_DIR)/kernel.ld
KERNEL_CFLAGS := $(ARCH_CFLAGS) -ffreestanding -nostdlib -fno-builtin -ffunction-sections -O2 -Wall
KERNEL_NATIVE_OBJS := $(patsubst $(ARCH_DIR)/%.S,$(BUILD)/obj/%.o,$(KERNEL_ASM)) $(BUILD)/obj/libc.o

.PHONY: all run test host-test core core-all clean kernel kernel-check kernel-overflow check qemu shell-test stack-check
# Keep the objects the pattern rules make, so relinking does not rebuild them.
.SECONDARY:

all: core

# Two images from the same sources: kernel.elf for people, kernel-check.elf
# (compiled with -D SWIFTLET_CHECK) runs the in-kernel self-checks.
kernel: $(BUILD)/kernel.elf
kernel-check: $(BUILD)/kernel-check.elf
kernel-overflow: $(BUILD)/kernel-overflow.elf

$(BUILD)/kernel.o: $(KERNEL_SWIFT) Makefile
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH)"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -module-name Kernel -c $(KERNEL_SWIFT) -o $@

$(BUILD)/kernel-check.o: $(KERNEL_SWIFT) Makefile
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), check mode"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_CHECK -module-name Kernel -c $(KERNEL_SWIFT) -o $@

# x86-64 also builds kernel-overflow.elf, a check image that runs its kernel
# stack into the guard page below it on purpose: it must panic with "kernel
# stack overflow", reported from the page-fault handler's own stack.
$(BUILD)/kernel-overflow.o: $(KERNEL_SWIFT) Makefile
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), stack overflow check"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_CHECK -D SWIFTLET_STACK_OVERFLOW_CHECK -module-name Kernel -c $(KERNEL_SWIFT) -o $@

# x86-64 also runs the scratch stack (ScratchStack) into its guard page.
$(BUILD)/kernel-scratch-overflow.o: $(KERNEL_SWIFT) Makefile
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), scratch stack overflow check"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_CHECK -D SWIFTLET_SCRATCH_OVERFLOW_CHECK -module-name Kernel -c $(KERNEL_SWIFT) -o $@

# RISC-V also runs its boot stack (the scheduler's) into its guard page.
$(BUILD)/kernel-bootoverflow.o: $(KERNEL_SWIFT) Makefile
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), boot stack overflow check"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_CHECK -D SWIFTLET_BOOT_STACK_OVERFLOW_CHECK -module-name Kernel -c $(KERNEL_SWIFT) -o $@

# Both architectures build kernel-lockpanic.elf, which takes a spinlock twice
# on purpose: the lock check must panic naming the lock (docs/locks.md).
$(BUILD)/kernel-lockpanic.o: $(KERNEL_SWIFT) Makefile
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), spinlock check"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_CHECK -D SWIFTLET_LOCK_PANIC_CHECK -module-name Kernel -c $(KERNEL_SWIFT) -o $@

# Every kernel object imports the inline-instruction module.
$(BUILD)/kernel.o $(BUILD)/kernel-check.o $(BUILD)/kernel-overflow.o $(BUILD)/kernel-scratch-overflow.o \
	$(BUILD)/kernel-bootoverflow.o $(BUILD)/kernel-lockpanic.o $(BUILD)/kernel-bench.o $(BUILD)/kernel-stress.o: $(KERNEL_SWIFT_HEADERS)

$(BUILD)/obj/%.o: $(ARCH_DIR)/%.S $(wildcard $(ARCH_DIR)/*.h) Makefile
	@mkdir -p $(BUILD)/obj
	$(CLANG) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/obj/libc.o: $(KERNEL_C) Makefile
	@mkdir -p $(BUILD)/obj
	$(CLANG) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.elf: $(BUILD)/%.o $(KERNEL_NATIVE_OBJS) $(LINKER_SCRIPT)
	$(LD) -T $(LINKER_SCRIPT) --gc-sections -z max-page-size=4096 -o $@ $(KERNEL_NATIVE_OBJS) $<

# QEMU comes from the distribution; this installs it once if it is missing.
qemu:
	@Tools/install-qemu.sh

# Boot the interactive kernel (leave QEMU with Ctrl-A X) on the disk image
# $(FS_IMAGE) (Tools/fs.mk: made with our mkfs when missing, kept otherwise,
# so what a user writes survives a reboot; make fs starts it afresh).
run: DISK_IMAGE = $(FS_IMAGE)
run: $(BUILD)/kernel.elf qemu
	$(QEMU) $(DISK_FLAGS) -kernel $(BUILD)/kernel.elf

$(TEST_DISK_IMAGE): Tools/make-test-disk.py
	@mkdir -p $(BUILD)
	python3 Tools/make-test-disk.py $@ 2000

# Boot the check kernel: passes only if QEMU exits with the pass status (0,
# or 1 through x86's isa-debug-exit) and the guest's closing line is
# "N passed, 0 failed".
#
# Two boots of the check image. The first, on the driver's test disk (a
# pattern, no file system), runs the in-kernel and disk self-checks; the
# file system must then be refused with a message, and the kernel, without
# init, powers off with 1 instead of panicking. The second, on a fresh disk
# image of the programs, runs the in-kernel self-checks and init's test
# programs; fsck must find that disk clean afterwards.
check: $(BUILD)/kernel-check.elf $(PANIC_CHECK_IMAGES) $(TEST_DISK_IMAGE) test-fs-image qemu
	@echo "== disk self-checks of the $(ARCH) kernel in QEMU (the test disk: no file system, no init)"
	Tools/qemu-expect-panic.sh $(BUILD)/disk-check.log $(NO_INIT_STATUS) \
		'disk-check: [1-9][0-9]* passed, 0 failed' \
		'file system  refused: .*' \
		'no init: the kernel runs on without processes' \
		-- $(QEMU) $(QEMU_CHECK_DEVICES) $(call disk_flags,$(TEST_DISK_IMAGE)) -kernel $(BUILD)/kernel-check.elf
	@echo "== self-checks and test programs of the $(ARCH) kernel in QEMU, one CPU (a fresh file system)"
	CHECK_TIMEOUT=$(CHECK_TIMEOUT) CHECK_PASS_STATUS=$(CHECK_PASS_STATUS) Tools/qemu-check.sh $(BUILD)/check.log $(QEMU_ONE_CPU) $(QEMU_CHECK_DEVICES) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel-check.elf
	@echo "== the test programs slept on the disk and their requests overlapped (the driver's counters)"
	python3 Tools/check-disk-counters.py $(BUILD)/check.log
	@echo "== fsck of the check image's disk after the tests"
	$(FSCK) $(TEST_FS_IMAGE)
	python3 Tools/check-kill-reports.py $(BUILD)/check.log $(KILL_REPORTS)
	@echo "== stress's verdict: one worker per CPU, every frame and heap byte back"
	tr -d '\r' <$(BUILD)/check.log | grep -Eq '^stress: PASS: ([0-9]+) workers on \1 CPUs$$'
ifeq ($(SMP_CHECK),on)
	@echo "== the same test programs on $(SMP_CHECK_CPUS) CPUs (a fresh file system)"
	@$(MAKE) --no-print-directory test-fs-image
	CHECK_TIMEOUT=$(CHECK_TIMEOUT) CHECK_PASS_STATUS=$(CHECK_PASS_STATUS) Tools/qemu-check.sh $(BUILD)/check-smp.log $(QEMU_SMP) $(QEMU_CHECK_DEVICES) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel-check.elf
	python3 Tools/check-cpus.py $(BUILD)/check-smp.log $(SMP_CHECK_CPUS)
	$(FSCK) $(TEST_FS_IMAGE)
	python3 Tools/check-kill-reports.py $(BUILD)/check-smp.log $(KILL_REPORTS)
	tr -d '\r' <$(BUILD)/check-smp.log | grep -Eq '^stress: PASS: ([0-9]+) workers on \1 CPUs$$'
endif
	@echo "== a spinlock taken twice in the $(ARCH) kernel (must panic naming it)"
	Tools/qemu-expect-panic.sh $(BUILD)/lockpanic.log $(PANIC_STATUS) \
		'check: taking the tick counter.s spinlock twice \(a panic must follow\)' \
		'panic: spinlock taken twice by one CPU: tick counter' \
		-- $(QEMU) $(QEMU_CHECK_DEVICES) -kernel $(BUILD)/kernel-lockpanic.elf
ifeq ($(ARCH),riscv64)
	@echo "== kernel stack overflow of the $(ARCH) kernel in QEMU (must panic)"
	Tools/qemu-expect-panic.sh $(BUILD)/overflow.log $(PANIC_STATUS) \
		'\(the fault address is in a guard page: kernel stacks, slot 63\)' \
		'panic: kernel stack overflow' \
		-- $(QEMU) $(QEMU_CHECK_DEVICES) -kernel $(BUILD)/kernel-overflow.elf
	@echo "== boot (scheduler) stack overflow of the $(ARCH) kernel in QEMU (must panic)"
	Tools/qemu-expect-panic.sh $(BUILD)/bootoverflow.log $(PANIC_STATUS) \
		'check: running the boot stack into its guard page \(a panic must follow\)' \
		'\(the fault address is in a guard page: boot stacks, slot 0\)' \
		'panic: kernel stack overflow' \
		-- $(QEMU) $(QEMU_CHECK_DEVICES) -kernel $(BUILD)/kernel-bootoverflow.elf
endif
ifeq ($(ARCH),x86_64)
	@echo "== kernel stack overflow of the $(ARCH) kernel in QEMU (must panic)"
	Tools/qemu-expect-panic.sh $(BUILD)/overflow.log $(PANIC_STATUS) \
		'  handled on IST4 \(the page-fault stack, top 0x[0-9a-f_]+\)' \
		'  cr2=0x[0-9a-f_]+ in interrupt stacks \(guard page of slot 0\)' \
		'  the guard page below the kernel stack \(boot and scheduler\)' \
		'panic: kernel stack overflow' \
		-- $(QEMU) $(QEMU_CHECK_DEVICES) -kernel $(BUILD)/kernel-overflow.elf
	@echo "== scratch stack overflow of the $(ARCH) kernel in QEMU (must panic)"
	Tools/qemu-expect-panic.sh $(BUILD)/scratch-overflow.log $(PANIC_STATUS) \
		'  cr2=0x[0-9a-f_]+ in interrupt stacks \(guard page of slot 5\)' \
		'  the guard page below the scratch stack' \
		'panic: kernel stack overflow' \
		-- $(QEMU) $(QEMU_CHECK_DEVICES) -kernel $(BUILD)/kernel-scratch-overflow.elf
endif

# The interactive image, driven through its console like a person would:
# each command of the transcript is typed at the shell's prompt and what the
# guest prints back is checked.
# It boots twice on one fresh disk image: the second transcript finds what
# the first wrote.
shell-test: $(BUILD)/kernel.elf test-fs-image qemu layout-maps-tool
	@echo "== shell transcript of the $(ARCH) kernel in QEMU"
	python3 Tools/qemu-shell-test.py Tests/Guest/shell-$(ARCH).txt $(BUILD)/shell.log -- $(QEMU) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel.elf
	@echo "== shell transcript after a reboot on the same disk"
	python3 Tools/qemu-shell-test.py Tests/Guest/shell-reboot.txt $(BUILD)/shell-reboot.log -- $(QEMU) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel.elf
ifeq ($(ARCH),x86_64)
	@echo "== machine checks and NMIs injected into a user program, one CPU (QEMU's mce targets one CPU, which must run it)"
	python3 Tools/qemu-shell-test.py Tests/Guest/shell-x86_64-machine-check.txt $(BUILD)/shell-machine-check.log -- $(QEMU_ONE_CPU) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel.elf
endif
	$(LIVE_MAPS_CHECK)

# RISC-V kernel stacks are one page (the xv6 layout): the deepest chain of
# calls from a user trap must fit with room to spare, and the work moved to
# the 16 KiB scratch stack must fit there, and so must the boot path on the
# 32 KiB boot stack (Kernel/Arch/riscv64/entry.S). stack-depth.py counts
# frames made with a register-sized adjustment and outlined prologues
# (the boot path's deepest frame is one of those), and lists the calls
# through function values it cannot follow.
stack-check: $(BUILD)/kernel.elf $(BUILD)/kernel-check.elf stack-depth-test
	@echo "== kernel stack budget ($(ARCH))"
	python3 Tools/stack-depth.py --limit 3584 $(BUILD)/kernel.elf 'e6Kernel13userTrapEntryyyF'
	python3 Tools/stack-depth.py --limit 14336 $(BUILD)/kernel.elf swiftlet_exec swiftlet_report_fault swiftlet_memory_map
	# The check images add the process audit (after exec and fork) and self-checks.
	python3 Tools/stack-depth.py --limit 3584 $(BUILD)/kernel-check.elf 'e6Kernel13userTrapEntryyyF'
	python3 Tools/stack-depth.py --limit 14336 $(BUILD)/kernel-check.elf swiftlet_exec swiftlet_report_fault swiftlet_memory_map swiftlet_process_page_audit
	python3 Tools/stack-depth.py --limit 24576 $(BUILD)/kernel.elf 'e6Kernel10kernelMains5NeverOyF'

# stack-depth.py against a sample with a known answer (Tests/Tools).
.PHONY: stack-depth-test
stack-depth-test:
	@mkdir -p build/host
	$(CLANG) --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -c Tests/Tools/stack-depth-sample.S -o build/host/stack-depth-sample.o
	$(LD) -e sample_entry build/host/stack-depth-sample.o -o build/host/stack-depth-sample.elf
	python3 Tools/stack-depth.py build/host/stack-depth-sample.elf sample_entry > build/host/stack-depth-sample.txt
	grep -q '^  8288 bytes from sample_entry$$' build/host/stack-depth-sample.txt
	grep -q '^  not seen: calls through a register in 1 reachable functions (1 sites)' build/host/stack-depth-sample.txt
	@echo "stack-depth: the sample's 8288 bytes and its call through a register are seen"

# qemu-shell-test.py against a fake guest: an NMI that lands in kernel mode
# twice is injected again (passes), one that always does fails the step.
.PHONY: shell-driver-test
shell-driver-test:
	@mkdir -p build/host
	python3 Tools/qemu-shell-test.py Tests/Tools/shell-driver-sample.txt build/host/shell-driver.log -- python3 Tests/Tools/fake-monitor-guest.py 2
	! python3 Tools/qemu-shell-test.py Tests/Tools/shell-driver-sample.txt build/host/shell-driver.log -- python3 Tests/Tools/fake-monitor-guest.py 9 > build/host/shell-driver-fail.txt
	grep -q '^monitor: `nmi` ... FAILED' build/host/shell-driver-fail.txt
	echo 2 > build/host/shell-driver-panics
	python3 Tools/qemu-shell-test.py Tests/Tools/shell-driver-reboot-sample.txt build/host/shell-driver-reboot.log -- python3 Tests/Tools/fake-monitor-guest.py 0 build/host/shell-driver-panics > build/host/shell-driver-reboot.txt
	grep -c '^boot [12] ended with an outcome that proves nothing' build/host/shell-driver-reboot.txt | grep -qx 2
	echo 3 > build/host/shell-driver-panics
	! python3 Tools/qemu-shell-test.py Tests/Tools/shell-driver-reboot-sample.txt build/host/shell-driver-reboot.log -- python3 Tests/Tools/fake-monitor-guest.py 0 build/host/shell-driver-panics > build/host/shell-driver-reboot-fail.txt
	grep -q '^0 passed\|^1 passed, 2 failed' build/host/shell-driver-reboot-fail.txt
	@echo "shell-driver: a kernel-mode NMI is injected again, five of them fail the step; a machine check that stops the kernel boots the transcript again, three such boots fail it; background output around the prompt belongs to its command"

test: host-test core-all user-host-test user-linux-test kernel-libc-test shell-driver-test
	$(MAKE) stack-check ARCH=riscv64
	$(MAKE) check ARCH=riscv64
	$(MAKE) shell-test ARCH=riscv64
	$(MAKE) gdb-test ARCH=riscv64
	$(MAKE) power-cut ARCH=riscv64
	$(MAKE) check ARCH=x86_64
	$(MAKE) shell-test ARCH=x86_64
	$(MAKE) gdb-test ARCH=x86_64
	$(MAKE) power-cut ARCH=x86_64
	@echo "make test: all checks passed"

host-test:
	@echo "== host tests (swift test)"
	$(SWIFT_BIN)/swift test

# The memory core compiled as kernel code: proves it stays allocation-free.
core: $(BUILD)/MemoryCore.o $(BUILD)/FileSystem.o $(BUILD)/Virtio.o

$(BUILD)/MemoryCore.o: $(CORE_SOURCES) Makefile
	@mkdir -p $(BUILD)
	@echo "== core for $(ARCH) (Embedded Swift, -no-allocations)"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -module-name MemoryCore -emit-module -emit-module-path $(BUILD)/MemoryCore.swiftmodule -c $(CORE_SOURCES) -o $@

# With a file that specializes every generic call of the volume, so that
# their bodies are compiled (and checked) as kernel code too.
FS_INSTANTIATION := Tests/Embedded/FileSystemInstantiation.swift Tests/Embedded/FileSystemCheckInstantiation.swift
$(BUILD)/FileSystem.o: $(FS_SOURCES) $(FS_INSTANTIATION) Makefile
	@mkdir -p $(BUILD)
	@echo "== file-system core for $(ARCH) (Embedded Swift, -no-allocations)"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -module-name FileSystem -c $(FS_SOURCES) $(FS_INSTANTIATION) -o $@

$(BUILD)/Virtio.o: $(VIRTIO_SOURCES) $(BUILD)/MemoryCore.o Makefile
	@mkdir -p $(BUILD)
	@echo "== virtqueue for $(ARCH) (Embedded Swift, -no-allocations)"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -module-name Virtio -I $(BUILD) -c $(VIRTIO_SOURCES) -o $@

core-all:
	$(MAKE) core ARCH=riscv64
	$(MAKE) core ARCH=x86_64

clean:
	rm -rf build .build

# User space (make user, user-all, user-host-test).
include User/user.mk

# The file-system image and the host tools mkfs and fsck (make fs, make fsck).
include Tools/fs.mk
include Tools/docs.mk

# Fuzzing and the long reliability runs (make fuzz, make stress).
include Tools/fuzz.mk

# Benchmarks under QEMU -icount (make bench, bench-twice).
include Tools/bench.mk

# xv6's unmodified user programs and usertests on the riscv64 kernel (make conformance).
include Tools/conformance.mk

# Bench's file-system rows on xv6 and Swiftlet, counted by a QEMU plugin (make xv6-bench XV6_KERNEL_DIR=...).
include Tools/xv6-bench/xv6-bench.mk

# The power-cut test of the file system (make power-cut).
include Tools/power-cut.mk
