# The file-system image and its host tools (Tools/FileSystemTools: mkfs and
# fsck, SwiftPM executables over the same format code the kernel uses).
# Included from the Makefile, which defines ARCH, BUILD, SWIFT_BIN and
# USER_FILES (User/user.mk).
#
#   make fs [ARCH=...]      rebuilds $(FS_IMAGE) from scratch: the user programs in its root
#   make fsck [ARCH=...]    checks $(FS_IMAGE) on the host (one line per problem; fails on any)
#   $(FS_IMAGE)             a file target: made only when missing, so that what a
#                           guest writes survives; `make run` can depend on it
#   make fs-test            both architectures' images made and checked (part of make test)

FS_IMAGE := $(BUILD)/fs.img
# Bigger than xv6's 2000 blocks (whose 1954 data blocks the programs would
# already fill by a quarter): room for the programs as they grow, for the
# guest's file-system tests (several largest files, 268 blocks each, at
# once) and for what a user keeps. 10000 blocks is 10 MB and takes two
# bitmap blocks; 400 inodes. The log keeps xv6's 30 blocks.
FS_BLOCKS ?= 10000
FS_INODES ?= 400
# The user programs; the test images also get the malformed ELF files that
# memtest and sysfuzz exec (a user's ls does not list them).
FS_FILES := $(filter-out $(addprefix $(USER_BUILD)/,$(USER_BAD_ELFS)),$(USER_FILES))
TEST_FS_FILES := $(USER_FILES)
FS_TOOLS_SCRATCH ?= .build
MKFS := $(FS_TOOLS_SCRATCH)/debug/mkfs
FSCK := $(FS_TOOLS_SCRATCH)/debug/fsck

.PHONY: fs fsck fs-tools fs-test

fs-tools: | toolchain
	@$(SWIFT_BIN)/swift build --scratch-path $(FS_TOOLS_SCRATCH) --product mkfs -q
	@$(SWIFT_BIN)/swift build --scratch-path $(FS_TOOLS_SCRATCH) --product fsck -q

# Order-only: newer programs do not replace an image a user has written to
# (make fs does).
$(FS_IMAGE): | $(FS_FILES)
	@$(MAKE) --no-print-directory fs-tools
	@echo "== file-system image $@ ($(FS_BLOCKS) blocks, $(FS_INODES) inodes)"
	$(MKFS) --blocks $(FS_BLOCKS) --inodes $(FS_INODES) $@ $(FS_FILES)

# make run boots on the user's image (the Makefile's run rule).
run: $(FS_IMAGE)

# A fresh image of the same files for each test boot (check, shell-test,
# bench, gdb-test): the tests write to their disk.
TEST_FS_IMAGE := $(BUILD)/test-fs.img
.PHONY: test-fs-image
test-fs-image: | $(TEST_FS_FILES)
	@$(MAKE) --no-print-directory fs-tools
	@rm -f $(TEST_FS_IMAGE)
	$(MKFS) --blocks $(FS_BLOCKS) --inodes $(FS_INODES) $(TEST_FS_IMAGE) $(TEST_FS_FILES) > /dev/null

fs:
	rm -f $(FS_IMAGE)
	$(MAKE) $(FS_IMAGE)

fsck: fs-tools
	@echo "== fsck $(FS_IMAGE)"
	$(FSCK) $(FS_IMAGE)

# A fresh image of each architecture's programs passes fsck (beside the
# user's fs.img, which it leaves alone); a copy with its superblock's magic
# zeroed must fail with status 1 and say why, a missing image with 2.
fs-test:
	@for a in riscv64 x86_64; do \
		$(MAKE) --no-print-directory fs fsck ARCH=$$a FS_IMAGE=build/$$a/fs-test.img || exit 1; done
	@cp build/riscv64/fs-test.img build/riscv64/fs-corrupt.img
	@dd if=/dev/zero of=build/riscv64/fs-corrupt.img bs=1 seek=1024 count=4 conv=notrunc status=none
	@$(FSCK) --quiet build/riscv64/fs-corrupt.img > build/riscv64/fs-corrupt.log; status=$$?; \
	if [ $$status -ne 1 ] || ! grep -qx 'build/riscv64/fs-corrupt.img: superblock: bad superblock magic.*' build/riscv64/fs-corrupt.log; then \
		echo "fs-test: fsck of a corrupt image gave status $$status and:"; cat build/riscv64/fs-corrupt.log; exit 1; fi
	@$(FSCK) build/riscv64/fs-missing.img 2>/dev/null; status=$$?; \
	if [ $$status -ne 2 ]; then echo "fs-test: fsck of a missing image gave status $$status, not 2"; exit 1; fi
	@echo "fs-test: fresh images clean, a corrupt one refused (status 1), a missing one status 2"

test: fs-test
