# Benchmarks (issue 7): `make bench ARCH=...` boots the bench image under
# QEMU's -icount on one CPU, where instruction counts do not depend on the
# host, and prints the table of Tools/bench.py. Included from the Makefile,
# which defines ARCH, BUILD, QEMU, CPUS, the pass status and the image rules.
#
#   make bench        the table: benchmarks, kernel sections, boot figures
#   make bench-twice  runs it twice and fails unless both tables are identical
#                     (but for the rows that wait for the disk)
#   make bench-smp    wall-clock speedup of fork+exit+wait and pipe round
#                     trips with 1, 2 and 4 CPUs (not part of make test)

.PHONY: bench bench-twice kernel-bench bench-smp

kernel-bench: $(BUILD)/kernel-bench.elf

# The bench image: the same sources as kernel.elf, with -D SWIFTLET_BENCH
# (BootMode.bench: init runs bench and powers off; BootFigures).
$(BUILD)/kernel-bench.o: $(KERNEL_SWIFT) Makefile
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), bench mode"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_BENCH -module-name Kernel -c $(KERNEL_SWIFT) -o $@

# One CPU, and -icount shift=0: one instruction per virtual nanosecond, so
# the guest's counters count instructions. sleep=off: an idle guest's clock
# jumps to the next timer deadline instead of following the host's clock.
ONE_CPU_QEMU := $(subst -smp $(CPUS),-smp 1,$(QEMU)) $(QEMU_CHECK_DEVICES)
BENCH_QEMU := $(ONE_CPU_QEMU) -icount shift=0,sleep=off
BENCH_REPORT := python3 Tools/bench.py --arch $(ARCH) --pass-status $(CHECK_PASS_STATUS) \
	--kernel $(BUILD)/kernel-bench.elf \
	--objdump $(SWIFT_BIN)/llvm-objdump

# Each boot gets a fresh disk image of the programs (init and bench write to it).
BENCH_DISK := $(call disk_flags,$(TEST_FS_IMAGE))

bench: $(BUILD)/kernel-bench.elf test-fs-image qemu
	@$(BENCH_REPORT) --log $(BUILD)/bench.log -- $(BENCH_QEMU) $(BENCH_DISK) -kernel $(BUILD)/kernel-bench.elf

# Rows that wait for the disk, and the boot count (the root file system is
# read at boot), depend on how long the host took for each request: under
# -icount the idle CPU's clock jumps ahead meanwhile. bench-twice compares
# the rest (docs/benchmarks.md).
BENCH_VARYING := ^\| (create|write1m|read1m|ls100|instructions from reset) \|
bench-twice: $(BUILD)/kernel-bench.elf test-fs-image qemu
	@$(BENCH_REPORT) --log $(BUILD)/bench.log -- $(BENCH_QEMU) $(BENCH_DISK) -kernel $(BUILD)/kernel-bench.elf > $(BUILD)/bench-1.txt
	@$(MAKE) --no-print-directory test-fs-image
	@$(BENCH_REPORT) --log $(BUILD)/bench-2.log -- $(BENCH_QEMU) $(BENCH_DISK) -kernel $(BUILD)/kernel-bench.elf > $(BUILD)/bench-2.txt
	@cat $(BUILD)/bench-1.txt
	@grep -vE "$(BENCH_VARYING)" $(BUILD)/bench-1.txt > $(BUILD)/bench-1.fixed
	@grep -vE "$(BENCH_VARYING)" $(BUILD)/bench-2.txt > $(BUILD)/bench-2.fixed
	@if cmp -s $(BUILD)/bench-1.fixed $(BUILD)/bench-2.fixed; then echo "bench: two runs, identical tables (but the disk rows and the boot count)"; \
	else echo "bench: the two runs differ:"; diff $(BUILD)/bench-1.fixed $(BUILD)/bench-2.fixed; exit 1; fi

# The interactive image with SMP_CPUS CPUs in turn, SMP_RUNS boots each,
# multi-threaded TCG (Tools/bench-smp.py adds -smp N -accel tcg,thread=multi):
# the shell runs `stress bench fork|pipe COUNT`, which splits the work over
# one worker per CPU; the table gives the median wall-clock time and the
# speedup over one CPU (docs/benchmarks.md).
SMP_CPUS ?= 1,2,4
SMP_RUNS ?= 3
SMP_QEMU := $(subst -smp $(CPUS),,$(QEMU))
bench-smp: $(BUILD)/kernel.elf test-fs-image qemu
	@python3 Tools/bench-smp.py --cpus $(SMP_CPUS) --runs $(SMP_RUNS) --log-dir $(BUILD)/bench-smp \
		-- $(SMP_QEMU) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel.elf

# The kernel's memcpy, memmove and memset move words (they are on the fork
# and page-zeroing paths that make bench measures): a host test against
# byte-by-byte results, with the kernel's names prefixed so that they do not
# meet the host's libc. Part of make test.
.PHONY: kernel-libc-test
KERNEL_LIBC_HOST_CFLAGS := -ffreestanding -fno-builtin -Dmemset=k_memset -Dmemcpy=k_memcpy \
	-Dmemmove=k_memmove -Dmemcmp=k_memcmp -Wall -Werror -g -O1
kernel-libc-test: build/host/kernel-libc-test
	build/host/kernel-libc-test

build/host/kernel-libc-test: Kernel/Runtime/libc.c Tests/Kernel/libc_test.c
	@mkdir -p build/host
	$(CLANG) $(KERNEL_LIBC_HOST_CFLAGS) -c Kernel/Runtime/libc.c -o build/host/kernel-libc.o
	$(CLANG) -Wall -Werror -g -O1 Tests/Kernel/libc_test.c build/host/kernel-libc.o -o $@

# Where the instructions of one system call go, per kernel function: gdb
# single-steps one call of the bench image (slow, about a minute per 10,000
# instructions). SYSCALL is the number (User/include/syscalls.def: 11 getpid,
# 1 fork, 12 sbrk, 16 write).
.PHONY: profile-syscall
SYSCALL ?= 11
# Without -icount: the count is of steps, not of the clock, and under
# -icount the guest stalled with gdb's breakpoints in place.
PROFILE_QEMU := $(ONE_CPU_QEMU)
profile-syscall: $(BUILD)/kernel-bench.elf test-fs-image qemu gdb-tools
	@echo "== profiling system call $(SYSCALL) on $(ARCH) (gdb single-steps it)"
	@Tools/gdb/profile-syscall.sh $(ARCH) $(SYSCALL) $(BUILD) $(SWIFT_BIN)/llvm-objdump $(SWIFT_BIN)/swift-demangle \
		$(PROFILE_QEMU) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel-bench.elf
