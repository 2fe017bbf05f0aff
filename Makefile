# Swiftlet's front door. `make run` boots the system, `make test` runs every test.
ARCH ?= riscv64
SWIFT_BIN ?= /opt/swift/usr/bin
SWIFTC := $(SWIFT_BIN)/swiftc
BUILD := build/$(ARCH)

ifeq ($(ARCH),riscv64)
TRIPLE := riscv64-none-none-eabi
ARCH_SWIFTFLAGS :=
else ifeq ($(ARCH),x86_64)
TRIPLE := x86_64-unknown-none-elf
ARCH_SWIFTFLAGS := -Xcc -mno-red-zone -Xcc -mno-sse
else
$(error ARCH must be riscv64 or x86_64, not $(ARCH))
endif

# Flags every Embedded Swift object of the kernel is compiled with (TOOLCHAIN.md).
EMBEDDED_SWIFTFLAGS := -target $(TRIPLE) -enable-experimental-feature Embedded \
	-enable-experimental-feature Extern -wmo -parse-as-library -Osize \
	-Xfrontend -no-allocations -Xfrontend -disable-stack-protector \
	-Xfrontend -function-sections $(ARCH_SWIFTFLAGS)

CORE_SOURCES := $(shell find Sources/MemoryCore -name '*.swift' | sort)

.PHONY: all run test host-test core core-all clean

all: core

run:
	@echo "swiftlet: the kernels are not built yet; 'make test' checks the memory core." >&2
	@exit 1

test: host-test core-all
	@echo "make test: all checks passed"

host-test:
	@echo "== host tests (swift test)"
	$(SWIFT_BIN)/swift test

# The memory core compiled as kernel code: proves it stays allocation-free.
core: $(BUILD)/MemoryCore.o

$(BUILD)/MemoryCore.o: $(CORE_SOURCES) Makefile
	@mkdir -p $(BUILD)
	@echo "== core for $(ARCH) (Embedded Swift, -no-allocations)"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -module-name MemoryCore -emit-module -emit-module-path $(BUILD)/MemoryCore.swiftmodule -c $(CORE_SOURCES) -o $@

core-all:
	$(MAKE) core ARCH=riscv64
	$(MAKE) core ARCH=x86_64

clean:
	rm -rf build .build

# User space and the program archive (make user, user-all, user-host-test).
include User/user.mk
