# Reliability: libFuzzer on the ELF loader (the memory core's parser of
# untrusted input) on the host, and the long in-guest runs of memtest,
# exhaust and sysfuzz. Included from the Makefile, which defines ARCH, BUILD,
# SWIFT_BIN, SWIFTC, EMBEDDED_SWIFTFLAGS, CORE_SOURCES, KERNEL_SWIFT, QEMU...
#
#   make fuzz [FUZZ_SECONDS=60]    libFuzzer on the ELF loader for that long
#   make fuzz-short                the same for FUZZ_SHORT_SECONDS (part of make test)
#   make stress                    per architecture in STRESS_ARCHS: memtest, exhaust and
#                                  sysfuzz with 1,000,000 calls in QEMU (init stress);
#                                  then libFuzzer for STRESS_FUZZ_SECONDS; prints the figures

FUZZ_SECONDS ?= 60
FUZZ_SHORT_SECONDS ?= 20
STRESS_FUZZ_SECONDS ?= 1800
# x86-64 joins when its kernel runs processes.
STRESS_ARCHS ?= riscv64
STRESS_TIMEOUT ?= 7200
# The check image now runs memtest, exhaust and sysfuzz (100,000 calls):
# QEMU gets longer than qemu-check.sh's default of 120 s.
export CHECK_TIMEOUT ?= 600

FUZZ_BUILD := build/fuzz
ELF_FUZZER := $(FUZZ_BUILD)/elf-loader-fuzz
# The seed corpus, kept in the repository: real user programs of both
# architectures, the malformed bad-* files, and a few cut-down headers.
ELF_CORPUS := Tests/Fuzz/corpus/elf
# What runs add to the corpus stays in build/.
ELF_FUZZ_WORK := $(FUZZ_BUILD)/elf-corpus
ELF_FUZZ_LOG := $(FUZZ_BUILD)/elf-fuzz.log
FUZZ_FLAGS := -max_len=32768 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

.PHONY: fuzz fuzz-short stress stress-guest

# One module: the fuzz target and the memory core's sources, instrumented.
$(ELF_FUZZER): Tools/Fuzz/ElfLoaderFuzz/main.swift $(CORE_SOURCES) Tools/fuzz.mk
	@mkdir -p $(FUZZ_BUILD)
	@echo "== libFuzzer target for the ELF loader"
	$(SWIFT_BIN)/swiftc -sanitize=fuzzer -O -parse-as-library -module-name ElfLoaderFuzz \
		Tools/Fuzz/ElfLoaderFuzz/main.swift $(CORE_SOURCES) -o $@

# A crash (a broken promise is a fatalError) fails the target and leaves the
# input in build/fuzz/crashes/ (replay: build/fuzz/elf-loader-fuzz FILE).
fuzz: $(ELF_FUZZER)
	@mkdir -p $(ELF_FUZZ_WORK) $(FUZZ_BUILD)/crashes
	@echo "== libFuzzer on the ELF loader for $(FUZZ_SECONDS) s (log: $(ELF_FUZZ_LOG))"
	@$(ELF_FUZZER) $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_BUILD)/crashes/ \
		$(ELF_FUZZ_WORK) $(ELF_CORPUS) >$(ELF_FUZZ_LOG) 2>&1; status=$$?; \
	grep -E '^#[0-9]+ +(INITED|DONE)|^Done [0-9]+ runs|^stat::(number_of_executed_units|new_units_added)|^SUMMARY|Fatal error|^==[0-9]+== ERROR' $(ELF_FUZZ_LOG); \
	if [ $$status -ne 0 ]; then echo "fuzz: FAILED (libFuzzer exit status $$status; see $(ELF_FUZZ_LOG))"; exit 1; fi; \
	echo "fuzz: passed"

fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SHORT_SECONDS)

# make test runs the short fuzz too.
test: fuzz-short

# The stress image: the check kernel whose init runs `init stress`.
$(BUILD)/kernel-stress.o: $(KERNEL_SWIFT) Makefile Tools/fuzz.mk
	@mkdir -p $(BUILD)
	@echo "== kernel Swift for $(ARCH), stress mode"
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -D SWIFTLET_CHECK -D SWIFTLET_STRESS -module-name Kernel -c $(KERNEL_SWIFT) -o $@

stress-guest: $(BUILD)/kernel-stress.elf qemu
	@echo "== stress run of the $(ARCH) kernel in QEMU (memtest, exhaust, sysfuzz 1,000,000 calls; up to $(STRESS_TIMEOUT) s)"
	CHECK_TIMEOUT=$(STRESS_TIMEOUT) CHECK_PASS_STATUS=$(CHECK_PASS_STATUS) Tools/qemu-check.sh $(BUILD)/stress.log \
		$(QEMU) $(QEMU_CHECK_DEVICES) -kernel $(BUILD)/kernel-stress.elf

stress:
	@for a in $(STRESS_ARCHS); do $(MAKE) stress-guest ARCH=$$a || exit 1; done
	$(MAKE) fuzz FUZZ_SECONDS=$(STRESS_FUZZ_SECONDS)
	@echo "== make stress: figures"
	@for a in $(STRESS_ARCHS); do \
		echo "-- $$a (build/$$a/stress.log)"; \
		tr -d '\r' < build/$$a/stress.log | grep -E '^(sysfuzz|exhaust): (seed|calls|rounds|free frames|kernel heap|about|fork:|sbrk:|pipe:|pipes:|open:|open files:)|^(init: .*halt|[0-9]+ passed, [0-9]+ failed$$)'; \
	done
	@echo "-- libFuzzer on the ELF loader ($(ELF_FUZZ_LOG))"
	@grep -E '^#[0-9]+ +DONE|^Done [0-9]+ runs|^stat::number_of_executed_units' $(ELF_FUZZ_LOG)
