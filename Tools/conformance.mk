# make conformance: xv6's own user programs, unmodified, as an outside judge
# of the riscv64 kernel (docs/testing.md). Included from the Makefile.
#
#   make conformance [XV6_DIR=...]    builds xv6's programs from XV6_DIR with the
#                                     toolchain's clang and ld.lld, puts them and
#                                     XV6_DIR/README on a disk made by our mkfs,
#                                     boots the riscv64 kernel with it (xv6's init
#                                     starts xv6's sh) and runs `usertests -q`,
#                                     then the full `usertests`, each in a fresh
#                                     boot on a fresh copy of the disk
#   make conformance-image            just the disk: build/conformance/fs.img
#   make conformance CONFORMANCE_RUNS='usertests bigdir=600'   other commands
#
# Only flags are ours: the sources are compiled as they are. Soft float
# (rv64imac, lp64) like every Swiftlet program; the programs use no floating
# point. forktest is linked as xv6 links it (-N -e main -Ttext 0: one RWX
# segment at file offset 0xe8 for address 0).

XV6_DIR ?= ../shared/xv6-riscv
CONFORMANCE := build/conformance
XV6_OBJ := $(CONFORMANCE)/obj
XV6_BIN := $(CONFORMANCE)/bin
XV6_CFLAGS := --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -mcmodel=medany -ffreestanding \
	-fno-common -nostdlib -fno-builtin -fno-stack-protector -O -I$(XV6_DIR) \
	-Wno-gnu-designator -Wno-error=unused-but-set-variable
XV6_LDFLAGS := -z max-page-size=4096 --image-base=0
# Every user/*.c with a main; ulib, printf and umalloc are the library.
XV6_LIBRARY := ulib printf umalloc
XV6_PROGRAMS = $(filter-out $(XV6_LIBRARY),$(basename $(notdir $(wildcard $(XV6_DIR)/user/*.c))))
# xv6's disk: 2000 blocks, 200 inodes, a 30-block log (its param.h and mkfs.c).
XV6_FS_BLOCKS := 2000
XV6_FS_INODES := 200
CONFORMANCE_IMAGE := $(CONFORMANCE)/fs.img
# COMMAND=SECONDS;..., each in a fresh boot. The full run adds the slow
# tests (out of memory, out of disk, big directories).
CONFORMANCE_RUNS ?= usertests -q=1200;usertests=3600

.PHONY: conformance conformance-run conformance-image conformance-programs

conformance:
	@test -f $(XV6_DIR)/user/usertests.c || { echo "conformance: no xv6 sources in XV6_DIR=$(XV6_DIR)"; exit 1; }
	$(MAKE) --no-print-directory conformance-image kernel fs-tools qemu ARCH=riscv64
	$(MAKE) --no-print-directory conformance-run ARCH=riscv64

# The riscv64 machine of `make run`, its disk attached as `make run` does;
# {disk} is each run's fresh copy of the image.
conformance-run: DISK_IMAGE = {disk}
conformance-run:
	@echo "== xv6's usertests on the riscv64 kernel ($(XV6_DIR))"
	python3 Tools/conformance.py --image $(CONFORMANCE_IMAGE) --log-dir $(CONFORMANCE) --fsck $(FSCK) \
		--runs '$(CONFORMANCE_RUNS)' -- $(QEMU) $(DISK_FLAGS) -kernel $(BUILD)/kernel.elf

conformance-programs: $(addprefix $(XV6_BIN)/,$(XV6_PROGRAMS))

# Names without xv6's leading underscore; README is usertests' test data.
conformance-image: conformance-programs
	@$(MAKE) --no-print-directory fs-tools
	cp $(XV6_DIR)/README $(CONFORMANCE)/README
	$(MKFS) --blocks $(XV6_FS_BLOCKS) --inodes $(XV6_FS_INODES) $(CONFORMANCE_IMAGE) \
		$(CONFORMANCE)/README $(addprefix $(XV6_BIN)/,$(XV6_PROGRAMS))

$(XV6_OBJ)/usys.S: $(XV6_DIR)/user/usys.pl
	@mkdir -p $(XV6_OBJ)
	perl $< > $@

$(XV6_OBJ)/usys.o: $(XV6_OBJ)/usys.S
	$(CLANG) $(XV6_CFLAGS) -c $< -o $@

$(XV6_OBJ)/%.o: $(XV6_DIR)/user/%.c $(wildcard $(XV6_DIR)/user/*.h $(XV6_DIR)/kernel/*.h)
	@mkdir -p $(XV6_OBJ)
	$(CLANG) $(XV6_CFLAGS) -c $< -o $@

XV6_LIBRARY_OBJS := $(addprefix $(XV6_OBJ)/,$(addsuffix .o,$(XV6_LIBRARY))) $(XV6_OBJ)/usys.o

$(XV6_BIN)/forktest: $(XV6_OBJ)/forktest.o $(XV6_OBJ)/ulib.o $(XV6_OBJ)/usys.o
	@mkdir -p $(XV6_BIN)
	$(LD) $(XV6_LDFLAGS) -N -e main -Ttext 0 -o $@ $^

$(XV6_BIN)/%: $(XV6_OBJ)/%.o $(XV6_LIBRARY_OBJS) $(XV6_DIR)/user/user.ld
	@mkdir -p $(XV6_BIN)
	$(LD) $(XV6_LDFLAGS) -T $(XV6_DIR)/user/user.ld --no-rosegment -o $@ $< $(XV6_LIBRARY_OBJS)

# The harness's verdicts, against a stand-in for QEMU (part of make test;
# the conformance run itself needs the kernel and XV6_DIR).
.PHONY: conformance-harness-test
conformance-harness-test:
	Tests/Tools/conformance-harness-test.sh

test: conformance-harness-test
