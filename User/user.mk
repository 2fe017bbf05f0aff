# User space: the C library, the Swift runtime and the programs (which go
# onto the disk image, Tools/fs.mk). Included from the
# Makefile, which defines ARCH, BUILD, SWIFT_BIN, SWIFTC and EMBEDDED_SWIFTFLAGS.
#
#   make user ARCH=riscv64|x86_64   programs in build/$(ARCH)/user/
#   make user-all                   both architectures
#   make user-check                 the ELF checks of `user`, for both architectures
#   make user-host-test             host tests: shell parser, C library, Format
#   make user-linux-test            the x86-64 programs run as Linux processes (shim for the calls)
#   make user-test                  all of the above

USER_BUILD := $(BUILD)/user
USER_OBJ := $(USER_BUILD)/obj
HOST_BUILD := build/host
CLANG := $(SWIFT_BIN)/clang
LLD := $(SWIFT_BIN)/ld.lld
HOST_SWIFTC := $(SWIFT_BIN)/swiftc

ifeq ($(ARCH),riscv64)
USER_CTARGET := --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -mcmodel=medany
# Programs that compute with floating point take the standard flags.
USER_FP_CTARGET := --target=riscv64-unknown-elf -march=rv64gc -mabi=lp64d -mcmodel=medany
USER_BASE := 0x0
else
USER_CTARGET := --target=x86_64-unknown-none-elf -mno-red-zone -mno-sse -fno-pic
USER_FP_CTARGET := --target=x86_64-unknown-none-elf -fno-pic
USER_BASE := 0x400000
endif

# The xv6 layout gives a process one stack page, whose top also holds argv:
# every program's deepest call chain must fit in this (elftool stack).
USER_STACK_BUDGET := 3072

USER_CFLAGS := $(USER_CTARGET) -ffreestanding -nostdlib -fno-builtin -fno-stack-protector \
	-fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -Os -Wall -Werror \
	-IUser/include -IUser/Arch/$(ARCH)
USER_FP_CFLAGS := $(USER_FP_CTARGET) $(filter-out $(USER_CTARGET),$(USER_CFLAGS))
USER_SWIFTFLAGS := $(EMBEDDED_SWIFTFLAGS)
USER_LDFLAGS := -static --image-base=0 -z max-page-size=4096 --no-rosegment --gc-sections \
	--build-id=none -z norelro -z noexecstack -T User/user.ld --defsym=USER_BASE=$(USER_BASE)

# Programs, in the order they go onto the disk. Swift programs live in User/Programs/NAME/*.swift,
# C programs in User/Programs/NAME/NAME.c.
USER_SWIFT_PROGRAMS := init sh cat ls vmmap free memtest
USER_C_PROGRAMS := echo forktest elfbase sysfuzz exhaust bench true mkdir rm ln wc grep fsstress fstest cpuattack execmany attack stress
# C programs built with the standard floating-point flags (USER_FP_CFLAGS),
# with a C library built the same way (RISC-V links lp64d only with lp64d).
USER_FP_PROGRAMS := fpcheck
# memtest's malformed ELF files: only the test disks get them (Tools/fs.mk).
# Every file name fits a 14-byte directory entry (`make user` refuses longer).
USER_BAD_ELFS := bad-magic bad-machine bad-truncated bad-seg-kernel bad-entry bad-phoff
USER_PROGRAMS := $(USER_SWIFT_PROGRAMS) $(USER_C_PROGRAMS) $(USER_FP_PROGRAMS)
USER_FILES := $(addprefix $(USER_BUILD)/,$(USER_PROGRAMS) $(USER_BAD_ELFS))

USER_CRT := $(USER_OBJ)/start.o $(USER_OBJ)/syscall.o
USER_LIBC := $(USER_OBJ)/ulib.o $(USER_OBJ)/printf.o $(USER_OBJ)/umalloc.o
# LayoutText.swift is the memory core's map formatter (standard library
# only): vmmap prints with the code the boot log prints with.
USER_RUNTIME_SOURCES := $(sort $(wildcard User/Runtime/*.swift)) Sources/MemoryCore/Layout/LayoutText.swift
USER_RUNTIME := $(USER_OBJ)/SwiftletUser.o
USER_HEADERS := $(wildcard User/include/*.h User/include/*.def User/Arch/$(ARCH)/*.h)
# Per-architecture Swift added to one program (memtest's target addresses).
USER_ARCH_SWIFT_memtest := User/Arch/$(ARCH)/MemtestTargets.swift

ELFTOOL := $(HOST_BUILD)/elftool

.PHONY: user user-all user-check user-host-test user-test

user-test: user-all user-host-test user-linux-test

user: $(USER_FILES)
	@for f in $(notdir $(USER_FILES)); do [ $${#f} -le 14 ] || \
		{ echo "user: $$f: a name longer than 14 bytes (a directory entry's)" >&2; exit 1; }; done
	@$(ELFTOOL) check $(ARCH) $(addprefix $(USER_BUILD)/,$(USER_PROGRAMS))
	@$(ELFTOOL) expect-bad $(ARCH) $(addprefix $(USER_BUILD)/,$(USER_BAD_ELFS))
ifeq ($(ARCH),riscv64)
	@OBJDUMP=$(SWIFT_BIN)/llvm-objdump $(ELFTOOL) stack riscv64 $(USER_STACK_BUDGET) \
		$(addprefix $(USER_OBJ)/,$(addsuffix .elf,$(USER_PROGRAMS)))
endif
	@echo "== user ($(ARCH)): $(words $(USER_FILES)) files in $(USER_BUILD)"

user-all:
	$(MAKE) user ARCH=riscv64
	$(MAKE) user ARCH=x86_64

user-check: user-all

# The C runtime pieces: entry, system-call stubs, library.
$(USER_OBJ)/%.o: User/Arch/$(ARCH)/%.S $(USER_HEADERS) User/user.mk
	@mkdir -p $(USER_OBJ)
	$(CLANG) $(USER_CFLAGS) -c $< -o $@

$(USER_OBJ)/%.o: User/lib/%.c $(USER_HEADERS) User/user.mk
	@mkdir -p $(USER_OBJ)
	$(CLANG) $(USER_CFLAGS) -c $< -o $@

# The Swift runtime: one module every Swift program imports.
$(USER_RUNTIME): $(USER_RUNTIME_SOURCES) User/user.mk
	@mkdir -p $(USER_OBJ)
	$(SWIFTC) $(USER_SWIFTFLAGS) -module-name SwiftletUser -emit-module \
		-emit-module-path $(USER_OBJ)/SwiftletUser.swiftmodule -c $(USER_RUNTIME_SOURCES) -o $@
	@# swiftc leaves an unchanged object untouched (generic code such as
	@# LayoutText lives in the module, not the object): mark it rebuilt.
	@touch $@

define USER_SWIFT_PROGRAM
$(USER_OBJ)/$(1).o: $(sort $(wildcard User/Programs/$(1)/*.swift)) $(USER_ARCH_SWIFT_$(1)) $(USER_RUNTIME)
	$$(SWIFTC) $$(USER_SWIFTFLAGS) -I $(USER_OBJ) -module-name $(1)_program -c \
		$(sort $(wildcard User/Programs/$(1)/*.swift)) $(USER_ARCH_SWIFT_$(1)) -o $$@
	@touch $$@
$(USER_OBJ)/$(1).elf: $(USER_OBJ)/$(1).o $(USER_RUNTIME) $(USER_CRT) $(USER_LIBC) User/user.ld
	$$(LLD) $$(USER_LDFLAGS) $(USER_CRT) $(USER_OBJ)/$(1).o $(USER_RUNTIME) $(USER_LIBC) -o $$@
endef

# A C program may add per-architecture sources in User/Programs/NAME/ARCH/
# (*.c, *.S), and link flags in USER_LDFLAGS_NAME.
USER_C_ARCH_SOURCES = $(sort $(wildcard User/Programs/$(1)/$(ARCH)/*.c User/Programs/$(1)/$(ARCH)/*.S))
USER_C_ARCH_OBJECTS = $(patsubst User/Programs/$(1)/$(ARCH)/%,$(USER_OBJ)/$(1)-arch/%.o,$(call USER_C_ARCH_SOURCES,$(1)))

define USER_C_PROGRAM
$(USER_OBJ)/$(1).o: User/Programs/$(1)/$(1).c $(wildcard User/Programs/$(1)/*.h) $(USER_HEADERS)
	@mkdir -p $(USER_OBJ)
	$$(CLANG) $$(USER_CFLAGS) -c $$< -o $$@
$(USER_OBJ)/$(1)-arch/%.o: User/Programs/$(1)/$(ARCH)/% $(wildcard User/Programs/$(1)/*.h) $(USER_HEADERS)
	@mkdir -p $(USER_OBJ)/$(1)-arch
	$$(CLANG) $$(USER_CFLAGS) -c $$< -o $$@
$(USER_OBJ)/$(1).elf: $(USER_OBJ)/$(1).o $(call USER_C_ARCH_OBJECTS,$(1)) $(USER_CRT) $(USER_LIBC) User/user.ld
	$$(LLD) $$(USER_LDFLAGS) $$(USER_LDFLAGS_$(1)) $(USER_CRT) $(USER_OBJ)/$(1).o $(call USER_C_ARCH_OBJECTS,$(1)) $(USER_LIBC) -o $$@
endef

USER_FP_OBJ := $(USER_OBJ)/fp
USER_FP_LIB := $(addprefix $(USER_FP_OBJ)/,start.o syscall.o ulib.o printf.o)
$(USER_FP_OBJ)/%.o: User/Arch/$(ARCH)/%.S $(USER_HEADERS) User/user.mk
	@mkdir -p $(USER_FP_OBJ)
	$(CLANG) $(USER_FP_CFLAGS) -c $< -o $@
$(USER_FP_OBJ)/%.o: User/lib/%.c $(USER_HEADERS) User/user.mk
	@mkdir -p $(USER_FP_OBJ)
	$(CLANG) $(USER_FP_CFLAGS) -c $< -o $@

define USER_FP_PROGRAM
$(USER_OBJ)/$(1).o: User/Programs/$(1)/$(1).c $(USER_HEADERS) User/user.mk
	@mkdir -p $(USER_OBJ)
	$$(CLANG) $$(USER_FP_CFLAGS) -c $$< -o $$@
$(USER_OBJ)/$(1).elf: $(USER_OBJ)/$(1).o $(USER_FP_LIB) User/user.ld
	$$(LLD) $$(USER_LDFLAGS) $(USER_FP_OBJ)/start.o $(USER_FP_OBJ)/syscall.o $(USER_OBJ)/$(1).o \
		$(USER_FP_OBJ)/ulib.o $(USER_FP_OBJ)/printf.o -o $$@
endef
$(foreach p,$(USER_FP_PROGRAMS),$(eval $(call USER_FP_PROGRAM,$(p))))

# cpuattack on x86-64: its .edge section is the last page of the lower
# canonical half, for the attack on iretq's return address.
USER_LDFLAGS_cpuattack := $(if $(filter x86_64,$(ARCH)),-T User/Programs/cpuattack/x86_64/edge.ld)

$(foreach p,$(USER_SWIFT_PROGRAMS),$(eval $(call USER_SWIFT_PROGRAM,$(p))))
$(foreach p,$(USER_C_PROGRAMS),$(eval $(call USER_C_PROGRAM,$(p))))

# The disk gets programs without symbols; obj/NAME.elf keeps them for debuggers.
$(USER_BUILD)/%: $(USER_OBJ)/%.elf
	$(SWIFT_BIN)/llvm-objcopy --strip-all $< $@

# Malformed ELF files for memtest, made from a valid program by patching bytes.
$(USER_BUILD)/bad-%: $(USER_BUILD)/elfbase $(ELFTOOL)
	$(ELFTOOL) make-bad $(ARCH) $< bad-$* $@

# The host tool that patches and checks user ELF files.
$(ELFTOOL): Tools/elftool/main.swift
	@mkdir -p $(HOST_BUILD)
	$(HOST_SWIFTC) -O $< -o $@

# ---- host tests ----------------------------------------------------------
HOST_TEST_SWIFTFLAGS := -enable-experimental-feature Extern -parse-as-library

user-host-test: $(HOST_BUILD)/shell-parser-test $(HOST_BUILD)/format-test $(HOST_BUILD)/ulib-test
	python3 Tests/User/abi_copies_test.py $(XV6_DIR)
	$(HOST_BUILD)/shell-parser-test
	$(HOST_BUILD)/format-test
	$(HOST_BUILD)/ulib-test

$(HOST_BUILD)/shell-parser-test: User/Programs/sh/Parser.swift Tests/User/ShellParserTests.swift
	@mkdir -p $(HOST_BUILD)
	$(HOST_SWIFTC) $(HOST_TEST_SWIFTFLAGS) $^ -o $@

$(HOST_BUILD)/format-test: User/Runtime/Format.swift User/Runtime/CString.swift Tests/User/FormatTests.swift
	@mkdir -p $(HOST_BUILD)
	$(HOST_SWIFTC) $(HOST_TEST_SWIFTFLAGS) $^ -o $@

# The C library on the host, over stand-in system calls. Its names are
# renamed (Tests/User/host_rename.h) so that they do not meet the host's libc.
ULIB_HOST_CFLAGS := -ffreestanding -fno-builtin -IUser/include -include Tests/User/host_rename.h -Wall -Werror -g -O1
$(HOST_BUILD)/ulib-test: User/lib/ulib.c User/lib/printf.c User/lib/umalloc.c Tests/User/ulib_stubs.c Tests/User/ulib_test.c Tests/User/host_rename.h $(USER_HEADERS)
	@mkdir -p $(HOST_BUILD)/ulib
	for f in User/lib/ulib.c User/lib/printf.c User/lib/umalloc.c Tests/User/ulib_stubs.c; do \
		$(CLANG) $(ULIB_HOST_CFLAGS) -c $$f -o $(HOST_BUILD)/ulib/$$(basename $$f .c).o || exit 1; done
	$(CLANG) -Wall -Werror -g -O1 Tests/User/ulib_test.c $(HOST_BUILD)/ulib/*.o -o $@

# The x86-64 programs as Linux processes (this host is x86-64 Linux): the
# same objects, linked with a Linux stand-in for the system calls
# (Tests/User/linux/shim.c), run by Tests/User/linux/run.sh. This runs the
# Swift runtime, sh, cat, ls, init's test mode and memtest's harness for real;
# it cannot judge what only Swiftlet's kernel decides (layout, frames).
LINUX_BUILD := $(HOST_BUILD)/linux
LINUX_RUN := $(LINUX_BUILD)/run
LINUX_OBJ86 := build/x86_64/user/obj
# Not sysfuzz and exhaust: they test Swiftlet's limits, and sysfuzz's
# watchdogs kill by pid range, which on a Linux host means other processes.
# Not cpuattack either: it attacks Swiftlet's processor setup.
LINUX_C_PROGRAMS := $(filter-out sysfuzz exhaust cpuattack,$(USER_C_PROGRAMS))

.PHONY: user-linux-test
user-linux-test:
	$(MAKE) user ARCH=x86_64
	$(MAKE) user-linux-programs ARCH=x86_64
	Tests/User/linux/run.sh $(LINUX_RUN)

.PHONY: user-linux-programs
user-linux-programs: $(ELFTOOL)
	@rm -rf $(LINUX_RUN) && mkdir -p $(LINUX_RUN)
	$(CLANG) $(USER_CFLAGS) -c Tests/User/linux/start.S -o $(LINUX_BUILD)/start.o
	$(CLANG) $(USER_CFLAGS) -c Tests/User/linux/shim.c -o $(LINUX_BUILD)/shim.o
	for p in $(USER_SWIFT_PROGRAMS); do \
		$(LLD) $(USER_LDFLAGS) $(LINUX_BUILD)/start.o $(LINUX_OBJ86)/$$p.o $(LINUX_OBJ86)/SwiftletUser.o \
			$(USER_LIBC) $(LINUX_BUILD)/shim.o -o $(LINUX_RUN)/$$p || exit 1; done
	for p in $(LINUX_C_PROGRAMS); do \
		$(LLD) $(USER_LDFLAGS) $(LINUX_BUILD)/start.o $(LINUX_OBJ86)/$$p.o \
			$(USER_LIBC) $(LINUX_BUILD)/shim.o -o $(LINUX_RUN)/$$p || exit 1; done
	for b in $(USER_BAD_ELFS); do $(ELFTOOL) make-bad x86_64 $(LINUX_RUN)/elfbase $$b $(LINUX_RUN)/$$b >/dev/null || exit 1; done
