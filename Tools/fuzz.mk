# Reliability: libFuzzer on the host over the cores' handling of untrusted
# input (the ELF loader; the checks of system-call pointers; disk images), and
# the long in-guest runs of memtest, exhaust and sysfuzz. Included from the Makefile, which defines ARCH, BUILD,
# SWIFT_BIN, SWIFTC, EMBEDDED_SWIFTFLAGS, CORE_SOURCES, KERNEL_SWIFT, QEMU...
#
#   make fuzz [FUZZ_SECONDS=60]    each libFuzzer target for that long (fuzz-elf-loader,
#                                  fuzz-user-copy, fuzz-fs-image run one)
#   make fuzz-short                the same for FUZZ_SHORT_SECONDS each (part of make test)
#   make stress                    per architecture in STRESS_ARCHS: memtest, exhaust and
#                                  sysfuzz with 1,000,000 calls in QEMU (init stress);
#                                  then libFuzzer for STRESS_FUZZ_SECONDS; prints the figures

FUZZ_SECONDS ?= 60
FUZZ_SHORT_SECONDS ?= 15
STRESS_FUZZ_SECONDS ?= 900
STRESS_ARCHS ?= riscv64 x86_64
STRESS_TIMEOUT ?= 7200

FUZZ_BUILD := build/fuzz
FUZZ_FLAGS := -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
# The targets: NAME, source directory under Tools/Fuzz, seed corpus under
# Tests/Fuzz/corpus (kept in the repository), libFuzzer's -max_len.
#   elf-loader   ElfLoader.plan, LoadPlan.copySegments, the user image layouts:
#                seeds are real user programs of both architectures, the
#                malformed bad-* files, and cut-down headers
#   user-copy    AddressSpace.checkUserRange, copyIn, copyOut, copyInString
#                (every pointer a system call gets): seeds are 17-byte requests
#   fs-image     the file system on a corrupt disk: FileSystemCheck, then
#                mount (log replay), a walk that opens every entry and reads
#                every file, create/write/unlink; seeds are 64-block images
#                (mkfs's, a tree the core made, a committed log), made and
#                kept current by Tests/FileSystemToolsTests/FuzzSeedTests
FUZZ_TARGETS := elf-loader user-copy fs-image
FUZZ_SOURCE_elf-loader := ElfLoaderFuzz
FUZZ_CORPUS_elf-loader := Tests/Fuzz/corpus/elf
FUZZ_MAXLEN_elf-loader := 32768
FUZZ_SOURCE_user-copy := UserCopyFuzz
FUZZ_CORPUS_user-copy := Tests/Fuzz/corpus/user-copy
FUZZ_MAXLEN_user-copy := 1024
FUZZ_SOURCE_fs-image := FileSystemFuzz
FUZZ_CORPUS_fs-image := Tests/Fuzz/corpus/fs
FUZZ_MAXLEN_fs-image := 65536
# The module each target is compiled with (default: the memory core).
FUZZ_MODULE_fs-image = $(FS_SOURCES)

.PHONY: fuzz fuzz-short stress stress-guest $(addprefix fuzz-,$(FUZZ_TARGETS))

# One module per target: its main.swift and the sources of the core it
# fuzzes (FUZZ_MODULE_target, else the memory core's), instrumented.
define FUZZ_TARGET
$(FUZZ_BUILD)/$(1)-fuzz: Tools/Fuzz/$(FUZZ_SOURCE_$(1))/main.swift $(or $(FUZZ_MODULE_$(1)),$(CORE_SOURCES)) Tools/fuzz.mk
	@mkdir -p $(FUZZ_BUILD)
	@echo "== libFuzzer target $(1)"
	$(SWIFT_BIN)/swiftc -sanitize=fuzzer -O -parse-as-library -module-name $(FUZZ_SOURCE_$(1)) \
		Tools/Fuzz/$(FUZZ_SOURCE_$(1))/main.swift $(or $(FUZZ_MODULE_$(1)),$(CORE_SOURCES)) -o $$@

# A crash (a broken promise is a fatalError) fails the target and leaves the
# input in build/fuzz/crashes/ (replay: build/fuzz/$(1)-fuzz FILE). What a
# run adds to the corpus stays in build/fuzz/$(1)-corpus.
fuzz-$(1): $(FUZZ_BUILD)/$(1)-fuzz
	@mkdir -p $(FUZZ_BUILD)/$(1)-corpus $(FUZZ_BUILD)/crashes
	@echo "== libFuzzer: $(1) for $(FUZZ_SECONDS) s (log: $(FUZZ_BUILD)/$(1).log)"
	@$(FUZZ_BUILD)/$(1)-fuzz $(FUZZ_FLAGS) -max_len=$(FUZZ_MAXLEN_$(1)) -max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(FUZZ_BUILD)/crashes/$(1)- $(FUZZ_BUILD)/$(1)-corpus $(FUZZ_CORPUS_$(1)) \
		>$(FUZZ_BUILD)/$(1).log 2>&1; status=$$$$?; \
	grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done [0-9]+ runs|^stat::(number_of_executed_units|new_units_added)|^SUMMARY|Fatal error|^==[0-9]+== ERROR' $(FUZZ_BUILD)/$(1).log; \
	if [ $$$$status -ne 0 ]; then echo "fuzz: $(1) FAILED (libFuzzer exit status $$$$status; see $(FUZZ_BUILD)/$(1).log)"; exit 1; fi; \
	echo "fuzz: $(1) passed"
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET,$(t))))

# Each target for FUZZ_SECONDS.
fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))

fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SHORT_SECONDS)

# make test runs the short fuzz too.
test: fuzz-short

# The stress image: the check kernel whose init runs `init stress`.
$(BUILD)/kernel-stress.o: $(KERNEL_SWIFT) Makefile Tools/fuzz.mk
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), stress mode"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_CHECK -D SWIFTLET_STRESS -module-name Kernel -c $(KERNEL_SWIFT) -o $@

stress-guest: $(BUILD)/kernel-stress.elf test-fs-image qemu
	@echo "== stress run of the $(ARCH) kernel in QEMU (memtest, exhaust, sysfuzz 1,000,000 calls; up to $(STRESS_TIMEOUT) s)"
	CHECK_TIMEOUT=$(STRESS_TIMEOUT) CHECK_PASS_STATUS=$(CHECK_PASS_STATUS) Tools/qemu-check.sh $(BUILD)/stress.log \
		$(QEMU) $(QEMU_CHECK_DEVICES) $(call disk_flags,$(TEST_FS_IMAGE)) -kernel $(BUILD)/kernel-stress.elf

stress:
	@for a in $(STRESS_ARCHS); do $(MAKE) stress-guest ARCH=$$a || exit 1; done
	$(MAKE) fuzz FUZZ_SECONDS=$(STRESS_FUZZ_SECONDS)
	@echo "== make stress: figures"
	@for a in $(STRESS_ARCHS); do \
		echo "-- $$a (build/$$a/stress.log)"; \
		tr -d '\r' < build/$$a/stress.log | grep -E '^(sysfuzz|exhaust): (seed|calls|rounds|free frames|kernel heap|about|fork:|sbrk:|pipe:|pipes:|open:|open files:)|^(init: .*halt|[0-9]+ passed, [0-9]+ failed$$)'; \
	done
	@for t in $(FUZZ_TARGETS); do \
		echo "-- libFuzzer: $$t ($(FUZZ_BUILD)/$$t.log)"; \
		grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs' $(FUZZ_BUILD)/$$t.log; \
	done
