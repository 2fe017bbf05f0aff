# make power-cut: QEMU killed in the middle of a write-heavy workload, the
# disk checked with our fsck, booted again and the committed files checked
# (Tools/power-cut-test.py, docs/testing.md). Included from the Makefile.
#
#   make power-cut ARCH=riscv64|x86_64

POWER_CUT := $(BUILD)/power-cut

.PHONY: power-cut
# The disk is attached the way `make run` attaches it; {disk} is the copy
# the test writes.
power-cut: DISK_IMAGE = {disk}
power-cut: $(BUILD)/kernel.elf qemu
	@mkdir -p $(POWER_CUT)
	$(MAKE) --no-print-directory fs FS_IMAGE=$(POWER_CUT)/fresh.img
	@echo "== power cut during writes ($(ARCH))"
	python3 Tools/power-cut-test.py --image $(POWER_CUT)/fresh.img --disk $(POWER_CUT)/disk.img \
		--log-dir $(POWER_CUT) --fsck $(FSCK) -- $(QEMU) $(DISK_FLAGS) -kernel $(BUILD)/kernel.elf
