# Tools and docs (included from the Makefile): memory maps drawn from the
# layout tables, debugging with gdb, lint.

.PHONY: maps maps-check

LAYOUT_MAPS_SCRATCH ?= .build
# The pictures and tables of the book, from the layout tables
# (Tools/LayoutMaps: a host Swift tool; needs nothing but Swift).
maps: layout-maps-tool
	@echo "== memory maps from the layout tables (docs/maps, docs/generated)"
	@$(LAYOUT_MAPS_SCRATCH)/debug/layout-maps --maps docs/maps --markdown docs/generated --gdb Tools/gdb/swiftlet_layout.py

# The same pictures from what a guest printed (the boot log's tables and
# vmmap's output share one format, LayoutText): shell-test parses its console
# log, draws every layout block to $(BUILD)/live-maps/*.svg, and fails if a
# block is malformed or disagrees with the layout tables. `make live-maps`
# is that on its own; any captured log works with
#   $(LAYOUT_MAPS) --from-log FILE --out DIR [--check ARCH]
LAYOUT_MAPS := $(LAYOUT_MAPS_SCRATCH)/debug/layout-maps
LIVE_MAPS_CHECK = @$(LAYOUT_MAPS) --from-log $(BUILD)/shell.log --out $(BUILD)/live-maps --check $(ARCH)
.PHONY: layout-maps-tool live-maps
layout-maps-tool: | toolchain
	@$(SWIFT_BIN)/swift build --scratch-path $(LAYOUT_MAPS_SCRATCH) --product layout-maps -q
live-maps: shell-test

# Fails when the committed maps or tables differ from what the tables give.
maps-check: maps
	@git diff --exit-code --stat -- docs/maps docs/generated Tools/gdb/swiftlet_layout.py || \
		{ echo "maps-check: docs/maps or docs/generated are stale: run make maps and commit them" >&2; exit 1; }

# ---------------------------------------------------------------- debugging
# Kernel objects carry DWARF (-g) so that gdb has line numbers and
# Tools/gdb/swiftlet.py has the structs' field offsets. It changes no code:
# the loaded bytes of kernel.elf are the same with and without it.
KERNEL_OBJECTS := $(BUILD)/kernel.o $(BUILD)/kernel-check.o $(BUILD)/kernel-overflow.o
$(KERNEL_OBJECTS): EMBEDDED_SWIFTFLAGS += -g
$(KERNEL_OBJECTS): Tools/docs.mk

.PHONY: gdb gdb-qemu gdb-attach gdb-test gdb-tools
GDB_PORT ?= 1234
GDB := gdb-multiarch
GDB_SCRIPT := source Tools/gdb/swiftlet.py
ifeq ($(ARCH),riscv64)
GDB_ARCH := riscv:rv64
else
GDB_ARCH := i386:x86-64
endif

gdb-tools:
	@Tools/install-gdb.sh

# gdb reads the line tables only without the .debug_names index Swift emits.
$(BUILD)/%-gdb.elf: $(BUILD)/%.elf
	@$(SWIFT_BIN)/llvm-objcopy --remove-section=.debug_names $< $@

# Rewritten every time: it holds GDB_PORT.
.PHONY: $(BUILD)/gdbinit
$(BUILD)/gdbinit:
	@mkdir -p $(BUILD)
	@printf 'set pagination off\nset architecture $(GDB_ARCH)\nfile $(BUILD)/kernel-gdb.elf\ntarget remote localhost:$(GDB_PORT)\n$(GDB_SCRIPT)\n' > $@

# QEMU halted at the first instruction with its gdb stub, gdb attached in this
# terminal; the guest's console goes to $(BUILD)/gdb-console.log. QEMU stops
# when gdb exits.
gdb: $(BUILD)/kernel.elf $(BUILD)/kernel-gdb.elf $(BUILD)/gdbinit $(FS_IMAGE) qemu gdb-tools
	@echo "== QEMU halted, gdb stub on localhost:$(GDB_PORT); console: tail -f $(BUILD)/gdb-console.log"
	@$(QEMU) $(call disk_flags,$(FS_IMAGE)) -kernel $(BUILD)/kernel.elf -S -gdb tcp::$(GDB_PORT) </dev/null >$(BUILD)/gdb-console.log 2>&1 & \
		qemu=$$!; trap 'kill $$qemu 2>/dev/null' EXIT INT TERM; \
		$(GDB) -q -x $(BUILD)/gdbinit; kill $$qemu 2>/dev/null; true

# The two-terminal way: QEMU halted here with the console in this terminal;
# attach from another one with the command printed.
gdb-qemu: $(BUILD)/kernel.elf $(BUILD)/kernel-gdb.elf $(BUILD)/gdbinit $(FS_IMAGE) qemu gdb-tools
	@echo "== QEMU halted, gdb stub on localhost:$(GDB_PORT). Attach from another terminal with:"
	@echo "   make gdb-attach ARCH=$(ARCH)      (that is: $(GDB) -q -x $(BUILD)/gdbinit)"
	$(QEMU) $(call disk_flags,$(FS_IMAGE)) -kernel $(BUILD)/kernel.elf -S -gdb tcp::$(GDB_PORT)

gdb-attach: $(BUILD)/gdbinit gdb-tools
	$(GDB) -q -x $(BUILD)/gdbinit

# Non-interactive: boots the kernel of ARCH under gdb, stops in the first
# system call, and checks what the swiftlet commands print.
gdb-test: $(BUILD)/kernel.elf $(BUILD)/kernel-gdb.elf test-fs-image qemu gdb-tools
	@echo "== gdb script against a booted $(ARCH) kernel"
	@Tools/gdb/gdb-test.sh $(ARCH) $(BUILD) $(QEMU) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel.elf

# -------------------------------------------------------------------- lint
# swift-format (part of the toolchain) with the repository's .swift-format:
# every Swift file must be clean. `make format` rewrites them.
SWIFT_FORMAT := $(SWIFT_BIN)/swift-format
LINT_PATHS := Package.swift Sources Tests Tools Kernel User
.PHONY: lint format

lint:
	@echo "== lint (swift-format) of $(LINT_PATHS)"
	@$(SWIFT_FORMAT) lint --strict --parallel --recursive $(LINT_PATHS)
	@echo "lint: passed"

format:
	$(SWIFT_FORMAT) format --in-place --parallel --recursive $(LINT_PATHS)

# CI runs make test: lint is part of it.
test: lint

# ---------------------------------------------------------------- progress
# Short progress lines instead of full command lines (make V=1 shows them):
# the "== ..." lines of the rules say what is being built; a compile error
# still names its file and line (swiftc's and clang's diagnostics).
ifneq ($(V),1)
.SILENT: $(KERNEL_OBJECTS) $(BUILD)/kernel.elf $(BUILD)/kernel-check.elf $(BUILD)/kernel-overflow.elf \
	$(BUILD)/MemoryCore.o $(KERNEL_NATIVE_OBJS)
endif

# A missing toolchain is named with what to do, before anything is compiled.
.PHONY: toolchain boot-banner
toolchain:
	@test -x $(SWIFTC) || { echo "error: no Swift toolchain at $(SWIFT_BIN) (swiftc missing): install Swift 6.3 there or run make SWIFT_BIN=/path/to/usr/bin" >&2; exit 1; }
$(KERNEL_OBJECTS) $(BUILD)/MemoryCore.o: | toolchain
maps: | toolchain

boot-banner:
	@echo "== booting $(BUILD)/kernel.elf in QEMU ($(ARCH)); leave with Ctrl-A X"
run: boot-banner
