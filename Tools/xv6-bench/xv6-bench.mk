# make xv6-bench XV6_KERNEL_DIR=...: bench's file-system rows on xv6 and on
# Swiftlet (riscv64), instructions counted from outside by a QEMU plugin
# (Tools/xv6-bench/README.md, docs/benchmarks.md). Included from the
# Makefile; not part of make test or CI: it needs a checkout of xv6-riscv
# with its kernel, which ../shared does not hold.
#
#   XV6_KERNEL_DIR   an xv6-riscv checkout (kernel/ and user/); its kernel is
#                    built here with the toolchain's clang and ld.lld
#   XV6_DIR          xv6's user programs and mkfs (default: ../shared/xv6-riscv)

XV6_KERNEL_DIR ?=
XV6_BENCH := build/xv6-bench
XV6_BENCH_KERNEL_CFLAGS := --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax \
	-ffreestanding -fno-common -nostdlib -fno-builtin -fno-stack-protector -fno-omit-frame-pointer -O \
	-Wno-gnu-designator -I$(XV6_KERNEL_DIR)
HOST_CC ?= cc

.PHONY: xv6-bench xv6-bench-kernel

xv6-bench:
	@test -f "$(XV6_KERNEL_DIR)/kernel/proc.c" || { echo "xv6-bench: set XV6_KERNEL_DIR to an xv6-riscv checkout (kernel/proc.c)"; exit 1; }
	$(MAKE) --no-print-directory ARCH=riscv64 kernel conformance-programs qemu
	$(MAKE) --no-print-directory ARCH=riscv64 xv6-bench-kernel $(XV6_BENCH)/fs.img $(XV6_BENCH)/libinsn-count.so
	python3 Tools/xv6-bench/measure.py --plugin $(XV6_BENCH)/libinsn-count.so --image $(XV6_BENCH)/fs.img \
		--log-dir $(XV6_BENCH) --nm $(SWIFT_BIN)/llvm-nm --objdump $(SWIFT_BIN)/llvm-objdump \
		--xv6-kernel $(XV6_BENCH)/xv6-kernel --swiftlet-kernel build/riscv64/kernel.elf \
		-- $(subst -smp $(CPUS),-smp 1,$(QEMU)) -global virtio-mmio.force-legacy=false \
		-device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0

# xv6's kernel as its own Makefile links it: entry.S first, then the rest.
xv6-bench-kernel:
	@mkdir -p $(XV6_BENCH)/kernel-obj
	set -e; objs=""; for f in $(XV6_KERNEL_DIR)/kernel/entry.S \
		$$(ls $(XV6_KERNEL_DIR)/kernel/*.c $(XV6_KERNEL_DIR)/kernel/*.S | grep -v '/entry\.S$$'); do \
		o=$(XV6_BENCH)/kernel-obj/$$(basename $$f).o; \
		$(CLANG) $(XV6_BENCH_KERNEL_CFLAGS) -c $$f -o $$o; objs="$$objs $$o"; done; \
	$(LD) -z max-page-size=4096 -T $(XV6_KERNEL_DIR)/kernel/kernel.ld -o $(XV6_BENCH)/xv6-kernel $$objs

$(XV6_BENCH)/libinsn-count.so: Tools/xv6-bench/insn-count.c
	@mkdir -p $(XV6_BENCH)
	$(HOST_CC) -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $<

$(XV6_BENCH)/fsbench: Tools/xv6-bench/fsbench.c User/Programs/bench/fs_ops.h User/include/syscalls.def $(XV6_LIBRARY_OBJS)
	@mkdir -p $(XV6_BENCH)
	$(CLANG) $(XV6_CFLAGS) -IUser/Programs/bench -IUser/include -Wall -Werror -c $< -o $(XV6_BENCH)/fsbench.o
	$(LD) $(XV6_LDFLAGS) -T $(XV6_DIR)/user/user.ld --no-rosegment -o $@ $(XV6_BENCH)/fsbench.o $(XV6_LIBRARY_OBJS)

# One disk for both kernels, made by xv6's own mkfs: xv6's init and sh, its
# README, and fsbench.
$(XV6_BENCH)/fs.img: $(XV6_BENCH)/fsbench $(XV6_BIN)/init $(XV6_BIN)/sh
	$(HOST_CC) -I$(XV6_DIR) -o $(XV6_BENCH)/xv6-mkfs $(XV6_DIR)/mkfs/mkfs.c
	rm -rf $(XV6_BENCH)/files && mkdir -p $(XV6_BENCH)/files
	cp $(XV6_DIR)/README $(XV6_BIN)/init $(XV6_BIN)/sh $(XV6_BENCH)/fsbench $(XV6_BENCH)/files/
	rm -f $@ && cd $(XV6_BENCH)/files && ../xv6-mkfs ../fs.img README init sh fsbench
